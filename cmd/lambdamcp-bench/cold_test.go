package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/google/go-cmp/cmp"
)

// testProcess, set in its environment, makes the test binary stand in for
// the process a cold start execs: "http" for an HTTP server, "lambda" for
// a bootstrap.
const testProcess = "LAMBDAMCP_BENCH_TEST_PROCESS"

func TestMain(m *testing.M) {
	switch os.Getenv(testProcess) {
	case "http":
		serveTestProcess()
	case "lambda":
		lambda.Start(func(context.Context, events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
			return events.LambdaFunctionURLResponse{StatusCode: http.StatusOK,
				Headers: map[string]string{"Content-Type": "application/json"}, Body: testAnswer}, nil
		})
	default:
		os.Exit(m.Run())
	}
}

const testAnswer = `{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"pong! d=0"}]}}`

// serveTestProcess answers every request with testAnswer, after printing
// the URL it listens on as the servers under test do.
func serveTestProcess() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on http://%s/mcp\n", ln.Addr())
	http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, testAnswer)
	}))
}

// TestColdStartTimesTheExec checks that a cold start is timed from before
// the process is started until its first answer, and no further: with a
// clock that starting a process moves by an hour, a bootstrap's first
// invocation by a minute and its stop by a second, every cold start of a
// server takes an hour and every cold start of a bootstrap an hour and a
// minute.
func TestColdStartTimesTheExec(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		measure func(context.Context) (summary, error)
		want    time.Duration
	}{
		{"HTTP server", func(ctx context.Context) (summary, error) {
			var colds []time.Duration
			for range 2 {
				d, err := coldStart(ctx, serverSpec{name: "test process", argv: []string{self}, env: append(os.Environ(), testProcess+"=http")})
				if err != nil {
					return summary{}, err
				}
				colds = append(colds, d)
			}
			return summarize(colds), nil
		}, time.Hour},
		{"Runtime API", func(ctx context.Context) (summary, error) {
			res, err := measureLambda(ctx, self, 2, 1, 5, testProcess+"=lambda")
			return res.cold, err
		}, time.Hour + time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var clock atomic.Int64
			realNow, realStart, realCall, realStop := now, startCmd, callEnv, stopEnv
			t.Cleanup(func() { now, startCmd, callEnv, stopEnv = realNow, realStart, realCall, realStop })
			now = func() time.Time { return time.Unix(0, clock.Load()) }
			startCmd = func(c *exec.Cmd) error {
				clock.Add(int64(time.Hour))
				return realStart(c)
			}
			callEnv = func(e *lambdaEnv, ctx context.Context, payload []byte) ([]byte, error) {
				clock.Add(int64(time.Minute))
				return realCall(e, ctx, payload)
			}
			stopEnv = func(e *lambdaEnv) {
				clock.Add(int64(time.Second))
				realStop(e)
			}
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			got, err := tc.measure(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := summary{n: 2, p50: tc.want, p90: tc.want, p99: tc.want}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(summary{})); diff != "" {
				t.Errorf("cold starts (-want +got):\n%s", diff)
			}
		})
	}
}
