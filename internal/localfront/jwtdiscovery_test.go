package localfront

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestDiscoveryRedirects: the issuer's discovery document is followed
// through a redirect only to where it may be read, as its keys are.
func TestDiscoveryRedirects(t *testing.T) {
	doc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"issuer":"` + "http://" + r.Host + `","jwks_uri":"http://` + r.Host + `/jwks.json"}`))
	}))
	defer doc.Close()
	tests := []struct {
		name    string
		to      string
		wantErr string // "": the document is read
	}{
		// TEST-NET-1: never dialed when the redirect is refused.
		{"to a remote plain-http host", "http://192.0.2.1/.well-known/openid-configuration", "read in the clear"},
		{"to this machine", doc.URL + "/.well-known/openid-configuration", "names issuer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			issuer := httptest.NewServer(http.RedirectHandler(tc.to, http.StatusFound))
			defer issuer.Close()
			_, err := discoverJWKS(t.Context(), issuer.URL)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("discoverJWKS: %v, want an error saying %q", err, tc.wantErr)
			}
		})
	}
}
