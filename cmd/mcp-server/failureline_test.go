package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/bootstraptest"
)

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
			want := map[string]bootstraptest.FailureLine{}
			payloads := map[string][]byte{}
			for i := range 24 {
				c := managedCall{requestID: fmt.Sprintf("req-%02d", i), rpcID: fmt.Sprint(i), protocol: "2025-11-25", method: "tools/list"}
				switch i % 3 {
				case 0:
					payloads[c.requestID] = c.event()
				case 1:
					payloads[c.requestID] = []byte(`{}`)
					want[c.requestID] = bootstraptest.FailureLine{Level: "ERROR", Error: lambdamcp.ErrUnknownEvent.Error()}
				case 2:
					payloads[c.requestID] = []byte(`{"httpMethod":"POST","headers":5,"requestContext":{}}`)
					want[c.requestID] = bootstraptest.FailureLine{Level: "ERROR", Error: undecodable}
				}
			}
			env := []string{"AWS_LAMBDA_FUNCTION_NAME=mcp-server", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=2048", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST"}
			out := bootstraptest.Invoke(t, bin, env, concurrency, payloads, want)
			// Before any invocation, with no request id to carry, the
			// start-up warns that nothing checks tokens (see
			// TestBootstrapWarnsWithoutAuthentication).
			out, warned := withoutLine(out, `"level":"WARN","msg":"no authentication:`)
			if !warned {
				t.Errorf("no warning of no authentication at start-up:\n%s", out)
			}
			if diff := cmp.Diff(want, bootstraptest.FailureLines(t, out)); diff != "" {
				t.Errorf("failure lines by request id (-want +got):\n%s\n%s", diff, out)
			}
		})
	}
}

// withoutLine returns out without its one line holding s, and whether there
// was one.
func withoutLine(out, s string) (string, bool) {
	var kept strings.Builder
	found := false
	for line := range strings.Lines(out) {
		if !found && strings.Contains(line, s) {
			found = true
			continue
		}
		kept.WriteString(line)
	}
	return kept.String(), found
}
