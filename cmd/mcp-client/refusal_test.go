package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lambdamcp/lambdamcp/internal/localfront"
)

// refusingServer answers every request with status and the challenges,
// a WWW-Authenticate header value each, as an authorizer in front of an
// MCP server does.
func refusingServer(t *testing.T, status int, challenges ...string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, c := range challenges {
			if c != "" {
				w.Header().Add("WWW-Authenticate", c)
			}
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/mcp"
}

// TestRefusedTokenExplained checks that a 401 tells a token the server
// refused from none sent, with the reason the server's challenge gives
// (escaped, as all a server says is), that a 403 for a scope names the
// scope, and that the token shows nowhere, even where the server repeats
// it.
func TestRefusedTokenExplained(t *testing.T) {
	const token = "tok-SECRET-4d2e9b"
	fromEnv := func(k string) string {
		if k == "MCP_TOKEN" {
			return token
		}
		return ""
	}
	tests := []struct {
		name     string
		endpoint string
		token    string // given with -token
		env      func(string) string
		want     []string
		dontWant []string
	}{
		{"401, no token", refusingServer(t, http.StatusUnauthorized, ""), "", noEnv,
			[]string{"(HTTP 401): send a valid bearer token with -token or MCP_TOKEN"}, []string{"refused"}},
		{"401, token refused", refusingServer(t, http.StatusUnauthorized, `Bearer realm="mcp"`), token, noEnv,
			[]string{"(HTTP 401): the server refused the bearer token it was sent (-token or MCP_TOKEN)\n"}, []string{"send a valid"}},
		{"401, token from the environment refused as invalid",
			refusingServer(t, http.StatusUnauthorized, `Bearer error="invalid_token", error_description="The token expired`+"\u202e"+`"`), "", fromEnv,
			[]string{`the server refused the bearer token it was sent (-token or MCP_TOKEN): invalid_token (expired, revoked or malformed), "The token expired\u202e"`},
			[]string{"send a valid", "\u202e"}},
		{"401, the server repeats the token",
			refusingServer(t, http.StatusUnauthorized, `Bearer error="invalid_token", error_description="bad token `+token+`", resource_metadata="https://x.example/prm"`), token, noEnv,
			[]string{`invalid_token (expired, revoked or malformed), "bad token [hidden]"; the server describes its authorization at https://x.example/prm`},
			[]string{token}},
		// An HTTP API's JWT authorizer separates its parameters with
		// spaces, not commas, and sends scope empty.
		{"401 from an http api's jwt authorizer",
			refusingServer(t, http.StatusUnauthorized, localfront.HTTPJWTChallenge("invalid_token", "", localfront.JWTInvalidAudience)), token, noEnv,
			[]string{`refused the bearer token it was sent (-token or MCP_TOKEN): invalid_token (expired, revoked or malformed), "the token does not have a valid audience"` + "\n"},
			[]string{"asks for scope"}},
		{"401, other error", refusingServer(t, http.StatusUnauthorized, `Bearer error="invalid_request"`), token, noEnv,
			[]string{"refused the bearer token it was sent (-token or MCP_TOKEN): invalid_request\n"}, []string{"expired"}},
		{"403, insufficient scope",
			refusingServer(t, http.StatusForbidden, `Bearer error="insufficient_scope", scope="mcp:tools mcp:admin", error_description="admin only"`), token, noEnv,
			[]string{`(HTTP 403): the token lacks a scope this server requires: "admin only"; it asks for scope "mcp:tools mcp:admin"`}, nil},
		// The challenge that says why after another scheme's, in a
		// header value of its own.
		{"403, insufficient scope after another scheme",
			refusingServer(t, http.StatusForbidden, `DPoP algs="ES256"`, `Bearer error="insufficient_scope", scope="mcp:admin"`), token, noEnv,
			[]string{`(HTTP 403): the token lacks a scope this server requires; it asks for scope "mcp:admin"`}, nil},
		{"401 after another scheme",
			refusingServer(t, http.StatusUnauthorized, `DPoP algs="ES256"`, `Bearer error="invalid_token", error_description="expired"`), token, noEnv,
			[]string{`refused the bearer token it was sent (-token or MCP_TOKEN): invalid_token (expired, revoked or malformed), "expired"` + "\n"}, nil},
		{"403, token lacks rights", refusingServer(t, http.StatusForbidden, `Bearer error_description="read-only token"`), token, noEnv,
			[]string{`(HTTP 403): the token lacks the rights this server requires: "read-only token"`}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"-endpoint", tc.endpoint}
			if tc.token != "" {
				args = append(args, "-token", tc.token)
			}
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), args, tc.env, &stdout, &stderr); code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			for _, want := range tc.want {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr %q lacks %q", stderr.String(), want)
				}
			}
			for _, dontWant := range append(tc.dontWant, token) {
				if strings.Contains(stderr.String()+stdout.String(), dontWant) {
					t.Errorf("output %q says %q", stderr.String()+stdout.String(), dontWant)
				}
			}
		})
	}
}

// TestRefusedElsewhereExplained checks that a 401 from another origin,
// where a redirect led, is not taken for the refusal of a token: the
// token goes to the endpoint's origin alone.
func TestRefusedElsewhereExplained(t *testing.T) {
	const token = "tok-SECRET-4d2e9b"
	elsewhere := refusingServer(t, http.StatusUnauthorized, "")
	redirector := httptest.NewServer(http.RedirectHandler(elsewhere, http.StatusTemporaryRedirect))
	t.Cleanup(redirector.Close)
	endpoint := redirector.URL + "/mcp"
	for _, tc := range []struct {
		name, token string
		want        string
		dontWant    []string
	}{
		{"token not sent", token, "(HTTP 401): the endpoint redirected the request to " + strings.TrimSuffix(elsewhere, "/mcp") + ", which the bearer token is not sent to", []string{"refused", "send a valid"}},
		{"no token", "", "(HTTP 401 from " + elsewhere + ", where the endpoint redirects): send a valid bearer token with -token or MCP_TOKEN", []string{"redirected"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tg := target{endpoint: endpoint, token: tc.token, interrupted: t.Context(), reach: standingIn(endpoint, elsewhere)}
			err := talk(t.Context(), tg, io.Discard)
			if err == nil {
				t.Fatal("the run succeeded, want a 401")
			}
			msg := explain(endpoint, err, nil)
			if !strings.Contains(msg, tc.want) {
				t.Errorf("explained %q, want %q in it", msg, tc.want)
			}
			for _, dontWant := range append(tc.dontWant, token) {
				if strings.Contains(msg, dontWant) {
					t.Errorf("explained %q, which says %q", msg, dontWant)
				}
			}
		})
	}
}

// TestChallengeParam checks which challenge of a WWW-Authenticate value a
// parameter is read from: the first that gives it, past one that does not.
func TestChallengeParam(t *testing.T) {
	for _, tc := range []struct{ name, header, want string }{
		{"first challenge", `Bearer error="invalid_token", DPoP error="use_dpop_nonce"`, "invalid_token"},
		{"first challenge without it", `Basic realm="mcp", Bearer error="insufficient_scope"`, "insufficient_scope"},
		{"spaces between parameters", `Bearer scope="" error="invalid_token" error_description="bad"`, "invalid_token"},
		{"spaces, a name in capitals", `Bearer scope="" ERROR="invalid_token" error_description="bad"`, "invalid_token"},
		{"spaces, an escaped quote before", `Bearer error_description="a \"b\" error=\"y\"" error="x"`, "x"},
		{"none gives it", `Bearer realm="mcp"`, ""},
		{"no challenge", ``, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := challengeParam(tc.header, "error"); got != tc.want {
				t.Errorf("challengeParam(%q, error) = %q, want %q", tc.header, got, tc.want)
			}
		})
	}
}
