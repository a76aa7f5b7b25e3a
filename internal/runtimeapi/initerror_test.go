package runtimeapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
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

// TestReportInitErrorGivesUp checks that a report the Runtime API does not
// answer is given up after 2 s: the runtime is to exit, not hang, when
// Lambda no longer listens.
func TestReportInitErrorGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// ReportInitError sends with http.DefaultClient; this transport
		// answers nothing and waits without a network, so that synctest
		// sees it wait. No test of the package runs in parallel.
		saved := http.DefaultTransport
		http.DefaultTransport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
			<-r.Context().Done()
			return nil, r.Context().Err()
		})
		defer func() { http.DefaultTransport = saved }()
		start := time.Now()
		err := ReportInitError(t.Context(), "127.0.0.1:9001", &FunctionError{Type: ErrorTypeConfigInvalid, Message: "m"})
		if waited := time.Since(start); waited != 2*time.Second || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("ReportInitError = %v after %v, want context.DeadlineExceeded after 2s", err, waited)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
