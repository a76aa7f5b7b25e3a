package main

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

// TestKeptSignInTwoRuns has two runs read one kept token, expired, from
// one cache, and refresh it one after the other at a token endpoint that
// rotates refresh tokens: the first spends the refresh token the second
// holds. The second reads the file before it refreshes, and takes up the
// token the first kept instead of sending the spent one, and signs in
// again only when that one is refused too.
func TestKeptSignInTwoRuns(t *testing.T) {
	expire := func(k *keptToken) { k.Expiry = time.Now().Add(-time.Hour) }
	tests := []struct {
		name    string
		between func(t *testing.T, as *oauthtest.Server, path string) // after the first run's refresh
		grants  []string                                              // the second run's token requests
		same    bool                                                  // the second run has the first's token
		refused bool                                                  // the second run is sent to sign in again
		deleted bool                                                  // the file is deleted: it holds the refused token
	}{
		{name: "the first's token taken up", same: true},
		{name: "the first's token expired, refreshed", between: func(t *testing.T, _ *oauthtest.Server, p string) { writeKept(t, p, expire) },
			grants: []string{"refresh_token"}},
		// A public client's refused token request is sent twice
		// (oauth2.AuthStyleAutoDetect).
		{name: "the first's refused too, signs in again", between: func(t *testing.T, as *oauthtest.Server, p string) { writeKept(t, p, expire); as.RevokeRefresh() },
			grants: []string{"refresh_token", "refresh_token"}, refused: true, deleted: true},
		// Not worth taking up: the spent token is sent, and refused; the
		// file, not the token refused, is left for a run that can use it.
		{name: "the first's expired with no refresh token, left", between: func(t *testing.T, _ *oauthtest.Server, p string) {
			writeKept(t, p, func(k *keptToken) { expire(k); k.RefreshToken = "" })
		}, grants: []string{"refresh_token", "refresh_token"}, refused: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, as, endpoint, b := keepingSignIn(t)
			args := []string{"-login", "-client-id", as.ClientID, "-issuer", as.Issuer, "-redirect-port", "0", "-endpoint", endpoint, "-call", "whoami"}
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), args, func(string) string { return "" }, &stdout, &stderr); code != 0 {
				t.Fatalf("the sign-in: exit %d; stderr %q", code, stderr.String())
			}
			path := keptFile(t, dir)
			writeKept(t, path, expire)

			var notice bytes.Buffer
			flow := func() *oauthFlow {
				t.Helper()
				cache, err := newTokenCache(as.Issuer, as.ClientID, endpoint, &notice)
				if err != nil {
					t.Fatal(err)
				}
				callback := newCallback(1, nil, nil) // not listened on: no sign-in starts here
				f, err := newLoginFlow(t.Context(), as.ClientID, "", endpoint, as.Issuer, false, nil, newSecretSet(endpoint), callback, b.open, &notice, time.Minute, cache)
				if err != nil {
					t.Fatal(err)
				}
				return f
			}
			first, second := flow(), flow() // both read the expired token
			firstToken, err := first.accessToken()
			if err != nil || firstToken == "" {
				t.Fatalf("the first run's refresh: %q, %v", firstToken, err)
			}
			if tc.between != nil {
				tc.between(t, as, path)
			}
			granted := len(as.Grants())
			secondToken, err := second.accessToken()
			if err != nil {
				t.Fatalf("the second run's refresh: %v", err)
			}
			if diff := cmp.Diff(tc.grants, as.Grants()[granted:], cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("the second run's token requests (-want +got):\n%s", diff)
			}
			if second.refused != tc.refused || (secondToken == "") != tc.refused {
				t.Errorf("the second run sent to sign in again: %v, with token %q; want %v; notices %q", second.refused, secondToken, tc.refused, notice.String())
			}
			if same := secondToken == firstToken; same != tc.same {
				t.Errorf("the second run has the first's token: %v, want %v", same, tc.same)
			}
			if _, err := os.Stat(path); os.IsNotExist(err) != tc.deleted {
				t.Errorf("the kept sign-in deleted: %v, want %v", os.IsNotExist(err), tc.deleted)
			}
			if tc.refused {
				return
			}
			if k := readKept(t, path); k.AccessToken != secondToken {
				t.Errorf("kept %q, want the second run's token %q", k.AccessToken, secondToken)
			}
			// A later run uses what is kept, with no token request and no
			// browser.
			granted = len(as.Grants())
			stdout.Reset()
			stderr.Reset()
			if code := run(t.Context(), args, func(string) string { return "" }, &stdout, &stderr); code != 0 {
				t.Fatalf("the run after: exit %d; stderr %q", code, stderr.String())
			}
			if n := len(as.Grants()) - granted; n != 0 {
				t.Errorf("the run after made %d token requests, want none", n)
			}
			if opened, _, _ := b.seen(); len(opened) != 1 {
				t.Errorf("the browser was opened %d times, want once, by the sign-in", len(opened))
			}
		})
	}
}
