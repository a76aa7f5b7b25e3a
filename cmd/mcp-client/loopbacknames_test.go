package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// TestLoopbackNamesStandForEachOther checks that localhost, 127.0.0.0/8
// and ::1 are one host at the scheme and port the user named one of
// them at, and at no other scheme or port, nor for a host the user did
// not name at loopback. Every name resolves to 127.0.0.1 here, so that
// a name taken for localhost would be let through.
func TestLoopbackNamesStandForEachOther(t *testing.T) {
	lookup := lookupNetIP
	t.Cleanup(func() { lookupNetIP = lookup })
	lookupNetIP = func(context.Context, string, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	for _, tc := range []struct {
		named, to string
		refused   string // in the error; "": allowed
	}{
		{named: "http://localhost:8080/mcp", to: "http://127.0.0.1:8080/mcp/"},
		{named: "http://localhost:8080/mcp", to: "http://[::1]:8080/mcp"},
		{named: "http://localhost:8080/mcp", to: "http://127.0.0.2:8080/mcp"},
		{named: "http://LocalHost.:8080/mcp", to: "http://127.1:8080/mcp"},
		{named: "http://127.0.0.1:8080/mcp", to: "http://localhost:8080/mcp"},
		{named: "http://127.0.0.1:8080/mcp", to: "http://LOCALHOST.:8080/mcp"},
		{named: "http://127.0.0.1:8080/mcp", to: "http://[::1]:8080/mcp"},
		{named: "http://[::1]:8080/mcp", to: "http://localhost:8080/mcp"},
		{named: "http://[::1]:8080/mcp", to: "http://127.0.0.1:8080/mcp"},
		{named: "https://localhost/mcp", to: "https://127.0.0.1:443/mcp"},
		{named: "https://mcp.example.com/mcp http://localhost:9000", to: "http://127.0.0.1:9000/.well-known/oauth-authorization-server"},

		{named: "http://localhost:8080/mcp", to: "http://127.0.0.1:8081/mcp", refused: "127.0.0.1 is a loopback address"},
		{named: "http://localhost:8080/mcp", to: "https://127.0.0.1:8080/mcp", refused: "127.0.0.1 is a loopback address"},
		{named: "https://localhost:8080/mcp", to: "http://[::1]:8080/mcp", refused: "::1 is a loopback address"},
		{named: "http://localhost/mcp", to: "http://127.0.0.1:443/mcp", refused: "127.0.0.1 is a loopback address"},
		{named: "http://127.0.0.1:8080/mcp", to: "http://10.0.0.1:8080/mcp", refused: "10.0.0.1 is a private address"},
		{named: "http://localhost:8080/mcp", to: "http://169.254.169.254:8080/latest/meta-data/", refused: "169.254.169.254 is a link-local address"},
		{named: "http://localhost:8080/mcp", to: "http://localhost.evil.com:8080/mcp", refused: "localhost.evil.com (127.0.0.1) is a loopback address"},
		{named: "http://localhost:8080/mcp", to: "http://evil-localhost:8080/mcp", refused: "evil-localhost (127.0.0.1) is a loopback address"},
		{named: "http://localhost:8080/mcp", to: "http://admin.localhost:8080/mcp", refused: "admin.localhost is a loopback address"},
		{named: "http://localhost:8080/mcp", to: "http://[::127.0.0.1]:8080/mcp", refused: "::127.0.0.1 (::7f00:1) is a loopback address"},
		{named: "http://admin.localhost:8080/mcp", to: "http://127.0.0.1:8080/mcp", refused: "127.0.0.1 is a loopback address"},
		{named: "http://10.0.0.1:8080/mcp", to: "http://127.0.0.1:8080/mcp", refused: "127.0.0.1 is a loopback address"},
		{named: "https://mcp.example.com:8080/mcp", to: "https://localhost:8080/mcp", refused: "localhost is a loopback address"},
	} {
		t.Run(tc.named+" to "+tc.to, func(t *testing.T) {
			g := newReachGuard(nil, strings.Fields(tc.named)...)
			u, err := url.Parse(tc.to)
			if err != nil {
				t.Fatal(err)
			}
			err = g.checkResolved(t.Context(), u)
			if tc.refused == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var np *notPublicError
			if !errors.As(err, &np) || !strings.Contains(err.Error(), tc.refused) {
				t.Fatalf("error %v, want a refusal with %q", err, tc.refused)
			}
		})
	}
}

// TestMCPRedirectBetweenLoopbackNames checks that a local server's
// redirect from the loopback name the user gave to another, at the same
// port, is followed to the end, through the dial check; one to another
// port of loopback is still refused.
func TestMCPRedirectBetweenLoopbackNames(t *testing.T) {
	victim, hits := startVictim(t)
	for _, tc := range []struct {
		name     string
		endpoint func(self string) string // as the user gives it
		to       func(self string) string // where its answer redirects
		want     string                   // in the explanation; "" followed
	}{
		{"localhost to 127.0.0.1",
			func(self string) string { return strings.Replace(self, "127.0.0.1", "localhost", 1) + "/old" },
			func(self string) string { return self + "/mcp" }, ""},
		{"127.0.0.1 to localhost",
			func(self string) string { return self + "/old" },
			func(self string) string { return strings.Replace(self, "127.0.0.1", "localhost", 1) + "/mcp" }, ""},
		{"localhost to another port of 127.0.0.1",
			func(self string) string { return strings.Replace(self, "127.0.0.1", "localhost", 1) + "/old" },
			func(string) string { return victim.URL + "/mcp" }, "127.0.0.1 is a loopback address"},
		{"127.0.0.1 to another port of localhost",
			func(self string) string { return self + "/old" },
			func(string) string { return strings.Replace(victim.URL, "127.0.0.1", "localhost", 1) + "/mcp" }, "localhost is a loopback address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var self string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				redirectingTo(tc.to(self)).ServeHTTP(w, r)
			}))
			defer srv.Close()
			self = srv.URL
			endpoint := tc.endpoint(self)
			client, err := newMCPClient(target{endpoint: endpoint})
			if err != nil {
				t.Fatal(err)
			}
			before := hits.Load()
			var addrs []string
			resp, err := client.Do(mcpPost(t, endpoint, &addrs))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("a redirect to %s: %v", tc.to(self), err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("status %d, want 200", resp.StatusCode)
				}
				return
			}
			if err == nil {
				resp.Body.Close()
			}
			if msg, want := explain(endpoint, err, nil), "which was not followed: "+tc.want; !strings.Contains(msg, want) {
				t.Errorf("explained %q, want %q in it", msg, want)
			}
			if n := hits.Load() - before; n != 0 {
				t.Errorf("the local service got %d requests, want none", n)
			}
			for _, a := range addrs {
				if _, p, _ := net.SplitHostPort(a); strings.HasSuffix(victim.URL, ":"+p) {
					t.Errorf("connected to %s, the other port", a)
				}
			}
		})
	}
}

// TestTokenFollowsLoopbackNames checks that the bearer token goes with a
// redirect between loopback names the guard follows (localhost and
// 127.0.0.1 at the endpoint's scheme and port: the same listener), and
// not to another port of either.
func TestTokenFollowsLoopbackNames(t *testing.T) {
	const token = "loopback-token-1234"
	for _, tc := range []struct {
		name      string
		named, to func(self string) string
		wantToken bool
	}{
		{"localhost to 127.0.0.1",
			func(self string) string { return strings.Replace(self, "127.0.0.1", "localhost", 1) },
			func(self string) string { return self }, true},
		{"127.0.0.1 to localhost",
			func(self string) string { return self },
			func(self string) string { return strings.Replace(self, "127.0.0.1", "localhost", 1) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var self string
			var got atomic.Value
			got.Store("")
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/mcp" {
					got.Store(r.Header.Get("Authorization"))
				}
				redirectingTo(tc.to(self)+"/mcp").ServeHTTP(w, r)
			}))
			defer srv.Close()
			self = srv.URL
			endpoint := tc.named(self) + "/old"
			client, err := newMCPClient(target{endpoint: endpoint, token: token})
			if err != nil {
				t.Fatal(err)
			}
			var addrs []string
			resp, err := client.Do(mcpPost(t, endpoint, &addrs))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if sent := got.Load().(string) == "Bearer "+token; sent != tc.wantToken {
				t.Errorf("token sent to %s: %v, want %v", tc.to(self), sent, tc.wantToken)
			}
		})
	}
	// Another port of a loopback name: the guard refuses the redirect, so
	// the token cannot go; tokenOrigin says no by itself too.
	a, _ := url.Parse("http://localhost:8080/mcp")
	for _, s := range []string{"http://127.0.0.1:8081/mcp", "https://127.0.0.1:8080/mcp", "http://10.0.0.1:8080/mcp", "http://localhost.evil.example:8080/mcp"} {
		b, _ := url.Parse(s)
		if tokenOrigin(b, a) {
			t.Errorf("tokenOrigin(%s, %s) = true, want false", b, a)
		}
	}
}
