package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
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
	t.Run("other origin", func(t *testing.T) {
		target := startAuthSeen(t)
		redirector := httptest.NewServer(http.RedirectHandler(target.srv.URL+"/mcp", http.StatusTemporaryRedirect))
		t.Cleanup(redirector.Close)
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), []string{"-endpoint", redirector.URL + "/mcp", "-token", "t0k3n"}, noEnv, &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d, stderr %q", code, stderr.String())
		}
		seen := target.headers()
		if len(seen) == 0 {
			t.Fatal("the redirect's target was sent nothing")
		}
		for _, h := range seen {
			if h != "" {
				t.Errorf("the redirect's target, another origin, was sent Authorization %q", h)
			}
		}
	})
	t.Run("same origin", func(t *testing.T) {
		target := startAuthSeen(t)
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), []string{"-endpoint", target.srv.URL + "/old", "-token", "t0k3n"}, noEnv, &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d, stderr %q", code, stderr.String())
		}
		seen := target.headers()
		if len(seen) == 0 {
			t.Fatal("the redirect's target was sent nothing")
		}
		for _, h := range seen {
			if h != "Bearer t0k3n" {
				t.Errorf("Authorization %q after a redirect within the origin, want the token", h)
			}
		}
	})
}
