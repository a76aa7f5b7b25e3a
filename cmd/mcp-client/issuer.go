package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/oauthex"

	"github.com/lambdamcp/lambdamcp/internal/httpsyntax"
)

// pinnedIssuer is the authorization server the client is registered with,
// named by the user, not by the server it connects to: the client secret
// goes only to the token endpoint of the metadata that issuer publishes.
// The go-sdk compares the issuer with the discovered metadata's, but its
// fallbacks (the issuer's /token when no metadata is found, the MCP
// server's root when there is no resource metadata) would send the secret
// to a URL no metadata named; this closes them.
type pinnedIssuer struct {
	issuer       string
	metadataURLs map[string]bool // where the issuer's metadata is looked for

	mu             sync.Mutex
	tokenEndpoints map[string]bool // those the issuer's metadata named
	authEndpoints  map[string]bool // where a person is sent to sign in, likewise
	// revocationEndpoints are where -logout sends a kept token to be
	// revoked (RFC 7009), likewise: a POST that carries a token, and the
	// client secret, as the token request does.
	revocationEndpoints map[string]bool
	// registrationEndpoints are where a client registers itself (RFC
	// 7591), likewise: a POST, which goes to the pinned issuer alone.
	registrationEndpoints map[string]bool
	// keptEndpoints are the token endpoints kept sign-ins name, each
	// true once the metadata was read to check it (keptEndpoint).
	keptEndpoints map[string]bool
	// resourceMetadata is the protected resource metadata URL the
	// challenges of the refusal the flow answers named
	// (resource_metadata), which need not be at the well-known path
	// (challenged); "" for none.
	resourceMetadata string
	// named are the authorization servers the protected resource
	// metadata read last named, as it named them (pinnedFirst).
	named []string
}

func newPinnedIssuer(issuer string) *pinnedIssuer {
	p := &pinnedIssuer{issuer: issuer, metadataURLs: map[string]bool{}, tokenEndpoints: map[string]bool{}, authEndpoints: map[string]bool{}, revocationEndpoints: map[string]bool{}, registrationEndpoints: map[string]bool{}}
	u, err := url.Parse(issuer)
	if err != nil {
		return p
	}
	// RFC 8414 §3.1 inserts the well-known path before the issuer's path;
	// OpenID Connect Discovery §4 appends it (Cognito's form).
	path := strings.Trim(u.Path, "/")
	insert := ""
	if path != "" {
		insert = "/" + path
	}
	for _, wk := range []string{"/.well-known/oauth-authorization-server" + insert, "/.well-known/openid-configuration" + insert, insert + "/.well-known/openid-configuration"} {
		p.metadataURLs[sameURL(u.Scheme, u.Host, wk)] = true
	}
	if u.Path != "" {
		// The URLs as the go-sdk builds them (auth.GetAuthServerMetadata),
		// which keep a path's trailing slash: an issuer written
		// https://tenant.example.com/, as some authorization servers name
		// themselves, is looked for at /.well-known/openid-configuration/.
		rest := strings.TrimLeft(u.Path, "/")
		for _, wk := range []string{"/.well-known/oauth-authorization-server/" + rest, "/.well-known/openid-configuration/" + rest, "/" + path + "/.well-known/openid-configuration"} {
			p.metadataURLs[sameURL(u.Scheme, u.Host, wk)] = true
		}
	}
	return p
}

// sameURL is the form two URLs are compared in: scheme and host in lower
// case, the path as it is, no query.
func sameURL(scheme, host, path string) string {
	return strings.ToLower(scheme) + "://" + strings.ToLower(host) + path
}

// validIssuer says what is wrong with an -issuer, or "": the go-sdk looks
// for metadata over https, or plain http to a loopback host, and an issuer
// has no query or fragment (RFC 8414 §2).
func validIssuer(issuer string) string {
	u, err := url.Parse(issuer)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return fmt.Sprintf("-issuer %q is not an http(s) URL", redacted(issuer))
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return fmt.Sprintf("-issuer %q has a query, a fragment or user information, which an issuer has not (RFC 8414 §2)", redacted(issuer))
	case u.Scheme == "http" && !httpsyntax.Loopback(u.Hostname()):
		return fmt.Sprintf("-issuer %q is plain http to a host that is not loopback, where the go-sdk does not look for metadata: use https", redacted(issuer))
	}
	return ""
}

// issuersEqual compares issuers as the go-sdk does: a trailing slash
// aside.
func issuersEqual(a, b string) bool {
	return strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/")
}

// asked is the request r was redirected from, first of all; r if none.
func asked(r *http.Request) *http.Request {
	for r.Response != nil && r.Response.Request != nil {
		r = r.Response.Request
	}
	return r
}

// isMetadata says whether r, or the request it was redirected from, asked
// for the pinned issuer's metadata.
func (p *pinnedIssuer) isMetadata(r *http.Request) bool {
	r = asked(r)
	return r.Method == http.MethodGet && p.metadataURLs[sameURL(r.URL.Scheme, r.URL.Host, r.URL.Path)]
}

// learn records the token, authorization, revocation and registration
// endpoints of metadata fetched from the pinned issuer's metadata URLs,
// when it names that issuer.
func (p *pinnedIssuer) learn(r *http.Request, issuer, tokenEndpoint, authEndpoint, revocationEndpoint, registrationEndpoint string) {
	if !p.isMetadata(r) || !issuersEqual(issuer, p.issuer) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if u, err := url.Parse(tokenEndpoint); err == nil && tokenEndpoint != "" {
		p.tokenEndpoints[u.String()] = true
	}
	if _, err := url.Parse(authEndpoint); err == nil && authEndpoint != "" {
		p.authEndpoints[authEndpoint] = true
	}
	if u, err := url.Parse(revocationEndpoint); err == nil && revocationEndpoint != "" {
		p.revocationEndpoints[u.String()] = true
	}
	if u, err := url.Parse(registrationEndpoint); err == nil && registrationEndpoint != "" {
		p.registrationEndpoints[u.String()] = true
	}
}

// keptEndpoint records tokenEndpoint, that of a kept sign-in, as one to
// check against the pinned issuer's metadata before the first token
// request goes there: the file says what it was when the token was
// obtained, but whoever could write the file could name any URL, and
// the refresh sends the refresh token and the client secret.
func (p *pinnedIssuer) keptEndpoint(tokenEndpoint string) {
	u, err := url.Parse(tokenEndpoint)
	if err != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.keptEndpoints == nil {
		p.keptEndpoints = map[string]bool{}
	}
	if _, ok := p.keptEndpoints[u.String()]; !ok {
		p.keptEndpoints[u.String()] = false
	}
}

// kept says whether r is a POST to a kept sign-in's token endpoint
// (keptEndpoint), and whether the metadata is to be read before it goes:
// the first time only, what it names then stands.
func (p *pinnedIssuer) kept(r *http.Request) (kept, discover bool) {
	if r.Method != http.MethodPost {
		return false, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	read, kept := p.keptEndpoints[r.URL.String()]
	if kept && !read {
		p.keptEndpoints[r.URL.String()] = true
	}
	return kept, kept && !read
}

// unread marks r's kept token endpoint as not checked: the metadata
// could not be read, and is tried again at its next token request.
func (p *pinnedIssuer) unread(r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keptEndpoints[r.URL.String()] = false
}

// authorizes says whether authURL, an authorization request, goes to an
// authorization endpoint the pinned issuer's metadata named: that
// endpoint, then its parameters.
func (p *pinnedIssuer) authorizes(authURL string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for ep := range p.authEndpoints {
		if rest, ok := strings.CutPrefix(authURL, ep); ok && (strings.HasPrefix(rest, "?") || strings.HasPrefix(rest, "&")) {
			return true
		}
	}
	return false
}

// errNotTokenEndpoint refuses to send the client secret to a URL that the
// pinned issuer's metadata did not name as its token endpoint.
var errNotTokenEndpoint = errors.New("refused: not the token endpoint of the issuer's metadata")

// allows says whether the request may go out: any but a POST (the token
// request, or -logout's revocation request: those alone carry the
// secret), and a POST to a token, revocation or registration endpoint
// the pinned issuer's metadata named.
func (p *pinnedIssuer) allows(r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tokenEndpoints[r.URL.String()] || p.revocationEndpoints[r.URL.String()] || p.registrationEndpoints[r.URL.String()]
}

// challenged records the protected resource metadata URL the challenges
// of the refusal a flow answers name, if any, in place of an earlier
// flow's: the go-sdk reads the document there first, and the pinned
// issuer is put first in it, as in one at the well-known URLs
// (flowTransport.pinnedFirst). The go-sdk reads the first
// resource_metadata alone, whatever the scheme of its challenge: a URL
// a later challenge names is not read, and is not taken for one read.
func (p *pinnedIssuer) challenged(challenges []string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.resourceMetadata = ""
	if u, err := url.Parse(namedMetadata(challenges)); err == nil && u.Host != "" {
		p.resourceMetadata = u.String()
	}
}

// namedMetadata is the protected resource metadata URL challenges name,
// as the go-sdk reads it: the first resource_metadata, whatever the
// scheme of its challenge; "" for none, or challenges its parser refuses.
func namedMetadata(challenges []string) string {
	cs, err := oauthex.ParseWWWAuthenticate(challenges)
	if err != nil {
		return ""
	}
	for _, c := range cs {
		if u := c.Params["resource_metadata"]; u != "" {
			return u
		}
	}
	return ""
}

// lastNamed is the authorization servers the protected resource
// metadata read last named.
func (p *pinnedIssuer) lastNamed() []string {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.named)
}

// isResourceMetadata says whether r, or the request it was redirected
// from, is a GET for protected resource metadata: at the well-known path,
// or at a URL a challenge named.
func (p *pinnedIssuer) isResourceMetadata(r *http.Request) bool {
	r = asked(r)
	if r.Method != http.MethodGet {
		return false
	}
	return strings.Contains(r.URL.Path, "/.well-known/oauth-protected-resource") || p.namedByChallenge(r)
}

// namedByChallenge says whether a challenge of the flow named r's URL
// for its protected resource metadata.
func (p *pinnedIssuer) namedByChallenge(r *http.Request) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.resourceMetadata != "" && p.resourceMetadata == r.URL.String()
}

// posted is what r, a POST the pinned issuer's metadata allowed, goes
// to: "registration" for its registration endpoint, else "token" (the
// revocation request follows no redirect at all).
func (p *pinnedIssuer) posted(r *http.Request) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.registrationEndpoints[r.URL.String()] && !p.tokenEndpoints[r.URL.String()] {
		return "registration"
	}
	return "token"
}

// namesHost says whether hostport (as hostPort writes it) is the host
// of a token or revocation endpoint the pinned issuer's metadata named.
func (p *pinnedIssuer) namesHost(hostport string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, eps := range []map[string]bool{p.tokenEndpoints, p.revocationEndpoints} {
		for ep := range eps {
			if u, err := url.Parse(ep); err == nil && hostPort(u.Hostname(), port(u)) == hostport {
				return true
			}
		}
	}
	return false
}

// learnFrom records the token endpoint of the pinned issuer's metadata in
// body, a 200 answer to r.
func (p *pinnedIssuer) learnFrom(r *http.Request, body []byte) {
	var m struct {
		Issuer                string `json:"issuer"`
		TokenEndpoint         string `json:"token_endpoint"`
		AuthorizationEndpoint string `json:"authorization_endpoint"`
		RevocationEndpoint    string `json:"revocation_endpoint"`
		RegistrationEndpoint  string `json:"registration_endpoint"`
	}
	if json.Unmarshal(body, &m) == nil {
		p.learn(r, m.Issuer, m.TokenEndpoint, m.AuthorizationEndpoint, m.RevocationEndpoint, m.RegistrationEndpoint)
	}
}
