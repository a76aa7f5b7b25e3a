package lambdamcp_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/modelcontextprotocol/go-sdk/mcp"

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
		resp, err := send(context.Background(), client, srv.URL, loadCall(i))
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

// TestNoGoroutineLeftLocal runs the ways a request to a local server can
// end badly, over real HTTP through the guard as serve runs it: a client
// that hangs up once its event stream has begun, a tool that panics, the
// refusals the guard answers before the handler, and the 2025-11-25
// session GET and DELETE a stateless server refuses. A local server, like
// a Lambda process, serves many such requests: each must leave no
// goroutine and no descriptor behind.
func TestNoGoroutineLeftLocal(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	server, _ := newHardServer(t)
	mcp.AddTool(server, &mcp.Tool{Name: "progress"}, func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: req.Params.GetProgressToken(), Progress: 1})
		<-ctx.Done() // the client's hang-up
		return nil, nil, ctx.Err()
	})
	list := `{"jsonrpc":"2.0","id":7,"method":"tools/list"}`
	session := map[string]string{"MCP-Protocol-Version": legacy, "Mcp-Session-Id": "s1"}
	tests := []struct {
		name   string
		req    httpRequest
		status int
		hangUp bool // after the first line of the event stream
	}{
		{"client gone mid-stream", jsonPost(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"progress","arguments":{},"_meta":{"progressToken":1}}}`,
			"MCP-Protocol-Version", legacy), http.StatusOK, true},
		{"tool panics", call("boom", `{}`), http.StatusOK, false},
		{"unsupported version", jsonPost(list, "MCP-Protocol-Version", "1999-01-01"), http.StatusBadRequest, false},
		{"body too large", jsonPost(`{"jsonrpc":"2.0","id":7,"method":"tools/list","params":{"x":"`+strings.Repeat("x", 2000)+`"}}`,
			"MCP-Protocol-Version", legacy), http.StatusRequestEntityTooLarge, false},
		{"origin not allowed", jsonPost(list, "MCP-Protocol-Version", legacy, "Origin", "https://elsewhere.example"), http.StatusForbidden, false},
		{"session GET", httpRequest{method: http.MethodGet, path: "/mcp", header: withAccept(session, "text/event-stream")}, http.StatusMethodNotAllowed, false},
		{"session DELETE", httpRequest{method: http.MethodDelete, path: "/mcp", header: session}, http.StatusMethodNotAllowed, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, fds := runtime.NumGoroutine(), openFiles(t)
			srv := httptest.NewServer(lambdamcp.Guard(sseHandler(server), &lambdamcp.Options{
				Limits:      lambdamcp.Limits{MaxBodyBytes: 1000},
				CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == "https://here.example" },
			}))
			transport := &http.Transport{}
			client := &http.Client{Transport: transport}
			for range 100 {
				if err := sendOnce(client, srv.URL, tc.req, tc.status, tc.hangUp); err != nil {
					t.Fatal(err)
				}
			}
			transport.CloseIdleConnections()
			srv.Close()
			settleGoroutines(t, before)
			if n := openFiles(t); n > fds {
				t.Errorf("%d descriptors open after the requests, %d before", n, fds)
			}
		})
	}
}

// withAccept is h with an Accept header.
func withAccept(h map[string]string, accept string) map[string]string {
	c := maps.Clone(h)
	c["Accept"] = accept
	return c
}

// sendOnce sends r to base, checks the answer's status and reads the
// answer, or with hangUp only its first line before hanging up.
func sendOnce(client *http.Client, base string, r httpRequest, status int, hangUp bool) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp, err := send(ctx, client, base, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != status {
		body, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("status %d, want %d: %s", resp.StatusCode, status, body)
	}
	if hangUp {
		if line, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil {
			return fmt.Errorf("no event stream: %q, %v", line, err)
		}
		cancel()
		return nil
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// send sends r to base with client.
func send(ctx context.Context, client *http.Client, base string, r httpRequest) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, r.method, base+r.path, strings.NewReader(r.body))
	if err != nil {
		return nil, err
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	return client.Do(req)
}

// openFiles is how many descriptors the process has open, or 0 where
// /proc/self/fd does not say.
func openFiles(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	return len(fds)
}

// TestNoGoroutineLeftByListen opens many subscriptions/listen streams and
// ends them every way they end: a buffered invocation's, once acknowledged;
// a streamed invocation's, at its deadline and by the client going away;
// a local server's, by the client going away and by the server draining.
// The go-sdk holds a listen open until its request's context ends: each
// way must end it, and leave no goroutine behind.
func TestNoGoroutineLeftByListen(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	server := listenServer()
	const margin = 20 * time.Millisecond
	buffered := lambdamcp.NewHandler(sseHandler(server), &lambdamcp.Options{DeadlineMargin: margin})
	streamed := lambdamcp.NewHandler(sseHandler(server), &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, DeadlineMargin: margin})
	payload := urlEvent(t, listenRequest())
	before := runtime.NumGoroutine()
	baseCtx, drain := lambdamcp.Draining(context.Background())
	srv := httptest.NewUnstartedServer(lambdamcp.Guard(sseHandler(server), nil))
	srv.Config.BaseContext = func(net.Listener) context.Context { return baseCtx }
	srv.Start()
	transport := &http.Transport{}
	client := &http.Client{Transport: transport}
	var wg, drained sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: fmt.Sprint("listen-", i)})
			// Ended once acknowledged; the context ends after the check,
			// as if Lambda kept it.
			ctx, cancel := context.WithTimeout(ctx, time.Minute)
			t.Cleanup(cancel)
			out, err := buffered.Invoke(ctx, payload)
			var resp lambdaResponse
			if err != nil || json.Unmarshal(out, &resp) != nil || !strings.Contains(resp.Body, `"resultType":"complete"`) {
				t.Errorf("buffered listen: %s, %v; want its graceful end", out, err)
			}
		})
		for _, hangUp := range []bool{false, true} {
			wg.Go(func() {
				ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: fmt.Sprint("stream-", i)})
				d := 10 * margin
				if hangUp {
					d = time.Minute // ended by the hang-up alone
				}
				ctx, cancel := context.WithTimeout(ctx, d)
				t.Cleanup(cancel)
				r, err := streamed.InvokeStream(ctx, payload)
				if err != nil {
					t.Errorf("streamed listen: %v", err)
					return
				}
				if hangUp {
					bufio.NewReader(r).ReadString('\n')
				} else {
					io.Copy(io.Discard, r) // to the deadline
				}
				r.(io.Closer).Close()
			})
		}
		wg.Go(func() {
			if err := sendOnce(client, srv.URL, listenRequest(), http.StatusOK, true); err != nil {
				t.Errorf("local listen: %v", err)
			}
		})
		drained.Go(func() {
			resp, err := send(context.Background(), client, srv.URL, listenRequest())
			if err != nil {
				t.Errorf("local listen: %v", err)
				return
			}
			defer resp.Body.Close()
			if b, err := io.ReadAll(resp.Body); err != nil || !strings.Contains(string(b), `"resultType":"complete"`) {
				t.Errorf("local listen drained: %q, %v; want its graceful end", b, err)
			}
		})
	}
	wg.Wait()
	drain()
	drained.Wait()
	transport.CloseIdleConnections()
	srv.Close()
	settleGoroutines(t, before)
}

// TestNoGoroutineLeftByLateWriters runs, in both protocol eras, a tool
// that ignores its deadline and keeps sending progress after it, until
// released: through a buffered invocation, a streamed one and a local
// server whose client gives up, with a tracer, a logger and metrics
// told of each request. What the tool writes once its request has been
// answered for is dropped; nothing it writes may hold a goroutine once
// it returns.
func TestNoGoroutineLeftByLateWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	server, hs := newHardServer(t)
	mcp.AddTool(server, &mcp.Tool{Name: "chatty"}, func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		for i := 0; ; i++ {
			// Its own context ended: the notifications go out on one
			// that has not.
			req.Session.NotifyProgress(context.WithoutCancel(ctx), &mcp.ProgressNotificationParams{ProgressToken: req.Params.GetProgressToken(), Progress: float64(i)})
			select {
			case <-hs.release:
				return text("late"), nil, nil
			case <-time.After(time.Millisecond):
			}
		}
	})
	// The margin is wide enough that, with a tool writing every
	// millisecond beside 47 others under the race detector, the stream's
	// deadline timer still fires well before the invocation's own deadline
	// ends the handler's context, after which no answer is promised (on
	// Lambda the invocation is over).
	const margin = 200 * time.Millisecond
	opts := func(stream ...lambdamcp.Shape) *lambdamcp.Options {
		return &lambdamcp.Options{Stream: stream, DeadlineMargin: margin, Tracer: &sessionTracer{},
			Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Metrics: io.Discard}
	}
	before := runtime.NumGoroutine()
	buffered := lambdamcp.NewHandler(sseHandler(server), opts())
	streamed := lambdamcp.NewHandler(sseHandler(server), opts(lambdamcp.ShapeURL))
	srv := httptest.NewServer(lambdamcp.Guard(sseHandler(server), opts()))
	transport := &http.Transport{}
	client := &http.Client{Transport: transport}
	calls := []httpRequest{
		jsonPost(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"chatty","arguments":{},"_meta":{"progressToken":1}}}`,
			"MCP-Protocol-Version", legacy),
		jsonPost(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"chatty","arguments":{},"_meta":{"progressToken":1,`+modernMetaFields+`}}}`,
			"MCP-Protocol-Version", modern, "Mcp-Method", "tools/call", "Mcp-Name", "chatty"),
	}
	var wg sync.WaitGroup
	for i := range 8 * len(calls) {
		rq := calls[i%len(calls)]
		payload := urlEvent(t, rq)
		wg.Go(func() {
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: fmt.Sprint("late-", i)})
			ctx, cancel := context.WithTimeout(ctx, 3*margin)
			defer cancel()
			out, err := buffered.Invoke(ctx, payload)
			var resp lambdaResponse
			if err != nil || json.Unmarshal(out, &resp) != nil || !strings.Contains(resp.Body, `"error":{"code":-32`) {
				t.Errorf("buffered: %s, %v; want the deadline's error", out, err)
			}
		})
		wg.Go(func() {
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: fmt.Sprint("late-stream-", i)})
			ctx, cancel := context.WithTimeout(ctx, 3*margin)
			defer cancel()
			r, err := streamed.InvokeStream(ctx, payload)
			if err != nil {
				t.Errorf("streamed: %v", err)
				return
			}
			// The deadline's error, or, where a write of the tool's was
			// under way at the deadline, a stream cut with an error: never
			// a clean end without an answer.
			b, err := io.ReadAll(r)
			r.(io.Closer).Close()
			if err == nil && !bytes.Contains(b, []byte(`"error":{"code":-32`)) {
				t.Errorf("streamed: %q ended cleanly; want the deadline's error", b)
			}
		})
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 3*margin)
			defer cancel()
			if resp, err := send(ctx, client, srv.URL, rq); err == nil {
				io.Copy(io.Discard, resp.Body) // until the client gives up
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	hs.once.Do(func() { close(hs.release) }) // the tools return now
	awaitNoInvocations(t)
	transport.CloseIdleConnections()
	srv.Close()
	settleGoroutines(t, before)
}
