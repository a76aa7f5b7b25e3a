package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/serve"
)

// emptyFor serves the reference server, except that it answers a call of
// method (every call, for "") with status 200, the media type and no body:
// chunked, when so, else of length 0.
func emptyFor(t *testing.T, method, mediaType string, chunked bool) string {
	t.Helper()
	reference := serve.Routes(serve.Handler(demoserver.New(demoserver.Options{}), nil))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if method != "" && !strings.Contains(string(body), `"method":"`+method+`"`) {
			r.Body = io.NopCloser(bytes.NewReader(body))
			reference.ServeHTTP(w, r)
			return
		}
		if mediaType != "" {
			w.Header().Set("Content-Type", mediaType)
		}
		w.WriteHeader(http.StatusOK)
		if chunked {
			w.(http.Flusher).Flush() // the headers go before the length is known
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/mcp"
}

// TestEmptyAnswerExplained checks that a call answered 200 without a body
// is explained as that, naming the call, whatever the media type and
// whether the body's length was given; and that a notification's 202
// without a body (notifications/initialized, before tools/list) is not
// taken for one.
func TestEmptyAnswerExplained(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no media type", []string{"-endpoint", emptyFor(t, "", "", false)},
			`answered HTTP 200 with an empty body to "server/discover", a request that needs an answer: there is no MCP server at that URL, or a proxy on the way dropped the body`},
		{"JSON", []string{"-endpoint", emptyFor(t, "", "application/json", false)},
			`answered HTTP 200 with an empty body to "server/discover"`},
		{"JSON, chunked", []string{"-endpoint", emptyFor(t, "", "application/json", true)},
			`answered HTTP 200 with an empty body to "server/discover"`},
		{"a later call, after a notification", []string{"-protocol", "2025-11-25", "-endpoint", emptyFor(t, "tools/list", "application/json", false)},
			`answered HTTP 200 with an empty body to "tools/list"`},
		{"a call to a tool", []string{"-endpoint", emptyFor(t, "tools/call", "", false), "-call", "ping"},
			`answered HTTP 200 with an empty body to "tools/call"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), tc.args, noEnv, &stdout, &stderr); code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tc.want)
			}
			for _, dontWant := range []string{"EOF", "client is closing", "content type"} {
				if strings.Contains(stderr.String(), dontWant) {
					t.Errorf("stderr %q says %q", stderr.String(), dontWant)
				}
			}
		})
	}
}

// TestCallMethod checks which messages are calls, whose answer must have
// a body: requests with an id, wherever the id and method stand, and not
// notifications, responses or what is no message; and the id of each.
func TestCallMethod(t *testing.T) {
	for _, tc := range []struct{ name, body, wantMethod, wantID string }{
		{"request", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, "tools/list", "1"},
		{"string id, params first", `{"params":{"a":[1,{"id":2}]},"method":"tools/call","id":"x"}`, "tools/call", `"x"`},
		{"notification", `{"jsonrpc":"2.0","method":"notifications/initialized"}`, "", ""},
		{"null id", `{"jsonrpc":"2.0","id":null,"method":"ping"}`, "", ""},
		{"response", `{"jsonrpc":"2.0","id":1,"result":{}}`, "", ""},
		{"not JSON", `method=ping&id=1`, "", ""},
		{"array", `[{"jsonrpc":"2.0","id":1,"method":"ping"}]`, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader(tc.body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(tc.body)), nil }
			if method, id := callMethod(r); method != tc.wantMethod || id != tc.wantID {
				t.Errorf("callMethod(%s) = %q, %q, want %q, %q", tc.body, method, id, tc.wantMethod, tc.wantID)
			}
		})
	}
}

// TestEmptyWatch holds the edge of an empty body: none of its bytes read
// before its end. A single byte makes a body, whether its end comes with
// that byte or in a read of its own; an empty body is told once, however
// often its end is read.
func TestEmptyWatch(t *testing.T) {
	for _, tc := range []struct {
		name      string
		body      io.Reader
		wantEmpty int // calls of onEmpty
	}{
		{"no byte", strings.NewReader(""), 1},
		{"one byte, then the end", strings.NewReader("x"), 0},
		{"one byte with the end", iotest.DataErrReader(strings.NewReader("x")), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			empty := 0
			b := &emptyWatch{ReadCloser: io.NopCloser(tc.body), onEmpty: func() { empty++ }}
			if _, err := io.ReadAll(b); err != nil {
				t.Fatal(err)
			}
			b.Read(make([]byte, 1)) // the end, read again
			if empty != tc.wantEmpty {
				t.Errorf("onEmpty called %d times, want %d", empty, tc.wantEmpty)
			}
		})
	}
}
