package localfront

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// API Gateway's integration timeouts: "Amazon API Gateway quotas" (REST,
// 50 ms to 29 s by default; a Regional or private API may be allowed more)
// and "Quotas for configuring and running an HTTP API" (at most 30 s). The
// defaults are the maximums.
const (
	minIntegrationTimeout  = 50 * time.Millisecond
	restIntegrationTimeout = 29 * time.Second
	httpIntegrationTimeout = 30 * time.Second
)

// errIntegrationTimeout is invoke's answer when the gateway stopped waiting.
var errIntegrationTimeout = errors.New("integration timeout")

// integrationTimeout is the gateway's wait cfg asks for: AWS's default for
// zero, none (0) when negative or when the shape has no such timeout.
func integrationTimeout(cfg Config) (time.Duration, error) {
	buffered := (cfg.Shape == ShapeREST || cfg.Shape == ShapeHTTP) && !cfg.Stream
	switch {
	case cfg.IntegrationTimeout > 0 && cfg.Stream:
		return 0, errors.New("a streamed response has no integration timeout: the invocation bounds it")
	case cfg.IntegrationTimeout > 0 && !buffered:
		return 0, fmt.Errorf("shape %s has no integration timeout (rest and http have)", cfg.Shape)
	case cfg.IntegrationTimeout > 0 && cfg.IntegrationTimeout < minIntegrationTimeout:
		return 0, fmt.Errorf("integration timeout %v: API Gateway waits at least %v", cfg.IntegrationTimeout, minIntegrationTimeout)
	case cfg.IntegrationTimeout > httpIntegrationTimeout && cfg.Shape == ShapeHTTP:
		return 0, fmt.Errorf("integration timeout %v: an HTTP API waits at most %v", cfg.IntegrationTimeout, httpIntegrationTimeout)
	case cfg.IntegrationTimeout > 0:
		return cfg.IntegrationTimeout, nil
	case cfg.IntegrationTimeout < 0 || !buffered:
		return 0, nil
	case cfg.Shape == ShapeREST:
		return restIntegrationTimeout, nil
	default:
		return httpIntegrationTimeout, nil
	}
}

// invoke invokes the function. With an integration timeout it returns
// errIntegrationTimeout when the timeout passes first, as API Gateway stops
// waiting; the invocation is not cancelled but runs on (ctx only bounds the
// wait for an execution environment, so one that has not started by then
// never does), and its late response is drained and closed, holding
// nothing once it ends.
func (f *Front) invoke(ctx context.Context, inv *runtimeapi.Invocation) (*runtimeapi.Response, error) {
	if f.integrationTimeout <= 0 {
		return f.cfg.Function.Invoke(ctx, inv)
	}
	type result struct {
		resp *runtimeapi.Response
		err  error
	}
	done := make(chan result) // unbuffered: a result nobody takes is discarded
	gaveUp := make(chan struct{})
	ctx, cancel := context.WithCancel(ctx)
	requestID := inv.RequestID
	go func() {
		defer cancel()
		resp, err := f.cfg.Function.Invoke(ctx, inv)
		select {
		case done <- result{resp, err}:
		case <-gaveUp:
			f.discardLate(requestID, resp, err)
		}
	}()
	timer := time.NewTimer(f.integrationTimeout)
	defer timer.Stop()
	select {
	case res := <-done:
		return res.resp, res.err
	case <-timer.C:
		close(gaveUp)
		cancel()
		return nil, errIntegrationTimeout
	}
}

// discardLate drops the answer of an invocation the gateway stopped
// waiting for, as API Gateway does, reading its body to the end so that
// whatever produces it (a runtime's response post) finishes.
func (f *Front) discardLate(requestID string, resp *runtimeapi.Response, err error) {
	if resp != nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	f.logLate(func(l *slog.Logger) {
		if err != nil {
			l.Info("late function response discarded", "requestId", requestID, "error", err)
			return
		}
		l.Info("late function response discarded", "requestId", requestID)
	})
}

// logLate writes a line of work that may outlive the front, such as an
// invocation the gateway stopped waiting for: nothing once Close returned.
func (f *Front) logLate(write func(*slog.Logger)) {
	if f.cfg.Logger == nil {
		return
	}
	f.logMu.Lock()
	defer f.logMu.Unlock()
	if !f.lateQuiet {
		write(f.cfg.Logger)
	}
}

// The gateways' answers when the integration timeout passes, byte for byte:
// REST APIs answer 504 (gateway response INTEGRATION_TIMEOUT), HTTP APIs
// 503.
const (
	restTimeoutBody = `{"message": "Endpoint request timed out"}`
	httpTimeoutBody = `{"message":"Service Unavailable"}`
)

// integrationTimedOut answers as API Gateway does when the function has
// not answered within the integration timeout.
func (f *Front) integrationTimedOut(w http.ResponseWriter, r *http.Request) {
	if f.cfg.Shape == ShapeHTTP {
		(&gatewayError{status: http.StatusServiceUnavailable, message: "Service Unavailable", body: httpTimeoutBody}).write(w)
		return
	}
	f.refuse(w, r, &gatewayError{status: http.StatusGatewayTimeout, message: "Endpoint request timed out", responseType: responseTimeout, body: restTimeoutBody})
}
