package lambdamcp_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp"
)

// headerFieldCases are header fields net/http refuses in a request it
// reads, and some it takes, each sent as one extra header of a POST.
var headerFieldCases = []struct {
	name, field, value string
	wantMessage        string // "" for a request that is served
	onWire             bool   // the field can be written on a connection as it is
}{
	{"nul", "X-Test", "a\x00b", "request has a header value with a control character", true},
	{"soh", "X-Test", "a\x01b", "request has a header value with a control character", true},
	{"vt", "X-Test", "a\x0bb", "request has a header value with a control character", true},
	{"us", "X-Test", "a\x1fb", "request has a header value with a control character", true},
	{"del", "X-Test", "a\x7fb", "request has a header value with a control character", true},
	{"crlf", "X-Test", "a\r\nX-Injected: 1", "request has a header value with a control character", false},
	{"lf", "X-Test", "a\nb", "request has a header value with a control character", false},
	{"control in Accept", "Accept", "application/json\x00", "request has a header value with a control character", true},
	{"space in name", "X Test", "v", "request has a header name that is no token", true},
	{"colon in name", "X-Test:", "v", "request has a header name that is no token", false},
	{"parenthesis in name", "X-(Test)", "v", "request has a header name that is no token", true},
	{"non-ASCII name", "X-Tést", "v", "request has a header name that is no token", true},
	{"tab in value", "X-Test", "a\tb", "", true},
	{"obs-text in value", "X-Test", "caf\xc3\xa9", "", true},
	{"symbols in name", "X-!#$%&'*+.^_`|~", "v", "", true},
}

// TestHeaderFields checks that a header field net/http refuses in a
// request it reads is refused on Lambda too, before the handler runs, with
// a JSON-RPC error, in every event shape; and that the local server gives
// the same status.
func TestHeaderFields(t *testing.T) {
	for _, tc := range headerFieldCases {
		wantStatus := http.StatusBadRequest
		if tc.wantMessage == "" {
			wantStatus = http.StatusOK
		}
		check := func(t *testing.T, status int, body []byte, called bool) {
			t.Helper()
			if tc.wantMessage == "" {
				if status != wantStatus || !called {
					t.Errorf("answer = %d %s (handler called: %v), want it served", status, body, called)
				}
				return
			}
			var a rpcAnswer
			if err := json.Unmarshal(body, &a); err != nil || a.Error == nil {
				t.Fatalf("answer = %d %s, want a JSON-RPC error", status, body)
			}
			got := fmt.Sprint(status, " ", a.Error.Code, " ", a.Error.Message, " ", called)
			want := fmt.Sprint(wantStatus, " ", -32600, " ", tc.wantMessage, " ", false)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("status, code, message, handler called (-want +got):\n%s", diff)
			}
		}
		req := jsonPost(`{}`, tc.field, tc.value)
		for _, shape := range shapes {
			t.Run(shape.name+"/"+tc.name, func(t *testing.T) {
				var called bool
				resp := invoke(t, lambdamcp.NewHandler(okHandler(&called), nil), shape.build(t, req))
				check(t, resp.StatusCode, resp.body(t), called)
			})
		}
		for _, shape := range streamShapes {
			t.Run(shape.name+"-stream/"+tc.name, func(t *testing.T) {
				var called bool
				opts := &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}}
				s, head := openStream(t, streamCtx(t, time.Minute), lambdamcp.NewHandler(okHandler(&called), opts), shape.build(t, req))
				body, _ := io.ReadAll(s.r)
				check(t, head.StatusCode, body, called)
			})
		}
		if tc.onWire {
			t.Run("local/"+tc.name, func(t *testing.T) {
				var called bool
				if got := localStatus(t, okHandler(&called), "Content-Length: 2", tc.field+": "+tc.value); got != wantStatus {
					t.Errorf("local status = %d, want %d", got, wantStatus)
				}
			})
		}
	}
}

// okHandler answers an empty JSON object and notes that it ran.
func okHandler(called *bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		*called = true
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	})
}

// localStatus is the status net/http answers a POST carrying the given
// header lines, written on the connection byte for byte.
func localStatus(t *testing.T, h http.Handler, lines ...string) int {
	t.Helper()
	srv := httptest.NewServer(lambdamcp.Guard(h, nil))
	t.Cleanup(srv.Close)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := "POST /mcp HTTP/1.1\r\nHost: " + srv.Listener.Addr().String() + "\r\nContent-Type: application/json\r\nConnection: close\r\n"
	for _, l := range lines {
		req += l + "\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n{}"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
