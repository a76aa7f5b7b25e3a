package main

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/bootstraptest"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// TestBootstrapEndsAtSIGTERM checks that the real bootstrap, on Lambda,
// ends when it gets SIGTERM, as the runtime must: Lambda sends it at
// shutdown when extensions are registered, and kills a runtime that does
// not end only once the shutdown's time is up. The shutdown a local
// server makes of the signal has nothing to do on Lambda.
func TestBootstrapEndsAtSIGTERM(t *testing.T) {
	bin := buildCommand(t, t.TempDir(), "github.com/lambdamcp/lambdamcp/cmd/mcp-server")
	api := runtimeapi.NewServer()
	p := bootstraptest.Start(t, bin, api, api)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	// One invocation, answered: the runtime has started and waits for
	// the next event, as it does when Lambda shuts the environment down.
	resp, err := api.Invoke(ctx, &runtimeapi.Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute)})
	if err == nil {
		resp.Body.Close()
	}
	if _, err := api.WaitIdle(ctx); err != nil {
		t.Fatalf("the runtime did not ask for its next event: %v\n%s", err, p.Out)
	}
	p.Signal(t, syscall.SIGTERM)
	if !p.Exited(20 * time.Second) {
		t.Fatalf("the bootstrap still runs 20 s after SIGTERM\n%s", p.Out)
	}
}
