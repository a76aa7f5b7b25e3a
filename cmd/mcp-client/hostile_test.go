package main

//lint:file-ignore SA1019 the server sends MCP log messages, deprecated as of 2026-07-28 but still served in the 2025-11-25 era

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// hostileText is what a broken or hostile server may put in a name, a
// description or a message: escape sequences (a screen cleared, an OSC 8
// link, a bell), a carriage return that would overwrite the line, a
// bidirectional control, and a megabyte of text.
var hostileText = "\x1b[2J\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\rforged\u202e" + strings.Repeat("flood ", 200_000)

// hostileServer is a server that says hostileText wherever it may: its
// name and version, each tool's, prompt's and resource's name and
// description, and, from its tool, progress and log messages.
func hostileServer(t *testing.T) string {
	flood := func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		req.Session.Log(ctx, &mcp.LoggingMessageParams{Level: "info", Logger: hostileText, Data: hostileText})
		if token := req.Params.GetProgressToken(); token != nil {
			req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: token, Progress: 1, Total: 2, Message: hostileText})
		}
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "done"}}}, nil
	}

	s := mcp.NewServer(&mcp.Implementation{Name: hostileText, Version: hostileText}, &mcp.ServerOptions{
		Capabilities: &mcp.ServerCapabilities{Logging: &mcp.LoggingCapabilities{}, Tools: &mcp.ToolCapabilities{}},
	})
	s.AddTool(&mcp.Tool{Name: "flood" + hostileText, Description: hostileText, InputSchema: map[string]any{"type": "object"}}, flood)
	s.AddTool(&mcp.Tool{Name: "flood", InputSchema: map[string]any{"type": "object"}}, flood)
	s.AddTool(&mcp.Tool{Name: "ask", Description: "asks", InputSchema: map[string]any{"type": "object"}},
		func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			if _, err := req.Session.Elicit(ctx, &mcp.ElicitParams{Mode: "form", Message: hostileText, RequestedSchema: map[string]any{"type": "object"}}); err != nil {
				return nil, err
			}
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "done"}}}, nil
		})
	s.AddPrompt(&mcp.Prompt{Name: hostileText, Description: hostileText}, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		return &mcp.GetPromptResult{}, nil
	})
	s.AddResource(&mcp.Resource{URI: "docs://a", Name: hostileText}, func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		return &mcp.ReadResourceResult{}, nil
	})
	s.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: "docs://{x}", Name: hostileText}, func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		return &mcp.ReadResourceResult{}, nil
	})
	// Streamed, with sessions, so that the notifications and requests reach the client.
	srv := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, nil))
	t.Cleanup(srv.Close)
	return srv.URL + "/mcp"
}

// TestHostileServerTextBounded checks that what a server says in the
// lines the client writes of its own (the server's name, the listings,
// progress and log lines) is escaped and bounded: a terminal obeys no
// escape sequence of the server's, and no line of it runs past maxLine
// however much the server sends.
func TestHostileServerTextBounded(t *testing.T) {
	endpoint := hostileServer(t)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"listing", nil},
		{"call", []string{"-call", "flood", "-log", "info"}},
		{"elicitation", []string{"-protocol", "2025-11-25", "-call", "ask", "-elicit", "decline"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append([]string{"-endpoint", endpoint, "-timeout", "20s"}, tc.args...), noEnv, &stdout, &stderr)
			if code != 0 {
				t.Fatalf("exit %d, stderr (%d bytes) ends %q", code, stderr.Len(), stderr.String()[max(0, stderr.Len()-300):])
			}
			for name, out := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
				if strings.ContainsAny(out, "\x1b\x07\r\u202e") {
					t.Errorf("%s holds a raw control character: %.300q", name, out)
				}
				for line := range strings.Lines(out) {
					if len(line) > maxLine+100 {
						t.Errorf("%s has a line of %d bytes, want at most %d: %.300q", name, len(line), maxLine+100, line)
					}
				}
			}
			if want := map[string]string{"call": "log info", "elicitation": "elicitation: "}[tc.name]; !strings.Contains(stderr.String(), want) {
				t.Errorf("stderr %.1000q lacks %q", stderr.String(), want)
			}
		})
	}
}

// TestLineBoundedEscaped checks that a line quoting a server's text is
// bounded as it is written, escapes and all: text of control characters
// alone, each escaped in four bytes or six, makes no longer a line than
// other text, and its secrets stay hidden.
func TestLineBoundedEscaped(t *testing.T) {
	secrets := newSecretSet("https://x.example/mcp", secretToken)
	for _, text := range []string{
		strings.Repeat("\x1b", 3*maxLine),
		strings.Repeat("\u202e", maxLine),
		"log info: " + secretToken + strings.Repeat("\x07", maxLine),
	} {
		got := secrets.line(text)
		if len(got) > maxLine+100 || strings.ContainsAny(got, "\x1b\x07\u202e") || strings.Contains(got, secretToken[:8]) || !strings.Contains(got, " more bytes not shown)") {
			t.Errorf("line(%.40q) is %d bytes, %.200q…; want at most %d, escaped, the token hidden, what was left out said", text, len(got), got, maxLine+100)
		}
	}
}
