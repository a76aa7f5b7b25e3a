package lambdamcp_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/auth"
)

// The browser origin the servers here allow, and the CORS headers an
// answer to it carries, as auth.Middleware gives them.
const corsOrigin = "https://app.example"

var corsAllowed = corsHeaders{Origin: corsOrigin, Vary: "Origin", Expose: "WWW-Authenticate, Mcp-Session-Id, MCP-Protocol-Version, Retry-After"}

// corsHeaders are an answer's CORS headers, each header's values joined
// with ", ": a header given twice shows.
type corsHeaders struct {
	Origin, Vary, Expose, Credentials string
}

func corsOf(get func(name string) []string) corsHeaders {
	join := func(name string) string { return strings.Join(get(name), ", ") }
	return corsHeaders{
		Origin:      join("Access-Control-Allow-Origin"),
		Vary:        join("Vary"),
		Expose:      join("Access-Control-Expose-Headers"),
		Credentials: join("Access-Control-Allow-Credentials"),
	}
}

// corsCase is an answer the guard writes itself (or, answered, one it
// passes on), behind auth's Origin check as serve wires it.
type corsCase struct {
	name         string
	req          httpRequest
	handler      http.HandlerFunc // behind auth.OriginProtection
	before       bool             // handler answers before auth's Origin check, as serve.Routes does a path it has no route for
	status       int              // with an allowed Origin or none
	within       time.Duration    // the request's deadline; 0: far
	bufferedOnly bool             // only Lambda's buffered shapes limit the response
	notREST      bool             // a REST API decodes Content-Encoding itself
}

const corsMaxBody, corsMaxResponse = 256, 1024

var corsCases = []corsCase{
	{name: "too large", req: call("echo", `{"pad":"`+strings.Repeat("x", corsMaxBody)+`"}`), handler: answerOK, status: 413},
	{name: "malformed", req: jsonPost(`{"jsonrpc":"2.0","id":7,"method":"ping"} {}`), handler: answerOK, status: 400},
	{name: "content-encoded", req: withHeader(call("echo", `{}`), "Content-Encoding", "gzip"), handler: answerOK, status: 415, notREST: true},
	{name: "not acceptable", req: withHeader(call("echo", `{}`), "Accept", "text/html"), handler: answerOK, status: 406},
	{name: "deadline", req: call("echo", `{}`), handler: func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, status: 200, within: 2500 * time.Millisecond},
	{name: "batch deadline", req: jsonPost(`[{"jsonrpc":"2.0","id":7,"method":"ping"}]`), handler: func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, status: 200, within: 2500 * time.Millisecond},
	{name: "panic", req: call("echo", `{}`), handler: func(http.ResponseWriter, *http.Request) { panic("boom") }, status: 500},
	{name: "answer too large", req: call("echo", `{}`), handler: func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"jsonrpc":"2.0","id":7,"result":{"pad":"` + strings.Repeat("x", corsMaxResponse) + `"}}`))
	}, status: 200, bufferedOnly: true},
	// The plain-text 404 serve.Routes answers a path it has no route
	// for, before auth's Origin check, rewritten as JSON by the guard.
	{name: "no route", req: call("echo", `{}`), handler: http.NotFound, before: true, status: 404},
	// Passed on: the handler's own headers, not doubled.
	{name: "answered", req: call("echo", `{}`), handler: answerOK, status: 200},
}

func answerOK(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"jsonrpc":"2.0","id":7,"result":{}}`))
}

// corsOrigins are the Origins each case is sent with, and what each gets:
// a foreign one the guard refuses first; none is no browser's.
var corsOrigins = []struct {
	name, origin string
	status       int // 0: the case's
	want         corsHeaders
}{
	{"allowed", corsOrigin, 0, corsAllowed},
	{"foreign", "https://evil.example", 403, corsHeaders{}},
	{"none", "", 0, corsHeaders{}},
}

// corsOptions are the handler behind auth's Origin check and the guard's
// options with the same rule, as package serve wires them. The deadline
// margin is such that a case's short deadline is near half a second after
// the request begins: the guard has checked the Origin by then.
func corsOptions(tc corsCase, streamed bool) (http.Handler, *lambdamcp.Options) {
	mo := &auth.MiddlewareOptions{AllowedOrigins: []string{corsOrigin}}
	opts := &lambdamcp.Options{
		JSONResponse:   true,
		CheckOrigin:    auth.AllowedOrigin(mo),
		DeadlineMargin: 4 * time.Second,
		Limits:         lambdamcp.Limits{MaxBodyBytes: corsMaxBody, MaxResponseBytes: corsMaxResponse},
	}
	if streamed {
		opts.Stream = []lambdamcp.Shape{lambdamcp.ShapeURL}
	}
	if tc.before {
		return tc.handler, opts
	}
	return auth.OriginProtection(mo)(tc.handler), opts
}

// TestGuardAnswersCORS checks that a browser page on an allowed origin can
// read every answer the guard writes itself, locally, in each Lambda event
// shape and on a stream: each carries the CORS headers auth.Middleware
// gives the handler's answers, once; a foreign Origin's 403 and an answer
// to a request without Origin carry none.
func TestGuardAnswersCORS(t *testing.T) {
	for _, tc := range corsCases {
		for _, o := range corsOrigins {
			req := withHeader(tc.req, "Origin", o.origin)
			want := tc.status
			if o.status != 0 {
				want = o.status
			}
			t.Run(tc.name+"/"+o.name+"/local", func(t *testing.T) {
				if tc.bufferedOnly {
					t.Skip("no response limit on plain HTTP")
				}
				h, opts := corsOptions(tc, false)
				ctx, cancel := context.WithTimeout(t.Context(), corsWithin(tc))
				defer cancel()
				r := httptest.NewRequestWithContext(ctx, req.method, "http://127.0.0.1:8080"+req.path, strings.NewReader(req.body))
				for k, v := range req.header {
					r.Header.Set(k, v)
				}
				w := httptest.NewRecorder()
				lambdamcp.Guard(h, opts).ServeHTTP(w, r)
				checkCORS(t, w.Code, want, corsOf(w.Result().Header.Values), o.want)
			})
			for _, shape := range shapes {
				t.Run(tc.name+"/"+o.name+"/"+shape.name, func(t *testing.T) {
					if tc.notREST && shape.name == "rest" {
						t.Skip("a REST API decodes the body itself")
					}
					h, opts := corsOptions(tc, false)
					out, err := lambdamcp.NewHandler(h, opts).Invoke(invokeCtxWithin(t, corsWithin(tc)), shape.build(t, req))
					if err != nil {
						t.Fatal(err)
					}
					var resp lambdaResponse
					if err := json.Unmarshal(out, &resp); err != nil {
						t.Fatal(err)
					}
					checkCORS(t, resp.StatusCode, want, corsOf(resp.values), o.want)
				})
			}
			t.Run(tc.name+"/"+o.name+"/stream", func(t *testing.T) {
				if tc.bufferedOnly {
					t.Skip("a stream has no response limit")
				}
				h, opts := corsOptions(tc, true)
				sreq := req
				if tc.name != "not acceptable" {
					sreq = withHeader(req, "Accept", "application/json, text/event-stream")
				}
				s, head := openStream(t, streamCtx(t, corsWithin(tc)), lambdamcp.NewHandler(h, opts), urlEvent(t, sreq))
				io.Copy(io.Discard, s.r) // the stream ends once its body is read
				resp := lambdaResponse{Headers: head.Headers, MultiValueHeaders: head.MultiValueHeaders}
				checkCORS(t, head.StatusCode, want, corsOf(resp.values), o.want)
			})
		}
	}
}

// corsWithin is how far the case's request's deadline is.
func corsWithin(tc corsCase) time.Duration {
	if tc.within != 0 {
		return tc.within
	}
	return time.Minute
}

func checkCORS(t *testing.T, status, wantStatus int, got, want corsHeaders) {
	t.Helper()
	if status != wantStatus {
		t.Errorf("status %d, want %d", status, wantStatus)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CORS headers (-want +got):\n%s", diff)
	}
}
