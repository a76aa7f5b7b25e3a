package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/serve"
)

// authSeen serves the reference server at /mcp, noting every Authorization
// header it is sent, and redirects /old to /mcp.
type authSeen struct {
	mu   sync.Mutex
	seen []string
	srv  *httptest.Server
}

func startAuthSeen(t *testing.T) *authSeen {
	t.Helper()
	a := &authSeen{}
	mcpHandler := serve.Routes(serve.Handler(demoserver.New(demoserver.Options{}), nil))
	mux := http.NewServeMux()
	mux.Handle("/mcp", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.seen = append(a.seen, r.Header.Get("Authorization"))
		a.mu.Unlock()
		mcpHandler.ServeHTTP(w, r)
	}))
	mux.Handle("/old", http.RedirectHandler("/mcp", http.StatusTemporaryRedirect))
	a.srv = httptest.NewServer(mux)
	t.Cleanup(a.srv.Close)
	return a
}

func (a *authSeen) headers() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.seen
}

// checkSentOnly checks that the server was sent requests, each with the
// Authorization want ("" for none).
func (a *authSeen) checkSentOnly(t *testing.T, want string) {
	t.Helper()
	seen := a.headers()
	if len(seen) == 0 {
		t.Fatal("the redirect's target was sent nothing")
	}
	for _, h := range seen {
		if h != want {
			t.Errorf("the redirect's target was sent Authorization %q, want %q", h, want)
		}
	}
}

// standingIn is the reach guard of a run at endpoint for which the
// loopback servers at urls stand in for public hosts: a redirect to them
// is followed, as one to a public host is.
func standingIn(endpoint string, urls ...string) *reachGuard {
	return newReachGuard(nil, append([]string{endpoint}, urls...)...)
}

// TestTokenStaysWithOrigin checks that the bearer token follows a redirect
// within the endpoint's origin but is not sent to another one.
func TestTokenStaysWithOrigin(t *testing.T) {
	for _, tc := range []struct {
		name string
		want string // the Authorization the redirect's target sees
		via  func(target string) string
	}{
		{"other origin", "", func(target string) string {
			redirector := httptest.NewServer(http.RedirectHandler(target+"/mcp", http.StatusTemporaryRedirect))
			t.Cleanup(redirector.Close)
			return redirector.URL + "/mcp"
		}},
		{"same origin", "Bearer t0k3n", func(target string) string { return target + "/old" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seenBy := startAuthSeen(t)
			endpoint := tc.via(seenBy.srv.URL)
			var stdout bytes.Buffer
			tg := target{endpoint: endpoint, token: "t0k3n", interrupted: t.Context(), reach: standingIn(endpoint, seenBy.srv.URL)}
			if err := talk(t.Context(), tg, &stdout); err != nil {
				t.Fatal(explain(endpoint, err, nil))
			}
			seenBy.checkSentOnly(t, tc.want)
		})
	}
}

// TestTokenOverPlainHTTP checks that a token is not sent over plain http
// to a host that is not this machine unless -insecure says so. The runs
// that may go on are given an ended context: that they stop interrupted
// (130), not with a usage error (2), shows the command line was accepted.
func TestTokenOverPlainHTTP(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"plain http elsewhere", []string{"-endpoint", "http://mcp.example.com/mcp", "-token", "t0k3n"}, 2},
		{"plain http elsewhere, by address", []string{"-endpoint", "http://192.0.2.1:8080/mcp", "-token", "t0k3n"}, 2},
		{"plain http elsewhere, insecure", []string{"-endpoint", "http://mcp.example.com/mcp", "-token", "t0k3n", "-insecure"}, 130},
		{"plain http elsewhere, no token", []string{"-endpoint", "http://mcp.example.com/mcp"}, 130},
		{"https elsewhere", []string{"-endpoint", "https://mcp.example.com/mcp", "-token", "t0k3n"}, 130},
		{"localhost", []string{"-endpoint", "http://LocalHost:8080/mcp", "-token", "t0k3n"}, 130},
		{"127.0.0.0/8", []string{"-endpoint", "http://127.1.2.3:8080/mcp", "-token", "t0k3n"}, 130},
		{"::1", []string{"-endpoint", "http://[::1]:8080/mcp", "-token", "t0k3n"}, 130},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			var stdout, stderr bytes.Buffer
			code := run(ctx, tc.args, noEnv, &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, stderr.String())
			}
			if refused := strings.Contains(stderr.String(), "plain http"); refused != (tc.code == 2) {
				t.Errorf("stderr %q: refused for plain http %v, want %v", stderr.String(), refused, tc.code == 2)
			}
		})
	}
	t.Run("from the environment", func(t *testing.T) {
		env := func(k string) string {
			return map[string]string{"MCP_TOKEN": "t0k3n-from-env", "MCP_SERVER_ENDPOINT": "http://mcp.example.com/mcp"}[k]
		}
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), nil, env, &stdout, &stderr); code != 2 || strings.Contains(stderr.String(), "t0k3n") {
			t.Errorf("exit %d, stderr %q; want 2 without the token", code, stderr.String())
		}
	})
}

// roundTripFunc is a RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestTokenOnlyToOrigin checks the rule itself, origin by origin: the
// token goes where scheme, host (whatever its case) and port (a default
// one written or not) are the endpoint's, and nowhere else.
func TestTokenOnlyToOrigin(t *testing.T) {
	origin, _ := url.Parse("https://api.example.com/mcp")
	var sent string
	rec := &statusRecorder{token: "t0k3n", origin: origin, base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent = r.Header.Get("Authorization")
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(""))}, nil
	})}
	for target, want := range map[string]bool{
		"https://api.example.com/other":    true,
		"https://api.example.com:443/mcp":  true,
		"https://API.example.com/mcp":      true,
		"https://evil.example.net/mcp":     false,
		"https://api.example.com:8443/mcp": false,
		"http://api.example.com/mcp":       false,
		"http://api.example.com:443/mcp":   false,
		"https://api.example.com.evil/mcp": false,
	} {
		sent = ""
		req, _ := http.NewRequest(http.MethodGet, target, nil)
		if _, err := rec.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
		if got := sent == "Bearer t0k3n"; got != want {
			t.Errorf("%s: token sent %v, want %v", target, got, want)
		}
	}
}

// TestTokenNotToPrivateAddresses checks that a private address is no
// loopback: the token does not go over plain http to it either. The run is
// given an ended context, so that were the command line accepted, nothing
// would be sent.
func TestTokenNotToPrivateAddresses(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, endpoint := range []string{"http://10.0.0.5/mcp", "http://192.168.1.2:8080/mcp", "http://[fd00::1]/mcp"} {
		var stdout, stderr bytes.Buffer
		if code := run(ctx, []string{"-endpoint", endpoint, "-token", "t0k3n"}, noEnv, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "plain http") {
			t.Errorf("%s: exit %d, stderr %q; want 2 and the plain-http refusal", endpoint, code, stderr.String())
		}
	}
}
