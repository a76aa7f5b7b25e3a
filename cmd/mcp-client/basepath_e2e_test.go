package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/internal/localfront"
)

// startBasePathFront serves the reference server, compiled as a Lambda
// bootstrap, behind the local REST front reached through a custom domain
// whose API mapping has the base path tools. env makes the function's
// environment from the front's base URL (http://127.0.0.1:PORT/tools),
// which a deployment knows before it starts. It returns that URL.
func startBasePathFront(t *testing.T, bin string, env func(base string) []string) string {
	t.Helper()
	// The listener first: the function's environment names its address.
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String() + "/tools"
	fn, err := localfront.NewProcess(bin, &localfront.FunctionConfig{Env: env(base)})
	if err != nil {
		t.Fatal(err)
	}
	front, err := localfront.New(localfront.Config{Shape: localfront.ShapeREST, BasePath: "tools", Function: fn})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = front
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		front.Close() // ends the function's processes
	})
	return base
}

// TestCallThroughCustomDomainBasePath runs the reference server's
// bootstrap behind the REST front through a base path mapping, where
// every event's path starts with the base path, and talks to it with the
// client at /tools/mcp: it lists the tools and calls ping, without auth
// and with a static token. With the token, the 401's challenge points at
// the metadata URL inside the mapping, as docs/auth.md sets it up, and
// that URL is served.
func TestCallThroughCustomDomainBasePath(t *testing.T) {
	const token = "base-path-e2e-token-0123456789abcdef"
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	bin, err := localfront.Build(ctx, "github.com/lambdamcp/lambdamcp/cmd/mcp-server", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	open := startBasePathFront(t, bin, func(string) []string { return nil })
	var metadata string
	protected := startBasePathFront(t, bin, func(base string) []string {
		metadata = base + "/.well-known/oauth-protected-resource/tools/mcp"
		return []string{
			auth.EnvTokenSHA256 + "=" + auth.HashToken(token),
			auth.EnvAuthorizationServers + "=https://issuer.example.com",
			auth.EnvResourceURL + "=" + base + "/mcp",
			auth.EnvResourceMetadataURL + "=" + metadata,
		}
	})
	client := func(env map[string]string, args ...string) (stdout, stderr string, code int) {
		var out, errOut bytes.Buffer
		code = run(ctx, args, func(k string) string { return env[k] }, &out, &errOut)
		return out.String(), errOut.String(), code
	}
	listsAndPings := regexp.MustCompile(`(?s)Tools \(2\):\n  - ping: .+\n  - whoami: .+\nping #1: pong! .+\nping #2: pong! `)

	for _, tc := range []struct {
		name, base string
		env        map[string]string
	}{
		{"without auth", open, nil},
		{"with a static token", protected, map[string]string{"MCP_TOKEN": token}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := client(tc.env, "-endpoint", tc.base+"/mcp")
			if code != 0 || !listsAndPings.MatchString(out) {
				t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant the tools listed and ping called", code, out, errOut)
			}
		})
	}

	t.Run("without the token", func(t *testing.T) {
		_, errOut, code := client(nil, "-endpoint", protected+"/mcp")
		if code == 0 || !strings.Contains(errOut, "(HTTP 401)") || !strings.Contains(errOut, metadata) {
			t.Errorf("exit %d, stderr %q; want a 401 naming %s", code, errOut, metadata)
		}
	})

	t.Run("challenge and metadata", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, protected+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if challenge := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(challenge, `resource_metadata="`+metadata+`"`) {
			t.Fatalf("no token: %d, WWW-Authenticate %q; want 401 pointing at %s", resp.StatusCode, challenge, metadata)
		}
		resp, err = http.Get(metadata)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var doc struct{ Resource string }
		if err := json.Unmarshal(body, &doc); err != nil || resp.StatusCode != http.StatusOK || doc.Resource != protected+"/mcp" {
			t.Errorf("GET %s = %d %s; want 200 naming %s/mcp", metadata, resp.StatusCode, body, protected)
		}
	})

	t.Run("outside the mapping", func(t *testing.T) {
		outside := strings.TrimSuffix(open, "/tools") + "/mcp"
		_, errOut, code := client(nil, "-endpoint", outside)
		if code == 0 || !strings.Contains(errOut, "(HTTP 403") || !strings.Contains(errOut, `"Forbidden"`) {
			t.Errorf("exit %d, stderr %q; want the custom domain's 403 Forbidden", code, errOut)
		}
	})
}
