package auth

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

func TestJWTVerifier(t *testing.T) {
	rsaKey := newRSAKey(t, "rsa-1")
	ecKey := newECKey(t, "ec-1")
	stranger := newRSAKey(t, "unknown")
	srv := newJWKSServer(t, rsaKey, ecKey)
	v := newTestJWTVerifier(t, srv.url(), nil)
	cognito := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) {
		o.Audience = "client-abc"
		o.AudienceClaim = "client_id"
	})
	cognitoHere := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) {
		o.Audience = "client-abc"
		o.AudienceClaim = "client_id"
		o.Resource = testAudience
	})

	tests := []struct {
		name    string
		v       *JWTVerifier
		token   string
		want    *Identity // nil: want ErrInvalidToken
		wantErr string    // part of the error text
	}{
		{name: "valid RS256", v: v, token: rsaKey.sign(t, claims{scope: "mcp:tools mcp:read"}),
			want: &Identity{Subject: "user-123", ClientID: "client-abc", Issuer: testIssuer, Scopes: []string{"mcp:read", "mcp:tools"}, Method: "jwt"}},
		{name: "valid ES256", v: v, token: ecKey.sign(t, claims{scp: []string{"b", "a"}}),
			want: &Identity{Subject: "user-123", ClientID: "client-abc", Issuer: testIssuer, Scopes: []string{"a", "b"}, Method: "jwt"}},
		{name: "expired within leeway", v: v, token: rsaKey.sign(t, claims{exp: -10 * time.Second}),
			want: &Identity{Subject: "user-123", ClientID: "client-abc", Issuer: testIssuer, Method: "jwt"}},
		{name: "no sub: the client is the caller", v: v, token: rsaKey.sign(t, claims{sub: "-"}),
			want: &Identity{Subject: "client-abc", ClientID: "client-abc", Issuer: testIssuer, Method: "jwt"}},
		{name: "neither sub nor client", v: v, token: rsaKey.sign(t, claims{sub: "-", clientID: "-"}), wantErr: "no subject"},
		{name: "expired", v: v, token: rsaKey.sign(t, claims{exp: -2 * time.Minute}), wantErr: "expired"},
		// The default leeway is 30 s, on exp and nbf alike.
		{name: "expired 25 s ago", v: v, token: rsaKey.sign(t, claims{exp: -25 * time.Second}),
			want: &Identity{Subject: "user-123", ClientID: "client-abc", Issuer: testIssuer, Method: "jwt"}},
		{name: "expired 40 s ago", v: v, token: rsaKey.sign(t, claims{exp: -40 * time.Second}), wantErr: "expired"},
		{name: "valid in 20 s", v: v, token: rsaKey.sign(t, claims{nbf: 20 * time.Second}),
			want: &Identity{Subject: "user-123", ClientID: "client-abc", Issuer: testIssuer, Method: "jwt"}},
		{name: "valid in 40 s", v: v, token: rsaKey.sign(t, claims{nbf: 40 * time.Second}), wantErr: "not yet valid"},
		{name: "not yet valid", v: v, token: rsaKey.sign(t, claims{nbf: 5 * time.Minute}), wantErr: "not yet valid"},
		// A token issued in the future is refused beyond the leeway too.
		{name: "issued in 20 s", v: v, token: rsaKey.sign(t, claims{extra: map[string]any{"iat": time.Now().Add(20 * time.Second).Unix()}}),
			want: &Identity{Subject: "user-123", ClientID: "client-abc", Issuer: testIssuer, Method: "jwt"}},
		{name: "issued in 5 min", v: v, token: rsaKey.sign(t, claims{extra: map[string]any{"iat": time.Now().Add(5 * time.Minute).Unix()}}), wantErr: `"iat"`},
		{name: "no exp", v: v, token: rsaKey.sign(t, claims{noExp: true}), wantErr: "exp"},
		{name: "wrong issuer", v: v, token: rsaKey.sign(t, claims{iss: "https://evil.test"}), wantErr: "issuer"},
		{name: "wrong audience", v: v, token: rsaKey.sign(t, claims{aud: "https://other.test/mcp"}), wantErr: "audience"},
		{name: "audience in client_id", v: cognito, token: rsaKey.sign(t, claims{aud: "-"}),
			want: &Identity{Subject: "user-123", ClientID: "client-abc", Issuer: testIssuer, Method: "jwt"}},
		// A client's token for another resource: RFC 8707 binds it there.
		{name: "audience in client_id, aud another resource", v: cognito, token: rsaKey.sign(t, claims{aud: "https://payroll.test"}), wantErr: `"aud"`},
		{name: "audience in client_id, aud but no resource configured", v: cognito, token: rsaKey.sign(t, claims{aud: testAudience}), wantErr: `"aud"`},
		{name: "audience in client_id, aud this resource", v: cognitoHere, token: rsaKey.sign(t, claims{aud: testAudience}),
			want: &Identity{Subject: "user-123", ClientID: "client-abc", Issuer: testIssuer, Method: "jwt"}},
		{name: "audience in client_id, aud this resource, wrong client_id", v: cognitoHere, token: rsaKey.sign(t, claims{aud: testAudience, clientID: "client-evil"}), wantErr: "client_id"},
		// Token typing (RFC 8725 section 3.11, RFC 9068).
		{name: "Cognito ID token", v: v, token: rsaKey.sign(t, claims{extra: map[string]any{"token_use": "id"}}), wantErr: "token_use"},
		{name: "Cognito ID token, audience in client_id", v: cognito, token: rsaKey.sign(t, claims{aud: "-", extra: map[string]any{"token_use": "id"}}), wantErr: "token_use"},
		{name: "Cognito access token", v: cognito, token: rsaKey.sign(t, claims{aud: "-", extra: map[string]any{"token_use": "access"}}),
			want: &Identity{Subject: "user-123", ClientID: "client-abc", Issuer: testIssuer, Method: "jwt"}},
		{name: "typ at+jwt", v: v, token: rsaKey.sign(t, claims{headers: map[string]any{"typ": "at+jwt"}}),
			want: &Identity{Subject: "user-123", ClientID: "client-abc", Issuer: testIssuer, Method: "jwt"}},
		{name: "typ application/AT+JWT", v: v, token: rsaKey.sign(t, claims{headers: map[string]any{"typ": "application/AT+JWT"}}),
			want: &Identity{Subject: "user-123", ClientID: "client-abc", Issuer: testIssuer, Method: "jwt"}},
		{name: "typ logout+jwt", v: v, token: rsaKey.sign(t, claims{headers: map[string]any{"typ": "logout+jwt"}}), wantErr: "typ"},
		{name: "typ dpop+jwt", v: v, token: rsaKey.sign(t, claims{headers: map[string]any{"typ": "dpop+jwt"}}), wantErr: "typ"},
		{name: "typ empty", v: v, token: rsaKey.sign(t, claims{headers: map[string]any{"typ": ""}}), wantErr: "typ"},
		{name: "wrong client_id", v: cognito, token: rsaKey.sign(t, claims{clientID: "client-evil"}), wantErr: "audience"},
		{name: "alg none", v: v, token: unsignedToken(t, rsaKey.kid), wantErr: "none"},
		{name: "HS256 signed with the RSA public key", v: v, token: confusedToken(t, rsaKey), wantErr: "HS256"},
		{name: "critical header extension", v: v, token: rsaKey.sign(t, claims{headers: map[string]any{
			"crit": []string{"urn:example:must-understand"}, "urn:example:must-understand": true,
		}}), wantErr: "crit"},
		{name: "tampered signature", v: v, token: tamper(rsaKey.sign(t, claims{})), wantErr: "verify"},
		{name: "unknown signer", v: v, token: stranger.sign(t, claims{}), wantErr: "unknown"},
		{name: "not a JWT", v: v, token: "abc.def.ghi"},
		{name: "empty", v: v, token: ""},
		{name: "oversized", v: v, token: strings.Repeat("a", MaxTokenBytes+1), wantErr: "oversized"},
		{name: "signed, of MaxTokenBytes", v: v, token: tokenOfLength(t, rsaKey, MaxTokenBytes),
			want: &Identity{Subject: "user-123", ClientID: "client-abc", Issuer: testIssuer, Method: "jwt"}},
		{name: "signed, a byte over MaxTokenBytes", v: v, token: tokenOfLength(t, rsaKey, MaxTokenBytes+1), wantErr: "oversized"},
		// A client named twice over is no client: azp names it instead.
		{name: "client_id of two values", v: v, token: rsaKey.sign(t, claims{clientID: "-", extra: map[string]any{"client_id": []string{"a", "b"}, "azp": "client-azp"}}),
			want: &Identity{Subject: "user-123", ClientID: "client-azp", Issuer: testIssuer, Method: "jwt"}},
		{name: "a scope in both scope and scp", v: v, token: rsaKey.sign(t, claims{scope: "mcp:read mcp:tools", scp: []string{"mcp:read"}}),
			want: &Identity{Subject: "user-123", ClientID: "client-abc", Issuer: testIssuer, Scopes: []string{"mcp:read", "mcp:tools"}, Method: "jwt"}},
		// RFC 6749 section 3.3 separates scopes by spaces, no other blank.
		{name: "scope with a no-break space inside", v: v, token: rsaKey.sign(t, claims{scope: "files:x\u00a0mcp:tools mcp:read"}),
			want: &Identity{Subject: "user-123", ClientID: "client-abc", Issuer: testIssuer, Scopes: []string{"files:x\u00a0mcp:tools", "mcp:read"}, Method: "jwt"}},
		{name: "scp element with an ideographic space inside", v: v, token: rsaKey.sign(t, claims{scp: []string{"files:x\u3000mcp:tools"}}),
			want: &Identity{Subject: "user-123", ClientID: "client-abc", Issuer: testIssuer, Scopes: []string{"files:x\u3000mcp:tools"}, Method: "jwt"}},
		{name: "audience in client_id, empty aud, no resource configured", v: cognito, token: rsaKey.sign(t, claims{aud: "-", extra: map[string]any{"aud": []string{""}}}), wantErr: `"aud"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.v.Verify(context.Background(), tc.token)
			if tc.want == nil {
				if !errors.Is(err, ErrInvalidToken) {
					t.Fatalf("Verify: got (%v, %v), want ErrInvalidToken", got, err)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %q does not mention %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got.Expiry.Before(time.Now().Add(-time.Minute)) {
				t.Errorf("Expiry = %v, want the token's exp", got.Expiry)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(Identity{}, "Expiry"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("identity mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewJWTVerifierRefusesUnsafeConfig(t *testing.T) {
	base := JWTOptions{Issuer: testIssuer, JWKSURL: "https://issuer.test/jwks.json", Audience: testAudience}
	tests := []struct {
		name string
		mod  func(*JWTOptions)
	}{
		{"no issuer", func(o *JWTOptions) { o.Issuer = "" }},
		{"no audience", func(o *JWTOptions) { o.Audience = "" }},
		{"no JWKS URL, an issuer that is no URL", func(o *JWTOptions) { o.JWKSURL, o.Issuer = "", "urn:example:issuer" }},
		{"no JWKS URL, a plain http issuer", func(o *JWTOptions) { o.JWKSURL, o.Issuer = "", "http://issuer.test" }},
		{"JWKS URL not http", func(o *JWTOptions) { o.JWKSURL = "file:///etc/jwks.json" }},
		{"JWKS URL plain http", func(o *JWTOptions) { o.JWKSURL = "http://issuer.test/jwks.json" }},
		{"JWKS URL plain http, loopback-looking name", func(o *JWTOptions) { o.JWKSURL = "http://127.0.0.1.issuer.test/jwks.json" }},
		{"JWKS URL without a host", func(o *JWTOptions) { o.JWKSURL = "https:///jwks.json" }},
		{"alg none", func(o *JWTOptions) { o.Algorithms = []string{"RS256", "none"} }},
		{"HMAC", func(o *JWTOptions) { o.Algorithms = []string{"HS256"} }},
		{"unknown alg", func(o *JWTOptions) { o.Algorithms = []string{"XX512"} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := base
			tc.mod(&opts)
			if _, err := NewJWTVerifier(opts); err == nil {
				t.Fatal("NewJWTVerifier accepted an unsafe configuration")
			}
		})
	}
}

// The JWKS says what each key is for; a token cannot use it otherwise.
func TestJWTVerifierHonoursKeyMetadata(t *testing.T) {
	encKey, rs512Key := newRSAKey(t, "enc"), newRSAKey(t, "rs512")
	_ = encKey.pub.Set(jwk.KeyUsageKey, "enc")
	_ = rs512Key.pub.Set(jwk.AlgorithmKey, jwa.RS512())
	// key_ops instead of use (RFC 7517 section 4.3).
	encOps, verifyOps := newRSAKey(t, "enc-ops"), newRSAKey(t, "verify-ops")
	for k, ops := range map[*signingKey]jwk.KeyOperationList{
		encOps:    {jwk.KeyOpEncrypt, jwk.KeyOpWrapKey},
		verifyOps: {jwk.KeyOpVerify},
	} {
		_ = k.pub.Remove(jwk.KeyUsageKey)
		if err := k.pub.Set(jwk.KeyOpsKey, ops); err != nil {
			t.Fatal(err)
		}
	}
	srv := newJWKSServer(t, encKey, rs512Key, encOps, verifyOps)
	v := newTestJWTVerifier(t, srv.url(), nil)
	tests := []struct {
		name    string
		token   string
		wantErr string // "" if the token is good
	}{
		{"encryption key used to sign", encKey.sign(t, claims{}), `for "enc"`},
		{"RS512 key used to sign RS256", rs512Key.sign(t, claims{}), "RS512"},
		{"key_ops without verify", encOps.sign(t, claims{}), "not verifying"},
		{"key_ops with verify", verifyOps.sign(t, claims{}), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), tc.token)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidToken) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want ErrInvalidToken mentioning %q", err, tc.wantErr)
			}
		})
	}
}

func TestJWTVerifierAlgorithmAllowlist(t *testing.T) {
	ecKey := newECKey(t, "ec-1")
	srv := newJWKSServer(t, ecKey)
	v := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) { o.Algorithms = []string{"RS256"} })
	if _, err := v.Verify(context.Background(), ecKey.sign(t, claims{})); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("ES256 token with an RS256-only allowlist: err = %v, want ErrInvalidToken", err)
	}
}

// A token naming a kid the cached set lacks makes the verifier fetch the JWKS
// again, exactly once: a second unknown kid right after is refused without a
// fetch, so made-up kids cannot be used to hammer the issuer.
func TestJWKSRefreshOnUnknownKid(t *testing.T) {
	old, rotated, stranger := newRSAKey(t, "old"), newECKey(t, "rotated"), newRSAKey(t, "stranger")
	srv := newJWKSServer(t, old)
	v := newTestJWTVerifier(t, srv.url(), nil)
	ctx := context.Background()

	steps := []struct {
		name     string
		token    string
		wantOK   bool
		wantHits int32
	}{
		{"first token loads the set", old.sign(t, claims{}), true, 1},
		{"known kid uses the cache", old.sign(t, claims{}), true, 1},
		{"rotated kid refreshes once", rotated.sign(t, claims{}), true, 2},
		{"rotated kid is now cached", rotated.sign(t, claims{}), true, 2},
		{"unknown kid within the interval is refused without a fetch", stranger.sign(t, claims{}), false, 2},
		{"and again", stranger.sign(t, claims{}), false, 2},
	}
	for i, st := range steps {
		if i == 2 {
			srv.setKeys(old, rotated)
		}
		_, err := v.Verify(ctx, st.token)
		if st.wantOK != (err == nil) {
			t.Errorf("%s: err = %v, want ok=%v", st.name, err, st.wantOK)
		}
		if got := srv.hits.Load(); got != st.wantHits {
			t.Errorf("%s: JWKS fetched %d times, want %d", st.name, got, st.wantHits)
		}
	}
}

// A token whose kid the set just loaded for it lacks is refused after that
// one fetch: a second at once would find the same keys, and on a cold
// authorizer two fetches, each bounded by defaultFetchTimeout, are
// API Gateway's whole 10 s. The next token may still fetch for its kid.
func TestJWKSFirstLoadFetchedOnce(t *testing.T) {
	known, stranger, rotated := newRSAKey(t, "known"), newRSAKey(t, "stranger"), newRSAKey(t, "rotated")
	srv := newJWKSServer(t, known)
	v := newTestJWTVerifier(t, srv.url(), nil)
	ctx := context.Background()
	if _, err := v.Verify(ctx, stranger.sign(t, claims{})); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("unknown kid on the first load: err = %v, want ErrInvalidToken", err)
	}
	if got := srv.hits.Load(); got != 1 {
		t.Errorf("JWKS fetched %d times for one token, want 1", got)
	}
	srv.setKeys(known, rotated)
	if _, err := v.Verify(ctx, rotated.sign(t, claims{})); err != nil {
		t.Fatalf("a key rotated after the first load: %v", err)
	}
	if got := srv.hits.Load(); got != 2 {
		t.Errorf("JWKS fetched %d times, want 2", got)
	}
}

// After the refresh interval has passed, an unknown kid may refresh again.
func TestJWKSRefreshIntervalElapses(t *testing.T) {
	a, b, c := newRSAKey(t, "a"), newRSAKey(t, "b"), newRSAKey(t, "c")
	srv := newJWKSServer(t, a)
	now := time.Now()
	v := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) { o.Now = func() time.Time { return now } })
	ctx := context.Background()
	for _, tok := range []string{a.sign(t, claims{}), b.sign(t, claims{})} {
		_, _ = v.Verify(ctx, tok) // load, then a refresh for b (not served)
	}
	srv.setKeys(a, b, c)
	if _, err := v.Verify(ctx, c.sign(t, claims{})); err == nil {
		t.Fatal("refresh happened inside the rate-limit interval")
	}
	now = now.Add(61 * time.Second)
	if _, err := v.Verify(ctx, c.sign(t, claims{})); err != nil {
		t.Fatalf("after the interval: %v", err)
	}
	if got := srv.hits.Load(); got != 3 {
		t.Errorf("JWKS fetched %d times, want 3", got)
	}
}

func TestJWKSUnavailable(t *testing.T) {
	key := newRSAKey(t, "k")
	// refused is a client whose every connection is refused; it counts the
	// attempts, since no server sees them.
	refused := func(attempts *atomic.Int32) *http.Client {
		return &http.Client{Transport: &http.Transport{
			DialContext: func(_ context.Context, network, addr string) (net.Conn, error) {
				attempts.Add(1)
				return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")} // syscall.ECONNREFUSED, which Plan 9 has not
			},
		}}
	}
	tests := []struct {
		name  string
		setup func(*jwksServer, *JWTOptions) *atomic.Int32 // returns the fetch attempt counter
	}{
		{"HTTP 503", func(s *jwksServer, _ *JWTOptions) *atomic.Int32 { s.setMode("down"); return &s.hits }},
		{"garbage body", func(s *jwksServer, _ *JWTOptions) *atomic.Int32 { s.setMode("garbage"); return &s.hits }},
		{"connection refused", func(_ *jwksServer, o *JWTOptions) *atomic.Int32 {
			var dials atomic.Int32
			o.HTTPClient = refused(&dials)
			return &dials
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newJWKSServer(t, key)
			var attempts *atomic.Int32
			now := time.Now()
			v := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) {
				attempts = tc.setup(srv, o)
				o.Now = func() time.Time { return now }
			})
			for range 3 {
				// The token may be good: it cannot be checked, which is
				// not the caller's fault (503, not 401).
				id, err := v.Verify(context.Background(), key.sign(t, claims{}))
				if !errors.Is(err, ErrKeysUnavailable) || errors.Is(err, ErrInvalidToken) || id != nil {
					t.Fatalf("Verify = (%v, %v), want ErrKeysUnavailable alone", id, err)
				}
			}
			// Failures are rate-limited too: one attempt, not one per token.
			if got := attempts.Load(); got != 1 {
				t.Errorf("JWKS fetch attempted %d times for 3 tokens, want 1", got)
			}
			// A token that is no JWT needs no key: it is invalid.
			if _, err := v.Verify(context.Background(), "not-a-jwt"); !errors.Is(err, ErrInvalidToken) {
				t.Errorf("opaque token during the outage: %v, want ErrInvalidToken", err)
			}
		})
	}
}

// A fetch that fails slowly (the JWKS host unreachable, the fetch timing out)
// is not tried again at once when it ends: the pause runs from the failure,
// so the tokens that follow are answered at once rather than each waiting
// out a fetch of its own.
func TestJWKSSlowFailurePauses(t *testing.T) {
	key := newRSAKey(t, "k")
	srv := newJWKSServer(t, key)
	srv.setMode("down")
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	srv.setBefore(func(*http.Request) { advance(5 * time.Second) }) // each fetch takes 5 s to fail
	v := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) { o.Now = clock })
	tok := key.sign(t, claims{})
	for range 3 {
		if _, err := v.Verify(context.Background(), tok); !errors.Is(err, ErrKeysUnavailable) {
			t.Fatalf("JWKS down: %v, want ErrKeysUnavailable", err)
		}
		advance(100 * time.Millisecond)
	}
	if got := srv.hits.Load(); got != 1 {
		t.Errorf("JWKS fetched %d times within a second of a slow failure, want 1", got)
	}
}

// Until a key set has loaded, a failed fetch is tried again a second later
// (or after MinRefreshInterval, when that is shorter), not a whole
// MinRefreshInterval later: an outage at start-up must not refuse every
// token for a minute after the JWKS is back.
func TestJWKSFirstLoadRetriedSoon(t *testing.T) {
	for _, tc := range []struct {
		minRefresh, retry time.Duration
	}{{0, time.Second}, {100 * time.Millisecond, 100 * time.Millisecond}} {
		key := newRSAKey(t, "k")
		srv := newJWKSServer(t, key)
		srv.setMode("down")
		now := time.Now()
		v := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) {
			o.Now = func() time.Time { return now }
			o.MinRefreshInterval = tc.minRefresh
		})
		ctx := context.Background()
		tok := key.sign(t, claims{})
		if _, err := v.Verify(ctx, tok); !errors.Is(err, ErrKeysUnavailable) {
			t.Fatalf("JWKS down: %v, want ErrKeysUnavailable", err)
		}
		srv.setMode("")
		now = now.Add(tc.retry / 2)
		if _, err := v.Verify(ctx, tok); !errors.Is(err, ErrKeysUnavailable) || srv.hits.Load() != 1 {
			t.Fatalf("retry %v, half of it later: %v after %d fetches, want ErrKeysUnavailable after 1", tc.retry, err, srv.hits.Load())
		}
		now = now.Add(tc.retry)
		if _, err := v.Verify(ctx, tok); err != nil {
			t.Fatalf("retry %v, JWKS back 1.5 times that after the failure: %v", tc.retry, err)
		}
		if tc.minRefresh != 0 {
			continue
		}
		// Once loaded, failures are held to MinRefreshInterval again.
		// The unknown kid cannot be checked after the failed refetch,
		// nor a second later, when no other fetch is allowed.
		srv.setMode("down")
		other := newRSAKey(t, "other")
		for range 2 {
			now = now.Add(2 * time.Second)
			if _, err := v.Verify(ctx, other.sign(t, claims{})); !errors.Is(err, ErrKeysUnavailable) {
				t.Fatalf("unknown kid with keys held, JWKS down: %v, want ErrKeysUnavailable", err)
			}
		}
		if got := srv.hits.Load(); got != 3 {
			t.Errorf("JWKS fetched %d times, want 3 (failed load, load, one refresh for the unknown kid)", got)
		}
	}
}

// A JWKS outage after a successful load keeps the cached keys in use; a
// token whose kid they lack cannot be checked (the issuer may have rotated
// its keys meanwhile), which is no invalid token.
func TestJWKSOutageKeepsCachedKeys(t *testing.T) {
	key, other := newRSAKey(t, "k"), newRSAKey(t, "other")
	srv := newJWKSServer(t, key)
	v := newTestJWTVerifier(t, srv.url(), nil)
	ctx := context.Background()
	if _, err := v.Verify(ctx, key.sign(t, claims{})); err != nil {
		t.Fatal(err)
	}
	srv.setMode("garbage")
	if _, err := v.Verify(ctx, other.sign(t, claims{})); !errors.Is(err, ErrKeysUnavailable) || errors.Is(err, ErrInvalidToken) {
		t.Fatalf("unknown kid during outage: %v, want ErrKeysUnavailable alone", err)
	}
	if _, err := v.Verify(ctx, key.sign(t, claims{})); err != nil {
		t.Fatalf("cached key during outage: %v", err)
	}
}

// A JWKS fetch in flight holds up only the tokens waiting for its keys: a
// token whose key is cached verifies while the fetch is still blocked.
func TestJWKSRefreshDoesNotBlockCachedKeys(t *testing.T) {
	a, b := newRSAKey(t, "a"), newRSAKey(t, "b")
	srv := newJWKSServer(t, a)
	v := newTestJWTVerifier(t, srv.url(), nil)
	ctx := context.Background()
	if _, err := v.Verify(ctx, a.sign(t, claims{})); err != nil {
		t.Fatal(err)
	}

	entered, release := make(chan struct{}, 1), make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) }) // before the server closes
	srv.setKeys(a, b)
	srv.setBefore(func(r *http.Request) {
		select {
		case entered <- struct{}{}:
		default:
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})

	refreshed := make(chan error, 2)
	go func() {
		_, err := v.Verify(ctx, b.sign(t, claims{}))
		refreshed <- err
	}()
	<-entered // the refetch for kid b is in flight

	cached := make(chan error, 1)
	go func() {
		_, err := v.Verify(ctx, a.sign(t, claims{}))
		cached <- err
	}()
	select {
	case err := <-cached:
		if err != nil {
			t.Fatalf("cached kid during the refetch: %v", err)
		}
	case err := <-refreshed:
		t.Fatalf("the refetch ended (err = %v) before a token with a cached kid verified", err)
	}

	// A second token for the kid being fetched waits for that fetch rather
	// than being refused with the set held before it. (Another fetch could
	// not start anyway: the first used up the refresh allowance.) The fetch
	// is released only once the verification waits on it, so that it
	// reaches the fetch in flight rather than the set it left.
	waiting := make(chan struct{})
	go func() {
		_, err := v.Verify(doneWatched(ctx, waiting), b.sign(t, claims{}))
		refreshed <- err
	}()
	select {
	case <-waiting:
	case err := <-refreshed:
		t.Fatalf("kid b verification ended (err = %v) without waiting for the fetch in flight", err)
	}
	once.Do(func() { close(release) })
	for range 2 {
		if err := <-refreshed; err != nil {
			t.Errorf("kid b after the refetch: %v", err)
		}
	}
	if got := srv.hits.Load(); got != 2 {
		t.Errorf("JWKS fetched %d times, want 2", got)
	}
}

// doneWatched is ctx with a Done that closes asked when first called: a
// verification asks for it only to wait, on a JWKS fetch in flight.
func doneWatched(ctx context.Context, asked chan<- struct{}) context.Context {
	return &doneWatch{Context: ctx, asked: asked}
}

type doneWatch struct {
	context.Context
	asked chan<- struct{}
	once  sync.Once
}

func (c *doneWatch) Done() <-chan struct{} {
	c.once.Do(func() { close(c.asked) })
	return c.Context.Done()
}

// Plain http is accepted for keys on this machine only.
func TestNewJWTVerifierLoopbackHTTP(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080/jwks.json", "http://localhost/jwks.json", "http://[::1]:9/jwks.json", "https://issuer.test/jwks.json"} {
		if _, err := NewJWTVerifier(JWTOptions{Issuer: testIssuer, JWKSURL: u, Audience: testAudience}); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}

// Keys reached over https are not taken from a plain http server it
// redirects to: whoever is on the path could serve keys of their own.
func TestJWKSRedirectAwayFromTLSRefused(t *testing.T) {
	key := newRSAKey(t, "k1")
	plain := newJWKSServer(t, key)
	plainURL, _ := url.Parse(plain.url())
	plainURL.Host = "localhost.test:" + plainURL.Port() // plain http, and not this machine by name
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, plain.Listener.Addr().String())
	}
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plainURL.String(), http.StatusFound)
	}))
	defer tlsSrv.Close()
	client := tlsSrv.Client()
	client.Transport.(*http.Transport).DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == plainURL.Host {
			return dial(ctx, network, addr)
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	v := newTestJWTVerifier(t, tlsSrv.URL+"/jwks.json", func(o *JWTOptions) { o.HTTPClient = client })
	if _, err := v.Verify(context.Background(), key.sign(t, claims{})); !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("Verify after a redirect to %s = %v, want ErrKeysUnavailable", plainURL, err)
	}
	if plain.hits.Load() != 0 {
		t.Errorf("the plain http server was asked for keys %d times", plain.hits.Load())
	}

	// The same redirect to https is followed, within the client's policy.
	tlsKeys := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plain.Config.Handler.ServeHTTP(w, r)
	}))
	defer tlsKeys.Close()
	hop := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, tlsKeys.URL+"/jwks.json", http.StatusFound)
	}))
	defer hop.Close()
	v = newTestJWTVerifier(t, hop.URL+"/jwks.json", func(o *JWTOptions) { o.HTTPClient = hop.Client() })
	if _, err := v.Verify(context.Background(), key.sign(t, claims{})); err != nil {
		t.Errorf("Verify after a redirect to https: %v", err)
	}
}

// A key the verifier cannot read does not take the others with it
// (RFC 7517 section 5: such keys are to be ignored).
func TestJWKSIgnoresKeysItCannotRead(t *testing.T) {
	key := newRSAKey(t, "k1")
	pub, err := json.Marshal(key.pub)
	if err != nil {
		t.Fatal(err)
	}
	for name, extra := range map[string]string{
		"unknown key type":  `{"kty":"AKP","alg":"ML-DSA-44","kid":"pq","pub":"AAAA"}`,
		"unsupported curve": `{"kty":"EC","crv":"P-192","kid":"old","x":"AAAA","y":"AAAA"}`,
		"missing members":   `{"kty":"RSA","kid":"broken"}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				io.WriteString(w, `{"keys":[`+extra+`,`+string(pub)+`]}`)
			}))
			defer srv.Close()
			v := newTestJWTVerifier(t, srv.URL+"/jwks.json", nil)
			if _, err := v.Verify(context.Background(), key.sign(t, claims{})); err != nil {
				t.Errorf("token signed with k1 refused: %v", err)
			}
			// The unreadable key itself verifies nothing.
			other := newRSAKey(t, map[string]string{"unknown key type": "pq", "unsupported curve": "old", "missing members": "broken"}[name])
			if _, err := v.Verify(context.Background(), other.sign(t, claims{})); !errors.Is(err, ErrInvalidToken) {
				t.Errorf("token under the unreadable key's kid = %v, want ErrInvalidToken", err)
			}
		})
	}
	// An unreadable key counts for nothing: a token without kid matches
	// the one usable key beside it, and a set of unreadable keys alone is
	// no set, so a refresh to it keeps the keys held.
	t.Run("token without kid", func(t *testing.T) {
		nokid := newRSAKey(t, "")
		nokidPub, err := json.Marshal(nokid.pub)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			io.WriteString(w, `{"keys":[{"kty":"AKP","alg":"ML-DSA-44","kid":"pq","pub":"AAAA"},`+string(nokidPub)+`]}`)
		}))
		defer srv.Close()
		v := newTestJWTVerifier(t, srv.URL+"/jwks.json", nil)
		if _, err := v.Verify(context.Background(), nokid.sign(t, claims{})); err != nil {
			t.Errorf("token without kid refused beside one usable key: %v", err)
		}
	})
	t.Run("only unreadable keys", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			io.WriteString(w, `{"keys":[{"kty":"AKP","alg":"ML-DSA-44","kid":"pq","pub":"AAAA"}]}`)
		}))
		defer srv.Close()
		_, err := newTestJWTVerifier(t, srv.URL+"/jwks.json", nil).keys.fetch(context.Background())
		if err == nil {
			t.Error("a set of unreadable keys alone was taken for a key set")
		}
	})
	// Syntax errors still fail the set.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, `{"keys":[`+string(pub)+`,{"kty":`)
	}))
	defer srv.Close()
	if _, err := newTestJWTVerifier(t, srv.URL+"/jwks.json", nil).Verify(context.Background(), key.sign(t, claims{})); !errors.Is(err, ErrKeysUnavailable) {
		t.Errorf("token checked against a JWKS that is not JSON: %v, want ErrKeysUnavailable", err)
	}
}

// deadlineTransport answers every request with the keys and records how
// long the request's context had left.
type deadlineTransport struct {
	left chan time.Duration
}

func (d deadlineTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	left := time.Duration(-1)
	if dl, ok := r.Context().Deadline(); ok {
		left = time.Until(dl)
	}
	d.left <- left
	return http.DefaultTransport.RoundTrip(r.Clone(r.Context()))
}

// TestJWKSFetchBound checks that a JWKS fetch is bounded by the client's
// own Timeout when it sets one, and by 5 s when it sets none.
func TestJWKSFetchBound(t *testing.T) {
	key := newRSAKey(t, "k")
	for _, tc := range []struct {
		name     string
		client   func(http.RoundTripper) *http.Client
		min, max time.Duration
	}{
		{"a client's longer timeout", func(rt http.RoundTripper) *http.Client {
			return &http.Client{Transport: rt, Timeout: time.Minute}
		}, 50 * time.Second, time.Minute},
		{"a client's shorter timeout", func(rt http.RoundTripper) *http.Client {
			return &http.Client{Transport: rt, Timeout: 2 * time.Second}
		}, time.Second, 2 * time.Second},
		{"a client without a timeout", func(rt http.RoundTripper) *http.Client {
			return &http.Client{Transport: rt}
		}, 4 * time.Second, defaultFetchTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newJWKSServer(t, key)
			rt := deadlineTransport{left: make(chan time.Duration, 1)}
			v := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) { o.HTTPClient = tc.client(rt) })
			if _, err := v.Verify(context.Background(), key.sign(t, claims{})); err != nil {
				t.Fatal(err)
			}
			if left := <-rt.left; left < tc.min || left > tc.max {
				t.Errorf("the fetch had %v left, want between %v and %v", left, tc.min, tc.max)
			}
		})
	}
	if got := newTestJWTVerifier(t, "https://keys.example/jwks.json", nil).keys.client.Timeout; got != defaultFetchTimeout {
		t.Errorf("default client's timeout %v, want %v", got, defaultFetchTimeout)
	}
}

// TestJWKSURLMustBeSecure checks that keys are fetched over HTTPS, or plain
// HTTP from this machine only: from anywhere else anyone on the path could
// swap the signing keys.
func TestJWKSURLMustBeSecure(t *testing.T) {
	for _, u := range []string{"http://10.0.0.1/jwks.json", "http://192.0.2.7/jwks.json", "ftp://127.0.0.1/jwks.json", "http://example.com/jwks.json"} {
		if _, err := NewJWTVerifier(JWTOptions{Issuer: "https://issuer.example", Audience: "a", JWKSURL: u}); err == nil {
			t.Errorf("JWKS URL %s accepted", u)
		}
	}
}

// TestJWKSRefetchedAfterCacheTTL checks that a key set older than
// CacheTTL is fetched again: a key the issuer removed (revoked) stops
// working then, instead of for the life of the process.
func TestJWKSRefetchedAfterCacheTTL(t *testing.T) {
	tests := []struct {
		name          string
		ttl           time.Duration // CacheTTL; zero means the default
		within, after time.Duration // since the first fetch
	}{
		{"configured", 10 * time.Minute, 5 * time.Minute, 11 * time.Minute},
		{"default: an hour", 0, 59 * time.Minute, 61 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old, current := newRSAKey(t, "old"), newRSAKey(t, "current")
			srv := newJWKSServer(t, old, current)
			start := time.Now()
			now := start
			v := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) {
				o.Now = func() time.Time { return now }
				o.CacheTTL = tc.ttl
			})
			// Tokens that outlive the clock's moves: each refusal
			// below is the key's, not the token's expiry.
			valid := claims{exp: 3 * time.Hour}
			ctx := context.Background()
			if _, err := v.Verify(ctx, old.sign(t, valid)); err != nil {
				t.Fatalf("before the removal: %v", err)
			}
			srv.setKeys(current) // the issuer revokes old
			now = start.Add(tc.within)
			if _, err := v.Verify(ctx, old.sign(t, valid)); err != nil {
				t.Errorf("within CacheTTL the cached set still serves: %v", err)
			}
			now = start.Add(tc.after)
			if _, err := v.Verify(ctx, old.sign(t, valid)); err == nil {
				t.Error("a removed key still verifies after CacheTTL")
			}
			if _, err := v.Verify(ctx, current.sign(t, valid)); err != nil {
				t.Errorf("the current key: %v", err)
			}
			if got := srv.hits.Load(); got != 2 {
				t.Errorf("JWKS fetched %d times, want 2", got)
			}
		})
	}
}

// TestJWTEdges checks edges no other test pins: a negative Leeway means
// none (not its size the other way), a caller who hangs up while the key
// set is first fetched does not cost the next caller the fetch, and a
// token without kid is refused when the set holds more than one key.
func TestJWTEdges(t *testing.T) {
	t.Run("negative leeway", func(t *testing.T) {
		key := newRSAKey(t, "k")
		srv := newJWKSServer(t, key)
		v := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) { o.Leeway = -time.Minute })
		if _, err := v.Verify(context.Background(), key.sign(t, claims{exp: -30 * time.Second})); err == nil {
			t.Error("a token expired 30 s ago passed with no leeway")
		}
		if _, err := v.Verify(context.Background(), key.sign(t, claims{exp: 30 * time.Second})); err != nil {
			t.Errorf("a token valid for 30 s more, with no leeway: %v", err)
		}
	})
	t.Run("caller gone during the first fetch", func(t *testing.T) {
		key := newRSAKey(t, "k")
		srv := newJWKSServer(t, key)
		v := newTestJWTVerifier(t, srv.url(), nil)
		gone, cancel := context.WithCancel(context.Background())
		cancel()
		_, _ = v.Verify(gone, key.sign(t, claims{}))
		if _, err := v.Verify(context.Background(), key.sign(t, claims{})); err != nil {
			t.Errorf("the next caller: %v", err)
		}
	})
	t.Run("negative leeway, expired 10 s ago", func(t *testing.T) {
		key := newRSAKey(t, "k")
		srv := newJWKSServer(t, key)
		v := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) { o.Leeway = -time.Minute })
		if _, err := v.Verify(context.Background(), key.sign(t, claims{exp: -10 * time.Second})); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("a token expired 10 s ago, with no leeway: %v, want ErrInvalidToken", err)
		}
	})
	t.Run("no kid among several keys", func(t *testing.T) {
		unnamed, other := newRSAKey(t, ""), newRSAKey(t, "b")
		srv := newJWKSServer(t, unnamed, other)
		v := newTestJWTVerifier(t, srv.url(), nil)
		if _, err := v.Verify(context.Background(), unnamed.sign(t, claims{})); err == nil {
			t.Error("a token without kid was matched to one of two keys")
		}
	})
}

// TestJWKSNeedsOK checks that a key set is taken only from a 200 answer:
// an error page that happens to hold keys is not the issuer's set, nor is
// another success's (a proxy's altered copy, a part of the set).
func TestJWKSNeedsOK(t *testing.T) {
	key := newRSAKey(t, "k")
	set := jwk.NewSet()
	if err := set.AddKey(key.pub); err != nil {
		t.Fatal(err)
	}
	for _, status := range []int{http.StatusNotFound, http.StatusNonAuthoritativeInfo, http.StatusPartialContent} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(status)
				_ = json.NewEncoder(w).Encode(set)
			}))
			defer srv.Close()
			v := newTestJWTVerifier(t, srv.URL+"/jwks.json", nil)
			if _, err := v.Verify(context.Background(), key.sign(t, claims{})); err == nil {
				t.Errorf("a key set served with %d verified a token", status)
			}
		})
	}
}

// TestJWKSURLSecretsNotLogged checks that a JWKS URL's password, query
// (a pre-signed URL's signature, say) and fragment appear in no log line
// and no error:
// after a fetch, a failed fetch, a redirect that failed, and a URL refused
// at start-up.
func TestJWKSURLSecretsNotLogged(t *testing.T) {
	const pass, sig, frag = "PASSWORD_SECRET", "SIGNATURE_SECRET", "FRAGMENT_SECRET"
	key := newRSAKey(t, "k1")
	keys := newJWKSServer(t, key)
	withSecrets := func(base string) string {
		return strings.Replace(base, "http://", "http://user:"+pass+"@", 1) + "?sig=" + sig + "#" + frag
	}
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, down.URL+"/jwks.json?sig="+sig, http.StatusFound)
	}))
	defer redirect.Close()
	for _, tc := range []struct {
		name, url string
		ok        bool
	}{
		{"fetched", withSecrets(keys.url()), true},
		{"unreachable", withSecrets(down.URL + "/jwks.json"), false},
		{"redirected to an unreachable host", withSecrets(redirect.URL + "/jwks.json"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			v := newTestJWTVerifier(t, tc.url, func(o *JWTOptions) { o.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) })
			_, err := v.Verify(context.Background(), key.sign(t, claims{}))
			if (err == nil) != tc.ok {
				t.Fatalf("Verify: %v", err)
			}
			out := logs.String() + fmt.Sprint(err)
			if !strings.Contains(out, "jwks") || !strings.Contains(out, "127.0.0.1") {
				t.Errorf("the fetch is not logged with its host: %s", out)
			}
			if strings.Contains(out, pass) || strings.Contains(out, sig) || strings.Contains(out, frag) {
				t.Errorf("a secret of the URL is logged:\n%s", out)
			}
		})
	}
	_, err := NewJWTVerifier(JWTOptions{Issuer: testIssuer, Audience: testAudience, JWKSURL: "http://user:" + pass + "@keys.example/jwks.json?sig=" + sig})
	if err == nil || !strings.Contains(err.Error(), "keys.example/jwks.json") || strings.Contains(err.Error(), pass) || strings.Contains(err.Error(), sig) {
		t.Errorf("refused URL: %v; want it named without its password and query", err)
	}
}

// An elliptic curve key verifies only the algorithm of its curve, even when
// the JWKS names no algorithm for it: a P-256 key is no ES384 key.
func TestJWTVerifierCurveFitsAlgorithm(t *testing.T) {
	ecKey := func(kid string, crv elliptic.Curve) *signingKey {
		t.Helper()
		raw, err := ecdsa.GenerateKey(crv, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		k := keyPair(t, raw, kid, jwa.ES256())
		_ = k.pub.Remove(jwk.AlgorithmKey) // the JWKS leaves the choice open
		return k
	}
	p256, p384, p521 := ecKey("p256", elliptic.P256()), ecKey("p384", elliptic.P384()), ecKey("p521", elliptic.P521())
	srv := newJWKSServer(t, p256, p384, p521)
	v := newTestJWTVerifier(t, srv.url(), nil)
	tests := []struct {
		key    *signingKey
		alg    jwa.SignatureAlgorithm
		wantOK bool
	}{
		{p256, jwa.ES256(), true},
		{p384, jwa.ES384(), true},
		{p521, jwa.ES512(), true},
		{p256, jwa.ES384(), false},
		{p256, jwa.ES512(), false},
		{p384, jwa.ES256(), false},
		{p521, jwa.ES384(), false},
	}
	for _, tc := range tests {
		t.Run(tc.key.kid+" "+tc.alg.String(), func(t *testing.T) {
			k := *tc.key
			k.alg = tc.alg
			_, err := v.Verify(context.Background(), k.sign(t, claims{}))
			if tc.wantOK && err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !tc.wantOK && !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("Verify: %v, want ErrInvalidToken", err)
			}
		})
	}
	// An Ed25519 key still verifies EdDSA, where it is allowed.
	_, edRaw, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ed := keyPair(t, edRaw, "ed", jwa.EdDSA())
	edv := newTestJWTVerifier(t, newJWKSServer(t, ed).url(), func(o *JWTOptions) { o.Algorithms = []string{"EdDSA"} })
	if _, err := edv.Verify(context.Background(), ed.sign(t, claims{})); err != nil {
		t.Errorf("EdDSA with an Ed25519 key: %v", err)
	}
}

// TestJWKSRedirectLimit checks that a JWKS URL redirecting without end is
// given up as net/http gives up by default: the tenth redirect is not
// followed.
func TestJWKSRedirectLimit(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "/jwks.json", http.StatusFound)
	}))
	defer srv.Close()
	key := newRSAKey(t, "k")
	v := newTestJWTVerifier(t, srv.URL+"/jwks.json", nil)
	if _, err := v.Verify(context.Background(), key.sign(t, claims{})); !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("Verify = %v, want ErrKeysUnavailable", err)
	}
	if got := hits.Load(); got != 10 {
		t.Errorf("JWKS URL asked %d times, want 10: the first request and nine redirects", got)
	}
}

// TestJWKSRedirectKeepsClientPolicy checks that the client's own redirect
// policy still applies to a redirect keysURL allows: a client told to
// follow none is not taken elsewhere for its keys.
func TestJWKSRedirectKeepsClientPolicy(t *testing.T) {
	key := newRSAKey(t, "k")
	keys := newJWKSServer(t, key)
	hop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, keys.url(), http.StatusFound)
	}))
	defer hop.Close()
	for _, tc := range []struct {
		name   string
		policy func(*http.Request, []*http.Request) error
		wantOK bool
	}{
		{"no policy", nil, true},
		{"no redirects", func(*http.Request, []*http.Request) error { return errors.New("no redirects here") }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hits := keys.hits.Load()
			v := newTestJWTVerifier(t, hop.URL+"/jwks.json", func(o *JWTOptions) {
				o.HTTPClient = &http.Client{CheckRedirect: tc.policy}
			})
			_, err := v.Verify(context.Background(), key.sign(t, claims{}))
			if tc.wantOK && err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !tc.wantOK && !errors.Is(err, ErrKeysUnavailable) {
				t.Fatalf("Verify = %v, want ErrKeysUnavailable", err)
			}
			if got, want := keys.hits.Load()-hits, map[bool]int32{true: 1, false: 0}[tc.wantOK]; got != want {
				t.Errorf("the redirect's target was asked %d times, want %d", got, want)
			}
		})
	}
}

// TestJWKSSizeLimit checks that a key set of maxJWKSBytes is read, and one
// byte more is not, even where the bytes past the bound are only white
// space after a whole set.
func TestJWKSSizeLimit(t *testing.T) {
	key := newRSAKey(t, "k")
	set := jwk.NewSet()
	if err := set.AddKey(key.pub); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		size  int
		after bool // padded after the object, not inside it
		ok    bool
	}{{maxJWKSBytes, false, true}, {maxJWKSBytes + 1, false, false}, {maxJWKSBytes, true, true}, {maxJWKSBytes + 1, true, false}} {
		t.Run(fmt.Sprint(tc.size, map[bool]string{true: " padded after", false: " padded inside"}[tc.after]), func(t *testing.T) {
			// Padded with white space: the same set, at size.
			body := append(append(b[:len(b)-1:len(b)-1], bytes.Repeat([]byte(" "), tc.size-len(b))...), '}')
			if tc.after {
				body = append(b[:len(b):len(b)], bytes.Repeat([]byte(" "), tc.size-len(b))...)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
			}))
			defer srv.Close()
			v := newTestJWTVerifier(t, srv.URL+"/jwks.json", nil)
			if _, err := v.Verify(context.Background(), key.sign(t, claims{})); (err == nil) != tc.ok {
				t.Errorf("key set of %d bytes: Verify = %v, want accepted %v", len(body), err, tc.ok)
			}
		})
	}
}

// TestJWKSFetchAcceptsJSON checks that the fetch asks for JSON, as
// issuers that negotiate content serve it: some only as application/json
// (an issuer may otherwise answer with a page for people), others only as
// RFC 7517's application/jwk-set+json (Kubernetes' service account
// issuer, a Spring endpoint), each answering 406 to an Accept without
// its type.
func TestJWKSFetchAcceptsJSON(t *testing.T) {
	key := newRSAKey(t, "k")
	set := jwk.NewSet()
	if err := set.AddKey(key.pub); err != nil {
		t.Fatal(err)
	}
	for _, served := range []string{"application/json", "application/jwk-set+json"} {
		t.Run(served, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for _, accepted := range strings.Split(r.Header.Get("Accept"), ",") {
					if mt, _, err := mime.ParseMediaType(accepted); err == nil && mt == served {
						w.Header().Set("Content-Type", served)
						_ = json.NewEncoder(w).Encode(set)
						return
					}
				}
				http.Error(w, "not acceptable", http.StatusNotAcceptable)
			}))
			defer srv.Close()
			v := newTestJWTVerifier(t, srv.URL+"/jwks.json", nil)
			if _, err := v.Verify(context.Background(), key.sign(t, claims{})); err != nil {
				t.Errorf("keys served only as %s: %v", served, err)
			}
		})
	}
}

// A signed token has one spelling (RFC 7515 section 7.1: base64url
// without padding): the others jwx would read are refused, so that one
// token is not judged, and cached by an API Gateway authorizer, once for
// each way of writing it.
func TestJWTVerifierOneSpelling(t *testing.T) {
	pad := func(s string) string { return s + strings.Repeat("=", (4-len(s)%4)%4) }
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	respell := []struct {
		name string
		f    func(segs []string) []string
	}{
		{"padded signature", func(s []string) []string { return []string{s[0], s[1], pad(s[2])} }},
		{"padded header", func(s []string) []string { return []string{pad(s[0]), s[1], s[2]} }},
		{"standard alphabet", func(s []string) []string {
			std := strings.NewReplacer("-", "+", "_", "/")
			return []string{std.Replace(s[0]), std.Replace(s[1]), std.Replace(s[2])}
		}},
		{"a trailing bit set in the signature", func(s []string) []string {
			sig := s[2]
			i := strings.IndexByte(alphabet, sig[len(sig)-1])
			return []string{s[0], s[1], sig[:len(sig)-1] + string(alphabet[i^1])}
		}},
		{"a line break in the signature", func(s []string) []string { return []string{s[0], s[1], s[2][:8] + "\n" + s[2][8:]} }},
		// Not a spelling of the token but another serialization: refused
		// for its count, whatever its extra segment holds.
		{"a fourth segment", func(s []string) []string { return []string{s[0], s[1], s[2], "e30="} }},
	}
	for _, key := range []*signingKey{newRSAKey(t, "rsa-1"), newECKey(t, "ec-1")} {
		srv := newJWKSServer(t, key)
		v := newTestJWTVerifier(t, srv.url(), nil)
		token := key.sign(t, claims{})
		for tries := 0; !strings.ContainsAny(token, "-_"); tries++ {
			if tries == 100 {
				t.Fatal("no token with a - or _ in it")
			}
			token = key.sign(t, claims{})
		}
		segs := strings.Split(token, ".")
		if len(segs[2])%4 != 2 {
			t.Fatalf("%s signature of %d characters: its last one has no unused bits", key.alg, len(segs[2]))
		}
		t.Run(key.alg.String()+"/as issued", func(t *testing.T) {
			if _, err := v.Verify(context.Background(), token); err != nil {
				t.Fatalf("the token as issued: %v", err)
			}
		})
		for _, r := range respell {
			t.Run(key.alg.String()+"/"+r.name, func(t *testing.T) {
				other := strings.Join(r.f(segs), ".")
				if other == token {
					t.Fatal("the respelling changed nothing")
				}
				if _, err := v.Verify(context.Background(), other); !errors.Is(err, ErrInvalidToken) {
					t.Errorf("Verify = %v, want ErrInvalidToken", err)
				}
			})
		}
	}
	// A static token is any b64token (RFC 6750 section 2.1), padding and
	// the standard alphabet included, whichever verifier is asked first.
	t.Run("static token beside JWTs", func(t *testing.T) {
		const token = "ab+/cd.ef=="
		static, err := NewStaticVerifier([]string{HashToken(token)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		key := newRSAKey(t, "rsa-1")
		jwtV := newTestJWTVerifier(t, newJWKSServer(t, key).url(), nil)
		for _, vs := range [][]Verifier{{static, jwtV}, {jwtV, static}} {
			if _, err := AnyOf(vs...).Verify(context.Background(), token); err != nil {
				t.Errorf("static token refused: %v", err)
			}
		}
	})
}

// tokenOfLength is a token signed by k, n bytes long: a claim and a header
// parameter pad it. (A base64url segment is never 1 more than a multiple
// of 4 long, so which lengths one padding reaches depends on the other's.)
func tokenOfLength(t testing.TB, k *signingKey, n int) string {
	t.Helper()
	for hdrPad := range 4 {
		pad := 0
		for range 20 {
			tok := k.sign(t, claims{
				extra:   map[string]any{"pad": strings.Repeat("a", pad)},
				headers: map[string]any{"pad": strings.Repeat("a", hdrPad)},
			})
			d := n - len(tok)
			if d == 0 {
				return tok
			}
			step := d * 3 / 4
			if step == 0 {
				step = d
			}
			if pad += step; pad < 0 {
				break
			}
		}
	}
	t.Fatalf("no token of %d bytes", n)
	return ""
}
