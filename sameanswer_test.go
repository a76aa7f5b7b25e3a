package lambdamcp_test

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp"
)

// clientView is what a client reads of a response: its status, the values of
// some of its headers (joined, as a single-value map holds them) and its
// body.
type clientView struct {
	Status int
	Header map[string]string
	Body   string
}

// checkSameAnswer checks that h answers req alike on every Lambda shape,
// buffered and streamed, and on a local net/http server behind Guard, in
// the headers named (and in its status and body).
func checkSameAnswer(t *testing.T, h http.Handler, req httpRequest, names ...string) {
	t.Helper()
	want := localAnswer(t, h, req, names)
	for _, shape := range shapes {
		resp := invoke(t, lambdamcp.NewHandler(h, nil), shape.build(t, req))
		got := clientView{Status: resp.StatusCode, Header: make(map[string]string), Body: string(resp.body(t))}
		for _, name := range names {
			if vs := resp.values(name); vs != nil {
				got.Header[name] = strings.Join(vs, ", ")
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: answer differs from the local server's (-local +lambda):\n%s", shape.name, diff)
		}
	}
	for _, shape := range streamShapes {
		opts := &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}}
		s, head := openStream(t, streamCtx(t, time.Minute), lambdamcp.NewHandler(h, opts), shape.build(t, req))
		body, err := io.ReadAll(s.r)
		if err != nil {
			t.Fatalf("%s-stream: reading body: %v", shape.name, err)
		}
		got := clientView{Status: head.StatusCode, Header: make(map[string]string), Body: string(body)}
		r := lambdaResponse{Headers: head.Headers, MultiValueHeaders: head.MultiValueHeaders}
		for _, name := range names {
			if vs := r.values(name); vs != nil {
				got.Header[name] = strings.Join(vs, ", ")
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s-stream: answer differs from the local server's (-local +lambda):\n%s", shape.name, diff)
		}
	}
}

// localAnswer is h's answer to req on a net/http server behind Guard, as
// a client reads it off the wire.
func localAnswer(t *testing.T, h http.Handler, req httpRequest, names []string) clientView {
	t.Helper()
	resp, body := serveLocal(t, context.Background(), h, req)
	a := clientView{Status: resp.StatusCode, Header: make(map[string]string), Body: body}
	for _, name := range names {
		if vs := resp.Header.Values(name); vs != nil {
			a.Header[name] = strings.Join(vs, ", ")
		}
	}
	return a
}

// TestJSONErrorSpelledType checks that an error a handler answers in JSON
// passes through untouched whatever the spelling of its Content-Type, as
// one set under the canonical name does: a client reads the type either
// way, and the body is the handler's. (Locally net/http adds a type of
// its own guess after the handler's, which no client reads first.)
func TestJSONErrorSpelledType(t *testing.T) {
	tests := []struct {
		name string
		set  func(http.Header)
		typ  string
	}{
		{"lower case", func(h http.Header) { h["content-type"] = []string{"application/json"} }, "application/json"},
		{"upper case", func(h http.Header) { h["CONTENT-TYPE"] = []string{"application/problem+json"} }, "application/problem+json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tc.set(w.Header())
				w.WriteHeader(http.StatusNotFound)
				io.WriteString(w, `{"error":"no such thing"}`)
			})
			checkSameAnswer(t, h, jsonPost(`{}`))
			resp := invoke(t, lambdamcp.NewHandler(h, nil), urlEvent(t, jsonPost(`{}`)))
			if got, want := resp.Body, `{"error":"no such thing"}`; got != want {
				t.Errorf("body = %s, want the handler's %s", got, want)
			}
			if got := resp.values("Content-Type"); !slices.Equal(got, []string{tc.typ}) {
				t.Errorf("Content-Type = %q, want the handler's %q", got, tc.typ)
			}
		})
	}
}

// TestJSONErrorReplacesSpelledType checks that a plain-text error whose
// type the handler set under another spelling is answered with one type,
// the JSON-RPC error's: the handler's would otherwise follow it, joined
// to it where a shape holds one value per name.
func TestJSONErrorReplacesSpelledType(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["content-type"] = []string{"text/plain; charset=utf-8"}
		w.Header()["content-length"] = []string{"4"}
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "gone")
	})
	checkSameAnswer(t, h, jsonPost(`{}`), "Content-Type")
	resp := invoke(t, lambdamcp.NewHandler(h, nil), urlEvent(t, jsonPost(`{}`)))
	if got, want := resp.values("Content-Type"), []string{"application/json"}; !slices.Equal(got, want) {
		t.Errorf("Content-Type = %q, want %q", got, want)
	}
}

// TestAccelBufferingKept checks that an event stream's X-Accel-Buffering
// is the handler's where it set one, under any spelling, and "no" where it
// did not, however its Content-Type spells the media type, on every shape
// as on the local server.
func TestAccelBufferingKept(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		set         func(http.Header)
		want        string
	}{
		{"unset", "text/event-stream", func(http.Header) {}, "no"},
		{"unset, the type in capitals", "Text/Event-Stream; charset=utf-8", func(http.Header) {}, "no"},
		{"canonical", "text/event-stream", func(h http.Header) { h.Set("X-Accel-Buffering", "yes") }, "yes"},
		{"lower case", "text/event-stream", func(h http.Header) { h["x-accel-buffering"] = []string{"yes"} }, "yes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				tc.set(w.Header())
				io.WriteString(w, "event: message\ndata: {}\n\n")
			})
			checkSameAnswer(t, h, jsonPost(`{}`), "Content-Type", "X-Accel-Buffering")
			if got := localAnswer(t, h, jsonPost(`{}`), []string{"X-Accel-Buffering"}).Header["X-Accel-Buffering"]; got != tc.want {
				t.Errorf("X-Accel-Buffering = %q, want %q", got, tc.want)
			}
		})
	}
}
