package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp/examples/everything"
	"github.com/lambdamcp/lambdamcp/examples/resources"
	"github.com/lambdamcp/lambdamcp/serve"
)

// methodErrorServer serves a go-sdk server with the resource docs://readme,
// answering requests for method with the JSON-RPC error code and message
// instead.
func methodErrorServer(t *testing.T, method string, code int, message string) string {
	t.Helper()
	return answeringServer(t, method, fmt.Sprintf(`"error":{"code":%d,"message":%q}`, code, message))
}

// answeringServer serves a go-sdk server with the resource docs://readme,
// answering requests for method with answer, the member of a JSON-RPC
// response after its id ("result":… or "error":…), instead.
func answeringServer(t *testing.T, method, answer string) string {
	t.Helper()
	server := mcp.NewServer(&mcp.Implementation{Name: "own", Version: "1.0.0"}, nil)
	server.AddResource(&mcp.Resource{URI: "docs://readme", Name: "readme"}, func(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: req.Params.URI, Text: "read me"}}}, nil
	})
	h := serve.Routes(serve.Handler(server, nil))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var msg struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		if json.Unmarshal(body, &msg) != nil || msg.Method != method {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,%s}`, msg.ID, answer)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/mcp"
}

// TestListResourcesFailures checks what the default story makes of a
// server that fails to list its resources: a failure of the run, named
// by its step, except a server that does not know resources/templates/list,
// which the resources capability covers, but which a server without
// templates may leave out. The server declares no tools: it is not asked
// for them, and its refusal of tools/list is never met.
func TestListResourcesFailures(t *testing.T) {
	for _, tc := range []struct {
		name, method string
		code         int
		message      string
		exit         int
		out, errOut  string
	}{
		{"templates unknown", "resources/templates/list", -32601, "Method not found", 0, "Resources (1):\n  - docs://readme (readme)\n", ""},
		{"templates fail", "resources/templates/list", -32603, "boom", 1, "Resources (1):", "listing resource templates: server error -32603: boom"},
		{"resources fail", "resources/list", -32603, "boom", 1, "", "listing resources: server error -32603: boom"},
		// The server declares no tools, so it may refuse tools/list as
		// the spec has it refuse a method of a capability it lacks.
		{"tools unknown", "tools/list", -32601, "Method not found", 0, "Resources (1):\n  - docs://readme (readme)\n", ""},
	} {
		endpoint := methodErrorServer(t, tc.method, tc.code, tc.message)
		for _, protocol := range []string{"2026-07-28", "2025-11-25"} {
			t.Run(tc.name+"/"+protocol, func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				code := run(t.Context(), []string{"-endpoint", endpoint, "-protocol", protocol}, noEnv, &stdout, &stderr)
				if code != tc.exit || !strings.Contains(stdout.String(), tc.out) || !strings.Contains(stderr.String(), tc.errOut) {
					t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, %q and %q", code, stdout.String(), stderr.String(), tc.exit, tc.out, tc.errOut)
				}
				if strings.Contains(stdout.String(), "Resource templates") {
					t.Errorf("stdout %q lists templates the server has none of", stdout.String())
				}
				if strings.Contains(stdout.String(), "Tools") {
					t.Errorf("stdout %q lists tools the server declares none of", stdout.String())
				}
			})
		}
	}
}

// ownResourceServer serves a go-sdk server whose resource docs://many has
// contents of every kind: text, a blob, an empty text, a text whose URI
// and media type would forge a line, and a blob with a text beside it,
// which no valid contents have.
func ownResourceServer(t *testing.T) string {
	t.Helper()
	server := mcp.NewServer(&mcp.Implementation{Name: "own", Version: "1.0.0"}, nil)
	server.AddResource(&mcp.Resource{URI: "docs://many", Name: "many"}, func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{
			{URI: "docs://many/a", MIMEType: "text/plain", Text: "one\ttwo\n"},
			{URI: "docs://many/b", MIMEType: "application/octet-stream", Blob: []byte("\x1b[2J\x00binary")},
			{URI: "docs://many/c"},
			{URI: "docs://many/d\nok", MIMEType: "text/\x1b[31mplain", Text: "\x1b[31mred"},
			{URI: "docs://many/e", MIMEType: "image/png", Blob: []byte{1, 2}, Text: "a blob's text"},
		}}, nil
	})
	return serveLocally(t, server)
}

// blobSize is the size of the blob the everything server holds at uri,
// read in memory: the PNG it encodes at start-up, whose size is the
// image/png encoder's, and so the toolchain's.
func blobSize(t *testing.T, uri string) int {
	t.Helper()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := everything.New(nil).Connect(t.Context(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).Connect(t.Context(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	res, err := cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: uri})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Contents) != 1 || len(res.Contents[0].Blob) == 0 {
		t.Fatalf("reading %s: %+v, want one blob", uri, res.Contents)
	}
	return len(res.Contents[0].Blob)
}

// TestReadResource reads resources with -read in both eras: standard
// output has each content's URI and media type on a line, then its text as
// -call shows a result's text, or a blob's size instead of its bytes; a
// failure names the step and exits 1.
func TestReadResource(t *testing.T) {
	docs := httptest.NewServer(resources.Handler(resources.New()))
	t.Cleanup(docs.Close)
	all := httptest.NewServer(everything.Handler(everything.New(nil), nil))
	t.Cleanup(all.Close)
	own := ownResourceServer(t)
	tests := []struct {
		name     string
		endpoint string
		uri      string
		code     int
		out      string // standard output, whole
		errOut   string // in standard error
		// legacyErrOut, if set, replaces errOut for 2025-11-25, whose
		// codes differ.
		legacyErrOut string
	}{
		{"text", docs.URL, "docs://readme", 0,
			"[resource docs://readme, text/markdown]\n# lambdamcp resources\n\nRead docs://shapes/{shape} for rest, http, url or alb.\n\n",
			"Connected to lambdamcp-resources 1.0.0", ""},
		{"from a template", docs.URL, "docs://shapes/url", 0,
			"[resource docs://shapes/url, text/plain]\nLambda Function URL: payload 2.0; streams with invoke mode RESPONSE_STREAM.\n", "", ""},
		{"not found", docs.URL, "docs://shapes/ftp", 1, "", "reading docs://shapes/ftp: server error -32602: Resource not found",
			"reading docs://shapes/ftp: server error -32002: Resource not found"},
		{"blob", all.URL, "test://static-binary", 0, fmt.Sprintf("[resource test://static-binary, image/png, %d bytes]\n", blobSize(t, "test://static-binary")), "", ""},
		{"every kind", own, "docs://many", 0,
			"[resource docs://many/a, text/plain]\none\ttwo\n\n" +
				"[resource docs://many/b, application/octet-stream, 11 bytes]\n" +
				"[resource docs://many/c]\n" +
				`[resource docs://many/d\nok, text/\x1b[31mplain]` + "\n\x1b[31mred\n" +
				"[resource docs://many/e, image/png, 2 bytes]\n", "", ""},
	}
	for _, tc := range tests {
		for _, protocol := range []string{"2026-07-28", "2025-11-25"} {
			t.Run(tc.name+"/"+protocol, func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				code := run(t.Context(), []string{"-endpoint", tc.endpoint, "-protocol", protocol, "-read", tc.uri}, noEnv, &stdout, &stderr)
				errOut := tc.errOut
				if protocol == "2025-11-25" && tc.legacyErrOut != "" {
					errOut = tc.legacyErrOut
				}
				if code != tc.code || !strings.Contains(stderr.String(), errOut) {
					t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr.String(), tc.code, errOut)
				}
				if diff := cmp.Diff(tc.out, stdout.String()); diff != "" {
					t.Errorf("stdout (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestNullsInResults checks that a null where a prompt's message or a
// resource's contents belong is passed over, not the end of the run.
func TestNullsInResults(t *testing.T) {
	for _, tc := range []struct {
		name, method, answer string
		args                 []string
		out                  string
	}{
		{"prompt message", "prompts/get", `"result":{"messages":[null,{"role":"user","content":{"type":"text","text":"hi"}}]}`,
			[]string{"-prompt", "p"}, "user: hi\n"},
		{"resource contents", "resources/read", `"result":{"contents":[null,{"uri":"docs://a","text":"hi"}]}`,
			[]string{"-read", "docs://a"}, "[resource docs://a]\nhi\n"},
	} {
		endpoint := answeringServer(t, tc.method, tc.answer)
		for _, protocol := range []string{"2026-07-28", "2025-11-25"} {
			t.Run(tc.name+"/"+protocol, func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				code := run(t.Context(), append([]string{"-endpoint", endpoint, "-protocol", protocol}, tc.args...), noEnv, &stdout, &stderr)
				if code != 0 || stdout.String() != tc.out {
					t.Errorf("exit %d, stdout %q, stderr %q; want exit 0 and %q", code, stdout.String(), stderr.String(), tc.out)
				}
			})
		}
	}
}
