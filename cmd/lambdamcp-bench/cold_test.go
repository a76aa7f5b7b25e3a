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
// the process is started: with a clock that only starting a process moves,
// by an hour, every cold start takes an hour.
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
		}},
		{"Runtime API", func(ctx context.Context) (summary, error) {
			res, err := measureLambda(ctx, self, 2, 1, 5, testProcess+"=lambda")
			return res.cold, err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var clock atomic.Int64
			realNow, realStart := now, startCmd
			t.Cleanup(func() { now, startCmd = realNow, realStart })
			now = func() time.Time { return time.Unix(0, clock.Load()) }
			startCmd = func(c *exec.Cmd) error {
				clock.Add(int64(time.Hour))
				return realStart(c)
			}
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			got, err := tc.measure(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := summary{n: 2, p50: time.Hour, p90: time.Hour, p99: time.Hour}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(summary{})); diff != "" {
				t.Errorf("cold starts (-want +got):\n%s", diff)
			}
		})
	}
}
