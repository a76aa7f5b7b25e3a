package auth

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestConfigFromEnv(t *testing.T) {
	hash := HashToken("t")
	tests := []struct {
		name    string
		env     map[string]string
		want    Config
		wantErr bool
	}{
		{name: "nothing", env: nil, want: Config{}},
		{name: "static tokens and scopes", env: map[string]string{
			EnvTokenSHA256: hash + ", " + HashToken("u"), EnvRequiredScopes: " mcp:tools  mcp:read ",
			EnvResourceURL: "https://x/mcp", EnvAllowedOrigins: "http://localhost:6274",
		}, want: Config{
			TokenHashes: []string{hash, HashToken("u")}, Scopes: []string{"mcp:tools", "mcp:read"},
			ResourceURL: "https://x/mcp", AllowedOrigins: []string{"http://localhost:6274"},
		}},
		{name: "Cognito JWT", env: map[string]string{
			EnvJWTIssuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc", EnvJWTJWKSURL: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json",
			EnvJWTAudience: "client123", EnvJWTAudienceClaim: "client_id", EnvRequiredScopes: "https://mcp.example/tools",
		}, want: Config{
			JWT: &JWTOptions{Issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc", JWKSURL: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json",
				Audience: "client123", AudienceClaim: "client_id"},
			AuthorizationServers: []string{"https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc"},
			Scopes:               []string{"https://mcp.example/tools"},
		}},
		// client_id binds a token to a client, which may hold tokens for
		// other APIs: only a required scope binds it to this resource.
		{name: "audience in client_id without a scope", env: map[string]string{
			EnvJWTIssuer: "https://iss", EnvJWTJWKSURL: "https://iss/jwks", EnvJWTAudience: "client123", EnvJWTAudienceClaim: "client_id",
		}, wantErr: true},
		{name: "audience claim aud without a scope", env: map[string]string{
			EnvJWTIssuer: "https://iss", EnvJWTJWKSURL: "https://iss/jwks", EnvJWTAudience: "https://x/mcp", EnvJWTAudienceClaim: "aud",
		}, want: Config{JWT: &JWTOptions{Issuer: "https://iss", JWKSURL: "https://iss/jwks", Audience: "https://x/mcp", AudienceClaim: "aud"},
			AuthorizationServers: []string{"https://iss"}}},
		{name: "from authorizer", env: map[string]string{EnvFromAuthorizer: "1"}, want: Config{FromAuthorizer: true}},
		{name: "from authorizer, true", env: map[string]string{EnvFromAuthorizer: " true "}, want: Config{FromAuthorizer: true}},
		{name: "not from authorizer, 0", env: map[string]string{EnvFromAuthorizer: "0"}, want: Config{}},
		{name: "not from authorizer, false", env: map[string]string{EnvFromAuthorizer: "false"}, want: Config{}},
		{name: "half a JWT config", env: map[string]string{EnvJWTIssuer: "https://iss"}, wantErr: true},
		{name: "bad flag", env: map[string]string{EnvFromAuthorizer: "yes"}, wantErr: true},
		{name: "JWT without an audience", env: map[string]string{EnvJWTIssuer: "https://iss", EnvJWTJWKSURL: "https://iss/jwks"}, wantErr: true},
		{name: "URLs with white space around them", env: map[string]string{EnvFromAuthorizer: "1", EnvAuthorizationServers: "https://iss",
			EnvResourceURL: " https://x/mcp\n", EnvResourceMetadataURL: "\thttps://x/.well-known/oauth-protected-resource/mcp "},
			want: Config{FromAuthorizer: true, AuthorizationServers: []string{"https://iss"},
				ResourceURL: "https://x/mcp", ResourceMetadataURL: "https://x/.well-known/oauth-protected-resource/mcp"}},
		{name: "token hashes that name none", env: map[string]string{EnvTokenSHA256: " , "}, wantErr: true},
		{name: "audience claim alone", env: map[string]string{EnvJWTAudienceClaim: "client_id"}, wantErr: true},
		// What only a verifier acts on, without one, would leave the server open.
		{name: "offline_access required", env: map[string]string{EnvTokenSHA256: hash, EnvRequiredScopes: "mcp:tools offline_access"}, wantErr: true},
		{name: "scopes alone", env: map[string]string{EnvRequiredScopes: "mcp:tools"}, wantErr: true},
		{name: "metadata URL alone", env: map[string]string{EnvResourceMetadataURL: "https://x/.well-known/oauth-protected-resource/mcp"}, wantErr: true},
		// Static tokens come from no authorization server: a document would have to name one.
		{name: "metadata URL with static tokens alone", env: map[string]string{EnvTokenSHA256: HashToken("t"),
			EnvResourceMetadataURL: "https://x/.well-known/oauth-protected-resource/mcp"}, wantErr: true},
		{name: "authorization servers alone", env: map[string]string{EnvAuthorizationServers: "https://iss"}, wantErr: true},
		{name: "resource URL and origins alone", env: map[string]string{EnvResourceURL: "https://x/mcp", EnvAllowedOrigins: "https://app"},
			want: Config{ResourceURL: "https://x/mcp", AllowedOrigins: []string{"https://app"}}},
		{name: "scopes behind an authorizer", env: map[string]string{EnvFromAuthorizer: "1", EnvRequiredScopes: "mcp:tools"},
			want: Config{FromAuthorizer: true, Scopes: []string{"mcp:tools"}}},
		{name: "origins: with a port, with a trailing slash", env: map[string]string{EnvAllowedOrigins: "http://localhost:6274, https://app.example.com/"},
			want: Config{AllowedOrigins: []string{"http://localhost:6274", "https://app.example.com/"}}},
		{name: "origins: any", env: map[string]string{EnvAllowedOrigins: "*"}, want: Config{AllowedOrigins: []string{"*"}}},
		{name: "origins: any beside origins", env: map[string]string{EnvAllowedOrigins: "*, http://localhost:6274"}, wantErr: true},
		{name: "resource URL not a URL", env: map[string]string{EnvResourceURL: "mcp.example.com/mcp"}, wantErr: true},
		{name: "metadata URL not a URL", env: map[string]string{EnvFromAuthorizer: "1", EnvResourceMetadataURL: "notaurl"}, wantErr: true},
		{name: "authorization server not a URL", env: map[string]string{EnvFromAuthorizer: "1", EnvAuthorizationServers: "https://iss,alsonot"}, wantErr: true},
		{name: "authorization servers separated by a space", env: map[string]string{EnvFromAuthorizer: "1", EnvAuthorizationServers: "https://iss/pool1 https://iss/pool2"}, wantErr: true},
		{name: "issuer that is no URL", env: map[string]string{EnvJWTIssuer: "urn:example:issuer", EnvJWTJWKSURL: "https://keys.example/jwks.json", EnvJWTAudience: "a"},
			want: Config{JWT: &JWTOptions{Issuer: "urn:example:issuer", JWKSURL: "https://keys.example/jwks.json", Audience: "a"}}},
		{name: "origin with a path", env: map[string]string{EnvAllowedOrigins: "https://app.example.com/ui"}, wantErr: true},
		{name: "origin without a scheme", env: map[string]string{EnvAllowedOrigins: "app.example.com"}, wantErr: true},
		{name: "origin with a query", env: map[string]string{EnvAllowedOrigins: "https://app.example.com?x=1"}, wantErr: true},
		{name: "origin with an empty query", env: map[string]string{EnvAllowedOrigins: "https://app.example.com?"}, wantErr: true},
		{name: "origin with a user", env: map[string]string{EnvAllowedOrigins: "https://u@app.example.com"}, wantErr: true},
		{name: "origin with a port that is no number", env: map[string]string{EnvAllowedOrigins: "https://app.example.com:https"}, wantErr: true},
		// A browser sends an internationalized name in its ASCII form, which
		// the Unicode one would never match.
		{name: "origin with a Unicode name", env: map[string]string{EnvAllowedOrigins: "https://b\u00fccher.example"}, wantErr: true},
		{name: "origin with a name in its ASCII form", env: map[string]string{EnvAllowedOrigins: "https://xn--bcher-kva.example"},
			want: Config{AllowedOrigins: []string{"https://xn--bcher-kva.example"}}},
		{name: "null origin (a sandboxed frame's)", env: map[string]string{EnvAllowedOrigins: "null"}, wantErr: true},
		// Origins are compared whole: a pattern would match no browser's.
		{name: "origin with a wildcard subdomain", env: map[string]string{EnvAllowedOrigins: "https://*.example.com"}, wantErr: true},
		{name: "origin with a wildcard host", env: map[string]string{EnvAllowedOrigins: "https://app.example.com, https://*"}, wantErr: true},
		{name: "origin with a wildcard port", env: map[string]string{EnvAllowedOrigins: "http://localhost:*"}, wantErr: true},
		// Copied from a console or a shell: kept, the white space would be
		// compared with every token's iss, audience or claim name.
		{name: "JWT values with white space around them", env: map[string]string{
			EnvJWTIssuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc\n", EnvJWTJWKSURL: " https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json",
			EnvJWTAudience: "client123\n", EnvJWTAudienceClaim: "client_id ", EnvRequiredScopes: "https://mcp.example/tools",
			EnvAuthorizationServers: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
		}, want: Config{
			JWT: &JWTOptions{Issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc", JWKSURL: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json",
				Audience: "client123", AudienceClaim: "client_id"},
			AuthorizationServers: []string{"https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc"},
			Scopes:               []string{"https://mcp.example/tools"},
		}},
		{name: "issuer standing in, with a space after it", env: map[string]string{EnvJWTIssuer: "https://iss ", EnvJWTJWKSURL: "https://iss/jwks", EnvJWTAudience: "https://x/mcp"},
			want: Config{JWT: &JWTOptions{Issuer: "https://iss", JWKSURL: "https://iss/jwks", Audience: "https://x/mcp"}, AuthorizationServers: []string{"https://iss"}}},
		{name: "audience of white space alone", env: map[string]string{EnvJWTIssuer: "https://iss", EnvJWTJWKSURL: "https://iss/jwks", EnvJWTAudience: " "}, wantErr: true},
		{name: "audience claim of white space alone", env: map[string]string{EnvJWTIssuer: "https://iss", EnvJWTJWKSURL: "https://iss/jwks", EnvJWTAudience: "a", EnvJWTAudienceClaim: "\n",
			EnvRequiredScopes: "mcp:tools"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ConfigFromEnv(func(k string) string { return tc.env[k] })
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("config mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigVerifier(t *testing.T) {
	if _, err := (Config{}).Verifier(nil); err == nil {
		t.Error("empty config built a verifier")
	}
	if _, err := (Config{TokenHashes: []string{"short"}}).Verifier(nil); err == nil {
		t.Error("bad hash built a verifier")
	}
	v, err := (Config{FromAuthorizer: true, TokenHashes: []string{HashToken("t")}}).Verifier(nil)
	if _, ok := v.(*AuthorizerVerifier); err != nil || !ok {
		t.Errorf("FromAuthorizer: got %T, %v", v, err)
	}
}

// TestConfigOptions checks that the options a configuration builds for
// Middleware and the authorizer carry every setting they act on.
func TestConfigOptions(t *testing.T) {
	c := Config{
		Scopes:               []string{"mcp:tools"},
		ScopeHierarchy:       ScopeHierarchy{"mcp:admin": {"mcp:tools"}},
		ResourceURL:          "https://x/mcp",
		ResourceMetadataURL:  "https://x/.well-known/oauth-protected-resource/mcp",
		AuthorizationServers: []string{"https://iss"},
		AllowedOrigins:       []string{"https://app.example"},
		FromAuthorizer:       true,
	}
	logger := slog.New(slog.DiscardHandler)
	sameLogger := cmp.Comparer(func(a, b *slog.Logger) bool { return a == b })
	wantMW := &MiddlewareOptions{
		ResourceURL: c.ResourceURL, ResourceMetadataURL: c.ResourceMetadataURL, AuthorizationServers: c.AuthorizationServers,
		Scopes: c.Scopes, ScopeHierarchy: c.ScopeHierarchy, AllowedOrigins: c.AllowedOrigins, Logger: logger,
	}
	if diff := cmp.Diff(wantMW, c.MiddlewareOptions(logger), sameLogger); diff != "" {
		t.Errorf("MiddlewareOptions (-want +got):\n%s", diff)
	}
	wantAZ := &AuthorizerOptions{Scopes: c.Scopes, ScopeHierarchy: c.ScopeHierarchy, Logger: logger}
	if diff := cmp.Diff(wantAZ, c.AuthorizerOptions(logger), sameLogger); diff != "" {
		t.Errorf("AuthorizerOptions (-want +got):\n%s", diff)
	}
}

// TestStaticTokensGetRequiredScopes checks that MCP_REQUIRED_SCOPES reaches
// static tokens: their callers hold the scopes the server requires, instead
// of every call being refused 403.
func TestStaticTokensGetRequiredScopes(t *testing.T) {
	env := map[string]string{EnvTokenSHA256: HashToken("tok"), EnvRequiredScopes: "mcp:tools"}
	c, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.Verifier(nil)
	if err != nil {
		t.Fatal(err)
	}
	if id, err := v.Verify(t.Context(), "tok"); err != nil || !id.HasScopes("mcp:tools") {
		t.Errorf("identity %+v, %v; want one holding mcp:tools", id, err)
	}
}

// The verifier a configuration builds knows the resource: a token whose
// audience is in client_id and which names this resource in aud too is
// accepted, one naming another resource is not.
func TestConfigVerifierKnowsTheResource(t *testing.T) {
	key := newRSAKey(t, "k")
	srv := newJWKSServer(t, key)
	c := Config{
		JWT:         &JWTOptions{Issuer: testIssuer, JWKSURL: srv.url(), Audience: "client-abc", AudienceClaim: "client_id"},
		Scopes:      []string{testScope},
		ResourceURL: testAudience,
	}
	v, err := c.Verifier(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(t.Context(), key.sign(t, claims{aud: testAudience, scope: testScope})); err != nil {
		t.Errorf("token for this resource: %v", err)
	}
	if _, err := v.Verify(t.Context(), key.sign(t, claims{aud: "https://payroll.test", scope: testScope})); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("token for another resource: %v, want ErrInvalidToken", err)
	}
}

func TestScopeHierarchy(t *testing.T) {
	h, err := parseScopeHierarchy(" mcp:admin=mcp:write mcp:deploy ; mcp:write=mcp:read;; loop:a=loop:b; loop:b=loop:a ")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		held     []string
		required []string
		want     bool
	}{
		{[]string{"mcp:read"}, []string{"mcp:read"}, true},
		{[]string{"mcp:admin"}, []string{"mcp:read", "mcp:deploy"}, true}, // through mcp:write
		{[]string{"mcp:write"}, []string{"mcp:deploy"}, false},            // narrower never implies broader
		{[]string{"mcp:read"}, []string{"mcp:write"}, false},
		{[]string{"loop:a"}, []string{"loop:b"}, true},
		{[]string{"loop:a"}, []string{"mcp:read"}, false}, // a loop ends
		{nil, nil, true},
		{nil, []string{"mcp:read"}, false},
	}
	for _, tc := range tests {
		if got := h.Holds(tc.held, tc.required...); got != tc.want {
			t.Errorf("%v holds %v = %v, want %v", tc.held, tc.required, got, tc.want)
		}
	}
	if ScopeHierarchy(nil).Holds([]string{"mcp:admin"}, "mcp:read") {
		t.Error("no hierarchy, yet mcp:admin holds mcp:read")
	}
	for _, bad := range []string{"mcp:admin", "=mcp:read", "mcp:admin=", "mcp admin=mcp:read", "a=b c=d", "a==b"} {
		if _, err := parseScopeHierarchy(bad); err == nil {
			t.Errorf("%s=%q accepted", EnvScopeImplies, bad)
		}
	}
	// It says tokens were meant to be checked: without a verifier, the
	// server would start open.
	if _, err := ConfigFromEnv(func(k string) string {
		return map[string]string{EnvScopeImplies: "mcp:admin=mcp:read", EnvRequiredScopes: "mcp:read"}[k]
	}); err == nil {
		t.Errorf("%s without a verifier accepted", EnvScopeImplies)
	}
	// With no scope required it would change nothing.
	if _, err := ConfigFromEnv(func(k string) string {
		return map[string]string{EnvScopeImplies: "mcp:admin=mcp:read", EnvTokenSHA256: HashToken("t")}[k]
	}); err == nil {
		t.Errorf("%s without %s accepted", EnvScopeImplies, EnvRequiredScopes)
	}
}

// Middleware and the authorizer let a token holding a broader scope through
// where the hierarchy says it implies the required one, and no further.
func TestScopeHierarchyAdmits(t *testing.T) {
	key := newRSAKey(t, "k")
	srv := newJWKSServer(t, key)
	v := newTestJWTVerifier(t, srv.url(), nil)
	cfg, err := ConfigFromEnv(func(k string) string {
		return map[string]string{
			EnvTokenSHA256: HashToken(staticToken), EnvRequiredScopes: "mcp:tools", EnvScopeImplies: "mcp:admin=mcp:tools",
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	mw := Middleware(v, cfg.MiddlewareOptions(nil))(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	az := NewAuthorizer(v, cfg.AuthorizerOptions(nil))
	for _, tc := range []struct {
		scope     string
		wantHTTP  int
		wantAllow bool
	}{
		{"mcp:admin", 200, true},
		{"mcp:tools", 200, true},
		{"mcp:other", 403, false},
	} {
		token := key.sign(t, claims{scope: tc.scope})
		req := httptest.NewRequest("POST", "https://mcp.test/mcp", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		mw.ServeHTTP(rec, req)
		if rec.Code != tc.wantHTTP {
			t.Errorf("middleware, scope %s: %d, want %d", tc.scope, rec.Code, tc.wantHTTP)
		}
		resp, err := az.AuthorizeToken(t.Context(), events.APIGatewayCustomAuthorizerRequest{
			Type: "TOKEN", AuthorizationToken: "Bearer " + token, MethodArn: "arn:aws:execute-api:eu-west-1:123456789012:abc/dev/POST/mcp",
		})
		if err != nil {
			t.Fatalf("authorizer, scope %s: %v", tc.scope, err)
		}
		if allow := resp.PolicyDocument.Statement[0].Effect == "Allow"; allow != tc.wantAllow {
			t.Errorf("authorizer, scope %s: %s, want allow %v", tc.scope, resp.PolicyDocument.Statement[0].Effect, tc.wantAllow)
		}
	}
}

// A scope outside RFC 6749's grammar (section 3.3: printable ASCII but
// space, '"' and '\') is refused where it is read, with the variable and
// the scope named: challenges and metadata would publish it as it is.
func TestConfigFromEnvRefusesWhatIsNoScope(t *testing.T) {
	hash := HashToken("t")
	tests := []struct {
		name  string
		env   map[string]string
		scope string // named in the error; "" when none is refused
		key   string
	}{
		{name: "printable ASCII, with the ' RFC 6749 allows", env: map[string]string{EnvRequiredScopes: "mcp:tools it's https://x/a=b!~"}},
		{name: "implied scopes alike", env: map[string]string{EnvRequiredScopes: "mcp:read", EnvScopeImplies: "mcp:admin=mcp:read it's"}},
		{name: "double quote", env: map[string]string{EnvRequiredScopes: `mcp:tools mcp"x`}, key: EnvRequiredScopes, scope: `mcp"x`},
		{name: "backslash", env: map[string]string{EnvRequiredScopes: `mcp\x`}, key: EnvRequiredScopes, scope: `mcp\x`},
		{name: "past ASCII", env: map[string]string{EnvRequiredScopes: "caf\u00e9"}, key: EnvRequiredScopes, scope: "caf\u00e9"},
		// Not two scopes: no client would split there.
		{name: "no-break space inside", env: map[string]string{EnvRequiredScopes: "mcp:a\u00a0mcp:b"}, key: EnvRequiredScopes, scope: "mcp:a\u00a0mcp:b"},
		{name: "control character", env: map[string]string{EnvRequiredScopes: "mcp:\x7fa"}, key: EnvRequiredScopes, scope: "mcp:\x7fa"},
		{name: "broader scope with a quote", env: map[string]string{EnvRequiredScopes: "mcp:read", EnvScopeImplies: `mcp"admin=mcp:read`}, key: EnvScopeImplies, scope: `mcp"admin`},
		{name: "implied scope past ASCII", env: map[string]string{EnvRequiredScopes: "mcp:read", EnvScopeImplies: "mcp:admin=mcp:read \u00e9"}, key: EnvScopeImplies, scope: "\u00e9"},
		// Only ASCII white space is trimmed, as the required scopes are
		// split at it only: another space is refused, not dropped.
		{name: "no-break space before the broader scope", env: map[string]string{EnvRequiredScopes: "mcp:read", EnvScopeImplies: "\u00a0mcp:admin=mcp:read"}, key: EnvScopeImplies, scope: "\u00a0mcp:admin"},
		{name: "no-break space after the broader scope", env: map[string]string{EnvRequiredScopes: "mcp:read", EnvScopeImplies: " mcp:admin\u00a0 =mcp:read"}, key: EnvScopeImplies, scope: "mcp:admin\u00a0"},
		{name: "entry of a no-break space", env: map[string]string{EnvRequiredScopes: "mcp:read", EnvScopeImplies: "mcp:admin=mcp:read;\u00a0"}, key: EnvScopeImplies, scope: "\u00a0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{EnvTokenSHA256: hash}
			maps.Copy(env, tc.env)
			_, err := ConfigFromEnv(func(k string) string { return env[k] })
			if tc.scope == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted, want %s: %q refused", tc.key, tc.scope)
			}
			for _, want := range []string{tc.key, fmt.Sprintf("%q", tc.scope)} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %s", err, want)
				}
			}
		})
	}
}

// Scopes are separated by ASCII white space, each kind of it: a list
// written over lines or with tabs names each scope alone, where a scope
// holding another space is refused (TestConfigFromEnvRefusesWhatIsNoScope).
func TestConfigFromEnvScopesSplitAtASCIISpace(t *testing.T) {
	for _, sep := range []string{" ", "\t", "\n", "\r\n", "\v", "\f"} {
		t.Run(fmt.Sprintf("%q", sep), func(t *testing.T) {
			list := " mcp:a" + sep + "mcp:b" + sep
			env := map[string]string{EnvTokenSHA256: HashToken("t"), EnvRequiredScopes: list, EnvScopeImplies: "mcp:admin=" + list}
			c, err := ConfigFromEnv(func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"mcp:a", "mcp:b"}
			if diff := cmp.Diff(want, c.Scopes); diff != "" {
				t.Errorf("scopes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(ScopeHierarchy{"mcp:admin": want}, c.ScopeHierarchy); diff != "" {
				t.Errorf("scope implications (-want +got):\n%s", diff)
			}
		})
	}
}

// MCP_RESOURCE_URL is a resource identifier (RFC 8707 section 2, RFC 9728
// section 1.2): absolute, without a fragment. The metadata, the challenges
// and the logs carry it, so credentials in it are refused, and the error
// does not repeat them. A query is kept: RFC 8707 only advises against one,
// and some resources need it.
func TestConfigFromEnvResourceURL(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		wantErr string // "" when accepted
	}{
		{name: "https", url: "https://mcp.example.com/mcp"},
		{name: "http, as local runs use", url: "http://127.0.0.1:8080/mcp"},
		{name: "query", url: "https://mcp.example.com/mcp?tenant=a"},
		{name: "fragment", url: "https://mcp.example.com/mcp#x", wantErr: "fragment"},
		{name: "empty fragment", url: "https://mcp.example.com/mcp#", wantErr: "fragment"},
		{name: "relative", url: "/mcp", wantErr: "is not an http(s) URL"},
		{name: "another scheme", url: "ftp://mcp.example.com/mcp", wantErr: "is not an http(s) URL"},
		{name: "no host", url: "https:///mcp", wantErr: "is not an http(s) URL"},
		{name: "a port but no host name", url: "https://:8443/mcp", wantErr: "is not an http(s) URL"},
		{name: "user and password", url: "https://u:s3cret@mcp.example.com/mcp", wantErr: "user"},
		{name: "user", url: "https://u@mcp.example.com/mcp", wantErr: "user"},
		// A token is often given as the user's name alone.
		{name: "token as the user", url: "https://s3cret@mcp.example.com/mcp", wantErr: "user"},
		{name: "token as the user, no host name", url: "https://s3cret@:443/mcp", wantErr: `"https://xxxxx@:443/mcp" is not an http(s) URL`},
		// No URI holds white space: two written where one belongs, or one
		// wrapped across lines.
		{name: "two URLs with a space between", url: "https://mcp.example.com/mcp https://other.example.com/mcp", wantErr: "white space"},
		{name: "a newline inside the query", url: "https://mcp.example.com/mcp?tenant=a\nb", wantErr: "is not an http(s) URL"},
		{name: "a tab inside the path", url: "https://mcp.example.com/m\tcp", wantErr: "is not an http(s) URL"},
		{name: "a no-break space inside the path", url: "https://mcp.example.com/m\u00a0cp", wantErr: "white space"},
		{name: "a space and a user", url: "https://s3cret@mcp.example.com/mcp https://x", wantErr: "user"},
		{name: "a space and an @ in the path", url: "https://mcp.example.com/u:s3cret@ /mcp", wantErr: "white space"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{EnvTokenSHA256: HashToken("t"), EnvResourceURL: tc.url}
			c, err := ConfigFromEnv(func(k string) string { return env[k] })
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if c.ResourceURL != tc.url {
					t.Errorf("ResourceURL = %q, want %q", c.ResourceURL, tc.url)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted, want an error saying %q", tc.wantErr)
			}
			if msg := err.Error(); !strings.Contains(msg, EnvResourceURL) || !strings.Contains(msg, tc.wantErr) {
				t.Errorf("error %q, want one naming %s and saying %q", msg, EnvResourceURL, tc.wantErr)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q repeats the password", err)
			}
		})
	}
}

// The other URLs published as they are, the metadata URL and the
// authorization servers, may hold no credentials either.
func TestConfigFromEnvURLsWithoutCredentials(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		key  string
	}{
		{name: "metadata URL", env: map[string]string{EnvResourceMetadataURL: "https://u:s3cret@x/.well-known/oauth-protected-resource/mcp"}, key: EnvResourceMetadataURL},
		{name: "authorization server", env: map[string]string{EnvAuthorizationServers: "https://iss, https://u:s3cret@iss2"}, key: EnvAuthorizationServers},
		{name: "authorization server with a password but no host name", env: map[string]string{EnvAuthorizationServers: "https://u:s3cret@:443"}, key: EnvAuthorizationServers},
		{name: "metadata URL without a host name", env: map[string]string{EnvResourceMetadataURL: "https://:443/.well-known/oauth-protected-resource/mcp"}, key: EnvResourceMetadataURL},
		{name: "resource URL with a password that does not parse", env: map[string]string{EnvResourceURL: "https://u:s3cret@h:port/mcp"}, key: EnvResourceURL},
		{name: "authorization server with a password and a bad escape", env: map[string]string{EnvAuthorizationServers: "https://u:s3cret@iss/%zz"}, key: EnvAuthorizationServers},
		// Without "//" the parser reads no user: "u" is a scheme and the
		// rest an opaque part, or "u:s3cret@h" a path after "https:".
		{name: "resource URL with a password but no //", env: map[string]string{EnvResourceURL: "u:s3cret@mcp.example.com/mcp"}, key: EnvResourceURL},
		{name: "resource URL with a password after https: but no //", env: map[string]string{EnvResourceURL: "https:u:s3cret@mcp.example.com/mcp"}, key: EnvResourceURL},
		{name: "metadata URL with a password but no //", env: map[string]string{EnvResourceMetadataURL: "https:/u:s3cret@x/.well-known/oauth-protected-resource/mcp"}, key: EnvResourceMetadataURL},
		// Standing in for the authorization servers, the issuer is
		// published too.
		{name: "issuer standing in for the authorization servers", env: map[string]string{EnvFromAuthorizer: "", EnvAuthorizationServers: "",
			EnvJWTIssuer: "https://u:s3cret@iss", EnvJWTJWKSURL: "https://iss/jwks.json", EnvJWTAudience: "a"}, key: EnvJWTIssuer},
		{name: "issuer with a token as the user, standing in", env: map[string]string{EnvFromAuthorizer: "", EnvAuthorizationServers: "",
			EnvJWTIssuer: "https://s3cret@iss", EnvJWTJWKSURL: "https://iss/jwks.json", EnvJWTAudience: "a"}, key: EnvJWTIssuer},
		// An issuer's scheme in capitals is refused, for no token
		// carries it, without the password; an authorization server's
		// is a scheme all the same (RFC 3986 section 3.1).
		{name: "authorization server written in capitals with a password", env: map[string]string{EnvAuthorizationServers: "HTTPS://u:s3cret@iss"}, key: EnvAuthorizationServers},
		{name: "issuer written in capitals with a password, standing in", env: map[string]string{EnvFromAuthorizer: "", EnvAuthorizationServers: "",
			EnvJWTIssuer: "HTTPS://u:s3cret@iss", EnvJWTJWKSURL: "https://iss/jwks.json", EnvJWTAudience: "a"}, key: EnvJWTIssuer},
		{name: "issuer with a password that does not parse, standing in", env: map[string]string{EnvFromAuthorizer: "", EnvAuthorizationServers: "",
			EnvJWTIssuer: "https://u:s3cret@iss/%zz", EnvJWTJWKSURL: "https://iss/jwks.json", EnvJWTAudience: "a"}, key: EnvJWTIssuer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{EnvFromAuthorizer: "1", EnvAuthorizationServers: "https://iss"}
			maps.Copy(env, tc.env)
			_, err := ConfigFromEnv(func(k string) string { return env[k] })
			if err == nil {
				t.Fatal("accepted")
			}
			if msg := err.Error(); !strings.Contains(msg, tc.key) || strings.Contains(msg, "s3cret") {
				t.Errorf("error %q, want one naming %s without the password", msg, tc.key)
			}
		})
	}
}

// A URL that does not parse is refused with the parser's reason. One
// holding an @ is not shown, since it may hold a password, and neither is
// what the reason quotes of it: a password holding "/" or "?" ends the
// host there, and one holding "%" is read as an escape.
func TestConfigFromEnvURLThatDoesNotParse(t *testing.T) {
	tests := []struct {
		name   string
		value  string
		want   string // in the error
		hidden string // not in the error; "" for nothing
	}{
		{name: "no @: the value and the reason", value: "https://h:port/mcp", want: `"https://h:port/mcp" is not an http(s) URL (invalid port ":port" after host)`},
		{name: "a port after a password", value: "https://u:s3cret@h:port/mcp", want: "invalid port", hidden: "s3cret"},
		{name: "a password holding /", value: "https://u:s3cr/et@h/mcp", want: "(invalid port … after host;", hidden: "s3cr"},
		{name: "a password holding ?", value: "https://u:s3cr?et@h/mcp", want: "invalid port", hidden: "s3cr"},
		{name: "a password holding %", value: "https://u:s3%cret@h/mcp", want: "invalid URL escape", hidden: "%cr"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{EnvTokenSHA256: HashToken("t"), EnvResourceURL: tc.value}
			_, err := ConfigFromEnv(func(k string) string { return env[k] })
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			for _, want := range []string{EnvResourceURL, tc.want} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not say %q", msg, want)
				}
			}
			if tc.hidden != "" && strings.Contains(msg, tc.hidden) {
				t.Errorf("error %q shows %q", msg, tc.hidden)
			}
		})
	}
}

// An entry of MCP_SCOPE_IMPLIES that is refused is quoted cut, and
// escaped: a value of any size, or holding controls, makes one short
// line, not the value again.
func TestScopeHierarchyRefusalCut(t *testing.T) {
	long := strings.Repeat("x", 10_000)
	for _, bad := range []string{
		"mcp:admin" + long,                 // no "="
		"mcp:admin=mcp:read \u00e9" + long, // an implied scope that is none
		"\u00e9" + long + "=mcp:read",      // a broader scope that is none
		"mcp:admin\x1b[31m\u202e" + long,   // controls
	} {
		_, err := parseScopeHierarchy(bad)
		if err == nil {
			t.Fatalf("%.40q… accepted", bad)
		}
		if msg := err.Error(); len(msg) > 400 || !strings.Contains(msg, "…") || strings.ContainsAny(msg, "\x1b\u202e") {
			t.Errorf("%.40q…: error of %d bytes, %.300q; want it cut (…) under 400, controls escaped", bad, len(msg), msg)
		}
	}
}
