package main

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lambdamcp/lambdamcp/internal/demoserver"
)

// startReference serves the reference server in process, as cmd/mcp-server
// does locally, and returns its MCP endpoint.
func startReference(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(demoserver.Mux(demoserver.Handler(demoserver.New(demoserver.Options{}), nil)))
	t.Cleanup(srv.Close)
	return srv.URL + "/mcp"
}

func noEnv(string) string { return "" }

// TestFailureNotBlamedOnEarlierStatus checks that a failure is explained by
// its own request's answer: in the 2025-11-25 era the SDK opens a GET
// stream the stateless server refuses with 405, which must not show up in
// the explanation of a later, unrelated failure.
func TestFailureNotBlamedOnEarlierStatus(t *testing.T) {
	endpoint := startReference(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown tool", []string{"-call", "nosuch"}, "calling nosuch"},
		{"timeout", []string{"-call", "ping", "-args", `{"delay_ms":3000}`, "-timeout", "1s"}, "timed out"},
	}
	for _, protocol := range []string{"2025-11-25", "2026-07-28"} {
		for _, tc := range tests {
			t.Run(protocol+"/"+tc.name, func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				code := run(t.Context(), append([]string{"-endpoint", endpoint, "-protocol", protocol}, tc.args...), noEnv, &stdout, &stderr)
				if code != 1 || !strings.Contains(stderr.String(), tc.want) {
					t.Errorf("exit %d, stderr %q; want exit 1 and %q", code, stderr.String(), tc.want)
				}
				if strings.Contains(stderr.String(), "405") {
					t.Errorf("stderr %q blames the failure on the GET stream's 405", stderr.String())
				}
			})
		}
	}
}
