package failurelog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/google/go-cmp/cmp"
)

type ctxKey struct{}

// recorder keeps what it is given to log, with the context's ctxKey value.
type recorder struct{ lines []line }

type line struct {
	Level        slog.Level
	Msg, Invoked string
	Attrs        map[string]string
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recorder) WithGroup(string) slog.Handler            { return r }
func (r *recorder) Handle(ctx context.Context, rec slog.Record) error {
	l := line{Level: rec.Level, Msg: rec.Message, Attrs: map[string]string{}}
	l.Invoked, _ = ctx.Value(ctxKey{}).(string)
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == "stack" {
			l.Attrs[a.Key] = fmt.Sprint(strings.Contains(a.Value.String(), "failurelog"))
		} else {
			l.Attrs[a.Key] = a.Value.String()
		}
		return true
	})
	r.lines = append(r.lines, l)
	return nil
}

// runtimeLine is what aws-lambda-go prints for a failed invocation.
func runtimeLine(msg, typ string, stack bool) string {
	e := messages.InvokeResponse_Error{Message: msg, Type: typ}
	if stack {
		e.StackTrace = []*messages.InvokeResponse_Error_StackFrame{{Path: "main.go", Line: 1, Label: "main"}}
		e.ShouldExit = true
	}
	b, _ := json.Marshal(e)
	return string(b)
}

// TestCall checks the line Call logs for a failed invocation, under the
// invocation's context, and that it takes the runtime's line for it, once.
func TestCall(t *testing.T) {
	refused := errors.New("Unauthorized")
	routine := func(err error) slog.Level {
		if errors.Is(err, refused) {
			return slog.LevelInfo
		}
		return slog.LevelError
	}
	tests := []struct {
		name    string
		next    func(context.Context, []byte) (string, error)
		level   func(error) slog.Level
		want    []line
		runtime string // the runtime's line that follows
	}{
		{
			name: "answered",
			next: func(context.Context, []byte) (string, error) { return "ok", nil },
		},
		{
			name:    "routine error",
			next:    func(context.Context, []byte) (string, error) { return "", refused },
			level:   routine,
			want:    []line{{slog.LevelInfo, Msg, "req-1", map[string]string{"error": "Unauthorized", "error_type": "errorString"}}},
			runtime: runtimeLine("Unauthorized", "errorString", false),
		},
		{
			name:    "error at the default level",
			next:    func(context.Context, []byte) (string, error) { return "", fmt.Errorf("decoding: %w", refused) },
			want:    []line{{slog.LevelError, Msg, "req-1", map[string]string{"error": "decoding: Unauthorized", "error_type": "wrapError"}}},
			runtime: runtimeLine("decoding: Unauthorized", "wrapError", false),
		},
		{
			// The runtime's line, JSON, has U+FFFD for each byte that is not.
			name:    "error not valid UTF-8",
			next:    func(context.Context, []byte) (string, error) { return "", errors.New("bad \xff\xfe byte") },
			want:    []line{{slog.LevelError, Msg, "req-1", map[string]string{"error": "bad \xff\xfe byte", "error_type": "errorString"}}},
			runtime: runtimeLine("bad \xff\xfe byte", "errorString", false),
		},
		{
			name: "error document",
			next: func(context.Context, []byte) (string, error) {
				return "", messages.InvokeResponse_Error{Message: "m", Type: "T"}
			},
			want:    []line{{slog.LevelError, Msg, "req-1", map[string]string{"error": "m", "error_type": "T"}}},
			runtime: runtimeLine("m", "T", false),
		},
		{
			name:    "panic",
			next:    func(context.Context, []byte) (string, error) { panic(errors.New("boom")) },
			level:   routine,
			want:    []line{{slog.LevelError, Msg, "req-1", map[string]string{"error": "boom", "error_type": "errorString", "stack": "true"}}},
			runtime: runtimeLine("boom", "errorString", true),
		},
		{
			// Escaped as the guard logs a panic's value: the runtime's
			// line, which says it raw, is still taken.
			name:    "panic with controls",
			next:    func(context.Context, []byte) (string, error) { panic("boom\u202e\x1b[2J\n{\"msg\":\"forged\"}") },
			want:    []line{{slog.LevelError, Msg, "req-1", map[string]string{"error": `boom\u202e\x1b[2J\n{"msg":"forged"}`, "error_type": "string", "stack": "true"}}},
			runtime: runtimeLine("boom\u202e\x1b[2J\n{\"msg\":\"forged\"}", "string", true),
		},
		{
			name: "panic with an error document",
			next: func(context.Context, []byte) (string, error) {
				panic(messages.InvokeResponse_Error{Message: "m", Type: "T"})
			},
			want:    []line{{slog.LevelError, Msg, "req-1", map[string]string{"error": "m", "error_type": "T", "stack": "true"}}},
			runtime: runtimeLine("m", "T", true),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			l := Logger{Logger: slog.New(rec), Level: tc.level}
			ctx := context.WithValue(t.Context(), ctxKey{}, "req-1")
			func() {
				defer func() {
					if v := recover(); v != nil && !strings.Contains(tc.name, "panic") {
						t.Errorf("panicked with %v", v)
					}
				}()
				Call(ctx, l, nil, tc.next)
				if strings.Contains(tc.name, "panic") {
					t.Error("the panic was not passed on")
				}
			}()
			if diff := cmp.Diff(tc.want, rec.lines); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
			if tc.runtime == "" {
				return
			}
			if !Duplicate(tc.runtime) {
				t.Errorf("Duplicate(%s) = false, want true", tc.runtime)
			}
			if Duplicate(tc.runtime) {
				t.Errorf("Duplicate(%s) = true a second time", tc.runtime)
			}
		})
	}
}

// TestDuplicate checks that only the runtime's line for a failure Call
// logged is taken: not another failure's, nor a line that merely looks
// like one, nor any line when Call had no logger.
func TestDuplicate(t *testing.T) {
	fail := func(l Logger, msg string) {
		Call(t.Context(), l, nil, func(context.Context, []byte) ([]byte, error) { return nil, errors.New(msg) })
	}
	fail(Logger{Logger: slog.New(&recorder{})}, "logged")
	fail(Logger{}, "not logged")
	for _, tc := range []struct {
		msg  string
		want bool
	}{
		{runtimeLine("not logged", "errorString", false), false},
		{runtimeLine("other", "errorString", false), false},
		{`{"message":"logged"}`, false},
		{`{"errorMessage":"logged"`, false},
		{`{"errorType":"errorString","errorMessage":"logged"}`, false},
		{"logged", false},
		{runtimeLine("logged", "errorString", false), true},
		{runtimeLine("logged", "errorString", false), false},
	} {
		if got := Duplicate(tc.msg); got != tc.want {
			t.Errorf("Duplicate(%s) = %v, want %v", tc.msg, got, tc.want)
		}
	}
}

// quiet is a log handler that leaves out every record below min.
type quiet struct {
	recorder
	min slog.Level
}

func (q *quiet) Enabled(_ context.Context, l slog.Level) bool { return l >= q.min }

// TestDisabledLevel checks that a failure whose line the logger leaves out
// keeps the runtime's line, so that it is logged once all the same.
func TestDisabledLevel(t *testing.T) {
	q := &quiet{min: slog.LevelError + 1}
	Call(t.Context(), Logger{Logger: slog.New(q)}, nil, func(context.Context, []byte) ([]byte, error) {
		return nil, errors.New("below the level")
	})
	if len(q.lines) != 0 {
		t.Errorf("logged %v below the logger's level", q.lines)
	}
	if line := runtimeLine("below the level", "errorString", false); Duplicate(line) {
		t.Errorf("Duplicate(%s) = true for a failure the logger left out", line)
	}
}

// TestPendingBound checks that notes whose line never comes are forgotten,
// oldest first, past maxPending.
func TestPendingBound(t *testing.T) {
	var n notes
	for i := range maxPending + 1 {
		n.add(fmt.Sprint(i))
	}
	if n.take("0") {
		t.Error("the oldest note was kept past the bound")
	}
	if !n.take("1") || !n.take(fmt.Sprint(maxPending)) {
		t.Error("a note within the bound was forgotten")
	}
}

// TestExit checks which invocation the runtime's last line after a panic
// is given: the one that panicked, when only one did.
func TestExit(t *testing.T) {
	panicking := func(id string) {
		defer func() { recover() }()
		ctx := context.WithValue(t.Context(), ctxKey{}, id)
		Call(ctx, Logger{Logger: slog.New(&recorder{})}, nil, func(context.Context, []byte) ([]byte, error) { panic(id) })
	}
	failing := func(id string) {
		ctx := context.WithValue(t.Context(), ctxKey{}, id)
		Call(ctx, Logger{Logger: slog.New(&recorder{})}, nil, func(context.Context, []byte) ([]byte, error) { return nil, errors.New(id) })
	}
	tests := []struct {
		name   string
		before func()
		msg    string
		want   string // the request's ctxKey value, "" for none
	}{
		{"no panic", func() {}, exitMsg, ""},
		{"an error is no panic", func() { failing("req-e") }, exitMsg, ""},
		{"one panic", func() { panicking("req-1") }, exitMsg, "req-1"},
		{"another line", func() { panicking("req-2") }, "req-2", ""},
		{"two panics", func() { panicking("req-3"); panicking("req-4") }, exitMsg, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			Exit(exitMsg) // forget what earlier cases noted
			tc.before()
			got := ""
			if ctx := Exit(tc.msg); ctx != nil {
				got, _ = ctx.Value(ctxKey{}).(string)
			}
			if got != tc.want {
				t.Errorf("Exit(%q) gave the invocation %q, want %q", tc.msg, got, tc.want)
			}
			if tc.want != "" && Exit(tc.msg) != nil {
				t.Error("the line's invocation was given twice")
			}
		})
	}
}
