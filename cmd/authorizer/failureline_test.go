package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/internal/bootstraptest"
)

// TestBootstrapFailureLine runs the real bootstrap against a local Runtime
// API, one invocation at a time and eight at once (as Lambda Managed
// Instances run it, AWS_LAMBDA_MAX_CONCURRENCY=8), and checks the line
// each failed invocation gets: a refused token's at INFO, an event no
// authorizer reads at ERROR, each with the request id of its invocation
// and without the token; and no line without a request id. Eight at once
// again with the bootstrap built with the race detector, which reports
// nothing.
func TestBootstrapFailureLine(t *testing.T) {
	bin := buildBootstrap(t)
	for _, tc := range []struct {
		name        string
		bin         func(*testing.T) string
		concurrency int
	}{
		{"concurrency 1", func(*testing.T) string { return bin }, 1},
		{"concurrency 8", func(*testing.T) string { return bin }, 8},
		// Built by the subtest: a build that fails fails it, not its parent.
		{"concurrency 8, race detector", buildRaceBootstrap, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			concurrency := tc.concurrency
			want := map[string]bootstraptest.FailureLine{}
			payloads := map[string][]byte{}
			for i := range 24 {
				id := fmt.Sprintf("req-%02d", i)
				switch i % 3 {
				case 0:
					payloads[id] = withToken("Bearer " + token)
				case 1:
					payloads[id] = withToken(fmt.Sprintf("Bearer wrong-token-value-%02d", i))
					want[id] = bootstraptest.FailureLine{Level: "INFO", Error: "Unauthorized"}
				case 2:
					payloads[id] = []byte(`{"type":"WEBSOCKET"}`)
					want[id] = bootstraptest.FailureLine{Level: "ERROR", Error: `unsupported authorizer event (type "WEBSOCKET", version "")`}
				}
			}
			env := []string{
				"AWS_LAMBDA_FUNCTION_NAME=authorizer", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
				auth.EnvTokenSHA256 + "=" + auth.HashToken(token),
			}
			out := bootstraptest.Invoke(t, tc.bin(t), env, concurrency, payloads, want)
			if strings.Contains(out, "DATA RACE") {
				t.Errorf("the race detector reported:\n%s", out)
			}
			if strings.Contains(out, token) || strings.Contains(out, "wrong-token-value") {
				t.Errorf("a token reached the logs:\n%s", out)
			}
			if diff := cmp.Diff(want, bootstraptest.FailureLines(t, out)); diff != "" {
				t.Errorf("failure lines by request id (-want +got):\n%s\n%s", diff, out)
			}
		})
	}
}
