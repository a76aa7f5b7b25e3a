package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/serve"
)

// testScope is the scope the protected reference server requires.
const testScope = "https://mcp.test/tools"

// testIssuer is an issuer for command lines that never reach it.
const testIssuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test"

// asOptions shapes a test authorization server.
type asOptions struct {
	// pool puts the issuer at a path, as Cognito's user pools are
	// (https://cognito-idp.REGION.amazonaws.com/POOL), with OpenID
	// discovery appended to it; "" serves RFC 8414 metadata at the root.
	pool string
	// authMethods is token_endpoint_auth_methods_supported.
	authMethods []string
	// scopes are those the client may be granted.
	scopes []string
	// grant, when set, are the scopes every token carries, whatever was
	// asked: a server that grants less than it is asked for.
	grant []string
	// echo repeats a wrong secret in the refusal's description.
	echo bool
	// noMetadata serves no metadata document at all.
	noMetadata bool
	// cognito serves the members Cognito's discovery document has, and,
	// as it, no code_challenge_methods_supported.
	cognito bool
	// bareMCP makes the server an MCP endpoint too, at /mcp, whose 401
	// names no resource metadata and which publishes none: the go-sdk then
	// takes the server's root for the authorization server.
	bareMCP bool
}

// testAS is an authorization server for one confidential client, issuing
// RS256 JWTs as Cognito does for the client credentials grant: client_id,
// scope, iss, exp and sub (the client id), no aud.
type testAS struct {
	srv              *httptest.Server
	issuer           string
	clientID, secret string
	opts             asOptions
	key              jwk.Key

	mu       sync.Mutex
	styles   []string // how each token request authenticated the client
	issued   []string // the tokens issued
	requests []string // "METHOD /path" of every request
}

func startAS(t *testing.T, opts asOptions) *testAS {
	t.Helper()
	raw, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	key, err := jwk.Import(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := key.Set(jwk.KeyIDKey, "k1"); err != nil {
		t.Fatal(err)
	}
	a := &testAS{clientID: "client-7f3a", secret: "s3cr3t-Zq9xV2kLm8Rw", opts: opts, key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /jwks.json", a.jwks)
	mux.HandleFunc("POST /oauth2/token", a.token)
	// Where the go-sdk falls back on without metadata: a server that
	// takes the secret there too.
	mux.HandleFunc("POST /"+path.Join(opts.pool, "token"), a.token)
	if opts.bareMCP {
		mux.HandleFunc("POST /mcp", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized"})
		})
	}
	if !opts.noMetadata {
		if opts.pool != "" {
			mux.HandleFunc("GET /"+opts.pool+"/.well-known/openid-configuration", a.metadata)
		} else {
			mux.HandleFunc("GET /.well-known/oauth-authorization-server", a.metadata)
		}
	}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.requests = append(a.requests, r.Method+" "+r.URL.Path)
		a.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(a.srv.Close)
	a.issuer = a.srv.URL
	if opts.pool != "" {
		a.issuer += "/" + opts.pool
	}
	return a
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (a *testAS) metadata(w http.ResponseWriter, _ *http.Request) {
	if a.opts.cognito {
		writeJSON(w, http.StatusOK, map[string]any{
			"authorization_endpoint":                a.srv.URL + "/oauth2/authorize",
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"issuer":                                a.issuer,
			"jwks_uri":                              a.srv.URL + "/jwks.json",
			"response_types_supported":              []string{"code", "token"},
			"scopes_supported":                      []string{"openid", "email", "phone", "profile"},
			"subject_types_supported":               []string{"public"},
			"token_endpoint":                        a.srv.URL + "/oauth2/token",
			"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
			"userinfo_endpoint":                     a.srv.URL + "/oauth2/userInfo",
			"revocation_endpoint":                   a.srv.URL + "/oauth2/revoke",
		})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                a.issuer,
		"authorization_endpoint":                a.srv.URL + "/oauth2/authorize",
		"token_endpoint":                        a.srv.URL + "/oauth2/token",
		"jwks_uri":                              a.srv.URL + "/jwks.json",
		"response_types_supported":              []string{"code", "token"},
		"token_endpoint_auth_methods_supported": a.opts.authMethods,
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

func (a *testAS) jwks(w http.ResponseWriter, _ *http.Request) {
	pub, err := a.key.PublicKey()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_ = pub.Set(jwk.AlgorithmKey, jwa.RS256())
	set := jwk.NewSet()
	_ = set.AddKey(pub)
	writeJSON(w, http.StatusOK, set)
}

// token is the token endpoint (RFC 6749 §4.4, errors as §5.2 has them).
func (a *testAS) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	style, id, secret := "post", r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		// RFC 6749 §2.3.1: form-encoded, then Basic.
		style = "basic"
		id, _ = url.QueryUnescape(u)
		secret, _ = url.QueryUnescape(p)
	}
	a.mu.Lock()
	a.styles = append(a.styles, style)
	a.mu.Unlock()
	if id != a.clientID || secret != a.secret || (len(a.opts.authMethods) > 0 && !slices.Contains(a.opts.authMethods, "client_secret_"+style)) {
		desc := "Client authentication failed"
		if a.opts.echo {
			desc += " with secret " + secret
		}
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": desc})
		return
	}
	scopes := strings.Fields(r.PostForm.Get("scope"))
	for _, s := range scopes {
		if !slices.Contains(a.opts.scopes, s) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_scope", "error_description": "Invalid scope requested: " + s})
			return
		}
	}
	if len(scopes) == 0 {
		scopes = a.opts.scopes
	}
	if a.opts.grant != nil {
		scopes = a.opts.grant
	}
	tok, err := jwt.NewBuilder().
		Issuer(a.issuer).Subject(a.clientID).
		IssuedAt(time.Now()).Expiration(time.Now().Add(time.Hour)).
		Claim("client_id", a.clientID).Claim("scope", strings.Join(scopes, " ")).Claim("token_use", "access").
		Build()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256(), a.key))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	a.mu.Lock()
	a.issued = append(a.issued, string(signed))
	a.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": string(signed), "token_type": "Bearer", "expires_in": 3600})
}

func (a *testAS) seen() (styles, issued []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.styles), slices.Clone(a.issued)
}

// posts are the POSTs the server was sent, but to its MCP endpoint: those
// that could carry the client secret.
func (a *testAS) posts() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var ps []string
	for _, r := range a.requests {
		if strings.HasPrefix(r, "POST ") && r != "POST /mcp" {
			ps = append(ps, r)
		}
	}
	return ps
}

// listenLog hands on the URL of serve.Run's "listening" line.
type listenLog struct {
	slog.Handler
	url chan string
}

func (listenLog) Enabled(context.Context, slog.Level) bool { return true }

func (l listenLog) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(at slog.Attr) bool {
		if r.Message == "listening" && at.Key == "url" {
			l.url <- at.Value.String()
		}
		return true
	})
	return nil
}

// startJWTReference runs the reference server as cmd/mcp-server does
// locally (serve.Run), checking the authorization server's JWTs as the
// README's Cognito example has it, and returns its MCP endpoint. env adds
// to or replaces the variables.
func startJWTReference(t *testing.T, a *testAS, env map[string]string) string {
	t.Helper()
	vars := map[string]string{
		"MCP_JWT_ISSUER":            a.issuer,
		"MCP_JWT_JWKS_URL":          a.srv.URL + "/jwks.json",
		"MCP_JWT_AUDIENCE":          a.clientID,
		"MCP_JWT_AUDIENCE_CLAIM":    "client_id",
		"MCP_REQUIRED_SCOPES":       testScope,
		"MCP_AUTHORIZATION_SERVERS": a.issuer,
	}
	for k, v := range env {
		vars[k] = v
	}
	logs := listenLog{Handler: slog.DiscardHandler, url: make(chan string, 1)}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve.Run(ctx, serve.Handler(demoserver.New(demoserver.Options{}), nil), &serve.Options{
			Addr: "127.0.0.1:0", Logger: slog.New(logs), Getenv: func(k string) string { return vars[k] },
		})
	}()
	t.Cleanup(func() {
		stop()
		<-done
	})
	select {
	case u := <-logs.url:
		return u
	case err := <-done:
		t.Fatalf("serve.Run: %v", err)
		return ""
	}
}
