package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
	"github.com/lambdamcp/lambdamcp/requeststate"
)

// TestKeyErrorReachesLambda checks that on Lambda a missing or malformed
// MCP_REQUEST_STATE_KEY reaches the Runtime API as the init error, naming
// the setting and never its value, so that the invocation waiting for the
// function says why it did not start.
func TestKeyErrorReachesLambda(t *testing.T) {
	const short = "c2hvcnQta2V5" // "short-key" in base64: nine bytes
	for _, tc := range []struct {
		name string
		key  string
	}{
		{"no key", ""},
		{"a key of nine bytes", short},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := runtimeapi.NewServer()
			hs := httptest.NewServer(api)
			defer hs.Close()
			addr := strings.TrimPrefix(hs.URL, "http://")
			t.Setenv("AWS_LAMBDA_RUNTIME_API", addr) // read by lambdamcp.ReportConfigError
			env := map[string]string{"AWS_LAMBDA_RUNTIME_API": addr, requeststate.EnvKey: tc.key}
			var stderr bytes.Buffer
			done := make(chan error, 1)
			go func() {
				_, err := newSealer(t.Context(), func(k string) string { return env[k] }, &stderr, slog.New(slog.DiscardHandler))
				api.Close(errors.New("newSealer returned without reporting why"))
				done <- err
			}()
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			_, err := api.Invoke(ctx, &runtimeapi.Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute)})
			var fe *runtimeapi.FunctionError
			if !errors.As(err, &fe) || fe.Type != runtimeapi.ErrorTypeConfigInvalid || !strings.Contains(fe.Message, requeststate.EnvKey) {
				t.Errorf("Invoke = %v, want %s naming %s", err, runtimeapi.ErrorTypeConfigInvalid, requeststate.EnvKey)
			}
			if fe != nil && strings.Contains(fe.Message, short) {
				t.Errorf("the init error %q prints the key", fe.Message)
			}
			if err := <-done; err == nil {
				t.Error("newSealer made a Sealer")
			}
			if !strings.Contains(stderr.String(), requeststate.EnvKey) {
				t.Errorf("stderr does not name %s: %s", requeststate.EnvKey, stderr.String())
			}
		})
	}
}

// TestEphemeralKeySaid checks that off Lambda, without a key, the command
// runs with a key of its own and says so as the rest of its log is
// written: one slog JSON line, a warning, and nothing on stderr.
func TestEphemeralKeySaid(t *testing.T) {
	var stderr, log bytes.Buffer
	s, err := newSealer(t.Context(), func(string) string { return "" }, &stderr, slog.New(slog.NewJSONHandler(&log, nil)))
	if err != nil || s == nil {
		t.Fatalf("newSealer = %v, %v; want a Sealer", s, err)
	}
	var line struct{ Level, Msg string }
	if err := json.Unmarshal(log.Bytes(), &line); err != nil || line.Level != "WARN" || !strings.Contains(line.Msg, "key of this process only") {
		t.Errorf("log = %q, want one JSON warning saying the key is the process's own", log.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr = %q, want nothing: the warning is logged", stderr.String())
	}
}
