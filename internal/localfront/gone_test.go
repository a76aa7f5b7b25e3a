package localfront

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// TestInProcessGoneCallerStartsNothing checks that an invocation whose
// caller has gone before it got an execution environment does not start,
// even when one is free at that moment: a gateway that stopped waiting
// (IntegrationTimeout) must not have its queued requests run later.
func TestInProcessGoneCallerStartsNothing(t *testing.T) {
	var ran atomic.Int64
	fn := NewInProcess(lambda.NewHandler(func() error { ran.Add(1); return nil }), nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 200 {
		fn.Invoke(ctx, &runtimeapi.Invocation{Payload: []byte("{}")})
	}
	if n := ran.Load(); n != 0 {
		t.Errorf("%d of 200 invocations with an ended ctx ran", n)
	}
}

// TestProcessGoneCallerStartsNothing is the same for a real bootstrap.
func TestProcessGoneCallerStartsNothing(t *testing.T) {
	p, _ := newTestProcess(t, FunctionConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	started := 0
	for range 12 {
		if _, err := p.Invoke(ctx, &runtimeapi.Invocation{Payload: []byte(`{}`)}); err == nil {
			started++
		}
	}
	if started != 0 {
		t.Errorf("%d of 12 invocations with an ended ctx ran", started)
	}
	// Each gave back the execution environment it took: one for a caller
	// still there gets it. The bound is on a hang, not a wait.
	live, stop := context.WithTimeout(context.Background(), 20*time.Second)
	defer stop()
	resp, err := p.Invoke(live, &runtimeapi.Invocation{Payload: []byte(`{}`)})
	if err != nil {
		t.Fatalf("an invocation after those gone: %v", err)
	}
	resp.Body.Close()
}
