package auth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
)

// Static tokens never expire, and the go-sdk's RequireBearerToken refuses a
// token without an expiry unless told otherwise: TokenVerifier's doc says
// to set AllowMissingExpiration, and this is why.
func TestTokenVerifierStaticTokens(t *testing.T) {
	v, err := NewStaticVerifier([]string{HashToken(staticToken)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		opts       *sdkauth.RequireBearerTokenOptions
		wantStatus int
		wantBody   string
	}{
		{"default options", nil, http.StatusUnauthorized, "token missing expiration"},
		{"AllowMissingExpiration", &sdkauth.RequireBearerTokenOptions{AllowMissingExpiration: true}, http.StatusOK, "static:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := sdkauth.RequireBearerToken(TokenVerifier(v), tc.opts)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(sdkauth.TokenInfoFromContext(r.Context()).UserID))
			}))
			req := httptest.NewRequest(http.MethodPost, "https://mcp.test/mcp", nil)
			req.Header.Set("Authorization", "Bearer "+staticToken)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus || !strings.Contains(rec.Body.String(), tc.wantBody) {
				t.Errorf("got %d %q, want %d with %q", rec.Code, rec.Body, tc.wantStatus, tc.wantBody)
			}
		})
	}
}

// A JWT accepted within the verifier's leeway is refused by the go-sdk's
// strict expiry check unless ClockSkew allows the same leeway.
func TestTokenVerifierClockSkew(t *testing.T) {
	key := newRSAKey(t, "k")
	srv := newJWKSServer(t, key)
	v := newTestJWTVerifier(t, srv.url(), nil)
	token := key.sign(t, claims{exp: -10 * time.Second})
	tests := []struct {
		name       string
		opts       *sdkauth.RequireBearerTokenOptions
		wantStatus int
	}{
		{"default options", nil, http.StatusUnauthorized},
		{"ClockSkew of the leeway", &sdkauth.RequireBearerTokenOptions{ClockSkew: 30 * time.Second}, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := sdkauth.RequireBearerToken(TokenVerifier(v), tc.opts)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
			req := httptest.NewRequest(http.MethodPost, "https://mcp.test/mcp", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus {
				t.Errorf("got %d %q, want %d", rec.Code, rec.Body, tc.wantStatus)
			}
		})
	}
}

// TestTokenVerifierInvalidToken checks that a token the verifier refuses is
// the go-sdk's ErrInvalidToken, which RequireBearerToken answers 401 (any
// other error is a 500, and the client never signs in again).
func TestTokenVerifierInvalidToken(t *testing.T) {
	v, err := NewStaticVerifier([]string{HashToken("tok")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TokenVerifier(v)(t.Context(), "wrong", nil); !errors.Is(err, sdkauth.ErrInvalidToken) {
		t.Errorf("refused token: %v, want sdkauth.ErrInvalidToken", err)
	}
}

// Middleware decides with its verifier, leeway and all: a token the
// verifier accepts reaches the handler, with its TokenInfo, however long
// the leeway that let it in, rather than meeting the go-sdk's own expiry
// check behind it (a plain-text 401 with no challenge).
func TestMiddlewareKeepsVerifierLeeway(t *testing.T) {
	key := newRSAKey(t, "k")
	srv := newJWKSServer(t, key)
	v := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) { o.Leeway = time.Hour })
	token := key.sign(t, claims{exp: -30 * time.Minute})
	h := Middleware(v, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(sdkauth.TokenInfoFromContext(r.Context()).UserID))
	}))
	req := httptest.NewRequest(http.MethodPost, "https://mcp.test/mcp", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Body.String() != "user-123" {
		t.Errorf("got %d %q (WWW-Authenticate %q), want 200 for user-123", rec.Code, rec.Body, rec.Header().Get("WWW-Authenticate"))
	}
}

// A tool rebuilds from req.Extra.TokenInfo the identity the verifier
// accepted, every field of it: its expiry too, which a tool may check
// before starting long work.
func TestIdentityThroughTokenInfo(t *testing.T) {
	id := &Identity{
		Subject:  "user-123",
		ClientID: "client-abc",
		Issuer:   "https://issuer.test",
		Scopes:   []string{"mcp:read", "mcp:tools"},
		Expiry:   time.Unix(1700000000, 0),
		Method:   "jwt",
	}
	if diff := cmp.Diff(id, IdentityFromTokenInfo(id.TokenInfo())); diff != "" {
		t.Errorf("identity through TokenInfo (-want +got):\n%s", diff)
	}
}
