package lambdamcp

import (
	"context"
	"log/slog"
	"slices"
)

// NewLogHandler wraps next so that every record logged with a context from
// a Lambda invocation carries that invocation's request id as
// "request_id", at the top level of the record even in a logger's group.
// Log with the *Context methods (InfoContext, …) and the request's context
// to get it.
func NewLogHandler(next slog.Handler) slog.Handler {
	return &logHandler{next: next, root: next}
}

// logHandler passes records to next. root is next before the first group
// was opened, and ops what was done to it since (WithGroup, WithAttrs), so
// that a record in a group can get its request id outside the group.
type logHandler struct {
	next, root slog.Handler
	ops        []func(slog.Handler) slog.Handler
}

func (h *logHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	id := RequestID(ctx)
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
		return &logHandler{next: next, root: next}
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
	return &logHandler{next: op(h.next), root: h.root, ops: append(slices.Clip(h.ops), op)}
}
