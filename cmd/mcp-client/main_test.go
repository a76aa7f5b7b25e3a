package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/internal/localfront"
	"github.com/lambdamcp/lambdamcp/internal/textcut"
	"github.com/lambdamcp/lambdamcp/serve"
)

// startReference serves the reference server in process, as cmd/mcp-server
// does locally, and returns its MCP endpoint.
func startReference(t *testing.T) string {
	t.Helper()
	return serveLocally(t, demoserver.New(demoserver.Options{}))
}

// serveLocally serves server in process as serve.Run does locally, until
// the test ends, and returns its MCP endpoint.
func serveLocally(t *testing.T, server *mcp.Server) string {
	t.Helper()
	srv := httptest.NewServer(serve.Routes(serve.Handler(server, nil)))
	t.Cleanup(srv.Close)
	return srv.URL + "/mcp"
}

func noEnv(string) string { return "" }

// TestFailureNotBlamedOnEarlierStatus checks that a failure is explained by
// its own request's answer: in the 2025-11-25 era the SDK opens a GET
// stream the stateless server refuses with 405, which must not show up in
// the explanation of a later, unrelated failure.
func TestFailureNotBlamedOnEarlierStatus(t *testing.T) {
	endpoint := startReference(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown tool", []string{"-call", "nosuch"}, "calling nosuch"},
		{"timeout", []string{"-call", "ping", "-args", `{"delay_ms":3000}`, "-timeout", "1s"}, "timed out"},
	}
	for _, protocol := range []string{"2025-11-25", "2026-07-28"} {
		for _, tc := range tests {
			t.Run(protocol+"/"+tc.name, func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				code := run(t.Context(), append([]string{"-endpoint", endpoint, "-protocol", protocol}, tc.args...), noEnv, &stdout, &stderr)
				if code != 1 || !strings.Contains(stderr.String(), tc.want) {
					t.Errorf("exit %d, stderr %q; want exit 1 and %q", code, stderr.String(), tc.want)
				}
				// The endpoint's random port may hold the digits 405.
				if strings.Contains(stderr.String(), "HTTP 405") || strings.Contains(stderr.String(), "405 Method Not Allowed") {
					t.Errorf("stderr %q blames the failure on the GET stream's 405", stderr.String())
				}
			})
		}
	}
}

// TestForbiddenExplained checks that a 403 blames the token only when the
// server says the token is at fault, and otherwise points at the URL: API
// Gateway REST answers a path outside its stage with 403 "Missing
// Authentication Token", token or not.
func TestForbiddenExplained(t *testing.T) {
	front, err := localfront.Start(t.Context(), localfront.Config{
		Shape:    localfront.ShapeREST,
		Function: localfront.NewInProcessHTTP(serve.Routes(serve.Handler(demoserver.New(demoserver.Options{}), nil)), nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { front.Close() })
	outsideStage := strings.TrimSuffix(front.URL(), "/dev") + "/prod/mcp"
	mapped, err := localfront.Start(t.Context(), localfront.Config{
		Shape:    localfront.ShapeREST,
		BasePath: "tools",
		Function: localfront.NewInProcessHTTP(serve.Routes(serve.Handler(demoserver.New(demoserver.Options{}), nil)), nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mapped.Close() })
	outsideMapping := strings.TrimSuffix(mapped.URL(), "/tools") + "/other/mcp"
	// An HTTP API's Lambda authorizer refuses a good token without a
	// required scope with isAuthorized false: the bare 403 of a path
	// outside a custom domain's mappings, with no challenge to tell them
	// apart.
	verifier, err := auth.NewStaticVerifier([]string{auth.HashToken("t0k3n")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	scoped, err := localfront.Start(t.Context(), localfront.Config{
		Shape:      localfront.ShapeHTTP,
		Authorizer: localfront.NewInProcess(auth.NewAuthorizer(verifier, &auth.AuthorizerOptions{Scopes: []string{"mcp:tools"}}), nil),
		Function:   localfront.NewInProcessHTTP(serve.Routes(serve.Handler(demoserver.New(demoserver.Options{}), nil)), nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { scoped.Close() })

	forbidden := func(challenge, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if challenge != "" {
				w.Header().Set("WWW-Authenticate", challenge)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, body)
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/mcp"
	}
	scope := forbidden(`Bearer error="insufficient_scope", resource_metadata="https://x.example/.well-known/oauth-protected-resource/mcp", scope="mcp:tools"`,
		`{"error":"insufficient_scope"}`)
	deny := forbidden("", `{"message":"User is not authorized to access this resource with an explicit deny"}`)
	bare := forbidden("", `{}`)
	// A challenge tells a server's own refusal from API Gateway's bare
	// "Forbidden", which carries none.
	revoked := forbidden(`Bearer error="invalid_token", error_description="token revoked"`, `{"message":"Forbidden"}`)
	described := forbidden(`Bearer resource_metadata="https://x.example/.well-known/oauth-protected-resource/mcp"`, `{"message":"Forbidden"}`)

	tests := []struct {
		name     string
		args     []string
		want     []string
		dontWant string
	}{
		{"outside the stage", []string{"-endpoint", outsideStage},
			[]string{"(HTTP 403", `"Missing Authentication Token"`, "check the URL's path and stage"}, "token lacks"},
		{"outside the stage with a token", []string{"-endpoint", outsideStage, "-token", "t0k3n"},
			[]string{"(HTTP 403", `"Missing Authentication Token"`, "check the URL's path and stage"}, "token lacks"},
		{"outside a custom domain's mappings", []string{"-endpoint", outsideMapping, "-token", "t0k3n"},
			[]string{"(HTTP 403", `"Forbidden"`, "outside its API mappings"}, "token lacks"},
		{"outside a custom domain's mappings, no token", []string{"-endpoint", outsideMapping},
			[]string{"(HTTP 403", `"Forbidden"`, "outside its API mappings"}, "authorizer"},
		{"http api authorizer's scope refusal", []string{"-endpoint", scoped.URL() + "/mcp", "-token", "t0k3n"},
			[]string{"(HTTP 403", `"Forbidden"`, "an HTTP API's Lambda authorizer", "a scope this server requires", "outside its API mappings"}, "token is not"},
		{"insufficient scope", []string{"-endpoint", scope, "-token", "t0k3n"},
			[]string{"(HTTP 403", "the token lacks", "https://x.example/.well-known/oauth-protected-resource/mcp"}, "path"},
		{"authorizer deny", []string{"-endpoint", deny, "-token", "t0k3n"},
			[]string{"(HTTP 403", "explicit deny", "the token lacks"}, "path"},
		{"no token, no reason", []string{"-endpoint", bare},
			[]string{"(HTTP 403)", "check the URL's path and stage", "needs a token"}, "token lacks"},
		{"forbidden with a challenge", []string{"-endpoint", revoked, "-token", "t0k3n"},
			[]string{"(HTTP 403", `the token lacks the rights this server requires: "token revoked"`}, "path"},
		{"forbidden with a challenge, no token", []string{"-endpoint", described},
			[]string{"(HTTP 403", "check the URL's path and stage, and whether the server needs a token", "describes its authorization at https://x.example/.well-known/oauth-protected-resource/mcp"}, "mappings"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tc.args, noEnv, &stdout, &stderr)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			for _, want := range tc.want {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr %q lacks %q", stderr.String(), want)
				}
			}
			if strings.Contains(stderr.String(), tc.dontWant) {
				t.Errorf("stderr %q says %q", stderr.String(), tc.dontWant)
			}
		})
	}
}

// TestRunRejectsUsageErrors checks that what the command line cannot mean
// stops the client before it connects, with exit status 2 and a usage line.
func TestRunRejectsUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"stray argument", []string{"https://x.example/mcp"}, `unexpected argument "https://x.example/mcp" (give the endpoint with -endpoint)`},
		{"stray arguments", []string{"-call", "ping", "a", "b"}, `unexpected arguments "a" "b"`},
		// A secret typed in the wrong place is named, not shown.
		{"stray token", []string{"-token", "Bearer", "tok_SECRET_12345"}, `unexpected argument "tok_…"`},
		{"stray endpoint with secrets", []string{"https://u:hunter2hunter2@x.example/mcp?key=SECRETKEY"}, `unexpected argument "https://xxxxx@x.example/mcp?…"`},
		{"log level abbreviated", []string{"-call", "ping", "-log", "warn"}, `-log "warn" is not an MCP log level`},
		{"log level unknown", []string{"-call", "ping", "-log", "bogus"}, `-log "bogus" is not an MCP log level`},
		{"protocol unknown", []string{"-protocol", "foo"}, `-protocol "foo" is not a protocol version`},
		{"protocol unreleased", []string{"-protocol", "2099-01-01"}, `-protocol "2099-01-01" is not a protocol version`},
		{"negative timeout", []string{"-timeout", "-1s"}, `-timeout -1s is negative`},
		{"timeout a nanosecond below 0", []string{"-timeout", "-1ns"}, `-timeout -1ns is negative`},
		{"args without call", []string{"-args", `{"delay_ms":1}`}, `-args is for the tool -call calls`},
		{"log without call", []string{"-log", "debug"}, `-log is for the tool -call calls`},
		{"empty call", []string{"-call", ""}, `-call is empty: name the tool to call`},
		{"empty prompt", []string{"-prompt", ""}, `-prompt is empty: name the prompt to get`},
		{"empty read", []string{"-read", ""}, `-read is empty: give the URI of the resource to read`},
		{"log with prompt", []string{"-prompt", "p", "-log", "debug"}, `-log is for the tool -call calls`},
		{"args with read", []string{"-read", "docs://a", "-args", `{}`}, `-args is for the tool -call calls or the prompt -prompt gets`},
		{"elicit with read", []string{"-read", "docs://a", "-elicit", "decline"}, `-elicit answers the requests of a tool or a prompt`},
		{"call and prompt", []string{"-call", "ping", "-prompt", "p"}, `-call and -prompt exclude each other: give one`},
		{"prompt and read", []string{"-read", "docs://a", "-prompt", "p"}, `-prompt and -read exclude each other: give one`},
		{"call, prompt and read", []string{"-read", "docs://a", "-prompt", "p", "-call", "ping"}, `-call, -prompt and -read exclude each other: give one`},
		{"prompt args a number", []string{"-prompt", "p", "-args", `{"s":"x","n":3}`}, `-args for -prompt must give every argument a string, as prompts take strings only: "n" is 3` + "\n"},
		{"prompt args of every other kind", []string{"-prompt", "p", "-args", `{"e":true,"a":null,"b":{"c":"d"},"f":["x"],"n":1e400}`},
			`prompts take strings only: "a" is null, "b" is {"c":"d"}, "e" is true, "f" is ["x"], "n" is 1e400` + "\n"},
		{"prompt args not an object", []string{"-prompt", "p", "-args", `["x"]`}, `-args must be a JSON object, not ["x"]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			// Nothing listens on port 1: a client that went on would fail
			// with status 1.
			code := run(t.Context(), append([]string{"-endpoint", "http://127.0.0.1:1/mcp"}, tc.args...), noEnv, &stdout, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), tc.want) || !strings.Contains(stderr.String(), "usage: mcp-client") {
				t.Errorf("exit %d, stderr %q; want exit 2, %q and a usage line", code, stderr.String(), tc.want)
			}
		})
	}
}

// TestSecretsStayHidden checks that neither the endpoint's password nor
// the token from MCP_TOKEN is printed: not in failures, not in -h.
func TestSecretsStayHidden(t *testing.T) {
	reference := startReference(t)
	closed := closedAddr(t)
	withPassword := strings.Replace(reference, "http://", "http://alice:s3cret@", 1)
	env := func(k string) string {
		if k == "MCP_TOKEN" {
			return "t0k3n-from-env"
		}
		return ""
	}
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"nothing listening", []string{"-endpoint", "http://alice:s3cret@" + closed + "/mcp"}, 1},
		{"wrong path", []string{"-endpoint", strings.TrimSuffix(withPassword, "/mcp") + "/nope"}, 1},
		{"not http", []string{"-endpoint", "ftp://alice:s3cret@127.0.0.1/mcp"}, 2},
		{"not a URL", []string{"-endpoint", "http://alice:p%zzs3cret@127.0.0.1:1/mcp"}, 2},
		{"not a URL, @ in the password", []string{"-endpoint", "http://alice:p%zz@s3cret@127.0.0.1:1/mcp"}, 2},
		{"not a URL, secret in the query", []string{"-endpoint", "http://127.0.0.1:1/mcp%zz?key=s3cret"}, 2},
		{"help", []string{"-h"}, -1},
		{"prompt, wrong path", []string{"-endpoint", strings.TrimSuffix(withPassword, "/mcp") + "/nope", "-prompt", "p"}, 1},
		{"read, nothing listening", []string{"-endpoint", "http://alice:s3cret@" + closed + "/mcp", "-read", "docs://a"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tc.args, env, &stdout, &stderr)
			if tc.code >= 0 && code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, stderr.String())
			}
			for _, secret := range []string{"s3cret", "t0k3n-from-env"} {
				if strings.Contains(stdout.String()+stderr.String(), secret) {
					t.Errorf("output shows %q:\n%s%s", secret, stdout.String(), stderr.String())
				}
			}
		})
	}
}

// TestExitStatus checks the exit statuses the documentation promises: 0
// for -h, none of -timeout 0's limit, 130 when interrupted, 2 for a flag
// it does not know.
func TestExitStatus(t *testing.T) {
	endpoint := startReference(t)
	t.Run("help", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), []string{"-h"}, noEnv, &stdout, &stderr); code != 0 || !strings.Contains(stderr.String(), "-endpoint") {
			t.Errorf("exit %d, stderr %q; want 0 and the flags", code, stderr.String())
		}
	})
	t.Run("help names the exit statuses", func(t *testing.T) {
		// A script reads -h, not the package documentation, to learn what
		// each status means.
		var stdout, stderr bytes.Buffer
		run(t.Context(), []string{"-h"}, noEnv, &stdout, &stderr)
		// Each status begins a line of its own: "0 " alone is in "130 ".
		for _, want := range []string{"\nExit status:\n", "\n  0 ", "\n  1 ", "isError", "\n  2 ", "\n  129 ", "\n  130 ", "\n  143 "} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("-h lacks %q:\n%s", want, stderr.String())
			}
		}
	})
	t.Run("help's synopsis names standard input", func(t *testing.T) {
		// @- is a value of -args and -elicit as @FILE is: the synopsis,
		// which every usage error repeats, names it beside @FILE.
		var stdout, stderr bytes.Buffer
		run(t.Context(), []string{"-h"}, noEnv, &stdout, &stderr)
		synopsis, _, _ := strings.Cut(stderr.String(), "\n")
		for _, want := range []string{"[-call TOOL [-args JSON|@FILE|@-] ", "-prompt NAME [-args JSON|@FILE|@-] "} {
			if !strings.Contains(synopsis, want) {
				t.Errorf("-h's synopsis lacks %q:\n%s", want, synopsis)
			}
		}
		if n := strings.Count(synopsis, "[-elicit JSON|@FILE|@-|decline|cancel]"); n != 2 {
			t.Errorf("-h's synopsis names -elicit with @- %d times, want 2 (-call's and -prompt's):\n%s", n, synopsis)
		}
	})
	t.Run("unknown flag", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), []string{"-bogus"}, noEnv, &stdout, &stderr); code != 2 {
			t.Errorf("exit %d, stderr %q; want 2", code, stderr.String())
		}
	})
	t.Run("timeout 0 is no limit", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), []string{"-endpoint", endpoint, "-timeout", "0", "-call", "ping", "-args", `{"delay_ms":100}`}, noEnv, &stdout, &stderr)
		if code != 0 || !strings.Contains(stdout.String(), "pong!") {
			t.Errorf("exit %d, stdout %q, stderr %q; want 0 and pong", code, stdout.String(), stderr.String())
		}
	})
	t.Run("interrupted", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var stdout bytes.Buffer
		// As Ctrl-C does, during the call: once -trace says its headers went out.
		stderr := &cancelOnWrite{mark: "> Mcp-Method: tools/call\n", cancel: cancel}
		code := run(ctx, []string{"-endpoint", endpoint, "-trace", "-call", "ping", "-args", `{"delay_ms":1500}`}, noEnv, &stdout, stderr)
		if !stderr.hasFired() {
			t.Fatalf("the call never went out:\n%s", stderr.String())
		}
		// The server's name comes first, on stderr during a -call.
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if code != 130 || lines[len(lines)-1] != "mcp-client: interrupted" {
			t.Errorf("exit %d, stderr %q; want 130 and \"mcp-client: interrupted\" last", code, stderr.String())
		}
	})
}

// cancelOnWrite collects what is written to it, and calls cancel once
// mark has been written.
type cancelOnWrite struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	mark   string
	cancel context.CancelFunc
	fired  bool
}

func (w *cancelOnWrite) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if !w.fired && strings.Contains(w.buf.String(), w.mark) {
		w.fired = true
		w.cancel()
	}
	return n, err
}

func (w *cancelOnWrite) hasFired() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fired
}

func (w *cancelOnWrite) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestTalkToOwnServer runs the default story against servers other than
// the reference one, whose tools, prompts, resources and resource
// templates come a page at a time: every page is listed, ping is called
// when some page has it, and a server without it is no failure but a
// pointer to -call.
func TestTalkToOwnServer(t *testing.T) {
	for _, tc := range []struct {
		tools, prompts, resources, templates []string
		want                                 []string
		notWant                              string
	}{
		{tools: []string{"greet", "ping"}, want: []string{"Tools (2):", "  - greet\n", "  - ping\n", "ping #2: pong"}, notWant: "Prompts"},
		{tools: []string{"greet", "wave"}, want: []string{"Tools (2):", "  - wave\n", "No ping tool to call twice; call one of the tools with -call NAME"}},
		{notWant: "Tools"},
		{tools: []string{"greet"}, prompts: []string{"review", "summarize"},
			want: []string{"Tools (1):", "Prompts (2):\n  - review: the review prompt\n  - summarize: the summarize prompt\n"}, notWant: "Resources"},
		{tools: []string{"greet"}, resources: []string{"readme", "changes"}, prompts: []string{"review"},
			want: []string{"Prompts (1):\n  - review: the review prompt\nResources (2):\n  - docs://changes (changes)\n  - docs://readme (readme)\nNo ping tool"}, notWant: "templates"},
		{tools: []string{"ping"}, resources: []string{"readme"}, templates: []string{"shapes", "notes"},
			want: []string{"Resources (1):\n  - docs://readme (readme)\nResource templates (2):\n  - docs://notes/{id} (notes)\n  - docs://shapes/{id} (shapes)\nping #1"}, notWant: "Prompts"},
		{templates: []string{"shapes"}, want: []string{"Resources (0):\nResource templates (1):\n  - docs://shapes/{id} (shapes)\n"}},
	} {
		t.Run(strings.Join(tc.tools, ",")+"/"+strings.Join(tc.prompts, ",")+"/"+strings.Join(tc.resources, ",")+"/"+strings.Join(tc.templates, ","), func(t *testing.T) {
			server := mcp.NewServer(&mcp.Implementation{Name: "own", Version: "1.0.0"}, &mcp.ServerOptions{PageSize: 1})
			for _, name := range tc.tools {
				mcp.AddTool(server, &mcp.Tool{Name: name}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
					return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "pong"}}}, nil, nil
				})
			}
			for _, name := range tc.prompts {
				server.AddPrompt(&mcp.Prompt{Name: name, Description: "the " + name + " prompt"}, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
					return &mcp.GetPromptResult{}, nil
				})
			}
			for _, name := range tc.resources {
				server.AddResource(&mcp.Resource{URI: "docs://" + name, Name: name}, func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
					return &mcp.ReadResourceResult{}, nil
				})
			}
			for _, name := range tc.templates {
				server.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: "docs://" + name + "/{id}", Name: name}, func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
					return &mcp.ReadResourceResult{}, nil
				})
			}
			endpoint := serveLocally(t, server)
			for _, protocol := range []string{"2026-07-28", "2025-11-25"} {
				t.Run(protocol, func(t *testing.T) {
					var stdout, stderr bytes.Buffer
					if code := run(t.Context(), []string{"-endpoint", endpoint, "-protocol", protocol}, noEnv, &stdout, &stderr); code != 0 {
						t.Fatalf("exit %d, stderr %q", code, stderr.String())
					}
					for _, want := range tc.want {
						if !strings.Contains(stdout.String(), want) {
							t.Errorf("stdout %q lacks %q", stdout.String(), want)
						}
					}
					if tc.notWant != "" && strings.Contains(stdout.String(), tc.notWant) {
						t.Errorf("stdout %q has %q", stdout.String(), tc.notWant)
					}
					if len(tc.tools) == 0 && strings.Contains(stdout.String(), "call one of the tools") {
						t.Errorf("stdout %q points at tools there are none of", stdout.String())
					}
				})
			}
		})
	}
}

// TestEndlessAnswerBounded checks that a server answering without end is
// refused once the answer passes its bound, not buffered until memory or
// the time limit runs out: an event stream at the go-sdk's 16 MiB bound on
// an event, any other answer at maxAnswerBytes.
func TestEndlessAnswerBounded(t *testing.T) {
	for _, tc := range []struct{ name, contentType, prefix, want string }{
		{"event stream", "text/event-stream", "data: ", "exceeded 67108864 bytes"},
		{"json", "application/json", `{"jsonrpc":"2.0","id":1,"result":{"x":"`, "larger than 64 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost {
					w.WriteHeader(http.StatusMethodNotAllowed)
					return
				}
				w.Header().Set("Content-Type", tc.contentType)
				w.Write([]byte(tc.prefix))
				chunk := bytes.Repeat([]byte("x"), 1<<20)
				for range 200 { // far past either bound, then it would wait
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
				<-r.Context().Done()
			}))
			defer srv.Close()
			var stdout, stderr bytes.Buffer
			// The time limit only ends a run the bound failed to end: a
			// loaded machine may take tens of seconds to read 64 MiB.
			code := run(t.Context(), []string{"-endpoint", srv.URL + "/mcp", "-timeout", "5m"}, noEnv, &stdout, &stderr)
			if code != 1 || strings.Contains(stderr.String(), "timed out") || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 1 naming the answer's size (%q)", code, stderr.String(), tc.want)
			}
		})
	}
}

// TestCapabilityHint checks what the client says of a server's -32021:
// -elicit for a form elicitation, and what it offers not otherwise.
func TestCapabilityHint(t *testing.T) {
	for data, want := range map[string]string{
		`{"requiredCapabilities":{"elicitation":{"form":{}}}}`:          " (answer the server's questions with -elicit)",
		`{"requiredCapabilities":{"elicitation":{}}}`:                   " (answer the server's questions with -elicit)",
		`{"requiredCapabilities":{"elicitation":{"url":{}}}}`:           " (this client offers no elicitation (url))",
		`{"requiredCapabilities":{"elicitation":{"form":{},"url":{}}}}`: " (answer the server's questions with -elicit; this client offers no elicitation (url))",
		`{"requiredCapabilities":{"sampling":{"tools":{}}}}`:            " (this client offers no sampling (tools))",
		`{"requiredCapabilities":{"sampling":{},"roots":{}}}`:           " (this client offers no sampling)",
		`{"requiredCapabilities":{"roots":{}}}`:                         "", // declared by default
		`{"requiredCapabilities":{"sampling":true}}`:                    " (this client offers no sampling)",
		`{"requiredCapabilities":{"extensions":{"io.example/x":{}}}}`:   " (this client offers no extensions (io.example/x))",
		`{"requiredCapabilities":{}}`:                                   "",
		`not JSON`:                                                      "",
	} {
		err := fmt.Errorf("calling: %w", &jsonrpc.Error{Code: mcp.CodeMissingRequiredClientCapabilities, Message: "m", Data: json.RawMessage(data)})
		if got := capabilityHint(err, nil); got != want {
			t.Errorf("%s: hint %q, want %q", data, got, want)
		}
	}
	if got := capabilityHint(&jsonrpc.Error{Code: -32602, Message: "m"}, nil); got != "" {
		t.Errorf("another error: hint %q", got)
	}
}

// TestEndpointSecretsHidden checks that a token carried in the endpoint's
// query or as its user name, or a password, is not printed, also where the
// failure's own text quotes the URL, and that an endpoint whose scheme was
// forgotten does not show its password in the usage error.
func TestEndpointSecretsHidden(t *testing.T) {
	closed := closedAddr(t)
	for _, tc := range []struct {
		endpoint string
		code     int
		shown    string
	}{
		{"http://" + closed + "/mcp?key=s3cret", 1, closed + "/mcp"},
		{"http://s3cret@" + closed + "/mcp", 1, closed + "/mcp"},
		{"http://alice:s3cret@" + closed + "/mcp?sig=s3cret", 1, closed + "/mcp"},
		{"alice:s3cret@127.0.0.1:8080/mcp", 2, "xxxxx@127.0.0.1:8080/mcp"},
		{"alice:s3cret@127.0.0.1:8080/mcp?next=https://x", 2, "xxxxx@127.0.0.1:8080/mcp"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), []string{"-endpoint", tc.endpoint}, noEnv, &stdout, &stderr)
		if code != tc.code || strings.Contains(stdout.String()+stderr.String(), "s3cret") || !strings.Contains(stderr.String(), tc.shown) {
			t.Errorf("%s: exit %d, output %q; want %d showing %s without the secrets", tc.endpoint, code, stderr.String(), tc.code, tc.shown)
		}
	}
}

// TestRedacted checks how an endpoint is shown: without its user
// information and query, also when its password holds a delimiter, its
// scheme is mistyped or missing.
func TestRedacted(t *testing.T) {
	for endpoint, want := range map[string]string{
		"http://127.0.0.1:8080/mcp":                        "http://127.0.0.1:8080/mcp",
		"https://alice:s3cret@mcp.example.com/mcp":         "https://xxxxx@mcp.example.com/mcp",
		"https://s3cret@mcp.example.com/mcp":               "https://xxxxx@mcp.example.com/mcp",
		"https://mcp.example.com/mcp?key=s3cret":           "https://mcp.example.com/mcp?…",
		"https://mcp.example.com/mcp#s3cret":               "https://mcp.example.com/mcp?…",
		"http://alice:s3?cret@127.0.0.1:8080/mcp":          "http://xxxxx…",
		"http://user:1#s3cret@host/mcp":                    "http://xxxxx…",
		"http://host?q=s3@cret":                            "http://xxxxx…",
		"http://user:s3/cret@host/mcp":                     "http://xxxxx…",
		" https://alice:s3cret@127.0.0.1:8080/mcp":         " https://xxxxx@127.0.0.1:8080/mcp",
		"1http://alice:s3cret@127.0.0.1:8080/mcp":          "1http://xxxxx@127.0.0.1:8080/mcp",
		"alice:s3cret@127.0.0.1:8080/mcp":                  "xxxxx@127.0.0.1:8080/mcp",
		"127.0.0.1:8080/mcp?token=s3cret":                  "127.0.0.1:8080/mcp?…",
		"alice:s3cret@127.0.0.1:8080/mcp?next=https://x@y": "xxxxx…",
		"alice:s3c://ret@127.0.0.1:8080/mcp":               "xxxxx…",
	} {
		if got := redacted(endpoint); got != want {
			t.Errorf("redacted(%q) = %q, want %q", endpoint, got, want)
		}
	}
}

// FuzzRedacted checks, for endpoints built of parts, that the password and
// the query never show in what the client prints of an endpoint, and that
// printable leaves no control character in it.
func FuzzRedacted(f *testing.F) {
	f.Add("http", "alice", "s3cret", "127.0.0.1:8080", "/mcp", "token=abc")
	f.Add("", "alice", "s3?cr#et", "127.0.0.1:8080", "/mcp", "next=https://x")
	f.Add(" https", "a b", "c%zz/x", "h", "", "q\x1b")
	f.Add("A", "0", "0", "0", "", "@00") // a query with an "@": no password shows through it
	f.Fuzz(func(t *testing.T, scheme, user, pass, host, path, query string) {
		// Parts a reader could not tell apart are left out: user and host
		// free of delimiters, a path that is one.
		if strings.ContainsAny(user, ":/?#@") || strings.ContainsAny(host, "/?#@") || strings.Contains(pass, "@") ||
			strings.ContainsAny(path, "?#@") || path != "" && path[0] != '/' || strings.Contains(scheme, "/") {
			return
		}
		endpoint := user + ":" + pass + "@" + host + path
		if scheme != "" {
			endpoint = scheme + "://" + endpoint
		}
		if query != "" {
			endpoint += "?" + query
		}
		out := redacted(endpoint)
		// What may show: each part a reader sees, and the redacted
		// endpoint whole, where the parts meet (a scheme "00" and its
		// "://" show "00:" with no password of "00:" in sight).
		whole := "xxxxx@" + host + path + "?…"
		if scheme != "" {
			whole = scheme + "://" + whole
		}
		shown := whole + "\x00" + scheme + "\x00" + user + "\x00" + host + "\x00" + path + "\x00://xxxxx@?…"
		// A user name with its colon is user information too.
		for _, secret := range []string{pass, query, user + ":"} {
			if len(secret) >= 3 && !strings.Contains(shown, secret) && strings.Contains(out, secret) {
				t.Errorf("%q shown as %q: %q shows", endpoint, out, secret)
			}
		}
		for _, r := range printable(out) {
			if textcut.Hidden(r) {
				t.Fatalf("printable left %U in %q", r, out)
			}
		}
	})
}

// closedAddr returns a loopback address nothing listens on: one the system
// just handed out and that was closed again. A fixed port such as 1 may be
// taken by another program on the machine.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}
