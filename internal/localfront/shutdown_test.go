package localfront

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/bootstraptest"
)

// Set in testdata/fn: envOnShutdown makes the function ask for the SIGTERM
// of shutdown, and print shutdownMark when it comes.
const (
	envOnShutdown = "LOCALFRONT_TEST_ON_SHUTDOWN"
	shutdownMark  = "shutdown hook ran"
)

// TestFrontCloseRunsOnShutdown checks that a function that registered an
// internal extension, as lambdamcp.Start does for Options.OnShutdown, gets
// the SIGTERM Lambda sends when it shuts the environment down, so its
// OnShutdown runs when the front closes, and that the registration
// succeeds, without aws-lambda-go's warning.
func TestFrontCloseRunsOnShutdown(t *testing.T) {
	out := &bootstraptest.Output{}
	p, err := NewProcess(fnBinary, &FunctionConfig{Output: out, Env: []string{envOnShutdown + "=lambdamcp"}})
	if err != nil {
		t.Fatal(err)
	}
	f := startFront(t, Config{Shape: ShapeURL, Function: p})
	resp, body := do(t, sent{method: http.MethodGet, url: f.URL() + "/mcp"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s\n%s", resp.StatusCode, body, out)
	}
	f.Close()
	if !strings.Contains(out.String(), shutdownMark) {
		t.Errorf("OnShutdown did not run when the front closed; the function wrote:\n%s", out)
	}
	if strings.Contains(out.String(), "WARNING") {
		t.Errorf("the function warned:\n%s", out)
	}
}

// TestProcessTimeoutSendsSIGTERM checks that the environment of a function
// that timed out is reset as Lambda resets it, like a shutdown: a runtime
// with an extension gets SIGTERM before it is killed.
func TestProcessTimeoutSendsSIGTERM(t *testing.T) {
	out := &bootstraptest.Output{}
	p, reports := newTestProcess(t, FunctionConfig{Timeout: time.Second, Output: out, Env: []string{envOnShutdown + "=lambda"}})
	invokeEcho(t, p, `{}`)
	nextReport(t, reports)
	if fe := invokeFail(t, p, `{"action":"sleep","ms":10000}`); fe.Type != "Sandbox.Timedout" {
		t.Fatalf("error = %+v, want a timeout", fe)
	}
	if r := nextReport(t, reports); r.Status != "timeout" {
		t.Fatalf("report = %+v, want status timeout", r)
	}
	if !strings.Contains(out.String(), shutdownMark) {
		t.Errorf("the timed-out function got no SIGTERM; it wrote:\n%s", out)
	}
	if strings.Contains(out.String(), "WARNING") {
		t.Errorf("the function warned:\n%s", out)
	}
}
