package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/localfront"
	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

// clientPkg is lambdamcp's own client, run beside the TypeScript ones.
const clientPkg = "./cmd/mcp-client"

// jwtTargets are where the clients get their token themselves: the
// reference server checks JWTs from an authorization server the run
// starts, as the README's Cognito example has it, run locally and as a
// real bootstrap behind the front's Function URL in RESPONSE_STREAM mode;
// or, behind the front's REST API answering as deploy/'s rest variant
// does (buffered, and with transfer mode STREAM), the real authorizer
// bootstrap checks them and the stack's Gateway Responses challenge; or,
// behind the front's HTTP API as deploy/'s http variant, the HTTP API's
// own JWT authorizer checks them, and its challenge names no metadata.
// A client given its id, secret and issuer must find its way from the
// 401 to a token: the resource metadata the challenge names (or, from an
// HTTP API, its well-known URL), the authorization server that names,
// its metadata, its token endpoint.
var jwtTargets = []string{"local+jwt", "url-stream+jwt", "rest+authorizer+jwt", "rest-stream+authorizer+jwt", "http+jwt"}

// jwtScope is the scope the reference server requires of every caller.
const jwtScope = "https://mcp.e2e.test/tools"

// invalidClient is how a client reports the token endpoint's refusal of a
// wrong secret (RFC 6749 §5.2).
var invalidClient = regexp.MustCompile(`invalid_client|Client authentication failed`)

func jwtClients(tools *nodeTools, cli string) []client {
	sdk := filepath.Join(tools.dir, "clients", "sdk-client.mjs")
	sdkRuns := func(era, version string) []clientRun {
		args := []string{sdk, era, "{url}", "ping", `{"delay_ms":0}`}
		return []clientRun{
			{what: "client credentials: tools/list + ping", args: args, creds: true,
				wantOut: []string{`"protocolVersion":"` + version + `"`, referenceTools, "pong"}},
			{what: "with a wrong secret", args: args, wrong: true, refused: invalidClient},
			{what: "without credentials", args: args},
		}
	}
	withClient := []string{"-endpoint", "{url}", "-client-id", "{client-id}", "-issuer", "{issuer}"}
	// A person signs in with the authorization code grant and PKCE, at
	// the URL the client prints, which the authorization server approves
	// at once: the browser comes back to the client's loopback callback.
	login := append(slices.Clone(withClient), "-login", "-no-browser", "-redirect-port", "0")
	logout := append(slices.Clone(withClient), "-logout")
	return []client{
		{name: "TypeScript SDK " + tools.packageVersion("@modelcontextprotocol/sdk") + " legacy", runs: sdkRuns("legacy", "2025-11-25")},
		{name: "TypeScript client " + tools.packageVersion("@modelcontextprotocol/client") + " modern", runs: sdkRuns("modern", "2026-07-28")},
		{name: "lambdamcp mcp-client", runs: []clientRun{
			{what: "client credentials: tools + ping", bin: cli, args: withClient, creds: true, wantOut: []string{"ping #2"}},
			{what: "with a wrong secret", bin: cli, args: withClient, wrong: true, refused: invalidClient},
			{what: "without credentials", bin: cli, args: []string{"-endpoint", "{url}"}},
			{what: "sign-in: tools + ping", bin: cli, args: login, creds: true, login: true, signIns: 1, wantOut: []string{"ping #2"}},
			// The token the sign-in kept, the person's, serves the next run.
			{what: "kept sign-in: whoami", bin: cli, args: append(slices.Clone(login), "-call", "whoami"), creds: true, login: true, kept: true,
				wantOut: []string{oauthtest.DefaultSubject}},
			// The authorization server's revocation endpoint answered 200.
			{what: "logout", bin: cli, args: logout, creds: true, kept: true, wantOut: []string{"signed out: the kept sign-in of", "token revoked at"}},
			{what: "logout again", bin: cli, args: logout, creds: true, kept: true, wantOut: []string{"no sign-in of", "was kept"}},
		}},
	}
}

// startJWTTarget starts an authorization server with a client made for the
// run, and the reference server trusting it.
func startJWTTarget(ctx context.Context, b *builder, name string) (*clientTarget, error) {
	as, err := oauthtest.Start(oauthtest.Options{
		ClientID: "e2e-" + randomHex(8), Secret: randomHex(24),
		// A Cognito user pool: the issuer at a path, OpenID discovery
		// appended to it, and Cognito's own document, which names no PKCE
		// method (this grant sends no code challenge).
		Pool: "eu-west-1_E2e", Cognito: true,
		AuthMethods: []string{"client_secret_basic", "client_secret_post"},
		Scopes:      []string{jwtScope},
	})
	if err != nil {
		return nil, fmt.Errorf("starting the authorization server: %w", err)
	}
	j := localfront.JWTIssuer{Issuer: as.Issuer, JWKSURL: as.JWKSURL(), ClientID: as.ClientID, Scopes: []string{jwtScope}}
	t := &clientTarget{name: name, as: as}
	if strings.HasPrefix(name, "rest") {
		if err := startRESTJWT(ctx, b, t, j); err != nil {
			as.Close()
			return nil, err
		}
		return t, nil
	}
	if name == "http+jwt" {
		if err := startHTTPJWT(ctx, b, t, j); err != nil {
			as.Close()
			return nil, err
		}
		return t, nil
	}
	if name == "url-stream+jwt" {
		// The function must name the URL the clients use as its resource,
		// the front's: listen first to know it.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			as.Close()
			return nil, err
		}
		base := "http://" + ln.Addr().String()
		t.url = base + "/mcp"
		// As the stack's url variant has it with an issuer of the
		// user's: no MCP_JWT_JWKS_URL, the key set's URL read from the
		// issuer's discovery document.
		j := j
		j.JWKSURL = ""
		env, _ := j.Env(base, "", false)
		_, stop, err := startFront(ctx, b, frontOptions{
			shape: "url", stream: true, pkg: referencePkg, logName: "reference-url-stream-jwt", listener: ln,
			env: append(env, "MCP_STREAM=url"),
		})
		if err != nil {
			ln.Close()
			as.Close()
			return nil, err
		}
		t.stop = func() { stop(); as.Close() }
		return t, nil
	}
	// Locally the resource defaults to the listener's URL, the one the
	// server prints and the clients use.
	bin, err := b.build(ctx, referencePkg, false)
	if err != nil {
		as.Close()
		return nil, err
	}
	env := append(j.VerifyEnv(), "MCP_AUTHORIZATION_SERVERS="+as.Issuer)
	p, err := startProcess(filepath.Join(b.outDir, "logs", "reference-jwt-local.log"), bin, []string{"-addr", "127.0.0.1:0"}, env)
	if err != nil {
		as.Close()
		return nil, err
	}
	if t.url, err = p.waitURL(ctx, 60*time.Second); err != nil {
		p.stop()
		as.Close()
		return nil, err
	}
	t.stop = func() { p.stop(); as.Close() }
	return t, nil
}

// startRESTJWT starts the reference server behind the front's REST API
// as deploy/'s rest variant with a Cognito user pool deploys it (newAuth,
// authorizerEnv, serverEnv): the real authorizer checks j's JWTs and the
// endpoint; the server trusts its verdict and publishes the metadata; the
// front answers as the stack's API (public metadata, Gateway Responses
// with the challenges).
func startRESTJWT(ctx context.Context, b *builder, t *clientTarget, j localfront.JWTIssuer) error {
	// Both functions must name the URL the clients use, the front's:
	// listen first to know it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String() + "/" + restStage
	t.url = base + "/mcp"
	server, auth := j.Env(base, "", true)
	o := frontOptions{
		shape: "rest", pkg: referencePkg, logName: "reference-" + strings.ReplaceAll(t.name, "+", "-"), listener: ln,
		env:        append(server, "MCP_ALLOWED_ORIGINS=*"),
		authorizer: authorizerPkg,
		authEnv:    auth,
		deploy:     &localfront.DeployREST{JWT: true, RequiredScopes: j.Scopes},
	}
	if strings.HasPrefix(t.name, "rest-stream") {
		o.stream, o.env = true, append(o.env, "MCP_STREAM=rest")
	}
	_, stop, err := startFront(ctx, b, o)
	if err != nil {
		ln.Close()
		return err
	}
	as := t.as
	t.stop = func() { stop(); as.Close() }
	return nil
}

// startHTTPJWT starts the reference server behind the front's HTTP API
// as deploy/'s http variant with a Cognito user pool deploys it
// (newHTTPAuthorizer, serverEnv): the HTTP API's JWT authorizer checks
// j's JWTs, for the app client or, in aud, the endpoint, and the scopes
// on the MCP route; the metadata routes are public; the server trusts
// the authorizer's claims and publishes the metadata.
func startHTTPJWT(ctx context.Context, b *builder, t *clientTarget, j localfront.JWTIssuer) error {
	// The server must name the URL the clients use, the front's: listen
	// first to know it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	t.url = base + "/mcp"
	server, _ := j.Env(base, "", true)
	_, stop, err := startFront(ctx, b, frontOptions{
		shape: "http", pkg: referencePkg, logName: "reference-http-jwt", listener: ln,
		env:           append(server, "MCP_ALLOWED_ORIGINS=*"),
		jwtAuthorizer: &localfront.JWTAuthorizer{Issuer: j.Issuer, Audience: []string{j.ClientID, t.url}, Scopes: j.Scopes},
		deployHTTP:    &localfront.DeployHTTP{CORSAllowOrigins: []string{"*"}},
	})
	if err != nil {
		ln.Close()
		return err
	}
	as := t.as
	t.stop = func() { stop(); as.Close() }
	return nil
}

// clientCommand runs a client binary as tools.command runs node: in the
// scratch home, with the run's environment.
func clientCommand(ctx context.Context, home string, env []string, bin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = home
	cmd.Env = append(append(os.Environ(), "HOME="+home, "NO_COLOR=1"), env...)
	return cmd
}
