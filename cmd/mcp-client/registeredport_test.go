package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

// TestRegisteredRedirectPort signs in a second time as the client a
// first -login registered under -redirect-port 0, its token no longer of
// use: the sign-in comes back to the port of the redirect URI the client
// was registered with, which an authorization server that takes that
// redirect URI alone (to the port) accepts, unless -redirect-port chose
// another port or another program holds it, which the run says when it
// signs in, not when it uses the kept token.
func TestRegisteredRedirectPort(t *testing.T) {
	tests := []struct {
		name  string
		exact bool   // the authorization server takes the registered redirect URI alone
		port  string // the second run's -redirect-port; "": none given
		hold  bool   // another program holds the registered port
		// want is where the sign-in comes back to: "registered", "chosen"
		// or "other"; wantErr a line of its standard error, REGISTERED
		// the registered redirect URI, PORT its port, BACK where it came.
		want, wantErr string
	}{
		{name: "free port asked again", exact: true, port: "0", want: "registered"},
		{name: "no port given", exact: true, want: "registered"},
		{name: "registered port held", port: "0", hold: true, want: "other",
			wantErr: "mcp-client: cannot take the sign-in's callback on loopback port PORT, that of the redirect URI the client was registered with on an earlier sign-in (listen tcp 127.0.0.1:PORT: bind: address already in use): it comes back to BACK instead, which an authorization server that takes the registered redirect URI alone refuses; free the port and sign in again, or -logout, then -login to register a client anew\n"},
		{name: "port chosen", port: "CHOSEN", want: "chosen",
			wantErr: "mcp-client: the client registered on an earlier sign-in was registered with the redirect URI REGISTERED; the sign-in comes back to port CHOSEN (-redirect-port), which an authorization server that takes the registered redirect URI alone refuses\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := withCacheDir(t)
			as := startAS(t, oauthtest.Options{Public: true, Scopes: []string{testScope}, Registration: true, ExactRedirect: tc.exact})
			endpoint := startJWTReference(t, as, nil)
			b := newBrowser()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			withOpener(t, func(u string) error {
				err := b.open(u)
				if _, pages, _ := b.seen(); err != nil || !strings.Contains(pages[len(pages)-1], "the sign-in came back") {
					cancel() // the authorization server refused the redirect URI: no callback comes
				}
				return err
			})
			args := []string{"-login", "-endpoint", endpoint, "-call", "whoami"}
			var stdout, stderr bytes.Buffer
			code := run(ctx, append(args, "-redirect-port", "0"), func(string) string { return "" }, &stdout, &stderr)
			checkRunOutput(t, code, 0, stdout.String(), stderr.String(), nil, nil)
			registered := as.Registrations()[0].RedirectURIs[0]
			path := keptFile(t, dir)
			if k := readKept(t, path); k.RedirectURI != registered {
				t.Fatalf("kept redirect URI %q, want the registered %q", k.RedirectURI, registered)
			}
			u, _ := url.Parse(registered)
			port := u.Port()
			if tc.hold {
				held, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
				if err != nil {
					t.Fatal(err)
				}
				defer held.Close()
			}
			chosen := strconv.Itoa(freePort(t))
			if tc.port != "" {
				args = append(args, "-redirect-port", strings.ReplaceAll(tc.port, "CHOSEN", chosen))
			}
			// The kept token: no sign-in, and nothing said of its port.
			stdout.Reset()
			stderr.Reset()
			code = run(ctx, args, func(string) string { return "" }, &stdout, &stderr)
			checkRunOutput(t, code, 0, stdout.String(), stderr.String(), nil, nil)
			if opened, _, _ := b.seen(); len(opened) != 1 || strings.Contains(stderr.String(), "registered with") {
				t.Errorf("a run with the token kept: the browser was opened %d times, stderr %q; want neither a sign-in nor a line on its port", len(opened), stderr.String())
			}

			writeKept(t, path, func(k *keptToken) { k.Expiry = time.Now().Add(-time.Hour); k.RefreshToken = "" })

			stdout.Reset()
			stderr.Reset()
			code = run(ctx, args, func(string) string { return "" }, &stdout, &stderr)
			checkRunOutput(t, code, 0, stdout.String(), stderr.String(), nil, nil)
			opened, _, _ := b.seen()
			signIn, err := url.Parse(opened[len(opened)-1])
			if err != nil {
				t.Fatal(err)
			}
			back := signIn.Query().Get("redirect_uri")
			switch tc.want {
			case "registered":
				if back != registered {
					t.Errorf("the sign-in came back to %s, want the registered %s", back, registered)
				}
			case "chosen":
				if want := fmt.Sprintf("http://localhost:%s/callback", chosen); back != want {
					t.Errorf("the sign-in came back to %s, want %s (-redirect-port)", back, want)
				}
			case "other":
				if back == registered {
					t.Errorf("the sign-in came back to the registered %s, which another program holds", back)
				}
			}
			want := strings.NewReplacer("REGISTERED", registered, "PORT", port, "BACK", back, "CHOSEN", chosen).Replace(tc.wantErr)
			if got := strings.Contains(stderr.String(), "registered with"); want == "" && got || !strings.Contains(stderr.String(), want) {
				t.Errorf("stderr %q; want the line %q", stderr.String(), want)
			}
			if k := readKept(t, path); k.RedirectURI != registered {
				t.Errorf("kept redirect URI %q after the second sign-in, want the registered %q", k.RedirectURI, registered)
			}
			if regs := as.Registrations(); len(regs) != 1 {
				t.Errorf("%d registrations, want the first run's alone", len(regs))
			}
		})
	}
}
