package lambdamcp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/serve"
)

// benchCases are the protocol cases the benchmarks time: the requests a
// client makes most, in both protocol eras.
var benchCases = []string{
	"initialize-2025-11-25",
	"tools-list-2025-11-25",
	"tools-call-ping-2025-11-25",
	"server-discover-2026-07-28",
	"tools-list-2026-07-28",
	"tools-call-ping-2026-07-28",
}

// benchShapes are the event shapes the benchmarks go through: one per
// shape lambdamcp detects.
var benchShapes = []string{"rest", "http", "url", "alb"}

// BenchmarkInvoke times Handler.Invoke, event JSON in to response JSON out,
// with the reference server: the whole in-process path of a warm Lambda
// invocation. Besides ns/op, B/op and allocs/op it reports the median and
// 99th percentile of the single invocations (p50-ns, p99-ns).
func BenchmarkInvoke(b *testing.B) {
	h := newDemoHandler()
	for _, shape := range shapes {
		if !slices.Contains(benchShapes, shape.name) {
			continue
		}
		for _, name := range benchCases {
			tc := protocolCase(b, name)
			payload := shape.build(b, tc.req)
			b.Run(shape.name+"/"+name, func(b *testing.B) {
				benchInvoke(b, h, payload, tc.status)
			})
		}
	}
}

// BenchmarkSDKBare times the go-sdk's stateless handler alone, as an HTTP
// server would call it, with the same server and requests: the share of
// BenchmarkInvoke that lambdamcp does not control.
func BenchmarkSDKBare(b *testing.B) {
	server := demoserver.New(demoserver.Options{})
	sdk := serve.Handler(server, nil)
	for _, name := range benchCases {
		tc := protocolCase(b, name)
		b.Run(name, func(b *testing.B) {
			newReq := func() *http.Request {
				r := httptest.NewRequestWithContext(b.Context(), tc.req.method, tc.req.path, strings.NewReader(tc.req.body))
				for k, v := range tc.req.header {
					r.Header.Set(k, v)
				}
				return r
			}
			w := httptest.NewRecorder()
			sdk.ServeHTTP(w, newReq())
			if w.Code != tc.status {
				b.Fatalf("status = %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			// One request serves every call, its body rewound before
			// each: building a request is an HTTP server's work (5.8 KB and
			// 17 allocations with httptest), not the SDK's.
			body := strings.NewReader(tc.req.body)
			r := newReq()
			rc := io.NopCloser(body)
			lat := make([]time.Duration, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				body.Reset(tc.req.body)
				r.Body = rc // the SDK wraps it in a MaxBytesReader
				start := time.Now()
				sdk.ServeHTTP(discardWriter{}, r)
				lat[i] = time.Since(start)
			}
			b.StopTimer()
			reportPercentiles(b, lat)
		})
	}
}

// BenchmarkLocalHTTP serves the reference server as cmd/mcp-server does
// locally (serve.Run: the guard, the Origin check, a JSON log line per
// request, here discarded) on 127.0.0.1, to 8 concurrent clients per CPU:
// the path whose profile shows what the SDK's garbage costs under
// concurrency. The client runs in the same process, so the allocations
// reported are the client's and the server's together.
func BenchmarkLocalHTTP(b *testing.B) {
	server := demoserver.New(demoserver.Options{})
	ctx, cancel := context.WithCancel(b.Context())
	logs := &listeningURL{found: make(chan string, 1)}
	done := make(chan error, 1)
	go func() {
		done <- serve.Run(ctx, serve.Handler(server, nil), &serve.Options{Addr: "127.0.0.1:0", Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}()
	var endpoint string
	select {
	case endpoint = <-logs.found:
	case err := <-done:
		b.Fatalf("serve.Run: %v", err)
	}
	tc := protocolCase(b, "tools-call-ping-2025-11-25")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer client.CloseIdleConnections()
	call := func() error {
		r, err := http.NewRequestWithContext(b.Context(), tc.req.method, endpoint, strings.NewReader(tc.req.body))
		if err != nil {
			return err
		}
		for k, v := range tc.req.header {
			r.Header.Set(k, v)
		}
		resp, err := client.Do(r)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != tc.status {
			return fmt.Errorf("status %d, want %d", resp.StatusCode, tc.status)
		}
		return nil
	}
	if err := call(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := call(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// listeningURL takes serve.Run's JSON log lines and passes on the URL of
// its "listening" line; the request lines it discards.
type listeningURL struct {
	done  atomic.Bool // the URL is found: the rest is discarded unread
	found chan string
}

func (l *listeningURL) Write(p []byte) (int, error) {
	if l.done.Load() {
		return len(p), nil
	}
	var line struct{ Msg, URL string }
	if json.Unmarshal(p, &line) == nil && line.Msg == "listening" && l.done.CompareAndSwap(false, true) {
		l.found <- line.URL
	}
	return len(p), nil
}

// discardWriter is the cheapest http.ResponseWriter: what the SDK costs is
// measured, not a recorder's copies.
type discardWriter struct{}

func (discardWriter) Header() http.Header         { return http.Header{} }
func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (discardWriter) WriteHeader(int)             {}

// protocolCase is the protocol test's case of that name.
func protocolCase(tb testing.TB, name string) protocolTest {
	tb.Helper()
	for _, tc := range protocolCases {
		if tc.name == name {
			return tc
		}
	}
	tb.Fatalf("no protocol case %q", name)
	panic("unreachable")
}

// checkInvoke fails the benchmark unless the payload is answered with the
// status the protocol test expects and, for a 200, with a JSON-RPC result:
// a benchmark of errors measures nothing, and the guard answers a request
// whose time ran out with 200 and an error.
func checkInvoke(b *testing.B, h *lambdamcp.Handler, ctx context.Context, payload []byte, status int) {
	b.Helper()
	out, err := h.Invoke(ctx, payload)
	if err != nil {
		b.Fatal(err)
	}
	var resp lambdaResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		b.Fatal(err)
	}
	if resp.StatusCode != status {
		b.Fatalf("status = %d, want %d: %s", resp.StatusCode, status, resp.Body)
	}
	if status == http.StatusOK {
		var msg struct {
			Result json.RawMessage `json:"result"`
		}
		if err := json.Unmarshal([]byte(resp.Body), &msg); err != nil || msg.Result == nil {
			b.Fatalf("answer has no result: %s", resp.Body)
		}
	}
}

// reportPercentiles reports the median and 99th percentile of the single
// calls, by the nearest-rank method (rank ⌈q·n⌉): over b.N calls the
// median cmd/lambdamcp-bench takes for an even count, the mean of the two
// middle timings, differs from it by less than their gap.
func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	rank := func(q float64) time.Duration {
		return lat[max(0, min(int(math.Ceil(q*float64(len(lat))))-1, len(lat)-1))]
	}
	b.ReportMetric(float64(rank(0.50).Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(rank(0.99).Nanoseconds()), "p99-ns")
}

// BenchmarkInvokeOverhead times Handler.Invoke around a handler that only
// answers a fixed JSON body: lambdamcp's own share of an invocation (event
// decode, request and response conversion, response encode).
func BenchmarkInvokeOverhead(b *testing.B) {
	fixed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"jsonrpc":"2.0","id":2,"result":{"tools":[]}}`))
	})
	h := lambdamcp.NewHandler(fixed, nil)
	tc := protocolCase(b, "tools-list-2026-07-28")
	for _, shape := range shapes {
		if !slices.Contains(benchShapes, shape.name) {
			continue
		}
		payload := shape.build(b, tc.req)
		b.Run(shape.name, func(b *testing.B) {
			benchInvoke(b, h, payload, http.StatusOK)
		})
	}
}

// benchInvoke checks that h answers payload with status, then times b.N
// invocations of it and reports their median and 99th percentile besides
// the usual figures.
//
// Every invocation shares one context whose deadline is Lambda's longest
// (15 minutes), so that a long run (-benchtime, a profile) does not reach
// the guard's deadline and time errors; the last answer is checked too.
func benchInvoke(b *testing.B, h *lambdamcp.Handler, payload []byte, status int) {
	ctx := invokeCtxWithin(b, 15*time.Minute)
	checkInvoke(b, h, ctx, payload, status)
	lat := make([]time.Duration, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if _, err := h.Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
		lat[i] = time.Since(start)
	}
	b.StopTimer()
	checkInvoke(b, h, ctx, payload, status)
	reportPercentiles(b, lat)
}

// BenchmarkHandlerStack times a warm tools/list through Handler.Invoke with
// the handler's goroutine grown to 32 KiB at its start ("grown", as
// lambdamcp runs it) and left to grow as it goes ("growing"), in one run:
//
//	go test -run '^$' -bench HandlerStack -cpu 1,2 -benchmem .
func BenchmarkHandlerStack(b *testing.B) {
	h := newDemoHandler()
	tc := protocolCase(b, "tools-list-2025-11-25")
	var payload []byte
	for _, shape := range shapes {
		if shape.name == "url" {
			payload = shape.build(b, tc.req)
		}
	}
	for _, grown := range []bool{true, false} {
		name := "growing"
		if grown {
			name = "grown"
		}
		b.Run(name, func(b *testing.B) {
			defer lambdamcp.SetPreGrowStack(grown)()
			benchInvoke(b, h, payload, tc.status)
		})
	}
}
