//go:build !plan9

package lambdamcp_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/bootstraptest"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// envShutdownChild makes the test binary run Start with OnShutdown, as a
// Lambda function would.
const envShutdownChild = "LAMBDAMCP_TEST_SHUTDOWN_CHILD"

// shutdownMark is what the child's OnShutdown prints.
const shutdownMark = "OnShutdown ran"

// TestShutdownChild is the function side of TestStartOnShutdown; it only
// runs in the child.
func TestShutdownChild(t *testing.T) {
	if os.Getenv(envShutdownChild) != "1" {
		t.Skip("runs only as the child of TestStartOnShutdown")
	}
	lambdamcp.Start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}), &lambdamcp.Options{NoMetrics: true, OnShutdown: func() { os.Stdout.WriteString(shutdownMark + "\n") }})
}

// TestStartOnShutdown checks that Start, given OnShutdown, runs it when
// the runtime gets the SIGTERM Lambda sends at shutdown, and that the
// process then ends as the signal ends it by default, rather than run on
// until Lambda kills it.
func TestStartOnShutdown(t *testing.T) {
	if os.Getenv(envShutdownChild) == "1" {
		t.Skip("parent only")
	}
	api := runtimeapi.NewServer()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	out := &bootstraptest.Output{}
	child := exec.Command(os.Args[0], "-test.run=^TestShutdownChild$")
	child.Env = append(os.Environ(), envShutdownChild+"=1", "AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(srv.URL, "http://"))
	child.Stdout, child.Stderr = out, out
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		child.Wait()
		api.Close(nil)
		close(exited)
	}()
	t.Cleanup(func() {
		child.Process.Kill()
		<-exited
	})

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	// One invocation, answered: the runtime waits for the next event, as
	// it does when Lambda shuts the environment down.
	resp, err := api.Invoke(ctx, &runtimeapi.Invocation{RequestID: "r1", Payload: urlEvent(t, call("echo", `{}`)), Deadline: time.Now().Add(time.Minute)})
	if err != nil {
		t.Fatalf("invocation: %v\n%s", err, out)
	}
	resp.Body.Close()
	if _, err := api.WaitIdle(ctx); err != nil {
		t.Fatalf("the runtime did not ask for its next event: %v\n%s", err, out)
	}
	// Lambda sends SIGTERM only to a runtime that registered an
	// extension, as Start has aws-lambda-go do for OnShutdown.
	if n := api.Extensions(); n != 1 || strings.Contains(out.String(), "WARNING") {
		t.Errorf("%d extensions registered, want 1; the function wrote:\n%s", n, out)
	}
	if err := child.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		t.Fatalf("the function still runs 20 s after SIGTERM\n%s", out)
	}
	if !strings.Contains(out.String(), shutdownMark) {
		t.Errorf("OnShutdown did not run at SIGTERM; the function wrote:\n%s", out)
	}
	if ws, ok := child.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("the function ended with %v, want SIGTERM's default end", child.ProcessState)
	}
}
