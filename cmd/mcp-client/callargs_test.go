package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp/serve"
)

// TestCallRefusesNumberBeyondFloat64 checks that under 2026-07-28 a number
// float64 cannot hold, anywhere in -args, is refused with a line that says
// so before the call is sent, rather than with the server's refusal of a
// call without its Mcp-Name header (the go-sdk client leaves it out when it
// cannot decode the arguments). TestCallPassesArgumentsAsWritten checks
// that 2025-11-25 still sends such a number.
func TestCallRefusesNumberBeyondFloat64(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "echo", Version: "1.0.0"}, nil)
	server.AddTool(&mcp.Tool{Name: "echo", InputSchema: map[string]any{"type": "object"}}, func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(req.Params.Arguments)}}}, nil
	})
	srv := httptest.NewServer(serve.Routes(serve.Handler(server, nil)))
	defer srv.Close()
	tests := []struct {
		args, number string
	}{
		{`{"celsius":1e400}`, "1e400"},
		{`{"celsius":-1E+309}`, "-1E+309"},
		{`{"just past the largest":1.7976931348623159e308}`, "1.7976931348623159e308"},
		{`{"deep":{"list":[1, "x", {"n":[2e999]}]}}`, "2e999"},
	}
	for _, tc := range tests {
		t.Run(tc.args, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-endpoint", srv.URL + "/mcp", "-protocol", "2026-07-28", "-call", "echo", "-args", tc.args}, noEnv, &stdout, &stderr)
			want := "mcp-client: " + srv.URL + "/mcp: -args: " + tc.number + " cannot be sent under protocol 2026-07-28: the go-sdk client reads tool arguments as float64 numbers, and this one is beyond float64's range; send it as a string or a smaller number\n"
			if code != 1 || !strings.HasSuffix(stderr.String(), want) || stdout.Len() != 0 {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and stderr ending %q", code, stdout.String(), stderr.String(), want)
			}
		})
	}
}

// TestArgsBeyondFloat64 checks which numbers the go-sdk client cannot
// decode into float64: only those beyond its range, not those past its
// precision or below its smallest value (which round, as the client does).
func TestArgsBeyondFloat64(t *testing.T) {
	tests := []struct {
		args, want string
	}{
		{`{}`, ""},
		{`{"n":1.7976931348623157e308}`, ""},
		{`{"n":123456789012345678901234567890}`, ""},
		{`{"n":1e-400}`, ""},
		{`{"s":"1e400","b":true,"z":null}`, ""},
		{`{"n":1e400}`, "1e400"},
		{`{"a":[0,[-1e309]]}`, "-1e309"},
		{`{"a":1,"b":{"c":1e999}}`, "1e999"},
	}
	for _, tc := range tests {
		if got := beyondFloat64([]byte(tc.args)); got != tc.want {
			t.Errorf("beyondFloat64(%s) = %q, want %q", tc.args, got, tc.want)
		}
	}
}

// TestCallRefusesArgsTooDeep checks that -args nested deeper than a go-sdk
// server reads a message, in either era, are refused with a line that says
// so before the call is sent, rather than with the server's bare 400 Bad
// Request; arguments one level shallower reach the tool.
func TestCallRefusesArgsTooDeep(t *testing.T) {
	srv := httptest.NewServer(serve.Routes(serve.Handler(echoServer(), nil)))
	defer srv.Close()
	nested := func(levels int) string { // an object around levels-1 arrays
		return `{"a":` + strings.Repeat("[", levels-1) + strings.Repeat("]", levels-1) + `}`
	}
	for _, protocol := range []string{"2025-11-25", "2026-07-28"} {
		for _, tc := range []struct {
			levels  int
			refused bool
		}{
			{998, false},
			{999, true},
			{1000, true},
			{1500, true},
		} {
			t.Run(fmt.Sprintf("%s/%d", protocol, tc.levels), func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				code := run(t.Context(), []string{"-endpoint", srv.URL + "/mcp", "-protocol", protocol, "-call", "echo", "-args", nested(tc.levels)}, noEnv, &stdout, &stderr)
				if !tc.refused {
					if code != 0 || stdout.String() != nested(tc.levels)+"\n" {
						t.Errorf("exit %d, stderr %q; want exit 0 and the arguments echoed", code, stderr.String())
					}
					return
				}
				want := fmt.Sprintf("mcp-client: %s/mcp: -args: nested %d levels deep, which a go-sdk server does not read: it reads a message at most 1000 levels deep, the call taking 2 of them; nest the arguments at most 998 levels\n", srv.URL, tc.levels)
				if code != 1 || !strings.HasSuffix(stderr.String(), want) || stdout.Len() != 0 {
					t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and stderr ending %q", code, stdout.String(), stderr.String(), want)
				}
			})
		}
	}
}

// echoServer has one tool, echo, which answers with its arguments.
func echoServer() *mcp.Server {
	server := mcp.NewServer(&mcp.Implementation{Name: "echo", Version: "1.0.0"}, nil)
	server.AddTool(&mcp.Tool{Name: "echo", InputSchema: map[string]any{"type": "object"}}, func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(req.Params.Arguments)}}}, nil
	})
	return server
}

// TestArgsNotUTF8Refused checks that -args or -elicit holding bytes that
// are not UTF-8 (a file in Latin-1 given as "$(cat file)") is a usage
// error saying so, before anything is sent: JSON text is UTF-8, and a
// server would refuse the call or read the strings changed.
func TestArgsNotUTF8Refused(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"call", []string{"-call", "greet", "-args", "{\"city\":\"M\xfcnchen\"}"}, "-args is not UTF-8"},
		{"prompt", []string{"-prompt", "greet", "-args", "{\"city\":\"M\xfcnchen\"}"}, "-args is not UTF-8"},
		{"key", []string{"-call", "greet", "-args", "{\"\xff\":1}"}, "-args is not UTF-8"},
		{"elicit", []string{"-call", "greet", "-elicit", "{\"city\":\"M\xfcnchen\"}"}, "-elicit is not UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append([]string{"-endpoint", "http://127.0.0.1:1/mcp"}, tc.args...), noEnv, &stdout, &stderr)
			line, _, _ := strings.Cut(stderr.String(), "\n")
			if code != 2 || !strings.HasPrefix(line, "mcp-client: "+tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and a line beginning %q", code, stderr.String(), tc.want)
			}
		})
	}
}

// TestArgsEmptyRefused checks that -args given empty (a shell variable
// left unset) or blank is a usage error saying so, for -call and -prompt,
// rather than the JSON reader's "unexpected end of JSON input".
func TestArgsEmptyRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"call", []string{"-call", "greet", "-args", ""}},
		{"prompt", []string{"-prompt", "greet", "-args", ""}},
		{"blank", []string{"-call", "greet", "-args", " \n\t"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append([]string{"-endpoint", "http://127.0.0.1:1/mcp"}, tc.args...), noEnv, &stdout, &stderr)
			line, _, _ := strings.Cut(stderr.String(), "\n")
			if code != 2 || !strings.HasPrefix(line, "mcp-client: -args is empty") || strings.Contains(line, "JSON input") {
				t.Errorf("exit %d, stderr %q; want 2 and a line beginning mcp-client: -args is empty", code, stderr.String())
			}
		})
	}
}

// TestElicitEmptyRefused checks that -elicit given empty (a shell
// variable left unset) is a usage error saying so, as -args is, rather
// than a run that offers no elicitation and fails once the tool asks.
func TestElicitEmptyRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"call", []string{"-call", "order", "-elicit", ""}},
		{"prompt", []string{"-prompt", "greet", "-elicit", ""}},
		{"blank", []string{"-call", "order", "-elicit", " \n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append([]string{"-endpoint", "http://127.0.0.1:1/mcp"}, tc.args...), noEnv, &stdout, &stderr)
			line, _, _ := strings.Cut(stderr.String(), "\n")
			if code != 2 || !strings.HasPrefix(line, "mcp-client: -elicit is empty: give a JSON object, decline or cancel") {
				t.Errorf("exit %d, stderr %q; want 2 and a line beginning mcp-client: -elicit is empty", code, stderr.String())
			}
		})
	}
}
