package lambdamcp_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp"
)

// TestHeaderSpellings checks that a header the handler set under several
// spellings of its name (filling the map itself, as for Set-Cookie) goes
// out as one header, as net/http sends it: a line for each value, the
// spellings in sorted order (X-TAG, X-Tag, x-tag), which a client reads
// as one header with the values in that order. Every shape carries them
// under one name, a single-value map joined with commas, rather than
// keys whose merging AWS does not document; and the body's encoding and
// a stream's event-stream handling read the type whatever its spelling.
func TestHeaderSpellings(t *testing.T) {
	tests := []struct {
		name   string
		set    func(http.Header)
		body   string
		header string   // the header's canonical name
		values []string // its values, in net/http's order
		base64 bool     // a buffered body's encoding
		sse    bool     // a stream is an event stream
	}{
		{"three spellings", func(h http.Header) {
			h["x-tag"] = []string{"b"}
			h["X-Tag"] = []string{"a"}
			h["X-TAG"] = []string{"c"}
			h.Set("Content-Type", "application/json")
		}, `{}`, "X-Tag", []string{"c", "a", "b"}, false, false},
		{"content type in lower case", func(h http.Header) {
			h["content-type"] = []string{"application/octet-stream"}
		}, "abc", "Content-Type", []string{"application/octet-stream"}, true, false},
		{"content type twice", func(h http.Header) {
			h.Set("Content-Type", "application/octet-stream")
			h["content-type"] = []string{"application/json"}
		}, "abc", "Content-Type", []string{"application/octet-stream", "application/json"}, true, false},
		{"event stream in lower case", func(h http.Header) {
			h["content-type"] = []string{"text/event-stream"}
		}, "event: message\ndata: {}\n\n", "Content-Type", []string{"text/event-stream"}, false, true},
	}
	for _, tc := range tests {
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tc.set(w.Header())
			io.WriteString(w, tc.body)
		})
		for _, shape := range shapes {
			t.Run(tc.name+"/"+shape.name, func(t *testing.T) {
				resp := invoke(t, lambdamcp.NewHandler(handler, nil), shape.build(t, jsonPost(`{}`)))
				checkSpellings(t, resp.Headers, resp.MultiValueHeaders, tc.header, tc.values)
				if resp.IsBase64Encoded != tc.base64 {
					t.Errorf("isBase64Encoded = %v, want %v", resp.IsBase64Encoded, tc.base64)
				}
				if got := string(resp.body(t)); got != tc.body {
					t.Errorf("body = %q, want %q", got, tc.body)
				}
			})
		}
		for _, shape := range streamShapes {
			t.Run(tc.name+"/"+shape.name+"-stream", func(t *testing.T) {
				opts := &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}}
				s, head := openStream(t, streamCtx(t, time.Minute), lambdamcp.NewHandler(handler, opts), shape.build(t, jsonPost(`{}`)))
				io.Copy(io.Discard, s.r)
				checkSpellings(t, head.Headers, head.MultiValueHeaders, tc.header, tc.values)
				// An event stream asks proxies not to buffer it.
				if got := head.header("X-Accel-Buffering") == "no"; got != tc.sse {
					t.Errorf("X-Accel-Buffering: no is %v, want %v", got, tc.sse)
				}
			})
		}
	}
}

// checkSpellings checks that a response carries the header name under one
// spelling, the canonical one, with the values given (in a single-value
// map, joined as HTTP joins them).
func checkSpellings(t *testing.T, headers map[string]string, multi map[string][]string, name string, values []string) {
	t.Helper()
	got := make(map[string][]string)
	for k, v := range headers {
		if http.CanonicalHeaderKey(k) == name {
			got[k] = []string{v}
		}
	}
	for k, vs := range multi {
		if http.CanonicalHeaderKey(k) == name {
			got[k] = vs
		}
	}
	want := map[string][]string{name: values}
	if multi == nil {
		want[name] = []string{strings.Join(values, ", ")}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}
