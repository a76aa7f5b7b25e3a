package localfront

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

type customError struct{}

func (customError) Error() string { return "custom" }

func TestInProcess(t *testing.T) {
	abandoned := make(chan struct{})
	t.Cleanup(func() { close(abandoned) })
	tests := []struct {
		name       string
		handler    any
		wantBody   string
		wantErr    *runtimeapi.FunctionError
		wantStatus string
		timeout    time.Duration // 0: 30 s, ample on a loaded machine
	}{
		{
			name: "sees the Lambda context",
			handler: func(ctx context.Context) (string, error) {
				lc, _ := lambdacontext.FromContext(ctx)
				_, hasDeadline := ctx.Deadline()
				return fmt.Sprintf("%s %s %v", lc.AwsRequestID, lc.InvokedFunctionArn, hasDeadline), nil
			},
			wantBody: `"req-1 arn:aws:lambda:us-east-1:123456789012:function:inproc true"`,
		},
		{
			// Lambda's deadline is the function's timeout from the start.
			name: "deadline within the timeout",
			handler: func(ctx context.Context) (bool, error) {
				deadline, _ := ctx.Deadline()
				left := time.Until(deadline)
				return left > 0 && left <= 30*time.Second, nil
			},
			wantBody: `true`,
		},
		{
			name:    "error typed like aws-lambda-go",
			handler: func() error { return customError{} },
			wantErr: &runtimeapi.FunctionError{Type: "customError", Message: "custom"},
		},
		{
			name:    "panic",
			handler: func() error { panic(errors.New("bad")) },
			wantErr: &runtimeapi.FunctionError{Type: "errorString", Message: "bad"},
		},
		{
			name: "timeout",
			handler: func() error { // runs on past its deadline
				select {
				case <-abandoned:
				case <-time.After(10 * time.Second): // a function that waited for it fails the test, not hangs
				}
				return nil
			},
			wantErr:    &runtimeapi.FunctionError{Type: "Sandbox.Timedout", Message: "RequestId: req-1 Error: Task timed out after 0.05 seconds"},
			wantStatus: "timeout",
			timeout:    50 * time.Millisecond,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var reports []Report
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 30 * time.Second
			}
			fn := NewInProcess(lambda.NewHandler(tc.handler), &FunctionConfig{
				Name: "inproc", Timeout: timeout, OnReport: func(r Report) { reports = append(reports, r) },
			})
			resp, err := fn.Invoke(context.Background(), &runtimeapi.Invocation{RequestID: "req-1", Payload: []byte(`{}`)})
			if tc.wantErr != nil {
				var fe *runtimeapi.FunctionError
				if !errors.As(err, &fe) {
					t.Fatalf("error = %v, want %v", err, tc.wantErr)
				}
				if diff := cmp.Diff(tc.wantErr, fe); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if got := readAll(t, resp); got != tc.wantBody {
					t.Errorf("body = %s, want %s", got, tc.wantBody)
				}
			}
			if len(reports) != 1 || !reports[0].ColdStart || reports[0].Status != tc.wantStatus || reports[0].RequestID != "req-1" {
				t.Errorf("reports = %+v", reports)
			}
		})
	}
}

func readAll(t *testing.T, resp *runtimeapi.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func ExampleReport_String() {
	r := Report{
		RequestID: "8476a536-e9f4-11e8-9739-2dfe598c3fcd", Duration: 1725 * time.Microsecond,
		ColdStart: true, InitDuration: 11234 * time.Microsecond, MemoryMB: 128, MaxMemoryUsedMB: 10,
	}
	fmt.Println(r)
	// Output: REPORT RequestId: 8476a536-e9f4-11e8-9739-2dfe598c3fcd	Duration: 1.73 ms	Billed Duration: 2 ms	Memory Size: 128 MB	Max Memory Used: 10 MB	Init Duration: 11.23 ms
}

// TestInProcessLikeEnvironments checks that InProcess runs as many
// invocations at once as FunctionConfig.Concurrency says, the others
// waiting, and refuses a response over Lambda's 6 MB.
func TestInProcessLikeEnvironments(t *testing.T) {
	var running, most atomic.Int32
	// handler waits until as many invocations run as concurrency, so that
	// those that may run together are seen together however the machine
	// schedules them; a function that let fewer run keeps it waiting 10 s.
	handler := func(concurrency int32) lambda.Handler {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		t.Cleanup(cancel)
		full := make(chan struct{})
		var once sync.Once
		return lambda.NewHandler(func(size int) (string, error) {
			n := running.Add(1)
			defer running.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			if n >= concurrency {
				once.Do(func() { close(full) })
			}
			select {
			case <-full:
			case <-ctx.Done():
			}
			return strings.Repeat("x", size), nil
		})
	}
	invoke := func(f *InProcess, payload string) error {
		_, err := f.Invoke(t.Context(), &runtimeapi.Invocation{RequestID: "r", Payload: []byte(payload), Deadline: time.Now().Add(time.Minute)})
		return err
	}
	for _, concurrency := range []int{1, 2} {
		most.Store(0)
		f := NewInProcess(handler(int32(concurrency)), &FunctionConfig{Concurrency: concurrency})
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				if err := invoke(f, "1"); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got := most.Load(); got != int32(concurrency) {
			t.Errorf("concurrency %d: %d invocations ran at once", concurrency, got)
		}
	}
	// Lambda's bound on a buffered response: up to 6 MB, not a byte more.
	for _, tc := range []struct {
		size     int // of the response, a JSON string of size-2 letters
		tooLarge bool
	}{
		{runtimeapi.MaxBufferedResponse, false},
		{runtimeapi.MaxBufferedResponse + 1, true},
		{7 << 20, true},
	} {
		err := invoke(NewInProcess(handler(1), nil), strconv.Itoa(tc.size-2))
		var fe *runtimeapi.FunctionError
		if got := errors.As(err, &fe) && fe.Type == "Function.ResponseSizeTooLarge"; got != tc.tooLarge || (!tc.tooLarge && err != nil) {
			t.Errorf("a response of %d bytes: %v, want Function.ResponseSizeTooLarge %v", tc.size, err, tc.tooLarge)
		}
	}
}
