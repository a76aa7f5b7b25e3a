package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp/examples/everything"
	"github.com/lambdamcp/lambdamcp/examples/mrtr"
	"github.com/lambdamcp/lambdamcp/examples/progress"
	"github.com/lambdamcp/lambdamcp/requeststate"
	"github.com/lambdamcp/lambdamcp/serve"
)

// progressServer serves the progress example at /mcp until the test ends.
func progressServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/mcp", progress.Handler(progress.New(progress.Options{})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestCallShowsProgress calls the progress example's count tool and checks
// that standard output gets the result alone, and standard error the
// server's name, the progress as plain lines (stderr is no terminal here)
// and the log messages.
func TestCallShowsProgress(t *testing.T) {
	srv := progressServer(t)

	for _, protocol := range []string{"2026-07-28", "2025-11-25"} {
		t.Run(protocol, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-endpoint", srv.URL + "/mcp", "-protocol", protocol, "-call", "count", "-args", `{"steps":3}`},
				func(string) string { return "" }, &stdout, &stderr)
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
			}
			if diff := cmp.Diff(`{"counted":3}`+"\n", stdout.String()); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			// The SDK client hands notifications to their handlers apart
			// from each other, so progress and log lines may interleave;
			// each kind must come in order.
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if want := "Connected to lambdamcp-progress 1.0.0 (protocol " + protocol + ")"; lines[0] != want {
				t.Errorf("first line of stderr = %q, want %q", lines[0], want)
			}
			var progressLines, logLines []string
			for _, l := range lines[1:] {
				switch {
				case strings.HasPrefix(l, "progress "):
					progressLines = append(progressLines, l)
				case strings.HasPrefix(l, "log "):
					logLines = append(logLines, l)
				default:
					t.Errorf("unexpected line on stderr %q", l)
				}
			}
			if diff := cmp.Diff([]string{"progress 1/3: step 1 of 3", "progress 2/3: step 2 of 3", "progress 3/3: step 3 of 3"}, progressLines); diff != "" {
				t.Errorf("progress lines (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"log info count: step 1", "log info count: step 2", "log info count: step 3"}, logLines); diff != "" {
				t.Errorf("log lines (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCallHonoursLogLevel checks that -log drops the messages below it in
// both eras: the count tool logs at info.
func TestCallHonoursLogLevel(t *testing.T) {
	srv := progressServer(t)
	for _, protocol := range []string{"2026-07-28", "2025-11-25"} {
		for level, want := range map[string]bool{"debug": true, "info": true, "notice": false, "emergency": false} {
			t.Run(protocol+"/"+level, func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				code := run(t.Context(), []string{"-endpoint", srv.URL + "/mcp", "-protocol", protocol, "-call", "count", "-args", `{"steps":2}`, "-log", level}, noEnv, &stdout, &stderr)
				if code != 0 {
					t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
				}
				if got := strings.Contains(stderr.String(), "log info count: step 2\n"); got != want {
					t.Errorf("info messages shown: %v, want %v; stderr:\n%s", got, want, stderr.String())
				}
			})
		}
	}
}

func TestCallFailures(t *testing.T) {
	srv := progressServer(t)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"args not JSON", []string{"-call", "count", "-args", "steps=3"}, 2, "-args must be a JSON object: invalid character 's' looking for beginning of value"},
		{"args not an object", []string{"-call", "count", "-args", "[3]"}, 2, "-args must be a JSON object, not [3]"},
		{"args null", []string{"-call", "count", "-args", "null"}, 2, "-args must be a JSON object, not null"},
		{"args and more", []string{"-call", "count", "-args", `{"steps":3} {}`}, 2, "-args must be a JSON object: invalid character '{' after top-level value"},
		{"tool error", []string{"-call", "count", "-args", `{"steps":0}`}, 1, "tool count failed"},
		{"unknown tool", []string{"-call", "nope"}, 1, "nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append([]string{"-endpoint", srv.URL + "/mcp"}, tc.args...), func(string) string { return "" }, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr.String(), tc.code, tc.want)
			}
		})
	}
}

// TestCallPassesArgumentsAsWritten checks that -args reaches the tool as
// written: an integer past float64's precision unchanged, a number past
// its range not refused.
func TestCallPassesArgumentsAsWritten(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "echo", Version: "1.0.0"}, nil)
	server.AddTool(&mcp.Tool{Name: "echo", InputSchema: map[string]any{"type": "object"}}, func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(req.Params.Arguments)}}}, nil
	})
	srv := httptest.NewServer(serve.Routes(serve.Handler(server, nil)))
	defer srv.Close()
	for _, tc := range []struct{ protocol, args string }{
		{"2026-07-28", `{"n":9007199254740993}`},
		{"2025-11-25", `{"n":9007199254740993}`},
		// Not in 2026-07-28: the go-sdk client reads the tool's name for
		// the Mcp-Name header by decoding the arguments too, which fails
		// on a number float64 cannot hold (TestCallRefusesNumberBeyondFloat64).
		{"2025-11-25", `{"celsius":1e400}`},
	} {
		t.Run(tc.protocol+"/"+tc.args, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-endpoint", srv.URL + "/mcp", "-protocol", tc.protocol, "-call", "echo", "-args", " " + tc.args + "\n"}, noEnv, &stdout, &stderr)
			if code != 0 || stdout.String() != tc.args+"\n" {
				t.Errorf("exit %d, stdout %q, want %q; stderr %q", code, stdout.String(), tc.args+"\n", stderr.String())
			}
		})
	}
}

// TestProgressBar checks the bar drawn on a terminal, also for a server
// whose progress runs past its total or below 0: the bar stays full or
// empty.
func TestProgressBar(t *testing.T) {
	tests := []struct {
		name  string
		steps []progressParams
		want  string
	}{
		{"to the end", []progressParams{{Progress: 1, Total: 4, Message: "one"}, {Progress: 4, Total: 4}},
			"\r\033[K[#######-----------------------]  25% one" +
				"\r\033[K[##############################] 100%\n"},
		{"past the total", []progressParams{{Progress: 5, Total: 4}},
			"\r\033[K[##############################] 100%\n"},
		{"below 0", []progressParams{{Progress: -1, Total: 4}},
			"\r\033[K[------------------------------]   0%\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			v := &progressView{out: &out, bar: true}
			for _, p := range tc.steps {
				v.progress(&p)
			}
			v.end()
			if diff := cmp.Diff(tc.want, out.String()); diff != "" {
				t.Errorf("bar (-want +got):\n%s", diff)
			}
		})
	}
}

type progressParams = mcp.ProgressNotificationParams

// writeLog records each write apart.
type writeLog struct{ writes []string }

func (w *writeLog) Write(p []byte) (int, error) {
	w.writes = append(w.writes, string(p))
	return len(p), nil
}

// TestProgressLineWholeWrite checks that each progress line off a terminal
// is one write: the trace writes from another goroutine a line at a time,
// and a line written in parts could be cut by one of its lines, or a
// secret split between two writes be missed by the hiding.
func TestProgressLineWholeWrite(t *testing.T) {
	var out writeLog
	v := &progressView{out: &out}
	v.progress(&progressParams{Progress: 1, Total: 2, Message: "step-one"})
	v.progress(&progressParams{Progress: 3, Message: "step-two"})
	v.progress(&progressParams{Progress: 4})
	want := []string{"progress 1/2: step-one\n", "progress 3: step-two\n", "progress 4\n"}
	if diff := cmp.Diff(want, out.writes); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
}

// TestCallMirrorsParamHeaders calls a tool whose argument a 2026-07-28
// client must mirror into an Mcp-Param-* header; the client learns that
// from the tool list, so -call lists the tools first.
func TestCallMirrorsParamHeaders(t *testing.T) {
	srv := httptest.NewServer(everything.Handler(everything.New(nil), nil))
	defer srv.Close()
	for _, protocol := range []string{"2026-07-28", "2025-11-25"} {
		t.Run(protocol, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-endpoint", srv.URL, "-protocol", protocol, "-call", "test_x_mcp_header", "-args", `{"region":"eu-west-1"}`},
				func(string) string { return "" }, &stdout, &stderr)
			if code != 0 || !strings.Contains(stdout.String(), "region=eu-west-1\n") {
				t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
			}
		})
	}
}

// TestCallShowsEveryContent calls tools whose results are not text: each
// item is named by its kind, media type and size.
func TestCallShowsEveryContent(t *testing.T) {
	srv := httptest.NewServer(everything.Handler(everything.New(nil), nil))
	defer srv.Close()
	for tool, want := range map[string]string{
		"test_image_content":          "[image image/png, ",
		"test_audio_content":          "[audio audio/wav, ",
		"test_embedded_resource":      "[resource test://",
		"test_multiple_content_types": "[image image/png, ",
	} {
		t.Run(tool, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-endpoint", srv.URL, "-call", tool}, func(string) string { return "" }, &stdout, &stderr)
			if code != 0 || !strings.Contains(stdout.String(), want) {
				t.Errorf("exit %d, stdout:\n%s\nwant %q; stderr:\n%s", code, stdout.String(), want, stderr.String())
			}
		})
	}
}

// TestCallAnswersInputRequests calls the mrtr example's order, which asks
// the user to confirm in the 2026-07-28 era: -elicit answers; without it
// the client declares no elicitation, and the server refuses the call
// (-32021) rather than ask.
func TestCallAnswersInputRequests(t *testing.T) {
	key := make([]byte, requeststate.KeySize)
	rand.Read(key)
	sealer, err := requeststate.New(key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mrtr.Handler(mrtr.New(sealer)))
	defer srv.Close()
	order := []string{"-call", "order", "-args", `{"item":"tea","quantity":2}`}
	tests := []struct {
		name        string
		args        []string
		code        int
		out, errOut string
	}{
		{"accepted", append(order, "-elicit", `{"confirm":true}`), 0, "ordered 2 × tea", "elicitation: "},
		{"declined", append(order, "-elicit", "decline"), 0, "order cancelled", "(-elicit answers decline)"},
		{"sampling, which the client offers not", []string{"-call", "haiku", "-args", `{"topic":"tea"}`}, 1, "", "server error -32021: this request needs the client's sampling capability, which the client did not declare (this client offers no sampling)"},
		{"no answer offered", order, 1, "", "server error -32021: this request needs the client's elicitation capability, which the client did not declare (answer the server's questions with -elicit)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append([]string{"-endpoint", srv.URL}, tc.args...), func(string) string { return "" }, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stdout.String(), tc.out) || !strings.Contains(stderr.String(), tc.errOut) {
				t.Errorf("exit %d (want %d), stdout:\n%s\nstderr:\n%s\nwant %q and %q", code, tc.code, stdout.String(), stderr.String(), tc.out, tc.errOut)
			}
		})
	}
	for _, args := range [][]string{
		{"-call", "order", "-elicit", "yes"},
		{"-call", "order", "-elicit", "[]"},
		{"-call", "order", "-elicit", "null"},
		{"-elicit", "decline"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), append([]string{"-endpoint", srv.URL}, args...), func(string) string { return "" }, &stdout, &stderr); code != 2 {
			t.Errorf("%q: exit %d, want 2; stderr: %s", args, code, stderr.String())
		}
	}
}

// TestElicitAnswer checks that every elicitation gets content of its own,
// which the go-sdk fills with a form's defaults, and that a URL-mode
// elicitation, which a command line cannot follow, is declined whatever
// -elicit says.
func TestElicitAnswer(t *testing.T) {
	a, err := parseElicit(`{"confirm":true,"note":{"a":1}}`)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	first := a.answer(&out, &mcp.ElicitParams{Mode: "form", Message: "Sure?"}, nil)
	first.Content["default"] = "filled in"
	first.Content["note"].(map[string]any)["b"] = 2
	second := a.answer(&out, &mcp.ElicitParams{Mode: "form", Message: "Sure?"}, nil)
	if diff := cmp.Diff(map[string]any{"confirm": true, "note": map[string]any{"a": 1.0}}, second.Content); second.Action != "accept" || diff != "" {
		t.Errorf("second answer %s (-want +got content):\n%s", second.Action, diff)
	}
	url := a.answer(&out, &mcp.ElicitParams{Mode: "url", Message: "Sign in", URL: "https://auth.example/x"}, nil)
	if url.Action != "decline" || url.Content != nil {
		t.Errorf("URL-mode answer = %+v, want decline", url)
	}
	if want := "elicitation: Sign in (a page to visit, https://auth.example/x: declined)\n"; !strings.HasSuffix(out.String(), want) {
		t.Errorf("output %q, want it to end with %q", out.String(), want)
	}
}

// TestContentLines checks how each kind of content shows: text as it is
// (the terminal's escaping comes later, a pipe gets it whole), the rest as
// a label whose names from the server are escaped, for a pipe too.
func TestContentLines(t *testing.T) {
	for _, tc := range []struct {
		name    string
		content mcp.Content
		want    string
	}{
		{"text", &mcp.TextContent{Text: "two\nlines"}, "two\nlines"},
		{"image", &mcp.ImageContent{MIMEType: "image/png", Data: []byte{1, 2, 3}}, "[image image/png, 3 bytes]"},
		{"audio", &mcp.AudioContent{MIMEType: "audio/wav", Data: []byte{1}}, "[audio audio/wav, 1 bytes]"},
		{"link", &mcp.ResourceLink{URI: "docs://a", Name: "a"}, "[resource link docs://a]"},
		{"embedded text", &mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: "docs://a", MIMEType: "text/plain", Text: "hi"}}, "[resource docs://a, text/plain] hi"},
		{"embedded blob", &mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: "img://b", MIMEType: "image/png", Blob: []byte{1, 2}}}, "[resource img://b, image/png, 2 bytes]"},
		{"embedded, no media type", &mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: "docs://a", Text: "hi"}}, "[resource docs://a] hi"},
		{"embedded, empty", &mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: "docs://a"}}, "[resource docs://a]"},
		{"forged line in a media type", &mcp.ImageContent{MIMEType: "image/png\nok: fake", Data: []byte{1}}, `[image image/png\nok: fake, 1 bytes]`},
		{"escape in a link", &mcp.ResourceLink{URI: "docs://\x1b[2Ja"}, `[resource link docs://\x1b[2Ja]`},
		{"escape in a resource URI", &mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: "docs://\x1b]0;x\x07", MIMEType: "text/\u202eplain", Text: "hi"}}, `[resource docs://\x1b]0;x\x07, text/\u202eplain] hi`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff([]string{tc.want}, contentLines([]mcp.Content{tc.content})); diff != "" {
				t.Errorf("contentLines (-want +got):\n%s", diff)
			}
		})
	}
}
