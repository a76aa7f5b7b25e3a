package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/oauthex"
	"golang.org/x/oauth2"
)

// challengeHandler is an OAuth handler that keeps the challenges each
// flow it runs is handed.
type challengeHandler struct{ handed [][]string }

func (h *challengeHandler) Authorize(_ context.Context, _ *http.Request, resp *http.Response) error {
	h.handed = append(h.handed, resp.Header.Values("WWW-Authenticate"))
	return nil
}

func (h *challengeHandler) TokenSource(context.Context) (oauth2.TokenSource, error) {
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "token-1"}), nil
}

// TestStepUpHanded checks that a 403 asking for a scope
// (insufficient_scope) runs a flow, and hands the go-sdk's handler a
// challenge it steps up for (the error of its first Bearer challenge
// that has one), however the server writes it: after a challenge of
// another scheme, or with its parameters separated by spaces, as an HTTP
// API's JWT authorizer writes them, which the go-sdk's parser refuses.
func TestStepUpHanded(t *testing.T) {
	for _, tc := range []struct {
		name       string
		challenges []string
	}{
		{name: "as RFC 9110 has it", challenges: []string{`Bearer error="insufficient_scope", scope="mcp:more"`}},
		{name: "after another scheme's challenge", challenges: []string{`DPoP algs="ES256"`, `Bearer error="insufficient_scope", scope="mcp:more"`}},
		{name: "in one header after another scheme's", challenges: []string{`DPoP algs="ES256", Bearer error="insufficient_scope", scope="mcp:more"`}},
		{name: "parameters separated by spaces", challenges: []string{`Bearer scope="mcp:more" error="insufficient_scope" error_description="expected scopes: [mcp:more]"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &challengeHandler{}
			f := &oauthFlow{clientID: "client-7f3a", issuer: "https://as.example", login: true, handler: h, log: &exchangeLog{}, notice: io.Discard}
			resp := &http.Response{StatusCode: http.StatusForbidden, Header: http.Header{"Www-Authenticate": tc.challenges}, Body: io.NopCloser(strings.NewReader(""))}
			req, _ := http.NewRequest(http.MethodPost, "https://mcp.example/mcp", nil)
			if err := f.Authorize(t.Context(), req, resp); err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			if len(h.handed) != 1 {
				t.Fatalf("%d flows run, want 1", len(h.handed))
			}
			cs, err := oauthex.ParseWWWAuthenticate(h.handed[0])
			if err != nil {
				t.Fatalf("the go-sdk refuses the challenges handed, %q: %v", h.handed[0], err)
			}
			got := ""
			for _, c := range cs {
				if c.Scheme == "bearer" && c.Params["error"] != "" {
					got = c.Params["error"]
					break
				}
			}
			if got != "insufficient_scope" {
				t.Errorf("the handler was handed %q, whose error the go-sdk reads as %q; want insufficient_scope", h.handed[0], got)
			}
		})
	}
}
