package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"golang.org/x/oauth2"
)

// countingHandler is an OAuth handler whose every flow ends with err
// (nil: succeeds), and counts them.
type countingHandler struct {
	flows int
	err   error
}

func (h *countingHandler) Authorize(context.Context, *http.Request, *http.Response) error {
	h.flows++
	return h.err
}

func (h *countingHandler) TokenSource(context.Context) (oauth2.TokenSource, error) {
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: fmt.Sprintf("token-%d", h.flows)}), nil
}

var _ auth.OAuthHandler = (*countingHandler)(nil)

// TestFlowsBounded checks that a server answering each request with
// another scope to ask for gets maxFlows flows, not one per request: a
// person's each opens the browser.
func TestFlowsBounded(t *testing.T) {
	for _, tc := range []struct {
		name     string
		status   int
		asks     int // refusals, each for another scope
		wantRuns int
	}{
		{"step ups within the bound", http.StatusForbidden, maxFlows, maxFlows},
		{"a new scope at each request", http.StatusForbidden, 50, maxFlows},
		{"a 401 with a new scope at each request", http.StatusUnauthorized, 50, maxFlows},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &countingHandler{}
			f := &oauthFlow{clientID: "client-7f3a", issuer: "https://as.example", login: true, handler: h, log: &exchangeLog{}, notice: io.Discard}
			var last error
			for i := range tc.asks {
				resp := &http.Response{StatusCode: tc.status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(""))}
				resp.Header.Set("WWW-Authenticate", fmt.Sprintf(`Bearer error="insufficient_scope", scope="mcp:s%d"`, i))
				req, _ := http.NewRequest(http.MethodPost, "https://mcp.example/mcp", nil)
				last = f.Authorize(t.Context(), req, resp)
			}
			if h.flows != tc.wantRuns {
				t.Errorf("%d flows run, want %d", h.flows, tc.wantRuns)
			}
			var tf *tooManyFlows
			if got, want := errors.As(last, &tf), tc.asks > maxFlows; got != want {
				t.Fatalf("the last refusal's answer %v: too many flows %v, want %v", last, got, want)
			}
			if tf != nil {
				msg := explainFlow("https://mcp.example/mcp", last.(*flowError), nil)
				if want := fmt.Sprintf(`yet another scope, "mcp:s%d", after %d flows`, tc.asks-1, maxFlows); !strings.Contains(msg, want) {
					t.Errorf("explained %q, want %q in it", msg, want)
				}
			}
		})
	}
}

// TestFailedSignInNotAskedAgain checks that a person's sign-in that
// failed is not asked of the person again in the run, whatever scope the
// server asks for next: the go-sdk tries a refused connect again. A
// machine's flow asks again for another scope: no browser opens.
func TestFailedSignInNotAskedAgain(t *testing.T) {
	denied := errors.New("the sign-in was refused: access_denied")
	for _, tc := range []struct {
		name     string
		login    bool
		wantRuns int
	}{
		{"a person's sign-in", true, 1},
		{"the client credentials grant", false, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &countingHandler{err: denied}
			f := &oauthFlow{clientID: "client-7f3a", issuer: "https://as.example", login: tc.login, handler: h, log: &exchangeLog{}, notice: io.Discard}
			for i := range 3 {
				resp := &http.Response{StatusCode: http.StatusUnauthorized, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(""))}
				resp.Header.Set("WWW-Authenticate", fmt.Sprintf(`Bearer scope="mcp:s%d"`, i))
				req, _ := http.NewRequest(http.MethodPost, "https://mcp.example/mcp", nil)
				if err := f.Authorize(t.Context(), req, resp); !errors.Is(err, denied) {
					t.Fatalf("refusal %d: %v, want the sign-in's failure", i, err)
				}
			}
			if h.flows != tc.wantRuns {
				t.Errorf("%d flows run, want %d", h.flows, tc.wantRuns)
			}
		})
	}
}
