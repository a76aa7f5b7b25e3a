package localfront

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/auth"
)

// authStep is one request through a front with an authorizer: the clock
// moves on by advance first.
type authStep struct {
	advance      time.Duration
	method, path string
	token        string
	want         int
}

// fakeClock is a clock that moves only when told.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// cachedFront starts a front with testAuthorizer behind shape and ttl,
// its cache on a clock of the test's.
func cachedFront(t *testing.T, shape Shape, ttl time.Duration, seen *[]string, logger *slog.Logger) (*Front, *fakeClock) {
	t.Helper()
	f := startFront(t, Config{Shape: shape, Function: echoFunction(), Authorizer: testAuthorizer(seen), AuthorizerCacheTTL: ttl, Logger: logger})
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	if f.authCache != nil {
		f.authCache.now = clock.now
	}
	return f, clock
}

func runSteps(t *testing.T, f *Front, clock *fakeClock, steps []authStep) {
	t.Helper()
	for i, s := range steps {
		clock.t = clock.t.Add(s.advance)
		req := sent{method: s.method, url: f.URL() + s.path, body: `{}`}
		if s.token != "" {
			req.header = http.Header{"Authorization": {s.token}}
		}
		if resp, body := do(t, req); resp.StatusCode != s.want {
			t.Errorf("step %d: %s %s with %q: %d %s, want %d", i, s.method, s.path, s.token, resp.StatusCode, body, s.want)
		}
	}
}

// TestAuthorizerCache checks what the result cache keeps and for how long:
// a policy, whatever its effect, evaluated again for each request; a
// simple response; not a failure.
func TestAuthorizerCache(t *testing.T) {
	const (
		restArn = "TOKEN arn:aws:execute-api:us-east-1:123456789012:local0api1/dev/"
		httpArn = "REQUEST arn:aws:execute-api:us-east-1:123456789012:local0api1/$default/"
		ttl     = DeployAuthorizerCacheTTL
	)
	tests := []struct {
		name      string
		shape     Shape
		ttl       time.Duration
		steps     []authStep
		wantCalls []string
	}{
		{
			// The pitfall the cache sets: a policy naming only the first
			// request's method and path refuses the next one elsewhere.
			name: "a policy for the first method only refuses another from the cache", shape: ShapeREST, ttl: ttl,
			steps: []authStep{
				{method: "POST", path: "/mcp", token: "Bearer exact", want: 200},
				{method: "GET", path: "/mcp", token: "Bearer exact", want: 403},
				{method: "POST", path: "/mcp/", token: "Bearer exact", want: 403},
				{method: "POST", path: "/mcp", token: "Bearer exact", want: 200},
			},
			wantCalls: []string{restArn + "POST/mcp"},
		},
		{
			name: "without the cache the same policy passes every request", shape: ShapeREST,
			steps: []authStep{
				{method: "POST", path: "/mcp", token: "Bearer exact", want: 200},
				{method: "GET", path: "/mcp", token: "Bearer exact", want: 200},
			},
			wantCalls: []string{restArn + "POST/mcp", restArn + "GET/mcp"},
		},
		{
			name: "the entry lasts the TTL", shape: ShapeREST, ttl: ttl,
			steps: []authStep{
				{method: "POST", path: "/mcp", token: "Bearer exact", want: 200},
				{advance: ttl - time.Second, method: "GET", path: "/mcp", token: "Bearer exact", want: 403},
				{advance: time.Second, method: "GET", path: "/mcp", token: "Bearer exact", want: 200},
			},
			wantCalls: []string{restArn + "POST/mcp", restArn + "GET/mcp"},
		},
		{
			name: "a Deny is kept", shape: ShapeREST, ttl: ttl,
			steps: []authStep{
				{method: "POST", path: "/mcp", token: "Bearer noscope", want: 403},
				{method: "POST", path: "/mcp", token: "Bearer noscope", want: 403},
			},
			wantCalls: []string{restArn + "POST/mcp"},
		},
		{
			name: "a policy that allows nothing here is kept", shape: ShapeREST, ttl: ttl,
			steps: []authStep{
				{method: "POST", path: "/mcp", token: "Bearer elsewhere", want: 403},
				{method: "GET", path: "/mcp", token: "Bearer elsewhere", want: 403},
			},
			wantCalls: []string{restArn + "POST/mcp"},
		},
		{
			name: "Unauthorized is not kept", shape: ShapeREST, ttl: ttl,
			steps: []authStep{
				{method: "POST", path: "/mcp", token: "Bearer bad", want: 401},
				{method: "POST", path: "/mcp", token: "Bearer bad", want: 401},
			},
			wantCalls: []string{restArn + "POST/mcp", restArn + "POST/mcp"},
		},
		{
			name: "a failure is not kept", shape: ShapeREST, ttl: ttl,
			steps: []authStep{
				{method: "POST", path: "/mcp", token: "Bearer boom", want: 500},
				{method: "POST", path: "/mcp", token: "Bearer boom", want: 500},
			},
			wantCalls: []string{restArn + "POST/mcp", restArn + "POST/mcp"},
		},
		{
			name: "an answer the gateway cannot use is not kept", shape: ShapeREST, ttl: ttl,
			steps: []authStep{
				{method: "POST", path: "/mcp", token: "Bearer nested", want: 500},
				{method: "POST", path: "/mcp", token: "Bearer nested", want: 500},
			},
			wantCalls: []string{restArn + "POST/mcp", restArn + "POST/mcp"},
		},
		{
			name: "no identity source: 401 without the authorizer", shape: ShapeREST, ttl: ttl,
			steps: []authStep{{method: "POST", path: "/mcp", want: 401}, {method: "POST", path: "/mcp", want: 401}},
		},
		{
			name: "each token has its own entry", shape: ShapeREST, ttl: ttl,
			steps: []authStep{
				{method: "POST", path: "/mcp", token: "Bearer good", want: 200},
				{method: "POST", path: "/mcp", token: "Bearer exact", want: 200},
				{method: "GET", path: "/mcp", token: "Bearer good", want: 200},
				{method: "GET", path: "/mcp", token: "Bearer exact", want: 403},
			},
			wantCalls: []string{restArn + "POST/mcp", restArn + "POST/mcp"},
		},
		{
			name: "http: a simple response is kept for every route", shape: ShapeHTTP, ttl: ttl,
			steps: []authStep{
				{method: "POST", path: "/mcp", token: "Bearer simple-yes", want: 200},
				{method: "GET", path: "/other", token: "Bearer simple-yes", want: 200},
			},
			wantCalls: []string{httpArn + "POST/mcp"},
		},
		{
			name: "http: a refusing simple response is kept", shape: ShapeHTTP, ttl: ttl,
			steps: []authStep{
				{method: "POST", path: "/mcp", token: "Bearer simple-no", want: 403},
				{method: "POST", path: "/mcp", token: "Bearer simple-no", want: 403},
			},
			wantCalls: []string{httpArn + "POST/mcp"},
		},
		{
			name: "http: a policy is evaluated against each route ARN", shape: ShapeHTTP, ttl: ttl,
			steps: []authStep{
				{method: "POST", path: "/mcp", token: "Bearer exact", want: 200},
				{method: "GET", path: "/mcp", token: "Bearer exact", want: 403},
			},
			wantCalls: []string{httpArn + "POST/mcp"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var seen []string
			f, clock := cachedFront(t, tc.shape, tc.ttl, &seen, nil)
			runSteps(t, f, clock, tc.steps)
			if diff := cmp.Diff(tc.wantCalls, seen); diff != "" {
				t.Errorf("authorizer calls (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAuthorizerCacheContext checks that a request decided from the cache
// hands the function the principal and context a fresh call does.
func TestAuthorizerCacheContext(t *testing.T) {
	tests := []struct {
		shape Shape
		want  map[string]any
	}{
		{ShapeREST, map[string]any{"principalId": "u1", "sub": "u1", "scope": "mcp", "n": "3", "b": "true"}},
		{ShapeHTTP, map[string]any{"sub": "u1", "scope": "mcp", "n": 3.0, "b": true}},
	}
	for _, tc := range tests {
		t.Run(string(tc.shape), func(t *testing.T) {
			var seen []string
			f := startFront(t, Config{Shape: tc.shape, Function: echoFunction(), Authorizer: testAuthorizer(&seen), AuthorizerCacheTTL: time.Minute})
			for i, method := range []string{"POST", "GET"} {
				resp, body := do(t, sent{method: method, url: f.URL() + "/mcp", header: http.Header{"Authorization": {"Bearer good"}}})
				if resp.StatusCode != 200 {
					t.Fatalf("%s: %d %s", method, resp.StatusCode, body)
				}
				got, latency := echoedAuthorizer(t, tc.shape, body)
				if tc.shape == ShapeREST && (latency == nil || (i == 1 && latency != 0.0)) {
					t.Errorf("%s: integrationLatency %v, want it, 0 from the cache", method, latency)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("%s: authorizer context (-want +got):\n%s", method, diff)
				}
			}
			if len(seen) != 1 {
				t.Errorf("authorizer calls %v, want one", seen)
			}
		})
	}
}

// TestAuthorizerCacheDeployRoutes checks that lambdamcp's own authorizer
// (auth.Authorizer, which cmd/authorizer serves) answers a policy that
// passes, from the cache, every method and path the deploy stack routes
// through its authorizer: its policy covers the whole stage, not the
// method ARN it was asked about.
func TestAuthorizerCacheDeployRoutes(t *testing.T) {
	const token = "cached-route-test-token"
	invoke := staticTokenAuthorizer(t, token)
	// The stack's REST API sends /mcp, with any method and a slash after
	// it or not, through the authorizer; OPTIONS is its MOCK preflight
	// and the metadata is public. Its http variant with static tokens
	// routes GET, POST and DELETE of /mcp to the Lambda authorizer's
	// simple response.
	var restRoutes []authStep
	for _, path := range []string{"/mcp", "/mcp/"} {
		for _, method := range []string{"POST", "GET", "DELETE", "PUT", "PATCH", "HEAD"} {
			restRoutes = append(restRoutes, authStep{method: method, path: path, token: "Bearer " + token, want: 200})
		}
	}
	var httpRoutes []authStep
	for _, method := range []string{"POST", "GET", "DELETE"} {
		httpRoutes = append(httpRoutes, authStep{method: method, path: "/mcp", token: "Bearer " + token, want: 200})
	}
	tests := []struct {
		name  string
		cfg   Config
		steps []authStep
	}{
		{"rest", Config{Shape: ShapeREST, Deploy: &DeployREST{}}, restRoutes},
		{"rest through a base path", Config{Shape: ShapeREST, Deploy: &DeployREST{}, BasePath: "tools"}, restRoutes},
		{"rest with JWTs", Config{Shape: ShapeREST, Deploy: &DeployREST{JWT: true}}, restRoutes},
		{"http", Config{Shape: ShapeHTTP, DeployHTTP: &DeployHTTP{}}, httpRoutes},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			var mu sync.Mutex
			counted := invokeFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
				mu.Lock()
				calls++
				mu.Unlock()
				return invoke(ctx, payload)
			})
			c := tc.cfg
			c.Function, c.Authorizer, c.AuthorizerCacheTTL = echoFunction(), NewInProcess(counted, nil), DeployAuthorizerCacheTTL
			f := startFront(t, c)
			runSteps(t, f, &fakeClock{}, tc.steps)
			mu.Lock()
			defer mu.Unlock()
			if calls != 1 {
				t.Errorf("%d authorizer calls, want 1: every later request from the cache", calls)
			}
		})
	}
}

// TestAuthCacheBound checks that the cache keeps at most its cap, the
// oldest entry going first.
func TestAuthCacheBound(t *testing.T) {
	c := newAuthCache(time.Minute)
	c.max = 2
	key := func(token string) [sha256.Size]byte { return authCacheKey("api", "dev", token) }
	c.put(key("a"), authorizerResponse{PrincipalID: "a"})
	c.put(key("b"), authorizerResponse{PrincipalID: "b"})
	c.put(key("a"), authorizerResponse{PrincipalID: "a2"}) // renewed: now the newest
	c.put(key("c"), authorizerResponse{PrincipalID: "c"})
	var kept []string
	for _, token := range []string{"a", "b", "c"} {
		if r, ok := c.get(key(token)); ok {
			kept = append(kept, r.PrincipalID)
		}
	}
	if diff := cmp.Diff([]string{"a2", "c"}, kept); diff != "" {
		t.Errorf("kept (-want +got):\n%s", diff)
	}
	if n := c.len(); n != 2 {
		t.Errorf("%d entries, want 2", n)
	}
}

// TestAuthCacheKey checks that the same token on another API or stage is
// another entry, as API Gateway keeps a cache per stage, and that no other
// split of the same bytes into API, stage and header values, a repeated
// header's included, is the same entry.
func TestAuthCacheKey(t *testing.T) {
	k := authCacheKey("api", "dev", "Bearer t")
	for _, other := range [][sha256.Size]byte{
		authCacheKey("api", "prod", "Bearer t"),
		authCacheKey("api2", "dev", "Bearer t"),
		authCacheKey("api", "dev", "Bearer u"),
		authCacheKey("api", "dev\x00Bearer t", ""),
		authCacheKey("api", "devBearer t"),
		authCacheKey("apidev", "", "Bearer t"),
		authCacheKey("api", "dev", "Bearer", " t"),
		authCacheKey("api", "dev", "Bearer t", ""),
		authCacheKey("api", "dev", "", "Bearer t"),
	} {
		if other == k {
			t.Errorf("key collides with %x", k)
		}
	}
}

// TestAuthCacheConcurrent uses one cache from many goroutines, as the
// front's concurrent requests do; run with -race.
func TestAuthCacheConcurrent(t *testing.T) {
	c := newAuthCache(time.Minute)
	c.max = 4
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				k := authCacheKey("api", "dev", fmt.Sprint((g+i)%6))
				if _, ok := c.get(k); !ok {
					c.put(k, authorizerResponse{PrincipalID: fmt.Sprint(i)})
				}
			}
		})
	}
	wg.Wait()
	if n := c.len(); n > 4 {
		t.Errorf("%d entries, want at most 4", n)
	}
}

// TestAuthorizerCacheLogsNoToken checks that the front's log, on every
// path through the cache, holds no token: the cache's keys are tokens.
func TestAuthorizerCacheLogsNoToken(t *testing.T) {
	var buf lockedBuffer
	var seen []string
	f, clock := cachedFront(t, ShapeREST, time.Minute, &seen, slog.New(slog.NewJSONHandler(&buf, nil)))
	tokens := []string{"Bearer good", "Bearer exact", "Bearer noscope", "Bearer bad", "Bearer boom"}
	var steps []authStep
	for _, token := range tokens {
		for _, method := range []string{"POST", "GET"} {
			steps = append(steps, authStep{method: method, path: "/mcp", token: token, want: map[string]int{
				"Bearer good": 200, "Bearer exact": map[string]int{"POST": 200, "GET": 403}[method],
				"Bearer noscope": 403, "Bearer bad": 401, "Bearer boom": 500,
			}[token]})
		}
	}
	runSteps(t, f, clock, steps)
	logs := buf.String()
	if !strings.Contains(logs, `"status":500`) {
		t.Fatalf("no request lines logged:\n%s", logs)
	}
	for _, token := range tokens {
		if secret := strings.TrimPrefix(token, "Bearer "); strings.Contains(logs, token) || strings.Contains(logs, `"`+secret+`"`) {
			t.Errorf("the log holds the token %q:\n%s", token, logs)
		}
	}
}

// invokeFunc is a lambda.Handler of a function.
type invokeFunc func(context.Context, []byte) ([]byte, error)

func (f invokeFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// lockedBuffer is a bytes.Buffer for a logger that requests write from
// their own goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// staticTokenAuthorizer is lambdamcp's own authorizer (auth.Authorizer,
// which cmd/authorizer serves) configured, as the deploy stack configures
// it, to take token as its one static token.
func staticTokenAuthorizer(t *testing.T, token string) func(context.Context, []byte) ([]byte, error) {
	t.Helper()
	sum := sha256.Sum256([]byte(token))
	env := map[string]string{auth.EnvTokenSHA256: hex.EncodeToString(sum[:])}
	cfg, err := auth.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	v, err := cfg.Verifier(nil)
	if err != nil {
		t.Fatal(err)
	}
	return auth.NewAuthorizer(v, cfg.AuthorizerOptions(nil)).Invoke
}
