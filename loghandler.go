package lambdamcp

import (
	"context"
	"log/slog"
	"slices"
	"sync"

	"github.com/lambdamcp/lambdamcp/internal/failurelog"
)

// NewLogHandler wraps next so that every record logged with a context from
// a Lambda invocation carries that invocation's request id as
// "request_id", at the top level of the record even in a logger's group.
// Log with the *Context methods (InfoContext, …) and the request's context
// to get it.
//
// As slog's default handler, which the log package then writes through,
// it leaves out the line the Lambda runtime prints for a failed invocation
// that Start has logged already, under its request id, and gives the
// runtime's last line after a panic the request id of the invocation that
// panicked.
func NewLogHandler(next slog.Handler) slog.Handler {
	return &logHandler{next: next, root: next}
}

// NewSDKLogHandler is NewLogHandler for the logger handed to the go-sdk
// (mcp.ServerOptions.Logger, mcp.StreamableHTTPOptions.Logger,
// serve.Handler's logger), which logs without the request's context: a
// record without one gets the request id of the invocation whose handler
// NewHandler or Guard is running, when it is the only one in flight in the
// process, as it is on Lambda unless AWS_LAMBDA_MAX_CONCURRENCY lets
// several run at once; with none or several in flight, it gets none.
// Records logged from goroutines that outlive their request would be taken
// for the invocation in flight: give such code a logger of NewLogHandler,
// and a context.
//
// The go-sdk's server (mcp.ServerOptions.Logger) logs each stateless
// request's session set-up at INFO, three lines a request; cmd/mcp-server
// gives it a next of slog.LevelWarn, so that only its warnings and errors
// are logged.
func NewSDKLogHandler(next slog.Handler) slog.Handler {
	return &logHandler{next: next, root: next, inFlight: true}
}

// logHandler passes records to next. root is next before the first group
// was opened, and ops what was done to it since (WithGroup, WithAttrs), so
// that a record in a group can get its request id outside the group.
type logHandler struct {
	next, root slog.Handler
	ops        []func(slog.Handler) slog.Handler
	inFlight   bool // a record without a request id takes the one invocation's in flight
}

func (h *logHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	id := RequestID(ctx)
	if id == "" && failurelog.Duplicate(r.Message) {
		return nil // logged already, under its request id (see Start)
	}
	if id == "" {
		// The runtime's last line after a panic: the invocation it is about.
		if panicked := failurelog.Exit(r.Message); panicked != nil {
			id = RequestID(panicked)
		}
	}
	if id == "" && h.inFlight {
		id = inFlight.only()
	}
	if id == "" {
		return h.next.Handle(ctx, r)
	}
	attr := slog.String("request_id", id)
	if len(h.ops) == 0 {
		r = r.Clone()
		r.AddAttrs(attr)
		return h.next.Handle(ctx, r)
	}
	next := h.root.WithAttrs([]slog.Attr{attr})
	for _, op := range h.ops {
		next = op(next)
	}
	return next.Handle(ctx, r)
}

func (h *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(h.ops) == 0 {
		next := h.next.WithAttrs(attrs)
		return &logHandler{next: next, root: next, inFlight: h.inFlight}
	}
	return h.with(func(n slog.Handler) slog.Handler { return n.WithAttrs(attrs) })
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h // as slog.Handler requires: no group
	}
	return h.with(func(n slog.Handler) slog.Handler { return n.WithGroup(name) })
}

func (h *logHandler) with(op func(slog.Handler) slog.Handler) *logHandler {
	return &logHandler{next: op(h.next), root: h.root, ops: append(slices.Clip(h.ops), op), inFlight: h.inFlight}
}

// inFlight is the Lambda invocations whose handlers are running in this
// process, by request id: a handler left running past its invocation's end
// (one that ignores its context) still counts, so that its records are not
// taken for the next invocation's.
var inFlight invocations

type invocations struct {
	mu  sync.Mutex
	ids map[string]int
}

func (v *invocations) begin(id string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.ids == nil {
		v.ids = make(map[string]int)
	}
	v.ids[id]++
}

func (v *invocations) end(id string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.ids[id]--; v.ids[id] <= 0 {
		delete(v.ids, id)
	}
}

// only is the request id of the one invocation in flight, or "" when there
// are none or several.
func (v *invocations) only() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.ids) != 1 {
		return ""
	}
	for id := range v.ids {
		return id
	}
	return ""
}
