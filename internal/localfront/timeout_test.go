package localfront

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/google/go-cmp/cmp"
)

// logRecords is a slog.Handler that hands each record's message and
// attributes to a channel, so a test can wait for a line.
type logRecords chan map[string]any

func (logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (c logRecords) WithAttrs([]slog.Attr) slog.Handler     { return c }
func (c logRecords) WithGroup(string) slog.Handler          { return c }

func (c logRecords) Handle(_ context.Context, r slog.Record) error {
	m := map[string]any{"msg": r.Message}
	r.Attrs(func(a slog.Attr) bool {
		m[a.Key] = a.Value.Any()
		return true
	})
	c <- m
	return nil
}

// waitLog returns the first record logged with message msg.
func waitLog(t *testing.T, logs logRecords, msg string) map[string]any {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case m := <-logs:
			if m["msg"] == msg {
				return m
			}
		case <-timeout:
			t.Fatalf("no %q line logged", msg)
			return nil
		}
	}
}

// TestIntegrationTimeout checks that a buffered rest or http front stops
// waiting for a function slower than its integration timeout and answers
// as API Gateway does, that the invocation still runs to its end, and that
// the front then serves the next request with the environment it freed.
func TestIntegrationTimeout(t *testing.T) {
	const timeout = 300 * time.Millisecond
	tests := []struct {
		shape      Shape
		wantStatus int
		wantBody   string
	}{
		{ShapeREST, http.StatusGatewayTimeout, `{"message": "Endpoint request timed out"}`},
		{ShapeHTTP, http.StatusServiceUnavailable, `{"message":"Service Unavailable"}`},
	}
	for _, tc := range tests {
		t.Run(string(tc.shape), func(t *testing.T) {
			started, release := make(chan struct{}, 1), make(chan struct{})
			calls := 0
			handler := lambda.NewHandler(func(ctx context.Context) (events.APIGatewayProxyResponse, error) {
				calls++ // one invocation at a time (Concurrency 1)
				if calls == 1 {
					started <- struct{}{}
					<-release // ignores its deadline, as a slow function does
				}
				return events.APIGatewayProxyResponse{StatusCode: http.StatusOK, Body: "answered"}, nil
			})
			reports := make(chan Report, 4)
			fn := NewInProcess(handler, &FunctionConfig{OnReport: func(r Report) { reports <- r }})
			logs := make(logRecords, 64)
			f := startFront(t, Config{Shape: tc.shape, Function: fn, IntegrationTimeout: timeout, Logger: slog.New(logs)})
			t.Cleanup(func() {
				select {
				case <-release:
				default:
					close(release)
				}
			})

			type answer struct {
				resp    *http.Response
				body    []byte
				elapsed time.Duration
				err     error
			}
			answered := make(chan answer, 1)
			begin := time.Now()
			go func() {
				var a answer
				if a.resp, a.err = http.Post(f.URL()+"/slow", "application/json", strings.NewReader("{}")); a.err == nil {
					a.body, a.err = io.ReadAll(a.resp.Body)
					a.resp.Body.Close()
				}
				a.elapsed = time.Since(begin)
				answered <- a
			}()
			<-started
			var a answer
			select {
			case a = <-answered:
			case <-time.After(20 * time.Second):
				t.Fatal("no answer 20 s after the integration timeout: the front waits for the function")
			}
			if a.err != nil {
				t.Fatal(a.err)
			}
			resp, body, elapsed := a.resp, a.body, a.elapsed
			if resp.StatusCode != tc.wantStatus || string(body) != tc.wantBody {
				t.Errorf("answer %d %s, want %d %s", resp.StatusCode, body, tc.wantStatus, tc.wantBody)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			if elapsed < timeout {
				t.Errorf("answered after %v, before the %v timeout", elapsed, timeout)
			}
			line := waitLog(t, logs, "request")
			if line["integrationTimeoutMs"] != timeout.Milliseconds() || line["status"] != int64(tc.wantStatus) {
				t.Errorf("request line %v: want integrationTimeoutMs=%d and status %d", line, timeout.Milliseconds(), tc.wantStatus)
			}
			select {
			case r := <-reports:
				t.Fatalf("invocation ended (%+v) before the function answered", r)
			default:
			}

			close(release)
			if r := nextReport(t, reports); r.Status != "" {
				t.Errorf("the late invocation's report %+v, want it to have run to its end", r)
			}
			waitLog(t, logs, "late function response discarded")

			resp, body = do(t, sent{method: http.MethodPost, url: f.URL() + "/next", body: "{}"})
			if resp.StatusCode != http.StatusOK || string(body) != "answered" {
				t.Errorf("next request: %d %s, want 200 answered", resp.StatusCode, body)
			}
			if line := waitLog(t, logs, "request"); line["integrationTimeoutMs"] != nil {
				t.Errorf("request line %v of an answered request names the integration timeout", line)
			}
		})
	}
}

// TestIntegrationTimeoutProcess runs a real bootstrap slower than the
// integration timeout: the client gets the 504, the process finishes its
// invocation through the Runtime API and, warm, serves the next request.
// The slow invocation lasts until the test lets it end, so that the timeout
// the next request must also beat can be seconds: a loaded machine may take
// hundreds of milliseconds to answer it.
func TestIntegrationTimeoutProcess(t *testing.T) {
	hold, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	p, reports := newTestProcess(t, FunctionConfig{Env: []string{"LOCALFRONT_TEST_HOLD=" + hold.Addr().String()}})
	const timeout = 3 * time.Second
	f := startFront(t, Config{Shape: ShapeREST, Function: p, IntegrationTimeout: timeout})

	resp, body := do(t, sent{method: http.MethodGet, url: f.URL() + "/held"})
	if resp.StatusCode != http.StatusGatewayTimeout || string(body) != restTimeoutBody {
		t.Fatalf("GET /held: %d %s, want 504 %s", resp.StatusCode, body, restTimeoutBody)
	}
	// The invocation began before the 504 and ends after endHeld: its run
	// spans at least that time, not cut when the gateway stopped waiting.
	heldPast := endHeld(t, hold, time.Now())
	late := nextReport(t, reports)
	if late.Status != "" || late.Duration < heldPast {
		t.Errorf("the late invocation's report %+v, want a successful run outlasting the 504 by %v", late, heldPast)
	}

	resp, body = do(t, sent{method: http.MethodGet, url: f.URL() + "/next"})
	var e fnEcho
	if err := json.Unmarshal(body, &e); resp.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("GET /next: %d %s", resp.StatusCode, body)
	}
	if r := nextReport(t, reports); r.ColdStart || r.PID != late.PID || e.PID != late.PID {
		t.Errorf("next invocation %+v in pid %d, want a warm one in pid %d", r, e.PID, late.PID)
	}
}

// endHeld ends the test function's /held invocation: it takes the
// connection the function opened to hold and closes it. It returns how long
// after since the invocation was still held.
func endHeld(t *testing.T, hold net.Listener, since time.Time) time.Duration {
	t.Helper()
	hold.(*net.TCPListener).SetDeadline(time.Now().Add(20 * time.Second))
	conn, err := hold.Accept()
	if err != nil {
		t.Fatalf("the held invocation never connected: %v", err)
	}
	held := time.Since(since)
	conn.Close()
	return held
}

// TestIntegrationTimeoutConfig checks the timeout each configuration gets,
// and that shapes without one refuse it.
func TestIntegrationTimeoutConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		want    time.Duration
		wantErr string
	}{
		{name: "rest default", cfg: Config{Shape: ShapeREST}, want: 29 * time.Second},
		{name: "http default", cfg: Config{Shape: ShapeHTTP}, want: 30 * time.Second},
		{name: "rest set", cfg: Config{Shape: ShapeREST, IntegrationTimeout: 5 * time.Second}, want: 5 * time.Second},
		{name: "http set", cfg: Config{Shape: ShapeHTTP, IntegrationTimeout: time.Second}, want: time.Second},
		{name: "rest none", cfg: Config{Shape: ShapeREST, IntegrationTimeout: -1}},
		{name: "url has none", cfg: Config{Shape: ShapeURL}},
		{name: "alb has none", cfg: Config{Shape: ShapeALB}},
		{name: "streamed rest has none", cfg: Config{Shape: ShapeREST, Stream: true}},
		{name: "none asked of url", cfg: Config{Shape: ShapeURL, IntegrationTimeout: -1}},
		{name: "rest raised past 29 s", cfg: Config{Shape: ShapeREST, IntegrationTimeout: time.Minute}, want: time.Minute},
		{name: "rest under 50 ms", cfg: Config{Shape: ShapeREST, IntegrationTimeout: 49 * time.Millisecond}, wantErr: "API Gateway waits at least 50ms"},
		{name: "rest at 50 ms", cfg: Config{Shape: ShapeREST, IntegrationTimeout: 50 * time.Millisecond}, want: 50 * time.Millisecond},
		{name: "http at 30 s", cfg: Config{Shape: ShapeHTTP, IntegrationTimeout: 30 * time.Second}, want: 30 * time.Second},
		{name: "http past 30 s", cfg: Config{Shape: ShapeHTTP, IntegrationTimeout: 31 * time.Second}, wantErr: "an HTTP API waits at most 30s"},
		{name: "url refuses one", cfg: Config{Shape: ShapeURL, IntegrationTimeout: time.Second}, wantErr: "shape url has no integration timeout"},
		{name: "alb refuses one", cfg: Config{Shape: ShapeALB, IntegrationTimeout: time.Second}, wantErr: "shape alb has no integration timeout"},
		{name: "streamed rest refuses one", cfg: Config{Shape: ShapeREST, Stream: true, IntegrationTimeout: time.Second}, wantErr: "a streamed response has no integration timeout"},
		{name: "streamed url refuses one", cfg: Config{Shape: ShapeURL, Stream: true, IntegrationTimeout: time.Second}, wantErr: "a streamed response has no integration timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Function = NewInProcess(lambda.NewHandler(func() error { return nil }), nil)
			f, err := New(tc.cfg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("New = %v, want an error saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, f.integrationTimeout); diff != "" {
				t.Errorf("integration timeout (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCloseLetsLateInvocationsFinish checks that Close gives an invocation
// the gateway stopped waiting for the grace it gives requests in flight,
// rather than killing its process as soon as no request is left.
func TestCloseLetsLateInvocationsFinish(t *testing.T) {
	p, reports := newTestProcess(t, FunctionConfig{})
	f := startFront(t, Config{Shape: ShapeREST, Function: p, IntegrationTimeout: 300 * time.Millisecond})
	if resp, body := do(t, sent{method: http.MethodGet, url: f.URL() + "/slow"}); resp.StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("GET /slow: %d %s, want 504", resp.StatusCode, body)
	}
	f.Close()
	if r := nextReport(t, reports); r.Status != "" {
		t.Errorf("the late invocation's report %+v, want it to have run to its end", r)
	}
}

// TestNoLogAfterClose checks that an invocation the gateway stopped waiting
// for, still running when the front is closed (an in-process one runs on
// until its deadline), logs nothing once Close has returned: the log's
// writer may be gone by then (a file closed, a test ended).
func TestNoLogAfterClose(t *testing.T) {
	started, release := make(chan struct{}, 1), make(chan struct{})
	returned := make(chan struct{})
	handler := lambda.NewHandler(func(ctx context.Context) (events.APIGatewayProxyResponse, error) {
		defer close(returned)
		started <- struct{}{}
		<-release // ignores its deadline
		return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, nil
	})
	logs := make(logRecords, 64)
	// The function's REPORT lines go to the same log.
	fn := NewInProcess(handler, &FunctionConfig{Logger: slog.New(logs)})
	f, err := Start(t.Context(), Config{Shape: ShapeREST, Function: fn, IntegrationTimeout: 100 * time.Millisecond, Logger: slog.New(logs)})
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := do(t, sent{method: http.MethodGet, url: f.URL() + "/x"})
	if resp.StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("status %d, want 504", resp.StatusCode)
	}
	<-started
	waitLog(t, logs, "request")
	f.Close()
	close(release)
	<-returned
	select {
	case m := <-logs:
		t.Errorf("logged after Close returned: %v", m)
	case <-time.After(500 * time.Millisecond): // the late answer is discarded at once
	}
}
