package lambdamcp_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp"
)

// helloHandler answers every request with a short text body, its type
// and length set.
var helloHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Probe", "1")
	io.WriteString(w, "hello")
})

// TestHeadHasNoBody checks that a HEAD request is answered with the status
// and headers of a GET and no body, as net/http answers it (RFC 9110
// §9.3.2), through every buffered shape.
func TestHeadHasNoBody(t *testing.T) {
	h := lambdamcp.NewHandler(helloHandler, nil)
	for _, shape := range shapes {
		t.Run(shape.name, func(t *testing.T) {
			get := invoke(t, h, shape.build(t, httpRequest{method: "GET", path: "/mcp", header: map[string]string{}}))
			head := invoke(t, h, shape.build(t, httpRequest{method: "HEAD", path: "/mcp", header: map[string]string{}}))
			if get.StatusCode != http.StatusOK || string(get.body(t)) != "hello" {
				t.Fatalf("GET = %d %q, want 200 hello", get.StatusCode, get.body(t))
			}
			if head.StatusCode != get.StatusCode || head.Body != "" || head.IsBase64Encoded {
				t.Errorf("HEAD = %d %q (base64 %v), want %d and no body", head.StatusCode, head.Body, head.IsBase64Encoded, get.StatusCode)
			}
			for _, name := range []string{"Content-Type", "X-Probe"} {
				if head.header(name) != get.header(name) {
					t.Errorf("HEAD %s = %q, want GET's %q", name, head.header(name), get.header(name))
				}
			}
		})
	}
}

// TestStreamedHeadHasNoBody checks the same of streamed invocations.
func TestStreamedHeadHasNoBody(t *testing.T) {
	h := lambdamcp.NewHandler(helloHandler, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}})
	for _, shape := range streamShapes {
		t.Run(shape.name, func(t *testing.T) {
			s, head := openStream(t, streamCtx(t, 10*time.Second), h, shape.build(t, httpRequest{method: "HEAD", path: "/mcp", header: map[string]string{}}))
			body, err := io.ReadAll(s.r)
			if err != nil || head.StatusCode != http.StatusOK || len(body) != 0 {
				t.Errorf("HEAD = %d %q (%v), want 200 and no body", head.StatusCode, body, err)
			}
			if head.header("Content-Type") != "text/plain; charset=utf-8" || head.header("X-Probe") != "1" {
				t.Errorf("HEAD headers = %v, want the handler's", head)
			}
		})
	}
}
