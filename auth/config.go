package auth

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/lambdamcp/lambdamcp/internal/oauthscope"
	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// Environment variables read by [ConfigFromEnv]; docs/auth.md explains each.
const (
	EnvTokenSHA256          = "MCP_AUTH_TOKEN_SHA256"
	EnvJWTIssuer            = "MCP_JWT_ISSUER"
	EnvJWTJWKSURL           = "MCP_JWT_JWKS_URL"
	EnvJWTAudience          = "MCP_JWT_AUDIENCE"
	EnvJWTAudienceClaim     = "MCP_JWT_AUDIENCE_CLAIM"
	EnvRequiredScopes       = "MCP_REQUIRED_SCOPES"
	EnvScopeImplies         = "MCP_SCOPE_IMPLIES"
	EnvResourceURL          = "MCP_RESOURCE_URL"
	EnvResourceMetadataURL  = "MCP_RESOURCE_METADATA_URL"
	EnvAuthorizationServers = "MCP_AUTHORIZATION_SERVERS"
	EnvAllowedOrigins       = "MCP_ALLOWED_ORIGINS"
	EnvFromAuthorizer       = "MCP_AUTH_FROM_AUTHORIZER"
)

// maxQuotedValueBytes bounds what an error quotes of a value refused,
// escaped (%q): enough to tell which it is, as a scope's
// (oauthscope.MaxQuotedBytes); a variable may be of any size. A URL or
// an origin gets a path's bound and room for the rest, as a method ARN
// does (maxQuotedARNBytes).
const (
	maxQuotedValueBytes = oauthscope.MaxQuotedBytes
	maxQuotedURLBytes   = textcut.MaxPathBytes + 128
)

// Config is the auth configuration of a server or authorizer, as the
// environment describes it.
type Config struct {
	TokenHashes          []string       // hex SHA-256 hashes of static tokens (MCP_AUTH_TOKEN_SHA256)
	JWT                  *JWTOptions    // JWT verification (MCP_JWT_*); nil when not configured
	Scopes               []string       // required of every caller (MCP_REQUIRED_SCOPES)
	ScopeHierarchy       ScopeHierarchy // scopes that imply others (MCP_SCOPE_IMPLIES)
	ResourceURL          string         // the MCP endpoint as clients use it (MCP_RESOURCE_URL)
	ResourceMetadataURL  string         // the metadata URL challenges name (MCP_RESOURCE_METADATA_URL)
	AuthorizationServers []string       // MCP_AUTHORIZATION_SERVERS, or else the JWT issuer when it is an http(s) URL
	AllowedOrigins       []string       // browser origins allowed to call (MCP_ALLOWED_ORIGINS)
	// FromAuthorizer trusts the identity in the API Gateway authorizer
	// context instead of verifying tokens (MCP_AUTH_FROM_AUTHORIZER).
	FromAuthorizer bool
}

// ConfigFromEnv reads the configuration through getenv (os.Getenv in a main,
// a map in tests; nil means os.Getenv). It checks that the variables fit
// together, so a half-configured JWT verifier fails at start-up rather than
// per request.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	list := func(name, sep string) []string {
		var out []string
		for _, s := range strings.Split(getenv(name), sep) {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	c := Config{
		TokenHashes:          list(EnvTokenSHA256, ","),
		Scopes:               oauthscope.List(getenv(EnvRequiredScopes)),
		ResourceURL:          strings.TrimSpace(getenv(EnvResourceURL)),
		ResourceMetadataURL:  strings.TrimSpace(getenv(EnvResourceMetadataURL)),
		AuthorizationServers: list(EnvAuthorizationServers, ","),
	}
	// A variable that is set to something yet names nothing (a stray
	// comma, a command substitution that printed only spaces) is a mistake
	// that would otherwise start the server without authentication.
	if raw := getenv(EnvTokenSHA256); raw != "" && len(c.TokenHashes) == 0 {
		return Config{}, fmt.Errorf("%s=%q names no hash", EnvTokenSHA256, textcut.Cut(raw, maxQuotedValueBytes))
	}
	// Scopes are published as they are: only RFC 6749 scope-tokens. ("'"
	// is one; only a deployment that writes a challenge into an API
	// Gateway REST API's Gateway Responses, whose static values are
	// single-quoted, cannot carry it, and the deploy stack refuses it
	// there.)
	if err := oauthscope.Check(EnvRequiredScopes, c.Scopes); err != nil {
		return Config{}, err
	}
	// offline_access asks the authorization server for refresh tokens; it
	// grants nothing here. MCP has servers leave it out of challenges and
	// metadata, and requiring it would refuse callers that asked for none.
	if slices.Contains(c.Scopes, "offline_access") {
		return Config{}, fmt.Errorf("%s names offline_access, which asks for refresh tokens and is no permission of this server: remove it", EnvRequiredScopes)
	}
	hierarchy, err := parseScopeHierarchy(getenv(EnvScopeImplies))
	if err != nil {
		return Config{}, err
	}
	c.ScopeHierarchy = hierarchy
	if len(hierarchy) > 0 && len(c.Scopes) == 0 {
		return Config{}, fmt.Errorf("%s is set, but %s is not: with no scope required, what scopes imply changes nothing", EnvScopeImplies, EnvRequiredScopes)
	}
	switch v := strings.TrimSpace(getenv(EnvFromAuthorizer)); v {
	case "", "0", "false":
	case "1", "true":
		c.FromAuthorizer = true
	default:
		return Config{}, fmt.Errorf("%s=%q: want 1 or 0 (or true or false)", EnvFromAuthorizer, textcut.Cut(v, maxQuotedValueBytes))
	}
	// URLs that are not URLs would be published in the metadata and the
	// challenges as they are, and an origin with a path matches no
	// browser's Origin. (The issuer, which need not be a URL to be
	// checked in tokens, is checked only when it stands in for the
	// authorization servers, below.)
	urls := []struct{ name, value string }{{EnvResourceURL, c.ResourceURL}, {EnvResourceMetadataURL, c.ResourceMetadataURL}}
	for _, a := range c.AuthorizationServers {
		urls = append(urls, struct{ name, value string }{EnvAuthorizationServers, a})
	}
	for _, u := range urls {
		if err := checkURL(u.name, u.value); err != nil {
			return Config{}, err
		}
	}
	// An authorization server is named by its issuer identifier, which
	// clients match exactly against the issuer of its metadata (RFC 8414
	// section 3.3), written in lower case: published in capitals, every
	// client's discovery would fail.
	if slices.ContainsFunc(c.AuthorizationServers, issuerSchemeInCapitals) {
		return Config{}, fmt.Errorf("%s: a scheme (before ://) has capitals: write it in lower case, as the authorization server's metadata names its issuer; clients match it exactly", EnvAuthorizationServers)
	}
	// So is the resource: a client asks for tokens for the URL it uses,
	// its scheme in lower case as URL parsers give it, and a JWT's aud
	// naming it is matched exactly.
	if issuerSchemeInCapitals(c.ResourceURL) {
		return Config{}, fmt.Errorf("%s: its scheme (before ://) has capitals: write it in lower case, as clients name the resource they ask tokens for; the resource is matched exactly", EnvResourceURL)
	}
	// A resource identifier has no fragment (RFC 8707 section 2, RFC 9728
	// section 1.2): the metadata would name a resource no token is for.
	// (A query is kept: RFC 8707 only advises against one, for resources
	// that need it.)
	if strings.Contains(c.ResourceURL, "#") {
		return Config{}, fmt.Errorf("%s=%q has a fragment, which a resource identifier must not (RFC 8707 section 2): remove the # and what follows", EnvResourceURL, textcut.Cut(c.ResourceURL, maxQuotedURLBytes))
	}
	// The origins, each with its place in the variable as written, empty
	// entries counted, as the person counts them.
	var place []int
	for i, o := range strings.Split(getenv(EnvAllowedOrigins), ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.AllowedOrigins = append(c.AllowedOrigins, o)
			place = append(place, i+1)
		}
	}
	// Any origin beside others allows every page, and the others narrow
	// nothing: the list meant some origins, or any, not both. (The deploy
	// stack refuses the same mix in corsOrigins.)
	if slices.Contains(c.AllowedOrigins, "*") && slices.ContainsFunc(c.AllowedOrigins, func(o string) bool { return o != "*" }) {
		return Config{}, fmt.Errorf("%s mixes * with origins, and * would allow any page: give * alone for any origin, or name each origin allowed", EnvAllowedOrigins)
	}
	for i, o := range c.AllowedOrigins {
		quoted := strconv.Quote(textcut.Cut(o, maxQuotedURLBytes))
		if strings.Contains(o, "@") {
			// An @ may mark a user and password (https://u:pass@host),
			// which the error would carry to the log: the entry is
			// named by its place instead.
			quoted = fmt.Sprintf("origin %d (it holds an @, which may mark a password, so it is not shown)", place[i])
		}
		if p, err := url.Parse(o); o != "*" && (err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" ||
			strings.TrimSuffix(p.Path, "/") != "" || p.RawQuery != "" || p.ForceQuery || p.Fragment != "" || p.User != nil) {
			return Config{}, fmt.Errorf("%s: %s is not an origin (scheme://host[:port], or *)", EnvAllowedOrigins, quoted)
		}
		if p, _ := url.Parse(o); o != "*" && !portInRange(p.Port()) {
			return Config{}, fmt.Errorf("%s: %s has port %q, beyond TCP's (1 to 65535): no browser sends it", EnvAllowedOrigins, quoted, textcut.Cut(p.Port(), maxQuotedValueBytes))
		}
		if o != "*" && strings.Contains(o, "*") {
			// Origins are compared whole: a browser sends no "*", so a
			// pattern would allow no page at all.
			return Config{}, fmt.Errorf("%s: %s is a pattern, and origins are compared whole: list each origin, or give * alone for any", EnvAllowedOrigins, quoted)
		}
		if !isASCII(o) {
			// Browsers send an internationalized name in its ASCII
			// (punycode) form, which this one would never match.
			return Config{}, fmt.Errorf("%s: %s names its host in Unicode: write it as browsers send it, in its ASCII form (xn--…)", EnvAllowedOrigins, quoted)
		}
	}
	// White space around a value (a console's copy, a shell's trailing
	// newline) is trimmed, as it is from the other variables: kept, it
	// would be matched against every token's iss and audience, which never
	// hold it, and published with the issuer. A value of white space alone
	// is set yet names nothing, as for the token hashes.
	var jwtVars [4]string
	for i, name := range []string{EnvJWTIssuer, EnvJWTJWKSURL, EnvJWTAudience, EnvJWTAudienceClaim} {
		raw := getenv(name)
		if jwtVars[i] = strings.TrimSpace(raw); raw != "" && jwtVars[i] == "" {
			return Config{}, fmt.Errorf("%s=%q names nothing", name, textcut.Cut(raw, maxQuotedValueBytes))
		}
	}
	iss, jwks, aud, claim := jwtVars[0], jwtVars[1], jwtVars[2], jwtVars[3]
	if iss != "" || jwks != "" || aud != "" || claim != "" {
		if iss == "" || aud == "" {
			return Config{}, fmt.Errorf("JWT verification needs both %s and %s (and %s, unless the issuer's discovery document names the keys)", EnvJWTIssuer, EnvJWTAudience, EnvJWTJWKSURL)
		}
		// Issuers write their scheme in lower case, and the issuer is
		// matched exactly: with one in capitals the server would start
		// and then refuse every token.
		if issuerSchemeInCapitals(iss) {
			return Config{}, fmt.Errorf("%s: its scheme (before ://) has capitals: write it in lower case, as its tokens' iss claim has it; the issuer is matched exactly", EnvJWTIssuer)
		}
		// Unset, the key set's URL is found from the issuer's discovery
		// document, which only an issuer that is an https URL has.
		if why := undiscoverable(iss); jwks == "" && why != "" {
			return Config{}, fmt.Errorf("%s is unset, and discovery of the issuer's keys needs an https issuer (plain http only on a loopback address) without user, query or fragment: %s=%q %s; set %s",
				EnvJWTJWKSURL, EnvJWTIssuer, loggableURL(iss), why, EnvJWTJWKSURL)
		}
		c.JWT = &JWTOptions{Issuer: iss, JWKSURL: jwks, Audience: aud, AudienceClaim: claim}
		// Another claim than aud (Cognito's client_id) names the client a
		// token was issued to, not the resource it is for: that client may
		// hold tokens for other APIs of the issuer too. A required scope
		// that only this resource's tokens carry is what binds them here.
		if claim := c.JWT.AudienceClaim; claim != "" && claim != "aud" && len(c.Scopes) == 0 {
			return Config{}, fmt.Errorf("%s=%q names a client, not this resource: set %s to a scope only tokens for this server carry "+
				"(with Cognito, a scope of a resource server named after the MCP endpoint)", EnvJWTAudienceClaim, textcut.Cut(claim, maxQuotedValueBytes), EnvRequiredScopes)
		}
		if len(c.AuthorizationServers) == 0 {
			// Standing in, the issuer is published as the
			// authorization server: one written as an http(s) URL is
			// checked as those are, so no credentials in it reach
			// clients. One that is no URL (a URN) is checked in
			// tokens only: a metadata document names authorization
			// servers by their issuer URLs (RFC 9728 section 2, RFC
			// 8414 section 2), so it stands in for none, and there is
			// no document.
			if looksHTTP(iss) {
				if err := checkURL(EnvJWTIssuer, iss); err != nil {
					return Config{}, fmt.Errorf("%w (it stands in for %s, which is unset)", err, EnvAuthorizationServers)
				}
				c.AuthorizationServers = []string{iss}
			}
		}
	}
	// The metadata document must name an authorization server; without
	// one (static tokens) there is no document to point at.
	if c.ResourceMetadataURL != "" && len(c.AuthorizationServers) == 0 && c.JWT != nil {
		return Config{}, fmt.Errorf("%s names a metadata document, which must name an authorization server by its URL, and %s is no URL: "+
			"set %s, or leave the metadata URL unset", EnvResourceMetadataURL, EnvJWTIssuer, EnvAuthorizationServers)
	}
	if c.ResourceMetadataURL != "" && len(c.AuthorizationServers) == 0 && c.Enabled() {
		return Config{}, fmt.Errorf("%s names a metadata document, which must name an authorization server, and none issues these tokens: "+
			"set %s, or leave the metadata URL unset", EnvResourceMetadataURL, EnvAuthorizationServers)
	}
	// Settings that only a verifier acts on say that tokens were meant to
	// be checked; without a verifier the server would start open.
	if !c.Enabled() {
		for _, s := range []struct {
			name string
			set  bool
		}{
			{EnvRequiredScopes, len(c.Scopes) > 0}, // and so MCP_SCOPE_IMPLIES, which needs it
			{EnvResourceMetadataURL, c.ResourceMetadataURL != ""},
			{EnvAuthorizationServers, len(c.AuthorizationServers) > 0},
		} {
			if s.set {
				return Config{}, fmt.Errorf("%s is set, but nothing checks tokens: set %s or the MCP_JWT_* variables "+
					"(or, on an MCP server behind an API Gateway authorizer, %s=1)", s.name, EnvTokenSHA256, EnvFromAuthorizer)
			}
		}
	}
	return c, nil
}

// checkURL refuses a URL published to clients as it is that is not an
// http(s) URL or that holds credentials, naming the variable it came
// from; the error shows the URL without them, cut at maxQuotedURLBytes.
// An empty value is not set.
func checkURL(name, value string) error {
	if value == "" {
		return nil
	}
	p, err := url.Parse(value)
	if err != nil {
		// The parser's error quotes the whole value, and a value
		// that does not parse cannot be redacted: one holding an @
		// may hold a password, so only the reason is given.
		why := err
		if ue, ok := errors.AsType[*url.Error](err); ok {
			why = ue.Err
		}
		if strings.Contains(value, "@") {
			return fmt.Errorf("%s is not an http(s) URL (%s; the value holds an @, which may mark a password, so it is not shown)", name, unquoted(why.Error()))
		}
		return fmt.Errorf("%s=%q is not an http(s) URL (%s)", name, textcut.Cut(value, maxQuotedURLBytes), textcut.Cut(why.Error(), maxQuotedValueBytes))
	}
	if (p.Scheme != "https" && p.Scheme != "http") || p.Hostname() == "" {
		// Written without "//" (u:pass@host/mcp, https:u:pass@host),
		// a password is no user's to the parser but a scheme's opaque
		// part or a path, which Redacted leaves as it is.
		if p.User == nil && strings.Contains(value, "@") {
			return fmt.Errorf("%s is not an http(s) URL (the value holds an @, which may mark a password, so it is not shown)", name)
		}
		return fmt.Errorf("%s=%q is not an http(s) URL", name, textcut.Cut(withoutUser(p), maxQuotedURLBytes))
	}
	// Clients would be told the credentials, and the logs would
	// hold them; the error names the URL without them.
	if p.User != nil {
		return fmt.Errorf("%s=%q names a user: a URL published to clients holds no credentials", name, textcut.Cut(withoutUser(p), maxQuotedURLBytes))
	}
	// The parser takes any digits as a port: one beyond TCP's names a
	// server no client can reach.
	if !portInRange(p.Port()) {
		if strings.Contains(value, "@") {
			return fmt.Errorf("%s has port %q, beyond TCP's (1 to 65535; the value holds an @, which may mark a password, so it is not shown)", name, textcut.Cut(p.Port(), maxQuotedValueBytes))
		}
		return fmt.Errorf("%s=%q has port %q, beyond TCP's (1 to 65535)", name, textcut.Cut(p.String(), maxQuotedURLBytes), textcut.Cut(p.Port(), maxQuotedValueBytes))
	}
	// The parser takes a space in the path or query as it is, but no URI
	// holds one (RFC 3986 section 2): it is most likely two URLs written
	// with a space between them where a comma belongs, or one wrapped
	// across lines, and it would be published to clients as it is.
	if strings.ContainsFunc(value, unicode.IsSpace) {
		if strings.Contains(value, "@") {
			return fmt.Errorf("%s holds white space, which no URL does (a list takes commas between URLs; the value holds an @, which may mark a password, so it is not shown)", name)
		}
		return fmt.Errorf("%s=%q holds white space, which no URL does (a list takes commas between URLs)", name, textcut.Cut(value, maxQuotedURLBytes))
	}
	return nil
}

// Enabled reports whether any verification is configured.
func (c Config) Enabled() bool {
	return len(c.TokenHashes) > 0 || c.JWT != nil || c.FromAuthorizer
}

// Verifier builds the verifier the configuration describes: the authorizer
// context when FromAuthorizer is set, else static tokens and JWTs, either
// accepted. Static tokens are granted the required scopes: holding one is
// full access. It returns an error when nothing is configured.
func (c Config) Verifier(logger *slog.Logger) (Verifier, error) {
	if c.FromAuthorizer {
		return &AuthorizerVerifier{}, nil
	}
	var vs []Verifier
	if len(c.TokenHashes) > 0 {
		v, err := NewStaticVerifier(c.TokenHashes, &StaticOptions{Scopes: c.Scopes})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvTokenSHA256, err)
		}
		vs = append(vs, v)
	}
	if c.JWT != nil {
		opts := *c.JWT
		opts.Logger = logger
		if opts.Resource == "" {
			opts.Resource = c.ResourceURL
		}
		v, err := NewJWTVerifier(opts)
		if errors.As(err, new(jwksURLError)) {
			return nil, fmt.Errorf("%s: %w", EnvJWTJWKSURL, err)
		}
		if err != nil {
			// A Config built in code: what it refuses is no variable's.
			return nil, err
		}
		vs = append(vs, v)
	}
	if len(vs) == 0 {
		return nil, errors.New("no authentication configured")
	}
	return AnyOf(vs...), nil
}

// AuthorizerOptions returns the options for [NewAuthorizer] this
// configuration describes.
func (c Config) AuthorizerOptions(logger *slog.Logger) *AuthorizerOptions {
	return &AuthorizerOptions{Scopes: c.Scopes, ScopeHierarchy: c.ScopeHierarchy, Logger: logger}
}

// MiddlewareOptions returns the options for [Middleware] this configuration
// describes.
func (c Config) MiddlewareOptions(logger *slog.Logger) *MiddlewareOptions {
	return &MiddlewareOptions{
		ResourceURL:          c.ResourceURL,
		ResourceMetadataURL:  c.ResourceMetadataURL,
		AuthorizationServers: c.AuthorizationServers,
		Scopes:               c.Scopes,
		ScopeHierarchy:       c.ScopeHierarchy,
		AllowedOrigins:       c.AllowedOrigins,
		Logger:               logger,
	}
}

// parseScopeHierarchy reads MCP_SCOPE_IMPLIES: entries separated by ";",
// each a broader scope, "=", and the scopes it implies separated by spaces,
// as in "mcp:admin=mcp:tools mcp:read; mcp:write=mcp:read".
func parseScopeHierarchy(v string) (ScopeHierarchy, error) {
	var h ScopeHierarchy
	for entry := range strings.SplitSeq(v, ";") {
		// ASCII white space is trimmed, as the required scopes are
		// split at it; another space is kept, for oauthscope.Check to refuse
		// rather than to be dropped unseen.
		if oauthscope.Trim(entry) == "" {
			continue
		}
		broad, narrow, ok := strings.Cut(entry, "=")
		broad, implied := oauthscope.Trim(broad), oauthscope.List(narrow)
		// An implied scope with "=" in it is most likely a ";" left out
		// ("a=b c=d"): refused, though a scope may hold "=".
		if !ok || broad == "" || len(oauthscope.List(broad)) != 1 || len(implied) == 0 ||
			slices.ContainsFunc(implied, func(s string) bool { return strings.Contains(s, "=") }) {
			return nil, fmt.Errorf("%s: %q is not SCOPE=IMPLIED [IMPLIED…] (entries are separated by \";\")", EnvScopeImplies, textcut.Cut(oauthscope.Trim(entry), oauthscope.MaxQuotedBytes))
		}
		if err := oauthscope.Check(EnvScopeImplies, append([]string{broad}, implied...)); err != nil {
			return nil, err
		}
		if h == nil {
			h = ScopeHierarchy{}
		}
		h[broad] = append(h[broad], implied...)
	}
	return h, nil
}

// withoutUser is p as an error may show it: with "xxxxx" for its user's
// name and password both, since a token is often given as the name alone
// (https://TOKEN@host), which url.URL.Redacted would show.
func withoutUser(p *url.URL) string {
	if p.User == nil {
		return p.String()
	}
	q := *p
	q.User = url.User("xxxxx")
	return q.String()
}

// unquoted is reason, an error of the URL parser, with each part of the
// value it quotes left out: a password holding "/" or "?" ends the host
// there ("invalid port \":pass\" after host"), and one holding "%" is
// read as an escape ("invalid URL escape \"%ab\"").
func unquoted(reason string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(reason, '"')
		if i < 0 {
			break
		}
		b.WriteString(reason[:i])
		b.WriteString("…")
		q, err := strconv.QuotedPrefix(reason[i:])
		if err != nil {
			return b.String() // no end to the quote: nothing after it is shown
		}
		reason = reason[i+len(q):]
	}
	b.WriteString(reason)
	return b.String()
}

// looksHTTP reports whether v is written as an http(s) URL is, "http:"
// or "https:" first, in any case.
func looksHTTP(v string) bool {
	scheme, _, ok := strings.Cut(v, ":")
	return ok && (strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https"))
}

// portInRange reports whether port, a URL's, is empty or one TCP has
// (1 to 65535).
func portInRange(port string) bool {
	if port == "" {
		return true
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535
}

// isASCII reports whether s holds ASCII characters only.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
