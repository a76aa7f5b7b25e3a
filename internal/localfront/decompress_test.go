package localfront

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// payloadWatch is fn that keeps the event of each invocation.
type payloadWatch struct {
	Function
	mu     sync.Mutex
	events [][]byte
}

func (w *payloadWatch) Invoke(ctx context.Context, inv *runtimeapi.Invocation) (*runtimeapi.Response, error) {
	w.mu.Lock()
	w.events = append(w.events, inv.Payload)
	w.mu.Unlock()
	return w.Function.Invoke(ctx, inv)
}

func (w *payloadWatch) seen() [][]byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.events
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zlibbed(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func rawDeflated(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRESTDecompressesBody sends coded bodies through the rest front, as
// API Gateway takes them: the function behind lambdamcp gets the decoded
// body with the client's Content-Encoding, and a body the gateway cannot
// decode, or that decodes past its payload limit, is refused before any
// invocation.
func TestRESTDecompressesBody(t *testing.T) {
	const msg = `{"jsonrpc":"2.0","id":1,"method":"ping"}`
	corrupt := gzipped(t, []byte(msg))
	corrupt[len(corrupt)/2] ^= 0xff
	tests := []struct {
		name     string
		coding   string
		body     []byte
		status   int
		refusal  string // the gateway's body, when it refuses
		wantBody string // the body the function gets, when it is invoked
	}{
		{name: "gzip", coding: "gzip", body: gzipped(t, []byte(msg)), status: 200, wantBody: msg},
		{name: "gzip in capitals", coding: "GZIP", body: gzipped(t, []byte(msg)), status: 200, wantBody: msg},
		{name: "deflate is zlib", coding: "deflate", body: zlibbed(t, []byte(msg)), status: 200, wantBody: msg},
		{name: "identity", coding: "identity", body: []byte(msg), status: 200, wantBody: msg},
		{name: "gzip then deflate", coding: "gzip, deflate", body: zlibbed(t, gzipped(t, []byte(msg))), status: 200, wantBody: msg},
		{name: "unknown coding", coding: "br", body: []byte(msg), status: 415, refusal: `{"message":"Unsupported Media Type"}`},
		{name: "x-gzip is not listed", coding: "x-gzip", body: gzipped(t, []byte(msg)), status: 415, refusal: `{"message":"Unsupported Media Type"}`},
		{name: "plain body labelled gzip", coding: "gzip", body: []byte(msg), status: 415, refusal: `{"message":"Unsupported Media Type"}`},
		{name: "corrupt gzip", coding: "gzip", body: corrupt, status: 415, refusal: `{"message":"Unsupported Media Type"}`},
		{name: "truncated gzip", coding: "gzip", body: gzipped(t, []byte(msg))[:20], status: 415, refusal: `{"message":"Unsupported Media Type"}`},
		{name: "raw deflate", coding: "deflate", body: rawDeflated(t, []byte(msg)), status: 415, refusal: `{"message":"Unsupported Media Type"}`},
		{name: "bomb past the limit", coding: "gzip", body: gzipped(t, make([]byte, maxRequestBody+1)), status: 413, refusal: `{"message":"Request Too Long"}`},
	}
	for _, stream := range []bool{false, true} {
		for _, tc := range tests {
			name := tc.name
			if stream {
				name += "/stream"
			}
			t.Run(name, func(t *testing.T) {
				fn := &payloadWatch{Function: NewInProcessHTTP(describingHandler(), nil)}
				f := startFront(t, Config{Shape: ShapeREST, Stream: stream, Function: fn})
				resp, body := do(t, sent{method: http.MethodPost, url: f.URL() + "/mcp", body: string(tc.body), contentType: "application/json",
					header: http.Header{"Content-Encoding": {tc.coding}}})
				if resp.StatusCode != tc.status {
					t.Fatalf("status %d %.200s, want %d", resp.StatusCode, body, tc.status)
				}
				invoked := fn.seen()
				if tc.refusal != "" {
					if got := strings.TrimSpace(string(body)); got != tc.refusal || resp.Header.Get("Content-Type") != "application/json" {
						t.Errorf("refusal %s (%s), want %s JSON", got, resp.Header.Get("Content-Type"), tc.refusal)
					}
					if len(invoked) != 0 {
						t.Errorf("the function was invoked %d times, want none", len(invoked))
					}
					return
				}
				if len(invoked) != 1 {
					t.Fatalf("the function was invoked %d times, want once", len(invoked))
				}
				var ev events.APIGatewayProxyRequest
				if err := json.Unmarshal(invoked[0], &ev); err != nil {
					t.Fatal(err)
				}
				got := struct {
					Body            string
					IsBase64Encoded bool
					Coding          []string
				}{ev.Body, ev.IsBase64Encoded, ev.MultiValueHeaders["Content-Encoding"]}
				want := got
				want.Body, want.IsBase64Encoded, want.Coding = tc.wantBody, false, []string{tc.coding}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("event (-want +got):\n%s", diff)
				}
				if stream {
					return // the handler answers buffered: its whole payload is the body
				}
				var seen seenRequest
				if err := json.Unmarshal(body, &seen); err != nil || seen.Body != tc.wantBody {
					t.Errorf("the handler saw body %q (%v), want %q", seen.Body, err, tc.wantBody)
				}
			})
		}
	}
}

// TestOtherShapesPassCodedBody checks that the fronts that decompress
// nothing hand the function the coded bytes as they came.
func TestOtherShapesPassCodedBody(t *testing.T) {
	coded := gzipped(t, []byte(`{}`))
	for _, shape := range []Shape{ShapeHTTP, ShapeURL, ShapeALB} {
		t.Run(string(shape), func(t *testing.T) {
			s := sent{method: http.MethodPost, body: string(coded), contentType: "application/json", header: http.Header{"Content-Encoding": {"gzip"}}}
			ev := echoed[struct {
				Body            string `json:"body"`
				IsBase64Encoded bool   `json:"isBase64Encoded"`
			}](t, Config{Shape: shape}, "/mcp", s)
			if ev.Body != base64.StdEncoding.EncodeToString(coded) || !ev.IsBase64Encoded {
				t.Errorf("body = %q (base64 %v), want base64 of the gzip bytes", ev.Body, ev.IsBase64Encoded)
			}
		})
	}
}

// TestDecodeBodyLimit checks the bound on the decoded size: a body that
// decodes to the limit is taken, one a byte more is refused as too large.
func TestDecodeBodyLimit(t *testing.T) {
	const limit = 1000
	tests := []struct {
		name   string
		size   int
		status int // 0: decoded
	}{
		{name: "at the limit", size: limit},
		{name: "a byte past it", size: limit + 1, status: http.StatusRequestEntityTooLarge},
		{name: "far past it", size: 100 * limit, status: http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, refused := decodeBody(gzipped(t, make([]byte, tc.size)), []string{"gzip"}, limit)
			status := 0
			if refused != nil {
				status = refused.status
			}
			if status != tc.status || (status == 0 && len(got) != tc.size) {
				t.Errorf("decoded %d bytes, refusal %d; want %d bytes, refusal %d", len(got), status, tc.size, tc.status)
			}
		})
	}
}

// TestDecodeBodyBombMemory checks that a bomb is refused having decoded
// no more than the limit: a body of a few kilobytes that would inflate to
// 32 MB must not make the front hold 32 MB.
func TestDecodeBodyBombMemory(t *testing.T) {
	const limit, inflated = 1 << 10, 32 << 20
	bomb := gzipped(t, make([]byte, inflated))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, refused := decodeBody(bomb, []string{"gzip"}, limit)
	runtime.ReadMemStats(&after)
	if refused == nil || refused.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("refusal %+v, want 413", refused)
	}
	// The decoder's own buffers are some tens of kilobytes.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > inflated/8 {
		t.Errorf("decoding allocated %d bytes, want well under the %d the bomb inflates to", alloc, inflated)
	}
}

// FuzzDecodeBody checks that no body or coding makes decodeBody panic,
// return more than the limit, or refuse with other than 413 or 415; and
// that what it decodes from gzip is what was coded. The limit is small, so
// the fuzzer need not build megabyte inputs to reach it.
func FuzzDecodeBody(f *testing.F) {
	const limit = 64
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		return buf.Bytes()
	}
	f.Add(gz([]byte(`{"a":1}`)), "gzip")
	f.Add(gz(make([]byte, limit+1)), "gzip")
	f.Add(gz(gz([]byte("x"))), "gzip, gzip")
	f.Add([]byte("plain"), "identity")
	f.Add([]byte("plain"), "deflate")
	f.Add([]byte{}, "br")
	f.Fuzz(func(t *testing.T, body []byte, coding string) {
		got, refused := decodeBody(body, []string{coding}, limit)
		if refused != nil {
			if s := refused.status; s != http.StatusUnsupportedMediaType && s != http.StatusRequestEntityTooLarge {
				t.Fatalf("refused with %d", s)
			}
			return
		}
		if len(got) > limit && !bytes.Equal(got, body) { // a body passed as it came is bounded as it is read
			t.Fatalf("decoded %d bytes past the limit %d", len(got), limit)
		}
		if coding == "gzip" && len(body) > 0 {
			if again, refused := decodeBody(gz(got), []string{"gzip"}, limit); refused != nil || !bytes.Equal(again, got) {
				t.Fatalf("re-coding %q decodes to %q (%v)", got, again, refused)
			}
		}
	})
}
