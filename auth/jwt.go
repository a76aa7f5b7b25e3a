package auth

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// DefaultAlgorithms are the signature algorithms a [JWTVerifier] accepts when
// [JWTOptions.Algorithms] is empty: asymmetric ones only.
var DefaultAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}

// MaxTokenBytes bounds the tokens the verifiers look at; real access tokens
// are far smaller, and API Gateway caps headers near this size anyway.
const MaxTokenBytes = 8 << 10

// defaultLeeway is the clock skew tolerated on a token's expiry unless
// configured otherwise.
const defaultLeeway = 30 * time.Second

// JWTOptions configures a [JWTVerifier].
type JWTOptions struct {
	// Issuer must equal the token's "iss" claim. Required. One whose
	// scheme, before "://", holds a capital (HTTPS://issuer.example) is
	// refused: it is matched exactly, and issuers write their scheme in
	// lower case, so no token would carry it.
	Issuer string
	// JWKSURL is where the issuer publishes its signing keys: https
	// unless it names a loopback address; redirects away from https are
	// refused too. For Cognito: https://cognito-idp.REGION.amazonaws.com/POOL_ID/.well-known/jwks.json.
	//
	// Empty means the URL the issuer's OpenID Connect discovery document
	// names as its jwks_uri (OpenID Connect Discovery 1.0 section 4), as
	// API Gateway's HTTP API JWT authorizer finds it: the document is
	// fetched with the first key set, from the issuer without a trailing
	// slash and then /.well-known/openid-configuration, and must name
	// Issuer exactly; its jwks_uri is checked as JWKSURL is, and must be
	// https when Issuer is. The issuer must then be an https URL (plain
	// http only on a loopback address) without user, query or fragment. A
	// failed discovery is a failed key fetch, tried again as one is; the
	// URL found is kept for the verifier's life.
	JWKSURL string
	// Audience must appear in the claim named by AudienceClaim. Required:
	// a resource server that skips the audience check accepts tokens minted
	// for any other API of the same issuer (RFC 8707).
	Audience string
	// AudienceClaim names the claim carrying the audience. Empty means "aud".
	// Cognito access tokens carry no "aud"; their audience is "client_id".
	// Such a claim names a client, not this resource: a token that has an
	// "aud" claim all the same must name Resource in it, and the server
	// should require a scope that only this resource's tokens carry.
	AudienceClaim string
	// Resource is this resource's URL (MCP_RESOURCE_URL). With an
	// AudienceClaim other than "aud", a token's "aud" claim, if it has one,
	// must name it, exactly: one whose scheme is written with capitals
	// ("HTTPS://"), which no client asks tokens for, is refused. Empty means the URL [Middleware] serves the request at
	// (its ResourceURL, or the one it derives from the request); where
	// neither is known (an authorizer not given MCP_RESOURCE_URL), such a
	// token is refused.
	Resource string
	// Algorithms is the allowlist of signature algorithms. Empty means
	// DefaultAlgorithms. "none" and the HMAC algorithms are refused even if
	// listed: a resource server holding only public keys must never accept
	// a symmetric signature (the algorithm-confusion attack).
	Algorithms []string
	// Leeway tolerates clock skew on "exp" and "nbf". Zero means 30 seconds;
	// a negative value means none.
	Leeway time.Duration
	// HTTPClient fetches the JWKS, and the discovery document that names
	// it when JWKSURL is empty. Each fetch (the discovery and the key set
	// together, the first time) is bounded by its Timeout,
	// or by 5 seconds when it has none; nil means a client with a 5 second
	// timeout. A token waits for a fetch until 500 ms before its request's
	// deadline at most, then is judged with the keys held: a kid they
	// lack is ErrKeysUnavailable, since that fetch may bring it; the fetch
	// goes on for the tokens with more time. The
	// verifier uses a copy whose redirect policy refuses plain http first,
	// then applies this client's.
	HTTPClient *http.Client
	// CacheTTL is how long a fetched JWKS is used before it is fetched again.
	// Zero means one hour.
	CacheTTL time.Duration
	// MinRefreshInterval is the least time between two fetches caused by
	// unknown key ids or failures. Zero means one minute. Until a key set
	// has loaded, a failed fetch is tried again a second after it failed
	// (after MinRefreshInterval, when that is shorter), and the first
	// load does not count against it.
	MinRefreshInterval time.Duration
	// Logger receives the JWKS fetch events: the key set's URL discovered
	// (Info, once), a set fetched (Info), a fetch failed (Warn), a request that stopped waiting for one (Debug); never
	// tokens. Refused tokens are not logged here: the Middleware and the
	// authorizer log them, each with its own Logger. Nil logs nothing.
	Logger *slog.Logger
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
}

// keysURL reports whether signing keys may be fetched from u: over https,
// or over plain http from this machine (a test's or a local issuer's).
// Keys that travel in the clear can be replaced on the way, and with them
// every token's signature (RFC 8414 section 2: jwks_uri "MUST use the
// https scheme").
func keysURL(u *url.URL) bool {
	switch {
	case u.Host == "":
		return false
	case u.Scheme == "https":
		return true
	case u.Scheme != "http":
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// undiscoverable says why the key set's URL cannot be found from issuer's
// discovery document, "" when it can: issuer must be a URL keysURL takes,
// with no user (which the request would send), query or fragment (which
// an issuer identifier has none of, OpenID Connect Discovery 1.0 section
// 2). An empty fragment is one too: the document's path would follow it,
// and the issuer's own URL be asked.
func undiscoverable(issuer string) string {
	u, err := url.Parse(issuer)
	switch {
	case err != nil || !keysURL(u):
		return "is no https URL (plain http only on a loopback address)"
	case u.User != nil:
		return "names a user"
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(issuer, "#"):
		return "has a query or fragment"
	}
	return ""
}

// issuerSchemeInCapitals reports whether the scheme of issuer, as it is
// written before "://", holds a capital. Such an issuer is no URL to be
// read without regard to the scheme's letter case but a name every
// token's iss (and the discovery document's issuer) must match exactly,
// and issuers write theirs in lower case; the deploy stack refuses it
// too. A resource URL is matched so too, against the resource clients
// ask tokens for. The errors saying so show no part of it: what comes
// before "://" may be a user and password, written before the scheme by
// mistake.
func issuerSchemeInCapitals(issuer string) bool {
	scheme, _, ok := strings.Cut(issuer, "://")
	return ok && scheme != strings.ToLower(scheme)
}

// keysOnlyOverTLS returns a copy of c that refuses to follow a redirect to
// a URL keysURL refuses, or from https to plain http at all, before c's
// own redirect policy applies. Plain http on a loopback address is for a
// JWKSURL that names one: an https URL redirected there would have the
// keys served by whatever listens on this machine (a runtime's API, an
// extension), at the word of the server redirecting.
func keysOnlyOverTLS(c *http.Client) *http.Client {
	cp := *c
	policy := c.CheckRedirect
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		downgrade := len(via) > 0 && via[len(via)-1].URL.Scheme == "https" && req.URL.Scheme != "https"
		if !keysURL(req.URL) || downgrade {
			return fmt.Errorf("jwks: refusing a redirect to %s://%s: keys are fetched over https only", req.URL.Scheme, req.URL.Host)
		}
		if policy != nil {
			return policy(req, via)
		}
		if len(via) >= 10 {
			return errors.New("jwks: stopped after 10 redirects") // net/http's own limit
		}
		return nil
	}
	return &cp
}

// JWTVerifier validates JWT access tokens signed by keys from a JWKS URL.
type JWTVerifier struct {
	opts  JWTOptions
	algs  []jwa.SignatureAlgorithm
	keys  *keyCache
	clock jwt.Clock
}

// jwksURLError is NewJWTVerifier's refusal of the JWKS URL, which
// Config.Verifier names by its variable.
type jwksURLError struct{ error }

func (e jwksURLError) Unwrap() error { return e.error }

// NewJWTVerifier returns a verifier for opts, or an error naming what is
// missing or wrong. It does not fetch the JWKS; the first token does.
func NewJWTVerifier(opts JWTOptions) (*JWTVerifier, error) {
	if opts.Issuer == "" {
		return nil, errors.New("jwt: issuer is required")
	}
	if opts.Audience == "" {
		return nil, errors.New("jwt: audience is required")
	}
	if issuerSchemeInCapitals(opts.Issuer) {
		return nil, errors.New("jwt: the issuer's scheme (before ://) has capitals: write it in lower case, as its tokens' iss claim has it; the issuer is matched exactly")
	}
	if issuerSchemeInCapitals(opts.Resource) {
		return nil, errors.New("jwt: the resource's scheme (before ://) has capitals: write it in lower case, as clients name the resource they ask tokens for; a token's aud is matched exactly")
	}
	if opts.JWKSURL == "" {
		if why := undiscoverable(opts.Issuer); why != "" {
			return nil, fmt.Errorf("jwt: no JWKS URL, and the issuer %q %s, so none can be discovered from it", loggableURL(opts.Issuer), why)
		}
	} else if u, err := url.Parse(opts.JWKSURL); err != nil || !keysURL(u) {
		return nil, jwksURLError{fmt.Errorf("jwt: JWKS URL %q is not an https URL (plain http only on a loopback address)", loggableURL(opts.JWKSURL))}
	}
	if opts.AudienceClaim == "" {
		opts.AudienceClaim = "aud"
	}
	names := opts.Algorithms
	if len(names) == 0 {
		names = DefaultAlgorithms
	}
	var algs []jwa.SignatureAlgorithm
	for _, name := range names {
		alg, ok := jwa.LookupSignatureAlgorithm(name)
		if !ok {
			return nil, fmt.Errorf("jwt: unknown signature algorithm %q", name)
		}
		if alg == jwa.NoSignature() || alg.IsSymmetric() {
			return nil, fmt.Errorf("jwt: algorithm %q is not allowed: only asymmetric signatures are verified", name)
		}
		algs = append(algs, alg)
	}
	switch {
	case opts.Leeway == 0:
		opts.Leeway = defaultLeeway
	case opts.Leeway < 0:
		opts.Leeway = 0
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: defaultFetchTimeout}
	}
	opts.HTTPClient = keysOnlyOverTLS(opts.HTTPClient)
	if opts.CacheTTL == 0 {
		opts.CacheTTL = time.Hour
	}
	if opts.MinRefreshInterval == 0 {
		opts.MinRefreshInterval = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &JWTVerifier{
		opts: opts,
		algs: algs,
		keys: &keyCache{
			url:        opts.JWKSURL,
			issuer:     opts.Issuer,
			client:     opts.HTTPClient,
			ttl:        opts.CacheTTL,
			minRefresh: opts.MinRefreshInterval,
			logger:     opts.Logger,
			now:        opts.Now,
		},
		clock: jwt.ClockFunc(opts.Now),
	}, nil
}

// Verify implements [Verifier]. Every failure wraps [ErrInvalidToken], save
// one: a token that needs a key the verifier cannot have is refused with
// [ErrKeysUnavailable], since it may well be valid. That is while no key
// set could be fetched yet (the JWKS unreachable since start-up), and for a
// kid the held set lacks when the latest fetch failed (the issuer may have
// rotated its keys during the outage): the refetch for that very token, or
// one within MinRefreshInterval before it; the Middleware's Retry-After
// then says when the next fetch is allowed. So too for a kid the held set
// lacks when the token stopped waiting for a fetch still in flight (its
// deadline near, or its request gone), which may bring that key. After a
// fetch that succeeded, a kid the set lacks is an invalid token, and
// brings at most one fetch a MinRefreshInterval.
func (v *JWTVerifier) Verify(ctx context.Context, token string) (*Identity, error) {
	if token == "" || len(token) > MaxTokenBytes {
		return nil, fmt.Errorf("%w: empty or oversized token", ErrInvalidToken)
	}
	header, claims, err := compactSerialization(token)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if err := critical(header); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	var unavailable error // why the key could not be had, as lookup says
	keys := jws.KeyProviderFunc(func(_ context.Context, sink jws.KeySink, sig *jws.Signature, _ *jws.Message) error {
		err := v.selectKey(ctx, sink, sig)
		if errors.Is(err, ErrKeysUnavailable) {
			unavailable = err
		}
		return err
	})
	tok, err := jwt.ParseString(token,
		jwt.WithKeyProvider(keys),
		jwt.WithValidate(true),
		jwt.WithClock(v.clock),
		jwt.WithAcceptableSkew(v.opts.Leeway),
		jwt.WithIssuer(v.opts.Issuer),
		jwt.WithRequiredClaim(jwt.ExpirationKey),
		jwt.WithValidator(jwt.ValidatorFunc(func(_ context.Context, tok jwt.Token) error {
			return v.checkAudience(tok, cmp.Or(v.opts.Resource, resourceFrom(ctx)))
		})),
	)
	if errors.Is(err, ErrKeysUnavailable) {
		return nil, cmp.Or(unavailable, ErrKeysUnavailable)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidToken, reason(err))
	}
	if err := numericDates(claims); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	// Has, not Get's error: Get fails on a claim that is null, and the
	// claim would count as absent.
	var use any
	present := tok.Has("token_use")
	_ = tok.Get("token_use", &use)
	if err := notAccessToken(use, present); err != nil {
		return nil, err
	}
	id := identityFromJWT(tok)
	if id.Subject == "" {
		// Some issuers omit sub on machine tokens; the client is the caller.
		id.Subject = id.ClientID
	}
	if id.Subject == "" {
		return nil, fmt.Errorf("%w: token names no subject or client", ErrInvalidToken)
	}
	return id, nil
}

// compactSerialization reports why token is not a JWS in the compact
// serialization as RFC 7515 section 7.1 writes it: three segments, each
// base64url without padding (section 2), its unused trailing bits zero.
// jwx also reads padding and the standard alphabet, and ignores those
// bits, so that one signed token would have dozens of spellings, each
// verified anew and each its own entry in an API Gateway authorizer's
// cache (keyed by the Authorization header). An ECDSA signature keeps a
// second spelling all the same (s and n-s both verify), which only a
// holder of the token can write. The header and the payload must be
// UTF-8 too, and the payload one JSON object. It returns the decoded
// header and claims set.
func compactSerialization(token string) (header, claims []byte, err error) {
	segments := strings.Split(token, ".")
	if len(segments) != 3 {
		return nil, nil, fmt.Errorf("not a JWS in compact serialization: %d segments, want 3", len(segments))
	}
	for i, seg := range segments {
		// Strict refuses nonzero trailing bits; the length check catches
		// the line breaks the decoder skips.
		b, err := base64.RawURLEncoding.Strict().DecodeString(seg)
		if err != nil || base64.RawURLEncoding.EncodedLen(len(b)) != len(seg) {
			return nil, nil, fmt.Errorf("the %s is not base64url without padding (RFC 7515 section 7.1)", [...]string{"header", "payload", "signature"}[i])
		}
		// RFC 7519 section 7.2 (steps 4 and 10): the header and the
		// claims set must be UTF-8. The JSON decoder would read each
		// byte that is not as U+FFFD, and two subjects differing in
		// those bytes alone as one.
		if i < 2 && !utf8.Valid(b) {
			return nil, nil, fmt.Errorf("the %s is not UTF-8 (RFC 7519 section 7.2)", [...]string{"header", "claims set"}[i])
		}
		// The same for an escaped half of a UTF-16 surrogate pair
		// (\ud800 alone), which stands for no character and which the
		// decoder reads as U+FFFD too (RFC 8259 section 8.2).
		if i < 2 && escapesLoneSurrogate(b) {
			return nil, nil, fmt.Errorf("the %s escapes half a surrogate pair, which is no UTF-8 character (RFC 7519 section 7.2)", [...]string{"header", "claims set"}[i])
		}
		// Step 10 too: the claims set is one JSON object. jwx reads the
		// first JSON value and leaves what follows, and takes a JWS for a
		// nested token, whose claims it would judge by a header not
		// checked here; an access token is never one (RFC 9068).
		if i == 1 && (!json.Valid(b) || !bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte("{"))) {
			return nil, nil, errors.New("the claims set is not one JSON object (RFC 7519 section 7.2)")
		}
		switch i {
		case 0:
			header = b
		case 1:
			claims = b
		}
	}
	return header, claims, nil
}

// numericDates refuses a token's claims set (as compactSerialization
// decoded it), once jwx has read the token, when its "exp", "nbf" or
// "iat" is not a JSON number: RFC 7519 writes each as a NumericDate
// (sections 2, 4.1.4 to 4.1.6), a number of seconds. jwx also reads a
// string, of digits or an RFC 3339 date, as a time, so that a token other
// verifiers of the issuer's tokens find malformed would be taken here as
// expiring when the string says. Of a claim named twice the last counts,
// as in jwx.
func numericDates(claims []byte) error {
	var members map[string]json.RawMessage
	if json.Unmarshal(claims, &members) != nil {
		return errors.New("the claims set is not one JSON object (RFC 7519 section 7.2)")
	}
	for _, name := range []string{jwt.ExpirationKey, jwt.NotBeforeKey, jwt.IssuedAtKey} {
		v, ok := members[name]
		if !ok {
			continue
		}
		if c := v[0]; c != '-' && (c < '0' || c > '9') {
			return fmt.Errorf("the %q claim is not a NumericDate, a JSON number of seconds (RFC 7519 section 2)", name)
		}
	}
	return nil
}

// escapesLoneSurrogate reports whether the JSON text b holds a \u escape
// of a UTF-16 surrogate that is not half of a pair: a high one (D800 to
// DBFF) not followed by an escaped low one (DC00 to DFFF), or a low one
// alone.
func escapesLoneSurrogate(b []byte) bool {
	escaped := func(at int) (rune, bool) {
		if at+6 > len(b) || b[at] != '\\' || b[at+1] != 'u' {
			return 0, false
		}
		n, err := strconv.ParseUint(string(b[at+2:at+6]), 16, 16)
		return rune(n), err == nil
	}
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		r, ok := escaped(i)
		if !ok {
			i++ // another escape (\\, \"…): its character is no escape's start
			continue
		}
		i += 5
		switch {
		case r < 0xD800 || r > 0xDFFF:
		case r >= 0xDC00:
			return true
		default:
			low, ok := escaped(i + 1)
			if !ok || low < 0xDC00 || low > 0xDFFF {
				return true
			}
			i += 6
		}
	}
	return false
}

// critical refuses a JOSE header with a "crit" member, whatever its
// value: the verifier understands no JWS extension, and RFC 7515 section
// 4.1.11 forbids accepting one marked critical that it does not
// understand. jwx reads "crit": null as no member at all, and of two
// members the last alone, so that a header naming an extension critical
// and then null would pass it; the member's presence is read here from
// the JSON itself. A header that is no JSON object is left to jwx.
func critical(header []byte) error {
	var members map[string]json.RawMessage
	if json.Unmarshal(header, &members) != nil {
		return nil
	}
	if crit, ok := members[jws.CriticalKey]; ok {
		return fmt.Errorf("critical header extensions %q not understood (crit)", textcut.Cut(string(crit), maxQuotedCritBytes))
	}
	return nil
}

// maxQuotedCritBytes bounds the "crit" value an error quotes: the
// token's to choose, up to its 8 KiB.
const maxQuotedCritBytes = 128

// selectKey hands jwx the keys allowed to verify sig: the token's
// algorithm must be on the allowlist, and each key must be one its kid
// names and fit that algorithm. (A header marking extensions as critical
// never gets here: see critical.)
func (v *JWTVerifier) selectKey(ctx context.Context, sink jws.KeySink, sig *jws.Signature) error {
	hdr := sig.ProtectedHeaders()
	alg, ok := hdr.Algorithm()
	if !ok || !slices.Contains(v.algs, alg) {
		return fmt.Errorf("algorithm %q not allowed", alg.String())
	}
	if typ, ok := hdr.Type(); ok && !accessTokenType(typ) {
		return fmt.Errorf("token type %q is not an access token's (typ)", typ)
	}
	kid, _ := hdr.KeyID()
	keys, err := v.keys.lookup(ctx, kid)
	if err != nil {
		return err
	}
	// Keys sharing a kid are told apart by what they are for: the first
	// one's refusal must not hide a later one that fits.
	var refusal error
	sunk := false
	for _, key := range keys {
		if err := keyVerifies(key, kid, alg); err != nil {
			refusal = cmp.Or(refusal, err)
			continue
		}
		sink.Key(alg, key)
		sunk = true
	}
	if sunk {
		return nil
	}
	return refusal
}

// keyVerifies reports why key, named kid in its set, may not verify an alg
// signature, or nil if it may: a key verifies only what the JWKS says it is
// for.
func keyVerifies(key jwk.Key, kid string, alg jwa.SignatureAlgorithm) error {
	// A JWKS is for public keys (RFC 7517 section 5, RFC 8414 jwks_uri);
	// one published with its private part can be signed with by anyone
	// who fetched it, and what it verifies proves nothing.
	if private, _ := jwk.IsPrivateKey(key); private {
		return fmt.Errorf("key %q is published with its private part: anyone can sign with it", kid)
	}
	if use, ok := key.KeyUsage(); ok && use != "" && use != "sig" {
		return fmt.Errorf("key %q is for %q, not signatures", kid, use)
	}
	// "key_ops" says the same as "use", by operation (RFC 7517 section
	// 4.3): a key published for encryption only must not verify tokens.
	if ops, ok := key.KeyOps(); ok && !slices.Contains(ops, jwk.KeyOpVerify) {
		return fmt.Errorf("key %q is for %q, not verifying signatures", kid, ops)
	}
	if keyAlg, ok := key.Algorithm(); ok && keyAlg.String() != alg.String() {
		return fmt.Errorf("key %q is for %q, token says %q", kid, keyAlg.String(), alg.String())
	}
	if !keyFits(key, alg) {
		return fmt.Errorf("key %q (%s) cannot verify %q", kid, strings.TrimSpace(key.KeyType().String()+" "+curve(key)), alg.String())
	}
	return nil
}

// keyFits reports whether key may verify alg: a key of the type alg is
// defined for and, for an elliptic curve algorithm, on the one curve it is
// defined on (RFC 7518 section 3.4, RFC 8037 section 3.1). Without the curve
// check, a P-256 key that names no algorithm would verify ES384 and ES512
// signatures too, though each key is for one algorithm (RFC 8725 section
// 3.1), and the allowlist would not say what it seems to.
func keyFits(key jwk.Key, alg jwa.SignatureAlgorithm) bool {
	kty, name := key.KeyType(), alg.String()
	switch {
	case strings.HasPrefix(name, "RS"), strings.HasPrefix(name, "PS"):
		return kty == jwa.RSA()
	case name == "EdDSA":
		return kty == jwa.OKP() && (curve(key) == "Ed25519" || curve(key) == "Ed448")
	case name == "Ed25519":
		return kty == jwa.OKP() && curve(key) == "Ed25519"
	case strings.HasPrefix(name, "ES"):
		want, ok := ecdsaCurves[name]
		return ok && kty == jwa.EC() && curve(key) == want
	}
	return false
}

// ecdsaCurves names the curve of each ECDSA algorithm (RFC 7518 section
// 3.4, RFC 8812 section 3.2).
var ecdsaCurves = map[string]string{"ES256": "P-256", "ES384": "P-384", "ES512": "P-521", "ES256K": "secp256k1"}

// curve returns the "crv" of an elliptic curve key, "" for another key.
func curve(key jwk.Key) string {
	k, ok := key.(interface {
		Crv() (jwa.EllipticCurveAlgorithm, bool)
	})
	if !ok {
		return ""
	}
	crv, _ := k.Crv()
	return crv.String()
}

// checkAudience accepts the token if the audience claim is, or contains, the
// configured audience. With another claim than "aud", an "aud" the token
// has all the same must name resource, this one's URL: the MCP
// authorization spec has a server refuse tokens whose audience is another
// (RFC 8707).
func (v *JWTVerifier) checkAudience(tok jwt.Token, resource string) error {
	aud, _ := tok.Audience()
	if v.opts.AudienceClaim == jwt.AudienceKey {
		if !slices.Contains(aud, v.opts.Audience) {
			return errors.New(`wrong audience: "aud" claim does not name this resource`)
		}
		return nil
	}
	if !slices.Contains(stringsClaim(tok, v.opts.AudienceClaim), v.opts.Audience) {
		return fmt.Errorf("wrong audience: %q claim does not name this resource", v.opts.AudienceClaim)
	}
	if len(aud) > 0 && (resource == "" || !slices.Contains(aud, resource)) {
		return errors.New(`wrong audience: the token's "aud" claim does not name this resource`)
	}
	return nil
}

// accessTokenType reports whether a JWS "typ" header fits an access token:
// RFC 9068's "at+jwt", or the plain "JWT" most issuers write. RFC 8725
// section 3.11 has a verifier refuse tokens typed for other uses (logout
// tokens, security events, DPoP proofs), which share an issuer's keys.
// Media types compare without case, and the "application/" prefix is
// optional (RFC 7515 section 4.1.9).
func accessTokenType(typ string) bool {
	t := strings.ToLower(typ)
	t = strings.TrimPrefix(t, "application/")
	return t == "at+jwt" || t == "jwt"
}

// stringsClaim reads a claim that is a string or an array of strings.
func stringsClaim(tok jwt.Token, name string) []string {
	var raw any
	if err := tok.Get(name, &raw); err != nil {
		return nil
	}
	if s, ok := raw.(string); ok {
		return []string{s}
	}
	return stringList(raw)
}

func identityFromJWT(tok jwt.Token) *Identity {
	id := &Identity{Method: "jwt"}
	id.Subject, _ = tok.Subject()
	id.Issuer, _ = tok.Issuer()
	id.Expiry, _ = tok.Expiration()
	// "client_id" is RFC 9068's (and Cognito's); "azp" is OIDC's.
	for _, c := range []string{"client_id", "azp"} {
		if s := stringsClaim(tok, c); len(s) == 1 {
			id.ClientID = s[0]
			break
		}
	}
	// "scope" is a space-separated string (RFC 9068, Cognito, Auth0);
	// "scp" is an array (Okta, Microsoft) or sometimes a string.
	for _, s := range stringsClaim(tok, "scope") {
		id.Scopes = append(id.Scopes, parseScopes(s)...)
	}
	for _, s := range stringsClaim(tok, "scp") {
		id.Scopes = append(id.Scopes, parseScopes(s)...)
	}
	slices.Sort(id.Scopes)
	id.Scopes = slices.Compact(id.Scopes)
	return id
}

// reason turns a jwx error into a short, token-free explanation.
func reason(err error) string {
	switch {
	case errors.Is(err, jwt.TokenExpiredError()):
		return "token expired"
	case errors.Is(err, jwt.TokenNotYetValidError()):
		return "token not yet valid"
	case errors.Is(err, jwt.InvalidIssuerError()):
		return "wrong issuer"
	case errors.Is(err, jwt.InvalidAudienceError()):
		return "wrong audience"
	}
	return printable(err.Error())
}

// printable is s with each character a log line would not show as written
// (a control, DEL, a C1 control, a bidi or other format character, a byte
// that is no UTF-8) escaped as %q escapes it, the rest as it stands. jwx
// joins the failures of several signatures with a line break, and repeats
// a claim it cannot read through the time package, which leaves a DEL as
// the token has it. A backslash stays: the token's text reaches the error
// quoted (%q, the time package's quote), its backslashes escaped there, and
// one escaped again would make the token's U+202E read as the text \u202e.
func printable(s string) string {
	return textcut.PrintableStrictKeeping(s, `\`)
}
