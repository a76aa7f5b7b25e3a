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

// onEveryShape sends req in every event shape, buffered and streamed, each
// to a handler of its own from serve, and checks the answer with the check
// serve gave beside it.
func onEveryShape(t *testing.T, name string, req httpRequest, serve func() (http.Handler, func(t *testing.T, status int, body []byte))) {
	t.Helper()
	for _, shape := range shapes {
		t.Run(shape.name+"/"+name, func(t *testing.T) {
			h, check := serve()
			resp := invoke(t, lambdamcp.NewHandler(h, nil), shape.build(t, req))
			check(t, resp.StatusCode, resp.body(t))
		})
	}
	for _, shape := range streamShapes {
		t.Run(shape.name+"-stream/"+name, func(t *testing.T) {
			h, check := serve()
			opts := &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}}
			s, head := openStream(t, streamCtx(t, time.Minute), lambdamcp.NewHandler(h, opts), shape.build(t, req))
			body, _ := io.ReadAll(s.r)
			check(t, head.StatusCode, body)
		})
	}
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
		onEveryShape(t, tc.name, req, func() (http.Handler, func(*testing.T, int, []byte)) {
			var called bool
			return okHandler(&called), func(t *testing.T, status int, body []byte) { check(t, status, body, called) }
		})
		if tc.onWire {
			t.Run("local/"+tc.name, func(t *testing.T) {
				var called bool
				if got := localStatus(t, okHandler(&called), "{}", "Content-Length: 2", tc.field+": "+tc.value); got != wantStatus {
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
// header lines and body, written on the connection byte for byte.
func localStatus(t *testing.T, h http.Handler, body string, lines ...string) int {
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
	if _, err := io.WriteString(conn, req+"\r\n"+body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// framing is what a handler sees of a request body's framing.
type framing struct {
	Status           int
	ContentLength    []string // the header
	TransferEncoding []string // the header
	Length           int64    // r.ContentLength
	Body             string
}

// TestBodyFraming checks that the Content-Length and Transfer-Encoding a
// handler sees on Lambda are what net/http leaves of them for the body the
// handler reads: no Transfer-Encoding (the gateway read the chunks), no
// Content-Length beside one, a Content-Length that is the body's length
// (the event's may count the body before API Gateway decompressed it, or
// its base64); that a handler behind Guard sees the same locally (a
// chunked body's length is the length Guard read); and that a framing
// net/http refuses is refused, in JSON, with the local server's status.
func TestBodyFraming(t *testing.T) {
	served := func(cl ...string) framing {
		return framing{Status: 200, ContentLength: cl, Length: 2, Body: "{}"}
	}
	for _, tc := range []struct {
		name        string
		header      []string // name, value, …
		base64      bool
		want        framing
		wantMessage string
		// local is the request as a client would write it to the local
		// server, whose status and framing must be want's (Guard answers
		// as the function does); nil where the event's framing is the
		// gateway's, not the client's.
		local []string
	}{
		{name: "length of the body", header: []string{"Content-Length", "2"}, want: served("2"),
			local: []string{"{}", "Content-Length: 2"}},
		{name: "length of the body before API Gateway decompressed it", header: []string{"Content-Length", "31"}, want: served("2")},
		{name: "length of the base64", header: []string{"Content-Length", "4"}, base64: true, want: served("2")},
		{name: "one length joined twice", header: []string{"Content-Length", "2, 2"}, want: served("2")},
		{name: "no length", want: served()},
		{name: "chunked", header: []string{"Transfer-Encoding", "chunked", "Content-Length", "9"}, want: served(),
			local: []string{"2\r\n{}\r\n0\r\n\r\n", "Transfer-Encoding: chunked", "Content-Length: 9"}},
		{name: "chunked in capitals", header: []string{"Transfer-Encoding", "Chunked"}, want: served(),
			local: []string{"2\r\n{}\r\n0\r\n\r\n", "Transfer-Encoding: Chunked"}},
		{name: "gzip", header: []string{"Transfer-Encoding", "gzip"}, want: framing{Status: 501},
			wantMessage: "request has a Transfer-Encoding other than chunked", local: []string{"{}", "Transfer-Encoding: gzip"}},
		{name: "gzip then chunked", header: []string{"Transfer-Encoding", "gzip, chunked"}, want: framing{Status: 501},
			wantMessage: "request has a Transfer-Encoding other than chunked", local: []string{"{}", "Transfer-Encoding: gzip, chunked"}},
		{name: "length that is no number", header: []string{"Content-Length", "two"}, want: framing{Status: 400},
			wantMessage: "request has an invalid Content-Length", local: []string{"{}", "Content-Length: two"}},
		{name: "negative length", header: []string{"Content-Length", "-2"}, want: framing{Status: 400},
			wantMessage: "request has an invalid Content-Length", local: []string{"{}", "Content-Length: -2"}},
		{name: "two lengths", header: []string{"Content-Length", "2, 3"}, want: framing{Status: 400},
			wantMessage: "request has an invalid Content-Length", local: []string{"{}", "Content-Length: 2", "Content-Length: 3"}},
	} {
		req := jsonPost(`{}`, tc.header...)
		req.base64 = tc.base64
		check := func(t *testing.T, status int, body []byte, got framing) {
			t.Helper()
			got.Status = status
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("framing (-want +got):\n%s", diff)
			}
			if tc.wantMessage == "" {
				return
			}
			var a rpcAnswer
			if err := json.Unmarshal(body, &a); err != nil || a.Error == nil || a.Error.Code != -32600 || a.Error.Message != tc.wantMessage {
				t.Errorf("answer = %s, want -32600 %q", body, tc.wantMessage)
			}
		}
		onEveryShape(t, tc.name, req, func() (http.Handler, func(*testing.T, int, []byte)) {
			var got framing
			return framingHandler(func(f framing) { got = f }), func(t *testing.T, status int, body []byte) { check(t, status, body, got) }
		})
		if tc.local != nil {
			t.Run("local/"+tc.name, func(t *testing.T) {
				// The handler's framing comes over a channel: the server runs
				// it on a goroutine of its own.
				seen := make(chan framing, 1)
				status := localStatus(t, framingHandler(func(f framing) { seen <- f }), tc.local[0], tc.local[1:]...)
				var got framing
				select {
				case got = <-seen: // sent before the handler answered
				default: // refused before the handler ran
				}
				got.Status = status
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("local framing (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// framingHandler passes note the body's framing as the handler sees it,
// and then answers an empty JSON object.
func framingHandler(note func(framing)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		note(framing{ContentLength: r.Header["Content-Length"], TransferEncoding: r.Header["Transfer-Encoding"],
			Length: r.ContentLength, Body: string(body)})
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	})
}

// TestRepeatedFramingHeaders checks a framing header given twice, as a
// REST API's and a multi-value target group's events carry it apart (the
// other shapes join the values with a comma, as TestBodyFraming sends
// them): a second Transfer-Encoding is refused, as net/http refuses it even
// when both say chunked, and a repeated Content-Length is taken only when
// the values agree, and then given once; each with the local server's
// status.
func TestRepeatedFramingHeaders(t *testing.T) {
	for _, tc := range []struct {
		name        string
		field       string
		values      []string
		want        framing
		wantMessage string
		local       []string // the body and header lines a client would write
	}{
		{name: "chunked twice", field: "Transfer-Encoding", values: []string{"chunked", "chunked"}, want: framing{Status: 501},
			wantMessage: "request has a Transfer-Encoding other than chunked",
			local:       []string{"2\r\n{}\r\n0\r\n\r\n", "Transfer-Encoding: chunked", "Transfer-Encoding: chunked"}},
		{name: "chunked after gzip", field: "Transfer-Encoding", values: []string{"gzip", "chunked"}, want: framing{Status: 501},
			wantMessage: "request has a Transfer-Encoding other than chunked",
			local:       []string{"2\r\n{}\r\n0\r\n\r\n", "Transfer-Encoding: gzip", "Transfer-Encoding: chunked"}},
		{name: "one length twice", field: "Content-Length", values: []string{"2", "2"},
			want:  framing{Status: 200, ContentLength: []string{"2"}, Length: 2, Body: "{}"},
			local: []string{"{}", "Content-Length: 2", "Content-Length: 2"}},
		{name: "two lengths", field: "Content-Length", values: []string{"2", "3"}, want: framing{Status: 400},
			wantMessage: "request has an invalid Content-Length",
			local:       []string{"{}", "Content-Length: 2", "Content-Length: 3"}},
	} {
		for _, shape := range []eventShape{{"rest", restEvent}, {"alb-multi", albMultiEvent}} {
			t.Run(shape.name+"/"+tc.name, func(t *testing.T) {
				var ev map[string]any
				if err := json.Unmarshal(shape.build(t, jsonPost(`{}`, tc.field, tc.values[0])), &ev); err != nil {
					t.Fatal(err)
				}
				ev["multiValueHeaders"].(map[string]any)[tc.field] = tc.values
				var got framing
				resp := invoke(t, lambdamcp.NewHandler(framingHandler(func(f framing) { got = f }), nil), mustJSON(t, ev))
				got.Status = resp.StatusCode
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("framing (-want +got):\n%s", diff)
				}
				if tc.wantMessage == "" {
					return
				}
				var a rpcAnswer
				if body := resp.body(t); json.Unmarshal(body, &a) != nil || a.Error == nil || a.Error.Code != -32600 || a.Error.Message != tc.wantMessage {
					t.Errorf("answer = %s, want -32600 %q", body, tc.wantMessage)
				}
			})
		}
		t.Run("local/"+tc.name, func(t *testing.T) {
			if status := localStatus(t, framingHandler(func(framing) {}), tc.local[0], tc.local[1:]...); status != tc.want.Status {
				t.Errorf("local status = %d, want %d", status, tc.want.Status)
			}
		})
	}
}
