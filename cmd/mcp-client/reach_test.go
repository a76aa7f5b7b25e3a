package main

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

// startVictim runs a service of this machine that no server connected to
// may send the client to, and counts the requests it gets.
func startVictim(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		writeJSON(w, http.StatusOK, map[string]any{"admin": true})
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// TestDiscoveryKeptOffLocalServices checks that a server's 401 cannot send
// the flow's discovery to a service on this machine that is neither the
// server nor the issuer, directly or by a redirect, and that the run says
// which URL it did not ask and why.
func TestDiscoveryKeptOffLocalServices(t *testing.T) {
	tests := []struct {
		name string
		// route answers the hostile server's requests but its POST's 401:
		// victim is the local service, self the server's own URL.
		route     func(w http.ResponseWriter, r *http.Request, victim, self string)
		challenge func(victim, self string) string
		wantErr   func(victim, self string) string
	}{
		{name: "resource_metadata names it",
			challenge: func(victim, _ string) string { return `Bearer resource_metadata="` + victim + `/admin"` },
			wantErr: func(victim, _ string) string {
				return "a discovery request to " + victim + "/admin was not sent: 127.0.0.1 is a loopback address, neither the MCP server's host nor the issuer's"
			}},
		{name: "localhost by name",
			challenge: func(victim, _ string) string {
				return `Bearer resource_metadata="` + strings.Replace(victim, "127.0.0.1", "localhost", 1) + `/admin"`
			},
			wantErr: func(victim, _ string) string {
				return "was not sent: localhost is a loopback address"
			}},
		{name: "resource_metadata redirects to it",
			challenge: func(_, self string) string { return `Bearer resource_metadata="` + self + `/prm"` },
			route: func(w http.ResponseWriter, r *http.Request, victim, _ string) {
				http.Redirect(w, r, victim+"/admin", http.StatusFound)
			},
			wantErr: func(victim, self string) string {
				return self + "/prm redirects to " + victim + "/admin, which was not asked for: 127.0.0.1 is a loopback address"
			}},
		{name: "the metadata names it as the authorization server",
			challenge: func(_, self string) string { return `Bearer resource_metadata="` + self + `/prm"` },
			route: func(w http.ResponseWriter, r *http.Request, victim, self string) {
				writeJSON(w, http.StatusOK, map[string]any{"resource": self + "/mcp", "authorization_servers": []string{victim}})
			},
			wantErr: func(victim, _ string) string {
				return "the server names the authorization server " + victim + ", not the issuer the client was given"
			}},
		{name: "the authorization server's metadata redirects to it",
			challenge: func(_, self string) string { return `Bearer resource_metadata="` + self + `/prm"` },
			route: func(w http.ResponseWriter, r *http.Request, victim, self string) {
				if r.URL.Path == "/prm" {
					writeJSON(w, http.StatusOK, map[string]any{"resource": self + "/mcp", "authorization_servers": []string{self}})
					return
				}
				http.Redirect(w, r, victim+r.URL.Path, http.StatusFound)
			},
			wantErr: func(victim, self string) string {
				return self + "/.well-known/oauth-authorization-server redirects to " + victim + "/.well-known/oauth-authorization-server, which was not asked for: 127.0.0.1 is a loopback address"
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			victim, hits := startVictim(t)
			as := startAS(t, oauthtest.Options{Pool: "eu-west-1_Test", AuthMethods: []string{"client_secret_post"}, Scopes: []string{testScope}})
			var self string
			hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					w.Header().Set("WWW-Authenticate", tc.challenge(victim.URL, self))
					http.Error(w, `{"message":"Unauthorized"}`, http.StatusUnauthorized)
					return
				}
				if tc.route != nil && (r.URL.Path == "/prm" || strings.HasPrefix(r.URL.Path, "/.well-known/oauth-authorization-server")) {
					tc.route(w, r, victim.URL, self)
					return
				}
				http.NotFound(w, r)
			}))
			defer hostile.Close()
			self = hostile.URL
			env := map[string]string{"MCP_CLIENT_SECRET": as.Secret}
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-endpoint", self + "/mcp", "-client-id", as.ClientID, "-issuer", as.Issuer}, func(k string) string { return env[k] }, &stdout, &stderr)
			checkRunOutput(t, code, 1, stdout.String(), stderr.String(), nil, []string{tc.wantErr(victim.URL, self)})
			if n := hits.Load(); n != 0 {
				t.Errorf("the local service got %d requests, want none", n)
			}
			if lines := strings.Count(stderr.String(), "\n"); lines != 1 {
				t.Errorf("stderr has %d lines, want 1: %q", lines, stderr.String())
			}
		})
	}
}

// connects records the addresses a request connects to.
func connects(r *http.Request, addrs *[]string) *http.Request {
	return r.WithContext(httptrace.WithClientTrace(r.Context(), &httptrace.ClientTrace{
		ConnectStart: func(_, addr string) { *addrs = append(*addrs, addr) },
	}))
}

// TestRedirectToPrivateLiteral checks that a discovery redirect to an
// address that is not public, written as such, is refused before any
// connection to it; one to the server's own host and port is followed.
func TestRedirectToPrivateLiteral(t *testing.T) {
	for _, tc := range []struct {
		to   string
		want string // in the error; "" followed
	}{
		{to: "http://10.0.0.1/", want: "10.0.0.1 is a private address"},
		{to: "https://10.0.0.1/", want: "10.0.0.1 is a private address"},
		{to: "http://169.254.169.254/latest/meta-data/", want: "169.254.169.254 is a link-local address"},
		{to: "http://[::1]:8080/admin", want: "::1 is a loopback address"},
		{to: "http://[fd00::1]/", want: "fd00::1 is a private address"},
		{to: "http://100.64.0.1/", want: "100.64.0.1 is a shared address"},
		{to: "http://0.0.0.0:8080/", want: "0.0.0.0 is an unspecified address"},
		{to: "http://[::ffff:192.168.0.1]/", want: "::ffff:192.168.0.1 is a private address"},
		{to: "http://[64:ff9b::a9fe:a9fe]/", want: "64:ff9b::a9fe:a9fe is a link-local address"},
		{to: "http://224.0.0.1/", want: "224.0.0.1 is a multicast address"},
		{to: "http://255.255.255.255/", want: "255.255.255.255 is a broadcast address"},
		{to: "http://[::127.0.0.1]/", want: "::127.0.0.1 (::7f00:1) is a loopback address"},
		{to: "http://[64:ff9b:1::a00:1]/", want: "64:ff9b:1::a00:1 is a private address"},
		{to: "http://[2002:a9fe:a9fe::]/", want: "2002:a9fe:a9fe:: is a link-local address"},
		{to: "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", want: "2001:0:4136:e378:8000:63bf:80ff:fffe is a loopback address"},
		{to: "/own", want: ""},
	} {
		t.Run(tc.to, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/own" {
					writeJSON(w, http.StatusOK, map[string]any{})
					return
				}
				http.Redirect(w, r, tc.to, http.StatusFound)
			}))
			defer srv.Close()
			client, log, _ := flowClient(srv.URL+"/mcp", testIssuer, false, nil, nil)
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/.well-known/oauth-protected-resource", nil)
			var addrs []string
			resp, err := client.Do(connects(req, &addrs))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("a redirect to the server's own URL: %v", err)
				}
				resp.Body.Close()
				return
			}
			var np *notPublicError
			if !errors.As(err, &np) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want a refusal with %q", err, tc.want)
			}
			if want := strings.TrimPrefix(srv.URL, "http://"); len(addrs) != 1 || addrs[0] != want {
				t.Errorf("connected to %q, want %q alone", addrs, want)
			}
			if xs := log.list(); len(xs) != 2 || xs[1].from == "" {
				t.Errorf("exchanges %+v, want the redirect logged with the URL it came from", xs)
			}
		})
	}
}

// TestDialCheckedAfterResolving checks that the address a name resolves
// to is checked as it is dialed: localhost, were it not refused by name,
// reaches a local service only at a host the user named.
func TestDialCheckedAfterResolving(t *testing.T) {
	victim, hits := startVictim(t)
	at := strings.Replace(victim.URL, "127.0.0.1", "localhost", 1)
	for _, tc := range []struct {
		name    string
		named   string
		refused bool
	}{
		{"not named", "https://mcp.example.com/mcp", true},
		{"the server's", at + "/mcp", false},
		{"same host, another port", "http://localhost:1/mcp", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := hits.Load()
			tr := guardedTransport(newReachGuard(newPinnedIssuer(testIssuer), tc.named, testIssuer))
			defer tr.CloseIdleConnections()
			req, _ := http.NewRequest(http.MethodGet, at+"/admin", nil)
			resp, err := tr.RoundTrip(req)
			if err == nil {
				resp.Body.Close()
			}
			var np *notPublicError
			if refused := errors.As(err, &np); refused != tc.refused {
				t.Fatalf("error %v: refused %v, want %v", err, refused, tc.refused)
			}
			if got, want := hits.Load()-before, map[bool]int64{true: 0, false: 1}[tc.refused]; got != want {
				t.Errorf("the service got %d requests, want %d", got, want)
			}
		})
	}
}

// TestDiscoveryNotDowngraded checks that a discovery redirect from https
// to plain http is not followed, but to a loopback host the user named.
func TestDiscoveryNotDowngraded(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{})
	}))
	defer plain.Close()
	for _, tc := range []struct {
		name, to string
		refused  bool
	}{
		{"to another host", "http://mcp.example.com/.well-known/oauth-protected-resource", true},
		{"to loopback, the server's", plain.URL + "/.well-known/oauth-protected-resource", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewTLSServer(http.RedirectHandler(tc.to, http.StatusFound))
			defer srv.Close()
			client, log, _ := flowClient(plain.URL+"/mcp", srv.URL, false, nil, nil)
			ft := client.Transport.(*flowTransport)
			tr := guardedTransport(ft.guard)
			tr.TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig
			ft.base = tr
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/.well-known/oauth-protected-resource", nil)
			var addrs []string
			resp, err := client.Do(connects(req, &addrs))
			if err == nil {
				resp.Body.Close()
			}
			if refused := errors.Is(err, errDowngrade); refused != tc.refused {
				t.Fatalf("error %v: refused %v, want %v", err, refused, tc.refused)
			}
			if !tc.refused {
				return
			}
			if len(addrs) != 1 {
				t.Errorf("connected to %q, want the https server alone", addrs)
			}
			msg := explainFlow("https://mcp.example.com/mcp", &flowError{clientID: "c", issuer: srv.URL, exchanges: log.list(), err: err}, nil)
			if want := "redirected from https to plain http, " + tc.to + ", which anyone on the way could read or change"; !strings.Contains(msg, want) {
				t.Errorf("explained %q, want %q in it", msg, want)
			}
		})
	}
}

// TestAddressClass checks the class of addresses that carry an IPv4
// address a translator or tunnel sends on to: that address's, whether
// it is not public or public.
func TestAddressClass(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want string // "": public
	}{
		{"::10.0.0.1", "a private"},
		{"::8.8.8.8", ""},
		{"::ffff:0:7f00:1", "a loopback"},
		{"::ffff:0:808:808", ""},
		{"64:ff9b::a9fe:a9fe", "a link-local"},
		{"64:ff9b::808:808", ""},
		{"64:ff9b:1::7f00:1", "a loopback"},
		{"64:ff9b:1::808:808", ""},
		{"2002:c0a8:101::1", "a private"},
		{"2002:808:808::1", ""},
		// Teredo: server 65.54.227.120, client 127.0.0.1 (stored inverted).
		{"2001:0:4136:e378:8000:63bf:80ff:fffe", "a loopback"},
		// Teredo: server 10.0.0.1, client 8.8.8.8.
		{"2001:0:a00:1:8000:63bf:f7f7:f7f7", "a private"},
		// Teredo: server 65.54.227.120, client 8.8.8.8.
		{"2001:0:4136:e378:8000:63bf:f7f7:f7f7", ""},
		{"255.255.255.255", "a broadcast"},
		{"2001:db8::1", ""},
		{"2606:4700::1111", ""},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			if got := addressClass(netip.MustParseAddr(tc.addr)); got != tc.want {
				t.Errorf("addressClass(%s) = %q, want %q", tc.addr, got, tc.want)
			}
		})
	}
}

// TestNamedHostRespelled checks that the host and port the user named
// stay trusted however a redirect spells them: each spelling is a dial
// to the same place.
func TestNamedHostRespelled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/own" {
			writeJSON(w, http.StatusOK, map[string]any{})
			return
		}
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	}))
	defer srv.Close()
	_, p, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	for _, tc := range []struct {
		name, to string
		want     string // in the error; "" followed
	}{
		{"IPv4-mapped", "http://[::ffff:127.0.0.1]:" + p + "/own", ""},
		{"port with a leading zero", "http://127.0.0.1:0" + p + "/own", ""},
		{"another port", "http://127.0.0.1:1/own", "127.0.0.1 is a loopback address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client, _, _ := flowClient(srv.URL+"/mcp", testIssuer, false, nil, nil)
			resp, err := client.Get(srv.URL + "/.well-known/oauth-protected-resource?to=" + url.QueryEscape(tc.to))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("a redirect to %s: %v", tc.to, err)
				}
				resp.Body.Close()
				return
			}
			var np *notPublicError
			if !errors.As(err, &np) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want a refusal with %q", err, tc.want)
			}
		})
	}
}

var hostPortCases = []struct{ host, port, want string }{
	{"127.0.0.1", "8080", "127.0.0.1:8080"},
	{"127.1", "8080", "127.0.0.1:8080"},
	{"0x7F.0.0.1", "8080", "127.0.0.1:8080"},
	{"[::FFFF:127.0.0.1]", "8080", "127.0.0.1:8080"},
	{"0:0::1", "443", "[::1]:443"},
	{"LocalHost.", "08080", "localhost:8080"},
	{"mcp.example.com", "443", "mcp.example.com:443"},
	{"LocalHost..", "80", "localhost..:80"},
	{"127.1..", "80", "127.1..:80"},
	{"::0.", "80", "[::0.]:80"},
}

func TestHostPortCanonical(t *testing.T) {
	for _, tc := range hostPortCases {
		if got := hostPort(tc.host, tc.port); got != tc.want {
			t.Errorf("hostPort(%q, %q) = %q, want %q", tc.host, tc.port, got, tc.want)
		}
	}
}

// FuzzHostPort checks that hostPort's form is a fixed point, so that a host
// compared once canonical compares the same again, and that a host in it
// that loopbackAlias takes is localhost or, read as an address without a
// resolver, one of loopback.
func FuzzHostPort(f *testing.F) {
	for _, tc := range hostPortCases {
		f.Add(tc.host, tc.port)
	}
	for _, h := range []string{"localhost..", "::127.0.0.1", "64:ff9b::7f00:1", "admin.localhost", "127.0.0.1.", "::1%lo", "[fe80::1%25eth0]"} {
		f.Add(h, "80")
	}
	f.Fuzz(func(t *testing.T, host, port string) {
		hp := hostPort(host, port)
		h, p, err := net.SplitHostPort(hp)
		if err != nil {
			return // no host and port a URL holds
		}
		if again := hostPort(h, p); again != hp {
			t.Fatalf("hostPort(%q, %q) = %q, but hostPort of that is %q", host, port, hp, again)
		}
		if !loopbackAlias(h) || h == "localhost" {
			return
		}
		addr, _, _ := strings.Cut(h, "%") // a zone says which link, not which address
		if ip := net.ParseIP(addr); ip == nil || !ip.IsLoopback() {
			t.Fatalf("loopbackAlias(%q) (from %q) is true, but it is no loopback address", h, host)
		}
	})
}
