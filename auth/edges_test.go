package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
)

// A client_id-audience token's aud is judged against the resource the
// request is for: the configured ResourceURL, not the URL the request
// reached (behind API Gateway the stage is gone from the path), and an
// explicit JWTOptions.Resource before either.
func TestAudienceResourcePrecedence(t *testing.T) {
	key := newRSAKey(t, "k")
	srv := newJWKSServer(t, key)
	clientMode := func(o *JWTOptions) { o.Audience, o.AudienceClaim = "client-abc", "client_id" }
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	status := func(h http.Handler, url, aud string) int {
		req := httptest.NewRequest("POST", url, nil)
		req.Header.Set("Authorization", "Bearer "+key.sign(t, claims{aud: aud}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	configured := Middleware(newTestJWTVerifier(t, srv.url(), clientMode), &MiddlewareOptions{ResourceURL: "https://mcp.example.com/prod/mcp"})(ok)
	if got := status(configured, "https://abc.execute-api.test/mcp", "https://mcp.example.com/prod/mcp"); got != 200 {
		t.Errorf("aud the configured resource, request at the stage-stripped URL: %d, want 200", got)
	}
	if got := status(configured, "https://abc.execute-api.test/mcp", "https://abc.execute-api.test/mcp"); got != 401 {
		t.Errorf("aud the request's URL, not the configured resource: %d, want 401", got)
	}
	explicit := Middleware(newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) { clientMode(o); o.Resource = "https://a.test/mcp" }), nil)(ok)
	if got := status(explicit, "http://b.test/mcp", "https://a.test/mcp"); got != 200 {
		t.Errorf("aud JWTOptions.Resource: %d, want 200", got)
	}
	if got := status(explicit, "http://b.test/mcp", "http://b.test/mcp"); got != 401 {
		t.Errorf("aud the request's URL, with JWTOptions.Resource set: %d, want 401", got)
	}
	// An aud of several audiences, this resource among them.
	v := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) { clientMode(o); o.Resource = testAudience })
	if _, err := v.Verify(context.Background(), key.sign(t, claims{extra: map[string]any{"aud": []string{"https://other.test", testAudience}}})); err != nil {
		t.Errorf("aud listing this resource second: %v", err)
	}
	// Config.Verifier keeps a Resource given in its JWTOptions.
	c := Config{JWT: &JWTOptions{Issuer: testIssuer, JWKSURL: srv.url(), Audience: "client-abc", AudienceClaim: "client_id", Resource: testAudience}, Scopes: []string{testScope}}
	cv, err := c.Verifier(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cv.Verify(context.Background(), key.sign(t, claims{aud: testAudience})); err != nil {
		t.Errorf("Config.Verifier lost JWTOptions.Resource: %v", err)
	}
}

// Token typing refuses whatever is not exactly an access token.
func TestTokenUseExactlyAccess(t *testing.T) {
	key := newRSAKey(t, "k")
	srv := newJWKSServer(t, key)
	v := newTestJWTVerifier(t, srv.url(), nil)
	// A claim of another type, or an empty one (null too), names no use:
	// refused, not taken for a token without the claim.
	for _, use := range []any{[]string{"access", "id"}, "refresh", "ACCESS", 1, "", []string{}, map[string]any{"use": "access"}, nil} {
		if _, err := v.Verify(context.Background(), key.sign(t, claims{extra: map[string]any{"token_use": use}})); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("token_use %#v: %v, want ErrInvalidToken", use, err)
		}
	}
	if _, err := v.Verify(context.Background(), key.sign(t, claims{extra: map[string]any{"token_use": []string{"access"}}})); err != nil {
		t.Errorf(`token_use ["access"]: %v, want it accepted`, err)
	}
	for _, use := range []any{"refresh", "", true, false, 0.0, []string{"id"}, []string{"access", "id"}} {
		av := &AuthorizerVerifier{Context: func(context.Context) map[string]any {
			return map[string]any{"sub": "u", "token_use": use}
		}}
		if _, err := av.Verify(context.Background(), ""); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("authorizer context token_use %#v: %v, want ErrInvalidToken", use, err)
		}
	}
	// A Cognito date in a zone other than UTC is no form the authorizer
	// writes: refused, not read as UTC.
	av := &AuthorizerVerifier{Context: func(context.Context) map[string]any {
		return map[string]any{"sub": "u", "exp": "Thu May 04 04:50:06 PST 2099"}
	}}
	if _, err := av.Verify(context.Background(), ""); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("exp in PST: %v, want ErrInvalidToken", err)
	}
}

// A verifier failing in itself is no invalid token to the go-sdk: it
// answers 500, and the client is not sent to authenticate again.
func TestTokenVerifierOwnFailure(t *testing.T) {
	boom := verifierFunc(func(context.Context, string) (*Identity, error) { return nil, errors.New("boom") })
	if _, err := TokenVerifier(boom)(t.Context(), "t", nil); err == nil || errors.Is(err, sdkauth.ErrInvalidToken) {
		t.Errorf("a failing verifier: %v, want an error that is not sdkauth.ErrInvalidToken", err)
	}
}

// A broader scope named twice implies what both entries list.
func TestScopeHierarchyRepeatedEntry(t *testing.T) {
	h, err := parseScopeHierarchy("admin=read; admin=write")
	if err != nil {
		t.Fatal(err)
	}
	if !h.Holds([]string{"admin"}, "read", "write") {
		t.Errorf("hierarchy %v: admin does not imply both read and write", h)
	}
}
