package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// loadResult is what one load level measured against one server.
type loadResult struct {
	concurrency int
	planned     int // calls to make
	requests    int // answered, successfully or not
	errors      int
	elapsed     time.Duration
	latency     summary
	firstError  string
}

// throughput is the rate of successful calls: a server that fails fast
// must not look fast.
func (r loadResult) throughput() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests-r.errors) / r.elapsed.Seconds()
}

// clean reports whether every planned call was answered successfully,
// none failed and none was cut off.
func (r loadResult) clean() bool { return r.errors == 0 && r.requests == r.planned }

// mcpCall is one MCP request over HTTP: the body and the headers a client
// sends with it.
type mcpCall struct {
	body   []byte
	header http.Header
}

// newMCPCall is a POST of body with the headers of the 2025-11-25 era,
// which every peer speaks.
func newMCPCall(body string) mcpCall {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json, text/event-stream")
	h.Set("MCP-Protocol-Version", "2025-11-25")
	return mcpCall{body: []byte(body), header: h}
}

const pingCall = `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"ping","arguments":{"delay_ms":0}}}`

// newLoadClient is an HTTP client that keeps one connection per worker, as
// a load balancer in front of the server would.
func newLoadClient(concurrency int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			MaxIdleConns:        concurrency,
			MaxIdleConnsPerHost: concurrency,
			MaxConnsPerHost:     concurrency,
			DisableCompression:  true,
		},
		Timeout: 10 * time.Second,
	}
}

// load sends up to n calls to url from concurrency workers, stopping early
// at maxTime, and measures each. A call succeeds when it is answered 200
// with a JSON-RPC result.
func load(ctx context.Context, client *http.Client, url string, call mcpCall, concurrency, n int, maxTime time.Duration) loadResult {
	ctx, cancel := context.WithTimeout(ctx, maxTime)
	defer cancel()
	var (
		next     atomic.Int64
		mu       sync.Mutex
		all      []time.Duration
		errs     int
		firstErr string
		wg       sync.WaitGroup
	)
	start := time.Now()
	for range concurrency {
		wg.Go(func() {
			lat := make([]time.Duration, 0, n/concurrency+1)
			nerr, first := 0, ""
			for next.Add(1) <= int64(n) && ctx.Err() == nil {
				t0 := time.Now()
				err := do(ctx, client, url, call)
				if ctx.Err() != nil {
					break // cut off by maxTime: not an answer
				}
				lat = append(lat, time.Since(t0))
				if err != nil {
					nerr++
					if first == "" {
						first = err.Error()
					}
				}
			}
			mu.Lock()
			all = append(all, lat...)
			errs += nerr
			if firstErr == "" {
				firstErr = first
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	return loadResult{
		concurrency: concurrency,
		planned:     n,
		requests:    len(all),
		errors:      errs,
		elapsed:     time.Since(start),
		latency:     summarize(all),
		firstError:  firstErr,
	}
}

// do makes one call and checks that it was answered with a result.
func do(ctx context.Context, client *http.Client, url string, call mcpCall) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(call.body))
	if err != nil {
		return err
	}
	req.Header = call.header.Clone()
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %.200s", resp.StatusCode, body)
	}
	if !bytes.Contains(body, []byte(`"result"`)) {
		return fmt.Errorf("no result: %.200s", body)
	}
	return nil
}
