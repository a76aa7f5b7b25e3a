package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
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
			target := startAuthSeen(t)
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), []string{"-endpoint", tc.via(target.srv.URL), "-token", "t0k3n"}, noEnv, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d, stderr %q", code, stderr.String())
			}
			seen := target.headers()
			if len(seen) == 0 {
				t.Fatal("the redirect's target was sent nothing")
			}
			for _, h := range seen {
				if h != tc.want {
					t.Errorf("the redirect's target was sent Authorization %q, want %q", h, tc.want)
				}
			}
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
