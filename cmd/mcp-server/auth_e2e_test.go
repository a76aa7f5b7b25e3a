package main

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"

	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
)

// TestAuthEndToEnd runs the built server locally with a static token and
// the built client against it, as the README's walkthrough does: refused
// without the token (one clear line, non-zero exit), served with it in
// MCP_TOKEN or -token. With an authorization server named beside (people
// sign in there, a job holds the static token), a raw 401 carries the
// challenge and the metadata URL in it resolves to a valid RFC 9728
// document.
func TestAuthEndToEnd(t *testing.T) {
	const token = "e2e-static-token-0123456789abcdef"
	dir := t.TempDir()
	server := buildCommand(t, dir, "github.com/lambdamcp/lambdamcp/cmd/mcp-server")
	client := buildCommand(t, dir, "github.com/lambdamcp/lambdamcp/cmd/mcp-client")
	endpoint := startServer(t, server,
		auth.EnvTokenSHA256+"="+auth.HashToken(token),
		auth.EnvRequiredScopes+"=mcp:tools", auth.EnvAuthorizationServers+"=https://issuer.example.com",
		auth.EnvResourceURL+"=", auth.EnvJWTIssuer+"=", auth.EnvFromAuthorizer+"=")

	t.Run("client without a token", func(t *testing.T) {
		out, errOut, code := runClient(t, client, "-endpoint", endpoint)
		if code == 0 {
			t.Fatalf("exit 0, want failure; stdout:\n%s", out)
		}
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], "(HTTP 401)") || !strings.Contains(lines[0], "bearer token") {
			t.Errorf("stderr = %q, want one line explaining the 401", errOut)
		}
		if meta := strings.Replace(endpoint, "/mcp", "/.well-known/oauth-protected-resource/mcp", 1); !strings.Contains(errOut, meta) {
			t.Errorf("stderr = %q, want the metadata URL %s from the challenge", errOut, meta)
		}
	})
	t.Run("client with a wrong token", func(t *testing.T) {
		_, errOut, code := runClient(t, client, "-endpoint", endpoint, "-token", "not-the-token")
		if code == 0 || !strings.Contains(errOut, "(HTTP 401)") {
			t.Errorf("exit %d, stderr %q; want a 401 failure", code, errOut)
		}
		if strings.Contains(errOut, "not-the-token") {
			t.Error("the client printed the token")
		}
	})
	t.Run("client with the token in MCP_TOKEN", func(t *testing.T) {
		out, errOut, code := runClientEnv(t, []string{"MCP_TOKEN=" + token}, client, "-endpoint", endpoint)
		if code != 0 {
			t.Fatalf("exit %d, stderr:\n%s", code, errOut)
		}
		if !regexp.MustCompile(`(?m)^ping #2: pong!`).MatchString(out) {
			t.Errorf("output lacks the second ping:\n%s", out)
		}
	})
	t.Run("client with the token in -token", func(t *testing.T) {
		out, errOut, code := runClient(t, client, "-endpoint", endpoint, "-token", token)
		if code != 0 {
			t.Fatalf("exit %d, stderr:\n%s", code, errOut)
		}
		if !regexp.MustCompile(`(?m)^ping #2: pong!`).MatchString(out) {
			t.Errorf("output lacks the second ping:\n%s", out)
		}
	})

	t.Run("raw 401 and the metadata it points at", func(t *testing.T) {
		req, _ := http.NewRequest("POST", endpoint, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 401 || !json.Valid(body) {
			t.Fatalf("status %d, body %s; want 401 with a JSON body", resp.StatusCode, body)
		}
		challenge := resp.Header.Get("WWW-Authenticate")
		m := regexp.MustCompile(`^Bearer resource_metadata="([^"]+)", scope="mcp:tools"$`).FindStringSubmatch(challenge)
		if m == nil {
			t.Fatalf("WWW-Authenticate = %q", challenge)
		}
		metaURL := m[1]
		if want := strings.Replace(endpoint, "/mcp", "/.well-known/oauth-protected-resource/mcp", 1); metaURL != want {
			t.Errorf("resource_metadata = %s, want %s", metaURL, want)
		}

		resp, err = http.Get(metaURL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got oauthex.ProtectedResourceMetadata
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d, %v", metaURL, resp.StatusCode, err)
		}
		want := oauthex.ProtectedResourceMetadata{
			Resource:               endpoint, // exactly the MCP endpoint URL
			AuthorizationServers:   []string{"https://issuer.example.com"},
			ScopesSupported:        []string{"mcp:tools"},
			BearerMethodsSupported: []string{"header"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("metadata (-want +got):\n%s", diff)
		}
	})

	t.Run("whoami sees the caller", func(t *testing.T) {
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "1"}, nil).Connect(t.Context(),
			&mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: &http.Client{Transport: bearer(token)}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "whoami"})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(res.StructuredContent)
		var got demoserver.WhoamiOutput
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		want := demoserver.WhoamiOutput{Authenticated: true, Subject: "static:" + auth.HashToken(token)[:12], Scopes: []string{"mcp:tools"}, Method: "static"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("whoami (-want +got):\n%s", diff)
		}
	})
}

type bearer string

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+string(b))
	return http.DefaultTransport.RoundTrip(r)
}
