package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp/internal/localfront"
	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

// printedIssuer is what -test-issuer prints after the front's URL.
type printedIssuer struct {
	base, issuer, clientID, secret, tokenURL string
	call, login                              string // the mcp-client command lines
}

// runTestIssuer runs the command with args and -test-issuer on a free
// port until the test ends, and returns what it printed.
func runTestIssuer(t *testing.T, args ...string) printedIssuer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdoutR, stdoutW := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0", "-test-issuer"}, args...), stdoutW, &lockedWriter{w: &stderr})
		stdoutW.Close()
	}()
	var p printedIssuer
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("exit code %d, want 0", code)
		}
		if p.secret != "" && strings.Contains(stderr.String(), p.secret) {
			t.Errorf("the client secret is in the logs: %s", stderr.String())
		}
	})
	printed := make(chan string)
	go func() {
		defer close(printed)
		r := bufio.NewReader(stdoutR)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			printed <- line
		}
	}()
	// Whatever happens, the rest is read: the command must not block
	// printing.
	defer func() {
		go func() {
			for range printed {
			}
		}()
	}()
	// The build comes first; what follows the URL is printed with it.
	wait, stop := context.WithTimeout(t.Context(), time.Minute)
	defer stop()
	var lines []string
	for p.login == "" {
		var line string
		var ok bool
		select {
		case line, ok = <-printed:
		case <-wait.Done():
		}
		if !ok {
			t.Fatalf("printed %q, then no mcp-client -login line", lines)
		}
		lines = append(lines, line)
		line = strings.TrimSpace(line)
		switch {
		case len(lines) == 1:
			p.base = line
		case strings.HasPrefix(line, "test issuer: "):
			p.issuer = strings.TrimPrefix(line, "test issuer: ")
		case strings.HasPrefix(line, "client id: "):
			p.clientID = strings.TrimPrefix(line, "client id: ")
		case strings.HasPrefix(line, "client secret: "):
			p.secret = strings.TrimPrefix(line, "client secret: ")
		case strings.HasPrefix(line, "token endpoint: "):
			p.tokenURL = strings.TrimPrefix(line, "token endpoint: ")
		case strings.Contains(line, " -login "):
			p.login = line
		case strings.Contains(line, "mcp-client "):
			p.call = line
		}
	}
	if p.issuer == "" || p.clientID == "" || p.secret == "" || p.tokenURL == "" || p.call == "" {
		t.Fatalf("printed %q: want the issuer, the client's id and secret, the token endpoint and the client's command line", lines)
	}
	if !strings.Contains(strings.Join(lines, ""), "approves every request") {
		t.Errorf("printed %q: want it to say the issuer approves every request", lines)
	}
	return p
}

// clientToken gets a token of the printed client from the printed token
// endpoint, with the client credentials grant.
func clientToken(t *testing.T, p printedIssuer) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, p.tokenURL, strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(p.clientID, p.secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("token endpoint: %d, %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

// bearer sends every request with a token.
type bearer string

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+string(b))
	return http.DefaultTransport.RoundTrip(r)
}

// TestRunTestIssuer runs the reference server's bootstrap with
// -test-issuer, checking the tokens itself or behind the authorizer's
// bootstrap answering as the deploy stack: a request without a token is
// refused with a challenge naming the metadata, which names the printed
// issuer; a token of the printed client, from the printed token
// endpoint, calls a tool.
func TestRunTestIssuer(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		metadata   string // the path, after the base URL, the challenge names
		wantScopes []string
		// bare: the 401 names no metadata, as an HTTP API's JWT
		// authorizer refusing a request without a token; the metadata
		// is at metadata all the same.
		bare bool
	}{
		{name: "rest, the server checks", args: []string{"-build", "../mcp-server"},
			metadata: "/.well-known/oauth-protected-resource/mcp", wantScopes: []string{"lambdamcp/mcp"}},
		{name: "rest like the stack, the authorizer checks", args: []string{"-like-deploy", "-build", "../mcp-server", "-build-authorizer", "../authorizer"},
			metadata: "/.well-known/oauth-protected-resource/mcp", wantScopes: []string{"lambdamcp/mcp"}},
		{name: "function url, scopes given", args: []string{"-shape", "url", "-build", "../mcp-server", "-env", "MCP_REQUIRED_SCOPES=mcp:tools mcp:read"},
			metadata: "/.well-known/oauth-protected-resource/mcp", wantScopes: []string{"mcp:tools", "mcp:read"}},
		{name: "custom domain", args: []string{"-base-path", "tools", "-build", "../mcp-server"},
			metadata: "/.well-known/oauth-protected-resource/tools/mcp", wantScopes: []string{"lambdamcp/mcp"}},
		{name: "http like the stack, its JWT authorizer checks", args: []string{"-shape", "http", "-like-deploy", "-build", "../mcp-server"},
			metadata: "/.well-known/oauth-protected-resource/mcp", wantScopes: []string{"lambdamcp/mcp"}, bare: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := runTestIssuer(t, tc.args...)
			endpoint := p.base + "/mcp"

			resp, err := http.Post(endpoint, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			metadata := p.base + tc.metadata
			challenge := resp.Header.Get("WWW-Authenticate")
			switch {
			case tc.bare && (resp.StatusCode != http.StatusUnauthorized || challenge != ""):
				t.Fatalf("POST without a token: %d %q, want 401 without a challenge", resp.StatusCode, challenge)
			case !tc.bare && (resp.StatusCode != http.StatusUnauthorized || !strings.Contains(challenge, `resource_metadata="`+metadata+`"`)):
				t.Fatalf("POST without a token: %d %q, want 401 naming %s", resp.StatusCode, challenge, metadata)
			}
			resp, err = http.Get(metadata)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Resource             string   `json:"resource"`
				AuthorizationServers []string `json:"authorization_servers"`
				ScopesSupported      []string `json:"scopes_supported"`
			}
			err = json.NewDecoder(resp.Body).Decode(&doc)
			resp.Body.Close()
			if err != nil || doc.Resource != endpoint || len(doc.AuthorizationServers) != 1 || doc.AuthorizationServers[0] != p.issuer ||
				strings.Join(doc.ScopesSupported, " ") != strings.Join(tc.wantScopes, " ") {
				t.Errorf("metadata %+v (%v): want resource %s, the issuer %s, scopes %q", doc, err, endpoint, p.issuer, tc.wantScopes)
			}

			if b := whoami(t, endpoint, clientToken(t, p)); !strings.Contains(b, p.clientID) {
				t.Errorf("whoami = %s, want the printed client %s", b, p.clientID)
			}
		})
	}
}

// TestRunTestIssuerCommandLines runs the mcp-client command lines
// -test-issuer prints, as printed: with the client's token, and signing
// a person in, the browser being a GET of the sign-in URL the client
// prints, which the issuer approves at once.
func TestRunTestIssuerCommandLines(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cli, err := localfront.Build(ctx, "../mcp-client", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	p := runTestIssuer(t, "-like-deploy", "-build", "../mcp-server", "-build-authorizer", "../authorizer")
	tests := []struct {
		name, line string
		extra      []string // where the test's machine differs from a person's
		want       string
		signIns    int // sign-in URLs the client must print
	}{
		{name: "client credentials", line: p.call, want: p.clientID},
		{name: "login", line: p.login, extra: []string{"-no-browser", "-redirect-port", "0", "-no-token-cache"}, want: oauthtest.DefaultSubject, signIns: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, command, ok := strings.Cut(tc.line, " go run github.com/lambdamcp/lambdamcp/cmd/mcp-client ")
			if !ok || env != "MCP_CLIENT_SECRET="+p.secret {
				t.Fatalf("printed %q, want MCP_CLIENT_SECRET=<the secret> go run …/cmd/mcp-client <flags>", tc.line)
			}
			ctx, stop := context.WithCancel(ctx)
			defer stop()
			cmd := exec.CommandContext(ctx, cli, append(append(strings.Fields(command), tc.extra...), "-call", "whoami")...)
			cmd.Env = []string{env, "HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
			var stdout strings.Builder
			cmd.Stdout = &stdout
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var errOut strings.Builder
			signIns, err := oauthtest.BrowseSignIns(ctx, stderr, &errOut, stop)
			if err != nil || signIns != tc.signIns {
				t.Errorf("%d sign-in URLs printed and browsed (%v), want %d", signIns, err, tc.signIns)
			}
			if err := cmd.Wait(); err != nil || !strings.Contains(stdout.String(), tc.want) {
				t.Errorf("%v; stdout %q, stderr %q: want whoami to name %s", err, stdout.String(), errOut.String(), tc.want)
			}
		})
	}
}

// TestTestIssuerFillsEnv checks the environments -test-issuer gives the
// functions: the deploy stack's Cognito settings for the issuer and the
// front's URL, but for each variable the user set.
func TestTestIssuerFillsEnv(t *testing.T) {
	tests := []struct {
		name              string
		args              []string
		wantEnv, wantAuth func(as *oauthtest.Server, base string) []string
		// wantJWT is the HTTP API's JWT authorizer; nil: none.
		wantJWT func(as *oauthtest.Server, base string) *localfront.JWTAuthorizer
	}{
		{name: "the server checks", args: nil,
			wantEnv: func(as *oauthtest.Server, base string) []string {
				return []string{"MCP_JWT_ISSUER=" + as.Issuer, "MCP_JWT_JWKS_URL=" + as.JWKSURL(), "MCP_JWT_AUDIENCE=" + as.ClientID,
					"MCP_JWT_AUDIENCE_CLAIM=client_id", "MCP_REQUIRED_SCOPES=lambdamcp/mcp",
					"MCP_RESOURCE_URL=" + base + "/dev/mcp", "MCP_RESOURCE_METADATA_URL=" + base + "/dev/.well-known/oauth-protected-resource/mcp",
					"MCP_AUTHORIZATION_SERVERS=" + as.Issuer}
			},
			wantAuth: func(*oauthtest.Server, string) []string { return nil }},
		{name: "the authorizer checks, user settings stand", args: []string{"-authorizer", "y", "-env", "MCP_RESOURCE_URL=https://mine.example.com/mcp",
			"-authorizer-env", "MCP_REQUIRED_SCOPES=mine:a mine:b", "-authorizer-env", "MCP_JWT_AUDIENCE=mine"},
			wantEnv: func(as *oauthtest.Server, base string) []string {
				return []string{"MCP_RESOURCE_URL=https://mine.example.com/mcp", "MCP_AUTH_FROM_AUTHORIZER=1",
					"MCP_RESOURCE_METADATA_URL=" + base + "/dev/.well-known/oauth-protected-resource/mcp",
					"MCP_AUTHORIZATION_SERVERS=" + as.Issuer, "MCP_REQUIRED_SCOPES=mine:a mine:b"}
			},
			wantAuth: func(as *oauthtest.Server, base string) []string {
				return []string{"MCP_REQUIRED_SCOPES=mine:a mine:b", "MCP_JWT_AUDIENCE=mine",
					"MCP_JWT_ISSUER=" + as.Issuer, "MCP_JWT_JWKS_URL=" + as.JWKSURL(), "MCP_JWT_AUDIENCE_CLAIM=client_id",
					"MCP_RESOURCE_URL=" + base + "/dev/mcp"}
			}},
		{name: "http like the stack, its JWT authorizer checks", args: []string{"-shape", "http", "-like-deploy"},
			wantEnv: func(as *oauthtest.Server, base string) []string {
				return []string{"MCP_AUTH_FROM_AUTHORIZER=1", "MCP_RESOURCE_URL=" + base + "/mcp",
					"MCP_RESOURCE_METADATA_URL=" + base + "/.well-known/oauth-protected-resource/mcp",
					"MCP_AUTHORIZATION_SERVERS=" + as.Issuer, "MCP_REQUIRED_SCOPES=lambdamcp/mcp"}
			},
			wantAuth: func(*oauthtest.Server, string) []string { return nil },
			wantJWT: func(as *oauthtest.Server, base string) *localfront.JWTAuthorizer {
				return &localfront.JWTAuthorizer{Issuer: as.Issuer, Audience: []string{as.ClientID, base + "/mcp"}, Scopes: []string{"lambdamcp/mcp"}}
			}},
		// An emptied MCP_REQUIRED_SCOPES names no scope: a client_id
		// audience without one would take any token of the client, and
		// the functions refuse to start with it. The scope the issuer
		// grants is filled in after it, which the process then sees.
		{name: "http like the stack, required scopes emptied", args: []string{"-shape", "http", "-like-deploy", "-env", "MCP_REQUIRED_SCOPES="},
			wantEnv: func(as *oauthtest.Server, base string) []string {
				return []string{"MCP_REQUIRED_SCOPES=", "MCP_AUTH_FROM_AUTHORIZER=1", "MCP_RESOURCE_URL=" + base + "/mcp",
					"MCP_RESOURCE_METADATA_URL=" + base + "/.well-known/oauth-protected-resource/mcp",
					"MCP_AUTHORIZATION_SERVERS=" + as.Issuer, "MCP_REQUIRED_SCOPES=lambdamcp/mcp"}
			},
			wantAuth: func(*oauthtest.Server, string) []string { return nil },
			wantJWT: func(as *oauthtest.Server, base string) *localfront.JWTAuthorizer {
				return &localfront.JWTAuthorizer{Issuer: as.Issuer, Audience: []string{as.ClientID, base + "/mcp"}, Scopes: []string{"lambdamcp/mcp"}}
			}},
		{name: "the server checks, required scopes emptied", args: []string{"-env", "MCP_REQUIRED_SCOPES= "},
			wantEnv: func(as *oauthtest.Server, base string) []string {
				return []string{"MCP_REQUIRED_SCOPES= ", "MCP_JWT_ISSUER=" + as.Issuer, "MCP_JWT_JWKS_URL=" + as.JWKSURL(), "MCP_JWT_AUDIENCE=" + as.ClientID,
					"MCP_JWT_AUDIENCE_CLAIM=client_id", "MCP_REQUIRED_SCOPES=lambdamcp/mcp",
					"MCP_RESOURCE_URL=" + base + "/dev/mcp", "MCP_RESOURCE_METADATA_URL=" + base + "/dev/.well-known/oauth-protected-resource/mcp",
					"MCP_AUTHORIZATION_SERVERS=" + as.Issuer}
			},
			wantAuth: func(*oauthtest.Server, string) []string { return nil }},
		// The authorizer's emptied scopes fall back to the function's, as
		// the issuer grants them.
		{name: "the authorizer checks, its scopes emptied", args: []string{"-authorizer", "y",
			"-authorizer-env", "MCP_REQUIRED_SCOPES=", "-env", "MCP_REQUIRED_SCOPES=mine:a"},
			wantEnv: func(as *oauthtest.Server, base string) []string {
				return []string{"MCP_REQUIRED_SCOPES=mine:a", "MCP_AUTH_FROM_AUTHORIZER=1", "MCP_RESOURCE_URL=" + base + "/dev/mcp",
					"MCP_RESOURCE_METADATA_URL=" + base + "/dev/.well-known/oauth-protected-resource/mcp",
					"MCP_AUTHORIZATION_SERVERS=" + as.Issuer}
			},
			wantAuth: func(as *oauthtest.Server, base string) []string {
				return []string{"MCP_REQUIRED_SCOPES=", "MCP_JWT_ISSUER=" + as.Issuer, "MCP_JWT_JWKS_URL=" + as.JWKSURL(), "MCP_JWT_AUDIENCE=" + as.ClientID,
					"MCP_JWT_AUDIENCE_CLAIM=client_id", "MCP_REQUIRED_SCOPES=mine:a", "MCP_RESOURCE_URL=" + base + "/dev/mcp"}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parse(append([]string{"-addr", "127.0.0.1:0", "-test-issuer", "-function", "x"}, tc.args...), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			as, err := o.startTestIssuer()
			if err != nil {
				t.Fatal(err)
			}
			defer as.Close()
			defer o.listener.Close()
			base := "http://" + o.listener.Addr().String()
			if diff := cmp.Diff(tc.wantEnv(as, base), []string(o.env)); diff != "" {
				t.Errorf("-env (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantAuth(as, base), []string(o.authorizerEnv)); diff != "" {
				t.Errorf("-authorizer-env (-want +got):\n%s", diff)
			}
			var want *localfront.JWTAuthorizer
			if tc.wantJWT != nil {
				want = tc.wantJWT(as, base)
			}
			if diff := cmp.Diff(want, o.jwtAuthorizer()); diff != "" {
				t.Errorf("JWT authorizer (-want +got):\n%s", diff)
			}
		})
	}
}

// whoami connects to endpoint with token and returns what the reference
// server's whoami tool answers, as JSON.
func whoami(t *testing.T, endpoint, token string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	client := mcp.NewClient(&mcp.Implementation{Name: "lambdamcp-local-test", Version: "0.0.1"}, nil)
	session, err := client.Connect(ctx, &mcp.StreamableClientTransport{
		Endpoint: endpoint, DisableStandaloneSSE: true, HTTPClient: &http.Client{Transport: bearer(token)},
	}, nil)
	if err != nil {
		t.Fatalf("connecting with the token: %v", err)
	}
	defer session.Close()
	res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "whoami"})
	if err != nil || res.IsError {
		t.Fatalf("whoami: %+v, %v", res, err)
	}
	b, _ := json.Marshal(res.StructuredContent)
	return string(b)
}
