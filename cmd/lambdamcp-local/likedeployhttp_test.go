package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/auth"
)

// runFront runs the command with args on a free port until the test
// ends, and returns the URL it printed.
func runFront(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdoutR, stdoutW := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), stdoutW, &lockedWriter{w: &stderr})
		stdoutW.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("exit code %d, want 0", code)
		}
	})
	printed := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdoutR)
		line, _ := r.ReadString('\n')
		printed <- strings.TrimSpace(line)
		io.Copy(io.Discard, r) // the command must not block printing
	}()
	// The builds come first.
	wait, stop := context.WithTimeout(t.Context(), 3*time.Minute)
	defer stop()
	select {
	case base := <-printed:
		if base == "" {
			t.Fatalf("printed no URL; stderr: %s", stderr.String())
		}
		return base
	case <-wait.Done():
		t.Fatal("no URL printed in time")
	}
	return ""
}

// TestRunLikeDeployHTTPStaticTokens runs the reference server's and the
// authorizer's bootstraps as the deploy stack's http variant with static
// tokens runs them: a token calls a tool, a request without it or with
// another token is refused 401 by the authorizer, a path the stack has no
// route for is not found, and a preflight is answered with the API's
// CORS.
func TestRunLikeDeployHTTPStaticTokens(t *testing.T) {
	const token = "a-static-token-of-the-http-variant"
	base := runFront(t, "-shape", "http", "-like-deploy", "-build", "../mcp-server", "-build-authorizer", "../authorizer",
		"-authorizer-env", auth.EnvTokenSHA256+"="+auth.HashToken(token), "-env", "MCP_AUTH_FROM_AUTHORIZER=1")
	const list = `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`
	tests := []struct {
		name         string
		method, path string
		header       map[string]string
		wantStatus   int
		wantBody     string
		wantHeader   map[string]string
	}{
		{name: "no token", method: "POST", path: "/mcp", wantStatus: 401, wantBody: `{"message":"Unauthorized"}`},
		{name: "another token", method: "POST", path: "/mcp", header: map[string]string{"Authorization": "Bearer not-the-static-token-at-all"},
			wantStatus: 401, wantBody: `{"message":"Unauthorized"}`},
		{name: "no route", method: "POST", path: "/other", header: map[string]string{"Authorization": "Bearer " + token},
			wantStatus: 404, wantBody: `{"message":"Not Found"}`},
		{name: "no metadata with static tokens", method: "GET", path: "/.well-known/oauth-protected-resource/mcp",
			wantStatus: 404, wantBody: `{"message":"Not Found"}`},
		{name: "a preflight", method: "OPTIONS", path: "/mcp",
			header:     map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"},
			wantStatus: 204, wantHeader: map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Max-Age": "3600"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, base+tc.path, strings.NewReader(list))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tc.wantStatus)
			}
			if tc.wantBody != "" && strings.TrimSpace(string(body)) != tc.wantBody {
				t.Errorf("body %q, want %q", body, tc.wantBody)
			}
			for k, v := range tc.wantHeader {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s %q, want %q", k, got, v)
				}
			}
		})
	}
	t.Run("a token calls a tool", func(t *testing.T) {
		if b := whoami(t, base+"/mcp", token); !strings.Contains(b, "static") {
			t.Errorf("whoami = %s, want the static token's identity", b)
		}
	})
}
