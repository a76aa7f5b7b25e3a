package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

// TestLoginRegistrationFails runs -login without a client at an
// authorization server whose registration endpoint does not register
// one: a page of HTML, an answer without client_id, an OAuth error. The
// line says what the endpoint answered, quoting an OAuth error alone
// (clipped), not the page, and what to do.
func TestLoginRegistrationFails(t *testing.T) {
	const page = "<html>\n<body>\n<h1>Service Unavailable</h1>\n<p>Try again later.</p>\n</body></html>"
	const instead = "register a client with the authorization server AS, and give it as -client-id and -issuer\n"
	for _, tc := range []struct {
		name        string
		status      int
		contentType string
		body        string
		want        string // the end of stderr; AS the authorization server's URL
	}{
		{name: "HTML error", status: http.StatusServiceUnavailable, contentType: "text/html", body: page,
			want: "the registration endpoint AS/register answered HTTP 503, not a registration: no client was registered; run again once it registers clients, or " + instead},
		{name: "HTML page", status: http.StatusOK, contentType: "text/html", body: page,
			want: "the registration endpoint AS/register answered HTTP 200 with no JSON registration (RFC 7591 §3.2.1), a page perhaps: no client was registered; " + instead},
		{name: "HTML refusal", status: http.StatusBadRequest, contentType: "text/html", body: page,
			want: "the registration endpoint AS/register answered HTTP 400 with no OAuth error (RFC 7591 §3.2.2): no client was registered; " + instead},
		{name: "redirect", status: http.StatusFound,
			want: "the registration endpoint AS/register answered HTTP 302, a redirect to AS/login (a sign-in page perhaps), not a registration: the registration was not sent on, and no client was registered; " + instead},
		{name: "no client_id", status: http.StatusCreated, contentType: "application/json", body: `{"redirect_uris":["http://localhost/callback"]}`,
			want: "the registration endpoint AS/register answered HTTP 201 with no client_id (RFC 7591 §3.2.1): no client was registered; " + instead},
		{name: "OAuth error", status: http.StatusBadRequest, contentType: "application/json", body: `{"error":"invalid_redirect_uri","error_description":"loopback\nnot allowed ` + strings.Repeat("x", 600) + `"}`,
			want: `the registration endpoint AS/register refused to register the client (HTTP 400): invalid_redirect_uri "loopback\nnot allowed ` + strings.Repeat("x", 491) + `"… (109 more bytes not shown); ` + instead},
	} {
		t.Run(tc.name, func(t *testing.T) {
			withCacheDir(t)
			jwks := startAS(t, oauthtest.Options{Public: true, Scopes: []string{testScope}})
			var as *httptest.Server
			as = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/.well-known/oauth-authorization-server":
					writeJSON(w, http.StatusOK, map[string]any{"issuer": as.URL, "authorization_endpoint": as.URL + "/authorize", "token_endpoint": as.URL + "/token",
						"registration_endpoint": as.URL + "/register", "response_types_supported": []string{"code"}, "code_challenge_methods_supported": []string{"S256"}})
				case "/register":
					if tc.status == http.StatusFound {
						http.Redirect(w, r, as.URL+"/login", http.StatusFound)
						return
					}
					w.Header().Set("Content-Type", tc.contentType)
					w.WriteHeader(tc.status)
					w.Write([]byte(tc.body))
				default:
					http.NotFound(w, r)
				}
			}))
			t.Cleanup(as.Close)
			endpoint := startJWTReference(t, jwks, map[string]string{"MCP_AUTHORIZATION_SERVERS": as.URL})
			b := newBrowser()
			withOpener(t, b.open)
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-login", "-redirect-port", "0", "-endpoint", endpoint, "-call", "whoami"}, func(string) string { return "" }, &stdout, &stderr)
			want := "could not register one and get one: " + strings.ReplaceAll(tc.want, "AS", as.URL)
			if code != 1 || !strings.HasSuffix(stderr.String(), want) || strings.Contains(stderr.String(), "<html>") {
				t.Errorf("exit %d, stderr %q; want 1 and a line ending %q, quoting no page", code, stderr.String(), want)
			}
			if opened, _, _ := b.seen(); len(opened) != 0 {
				t.Errorf("the browser was sent to %q", opened)
			}
		})
	}
}
