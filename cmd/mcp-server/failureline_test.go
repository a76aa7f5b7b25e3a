package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// failureLine is what a log line says of a failed invocation.
type failureLine struct {
	Level, Error string
}

// TestBootstrapFailureLine runs the real bootstrap against a local Runtime
// API, one invocation at a time and eight at once (as Lambda Managed
// Instances run it, AWS_LAMBDA_MAX_CONCURRENCY=8), with events it cannot
// serve among ones it can: each such invocation fails and gets one line,
// at ERROR, with its request id; no line lacks a request id.
func TestBootstrapFailureLine(t *testing.T) {
	bin := buildCommand(t, t.TempDir(), "github.com/lambdamcp/lambdamcp/cmd/mcp-server")
	const undecodable = `decoding REST API event: field "/headers" holds a JSON number, which it cannot`
	for _, concurrency := range []int{1, 8} {
		t.Run(fmt.Sprintf("concurrency %d", concurrency), func(t *testing.T) {
			want := map[string]failureLine{}
			payloads := map[string][]byte{}
			for i := range 24 {
				c := managedCall{requestID: fmt.Sprintf("req-%02d", i), rpcID: fmt.Sprint(i), protocol: "2025-11-25", method: "tools/list"}
				switch i % 3 {
				case 0:
					payloads[c.requestID] = c.event()
				case 1:
					payloads[c.requestID] = []byte(`{}`)
					want[c.requestID] = failureLine{"ERROR", lambdamcp.ErrUnknownEvent.Error()}
				case 2:
					payloads[c.requestID] = []byte(`{"httpMethod":"POST","headers":5,"requestContext":{}}`)
					want[c.requestID] = failureLine{"ERROR", undecodable}
				}
			}
			out := invokeBootstrap(t, bin, concurrency, payloads, want)
			if diff := cmp.Diff(want, failureLines(t, out)); diff != "" {
				t.Errorf("failure lines by request id (-want +got):\n%s\n%s", diff, out)
			}
		})
	}
}

// invokeBootstrap runs bin with the given concurrency, hands it the
// payloads by request id all at once, checks that those of failing fail,
// and returns what the bootstrap wrote once it has been stopped.
func invokeBootstrap(t *testing.T, bin string, concurrency int, payloads map[string][]byte, failing map[string]failureLine) string {
	t.Helper()
	api := runtimeapi.NewConcurrentServer(concurrency)
	hs := httptest.NewServer(api)
	defer hs.Close()
	cmd := exec.Command(bin)
	cmd.Env = []string{
		"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(hs.URL, "http://"),
		fmt.Sprintf("AWS_LAMBDA_MAX_CONCURRENCY=%d", concurrency),
		"AWS_LAMBDA_FUNCTION_NAME=mcp-server", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=2048", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"PATH=" + os.Getenv("PATH"),
	}
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		api.Close(fmt.Errorf("the bootstrap exited: %v", cmd.ProcessState))
		close(exited)
	}()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for id, payload := range payloads {
		wg.Go(func() {
			resp, err := api.Invoke(ctx, &runtimeapi.Invocation{RequestID: id, Payload: payload, Deadline: time.Now().Add(time.Minute)})
			if err == nil {
				resp.Body.Close()
			}
			var fe *runtimeapi.FunctionError
			if _, fails := failing[id]; fails != errors.As(err, &fe) {
				t.Errorf("%s: Invoke = %v; want failing %v", id, err, fails)
			}
		})
	}
	wg.Wait()
	// Stop the process before reading all it wrote.
	cmd.Process.Kill()
	<-exited
	return out.String()
}

// failureLines reads the bootstrap's output, which must be JSON lines each
// with a request id, and returns what those about a failed invocation say,
// by request id; a second such line for one invocation, or another line
// at WARN or above, is an error.
func failureLines(t *testing.T, out string) map[string]failureLine {
	t.Helper()
	got := map[string]failureLine{}
	lines := bufio.NewScanner(strings.NewReader(out))
	for lines.Scan() {
		var rec struct {
			Level, Msg, Error string
			RequestID         *string `json:"request_id"`
		}
		if err := json.Unmarshal(lines.Bytes(), &rec); err != nil {
			t.Errorf("output line is not JSON: %s", lines.Text())
			continue
		}
		if rec.RequestID == nil {
			t.Errorf("line without a request id: %s", lines.Text())
			continue
		}
		if rec.Level == "INFO" || rec.Level == "DEBUG" {
			continue
		}
		if rec.Msg != "invocation failed" {
			t.Errorf("a %s line besides the failure line: %s", rec.Level, lines.Text())
			continue
		}
		if _, twice := got[*rec.RequestID]; twice {
			t.Errorf("a second failure line for %s: %s", *rec.RequestID, lines.Text())
		}
		got[*rec.RequestID] = failureLine{rec.Level, rec.Error}
	}
	return got
}
