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
	latency     summary // of the successful calls
	firstError  string
	lat         []time.Duration // the successful calls' timings, for merging rounds
	rounds      []float64       // the throughput of each round, merged
}

// merge adds round o, another run of the same level against the same
// server, to r.
func (r loadResult) merge(o loadResult) loadResult {
	r.concurrency = o.concurrency
	r.planned += o.planned
	r.requests += o.requests
	r.errors += o.errors
	r.elapsed += o.elapsed
	r.lat = append(r.lat, o.lat...)
	r.latency = summarize(r.lat)
	r.rounds = append(r.rounds, o.throughput())
	if r.firstError == "" {
		r.firstError = o.firstError
	}
	return r
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
	answer string // what the first text of the result starts with; "" for any result
}

// expecting is c, answered only by a result whose first text starts with
// answer.
func (c mcpCall) expecting(answer string) mcpCall {
	c.answer = answer
	return c
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
// at maxTime, and times each that succeeds: answered 200 with a JSON-RPC
// result that is the answer call expects (checkResult).
//
// The load is closed-loop: each worker sends its next call when the last
// is answered and checked, and a call is timed from when it is sent until
// its answer is read (answerTime). A stall therefore
// delays only the calls in flight (coordinated omission): the p99 under
// load understates what a client arriving at a fixed rate would see, and
// at concurrency c the p50 mostly restates c ÷ throughput.
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
	start := now()
	for range concurrency {
		wg.Go(func() {
			lat := make([]time.Duration, 0, n/concurrency+1)
			nerr, first := 0, ""
			for next.Add(1) <= int64(n) && ctx.Err() == nil {
				d, err := answerTime(ctx, client, url, call, now())
				if ctx.Err() != nil {
					break // cut off by maxTime: not an answer
				}
				if err != nil {
					nerr++
					if first == "" {
						first = err.Error()
					}
					continue // a failure's time would make a failing server look fast
				}
				lat = append(lat, d)
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
		requests:    len(all) + errs,
		errors:      errs,
		elapsed:     now().Sub(start),
		latency:     summarize(all),
		firstError:  firstErr,
		lat:         all,
	}
}

// now is the clock calls are timed by, and sleep how they idle between
// them; tests replace both.
var (
	now   = time.Now
	sleep = time.Sleep
)

// reply is an HTTP answer, read in full.
type reply struct {
	status      int
	contentType string
	body        []byte
}

// answerTime makes one call and returns the time from start until its
// answer was read in full, then checks the answer: decoding it is the
// client's work, which the Runtime API timings leave out as well.
func answerTime(ctx context.Context, client *http.Client, url string, call mcpCall, start time.Time) (time.Duration, error) {
	r, err := send(ctx, client, url, call)
	d := now().Sub(start)
	if err != nil {
		return d, err
	}
	return d, checkAnswer(call, r)
}

// send makes one call and reads its answer.
func send(ctx context.Context, client *http.Client, url string, call mcpCall) (reply, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(call.body))
	if err != nil {
		return reply{}, err
	}
	req.Header = call.header.Clone()
	resp, err := client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	return reply{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: body}, nil
}

// checkAnswer checks that r answers call with a result (checkResult);
// tests replace it.
var checkAnswer = func(call mcpCall, r reply) error {
	if r.status != http.StatusOK {
		return fmt.Errorf("status %d: %.200s", r.status, r.body)
	}
	return checkResult(r.contentType, r.body, call.answer)
}

// pingAnswer begins the text of every server's answer to pingCall.
const pingAnswer = "pong!"
