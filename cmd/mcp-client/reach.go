package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/lambdamcp/lambdamcp/internal/httpsyntax"
)

// reachGuard keeps the flow's requests (discovery, and every redirect of
// one), and every redirect of the MCP requests, off the addresses of this
// machine and of the networks it sits on: loopback, private, link-local,
// shared (carrier-grade NAT), unspecified, multicast, broadcast, and the
// IPv6 forms of those a translator or tunnel sends on. The server connected
// to chooses where discovery goes (its challenge's resource_metadata, its
// metadata's authorization server, a redirect) and where its redirects
// send the JSON-RPC POSTs, and could otherwise have the client send a
// request to a service only the user can reach (a cloud metadata endpoint
// at 169.254.169.254, an admin page on 127.0.0.1). A host the user named,
// the MCP server's or the issuer's (host and port), may be on such an
// address, and so may the token endpoint the issuer's metadata names:
// local development runs them all on loopback. There a named localhost,
// 127.0.0.1 or ::1 stands for all three at its scheme and port (see
// loopbackNamed), since a local server redirects from one to another of
// them as it is configured, not as the user typed it.
//
// The go-sdk's own discovery client guards so, but not a client handed to
// it that brings its own transport, as the flow's does; its MCP transport
// does not guard at all.
type reachGuard struct {
	named map[string]bool // host:port of the URLs the user gave
	// scheme and port ("http 8080") of the URLs the user gave at a
	// loopback host (localhost, 127.0.0.0/8, ::1): any of those hosts
	// is the one named there.
	loopbackNamed map[string]bool
	pin           *pinnedIssuer // the endpoints its metadata named are trusted too; nil: no issuer

	mu      sync.Mutex
	proxies map[string]bool // host:port of the proxies dialed for the flow
}

func newReachGuard(pin *pinnedIssuer, urls ...string) *reachGuard {
	g := &reachGuard{named: map[string]bool{}, loopbackNamed: map[string]bool{}, pin: pin, proxies: map[string]bool{}}
	for _, s := range urls {
		if u, err := url.Parse(s); err == nil && u.Host != "" {
			hp := hostPort(asciiHost(u), port(u))
			g.named[hp] = true
			if host, p, err := net.SplitHostPort(hp); err == nil && loopbackAlias(host) {
				g.loopbackNamed[strings.ToLower(u.Scheme)+" "+p] = true
			}
		}
	}
	return g
}

// loopbackAlias says whether host, in hostPort's form, is one of the
// names of this machine that stand for each other at a named scheme and
// port: localhost (not a subdomain of it, which a resolver may answer
// otherwise), or an address of 127.0.0.0/8 or ::1. The IPv6 forms that
// carry 127.0.0.1 (::127.0.0.1, 64:ff9b::7f00:1) are not: they reach it
// only through a translator.
func loopbackAlias(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// hostPort is the form hosts are compared in: lower case, no brackets,
// an address in its canonical form (127.1, 0x7f.0.0.1 and
// ::ffff:127.0.0.1 are 127.0.0.1; 0:0::1 is ::1), a name without its
// trailing dot, and a port without leading zeros: each is the one place
// a dial reaches, so that the host the user named is trusted however a
// redirect spells it.
func hostPort(host, port string) string {
	host = strings.ToLower(strings.Trim(host, "[]"))
	if a, err := netip.ParseAddr(host); err == nil {
		host = a.Unmap().String()
	} else if a, ok := shorthandIPv4(host); ok {
		host = a.String()
	} else if name := strings.TrimSuffix(host, "."); !strings.HasSuffix(name, ".") && !isAddr(name) {
		// One trailing dot only, and not one that leaves an address:
		// "localhost.." and "::0." are no names a resolver takes, and
		// trimmed to "localhost." and "::0" they would change again.
		host = name
	}
	if n, err := strconv.ParseUint(port, 10, 16); err == nil {
		port = strconv.FormatUint(n, 10)
	}
	return net.JoinHostPort(host, port)
}

func isAddr(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// trusts says whether a request's URL may name hostport when it is not
// public: a host the user named, or the issuer's metadata did.
func (g *reachGuard) trusts(hostport string) bool {
	return g.named[hostport] || g.pin != nil && g.pin.namesHost(hostport)
}

// trustsURL says whether a request's URL, of scheme at hostport, may
// name a host that is not public: one trusted, or a loopback host at the
// scheme and port of one the user named at loopback.
func (g *reachGuard) trustsURL(scheme, hostport string) bool {
	return g.trusts(hostport) || g.loopbackNamedAt(strings.ToLower(scheme), hostport)
}

// loopbackNamedAt says whether hostport is a loopback host at a port
// the user named a loopback host at, with scheme; with scheme "", at
// any scheme (a dial, which has none).
func (g *reachGuard) loopbackNamedAt(scheme, hostport string) bool {
	host, p, err := net.SplitHostPort(hostport)
	if err != nil || !loopbackAlias(host) {
		return false
	}
	if scheme != "" {
		return g.loopbackNamed[scheme+" "+p]
	}
	for k := range g.loopbackNamed {
		if _, kp, _ := strings.Cut(k, " "); kp == p {
			return true
		}
	}
	return false
}

// dials says whether a connection may be made to hostport when it is not
// public: a host trusted, or a proxy the requests go through. A request
// whose URL names the proxy is not trusted for it: the proxy's own pages
// (a cache manager's, say) are no more the server's to send the client
// to than another local service's.
func (g *reachGuard) dials(hostport string) bool {
	return g.trusts(hostport) || g.isProxy(hostport)
}

// notPublicError refuses a request of the flow to an address that is not
// public.
type notPublicError struct {
	host  string // as the URL names it
	addr  netip.Addr
	class string // "a loopback", "a private", …
}

func (e *notPublicError) Error() string {
	return fmt.Sprintf("refused: %s is %s address, and not the host of the MCP server or of the issuer", e.where(), e.class)
}

// where is the host, and the address it was dialed at if it is a name.
func (e *notPublicError) where() string {
	if e.addr.IsValid() && e.addr.String() != e.host {
		return e.host + " (" + e.addr.String() + ")"
	}
	return e.host
}

// nonPublicPrefixes are ranges netip has no method for.
var nonPublicPrefixes = []struct {
	prefix netip.Prefix
	class  string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified"},       // "this network" (RFC 791)
	{netip.MustParsePrefix("100.64.0.0/10"), "a shared"},         // carrier-grade NAT (RFC 6598)
	{netip.MustParsePrefix("255.255.255.255/32"), "a broadcast"}, // limited broadcast (RFC 919)
	{netip.MustParsePrefix("fec0::/10"), "a private"},            // site-local, deprecated but routed by some
}

// embeddingPrefixes are IPv6 ranges whose addresses carry IPv4 addresses
// that a translator or a tunnel of this machine or its network sends the
// packets on to: such an address is checked as the IPv4 addresses it
// holds, the first that is not public deciding.
var embeddingPrefixes = []struct {
	prefix   netip.Prefix
	embedded func(b [16]byte) [][4]byte
}{
	{netip.MustParsePrefix("::/96"), last32},           // IPv4-compatible (RFC 4291 §2.5.5.1, deprecated)
	{netip.MustParsePrefix("::ffff:0:0:0/96"), last32}, // IPv4-translated (RFC 2765 SIIT)
	{netip.MustParsePrefix("64:ff9b::/96"), last32},    // NAT64 (RFC 6052)
	{netip.MustParsePrefix("64:ff9b:1::/48"), last32},  // NAT64 for local use (RFC 8215), read as a /96 within it
	{netip.MustParsePrefix("2002::/16"), func(b [16]byte) [][4]byte { // 6to4 (RFC 3056)
		return [][4]byte{[4]byte(b[2:6])}
	}},
	{netip.MustParsePrefix("2001::/32"), func(b [16]byte) [][4]byte { // Teredo (RFC 4380): the server, and the client obfuscated
		return [][4]byte{[4]byte(b[4:8]), {^b[12], ^b[13], ^b[14], ^b[15]}}
	}},
}

func last32(b [16]byte) [][4]byte { return [][4]byte{[4]byte(b[12:])} }

// addressClass is the class of a that is not public, with its article,
// or "" if a is public.
func addressClass(a netip.Addr) string {
	a = a.Unmap()
	switch {
	case !a.IsValid():
		return "an invalid"
	case a.IsLoopback():
		return "a loopback"
	case a.IsUnspecified():
		return "an unspecified"
	case a.IsPrivate():
		return "a private"
	case a.IsLinkLocalUnicast():
		return "a link-local"
	case a.IsMulticast(), a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast():
		return "a multicast"
	}
	for _, p := range nonPublicPrefixes {
		if p.prefix.Contains(a) {
			return p.class
		}
	}
	for _, p := range embeddingPrefixes {
		if !p.prefix.Contains(a) {
			continue
		}
		for _, v4 := range p.embedded(a.As16()) {
			if class := addressClass(netip.AddrFrom4(v4)); class != "" {
				return class
			}
		}
		return ""
	}
	return ""
}

// checkURL refuses, before any connection, a request whose URL names an
// address that is not public (an IP literal, or localhost) at a host
// that is not trusted. A name is checked when it is dialed.
func (g *reachGuard) checkURL(u *url.URL) error {
	if g == nil {
		return nil
	}
	written := strings.ToLower(u.Hostname())
	host := strings.ToLower(asciiHost(u))
	var addr netip.Addr // none for a name
	class := ""
	if a, err := netip.ParseAddr(host); err == nil {
		addr, class = a, addressClass(a.WithZone(""))
	} else if a, ok := shorthandIPv4(host); ok {
		addr, class = a, addressClass(a)
	} else if name := strings.TrimSuffix(host, "."); name == "localhost" || strings.HasSuffix(name, ".localhost") {
		// RFC 6761 §6.3; written fully qualified too, which a proxy's
		// resolver takes for the same name.
		class = "a loopback"
	}
	if class != "" && !g.trustsURL(u.Scheme, hostPort(host, port(u))) {
		return &notPublicError{host: written, addr: addr, class: class}
	}
	return nil
}

// asciiHost is u's host as the transport dials it and names it to a
// proxy (CONNECT, SOCKS): one not all ASCII is mapped by IDNA (UTS #46),
// in which full-width digits and letters and the ideographic full stop
// are their ASCII forms, so that "１２７。０。０。１" is 127.0.0.1 to the
// proxy. The mapping is the transport's own, read off a dial stopped
// before it connects, so that the check sees the host the proxy is
// asked for.
func asciiHost(u *url.URL) string {
	host := u.Hostname()
	if strings.IndexFunc(host, func(r rune) bool { return r >= utf8.RuneSelf }) < 0 {
		return host
	}
	dialed := make(chan string, 1)
	probe := &http.Transport{DialContext: func(_ context.Context, _, addr string) (net.Conn, error) {
		dialed <- addr
		return nil, errProbed
	}}
	probe.RoundTrip(&http.Request{Method: http.MethodGet, URL: &url.URL{Scheme: "http", Host: u.Host}, Header: http.Header{}})
	select {
	case addr := <-dialed:
		if h, _, err := net.SplitHostPort(addr); err == nil {
			return h
		}
	default:
	}
	return host
}

// errProbed stops asciiHost's dial.
var errProbed = errors.New("not dialed")

// shorthandIPv4 reads host as the IPv4 address inet_aton(3) and URL
// parsers read it in, where it is not a dotted quad of decimals: one to
// four numbers, each decimal, 0x hex or 0 octal, the last filling the
// bytes left (127.1, 0x7f.1, 2130706433, 0177.0.0.1, 0). Go dials such a
// host as a name, which no name service has; a proxy may take it for the
// address.
func shorthandIPv4(host string) (netip.Addr, bool) {
	parts := strings.Split(strings.TrimSuffix(host, "."), ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var n [4]uint64
	for i, p := range parts {
		base := 10
		switch {
		case len(p) > 1 && (p[:2] == "0x" || p[:2] == "0X"):
			base, p = 16, p[2:]
			if p == "" {
				p = "0" // inet_aton takes "0x" for 0
			}
		case len(p) > 1 && p[0] == '0':
			base, p = 8, p[1:]
		}
		v, err := strconv.ParseUint(p, base, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		n[i] = v
	}
	last := len(parts) - 1
	var v uint64
	for i := range last {
		if n[i] > 0xff {
			return netip.Addr{}, false
		}
		v |= n[i] << (8 * (3 - i))
	}
	if n[last] >= 1<<(8*(4-last)) {
		return netip.Addr{}, false
	}
	v |= n[last]
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// dialContext dials as d does, refusing a connection to an address that
// is not public unless the host asked for is trusted: the address is
// checked as dialed, after the name was resolved, so that a name that
// resolves to a public address when looked at and to a private one when
// dialed gains nothing. A loopback host at a port the user named one at
// may be dialed at a loopback address alone; the dial has no scheme,
// which checkURL compared before.
func (g *reachGuard) dialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, p, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		hp := hostPort(host, p)
		if g.dials(hp) {
			return d.DialContext(ctx, network, addr)
		}
		aliased := g.loopbackNamedAt("", hp)
		guarded := *d
		guarded.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("refused: cannot read the address dialed, %q", address)
			}
			if aliased && ap.Addr().Unmap().IsLoopback() {
				return nil
			}
			if class := addressClass(ap.Addr().WithZone("")); class != "" {
				return &notPublicError{host: host, addr: ap.Addr(), class: class}
			}
			return nil
		}
		return guarded.DialContext(ctx, network, addr)
	}
}

// proxy is proxyFor's answer for r, and trusts the proxy it names: the
// user's configuration chose it, and the requests to it are dialed to
// it, not to their host. The proxy resolves that host, where the dial
// check does not see: r's host is resolved here too, and r refused if
// an address it has is not public (checkURL still refuses an IP
// literal). A request sent directly to a proxy's host and port (one the
// settings leave out, as NO_PROXY's domains often hold the proxy's own
// name) is dialed as the proxy is, without the dial check: its host is
// resolved here as well.
func (g *reachGuard) proxy(proxyFor func(*http.Request) (*url.URL, error)) func(*http.Request) (*url.URL, error) {
	return func(r *http.Request) (*url.URL, error) {
		u, err := proxyFor(r)
		if err != nil {
			return u, err
		}
		if u == nil {
			if g.isProxy(hostPort(asciiHost(r.URL), port(r.URL))) {
				return nil, g.checkResolved(r.Context(), r.URL)
			}
			return nil, nil
		}
		g.mu.Lock()
		g.proxies[hostPort(u.Hostname(), port(u))] = true
		g.mu.Unlock()
		if err := g.checkResolved(r.Context(), r.URL); err != nil {
			return nil, err
		}
		return u, nil
	}
}

// isProxy says whether hostport is that of a proxy dialed for the flow.
func (g *reachGuard) isProxy(hostport string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.proxies[hostport]
}

// lookupNetIP resolves a proxied request's host; tests replace it.
var lookupNetIP = net.DefaultResolver.LookupNetIP

// checkResolved refuses a request to a host that is not trusted and
// resolves here to an address that is not public. A name that does not
// resolve here is left to the proxy: behind one, the client may have no
// name service of its own for the hosts beyond it.
func (g *reachGuard) checkResolved(ctx context.Context, u *url.URL) error {
	if err := g.checkURL(u); err != nil {
		return err
	}
	host := strings.ToLower(asciiHost(u))
	if g.trustsURL(u.Scheme, hostPort(host, port(u))) {
		return nil
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return nil // checkURL checked it
	}
	addrs, err := lookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if class := addressClass(a.WithZone("")); class != "" {
			return &notPublicError{host: strings.ToLower(u.Hostname()), addr: a.Unmap(), class: class}
		}
	}
	return nil
}

// guardedTransport is http.DefaultTransport with g's dial check.
func guardedTransport(g *reachGuard) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = g.proxy(http.ProxyFromEnvironment)
	t.DialContext = g.dialContext(&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second})
	return t
}

// errDowngrade refuses a redirect of the flow from https to plain http.
var errDowngrade = errors.New("refused: a redirect from https to plain http")

// checkDowngrade refuses a redirect from https to plain http, but to a
// loopback host, where plain http is the rule of local development.
func checkDowngrade(req *http.Request, via []*http.Request) error {
	prev := via[len(via)-1]
	if strings.EqualFold(prev.URL.Scheme, "https") && !strings.EqualFold(req.URL.Scheme, "https") && !httpsyntax.Loopback(req.URL.Hostname()) {
		return errDowngrade
	}
	return nil
}

// checkRedirect refuses a redirect of the MCP requests to an address
// that is not public, written in the URL, at a host g does not trust, or
// from https to plain http; a name is checked when it is dialed
// (guardedTransport).
func (g *reachGuard) checkRedirect(req *http.Request, via []*http.Request) error {
	err := g.checkURL(req.URL)
	if err == nil {
		err = checkDowngrade(req, via)
	}
	if err != nil {
		return &redirectRefused{url: redacted(req.URL.String()), err: err}
	}
	return nil
}

// redirectRefused is a redirect of the MCP requests that reachGuard or
// checkDowngrade kept from going out.
type redirectRefused struct {
	url string // redacted
	err error  // a *notPublicError, or errDowngrade
}

func (e *redirectRefused) Error() string { return "a redirect to " + e.url + " " + e.err.Error() }
func (e *redirectRefused) Unwrap() error { return e.err }

// explain is the refusal as the person reads it.
func (e *redirectRefused) explain() string {
	var np *notPublicError
	if errors.As(e.err, &np) {
		return fmt.Sprintf("the server redirects to %s, which was not followed: %s is %s address, and only the endpoint's own host and port may be one; if that is the MCP endpoint, give it with -endpoint", e.url, np.where(), np.class)
	}
	return fmt.Sprintf("the server redirects to %s, plain http, which anyone on the way could read or change: the redirect was not followed", e.url)
}

// explainUnreached explains a request of the flow that reachGuard or
// checkDowngrade kept from going out, or is "".
func explainUnreached(e *flowError) string {
	for _, x := range e.exchanges {
		var np *notPublicError
		switch {
		case errors.As(x.err, &np):
			why := fmt.Sprintf("%s is %s address, neither the MCP server's host nor the issuer's, where the server connected to may not send the client", np.where(), np.class)
			if named, ok := metadataIssuer(x.url); ok && x.from == "" && !issuersEqual(named, e.issuer) {
				// The go-sdk asks the authorization server the server
				// names for its metadata before it compares issuers.
				spared := "the client secret was not sent"
				if e.login {
					spared = "no one was sent there to sign in"
				}
				return fmt.Sprintf("the server names the authorization server %s, not the issuer the client was given, %s (-issuer or MCP_CLIENT_ISSUER); %s, and its metadata was not asked for: %s", named, e.issuer, spared, why)
			}
			if x.from != "" {
				return fmt.Sprintf("%s redirects to %s, which was not asked for: %s", x.from, x.url, why)
			}
			return fmt.Sprintf("a discovery request to %s was not sent: %s", x.url, why)
		case errors.Is(x.err, errDowngrade):
			return fmt.Sprintf("a discovery request was redirected from https to plain http, %s, which anyone on the way could read or change: the redirect was not followed", x.url)
		}
	}
	return ""
}

// metadataIssuer is the issuer whose metadata u is the RFC 8414 URL of,
// the first the go-sdk asks for.
func metadataIssuer(u string) (string, bool) {
	p, err := url.Parse(u)
	if err != nil {
		return "", false
	}
	rest, ok := strings.CutPrefix(p.Path, "/.well-known/oauth-authorization-server")
	if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
		return "", false
	}
	return p.Scheme + "://" + p.Host + rest, true
}
