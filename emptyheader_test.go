package lambdamcp_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp"
)

// TestHeaderWithoutValues checks that a response header the handler left
// without a value (nil, net/http's way to suppress Date; or an empty
// list) is left out of every shape's response, buffered and streamed, as
// net/http sends no line for it, rather than carried as a null or an
// empty list where AWS's response formats have a list of strings; and so
// is a Trailer announcing trailers that no Lambda response can carry.
func TestHeaderWithoutValues(t *testing.T) {
	tests := []struct {
		name   string
		set    func(http.Header)
		absent string // the header no response may carry
	}{
		{"nil", func(h http.Header) { h["X-None"] = nil }, "X-None"},
		{"empty", func(h http.Header) { h["X-None"] = []string{} }, "X-None"},
		// No Lambda response carries trailers: announced, none would follow.
		{"trailer", func(h http.Header) { h.Set("Trailer", "X-Sum") }, "Trailer"},
	}
	for _, tc := range tests {
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tc.set(w.Header())
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{}`)
		})
		check := func(t *testing.T, headers map[string]string, multi map[string][]string) {
			t.Helper()
			if v, ok := headers[tc.absent]; ok {
				t.Errorf("headers carry %s: %q", tc.absent, v)
			}
			if v, ok := multi[tc.absent]; ok {
				t.Errorf("multiValueHeaders carry %s: %q", tc.absent, v)
			}
		}
		for _, shape := range shapes {
			t.Run(tc.name+"/"+shape.name, func(t *testing.T) {
				resp := invoke(t, lambdamcp.NewHandler(handler, nil), shape.build(t, jsonPost(`{}`)))
				check(t, resp.Headers, resp.MultiValueHeaders)
			})
		}
		for _, shape := range streamShapes {
			t.Run(tc.name+"/"+shape.name+"-stream", func(t *testing.T) {
				opts := &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}}
				s, head := openStream(t, streamCtx(t, time.Minute), lambdamcp.NewHandler(handler, opts), shape.build(t, jsonPost(`{}`)))
				io.Copy(io.Discard, s.r)
				check(t, head.Headers, head.MultiValueHeaders)
			})
		}
	}
}
