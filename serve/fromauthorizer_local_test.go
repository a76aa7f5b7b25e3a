package serve

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
)

// TestRunFromAuthorizerLocallySaysWhatToDo checks that the warning of a
// local server told to trust a Lambda authorizer, which refuses every
// request, says what to do too: leave the variable unset here, or run the
// function behind its authorizer with the local front.
func TestRunFromAuthorizerLocallySaysWhatToDo(t *testing.T) {
	var logs strings.Builder
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	sw := &syncWriter{w: &logs, listening: make(chan struct{})}
	go func() {
		done <- Run(ctx, Handler(demoserver.New(demoserver.Options{}), nil), &Options{
			Addr: "127.0.0.1:0", Logger: slog.New(slog.NewJSONHandler(sw, nil)),
			Getenv: func(k string) string { return map[string]string{auth.EnvFromAuthorizer: "1"}[k] },
		})
	}()
	select {
	case <-sw.listening:
	case err := <-done:
		t.Fatalf("Run = %v before listening", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	var warning string
	for line := range strings.SplitSeq(logs.String(), "\n") {
		var rec struct{ Level, Msg string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Level == "WARN" && strings.Contains(rec.Msg, "outside Lambda") {
			warning = rec.Msg
		}
	}
	if !strings.Contains(warning, "unset") || !strings.Contains(warning, "lambdamcp-local") {
		t.Errorf("warning %q, want it to say to leave %s unset, or to run the authorizer with lambdamcp-local\nlogs:\n%s", warning, auth.EnvFromAuthorizer, logs.String())
	}
}
