package runtimeapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestReportInitError checks that an init error reported by the runtime
// ends the environment's start, and that the invocation waiting for it
// gets that error, type and message as sent.
func TestReportInitError(t *testing.T) {
	s := NewServer()
	// Lambda reads the error's type from the header, not from the body.
	typeHeader := make(chan string, 1)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == apiPrefix+"init/error" {
			typeHeader <- r.Header.Get(HeaderFunctionErrorType)
		}
		s.ServeHTTP(w, r)
	}))
	defer ts.Close()
	api := strings.TrimPrefix(ts.URL, "http://")

	sent := &FunctionError{Type: ErrorTypeConfigInvalid, Message: `MCP_STREAM: "bogus" is no event shape`}
	if err := ReportInitError(t.Context(), api, sent); err != nil {
		t.Fatal(err)
	}
	if got := <-typeHeader; got != sent.Type {
		t.Errorf("%s: %q, want %q", HeaderFunctionErrorType, got, sent.Type)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err := s.Invoke(ctx, &Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Second)})
	var fe *FunctionError
	if !errors.As(err, &fe) || fe.Type != sent.Type || fe.Message != sent.Message {
		t.Fatalf("Invoke = %v, want %v", err, sent)
	}

	// Once the runtime has asked for an event, its start is over: a late
	// init error is refused, and said to be.
	s2 := NewServer()
	ts2 := httptest.NewServer(s2)
	defer ts2.Close()
	defer s2.Close(nil) // ends the /next below, which ts2.Close waits for
	go ts2.Client().Get(ts2.URL + apiPrefix + "invocation/next")
	if _, err := s2.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ReportInitError(t.Context(), strings.TrimPrefix(ts2.URL, "http://"), sent); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("late init error: %v, want the Runtime API's 403", err)
	}
}
