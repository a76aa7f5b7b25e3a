package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// TestRunLogsInitError checks that on Lambda an environment Run cannot
// run with is also one JSON line of the function's log, at ERROR, naming
// the setting, as the authorizer's is: the line printed on stderr is
// plain text, which Lambda's log-level filtering takes for INFO and drops
// above it, and which has no level to query by.
func TestRunLogsInitError(t *testing.T) {
	api := runtimeapi.NewServer()
	hs := httptest.NewServer(api)
	defer hs.Close()
	env := map[string]string{"AWS_LAMBDA_RUNTIME_API": strings.TrimPrefix(hs.URL, "http://"), EnvStream: "soap"}
	var out bytes.Buffer
	returned := make(chan error, 1)
	go func() {
		returned <- Run(t.Context(), Handler(demoserver.New(demoserver.Options{}), nil), &Options{
			Logger: slog.New(slog.NewJSONHandler(&out, nil)),
			Getenv: func(k string) string { return env[k] },
		})
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	api.Invoke(ctx, &runtimeapi.Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute)})
	if err := <-returned; err == nil {
		t.Fatal("Run = nil, want the ConfigError")
	}
	var found int
	for line := range strings.SplitSeq(strings.TrimSpace(out.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("line %q is no JSON: %v", line, err)
		}
		if e, _ := rec["error"].(string); rec["level"] == "ERROR" && rec["msg"] == "configuration" && strings.Contains(e, EnvStream) {
			found++
		}
	}
	if found != 1 {
		t.Errorf("found %d ERROR lines \"configuration\" naming %s, want 1; log:\n%s", found, EnvStream, out.String())
	}
}

// TestRunLogsNoInitErrorOffLambda checks that off Lambda the error is
// Run's to return only: the command prints it, as a command's error.
func TestRunLogsNoInitErrorOffLambda(t *testing.T) {
	var out bytes.Buffer
	err := Run(context.Background(), Handler(demoserver.New(demoserver.Options{}), nil), &Options{
		Logger: slog.New(slog.NewJSONHandler(&out, nil)),
		Getenv: func(k string) string { return map[string]string{EnvStream: "soap"}[k] },
	})
	if err == nil || strings.Contains(out.String(), `"configuration"`) {
		t.Errorf("Run = %v, log %q; want the error returned and not logged", err, out.String())
	}
}
