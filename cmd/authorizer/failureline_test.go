package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// lockedBuffer collects the bootstrap's output from its pipes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// failureLine is what a log line says of a failed invocation.
type failureLine struct {
	Level, Error string
}

// TestBootstrapFailureLine runs the real bootstrap against a local Runtime
// API, one invocation at a time and eight at once (as Lambda Managed
// Instances run it, AWS_LAMBDA_MAX_CONCURRENCY=8), and checks the line
// each failed invocation gets: a refused token's at INFO, an event no
// authorizer reads at ERROR, each with the request id of its invocation
// and without the token; and no line without a request id.
func TestBootstrapFailureLine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	withToken := func(h string) []byte {
		var m map[string]any
		_ = json.Unmarshal(tokenEvent, &m)
		m["authorizationToken"] = h
		b, _ := json.Marshal(m)
		return b
	}
	for _, concurrency := range []int{1, 8} {
		t.Run(fmt.Sprintf("concurrency %d", concurrency), func(t *testing.T) {
			want := map[string]failureLine{}
			payloads := map[string][]byte{}
			for i := range 24 {
				id := fmt.Sprintf("req-%02d", i)
				switch i % 3 {
				case 0:
					payloads[id] = withToken("Bearer " + token)
				case 1:
					payloads[id] = withToken(fmt.Sprintf("Bearer wrong-token-value-%02d", i))
					want[id] = failureLine{"INFO", "Unauthorized"}
				case 2:
					payloads[id] = []byte(`{"type":"WEBSOCKET"}`)
					want[id] = failureLine{"ERROR", `unsupported authorizer event (type "WEBSOCKET", version "")`}
				}
			}
			out := invokeBootstrap(t, bin, concurrency, payloads, want)
			if strings.Contains(out, token) || strings.Contains(out, "wrong-token-value") {
				t.Errorf("a token reached the logs:\n%s", out)
			}
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
		"AWS_LAMBDA_FUNCTION_NAME=authorizer", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		auth.EnvTokenSHA256 + "=" + auth.HashToken(token),
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
			_, err := api.Invoke(ctx, &runtimeapi.Invocation{RequestID: id, Payload: payload, Deadline: time.Now().Add(time.Minute)})
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
// by request id; a second such line for one invocation is an error.
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
		if rec.Msg != "invocation failed" {
			continue
		}
		if _, twice := got[*rec.RequestID]; twice {
			t.Errorf("a second failure line for %s: %s", *rec.RequestID, lines.Text())
		}
		got[*rec.RequestID] = failureLine{rec.Level, rec.Error}
	}
	return got
}
