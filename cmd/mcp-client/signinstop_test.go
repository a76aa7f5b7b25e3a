package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/auth"
)

// TestSignInFreesCallbackPortOnReturn checks that a sign-in closes its
// callback's listener as it returns, however it ended: the port is free
// for another run's sign-in during the code's exchange and whatever this
// run does after, not only once the whole flow is over.
func TestSignInFreesCallbackPortOnReturn(t *testing.T) {
	const authEndpoint = "https://as.example.com/oauth2/authorize"
	for _, tc := range []struct {
		name  string
		query string // the browser's callback; "": none comes, the run ends
	}{
		{"the code came", "code=code-5e1f"},
		{"refused", "error=access_denied"},
		{"no callback", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			callback := newCallback(0, nil, nil)
			defer callback.close()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			s := &signIn{
				callback: callback,
				pin:      &pinnedIssuer{authEndpoints: map[string]bool{authEndpoint: true}},
				notice:   io.Discard,
				open: func(u string) error {
					if tc.query == "" {
						cancel()
						return nil
					}
					parsed, _ := url.Parse(u)
					resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(callback.bound) + "/callback?state=" + parsed.Query().Get("state") + "&" + tc.query)
					if err != nil {
						return err
					}
					defer resp.Body.Close()
					_, err = io.ReadAll(resp.Body)
					return err
				},
			}
			s.fetch(ctx, &auth.AuthorizationArgs{URL: authEndpoint + "?state=st-9c2d"})
			if callback.bound == 0 {
				t.Fatal("the sign-in listened nowhere for its callback")
			}
			ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(callback.bound)))
			if err != nil {
				t.Fatalf("the callback's port is still held after the sign-in returned: %v", err)
			}
			ln.Close()
		})
	}
}

// TestSignInCodeHidden checks that the authorization code a sign-in got
// is hidden from then on, as a token is: a token endpoint that refuses it
// may quote it in its error_description, which the client repeats.
func TestSignInCodeHidden(t *testing.T) {
	const authEndpoint = "https://as.example.com/oauth2/authorize"
	for _, code := range []string{"code-5e1f", "c0/de+5e1f"} {
		t.Run(code, func(t *testing.T) {
			callback := newCallback(0, nil, nil)
			defer callback.close()
			secrets := newSecretSet("https://mcp.example.com/mcp")
			s := &signIn{
				callback: callback,
				pin:      &pinnedIssuer{authEndpoints: map[string]bool{authEndpoint: true}},
				notice:   io.Discard,
				secrets:  secrets,
				open: func(u string) error {
					parsed, _ := url.Parse(u)
					q := url.Values{"state": {parsed.Query().Get("state")}, "code": {code}}
					resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(callback.bound) + "/callback?" + q.Encode())
					if err != nil {
						return err
					}
					defer resp.Body.Close()
					_, err = io.ReadAll(resp.Body)
					return err
				},
			}
			res, err := s.fetch(t.Context(), &auth.AuthorizationArgs{URL: authEndpoint + "?state=st-9c2d"})
			if err != nil || res.Code != code {
				t.Fatalf("the sign-in got %+v (%v), want the code %q", res, err, code)
			}
			echoed := "invalid_grant: the code " + code + " (" + url.QueryEscape(code) + ") has expired"
			if diff := cmp.Diff("invalid_grant: the code [hidden] ([hidden]) has expired", secrets.clip(echoed)); diff != "" {
				t.Errorf("the echoed code (-want +got):\n%s", diff)
			}
		})
	}
}
