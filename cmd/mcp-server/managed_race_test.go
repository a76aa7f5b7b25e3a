package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/lambdamcp/lambdamcp/internal/bootstraptest"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// urlEvent is c as a Function URL event.
func (c managedCall) urlEvent() []byte {
	var rest events.APIGatewayProxyRequest
	json.Unmarshal(c.event(), &rest)
	ev, _ := json.Marshal(events.LambdaFunctionURLRequest{
		Version: "2.0", RawPath: "/mcp", Headers: rest.Headers, Body: rest.Body,
		RequestContext: events.LambdaFunctionURLRequestContext{
			RequestID: "url-" + c.requestID, APIID: "abc", DomainName: "abc.lambda-url.us-east-1.on.aws",
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: http.MethodPost, Path: "/mcp", Protocol: "HTTP/1.1", SourceIP: "192.0.2.1"},
		},
	})
	return ev
}

// TestManagedInstanceRace runs the bootstrap built with the race detector
// as Lambda Managed Instances run it (AWS_LAMBDA_MAX_CONCURRENCY=8), and
// hands it invocations at once through both paths lambdamcp answers on:
// buffered API Gateway events and response-streamed Function URL ones, some
// of them past their deadline. Each is answered with the answer to its own
// JSON-RPC request, and the race detector reports nothing.
func TestManagedInstanceRace(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "mcp-server")
	build := exec.Command("go", "build", "-race", "-o", bin, "github.com/lambdamcp/lambdamcp/cmd/mcp-server")
	// The race detector needs cgo, which a shell set up for Lambda's
	// builds may have turned off.
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build -race: %v\n%s", err, out)
	}
	api := runtimeapi.NewConcurrentServer(maxConcurrency)
	bootstrap := bootstraptest.Start(t, bin, api, api,
		"AWS_LAMBDA_MAX_CONCURRENCY="+fmt.Sprint(maxConcurrency),
		"AWS_LAMBDA_INITIALIZATION_TYPE=lambda-managed-instances",
		"AWS_LAMBDA_FUNCTION_NAME=mcp-server",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=2048",
		"MCP_STREAM=url",
		"GORACE=halt_on_error=0",
	)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	if _, err := api.WaitIdle(ctx); err != nil {
		t.Fatalf("init: %v\n%s", err, bootstrap.Out)
	}

	var calls []managedCall
	for i := range 4 * maxConcurrency {
		c := managedCall{
			requestID: fmt.Sprintf("req-%02d", i), rpcID: fmt.Sprintf("rpc-%02d", i),
			protocol: []string{"2025-11-25", "2026-07-28"}[i%2],
			method:   "tools/call", tool: "ping", delayMS: 50 * (i % 5), deadline: time.Minute,
		}
		switch i % 6 {
		case 3:
			c.method, c.tool = "tools/list", ""
		case 5:
			c.delayMS, c.deadline = 5000, 3*time.Second
		}
		calls = append(calls, c)
	}
	otherIDs := regexp.MustCompile(`"rpc-\d\d"`)
	var wg sync.WaitGroup
	for i, c := range calls {
		stream := i%4 < 2
		wg.Go(func() {
			inv := &runtimeapi.Invocation{RequestID: c.requestID, Payload: c.event(), Deadline: time.Now().Add(c.deadline), Stream: stream}
			if stream {
				inv.Payload = c.urlEvent()
			}
			resp, err := api.Invoke(ctx, inv)
			if err != nil {
				t.Errorf("%s: %v", c.requestID, err)
				return
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Errorf("%s: reading the response: %v", c.requestID, err)
				return
			}
			var answer string
			if stream {
				_, after, ok := bytes.Cut(body, make([]byte, 8))
				if !ok {
					t.Errorf("%s: streamed response without a prelude: %q", c.requestID, body)
					return
				}
				answer = string(after)
			} else {
				var gw events.APIGatewayProxyResponse
				if err := json.Unmarshal(body, &gw); err != nil {
					t.Errorf("%s: %v: %s", c.requestID, err, body)
					return
				}
				answer = gw.Body
			}
			for _, id := range otherIDs.FindAllString(answer, -1) {
				if id != `"`+c.rpcID+`"` {
					t.Errorf("%s: answered with another request's id %s: %s", c.requestID, id, answer)
				}
			}
			if !strings.Contains(answer, `"id":"`+c.rpcID+`"`) {
				t.Errorf("%s (stream %v): answer %q lacks the id %s", c.requestID, stream, answer, c.rpcID)
			}
			if c.method == "tools/call" && c.deadline == time.Minute && !strings.Contains(answer, fmt.Sprintf("d=%d", c.delayMS)) {
				t.Errorf("%s (stream %v): ping answered %q", c.requestID, stream, answer)
			}
		})
	}
	wg.Wait()
	bootstrap.Stop()
	if out := bootstrap.Out.String(); strings.Contains(out, "DATA RACE") {
		t.Errorf("the race detector reported:\n%s", out)
	}
}
