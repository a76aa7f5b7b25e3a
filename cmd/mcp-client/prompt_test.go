package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp/examples/everything"
	"github.com/lambdamcp/lambdamcp/examples/prompts"
)

// ownPromptServer serves a go-sdk server whose prompt "echo" answers with
// its arguments as text, and "mixed" with content of every other kind and
// a role and a media type that would forge a line.
func ownPromptServer(t *testing.T) string {
	t.Helper()
	server := mcp.NewServer(&mcp.Implementation{Name: "own", Version: "1.0.0"}, nil)
	server.AddPrompt(&mcp.Prompt{Name: "echo"}, func(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		var parts []string
		for k, v := range req.Params.Arguments {
			parts = append(parts, k+"="+v)
		}
		return &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: strings.Join(parts, ",")}}}}, nil
	})
	server.AddPrompt(&mcp.Prompt{Name: "mixed"}, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		return &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{
			{Role: "assistant", Content: &mcp.AudioContent{MIMEType: "audio/wav", Data: []byte{1, 2, 3, 4}}},
			{Role: "user", Content: &mcp.ResourceLink{URI: "docs://readme", Name: "readme"}},
			{Role: "user", Content: &mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: "img://a", MIMEType: "image/png\nuser: forged", Blob: []byte{1, 2}}}},
			{Role: "user\nassistant", Content: &mcp.TextContent{Text: "two\nlines"}},
		}}, nil
	})
	return serveLocally(t, server)
}

// TestGetPrompt gets prompts with -prompt in both eras: standard output
// has each message's role and content, shown as -call shows a result's
// (text as it is, other kinds by their label), and nothing else; a
// failure names the step and exits 1.
func TestGetPrompt(t *testing.T) {
	deploy := httptest.NewServer(prompts.Handler(prompts.New()))
	t.Cleanup(deploy.Close)
	all := httptest.NewServer(everything.Handler(everything.New(nil), nil))
	t.Cleanup(all.Close)
	own := ownPromptServer(t)
	tests := []struct {
		name     string
		endpoint string
		args     []string
		protocol string // "": both eras
		code     int
		out      string // standard output, whole; for a failure, ""
		errOut   string // in standard error
	}{
		{"text", deploy.URL, []string{"-prompt", "deploy", "-args", `{"shape":"url","streaming":"yes"}`}, "", 0,
			`user: Plan the deployment of a stateless MCP server on AWS Lambda behind the "url" event shape. Stream responses if the shape allows it, and say what that costs.` + "\n",
			"Connected to lambdamcp-prompts 1.0.0"},
		{"refused", deploy.URL, []string{"-prompt", "deploy", "-args", `{"shape":"ftp"}`}, "", 1, "",
			"getting prompt deploy: server error -32602: shape must be one of alb, http, rest, url"},
		{"unknown", deploy.URL, []string{"-prompt", "nope"}, "", 1, "", "getting prompt nope: server error"},
		{"arguments as given", own, []string{"-prompt", "echo", "-args", `{"n":"9007199254740993"}`}, "", 0, "user: n=9007199254740993\n", ""},
		{"no arguments", own, []string{"-prompt", "echo"}, "", 0, "user: \n", ""},
		{"every kind of content", own, []string{"-prompt", "mixed"}, "", 0,
			"assistant: [audio audio/wav, 4 bytes]\n" +
				"user: [resource link docs://readme]\n" +
				`user: [resource img://a, image/png\nuser: forged, 2 bytes]` + "\n" +
				`user\nassistant: two` + "\nlines\n", ""},
		{"embedded resource", all.URL, []string{"-prompt", "test_prompt_with_embedded_resource", "-args", `{"resourceUri":"test://x"}`}, "", 0,
			"user: [resource test://x, text/plain] Embedded resource content for testing.\nuser: Please process the embedded resource above.\n", ""},
		{"elicited", all.URL, []string{"-prompt", "test_input_required_result_prompt", "-elicit", `{"context":"tea"}`}, "2026-07-28", 0,
			"user: Context: tea\n", "elicitation: What context should the prompt use? (-elicit answers accept)"},
		{"elicitation not offered", all.URL, []string{"-prompt", "test_input_required_result_prompt"}, "2026-07-28", 1, "",
			"getting prompt test_input_required_result_prompt: server error -32021"},
	}
	for _, tc := range tests {
		for _, protocol := range []string{"2026-07-28", "2025-11-25"} {
			if tc.protocol != "" && tc.protocol != protocol {
				continue
			}
			t.Run(tc.name+"/"+protocol, func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				code := run(t.Context(), append([]string{"-endpoint", tc.endpoint, "-protocol", protocol}, tc.args...), noEnv, &stdout, &stderr)
				if code != tc.code || !strings.Contains(stderr.String(), tc.errOut) {
					t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr.String(), tc.code, tc.errOut)
				}
				if diff := cmp.Diff(tc.out, stdout.String()); diff != "" {
					t.Errorf("stdout (-want +got):\n%s", diff)
				}
			})
		}
	}
}
