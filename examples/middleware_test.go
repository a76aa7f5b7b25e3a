package examples_test

import (
	"testing"

	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
)

// TestEveryExampleHasMiddleware checks that every example adds
// lambdamcp.Middleware, as the package asks of every server it serves:
// without it a tool's context has no deadline and outlives its
// invocation, and a panic in a tool ends the process. Its refusal of a
// log level that is none of the protocol's, which the go-sdk takes,
// shows it is there.
func TestEveryExampleHasMiddleware(t *testing.T) {
	for name, h := range handlers(t) {
		t.Run(name, func(t *testing.T) {
			req := lambdatest.Call(lambdatest.Modern, 1, "server/discover", nil,
				map[string]any{"io.modelcontextprotocol/logLevel": "bogus"})
			last := lambdatest.Invoke(t, h, lambdatest.Routes[0], req).Last()
			e, _ := last["error"].(map[string]any)
			if e == nil || e["code"] != float64(-32602) {
				t.Errorf("server/discover with log level %q answered %v, want error -32602 from lambdamcp.Middleware", "bogus", last)
			}
		})
	}
}
