package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// TestJWTVerifierIgnoresKeyHeaders checks that the header parameters
// naming a key or where to fetch one ("jwk", "jku", "x5u", "x5c") are never
// used: only the configured JWKS verifies, or the signer picks its own key
// (RFC 8725 section 3.10).
func TestJWTVerifierIgnoresKeyHeaders(t *testing.T) {
	issuer, attacker := newRSAKey(t, "k"), newRSAKey(t, "k")
	jwks := newJWKSServer(t, issuer)
	elsewhere := newJWKSServer(t, attacker) // the attacker's key, served
	v := newTestJWTVerifier(t, jwks.url(), nil)
	pub, err := json.Marshal(attacker.pub)
	if err != nil {
		t.Fatal(err)
	}
	var priv rsa.PrivateKey
	if err := jwk.Export(attacker.priv, &priv); err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "issuer.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, &priv)
	if err != nil {
		t.Fatal(err)
	}
	claimsSet := fmt.Sprintf(`{"iss":%q,"aud":%q,"client_id":"c","exp":%d,"sub":"s"}`,
		testIssuer, testAudience, time.Now().Add(time.Hour).Unix())
	header := func(kid string) string {
		return fmt.Sprintf(`{"alg":"RS256","kid":%q,"jwk":%s,"jku":%q,"x5u":%q,"x5c":[%q]}`,
			kid, pub, elsewhere.url(), elsewhere.url(), base64.StdEncoding.EncodeToString(cert))
	}
	for kid, want := range map[string]string{"k": "verification error", "other": `kid "other"`} {
		t.Run("signed by the key they name, kid "+kid, func(t *testing.T) {
			_, err := v.Verify(context.Background(), attacker.signRaw(t, header(kid), claimsSet))
			if !errors.Is(err, ErrInvalidToken) || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v, want ErrInvalidToken mentioning %q", err, want)
			}
		})
	}
	t.Run("signed by the issuer", func(t *testing.T) {
		if _, err := v.Verify(context.Background(), issuer.signRaw(t, header("k"), claimsSet)); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	})
	if n := elsewhere.hits.Load(); n != 0 {
		t.Errorf("the URL in jku/x5u was fetched %d times", n)
	}
}
