package lambdamcp_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/lambdamcp/lambdamcp"
)

// envLogLevelChild makes the test binary run Start as on Lambda, against
// a Runtime API nobody serves: Start logs what it logs at cold start, then
// the runtime ends the process. "nometrics" runs it with NoMetrics.
const envLogLevelChild = "LAMBDAMCP_TEST_LOG_LEVEL_CHILD"

// TestLogLevelChild is the function of TestStartWarnsOfLogLevel; it only
// runs in the child.
func TestLogLevelChild(t *testing.T) {
	mode := os.Getenv(envLogLevelChild)
	if mode == "" {
		t.Skip("runs only as the child of TestStartWarnsOfLogLevel")
	}
	lambdamcp.Start(http.NotFoundHandler(), &lambdamcp.Options{
		Logger:    slog.New(slog.NewJSONHandler(os.Stdout, nil)),
		NoMetrics: mode == "nometrics",
	})
}

// TestStartWarnsOfLogLevel checks that Start, writing its metric lines to
// stdout, says at cold start when the function's application log level
// (AWS_LAMBDA_LOG_LEVEL, set by Lambda's log-level filtering) is above
// INFO: Lambda takes a line without a level for an INFO one and drops it,
// and so every metric, the Faults an alarm watches among them. It says so
// at a level the filter lets through, and says nothing at INFO or below,
// without the variable, or without metrics.
func TestStartWarnsOfLogLevel(t *testing.T) {
	if os.Getenv(envLogLevelChild) != "" {
		t.Skip("parent only")
	}
	for _, tc := range []struct {
		name, mode, level string
		want              string // the level of the line, "" for none
	}{
		{"WARN", "metrics", "WARN", "WARN"},
		{"ERROR", "metrics", "ERROR", "ERROR"},
		{"FATAL", "metrics", "FATAL", "ERROR"},
		{"lower case", "metrics", "warn", "WARN"},
		{"INFO", "metrics", "INFO", ""},
		{"DEBUG", "metrics", "DEBUG", ""},
		{"unset", "metrics", "", ""},
		{"WARN without metrics", "nometrics", "WARN", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			child := exec.Command(os.Args[0], "-test.run=^TestLogLevelChild$")
			var env []string
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "AWS_LAMBDA_LOG_LEVEL=") {
					env = append(env, kv)
				}
			}
			env = append(env, envLogLevelChild+"="+tc.mode, "AWS_LAMBDA_RUNTIME_API=127.0.0.1:1")
			if tc.level != "" {
				env = append(env, "AWS_LAMBDA_LOG_LEVEL="+tc.level)
			}
			child.Env = env
			var stdout, stderr bytes.Buffer
			child.Stdout, child.Stderr = &stdout, &stderr
			child.Run() // the runtime ends the process: no Runtime API answers
			if !strings.Contains(stderr.String(), "invocation/next") {
				t.Fatalf("the child did not reach the runtime's loop:\n%s%s", stdout.String(), stderr.String())
			}
			var levels []string
			for line := range strings.SplitSeq(stdout.String(), "\n") {
				var rec map[string]any
				if json.Unmarshal([]byte(line), &rec) != nil {
					continue
				}
				if msg, _ := rec["msg"].(string); strings.Contains(msg, "AWS_LAMBDA_LOG_LEVEL") {
					if !strings.Contains(msg, "metric") {
						t.Errorf("line %q does not say the metrics are lost", msg)
					}
					level, _ := rec["level"].(string)
					levels = append(levels, level)
				}
			}
			switch {
			case tc.want == "" && len(levels) > 0:
				t.Errorf("lines at %q naming AWS_LAMBDA_LOG_LEVEL, want none\nstdout:\n%s", levels, stdout.String())
			case tc.want != "" && (len(levels) != 1 || levels[0] != tc.want):
				t.Errorf("lines at %q naming AWS_LAMBDA_LOG_LEVEL, want one at %s\nstdout:\n%s", levels, tc.want, stdout.String())
			}
		})
	}
}
