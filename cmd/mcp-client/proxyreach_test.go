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

// startProxy runs a forward proxy that answers every request itself, and
// counts them: a request it gets is one it would have sent on, to an
// address it resolves.
func startProxy(t *testing.T) (*url.URL, *atomic.Int64) {
	t.Helper()
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		writeJSON(w, http.StatusOK, map[string]any{"proxied": r.URL.String()})
	}))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u, &got
}

// TestProxiedNameChecked checks that a request sent through a proxy, which
// resolves its host where the dial check does not see, is refused when
// that host resolves here to an address that is not public and is not a
// host the user named; a name that does not resolve here is left to the
// proxy.
func TestProxiedNameChecked(t *testing.T) {
	names := map[string][]netip.Addr{
		"loop.example":   {netip.MustParseAddr("127.0.0.1")},
		"meta.example":   {netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("169.254.169.254")},
		"public.example": {netip.MustParseAddr("203.0.113.7")},
	}
	lookup := lookupNetIP
	t.Cleanup(func() { lookupNetIP = lookup })
	lookupNetIP = func(_ context.Context, _, host string) ([]netip.Addr, error) {
		if a, ok := names[host]; ok {
			return a, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	for _, tc := range []struct {
		name    string
		named   string // the endpoint the user gave
		to      string
		refused string // in the error; "": proxied
	}{
		{"a name of a loopback address", "https://mcp.example.com/mcp", "http://loop.example:9/admin", "loop.example (127.0.0.1) is a loopback address"},
		{"the same, over https", "https://mcp.example.com/mcp", "https://loop.example/admin", "loop.example (127.0.0.1) is a loopback address"},
		{"a name of a link-local address among public ones", "https://mcp.example.com/mcp", "http://meta.example/latest/meta-data/", "meta.example (169.254.169.254) is a link-local address"},
		{"localhost", "https://mcp.example.com/mcp", "http://localhost:9/admin", "localhost is a loopback address"},
		{"localhost fully qualified", "https://mcp.example.com/mcp", "http://LOCALHOST.:9/admin", "localhost. is a loopback address"},
		{"a subdomain of localhost fully qualified", "https://mcp.example.com/mcp", "http://admin.localhost./", "admin.localhost. is a loopback address"},
		{"a shorthand of 127.0.0.1", "https://mcp.example.com/mcp", "http://0x7f.1:9/admin", "0x7f.1 (127.0.0.1) is a loopback address"},
		{"0, which a dial takes for this machine", "https://mcp.example.com/mcp", "http://0:9/admin", "0 (0.0.0.0) is an unspecified address"},
		// The proxy is asked to CONNECT to the host as the transport
		// writes it in ASCII (IDNA), where these are 127.0.0.1 and
		// localhost.
		{"an address in full-width digits, over https", "https://mcp.example.com/mcp", "https://１２７.０.０.１:9/admin", "１２７.０.０.１ (127.0.0.1) is a loopback address"},
		{"an address with ideographic full stops, over https", "https://mcp.example.com/mcp", "https://127。0。0。1/admin", "127。0。0。1 (127.0.0.1) is a loopback address"},
		{"localhost in full-width letters, over https", "https://mcp.example.com/mcp", "https://ｌｏｃａｌｈｏｓｔ/admin", "ｌｏｃａｌｈｏｓｔ is a loopback address"},
		{"a name of a loopback address in full-width letters, over https", "https://mcp.example.com/mcp", "https://ｌｏｏｐ.example/admin", "ｌｏｏｐ.example (127.0.0.1) is a loopback address"},
		{"the host named", "http://loop.example:9/mcp", "http://loop.example:9/admin", ""},
		{"a public name", "https://mcp.example.com/mcp", "https://public.example/", ""},
		{"a name not resolved here", "https://mcp.example.com/mcp", "http://beyond.example/", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			proxy, got := startProxy(t)
			g := newReachGuard(newPinnedIssuer(testIssuer), tc.named, testIssuer)
			tr := guardedTransport(g)
			tr.Proxy = g.proxy(http.ProxyURL(proxy))
			defer tr.CloseIdleConnections()
			req, _ := http.NewRequest(http.MethodGet, tc.to, nil)
			resp, err := tr.RoundTrip(req)
			if err == nil {
				resp.Body.Close()
			}
			var np *notPublicError
			if refused := errors.As(err, &np); refused != (tc.refused != "") || err != nil && !strings.Contains(err.Error(), tc.refused) {
				t.Fatalf("error %v, want a refusal with %q: %v", err, tc.refused, tc.refused != "")
			}
			if want := map[bool]int64{true: 0, false: 1}[tc.refused != ""]; got.Load() != want {
				t.Errorf("the proxy got %d requests, want %d", got.Load(), want)
			}
		})
	}
}

// TestShorthandIPv4 checks which hosts are read as the IPv4 address
// inet_aton(3) reads them as.
func TestShorthandIPv4(t *testing.T) {
	for _, tc := range []struct {
		host string
		want string // "": not an address
	}{
		{"127.1", "127.0.0.1"},
		{"0x7f.1", "127.0.0.1"},
		{"0X7F.0.0.1", "127.0.0.1"},
		{"2130706433", "127.0.0.1"},
		{"0x7f000001", "127.0.0.1"},
		{"017700000001", "127.0.0.1"},
		{"0177.0.0.1", "127.0.0.1"},
		{"169.254.43518", "169.254.169.254"},
		{"10.1.1", "10.1.0.1"},
		{"0", "0.0.0.0"},
		{"0x", "0.0.0.0"},
		{"127.1.", "127.0.0.1"},
		{"4294967296", ""},
		{"127.256.1", ""},
		{"127.65536", "127.1.0.0"},
		{"127.0.0.256", ""},
		{"1.2.3.4.5", ""},
		{"08", ""},
		{"1..2", ""},
		{"0x7g.1", ""},
		{"mcp.example.com", ""},
		{"1e2", ""},
		{"", ""},
	} {
		t.Run(tc.host, func(t *testing.T) {
			a, ok := shorthandIPv4(tc.host)
			got := ""
			if ok {
				got = a.String()
			}
			if got != tc.want {
				t.Errorf("shorthandIPv4(%q) = %q, want %q", tc.host, got, tc.want)
			}
		})
	}
}

// TestProxyNotTrustedAsAHost checks that the proxy the requests go
// through, trusted to be dialed at an address that is not public, is not
// a host a server may send the client to itself.
func TestProxyNotTrustedAsAHost(t *testing.T) {
	lookup := lookupNetIP
	t.Cleanup(func() { lookupNetIP = lookup })
	lookupNetIP = func(context.Context, string, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("203.0.113.7")}, nil
	}
	proxy, got := startProxy(t)
	pin := newPinnedIssuer(testIssuer)
	g := newReachGuard(pin, "https://mcp.example.com/mcp", testIssuer)
	tr := guardedTransport(g)
	// As the proxy settings do, requests to the proxy's own address go
	// to it directly.
	tr.Proxy = g.proxy(func(r *http.Request) (*url.URL, error) {
		if r.URL.Host == proxy.Host {
			return nil, nil
		}
		return proxy, nil
	})
	defer tr.CloseIdleConnections()
	for _, tc := range []struct {
		to      string
		refused bool
	}{
		{"http://public.example/", false},
		{"http://" + proxy.Host + "/squid-internal-mgr/info", true},
	} {
		before := got.Load()
		req, _ := http.NewRequest(http.MethodGet, tc.to, nil)
		resp, err := (&flowTransport{base: tr, insecure: true, log: &exchangeLog{}, pin: pin, guard: g}).RoundTrip(req)
		if err == nil {
			resp.Body.Close()
		}
		var np *notPublicError
		if refused := errors.As(err, &np); refused != tc.refused {
			t.Errorf("%s: error %v, refused %v, want %v", tc.to, err, refused, tc.refused)
		}
		if want := map[bool]int64{true: 0, false: 1}[tc.refused]; got.Load()-before != want {
			t.Errorf("%s: the proxy got %d requests, want %d", tc.to, got.Load()-before, want)
		}
	}
}

// TestProxyNameNotTrustedDirectly checks that a request the proxy
// settings send directly (NO_PROXY) to the proxy's own host and port,
// which the dial trusts as the proxy's, is refused when that host
// resolves to an address that is not public: the proxy, named by a name
// of a loopback address, is not a host a server may send the client to.
func TestProxyNameNotTrustedDirectly(t *testing.T) {
	lookup := lookupNetIP
	t.Cleanup(func() { lookupNetIP = lookup })
	lookupNetIP = func(_ context.Context, _, host string) ([]netip.Addr, error) {
		if host == "proxy.example" {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		}
		return []netip.Addr{netip.MustParseAddr("203.0.113.7")}, nil
	}
	proxy := &url.URL{Scheme: "http", Host: "proxy.example:3128"}
	g := newReachGuard(newPinnedIssuer(testIssuer), "https://mcp.example.com/mcp", testIssuer)
	proxyFor := g.proxy(func(r *http.Request) (*url.URL, error) {
		if strings.HasSuffix(r.URL.Hostname(), ".example") && r.URL.Hostname() != "public.example" {
			return nil, nil // NO_PROXY=.example, but for public.example
		}
		return proxy, nil
	})
	for _, tc := range []struct {
		to      string
		refused string // in the error; "": sent
	}{
		{"http://public.example/", ""},
		{"http://proxy.example:3128/squid-internal-mgr/info", "proxy.example (127.0.0.1) is a loopback address"},
		{"http://other.example/", ""},
	} {
		req, _ := http.NewRequest(http.MethodGet, tc.to, nil)
		_, err := proxyFor(req)
		var np *notPublicError
		if refused := errors.As(err, &np); refused != (tc.refused != "") || err != nil && !strings.Contains(err.Error(), tc.refused) {
			t.Errorf("%s: error %v, want a refusal with %q: %v", tc.to, err, tc.refused, tc.refused != "")
		}
	}
	if !g.dials("proxy.example:3128") {
		t.Errorf("the proxy is not dialed, want it dialed wherever it is")
	}
}
