package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/lambdamcp/lambdamcp/internal/bootstraptest"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// maxConcurrency is the AWS_LAMBDA_MAX_CONCURRENCY the managed instance
// test gives the bootstrap.
const maxConcurrency = 8

// peakCounter wraps the Runtime API to count the invocations the runtime
// holds at once: handed over by /next, not yet answered.
type peakCounter struct {
	next      http.Handler
	mu        sync.Mutex
	now, peak int
}

func (c *peakCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/response") || strings.HasSuffix(r.URL.Path, "/error") {
		c.add(-1)
	}
	rec := &statusRecorder{ResponseWriter: w}
	c.next.ServeHTTP(rec, r)
	if strings.HasSuffix(r.URL.Path, "/invocation/next") && rec.status == http.StatusOK {
		c.add(1)
	}
}

func (c *peakCounter) add(d int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now += d
	c.peak = max(c.peak, c.now)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// startManagedInstance runs the bootstrap as Lambda Managed Instances run
// it: AWS_LAMBDA_MAX_CONCURRENCY set, against a Runtime API that hands it
// that many invocations at once. It returns when the runtime asked for its
// first event.
func startManagedInstance(t *testing.T, bin string) (*runtimeapi.Server, *peakCounter, *bootstraptest.Process) {
	t.Helper()
	api := runtimeapi.NewConcurrentServer(maxConcurrency)
	counter := &peakCounter{next: api}
	p := bootstraptest.Start(t, bin, api, counter,
		"AWS_LAMBDA_MAX_CONCURRENCY="+fmt.Sprint(maxConcurrency),
		"AWS_LAMBDA_FUNCTION_NAME=mcp-server",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=2048",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_LOG_STREAM_NAME=2026/01/01/[$LATEST]managed",
	)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if _, err := api.WaitIdle(ctx); err != nil {
		t.Fatalf("init: %v\n%s", err, p.Out)
	}
	return api, counter, p
}

// managedCall is one invocation of the test and how it must be answered.
type managedCall struct {
	requestID, rpcID string
	protocol         string
	method, tool     string
	delayMS          int
	deadline         time.Duration // of the invocation
	wantOutcome      string        // of a tools/call, in its metrics line
}

func (c managedCall) event() []byte {
	params := map[string]any{}
	if c.tool != "" {
		params["name"] = c.tool
		params["arguments"] = map[string]any{"delay_ms": c.delayMS}
	}
	h := map[string]string{
		"Content-Type":         "application/json",
		"Accept":               "application/json, text/event-stream",
		"MCP-Protocol-Version": c.protocol,
	}
	if c.protocol == "2026-07-28" {
		params["_meta"] = map[string]any{
			"io.modelcontextprotocol/protocolVersion":    c.protocol,
			"io.modelcontextprotocol/clientInfo":         map[string]string{"name": "managed-test", "version": "1"},
			"io.modelcontextprotocol/clientCapabilities": map[string]any{},
		}
		h["Mcp-Method"] = c.method
		if c.tool != "" {
			h["Mcp-Name"] = c.tool
		}
	}
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": c.rpcID, "method": c.method, "params": params})
	ev, _ := json.Marshal(events.APIGatewayProxyRequest{
		Resource: "/mcp", Path: "/mcp", HTTPMethod: http.MethodPost, Headers: h, Body: string(body),
		RequestContext: events.APIGatewayProxyRequestContext{
			RequestID: "gw-" + c.requestID, Stage: "dev", Path: "/dev/mcp", HTTPMethod: http.MethodPost,
			Identity: events.APIGatewayRequestIdentity{SourceIP: "192.0.2.1"},
		},
	})
	return ev
}

// managedCalls mixes tools/call of ping in both protocol eras with
// tools/list in 2025-11-25 and the ping method in 2026-07-28, which
// removed it; the first maxConcurrency calls take a second each, so that
// the runtime holds all it may at once, and some of the others need
// longer than their invocation's deadline.
func managedCalls() []managedCall {
	var calls []managedCall
	for i := range 6 * maxConcurrency {
		c := managedCall{
			requestID: fmt.Sprintf("req-%02d", i), rpcID: fmt.Sprintf("rpc-%02d", i),
			protocol: []string{"2025-11-25", "2026-07-28"}[i%2],
			method:   "tools/call", tool: "ping", delayMS: 1000, deadline: time.Minute, wantOutcome: "ok",
		}
		switch {
		case i < maxConcurrency:
		case i%8 == 0:
			c.method, c.tool, c.wantOutcome = "tools/list", "", ""
		case i%8 == 5:
			// 2026-07-28 removed ping: the go-sdk refuses it, and logs so
			// without the request's context.
			c.method, c.tool, c.wantOutcome = "ping", "", ""
		case i%4 == 1:
			c.delayMS = 150
		case i%4 == 2:
			c.delayMS = 20
		case i%4 == 3:
			c.delayMS, c.deadline, c.wantOutcome = 5000, 3*time.Second, "timeout"
		}
		calls = append(calls, c)
	}
	return calls
}

// TestManagedInstanceConcurrency runs the real bootstrap with
// AWS_LAMBDA_MAX_CONCURRENCY=8, as Lambda Managed Instances do, and sends
// it many invocations at once: each is answered under its own request id,
// with the answer to its own JSON-RPC request; each log line carries the
// request id of the invocation it is about; each tool call has one metrics
// line, with its own request id and outcome; and the calls that overran
// their deadline did so alone.
func TestManagedInstanceConcurrency(t *testing.T) {
	bin := buildCommand(t, t.TempDir(), "github.com/lambdamcp/lambdamcp/cmd/mcp-server")
	api, counter, bootstrap := startManagedInstance(t, bin)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	calls := managedCalls()
	var wg sync.WaitGroup
	for _, c := range calls {
		wg.Go(func() {
			resp, err := api.Invoke(ctx, &runtimeapi.Invocation{
				RequestID: c.requestID, Payload: c.event(), Deadline: time.Now().Add(c.deadline),
				FunctionARN: "arn:aws:lambda:us-east-1:123456789012:function:mcp-server",
			})
			if err != nil {
				t.Errorf("%s: %v", c.requestID, err)
				return
			}
			defer resp.Body.Close()
			var gw events.APIGatewayProxyResponse
			if err := json.NewDecoder(resp.Body).Decode(&gw); err != nil {
				t.Errorf("%s: decoding the response: %v", c.requestID, err)
				return
			}
			checkManagedAnswer(t, c, gw)
		})
	}
	wg.Wait()

	counter.mu.Lock()
	peak := counter.peak
	counter.mu.Unlock()
	if peak != maxConcurrency {
		t.Errorf("the runtime held at most %d invocations at once, want %d", peak, maxConcurrency)
	}
	// The lines reach the test through a pipe, copied as they come: stop
	// the process, which waits for the copy, before reading them all.
	bootstrap.Stop()
	checkManagedLogs(t, calls, bootstrap.Out.String())
}

// checkManagedAnswer checks that an invocation was answered with the answer
// to its own JSON-RPC request.
func checkManagedAnswer(t *testing.T, c managedCall, gw events.APIGatewayProxyResponse) {
	t.Helper()
	var rpc struct {
		ID     string `json:"id"`
		Result struct {
			Tools   []struct{ Name string } `json:"tools"`
			Content []struct{ Text string } `json:"content"`
			IsError bool                    `json:"isError"`
		} `json:"result"`
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	wantStatus := http.StatusOK
	if c.method == "ping" {
		wantStatus = http.StatusNotFound // the go-sdk's status for an unknown method
	}
	if gw.StatusCode != wantStatus || json.Unmarshal([]byte(gw.Body), &rpc) != nil || rpc.ID != c.rpcID {
		t.Errorf("%s (%s): answered %d %s, want %d with the answer to %s", c.requestID, c.rpcID, gw.StatusCode, gw.Body, wantStatus, c.rpcID)
		return
	}
	switch {
	case c.method == "ping":
		if rpc.Error == nil || rpc.Error.Code != -32601 {
			t.Errorf("%s: ping under %s answered %s, want method not found", c.requestID, c.protocol, gw.Body)
		}
	case c.method == "tools/list":
		if len(rpc.Result.Tools) == 0 {
			t.Errorf("%s: tools/list answered %s", c.requestID, gw.Body)
		}
	case c.wantOutcome == "timeout":
		if rpc.Error == nil || !strings.Contains(rpc.Error.Message, "timed out") {
			t.Errorf("%s: a call past its deadline answered %s, want a timeout error", c.requestID, gw.Body)
		}
	default:
		want := fmt.Sprintf("d=%d", c.delayMS)
		if rpc.Result.IsError || len(rpc.Result.Content) != 1 || !strings.HasSuffix(rpc.Result.Content[0].Text, want) {
			t.Errorf("%s: ping answered %s, want a pong ending %s", c.requestID, gw.Body, want)
		}
	}
}

// checkManagedLogs checks the bootstrap's output: JSON lines only; one
// request line per invocation, with its request id and what it served;
// every tool call has exactly one metrics line, with its request id and
// outcome. The go-sdk logs without a context: its lines carry the request
// id of the invocation they are about when that was the only one in
// flight, and none while several were; never another's.
func checkManagedLogs(t *testing.T, calls []managedCall, out string) {
	t.Helper()
	byRequest := map[string]managedCall{}
	removedPings := 0
	for _, c := range calls {
		byRequest[c.requestID] = c
		if c.method == "ping" {
			removedPings++
		}
	}
	metrics := map[string]int{}
	requestLines := map[string]int{}
	sdkLines, startupWarnings := 0, 0
	lines := bufio.NewScanner(strings.NewReader(out))
	for lines.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(lines.Bytes(), &rec); err != nil {
			t.Errorf("output line is not JSON: %s", lines.Text())
			continue
		}
		if _, ok := rec["_aws"]; ok {
			id, _ := rec["RequestId"].(string)
			c, known := byRequest[id]
			metrics[id]++
			if !known || rec["Tool"] != c.tool || rec["Outcome"] != c.wantOutcome || rec["FunctionName"] != "mcp-server" || rec["Calls"] != 1.0 {
				t.Errorf("metrics line %s does not match invocation %+v", lines.Text(), c)
			}
			if latency, _ := rec["Latency"].(float64); c.wantOutcome == "ok" && latency < float64(c.delayMS) {
				t.Errorf("metrics line %s: latency below the call's %d ms delay", lines.Text(), c.delayMS)
			}
			continue
		}
		requestID, hasID := rec["request_id"].(string)
		c, known := byRequest[requestID]
		if msg, _ := rec["msg"].(string); strings.HasPrefix(msg, "no authentication:") && !hasID {
			// The start-up's, before any invocation: nothing checks tokens.
			startupWarnings++
			continue
		}
		switch rec["msg"] {
		case "request":
			requestLines[requestID]++
			outcome := c.wantOutcome
			if outcome == "" {
				outcome = "ok"
			}
			if c.method == "ping" {
				outcome = "rejected"
			}
			if !known || rec["mcp_method"] != c.method || (c.tool != "" && rec["tool"] != c.tool) || rec["outcome"] != outcome {
				t.Errorf("request line %s does not match invocation %+v", lines.Text(), c)
			}
		case "method removed in the new protocol":
			sdkLines++
			if hasID && (!known || c.method != "ping") {
				t.Errorf("the go-sdk's line about a removed method carries the request id of %+v: %s", c, lines.Text())
			}
		default:
			t.Errorf("unexpected log line: %s", lines.Text())
		}
	}
	if startupWarnings != 1 {
		t.Errorf("%d start-up warnings of no authentication, want 1", startupWarnings)
	}
	if sdkLines != removedPings {
		t.Errorf("%d go-sdk lines about a removed method, want %d", sdkLines, removedPings)
	}
	for _, c := range calls {
		if requestLines[c.requestID] != 1 {
			t.Errorf("%s: %d request log lines, want 1", c.requestID, requestLines[c.requestID])
		}
		want := 0
		if c.method == "tools/call" {
			want = 1
		}
		if metrics[c.requestID] != want {
			t.Errorf("%s: %d metrics lines, want %d", c.requestID, metrics[c.requestID], want)
		}
	}
	if t.Failed() {
		t.Logf("bootstrap output:\n%s", out)
	}
}
