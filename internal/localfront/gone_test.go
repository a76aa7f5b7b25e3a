package localfront

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// TestInProcessGoneCallerStartsNothing checks that an invocation whose
// caller has gone before it got an execution environment does not start,
// even when one is free at that moment: a gateway that stopped waiting
// (IntegrationTimeout) must not have its queued requests run later.
func TestInProcessGoneCallerStartsNothing(t *testing.T) {
	var ran atomic.Int64
	fn := NewInProcess(lambda.NewHandler(func() error { ran.Add(1); return nil }), nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 200 {
		fn.Invoke(ctx, &runtimeapi.Invocation{Payload: []byte("{}")})
	}
	if n := ran.Load(); n != 0 {
		t.Errorf("%d of 200 invocations with an ended ctx ran", n)
	}
}

// TestProcessGoneCallerStartsNothing is the same for a real bootstrap.
func TestProcessGoneCallerStartsNothing(t *testing.T) {
	p, _ := newTestProcess(t, FunctionConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	started := 0
	for range 12 {
		if _, err := p.Invoke(ctx, &runtimeapi.Invocation{Payload: []byte(`{}`)}); err == nil {
			started++
		}
	}
	if started != 0 {
		t.Errorf("%d of 12 invocations with an ended ctx ran", started)
	}
	// Each gave back the execution environment it took: one for a caller
	// still there gets it. The bound is on a hang, not a wait.
	live, stop := context.WithTimeout(context.Background(), 20*time.Second)
	defer stop()
	resp, err := p.Invoke(live, &runtimeapi.Invocation{Payload: []byte(`{}`)})
	if err != nil {
		t.Fatalf("an invocation after those gone: %v", err)
	}
	resp.Body.Close()
}

// queuedFunction stands for a function whose environments are all busy:
// an invocation waits for one until its caller goes away, and then
// returns the caller's error, as Process and InProcess do.
type queuedFunction struct{ queued chan struct{} }

func (q queuedFunction) Invoke(ctx context.Context, _ *runtimeapi.Invocation) (*runtimeapi.Response, error) {
	q.queued <- struct{}{}
	<-ctx.Done()
	return nil, ctx.Err()
}

func (queuedFunction) Close() error { return nil }

// TestClientGoneWhileQueued checks that a request whose client goes away
// while it waits for the function (or its authorizer) is logged as the
// client's leaving, with nginx's 499 (Client Closed Request) on its
// request line, and not as a failure of the function answered 500.
func TestClientGoneWhileQueued(t *testing.T) {
	tests := []struct {
		name    string
		waiting func(queuedFunction) Config // the front, with the queued function where the request waits
		header  http.Header
	}{
		{"the function", func(q queuedFunction) Config { return Config{Shape: ShapeURL, Function: q} }, nil},
		{"the function behind the integration timeout", func(q queuedFunction) Config {
			return Config{Shape: ShapeHTTP, Function: q, IntegrationTimeout: 20 * time.Second}
		}, nil},
		{"the authorizer", func(q queuedFunction) Config {
			return Config{Shape: ShapeREST, Function: respondWith(`{"statusCode": 200}`), Authorizer: q}
		}, http.Header{"Authorization": {"Bearer t"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := queuedFunction{queued: make(chan struct{}, 1)}
			logs := make(logRecords, 64)
			cfg := tc.waiting(q)
			cfg.Logger = slog.New(logs)
			f := startFront(t, cfg)
			ctx, cancel := context.WithCancel(t.Context())
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.URL()+"/mcp", strings.NewReader("{}"))
			for k, v := range tc.header {
				req.Header[k] = v
			}
			leave(t, req, q.queued, cancel)
			lines := linesToRequest(logs)
			if len(lines) != 1 || lines[0]["status"] != int64(499) {
				t.Errorf("logged %v, want only the request line, with status 499", lines)
			}
		})
	}
}

// TestClientGoneDuringJWTCheck checks that a request whose client goes
// away while the HTTP API's JWT authorizer waits for the issuer (its
// discovery document, or its key set) is logged as TestClientGoneWhileQueued
// has it: no error, and 499 on its request line.
func TestClientGoneDuringJWTCheck(t *testing.T) {
	for _, held := range []string{"/pool/.well-known/openid-configuration", "/keys"} {
		t.Run(held, func(t *testing.T) {
			iss := &jwtIssuer{key: newKey(t)}
			pub, err := iss.key.PublicKey()
			if err != nil {
				t.Fatal(err)
			}
			pub.Set(jwk.AlgorithmKey, jwa.RS256())
			arrived, release := make(chan struct{}, 1), make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == held {
					arrived <- struct{}{}
					<-release
					return
				}
				switch r.URL.Path {
				case "/pool/.well-known/openid-configuration":
					json.NewEncoder(w).Encode(map[string]string{"issuer": iss.url + "/pool", "jwks_uri": iss.url + "/keys"})
				case "/keys":
					json.NewEncoder(w).Encode(map[string]any{"keys": []jwk.Key{pub}})
				}
			}))
			t.Cleanup(srv.Close)
			t.Cleanup(func() { close(release) })
			iss.url = srv.URL
			logs := make(logRecords, 64)
			f, token := startJWTFront(t, iss, &frozenClock{}, logs)
			ctx, cancel := context.WithCancel(t.Context())
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.URL()+"/mcp", strings.NewReader("{}"))
			req.Header.Set("Authorization", "Bearer "+token)
			leave(t, req, arrived, cancel)
			lines := linesToRequest(logs)
			last := lines[len(lines)-1]
			for _, l := range lines[:len(lines)-1] {
				if msg, _ := l["msg"].(string); strings.HasPrefix(msg, "JWT authorizer") {
					t.Errorf("logged %v for a client that went away", l)
				}
			}
			if last["status"] != int64(499) {
				t.Errorf("request line %v, want status 499", last)
			}
		})
	}
}

// leave sends req and, once held says the front holds it, goes away
// (cancel), failing t if the request was answered all the same.
func leave(t *testing.T, req *http.Request, held <-chan struct{}, cancel context.CancelFunc) {
	t.Helper()
	sent := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		sent <- err
	}()
	<-held
	cancel()
	if err := <-sent; err == nil {
		t.Fatal("the request was answered though its client went away")
	}
}

// linesToRequest reads the front's log lines up to its request line, the
// last a request logs.
func linesToRequest(logs logRecords) []map[string]any {
	var lines []map[string]any
	for {
		line := <-logs
		lines = append(lines, line)
		if line["msg"] == "request" {
			return lines
		}
	}
}
