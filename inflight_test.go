package lambdamcp_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp"
)

// awaitNoInvocations waits until no invocation's handler runs in this
// process, and fails if one still does after 10 s. NewSDKLogHandler gives a
// record the request id of the one invocation in flight, so a handler a
// test left running (a tool that ignores its context, a stream's handler
// finishing after the stream ended) would make the records of the next
// test's invocation go without one.
func awaitNoInvocations(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for lambdamcp.InvocationsInFlight() > 0 {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d invocations still in flight 10 s after the test:\n%s", lambdamcp.InvocationsInFlight(), buf[:runtime.Stack(buf, true)])
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond) // poll the condition, not a fixed wait
	}
}
