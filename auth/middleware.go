package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// MiddlewareOptions configures [Middleware].
type MiddlewareOptions struct {
	// ResourceURL is the MCP endpoint URL exactly as clients use it: the
	// RFC 9728 "resource" and the audience tokens are minted for. Empty means
	// it is derived from each request (X-Forwarded-Proto, Host, path). One
	// that is not an http or https URL with a host name, or that has a
	// fragment (which RFC 8707 rules out of a resource identifier) or a
	// user, is answered 500 on every request.
	ResourceURL string
	// ResourceMetadataURL is advertised in WWW-Authenticate challenges.
	// Empty means the path-suffixed well-known URL of the resource (see
	// [MetadataURL]). Behind an API Gateway stage, set it to a URL that
	// includes the stage.
	ResourceMetadataURL string
	// AuthorizationServers lists issuer URLs for the metadata document.
	// The MCP authorization spec requires at least one there: without any
	// (static tokens, which no authorization server issues), no document
	// is served and challenges point at none, ResourceMetadataURL or not.
	AuthorizationServers []string
	// Scopes are required of every caller; they are sent in challenges and
	// published as scopes_supported. Nil requires none.
	Scopes []string
	// ScopeHierarchy says which required scopes a broader scope implies:
	// a token holding the broader one is not refused for want of them.
	// Nil implies nothing: each required scope must be held by name.
	ScopeHierarchy ScopeHierarchy
	// ResourceName is the human-readable name in the metadata document.
	// Empty leaves it out.
	ResourceName string
	// AllowedOrigins lists the browser origins (scheme://host[:port]) allowed
	// to call; "*" allows any. They are compared as browsers send an
	// Origin: letter case, a trailing slash or the scheme's default port
	// makes no difference. A request without an Origin header (any
	// non-browser client) is always allowed, and so is the origin of the
	// resource itself: ResourceURL's, or the request's own when
	// ResourceURL is empty (one that names no origin, as a relative URL
	// or one that does not parse, allows none; so does an empty one
	// behind an ALB, which passes on any Host the client sends, a page
	// whose name was rebound to it too, but for a loopback Host, which no
	// rebound name is). Nil allows no other origin.
	AllowedOrigins []string
	// Logger receives one record per refused request, without the token.
	// Nil logs nothing.
	Logger *slog.Logger
}

type middleware struct {
	v        Verifier
	opts     MiddlewareOptions
	resource *url.URL // nil when derived per request
	next     http.Handler
}

// Middleware returns middleware that admits only requests carrying a bearer
// token v accepts. With no API Gateway authorizer in front (Function URL,
// ALB, local) v checks the token itself; behind one, v is an
// [AuthorizerVerifier].
//
// In order, it serves the RFC 9728 metadata document under [WellKnownPath]
// to anyone; refuses a present Origin that is not allowed (403); answers CORS
// preflights without authentication; and then requires the token: 401 with a
// WWW-Authenticate challenge pointing at the metadata when it is missing or
// invalid, 403 insufficient_scope when a scope is missing, 400
// invalid_request when the URL query carries an access_token. The accepted
// identity reaches tools through the go-sdk as req.Extra.TokenInfo, and
// other handlers through [IdentityFromContext]. Every refusal has a JSON body.
//
// A nil v refuses every token. A ResourceURL that is no resource
// identifier (see MiddlewareOptions.ResourceURL) makes every request a 500:
// validate configuration at start-up. The middleware panics when given a
// nil handler to wrap.
func Middleware(v Verifier, opts *MiddlewareOptions) func(http.Handler) http.Handler {
	if v == nil {
		v = AnyOf() // refuses every token
	}
	m := originMiddleware(opts)
	m.v = v
	badResource := m.opts.ResourceURL != "" && badResourceURL(m.opts.ResourceURL)
	return func(next http.Handler) http.Handler {
		mustHandler(next)
		mm := *m
		mm.next = withTokenInfo(next)
		if badResource {
			return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				writeJSONError(w, http.StatusInternalServerError, "server_error", "the resource URL is misconfigured")
			})
		}
		return &mm
	}
}

func (m *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if metadataPath(r.URL.Path) {
		m.serveMetadata(w, r)
		return
	}
	if m.checkOrigin(w, r) {
		return
	}

	token, err := BearerToken(r.Header.Get("Authorization"))
	if len(r.Header.Values("Authorization")) > 1 {
		// A proxy or gateway in front may have read the other one.
		err = fmt.Errorf("%w: Authorization header given more than once", ErrInvalidToken)
	}
	if tokenInQuery(r) {
		err = errTokenInQuery
	}
	if err != nil {
		m.refuse(w, r, err, nil, errors.Is(err, ErrInvalidToken))
		return
	}
	id, err := verify(withResource(r.Context(), m.resourceURL(r)), m.v, token)
	if err == nil {
		err = m.opts.ScopeHierarchy.check(id, m.opts.Scopes)
	}
	if err != nil {
		m.refuse(w, r, err, id, true)
		return
	}
	m.next.ServeHTTP(w, r.WithContext(WithIdentity(r.Context(), id)))
}

// OriginProtection returns middleware that refuses a request whose Origin
// header is present and not allowed by opts (403 with a JSON-RPC error body,
// as the transport spec asks) and answers CORS preflights, without requiring
// a token: for servers that run without authentication. [Middleware] does
// the same before it checks tokens. Like Middleware, it panics when given
// a nil handler to wrap.
func OriginProtection(opts *MiddlewareOptions) func(http.Handler) http.Handler {
	m := originMiddleware(opts)
	return func(next http.Handler) http.Handler {
		mustHandler(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !m.checkOrigin(w, r) {
				next.ServeHTTP(w, r)
			}
		})
	}
}

// AllowedOrigin returns the Origin check that [OriginProtection] and
// [Middleware] apply with opts: it reports whether a request's Origin, when
// it has one, may call. Give it to lambdamcp.Options.CheckOrigin, so that
// a foreign Origin is refused with 403 before the guard's own checks too.
// A request under [WellKnownPath] may come from any origin, as Middleware
// serves the metadata there to any.
func AllowedOrigin(opts *MiddlewareOptions) func(*http.Request) bool {
	m := originMiddleware(opts)
	return func(r *http.Request) bool {
		if metadataPath(r.URL.Path) {
			return true
		}
		origin, single := singleOrigin(r)
		return single && (origin == "" || m.originAllowed(r, origin))
	}
}

// metadataPath reports whether path is under WellKnownPath, where
// Middleware serves the metadata to anyone, from any origin: a browser
// client reads it to find the authorization server before it holds a token.
func metadataPath(path string) bool {
	return path == WellKnownPath || strings.HasPrefix(path, WellKnownPath+"/")
}

// originMiddleware is the middleware whose Origin check opts configure.
func originMiddleware(opts *MiddlewareOptions) *middleware {
	m := &middleware{}
	if opts != nil {
		m.opts = *opts
	}
	// The Origin check needs the resource's origin alone: a URL that
	// Middleware refuses for its fragment or user still names it, and the
	// request's own Host, which a rebound page names too, must not stand in.
	if u, err := url.Parse(m.opts.ResourceURL); err == nil && u.Scheme != "" && u.Host != "" {
		m.resource = u
	}
	return m
}

// badResourceURL reports whether s, a ResourceURL that is set, is no
// resource identifier for Middleware to publish, as ConfigFromEnv refuses
// MCP_RESOURCE_URL: not an http or https URL with a host name, or with a
// fragment, which RFC 8707 section 2 rules out, or with a user, whose
// credentials every client would be told.
func badResourceURL(s string) bool {
	return checkURL(EnvResourceURL, s) != nil || strings.Contains(s, "#")
}

// checkOrigin refuses a foreign Origin and answers a CORS preflight,
// reporting whether it answered the request.
func (m *middleware) checkOrigin(w http.ResponseWriter, r *http.Request) bool {
	origin, single := singleOrigin(r)
	if single && origin == "" {
		return false
	}
	if !single || !m.originAllowed(r, origin) {
		m.log(r, http.StatusForbidden, "origin not allowed", nil)
		writeJSONRPCError(w, http.StatusForbidden, "Forbidden: origin not allowed")
		return true
	}
	return cors(w, r, origin)
}

// singleOrigin returns the request's Origin header, and false when it is
// given more than once: no browser does that, and a proxy in front may have
// judged the other value, so such a request is refused as a foreign one (as
// an HTTP API or Function URL, which join the two with a comma, refuses it).
func singleOrigin(r *http.Request) (origin string, single bool) {
	if len(r.Header.Values("Origin")) > 1 {
		return "", false
	}
	return r.Header.Get("Origin"), true
}

// errTokenInQuery reports an access_token parameter in the URL query
// (RFC 6750 section 2.3), which the MCP authorization spec forbids: a URL
// is kept in logs, histories and Referer headers. The request is refused,
// even with a good Authorization header too, so that the client hears of
// the leak (RFC 6750 section 3.1: invalid_request) rather than being
// served, or sent to authenticate again with the same result.
var errTokenInQuery = errors.New("access token in the URL query")

// tokenInQuery reports whether r's query has an access_token parameter.
// A pair url.ParseQuery skips counts too, the token is in the URL all the
// same: one holding a ';' (a separator to other readers of the URL, so
// also split at), or whose value does not unescape. Only the names are
// read; the value is not.
func tokenInQuery(r *http.Request) bool {
	for _, pair := range strings.FieldsFunc(r.URL.RawQuery, func(c rune) bool { return c == '&' || c == ';' }) {
		name, _, _ := strings.Cut(pair, "=")
		if name, err := url.QueryUnescape(name); err == nil && name == "access_token" {
			return true
		}
	}
	return false
}

// refuse answers a request that did not authenticate. presented says whether
// the request carried a bearer token at all: RFC 6750 section 3.1 adds an
// error code to the challenge only then.
func (m *middleware) refuse(w http.ResponseWriter, r *http.Request, err error, id *Identity, presented bool) {
	status, code := http.StatusUnauthorized, "invalid_token"
	switch {
	case errors.Is(err, ErrKeysUnavailable):
		// Checked before ErrInvalidToken, which a verifier of one's own
		// may wrap beside it. Not the token's fault: a 401 would send the
		// client to authenticate again for nothing.
		m.log(r, http.StatusServiceUnavailable, err.Error(), id)
		// When the token may next be checked, in whole seconds: a client
		// retrying sooner meets the same 503.
		retry, _ := retryAfter(err)
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int((retry+time.Second-1)/time.Second))))
		writeJSONError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "the token cannot be checked now: try again")
		return
	case errors.Is(err, ErrInsufficientScope):
		status, code = http.StatusForbidden, "insufficient_scope"
	case errors.Is(err, errTokenInQuery):
		status, code = http.StatusBadRequest, "invalid_request"
	case errors.Is(err, ErrInvalidToken):
	case !presented:
		code = ""
	default:
		// A verifier failing in itself; the caller cannot fix it.
		m.log(r, http.StatusInternalServerError, err.Error(), id)
		writeJSONError(w, http.StatusInternalServerError, "server_error", "token verification failed")
		return
	}
	w.Header().Set("WWW-Authenticate", m.challenge(r, code))
	m.log(r, status, err.Error(), id)
	desc := "a bearer token is required"
	switch code {
	case "invalid_token":
		desc = "the bearer token is invalid or expired"
	case "insufficient_scope":
		desc = "the bearer token lacks a required scope"
	case "invalid_request":
		desc = "an access token must not be sent in the URL: send it in the Authorization header"
	}
	if code == "" {
		code = "unauthorized"
	}
	writeJSONError(w, status, code, desc)
}

func (m *middleware) challenge(r *http.Request, code string) string {
	var metadata string
	if m.hasMetadata() {
		metadata = m.metadataURL(r)
	}
	return Challenge(code, metadata, m.opts.Scopes)
}

// Challenge returns a WWW-Authenticate value (RFC 6750 section 3) carrying
// the resource_metadata parameter of RFC 9728 section 5.1. errorCode is ""
// for a request without credentials, "invalid_token" (401),
// "insufficient_scope" (403) or "invalid_request" (400). With no error
// code, metadata URL or scopes to carry, it is `Bearer realm="mcp"`: the
// scheme must be followed by at least one auth-param. Behind an API Gateway
// REST API, which renames a WWW-Authenticate header coming from the
// function, this is the value to put in the UNAUTHORIZED and ACCESS_DENIED
// gateway responses, single-quoted as a static value: scopes holding "'",
// which has no escape there, cannot be named in them.
func Challenge(errorCode, resourceMetadataURL string, scopes []string) string {
	var params []string
	if errorCode != "" {
		params = append(params, "error="+quoteParam(errorCode))
	}
	if resourceMetadataURL != "" {
		params = append(params, "resource_metadata="+quoteParam(resourceMetadataURL))
	}
	if len(scopes) > 0 {
		params = append(params, "scope="+quoteParam(strings.Join(scopes, " ")))
	}
	if len(params) == 0 {
		return `Bearer realm="mcp"`
	}
	return "Bearer " + strings.Join(params, ", ")
}

// quoteParam writes s as an RFC 9110 quoted-string: '"' and '\' escaped
// with a backslash, control characters (which no header value may hold)
// left out, anything else as it is. (Go's %q would write other escapes,
// such as \u00e9, that a client reads as the letters.)
func quoteParam(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 && c != '\t', c == 0x7f:
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func (m *middleware) metadataURL(r *http.Request) string {
	if m.opts.ResourceMetadataURL != "" {
		return m.opts.ResourceMetadataURL
	}
	u, err := MetadataURL(m.resourceURL(r))
	if err != nil {
		return ""
	}
	return u
}

// resourceURL is the URL of the resource r asks for: the configured
// ResourceURL, or the request's own, as the client sent it. At the host's
// root that is the host, without the slash a request's path has there
// whether the client wrote one or not.
func (m *middleware) resourceURL(r *http.Request) string {
	if m.resource != nil {
		return m.resource.String()
	}
	path := r.URL.EscapedPath()
	if path == "/" {
		path = ""
	}
	return requestOrigin(r) + path
}

type resourceKey struct{}

// withResource hands the verifier the URL of the resource the request is
// for, which a JWTVerifier without JWTOptions.Resource checks "aud" against.
func withResource(ctx context.Context, resource string) context.Context {
	return context.WithValue(ctx, resourceKey{}, resource)
}

func resourceFrom(ctx context.Context) string {
	s, _ := ctx.Value(resourceKey{}).(string)
	return s
}

func (m *middleware) log(r *http.Request, status int, reason string, id *Identity) {
	if m.opts.Logger == nil {
		return
	}
	attrs := append([]any{"status", status, "reason", loggable(reason, maxLoggedReasonBytes), "method", loggable(r.Method, textcut.MaxMethodBytes), "path", loggable(r.URL.Path, textcut.MaxPathBytes)}, identityAttrs(id)...)
	m.opts.Logger.InfoContext(r.Context(), "request refused", attrs...)
}

// What a log line repeats of the request is bounded, as the request's own
// line bounds it: a gateway passes on paths of kilobytes, a refused JWT's
// reason may quote its header's values (up to the token's 8 KiB), and a
// refusal costs the client nothing, not even a token. A subject comes from
// a verified token, but an issuer's claims are not ours to size either.
// It is escaped as the request's line escapes it (textcut.Printable): a
// bidi override in a path or a claim would reorder the line.
const (
	maxLoggedReasonBytes   = 1024
	maxLoggedIdentityBytes = 256
)

// loggable is s as a log line repeats it: cut to n bytes, escaped.
func loggable(s string, n int) string {
	return textcut.Printable(textcut.Cut(s, n))
}

// writeJSONError writes an OAuth-style error body (RFC 6749 section 5.2).
func writeJSONError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

// writeJSONRPCError writes a JSON-RPC error with no id, the body the
// transport spec suggests for a refused Origin.
func writeJSONRPCError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"jsonrpc": "2.0",
		"error":   map[string]any{"code": -32600, "message": msg},
	})
}

// mustHandler refuses a nil handler when the middleware is applied, as
// http.ServeMux refuses one, rather than panic at each request it admits.
func mustHandler(next http.Handler) {
	if next == nil {
		panic("auth: nil http.Handler")
	}
}
