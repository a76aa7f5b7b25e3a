package localfront

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// A Function is a Lambda function the front can invoke: a compiled bootstrap
// run as a child process ([NewProcess]) or a handler called in this process
// ([NewInProcess]).
type Function interface {
	// Invoke runs one invocation. Fields of inv left empty (request id, ARN,
	// trace id, deadline) are filled in. A failed invocation returns a
	// *runtimeapi.FunctionError, as Lambda would report it. ctx bounds
	// only the wait for an execution environment: an invocation that has
	// started runs to its end whatever becomes of ctx, as Lambda's do.
	Invoke(ctx context.Context, inv *runtimeapi.Invocation) (*runtimeapi.Response, error)
	// Close stops the function's processes.
	Close() error
}

// FunctionConfig describes a function's Lambda configuration. The zero value
// is usable; every field documents its default.
type FunctionConfig struct {
	// Name is AWS_LAMBDA_FUNCTION_NAME and part of the ARN; default "function".
	Name string
	// MemoryMB is AWS_LAMBDA_FUNCTION_MEMORY_SIZE, reported in REPORT lines
	// (not enforced); default 128.
	MemoryMB int
	// Timeout is the function timeout, enforced by killing the process; default 30s.
	Timeout time.Duration
	// InitTimeout bounds the init phase (process start to its first request
	// for an event), Lambda's 10s; default 10s.
	InitTimeout time.Duration
	// Region is AWS_REGION; default "us-east-1".
	Region string
	// Env holds extra KEY=VALUE variables for the function's process.
	Env []string
	// Concurrency is how many invocations run at once, each in its own
	// process (Lambda's execution environments); default 1, so requests queue.
	Concurrency int
	// Output receives the process's stdout and stderr; nil discards them.
	Output io.Writer
	// Logger receives a REPORT line per invocation; nil logs nothing.
	Logger *slog.Logger
	// OnReport, when set, is called with each invocation's figures.
	OnReport func(Report)
}

const accountID = "123456789012"

func (c FunctionConfig) withDefaults() FunctionConfig {
	if c.Name == "" {
		c.Name = "function"
	}
	if c.MemoryMB == 0 {
		c.MemoryMB = 128
	}
	if c.Timeout == 0 {
		c.Timeout = 30 * time.Second
	}
	if c.InitTimeout == 0 {
		c.InitTimeout = 10 * time.Second
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.Concurrency < 1 {
		c.Concurrency = 1
	}
	return c
}

func (c FunctionConfig) arn() string {
	return "arn:aws:lambda:" + c.Region + ":" + accountID + ":function:" + c.Name
}

// prepare fills the fields of inv the caller left empty.
func (c FunctionConfig) prepare(inv *runtimeapi.Invocation, now time.Time) {
	if inv.RequestID == "" {
		inv.RequestID = newRequestID()
	}
	if inv.FunctionARN == "" {
		inv.FunctionARN = c.arn()
	}
	if inv.TraceID == "" {
		inv.TraceID = newTraceID(now)
	}
	inv.Deadline = now.Add(c.Timeout)
}

// Report holds the figures Lambda prints in its REPORT line.
type Report struct {
	Function  string
	RequestID string
	// Duration runs from the event's delivery until the runtime asks for the
	// next one (or the invocation is cut short).
	Duration time.Duration
	// InitDuration is set on a cold start only: process start until its first
	// request for an event.
	InitDuration time.Duration
	ColdStart    bool
	MemoryMB     int
	// MaxMemoryUsedMB is the process's peak resident memory (Linux only; 0 when unknown).
	MaxMemoryUsedMB int
	// PID is the process that ran the invocation; 0 in process.
	PID int
	// Status is "" on success, "timeout", or "error" when the environment
	// failed (for example the process exited); ErrorType then says why.
	Status    string
	ErrorType string
}

// String formats r like Lambda's REPORT log line.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB",
		r.RequestID, ms(r.Duration), int64(math.Ceil(ms(r.Duration))), r.MemoryMB, r.MaxMemoryUsedMB)
	if r.ColdStart {
		fmt.Fprintf(&b, "\tInit Duration: %.2f ms", ms(r.InitDuration))
	}
	if r.Status != "" {
		fmt.Fprintf(&b, "\tStatus: %s", r.Status)
	}
	if r.ErrorType != "" {
		fmt.Fprintf(&b, "\tError Type: %s", r.ErrorType)
	}
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (c FunctionConfig) report(r Report) {
	r.Function = c.Name
	r.MemoryMB = c.MemoryMB
	if c.Logger != nil {
		attrs := []slog.Attr{
			slog.String("function", r.Function), slog.String("requestId", r.RequestID),
			slog.Float64("durationMs", ms(r.Duration)),
		}
		if r.ColdStart {
			attrs = append(attrs, slog.Float64("initDurationMs", ms(r.InitDuration)))
		}
		if r.PID != 0 {
			attrs = append(attrs, slog.Int("pid", r.PID))
		}
		c.Logger.LogAttrs(context.Background(), slog.LevelInfo, r.String(), attrs...)
	}
	if c.OnReport != nil {
		c.OnReport(r)
	}
}

func timeoutError(requestID string, d time.Duration, what string) *runtimeapi.FunctionError {
	return &runtimeapi.FunctionError{
		Type:    "Sandbox.Timedout",
		Message: fmt.Sprintf("RequestId: %s Error: %s timed out after %.2f seconds", requestID, what, d.Seconds()),
	}
}

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func newTraceID(now time.Time) string {
	var b [20]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", now.Unix(), h[:24], h[24:40])
}
