package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// lambdaEnv is one execution environment: a real bootstrap process and the
// Runtime API it polls, served on 127.0.0.1.
type lambdaEnv struct {
	api     *runtimeapi.Server
	hs      *http.Server
	cmd     *exec.Cmd
	exited  chan struct{}
	started time.Time
	seq     int
}

// startLambda execs the bootstrap at path with the environment Lambda gives
// a provided.al2023 function of 128 MB, and extra.
func startLambda(path string, extra []string) (*lambdaEnv, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	e := &lambdaEnv{api: runtimeapi.NewServer(), exited: make(chan struct{})}
	e.hs = &http.Server{Handler: e.api, ReadHeaderTimeout: 10 * time.Second}
	go e.hs.Serve(ln)
	e.cmd = exec.Command(path)
	e.cmd.Env = []string{
		"AWS_LAMBDA_RUNTIME_API=" + ln.Addr().String(),
		"AWS_LAMBDA_FUNCTION_NAME=lambdamcp-bench",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_LOG_STREAM_NAME=2026/01/01/[$LATEST]bench",
		"AWS_REGION=us-east-1",
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"TZ=:UTC",
	}
	e.cmd.Env = append(e.cmd.Env, extra...)
	e.cmd.Stdout, e.cmd.Stderr = io.Discard, os.Stderr
	e.started = now()
	if err := startCmd(e.cmd); err != nil {
		e.hs.Close()
		return nil, err
	}
	go func() {
		err := e.cmd.Wait()
		e.api.Close(fmt.Errorf("bootstrap exited: %v", err))
		close(e.exited)
	}()
	return e, nil
}

// call invokes the function once and returns its response, unchecked, so
// that timing it does not time the check.
func (e *lambdaEnv) call(ctx context.Context, payload []byte) ([]byte, error) {
	e.seq++
	resp, err := e.api.Invoke(ctx, &runtimeapi.Invocation{
		RequestID:   "bench-" + strconv.Itoa(e.seq),
		Payload:     payload,
		Deadline:    time.Now().Add(30 * time.Second),
		FunctionARN: "arn:aws:lambda:us-east-1:123456789012:function:lambdamcp-bench",
	})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// callEnv and stopEnv invoke an environment and stop it: a cold start is
// timed over the start (startCmd) and the first invocation, not the stop
// that follows; tests replace them.
var (
	callEnv = (*lambdaEnv).call
	stopEnv = (*lambdaEnv).stop
)

func (e *lambdaEnv) stop() {
	e.cmd.Process.Kill()
	<-e.exited
	e.hs.Close()
}

// urlEvent is a Function URL event (buffered invoke mode) carrying call.
func urlEvent(call mcpCall) []byte {
	h := map[string]string{"host": "bench.lambda-url.us-east-1.on.aws"}
	for k, vs := range call.header {
		h[k] = vs[0]
	}
	ev := events.LambdaFunctionURLRequest{
		Version: "2.0",
		RawPath: "/mcp",
		Headers: h,
		Body:    string(call.body),
		RequestContext: events.LambdaFunctionURLRequestContext{
			AccountID:    "123456789012",
			RequestID:    "bench",
			APIID:        "bench",
			DomainName:   "bench.lambda-url.us-east-1.on.aws",
			DomainPrefix: "bench",
			Time:         "01/Jan/2026:00:00:00 +0000",
			TimeEpoch:    1767225600000,
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{
				Method:    http.MethodPost,
				Path:      "/mcp",
				Protocol:  "HTTP/1.1",
				SourceIP:  "127.0.0.1",
				UserAgent: "lambdamcp-bench",
			},
		},
	}
	b, err := json.Marshal(ev)
	if err != nil {
		panic(err) // strings and maps only
	}
	return b
}

// The calls the Runtime API measurements make, in both protocol eras.
var (
	toolsListCall       = newMCPCall(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
	toolsListModernCall = func() mcpCall {
		c := newMCPCall(`{"jsonrpc":"2.0","id":4,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"lambdamcp-bench","version":"1.0.0"},"io.modelcontextprotocol/clientCapabilities":{}}}}`)
		c.header.Set("MCP-Protocol-Version", "2026-07-28")
		c.header.Set("Mcp-Method", "tools/list")
		return c
	}()
)

// lambdaResults is what the Runtime API measurements found.
type lambdaResults struct {
	cold       summary
	warmLegacy summary // tools/list, 2025-11-25
	warmModern summary // tools/list, 2026-07-28
	warmIdle   summary // tools/list, 2025-11-25, after idling
	invoked    int
	mem        memory
}

// idleGap is the pause before each of the warm invocations that stand for a
// function's usual rhythm: long enough for the runtime to park its threads.
const idleGap = time.Millisecond

// measureLambda runs the bootstrap cold runs times, then keeps one
// environment warm: warm timed invocations of each call, each set after
// its warm-up (timeWarm), then pings up to total invocations before its
// memory is read; extra is added to its environment.
func measureLambda(ctx context.Context, bootstrap string, runs, warm, total int, extra ...string) (lambdaResults, error) {
	var res lambdaResults
	initEvent := urlEvent(newMCPCall(initializeCall))
	var colds []time.Duration
	for range runs {
		e, err := startLambda(bootstrap, extra)
		if err != nil {
			return res, err
		}
		body, err := callEnv(e, ctx, initEvent)
		d := now().Sub(e.started)
		stopEnv(e)
		if err == nil {
			err = checkURLResponse(body)
		}
		if err != nil {
			return res, fmt.Errorf("cold initialize: %w", err)
		}
		colds = append(colds, d)
	}
	res.cold = summarize(colds)

	e, err := startLambda(bootstrap, extra)
	if err != nil {
		return res, err
	}
	defer e.stop()
	if err := warmInvocations(ctx, e.call, warm, total, &res); err != nil {
		return res, err
	}
	res.mem, err = readMemory(e.cmd.Process.Pid)
	return res, err
}

// warmInvocations makes one warm environment's invocations through call:
// an initialize, warm timed invocations of each call, each set after its
// warm-up (timeWarm), then pings up to total invocations. It records the
// timings, and the invocations made, in res.
func warmInvocations(ctx context.Context, call func(context.Context, []byte) ([]byte, error), warm, total int, res *lambdaResults) error {
	// invoke delivers one event and checks that the function answered it
	// with HTTP 200 and a JSON-RPC result.
	invoke := func(payload []byte) error {
		body, err := call(ctx, payload)
		if err != nil {
			return err
		}
		return checkURLResponse(body)
	}
	if err := invoke(urlEvent(newMCPCall(initializeCall))); err != nil {
		return err
	}
	res.invoked = 1
	for _, m := range []struct {
		out     *summary
		payload []byte
		gap     time.Duration
	}{
		{&res.warmLegacy, urlEvent(toolsListCall), 0},
		{&res.warmModern, urlEvent(toolsListModernCall), 0},
		{&res.warmIdle, urlEvent(toolsListCall), idleGap},
	} {
		s, calls, err := timeWarm(ctx, call, m.payload, warm, m.gap)
		res.invoked += calls
		if err != nil {
			return err
		}
		*m.out = s
	}
	ping := urlEvent(newMCPCall(pingCall))
	for ; res.invoked < total; res.invoked++ {
		if err := invoke(ping); err != nil {
			return err
		}
	}
	return nil
}

// timeWarm times n invocations of payload through call, idling gap before
// each, after as many untimed ones as the in-process timings warm up with
// (warmUpCalls at most), without the gap, as measureInProcess does: the
// first calls of a kind fill caches and grow the heap, and must weigh on
// neither path's figures. It returns the timings of the calls that
// answered right and how many invocations it made.
func timeWarm(ctx context.Context, call func(context.Context, []byte) ([]byte, error), payload []byte, n int, gap time.Duration) (summary, int, error) {
	calls := 0
	for range min(n, warmUpCalls) {
		body, err := call(ctx, payload)
		calls++
		if err == nil {
			err = checkURLResponse(body)
		}
		if err != nil {
			return summary{}, calls, fmt.Errorf("warm-up: %w", err)
		}
	}
	lat := make([]time.Duration, 0, n)
	for range n {
		if gap > 0 {
			sleep(gap)
		}
		t0 := now()
		body, err := call(ctx, payload)
		d := now().Sub(t0)
		calls++
		if err == nil {
			err = checkURLResponse(body)
		}
		if err != nil {
			return summary{}, calls, err
		}
		lat = append(lat, d)
	}
	return summarize(lat), calls, nil
}
