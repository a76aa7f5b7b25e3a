// Package failurelog logs a Lambda invocation that fails under its request
// id, in place of the line aws-lambda-go prints for it.
//
// When a handler returns an error or panics, aws-lambda-go prints the
// error document it reports to Lambda through the log package, after the
// handler has returned. A program that calls slog.SetDefault gets that
// line through its slog handler, with no context: nothing says which
// invocation it is about, and with several invocations at once
// (AWS_LAMBDA_MAX_CONCURRENCY) nothing could tell. The handler itself
// still knows: Call logs the failure there, with the invocation's context,
// and notes the runtime's line to come, which a log handler then leaves
// out (Duplicate). The runtime's lines are alike for alike failures, so
// whichever note a line takes, each invocation keeps exactly one line, and
// that one under its own request id. After a panic the runtime ends the
// process with one more line; Call notes the panicking invocation's
// context for it (Exit), so that the line can name the invocation too.
package failurelog

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// Msg is the message of the line logged for a failed invocation.
const Msg = "invocation failed"

// Logger says where and how failures are logged.
type Logger struct {
	// Logger receives the line; nil logs nothing, and leaves the runtime's
	// own line alone, as does a level Logger does not enable.
	Logger *slog.Logger
	// Level is the level of a returned error's line; nil logs each at
	// ERROR. A panic's line is at ERROR.
	Level func(error) slog.Level
}

// Handler is h with its failures logged by l.
func Handler(h lambda.Handler, l Logger) lambda.Handler { return handler{h, l} }

type handler struct {
	next lambda.Handler
	l    Logger
}

func (h handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return Call(ctx, h.l, payload, h.next.Invoke)
}

// Call answers an invocation with next and logs its failure: an error it
// returns, or a panic, which it then passes on to the runtime.
func Call[R any](ctx context.Context, l Logger, payload []byte, next func(context.Context, []byte) (R, error)) (R, error) {
	if l.Logger == nil {
		return next(ctx, payload)
	}
	defer func() {
		if v := recover(); v != nil {
			msg, typ := panicReport(v)
			// Escaped as the guard logs a panic's value (textcut.Printable):
			// a JSON handler leaves the bidirectional and C1 controls raw.
			l.log(ctx, slog.LevelError, msg, textcut.Printable(msg), typ, slog.String("stack", string(debug.Stack())))
			panics.add(ctx)
			panic(v)
		}
	}()
	resp, err := next(ctx, payload)
	if err != nil {
		level := slog.LevelError
		if l.Level != nil {
			level = l.Level(err)
		}
		msg, typ := errorReport(err)
		l.log(ctx, level, msg, msg, typ)
	}
	return resp, err
}

// log logs a failure whose errorMessage, noted for Duplicate, is msg, as
// logged.
func (l Logger) log(ctx context.Context, level slog.Level, msg, logged, typ string, attrs ...slog.Attr) {
	// A line the logger leaves out takes nothing from the runtime's: the
	// failure keeps that one.
	if !l.Logger.Enabled(ctx, level) {
		return
	}
	l.Logger.LogAttrs(ctx, level, Msg, append([]slog.Attr{slog.String("error", logged), slog.String("error_type", typ)}, attrs...)...)
	pending.add(asRuntimeReads(msg))
}

// asRuntimeReads is msg as Duplicate reads it back from the runtime's line,
// JSON, which has U+FFFD for each byte of msg that is not UTF-8.
func asRuntimeReads(msg string) string {
	if utf8.ValidString(msg) {
		return msg
	}
	var b strings.Builder
	for _, r := range msg { // each such byte reads as utf8.RuneError
		b.WriteRune(r)
	}
	return b.String()
}

// errorReport is the errorMessage and errorType the runtime reports for a
// handler's error (aws-lambda-go's lambdaErrorResponse).
func errorReport(err error) (msg, typ string) {
	if ive, ok := err.(messages.InvokeResponse_Error); ok {
		return ive.Message, ive.Type
	}
	return err.Error(), typeName(err)
}

// panicReport is errorReport for a panic (lambdaPanicResponse).
func panicReport(v any) (msg, typ string) {
	if ive, ok := v.(messages.InvokeResponse_Error); ok {
		return ive.Message, ive.Type
	}
	return fmt.Sprintf("%v", v), typeName(v)
}

func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Pointer {
		return t.Elem().Name()
	}
	return t.Name()
}

// Duplicate reports whether msg, the message of a record logged without an
// invocation's context, is the runtime's line for a failure Call logged,
// and if so takes that failure's note: the record is then to be left out.
func Duplicate(msg string) bool {
	// The runtime's line is its error document, which begins so.
	if !strings.HasPrefix(msg, `{"errorMessage":`) || pending.empty() {
		return false
	}
	var doc struct {
		Message string `json:"errorMessage"`
	}
	if json.Unmarshal([]byte(msg), &doc) != nil {
		return false
	}
	return pending.take(doc.Message)
}

// exitMsg is the line aws-lambda-go prints through the log package as it
// ends the process, once it has reported a panic (its invoke loop).
const exitMsg = "calling the handler function resulted in a panic, the process should exit"

// Exit returns the context of the invocation whose panic the runtime's
// last line is about, when msg, the message of a record logged without an
// invocation's context, is that line: the line can then name the
// invocation. It returns nil for any other line, and when several panics
// are noted, since the line cannot tell which of them ended the process.
func Exit(msg string) context.Context {
	if msg != exitMsg {
		return nil
	}
	return panics.only()
}

// panics is the contexts of the invocations whose panics Call passed on,
// oldest first, bounded as pending is.
var panics contexts

type contexts struct {
	mu   sync.Mutex
	ctxs []context.Context
}

func (c *contexts) add(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.ctxs) == maxPending {
		c.ctxs = slices.Delete(c.ctxs, 0, 1)
	}
	c.ctxs = append(c.ctxs, ctx)
}

// only returns the one context noted, or nil with none or several, and
// forgets them: the line it is for comes once.
func (c *contexts) only() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ctx context.Context
	if len(c.ctxs) == 1 {
		ctx = c.ctxs[0]
	}
	c.ctxs = nil
	return ctx
}

// maxPending bounds the notes kept for lines that never come, as when the
// log package does not write through the handler that would take them:
// past it the oldest is forgotten, and its line, if it comes, is let
// through. Each invocation in flight has at most one note waiting.
const maxPending = 256

// pending is the error messages of the failures Call logged whose runtime
// line has not come yet, oldest first.
var pending notes

type notes struct {
	mu   sync.Mutex
	msgs []string
}

func (n *notes) add(msg string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.msgs) == maxPending {
		n.msgs = slices.Delete(n.msgs, 0, 1)
	}
	n.msgs = append(n.msgs, msg)
}

func (n *notes) empty() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.msgs) == 0
}

func (n *notes) take(msg string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	i := slices.Index(n.msgs, msg)
	if i < 0 {
		return false
	}
	n.msgs = slices.Delete(n.msgs, i, i+1)
	return true
}
