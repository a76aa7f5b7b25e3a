package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Keys asked for over https are not taken over plain http, even from this
// machine: a redirect from https to a loopback address is refused as the
// JWKSURL's documentation says (it would point the fetch at whatever
// listens there, a runtime's API among them), while plain http between
// loopback addresses, a local issuer's, is still followed.
func TestJWKSRedirectFromTLSToLoopbackRefused(t *testing.T) {
	key := newRSAKey(t, "k")
	plain := newJWKSServer(t, key) // http://127.0.0.1:port
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.url(), http.StatusFound)
	}))
	defer tlsSrv.Close()
	v := newTestJWTVerifier(t, tlsSrv.URL+"/jwks.json", func(o *JWTOptions) { o.HTTPClient = tlsSrv.Client() })
	if _, err := v.Verify(context.Background(), key.sign(t, claims{})); !errors.Is(err, ErrKeysUnavailable) {
		t.Errorf("Verify after a redirect from https to %s = %v, want ErrKeysUnavailable", plain.url(), err)
	}
	if got := plain.hits.Load(); got != 0 {
		t.Errorf("the plain http server was asked for keys %d times after a redirect from https", got)
	}

	hop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.url(), http.StatusFound)
	}))
	defer hop.Close()
	v = newTestJWTVerifier(t, hop.URL+"/jwks.json", nil)
	if _, err := v.Verify(context.Background(), key.sign(t, claims{})); err != nil {
		t.Errorf("Verify after a redirect from plain http on this machine to another: %v", err)
	}
}
