// Package bootstraptest runs a compiled Lambda bootstrap against the local
// Runtime API (internal/runtimeapi), for the tests of the commands: several
// invocations at once, as Lambda Managed Instances hand them over, and the
// log lines the bootstrap wrote, read back by request id.
package bootstraptest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// Output collects a bootstrap's output from its pipes.
type Output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// Process is a bootstrap running against a local Runtime API.
type Process struct {
	// Out is what the process writes to its standard output and error.
	Out    *Output
	cmd    *exec.Cmd
	exited chan struct{}
}

// Start runs bin against a local Runtime API, api, served through front
// (api itself, or a handler wrapping it), with the environment env and
// PATH. When the process exits, api is closed with an error saying so, so
// that no invocation waits for it in vain. The process is killed, and the
// server closed, when the test ends.
func Start(t *testing.T, bin string, api interface{ Close(error) }, front http.Handler, env ...string) *Process {
	t.Helper()
	hs := httptest.NewServer(front)
	cmd := exec.Command(bin)
	cmd.Env = append([]string{"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(hs.URL, "http://"), "PATH=" + os.Getenv("PATH")}, env...)
	p := &Process{Out: &Output{}, cmd: cmd, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.Out, p.Out
	if err := cmd.Start(); err != nil {
		hs.Close()
		t.Fatal(err)
	}
	go func() {
		cmd.Wait()
		api.Close(fmt.Errorf("the bootstrap exited (%v)", cmd.ProcessState))
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.Stop()
		hs.Close()
	})
	return p
}

// Stop kills the process and waits for it to end.
func (p *Process) Stop() {
	p.cmd.Process.Kill()
	<-p.exited
}

// Signal sends sig to the process.
func (p *Process) Signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signalling the bootstrap: %v", err)
	}
}

// Exited reports whether the process ends within d.
func (p *Process) Exited(d time.Duration) bool {
	select {
	case <-p.exited:
		return true
	case <-time.After(d):
		return false
	}
}

// Wait waits for the process to end and returns its exit status.
func (p *Process) Wait() int {
	<-p.exited
	return p.cmd.ProcessState.ExitCode()
}

// Invoke runs bin with AWS_LAMBDA_MAX_CONCURRENCY set to concurrency and
// the environment env, hands it the payloads by request id all at once,
// checks that exactly those named in failing fail, and returns what the
// bootstrap wrote once it has been stopped.
func Invoke[V any](t *testing.T, bin string, env []string, concurrency int, payloads map[string][]byte, failing map[string]V) string {
	t.Helper()
	api := runtimeapi.NewConcurrentServer(concurrency)
	p := Start(t, bin, api, api, append([]string{fmt.Sprintf("AWS_LAMBDA_MAX_CONCURRENCY=%d", concurrency)}, env...)...)
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
	p.Stop()
	return p.Out.String()
}

// FailureLine is what a log line says of a failed invocation.
type FailureLine struct {
	Level, Error string
}

// FailureLines reads a bootstrap's output, which must be JSON lines each
// with a request id, and returns what the lines about a failed invocation
// ("invocation failed") say, by request id. A second such line for one
// invocation is an error, and so is any other line at WARN or above.
func FailureLines(t *testing.T, out string) map[string]FailureLine {
	t.Helper()
	got := map[string]FailureLine{}
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
			if rec.Level != "INFO" && rec.Level != "DEBUG" {
				t.Errorf("a %s line besides the failure line: %s", rec.Level, lines.Text())
			}
			continue
		}
		if _, twice := got[*rec.RequestID]; twice {
			t.Errorf("a second failure line for %s: %s", *rec.RequestID, lines.Text())
		}
		got[*rec.RequestID] = FailureLine{rec.Level, rec.Error}
	}
	return got
}
