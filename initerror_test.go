package lambdamcp_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// TestReportConfigError checks that a function's configuration error
// reaches the Runtime API as its init error, Runtime.ConfigInvalid with
// the error's message, which the invocation waiting for the function then
// fails with; that a nil error is taken as nothing to report (not a
// panic); and that off Lambda nothing is sent.
func TestReportConfigError(t *testing.T) {
	api := runtimeapi.NewServer()
	hs := httptest.NewServer(api)
	defer hs.Close()
	t.Setenv("AWS_LAMBDA_RUNTIME_API", strings.TrimPrefix(hs.URL, "http://"))
	reported := make(chan error, 1)
	go func() {
		reported <- lambdamcp.ReportConfigError(t.Context(), errors.New("MY_SETTING: not a number"))
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, err := api.Invoke(ctx, &runtimeapi.Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute)})
	var fe *runtimeapi.FunctionError
	if !errors.As(err, &fe) || fe.Type != "Runtime.ConfigInvalid" || fe.Message != "MY_SETTING: not a number" {
		t.Errorf("Invoke = %v, want Runtime.ConfigInvalid: MY_SETTING: not a number", err)
	}
	if err := <-reported; err != nil {
		t.Errorf("ReportConfigError = %v", err)
	}
	if err := lambdamcp.ReportConfigError(t.Context(), nil); err != nil {
		t.Errorf("no error: ReportConfigError = %v, want nil", err)
	}

	t.Setenv("AWS_LAMBDA_RUNTIME_API", "")
	if err := lambdamcp.ReportConfigError(t.Context(), errors.New("x")); err != nil {
		t.Errorf("off Lambda: ReportConfigError = %v, want nil", err)
	}
}

// TestStartReportsItsPanic checks that Start, given arguments it cannot
// serve with on Lambda, tells the Runtime API why before it panics: the
// invocation waiting for the function then fails with the panic's message,
// where Lambda would otherwise report only that the process exited.
func TestStartReportsItsPanic(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    http.Handler
		opts *lambdamcp.Options
		want string
	}{
		{"nil handler", nil, nil, "nil http.Handler"},
		{"stream names no shape", http.NotFoundHandler(), &lambdamcp.Options{Stream: []lambdamcp.Shape{"URL"}}, `Options.Stream names "URL"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := runtimeapi.NewServer()
			hs := httptest.NewServer(api)
			defer hs.Close()
			t.Setenv("AWS_LAMBDA_RUNTIME_API", strings.TrimPrefix(hs.URL, "http://"))
			panicked := make(chan any, 1)
			func() {
				defer func() { panicked <- recover() }()
				lambdamcp.Start(tc.h, tc.opts)
			}()
			if v := <-panicked; !strings.Contains(fmt.Sprint(v), tc.want) {
				t.Fatalf("Start panicked with %v, want %q", v, tc.want)
			}
			// The report went before the panic: the server has it now.
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			_, err := api.WaitIdle(ctx)
			var fe *runtimeapi.FunctionError
			if !errors.As(err, &fe) || fe.Type != runtimeapi.ErrorTypeConfigInvalid || !strings.Contains(fe.Message, tc.want) {
				t.Errorf("init error = %v, want %s naming %q", err, runtimeapi.ErrorTypeConfigInvalid, tc.want)
			}
		})
	}
}
