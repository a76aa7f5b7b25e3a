package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

const (
	testIssuer   = "https://issuer.test"
	testAudience = "https://mcp.test/mcp"
	testScope    = "mcp:tools"
)

// signingKey is a private key with its kid and algorithm.
type signingKey struct {
	kid  string
	alg  jwa.SignatureAlgorithm
	priv jwk.Key
	pub  jwk.Key
	rsa  *rsa.PublicKey
}

func newRSAKey(t testing.TB, kid string) *signingKey {
	t.Helper()
	raw, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	k := keyPair(t, raw, kid, jwa.RS256())
	k.rsa = &raw.PublicKey
	return k
}

func newECKey(t testing.TB, kid string) *signingKey {
	t.Helper()
	raw, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return keyPair(t, raw, kid, jwa.ES256())
}

func keyPair(t testing.TB, raw any, kid string, alg jwa.SignatureAlgorithm) *signingKey {
	t.Helper()
	priv, err := jwk.Import(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := priv.Set(jwk.KeyIDKey, kid); err != nil {
		t.Fatal(err)
	}
	pub, err := priv.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	_ = pub.Set(jwk.AlgorithmKey, alg)
	_ = pub.Set(jwk.KeyUsageKey, "sig")
	return &signingKey{kid: kid, alg: alg, priv: priv, pub: pub}
}

// claims describes a token; zero fields get sensible valid defaults, and
// "-" leaves sub or client_id out.
type claims struct {
	iss, sub, aud, clientID, scope string
	scp                            []string
	exp, nbf                       time.Duration // relative to now
	noExp                          bool
	extra                          map[string]any
	headers                        map[string]any // extra protected header parameters
}

func (k *signingKey) sign(t testing.TB, c claims) string {
	t.Helper()
	b := jwt.NewBuilder().
		Issuer(or(c.iss, testIssuer)).
		IssuedAt(time.Now())
	if c.aud != "-" {
		b = b.Audience([]string{or(c.aud, testAudience)})
	}
	if c.sub != "-" {
		b = b.Subject(or(c.sub, "user-123"))
	}
	if !c.noExp {
		exp := c.exp
		if exp == 0 {
			exp = time.Hour
		}
		b = b.Expiration(time.Now().Add(exp))
	}
	if c.nbf != 0 {
		b = b.NotBefore(time.Now().Add(c.nbf))
	}
	if c.clientID != "-" {
		b = b.Claim("client_id", or(c.clientID, "client-abc"))
	}
	if c.scope != "" {
		b = b.Claim("scope", c.scope)
	}
	if c.scp != nil {
		b = b.Claim("scp", c.scp)
	}
	for name, v := range c.extra {
		b = b.Claim(name, v)
	}
	tok, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	hdr := jws.NewHeaders()
	for name, v := range c.headers {
		if err := hdr.Set(name, v); err != nil {
			t.Fatal(err)
		}
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(k.alg, k.priv, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// unsignedToken is an "alg": "none" token: the attack of stripping the
// signature.
func unsignedToken(t testing.TB, kid string) string {
	t.Helper()
	hdr := b64json(t, map[string]any{"alg": "none", "typ": "JWT", "kid": kid})
	return hdr + "." + b64json(t, validPayload()) + "."
}

// confusedToken is signed with HS256 using the RSA public key's PEM bytes as
// the HMAC secret: the algorithm-confusion attack on verifiers that let the
// token pick how its key is used.
func confusedToken(t testing.TB, k *signingKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k.rsa)
	if err != nil {
		t.Fatal(err)
	}
	secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	input := b64json(t, map[string]any{"alg": "HS256", "typ": "JWT", "kid": k.kid}) + "." + b64json(t, validPayload())
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func validPayload() map[string]any {
	now := time.Now()
	return map[string]any{
		"iss": testIssuer, "sub": "attacker", "aud": testAudience, "client_id": "client-abc",
		"scope": testScope, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
}

func b64json(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// jwksServer serves a JWKS over real HTTP and counts the fetches.
type jwksServer struct {
	*httptest.Server
	hits atomic.Int32

	mu     sync.Mutex
	keys   []*signingKey
	mode   string              // "", "down" or "garbage"
	before func(*http.Request) // called before each answer, if set
}

func newJWKSServer(t testing.TB, keys ...*signingKey) *jwksServer {
	t.Helper()
	s := &jwksServer{keys: keys}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		before := s.before
		s.mu.Unlock()
		if before != nil {
			before(r)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		switch s.mode {
		case "down":
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		case "garbage":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"keys": [{"kty": "RSA", "n": "!!!"}`))
			return
		}
		set := jwk.NewSet()
		for _, k := range s.keys {
			_ = set.AddKey(k.pub)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) setKeys(keys ...*signingKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = keys
}

func (s *jwksServer) setMode(mode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mode = mode
}

// setBefore makes the server call f before answering each request.
func (s *jwksServer) setBefore(f func(*http.Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.before = f
}

func (s *jwksServer) url() string { return s.URL + "/.well-known/jwks.json" }

func newTestJWTVerifier(t testing.TB, jwksURL string, mod func(*JWTOptions)) *JWTVerifier {
	t.Helper()
	opts := JWTOptions{Issuer: testIssuer, JWKSURL: jwksURL, Audience: testAudience}
	if mod != nil {
		mod(&opts)
	}
	v, err := NewJWTVerifier(opts)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// tamper flips a character of the signature.
func tamper(token string) string {
	i := strings.LastIndexByte(token, '.') + 2
	c := byte('A')
	if token[i] == 'A' {
		c = 'B'
	}
	return token[:i] + string(c) + token[i+1:]
}

// signerCase is a token signed by signer, which a verifier must accept
// when ok and refuse as invalid otherwise.
type signerCase struct {
	name   string
	signer *signingKey
	ok     bool
}

// wantVerified has v verify a token signed by each case's key.
func wantVerified(t *testing.T, v *JWTVerifier, cases []signerCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), tc.signer.sign(t, claims{}))
			switch {
			case tc.ok && err != nil:
				t.Fatalf("err = %v, want none", err)
			case !tc.ok && !errors.Is(err, ErrInvalidToken):
				t.Fatalf("err = %v, want ErrInvalidToken", err)
			}
		})
	}
}

// signRaw signs header and payload, JSON written as they are, with k's RS256
// key: for headers jwx will not write (a member that is null, one given
// twice).
func (k *signingKey) signRaw(t testing.TB, header, payload string) string {
	t.Helper()
	var priv rsa.PrivateKey
	if err := jwk.Export(k.priv, &priv); err != nil {
		t.Fatal(err)
	}
	input := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, &priv, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}
