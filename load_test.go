package lambdamcp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/serve"
)

// loadRequests is how many requests a load test sends (see race_test.go).
var loadRequests = 10_000

const loadConcurrency = 64

// loadCall is the i-th request of a load run: a ping of either era, with
// its own id, so that each answer can be matched to its request.
func loadCall(i int) httpRequest {
	if i%2 == 0 {
		return jsonPost(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"ping","arguments":{"delay_ms":0}}}`, i),
			"MCP-Protocol-Version", legacy)
	}
	return jsonPost(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"ping","arguments":{"delay_ms":0},%s}}`, i, modernMeta),
		"MCP-Protocol-Version", modern, "Mcp-Method", "tools/call", "Mcp-Name", "ping")
}

// checkPong checks that body answers request i with ping's result.
func checkPong(i int, status int, body []byte) error {
	if status != http.StatusOK {
		return fmt.Errorf("request %d: status %d: %s", i, status, body)
	}
	var a rpcAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return fmt.Errorf("request %d: %v: %s", i, err, body)
	}
	if string(a.ID) != fmt.Sprint(i) || a.Result == nil || a.Result.IsError || len(a.Result.Content) != 1 ||
		!strings.HasPrefix(a.Result.Content[0].Text, "pong! logStream=unknown v="+demoserver.Version+" d=0") {
		return fmt.Errorf("request %d: answer %s", i, body)
	}
	return nil
}

// runLoad sends loadRequests requests, loadConcurrency at a time, and
// returns the errors.
func runLoad(send func(i int) error) []error {
	var (
		next int64 = -1
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for range loadConcurrency {
		wg.Go(func() {
			for {
				i := int(atomic.AddInt64(&next, 1))
				if i >= loadRequests {
					return
				}
				if err := send(i); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return errs
}

// settleGoroutines waits until no more goroutines run than before, and
// fails if that does not happen.
func settleGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines after the load, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		runtime.Gosched()
		time.Sleep(5 * time.Millisecond) // poll the condition, not a fixed wait
	}
}

// TestLoadInProcess sends 10,000 requests, 64 at a time, through the
// Lambda event path (every shape in turn): no errors, every answer right,
// and no goroutine left behind.
func TestLoadInProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	h := lambdamcp.NewHandler(serve.Routes(serve.Handler(demoserver.New(demoserver.Options{}), nil)), &lambdamcp.Options{JSONResponse: true})
	payloads := make([][]byte, loadRequests)
	for i := range payloads {
		payloads[i] = shapes[i%len(shapes)].build(t, loadCall(i))
	}
	before := runtime.NumGoroutine()
	errs := runLoad(func(i int) error {
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: fmt.Sprint("load-", i)})
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		out, err := h.Invoke(ctx, payloads[i])
		if err != nil {
			return fmt.Errorf("request %d: %v", i, err)
		}
		var resp lambdaResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			return fmt.Errorf("request %d: %v", i, err)
		}
		return checkPong(i, resp.StatusCode, []byte(resp.Body))
	})
	for _, err := range errs[:min(len(errs), 10)] {
		t.Error(err)
	}
	if len(errs) > 0 {
		t.Fatalf("%d of %d requests failed", len(errs), loadRequests)
	}
	settleGoroutines(t, before)
}

// TestLoadLocalHTTP does the same over real HTTP, through the guard as the
// local server runs it.
func TestLoadLocalHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	before := runtime.NumGoroutine()
	handler := lambdamcp.Guard(serve.Routes(serve.Handler(demoserver.New(demoserver.Options{}), nil)), &lambdamcp.Options{JSONResponse: true})
	srv := httptest.NewServer(handler)
	transport := &http.Transport{MaxIdleConnsPerHost: loadConcurrency}
	client := &http.Client{Transport: transport, Timeout: time.Minute}
	errs := runLoad(func(i int) error {
		r := loadCall(i)
		req, err := http.NewRequest(r.method, srv.URL+r.path, bytes.NewReader([]byte(r.body)))
		if err != nil {
			return err
		}
		for k, v := range r.header {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("request %d: %v", i, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return fmt.Errorf("request %d: %v", i, err)
		}
		return checkPong(i, resp.StatusCode, body)
	})
	for _, err := range errs[:min(len(errs), 10)] {
		t.Error(err)
	}
	if len(errs) > 0 {
		t.Fatalf("%d of %d requests failed", len(errs), loadRequests)
	}
	transport.CloseIdleConnections()
	srv.Close()
	settleGoroutines(t, before)
}

// TestNoGoroutineLeftOnFailure runs the ways a call can fail, many times
// over, through the event path, buffered and streamed: a tool that times
// out, one that ignores its deadline (let go afterwards), one that panics,
// and a caller gone midway. Every goroutine they started must end: on
// Lambda one process serves invocations for hours.
func TestNoGoroutineLeftOnFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	server, hs := newHardServer(t)
	const margin = 20 * time.Millisecond
	buffered := lambdamcp.NewHandler(streamable(server), &lambdamcp.Options{JSONResponse: true, DeadlineMargin: margin})
	streamed := lambdamcp.NewHandler(sseHandler(server), &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, DeadlineMargin: margin})
	cases := []struct {
		tool string
		gone bool // the caller leaves before the deadline
	}{{"slow", false}, {"stubborn", false}, {"boom", false}, {"slow", true}, {"stubborn", true}}
	before := runtime.NumGoroutine()
	var wg sync.WaitGroup
	for i := range 8 * len(cases) {
		wg.Go(func() {
			tc := cases[i%len(cases)]
			payload := urlEvent(t, call(tc.tool, `{}`))
			for _, streaming := range []bool{false, true} {
				ctx, cancel := context.WithTimeout(context.Background(), 3*margin)
				if tc.gone {
					time.AfterFunc(margin/2, cancel)
				}
				if streaming {
					if r, err := streamed.InvokeStream(ctx, payload); err == nil {
						io.Copy(io.Discard, r)
						if c, ok := r.(io.Closer); ok {
							c.Close()
						}
					}
				} else {
					out, err := buffered.Invoke(ctx, payload)
					var resp lambdaResponse
					// Each that stays is answered with its JSON-RPC error.
					if !tc.gone && (err != nil || json.Unmarshal(out, &resp) != nil || !strings.Contains(resp.Body, `"error":{"code":-32`)) {
						t.Errorf("%s: %s, %v; want a JSON-RPC error", tc.tool, out, err)
					}
				}
				cancel()
			}
		})
	}
	wg.Wait()
	hs.once.Do(func() { close(hs.release) }) // the stubborn tools return now
	settleGoroutines(t, before)
}
