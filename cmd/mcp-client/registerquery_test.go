package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

// TestLoginRegisterEndpointQuery runs -login without a client for an
// endpoint with a query, whose server publishes its protected resource
// metadata at the root's well-known URL alone: the go-sdk asks for it
// with the endpoint's query, and takes it only when it names the
// server's root with that query. The run finds where to register as the
// go-sdk does: it registers, and signs in, where the go-sdk will take the
// document, and nowhere where it will not.
func TestLoginRegisterEndpointQuery(t *testing.T) {
	const query = "tenant=a"
	tests := []struct {
		name     string
		resource string // the document's, after the server's root
		wantCode int
		wantErr  string // SERVER the server's root
	}{
		{name: "root with the query", resource: "?" + query},
		{name: "root without the query", wantCode: 1,
			wantErr: "the server's protected resource metadata (SERVER/.well-known/oauth-protected-resource?…) is for the resource SERVER, where the document at the root's well-known URL must name the server's root, SERVER?… (RFC 9728 §3.3), so it was not used; no client was registered: the server would publish the endpoint's at the well-known URL of its path, or name where it is in its challenge (resource_metadata)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			withCacheDir(t)
			as := startAS(t, oauthtest.Options{Public: true, Scopes: []string{testScope}, Registration: true})
			target, err := url.Parse(startJWTReference(t, as, nil))
			if err != nil {
				t.Fatal(err)
			}
			reference := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
			var front *httptest.Server
			front = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.URL.Path == "/.well-known/oauth-protected-resource":
					writeJSON(w, http.StatusOK, map[string]any{"resource": front.URL + tc.resource, "authorization_servers": []string{as.Issuer}, "scopes_supported": []string{testScope}})
				case strings.HasPrefix(r.URL.Path, "/.well-known/oauth-protected-resource"):
					http.NotFound(w, r)
				case r.URL.Path == "/mcp" && r.Header.Get("Authorization") == "":
					w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
					writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
				default:
					reference.ServeHTTP(w, r)
				}
			}))
			t.Cleanup(front.Close)
			withOpener(t, newBrowser().open)
			args := []string{"-login", "-redirect-port", "0", "-endpoint", front.URL + "/mcp?" + query, "-call", "whoami"}
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), args, func(string) string { return "" }, &stdout, &stderr)
			var wantOut, wantErr []string
			if tc.wantErr != "" {
				wantErr = []string{strings.ReplaceAll(tc.wantErr, "SERVER", front.URL)}
			} else {
				wantOut = []string{`"client_id":"` + as.ClientID + `"`}
			}
			checkRunOutput(t, code, tc.wantCode, stdout.String(), stderr.String(), wantOut, wantErr)
			wantRegs := 1
			if tc.wantCode != 0 {
				wantRegs = 0
			}
			if regs := as.Registrations(); len(regs) != wantRegs {
				t.Errorf("%d registrations, want %d: %+v", len(regs), wantRegs, regs)
			}
		})
	}
}
