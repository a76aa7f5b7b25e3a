package localfront

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// InProcess calls a lambda.Handler directly, with the context Lambda's Go
// runtime would give it (request id and ARN in lambdacontext, the deadline).
// It is quick and fit for unit tests; the Runtime API is not involved, so use
// [Process] with the real bootstrap to prove the deployed path.
//
// Like execution environments, it runs FunctionConfig.Concurrency
// invocations at once (one by default; others wait), and refuses a response
// over Lambda's 6 MB. Unlike them, a handler abandoned at its deadline goes
// on running: a goroutine cannot be stopped.
type InProcess struct {
	h     lambda.Handler
	cfg   FunctionConfig
	slots chan struct{} // one per invocation that may run at once

	once sync.Once

	mu     sync.Mutex // over reporting and closed
	closed bool       // Close has returned: an invocation still running reports nothing
}

// NewInProcessHTTP returns a Function serving every event with h through
// lambdamcp.NewHandler, exactly as a bootstrap calling lambdamcp.Start does.
func NewInProcessHTTP(h http.Handler, cfg *FunctionConfig) *InProcess {
	return NewInProcess(lambdamcp.NewHandler(h, nil), cfg)
}

// NewInProcess returns a Function calling h, for example a handler made with
// lambda.NewHandler.
func NewInProcess(h lambda.Handler, cfg *FunctionConfig) *InProcess {
	var c FunctionConfig
	if cfg != nil {
		c = *cfg
	}
	c = c.withDefaults()
	return &InProcess{h: h, cfg: c, slots: make(chan struct{}, c.Concurrency)}
}

// Invoke implements [Function]. Errors and panics become a
// *runtimeapi.FunctionError typed as aws-lambda-go types them; a handler
// still running at the deadline is abandoned with a timeout error.
func (f *InProcess) Invoke(ctx context.Context, inv *runtimeapi.Invocation) (*runtimeapi.Response, error) {
	select {
	case f.slots <- struct{}{}:
		defer func() { <-f.slots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := ctx.Err(); err != nil {
		return nil, err // select chose the slot, but the caller has gone
	}
	cold := false
	f.once.Do(func() { cold = true })
	start := time.Now()
	f.cfg.prepare(inv, start)
	ctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), inv.Deadline)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       inv.RequestID,
		InvokedFunctionArn: inv.FunctionARN,
	})

	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- result{err: &runtimeapi.FunctionError{Type: typeName(v), Message: fmt.Sprint(v)}}
			}
		}()
		out, err := f.h.Invoke(ctx, inv.Payload)
		if err != nil {
			err = &runtimeapi.FunctionError{Type: typeName(err), Message: err.Error()}
		}
		done <- result{out, err}
	}()

	r := Report{RequestID: inv.RequestID, ColdStart: cold}
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		res.err = timeoutError(inv.RequestID, f.cfg.Timeout, "Task")
		r.Status = "timeout"
	}
	if res.err == nil && len(res.out) > runtimeapi.MaxBufferedResponse {
		res.err = &runtimeapi.FunctionError{Type: "Function.ResponseSizeTooLarge",
			Message: fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", runtimeapi.MaxBufferedResponse)}
		r.Status = "error"
	}
	r.Duration = time.Since(start)
	f.mu.Lock()
	if !f.closed {
		f.cfg.report(r)
	}
	f.mu.Unlock()
	if res.err != nil {
		return nil, res.err
	}
	return &runtimeapi.Response{ContentType: "application/json", Body: io.NopCloser(bytes.NewReader(res.out))}, nil
}

// Close implements [Function]. A handler cannot be stopped: one still
// running (abandoned at its deadline, or whose caller stopped waiting)
// reports nothing once Close has returned, the report's writer may be
// gone.
func (f *InProcess) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

// typeName names an error's type the way aws-lambda-go reports errorType.
func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t == nil {
		return "Unhandled"
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}
