package localfront

import (
	"regexp"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// lambdaRequestID is the form of Lambda's request ids: random (version 4)
// UUIDs of RFC 9562's variant, in lower case.
var lambdaRequestID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestPrepareFillsInvocation: an invocation given without a request id,
// ARN or trace id gets Lambda's, each request id a random UUID as
// Lambda's are; one given keeps its own.
func TestPrepareFillsInvocation(t *testing.T) {
	c := FunctionConfig{Name: "fn", Timeout: 3 * time.Second}.withDefaults()
	now := time.Unix(1700000000, 0)
	t.Run("filled", func(t *testing.T) {
		seen := map[string]bool{}
		// Many ids, as one could have the UUID's fixed bits by chance.
		for range 64 {
			inv := &runtimeapi.Invocation{}
			c.prepare(inv, now)
			if !lambdaRequestID.MatchString(inv.RequestID) || seen[inv.RequestID] {
				t.Fatalf("request id %q, want a new random UUID", inv.RequestID)
			}
			seen[inv.RequestID] = true
			if inv.FunctionARN != c.arn() || inv.TraceID == "" || !inv.Deadline.Equal(now.Add(3*time.Second)) {
				t.Fatalf("prepared %+v, want ARN %s, a trace id and the deadline 3s on", inv, c.arn())
			}
		}
	})
	t.Run("kept", func(t *testing.T) {
		inv := &runtimeapi.Invocation{RequestID: "req-1", FunctionARN: "arn:x", TraceID: "Root=1-x"}
		c.prepare(inv, now)
		if inv.RequestID != "req-1" || inv.FunctionARN != "arn:x" || inv.TraceID != "Root=1-x" {
			t.Errorf("prepared %+v, want the caller's ids kept", inv)
		}
	})
}
