package lambdamcp_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp"
)

// TestSniffedContentType checks that an answer whose handler set no
// Content-Type gets the one net/http's server guesses from its first
// bytes (http.DetectContentType) on every shape, buffered and streamed,
// as on the local server, and none where net/http gives none: an empty
// body, a type set even without a value, a status without a body, a
// Content-Encoding or Transfer-Encoding, a flush before the first byte.
// A body guessed to be binary is base64-encoded, as one typed so is.
func TestSniffedContentType(t *testing.T) {
	tests := []struct {
		name   string
		serve  func(w http.ResponseWriter)
		want   string // the type on the local server
		base64 bool   // a buffered body is base64-encoded
	}{
		{"html", func(w http.ResponseWriter) { io.WriteString(w, "<html><body>hello</body></html>") }, "text/html; charset=utf-8", false},
		{"text", func(w http.ResponseWriter) { io.WriteString(w, "ok") }, "text/plain; charset=utf-8", false},
		{"json guessed as text", func(w http.ResponseWriter) { io.WriteString(w, `{"ok":true}`) }, "text/plain; charset=utf-8", false},
		{"binary", func(w http.ResponseWriter) { w.Write([]byte{0, 1, 2, 0xff}) }, "application/octet-stream", true},
		{"png", func(w http.ResponseWriter) { io.WriteString(w, "\x89PNG\x0D\x0A\x1A\x0A rest") }, "image/png", true},
		{"status first", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusAccepted)
			io.WriteString(w, "<html>")
		}, "text/html; charset=utf-8", false},
		{"written in parts", func(w http.ResponseWriter) {
			io.WriteString(w, "<ht")
			io.WriteString(w, "ml>")
		}, "text/html; charset=utf-8", false},
		{"longer than what is read", func(w http.ResponseWriter) {
			io.WriteString(w, "<html>"+strings.Repeat("a", 300))
			io.WriteString(w, strings.Repeat("b", 300))
			io.WriteString(w, strings.Repeat("c", 3000))
		}, "text/html; charset=utf-8", false},
		{"flushed after a part", func(w http.ResponseWriter) {
			io.WriteString(w, "hi")
			w.(http.Flusher).Flush()
			io.WriteString(w, "\x00")
		}, "text/plain; charset=utf-8", false},
		{"flushed first", func(w http.ResponseWriter) {
			w.(http.Flusher).Flush()
			io.WriteString(w, "<html>")
		}, "", false},
		{"empty body", func(w http.ResponseWriter) {}, "", false},
		{"no content", func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }, "", false},
		{"type without a value", func(w http.ResponseWriter) {
			w.Header()["Content-Type"] = nil
			io.WriteString(w, "<html>")
		}, "", false},
		{"content encoding", func(w http.ResponseWriter) {
			w.Header().Set("Content-Encoding", "identity")
			io.WriteString(w, "<html>")
		}, "", false},
		{"transfer encoding", func(w http.ResponseWriter) {
			w.Header().Set("Transfer-Encoding", "chunked")
			io.WriteString(w, "<html>")
		}, "", false},
		{"typed", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, "<html>")
		}, "application/json", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tc.serve(w) })
			local := localAnswer(t, h, jsonPost(`{}`), []string{"Content-Type"})
			if got := local.Header["Content-Type"]; got != tc.want {
				t.Fatalf("local Content-Type = %q, want %q", got, tc.want)
			}
			checkSameAnswer(t, h, jsonPost(`{}`), "Content-Type")
			for _, shape := range shapes {
				resp := invoke(t, lambdamcp.NewHandler(h, nil), shape.build(t, jsonPost(`{}`)))
				if resp.IsBase64Encoded != tc.base64 {
					t.Errorf("%s: isBase64Encoded = %v, want %v", shape.name, resp.IsBase64Encoded, tc.base64)
				}
			}
		})
	}
}

// TestStreamHeldPartAtDeadline checks that the start of an untyped
// streamed answer, held for its type to be guessed from, goes out when the
// invocation's deadline ends the stream, as it had unheld.
func TestStreamHeldPartAtDeadline(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "partial")
		<-r.Context().Done()
	})
	// The deadline's answer is due 250 ms into a 10 s invocation.
	hd := lambdamcp.NewHandler(h, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, Heartbeat: -1,
		DeadlineMargin: 19*time.Second + 500*time.Millisecond})
	s, head := openStream(t, streamCtx(t, 10*time.Second), hd, urlEvent(t, call("echo", `{}`)))
	b, _ := io.ReadAll(s.r)
	if string(b) != "partial" || head.header("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("answer %q typed %q, want the part written, typed as guessed from it", b, head.header("Content-Type"))
	}
}

// TestStreamHeldPartFlows checks that an untyped streamed answer is held
// only for the bytes its type is guessed from (http.DetectContentType
// reads 512): once it has them, the head and the body go out as they are
// written, before the handler ends.
func TestStreamHeldPartFlows(t *testing.T) {
	for _, size := range []int{512, 600} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			release := make(chan struct{})
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, strings.Repeat("a", size))
				<-release
				io.WriteString(w, "end")
			})
			hd := lambdamcp.NewHandler(h, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}})
			ctx := streamCtx(t, time.Minute)
			payload := urlEvent(t, call("echo", `{}`))
			type opened struct {
				s    *streamReader
				head prelude
			}
			got := make(chan opened, 1)
			go func() {
				s, head := openStream(t, ctx, hd, payload)
				got <- opened{s, head}
			}()
			var o opened
			select {
			case o = <-got:
			case <-time.After(10 * time.Second):
				close(release)
				t.Fatalf("no head 10 s after %d bytes were written: the answer is held past what its type is guessed from", size)
			}
			if ct := o.head.header("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type = %q, want the guess from the first bytes", ct)
			}
			first := make([]byte, size)
			_, err := io.ReadFull(o.s.r, first)
			close(release) // only now may the handler end
			if err != nil {
				t.Fatalf("reading the first %d bytes: %v", size, err)
			}
			if rest, err := io.ReadAll(o.s.r); err != nil || string(rest) != "end" {
				t.Errorf("rest of the body %q, %v; want %q", rest, err, "end")
			}
		})
	}
}
