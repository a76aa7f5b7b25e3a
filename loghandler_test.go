package lambdamcp_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/failurelog"
)

// TestLogHandlerPanicExit checks that the line aws-lambda-go prints through
// the log package as it ends the process after a panic, with no context,
// carries the request id of the invocation that panicked, and that no
// other context-free line takes it.
func TestLogHandlerPanicExit(t *testing.T) {
	const exitLine = "calling the handler function resulted in a panic, the process should exit"
	var logs bytes.Buffer
	h := lambdamcp.NewLogHandler(slog.NewJSONHandler(&logs, nil))
	runtimeLog := slog.NewLogLogger(h, slog.LevelInfo) // as the log package writes once slog.SetDefault(h)
	runtimeLog.Print(exitLine)                         // takes what earlier tests' panics noted
	logs.Reset()

	ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req-panic"})
	func() {
		defer func() { _ = recover() }()
		failurelog.Call(ctx, failurelog.Logger{Logger: slog.New(h)}, nil, func(context.Context, []byte) ([]byte, error) {
			panic("boom")
		})
	}()
	runtimeLog.Print("a line of the program's own")
	runtimeLog.Print(exitLine)
	runtimeLog.Print(exitLine) // a second one names no invocation

	got := msgLines(t, &logs)
	want := []msgLine{
		{"invocation failed", "req-panic"},
		{"a line of the program's own", ""},
		{exitLine, "req-panic"},
		{exitLine, ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("log lines (-want +got):\n%s", diff)
	}
}

// TestLogHandlerEmptyGroup checks that WithGroup("") opens no group, as
// slog.Handler requires, also for a record given a request id: a handler
// that wraps this one may pass the empty name on, which slog.Logger would
// have dropped.
func TestLogHandlerEmptyGroup(t *testing.T) {
	var logs bytes.Buffer
	h := lambdamcp.NewLogHandler(slog.NewJSONHandler(&logs, nil)).WithGroup("")
	ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	slog.New(h).InfoContext(ctx, "ran", "k", 1)
	var got map[string]any
	if err := json.Unmarshal(logs.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, logs.Bytes())
	}
	delete(got, "time")
	want := map[string]any{"level": "INFO", "msg": "ran", "k": 1.0, "request_id": "req-1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
}

// TestLogHandlerDropsRuntimeDuplicate checks that the line the runtime
// prints through the log package for a failed invocation that Start has
// logged already, under its request id, is left out, once: the same text
// again is the program's own.
func TestLogHandlerDropsRuntimeDuplicate(t *testing.T) {
	const runtimeLine = `{"errorMessage":"no such table","errorType":"errorString"}`
	var logs bytes.Buffer
	h := lambdamcp.NewLogHandler(slog.NewJSONHandler(&logs, nil))
	runtimeLog := slog.NewLogLogger(h, slog.LevelInfo) // as the log package writes once slog.SetDefault(h)
	ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req-failed"})
	failurelog.Call(ctx, failurelog.Logger{Logger: slog.New(h)}, nil, func(context.Context, []byte) ([]byte, error) {
		return nil, errors.New("no such table")
	})
	runtimeLog.Print(runtimeLine)
	runtimeLog.Print(runtimeLine)

	got := msgLines(t, &logs)
	want := []msgLine{{"invocation failed", "req-failed"}, {runtimeLine, ""}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("log lines (-want +got):\n%s", diff)
	}
}

// msgLine is a log line's message and request id.
type msgLine struct{ Msg, RequestID string }

// msgLines reads the message and request id of each JSON line in logs.
func msgLines(t *testing.T, logs *bytes.Buffer) []msgLine {
	t.Helper()
	var got []msgLine
	for s := bufio.NewScanner(logs); s.Scan(); {
		var l struct {
			Msg       string `json:"msg"`
			RequestID string `json:"request_id"`
		}
		if err := json.Unmarshal(s.Bytes(), &l); err != nil {
			t.Fatalf("log line %s: %v", s.Bytes(), err)
		}
		got = append(got, msgLine(l))
	}
	return got
}

// TestLogHandlerKeepsLineWithContext checks that only a context-free line
// is taken for the runtime's duplicate of a failure Start logged: the same
// text logged with an invocation's context is the program's own, kept
// with its request id.
func TestLogHandlerKeepsLineWithContext(t *testing.T) {
	const runtimeLine = `{"errorMessage":"no such row","errorType":"errorString"}`
	var logs bytes.Buffer
	h := lambdamcp.NewLogHandler(slog.NewJSONHandler(&logs, nil))
	ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req-row"})
	failurelog.Call(ctx, failurelog.Logger{Logger: slog.New(h)}, nil, func(context.Context, []byte) ([]byte, error) {
		return nil, errors.New("no such row")
	})
	slog.New(h).InfoContext(ctx, runtimeLine)
	slog.NewLogLogger(h, slog.LevelInfo).Print(runtimeLine)

	got := msgLines(t, &logs)
	want := []msgLine{{"invocation failed", "req-row"}, {runtimeLine, "req-row"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("log lines (-want +got):\n%s", diff)
	}
}
