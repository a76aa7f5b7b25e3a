package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// maxJWKSBytes bounds a JWKS response; real key sets are a few KiB.
const maxJWKSBytes = 1 << 20

// keyCache holds an issuer's JWKS. It fetches on first use, again when the
// set is older than ttl, and when a token names a kid the set lacks; every
// refresh after the first load is at most one per minRefresh, so a flood of
// tokens with made-up kids cannot turn into a flood of fetches. Until a set
// has loaded, a failed fetch is tried again after unloadedRetry instead:
// without keys every token is refused, so a brief outage at start-up must
// not refuse them for a whole minRefresh.
//
// The fetch runs without the lock, one at a time: tokens whose key is
// already held verify while it is in flight, and tokens that need what it
// brings wait for it (each until its own deadline) instead of starting
// another.
//
// A kid the held set lacks is judged by the latest fetch to end: after one
// that succeeded, the token is invalid; after one that failed (its own
// refresh, or one within the allowance before it), the issuer may have
// rotated its keys meanwhile, and the token cannot be checked
// (ErrKeysUnavailable), as when no set has loaded. So too when its caller
// stops waiting for a fetch still in flight, which may bring the key.
type keyCache struct {
	issuer     string // whose discovery document names url, when url is ""
	client     *http.Client
	ttl        time.Duration
	minRefresh time.Duration
	logger     *slog.Logger
	now        func() time.Time

	mu           sync.Mutex
	url          string // "" until the issuer's discovery document names it
	set          jwk.Set
	fetchedAt    time.Time
	refreshAfter time.Time     // no refresh before this instant
	failed       bool          // the latest fetch to end failed
	fetching     chan struct{} // closed when the fetch in flight ends; nil if none
}

// lookup returns the keys for kid: more than one where keys of the set
// share it, as RFC 7517 section 4.5 allows keys of different types to. An
// empty kid matches the only key of a one-key set.
func (c *keyCache) lookup(ctx context.Context, kid string) ([]jwk.Key, error) {
	c.mu.Lock()
	set, stale := c.set, c.set != nil && c.now().Sub(c.fetchedAt) > c.ttl
	c.mu.Unlock()
	loaded := false
	switch {
	case set == nil:
		set, _ = c.refresh(ctx, "load", true)
		loaded = true
	case stale:
		// The old set serves others until the new one is in; this
		// request waits for it (until its deadline draws near). A
		// fetch nobody waited for would be frozen with the execution
		// environment when the invocation ends, and time out on its
		// thaw.
		set, _ = c.refresh(ctx, "load", false)
	}
	if set == nil {
		return nil, ErrKeysUnavailable
	}
	if keys := find(set, kid); len(keys) > 0 {
		return keys, nil
	}
	// A set loaded for this very token is as new as a refresh would
	// bring; fetching again would only double the wait, up to the
	// authorizer's whole time, for the same answer.
	if loaded {
		return nil, fmt.Errorf("no signing key with kid %q", kid)
	}
	set, pending := c.refresh(ctx, "unknown kid", true)
	if set != nil {
		if keys := find(set, kid); len(keys) > 0 {
			return keys, nil
		}
	}
	if pending {
		// Judged by no fetch: the one in flight may bring the key.
		return nil, fmt.Errorf("%w: no held signing key with kid %q, and the fetch that may bring it has not ended", ErrKeysUnavailable, kid)
	}
	c.mu.Lock()
	failed, next := c.failed, c.refreshAfter.Sub(c.now())
	c.mu.Unlock()
	if failed {
		// Not the token's fault: a 401 would send the client to sign in
		// again for a key the set may have gained in the outage. It may
		// be checked once the next fetch is allowed, not before.
		return nil, &unavailableError{fmt.Errorf("%w: no held signing key with kid %q, and the key set could not be fetched again", ErrKeysUnavailable, kid), next}
	}
	return nil, fmt.Errorf("no signing key with kid %q", kid)
}

// find returns every key of set whose kid is kid, in the set's order.
func find(set jwk.Set, kid string) []jwk.Key {
	if kid == "" {
		if key, ok := set.Key(0); ok && set.Len() == 1 {
			return []jwk.Key{key}
		}
		return nil
	}
	var keys []jwk.Key
	for i := range set.Len() {
		key, ok := set.Key(i)
		if id, has := key.KeyID(); ok && has && id == kid {
			keys = append(keys, key)
		}
	}
	return keys
}

// refresh fetches the set if the rate limit allows and returns the set held
// afterwards. A failed fetch keeps the old set. If a fetch is already in
// flight, refresh waits for it when wait is set, and otherwise returns the
// set held now.
//
// The fetch is the cache's, not the caller's: it runs bounded by its own
// time alone (fetch), while each caller waits for it until its own
// deadline, less deadlineMargin, or until it hangs up. A caller that stops
// waiting gets the set held, and pending set: the fetch in flight may
// bring the key it lacks, so that lookup answers ErrKeysUnavailable for
// one, whatever the latest fetch to end brought; the fetch goes on for the
// callers with more time, and counts against the refresh allowance once,
// whoever started it.
func (c *keyCache) refresh(ctx context.Context, reason string, wait bool) (set jwk.Set, pending bool) {
	waitCtx, cancel := untilDeadlineMargin(ctx)
	defer cancel()
	c.mu.Lock()
	done := c.fetching
	switch {
	case done != nil && !wait:
		defer c.mu.Unlock()
		return c.set, false
	case done == nil:
		now := c.now()
		if now.Before(c.refreshAfter) { // zero until a fetch has started
			defer c.mu.Unlock()
			return c.set, false
		}
		if waitCtx.Err() != nil {
			// No time to wait for a fetch: starting one would spend the
			// refresh allowance on a fetch nobody waits for, frozen with
			// the execution environment once the invocation ends.
			held := c.set
			c.mu.Unlock()
			c.logStopped(ctx, reason, waitCtx)
			return held, false
		}
		done = c.start(ctx, reason, now)
	}
	c.mu.Unlock()
	select {
	case <-done:
	case <-waitCtx.Done():
		select {
		case <-done: // ended together: the fetch's outcome counts
		default:
			c.logStopped(ctx, reason, waitCtx)
			pending = true
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.set, pending
}

// start begins a fetch, with c.mu held, and returns the channel closed
// when it ends. The fetch keeps ctx's values (the request id its log line
// names) but not its deadline or cancellation.
func (c *keyCache) start(ctx context.Context, reason string, now time.Time) chan struct{} {
	first := c.set == nil
	c.refreshAfter = now.Add(c.minRefresh)
	done := make(chan struct{})
	c.fetching = done
	go c.load(context.WithoutCancel(ctx), reason, now, first, done)
	return done
}

// load runs the fetch start began at now and keeps what it brings.
func (c *keyCache) load(ctx context.Context, reason string, now time.Time, first bool, done chan struct{}) {
	// Closed last, after the log line: a caller that has waited sees the
	// fetch's every effect.
	defer close(done)
	set, err := c.fetch(ctx)

	c.mu.Lock()
	c.fetching, c.failed = nil, err != nil
	where := c.where()
	switch {
	case err == nil:
		if first {
			// The first load (after failures too) does not use up the
			// refresh allowance: a key rotated just after start-up is
			// still picked up at once.
			c.refreshAfter = now
		}
		c.set, c.fetchedAt = set, now
	case c.set == nil:
		// From the failure's end, not the fetch's start: a fetch that
		// failed by timing out would otherwise leave no pause at all, and
		// every token would wait out a fetch of its own.
		c.refreshAfter = c.now().Add(min(unloadedRetry, c.minRefresh))
	}
	c.mu.Unlock()

	if c.logger != nil {
		if err != nil {
			// Cut and escaped as a refusal's reason is: the parser's
			// error, or a redirect's, may quote the key server's answer
			// at length, and raw.
			c.logger.WarnContext(ctx, "jwks fetch failed", "url", loggableURL(where), "reason", reason, "error", loggable(err.Error(), maxLoggedReasonBytes))
		} else {
			c.logger.InfoContext(ctx, "jwks fetched", "url", loggableURL(where), "reason", reason, "keys", set.Len())
		}
	}
}

// logStopped logs a caller's giving up on the key set, with why: waitCtx's
// cause. A debug line, not a failed fetch's warning: the caller hung up or
// ran out of time, and the fetch, if one runs, may yet succeed; its own
// failure is logged by load.
func (c *keyCache) logStopped(ctx context.Context, reason string, waitCtx context.Context) {
	if c.logger != nil {
		c.mu.Lock()
		where := c.where()
		c.mu.Unlock()
		c.logger.DebugContext(ctx, "jwks fetch not waited for", "url", loggableURL(where), "reason", reason, "cause", context.Cause(waitCtx).Error())
	}
}

// where is what a fetch asks for first, with c.mu held: the key set, or
// the issuer's discovery document while the key set's URL is unknown.
func (c *keyCache) where() string {
	if c.url == "" {
		return discoveryURL(c.issuer)
	}
	return c.url
}

// deadlineMargin is how long before its request's deadline a caller stops
// waiting for the key set: the time left to answer the refusal (the
// Middleware's 503 and challenge, the authorizer's failure and its log
// line), which an invocation cut by Lambda's timeout never gives. It is
// the margin lambdamcp leaves a handler before the deadline by default.
const deadlineMargin = lambdamcp.DefaultDeadlineMargin

// errDeadlineNear is why a caller stopped waiting at deadlineMargin.
var errDeadlineNear = errors.New("stopped waiting for the key set: the request's deadline is near")

// untilDeadlineMargin is ctx ending deadlineMargin before its deadline, if
// it has one.
func untilDeadlineMargin(ctx context.Context) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok {
		return context.WithDeadlineCause(ctx, dl.Add(-deadlineMargin), errDeadlineNear)
	}
	return context.WithCancel(ctx)
}

// loggableURL is raw without what may be a secret: the user information
// (a password) and the query (a pre-signed URL's signature, say). Logs and
// errors name a JWKS URL only so, cut at maxQuotedURLBytes: the setting
// may be of any size, and each fetch's line names it.
func loggableURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(a URL that does not parse)"
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return textcut.Cut(u.String(), maxQuotedURLBytes)
}

// unloadedRetry is the least time between two fetches while no key set has
// loaded yet.
const unloadedRetry = time.Second

// defaultFetchTimeout bounds a JWKS fetch whose client sets no Timeout. It
// leaves an authorizer with deploy/'s 10 s function timeout the time to
// answer after a fetch that failed.
const defaultFetchTimeout = 5 * time.Second

func (c *keyCache) fetch(ctx context.Context) (jwk.Set, error) {
	// A client without a timeout must not hold the refresh for ever.
	ctx, cancel := withFetchBound(ctx, c.client)
	defer cancel()
	// The key set's URL, found once from the issuer when it was not
	// given, within the same bound: one fetch in flight at a time does
	// both, and a failure of either is a failed fetch.
	c.mu.Lock()
	u := c.url
	c.mu.Unlock()
	if u == "" {
		found, err := discoverKeysURL(ctx, c.client, c.issuer)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.url, u = found, found
		c.mu.Unlock()
		if c.logger != nil {
			c.logger.InfoContext(ctx, "jwks url discovered", "issuer", loggableURL(c.issuer), "url", loggableURL(u))
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	// Both types a key set is served as: issuers that negotiate answer
	// 406 to an Accept without theirs (Kubernetes' service account issuer
	// serves RFC 7517's alone).
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			ue.URL = loggableURL(ue.URL) // the URL it failed at: a redirect's too
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("jwks: HTTP status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading jwks: %w", err)
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("jwks larger than %d bytes", maxJWKSBytes)
	}
	// A key this verifier cannot read (a new key type, a curve it lacks)
	// does not fail the whole set: RFC 7517 section 5 asks that such keys
	// be ignored, and an issuer may publish one beside the keys in use.
	// jwx keeps it as a placeholder, which is dropped here, so that it
	// counts for nothing (a token without kid still matches a set of one
	// usable key).
	parsed, err := jwk.Parse(body, jwk.WithStrictKeySetParsing(false))
	if err != nil {
		return nil, fmt.Errorf("parsing jwks: %w", err)
	}
	set := jwk.NewSet()
	for i := range parsed.Len() {
		if key, ok := parsed.Key(i); ok && !jwk.IsUnsupportedKey(key) {
			if err := set.AddKey(key); err != nil {
				return nil, fmt.Errorf("parsing jwks: %w", err)
			}
		}
	}
	if set.Len() == 0 {
		return nil, fmt.Errorf("jwks has no keys this verifier can use")
	}
	return set, nil
}

// discoveryURL is where issuer's OpenID Connect discovery document is
// (OpenID Connect Discovery 1.0 section 4): the issuer without its
// trailing slash, then /.well-known/openid-configuration.
func discoveryURL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
}

// DiscoverJWKSURL returns the jwks_uri of issuer's OpenID Connect
// discovery document, read and checked as a [JWTVerifier] given no
// JWKSURL reads and checks it: issuer must be an https URL (plain http
// only on a loopback address) without user, query or fragment (not even
// an empty one), its scheme written in lower case, the document is read up to a bound, through redirects
// over https only, and must name issuer exactly, and its jwks_uri must be
// one JWKSURL may be. client nil means
// one with a 5 second timeout; a client without a Timeout is bounded by
// 5 seconds too. Errors quote what the issuer's server sent escaped and
// cut, and name no URL's query or user.
func DiscoverJWKSURL(ctx context.Context, issuer string, client *http.Client) (string, error) {
	if why := undiscoverable(issuer); why != "" {
		return "", fmt.Errorf("jwks discovery: the issuer %q %s", loggableURL(issuer), why)
	}
	if issuerSchemeInCapitals(issuer) {
		return "", errors.New("jwks discovery: the issuer's scheme (before ://) has capitals: write it in lower case, as its discovery document names it; the issuer is matched exactly")
	}
	if client == nil {
		client = &http.Client{Timeout: defaultFetchTimeout}
	}
	ctx, cancel := withFetchBound(ctx, client)
	defer cancel()
	return discoverKeysURL(ctx, keysOnlyOverTLS(client), issuer)
}

// withFetchBound is ctx bounded as a fetch with client is: by the client's
// Timeout, or by defaultFetchTimeout when it sets none.
func withFetchBound(ctx context.Context, client *http.Client) (context.Context, context.CancelFunc) {
	bound := client.Timeout
	if bound <= 0 {
		bound = defaultFetchTimeout
	}
	return context.WithTimeout(ctx, bound)
}

// discoverKeysURL reads issuer's discovery document with client, whose
// redirects keysOnlyOverTLS bounds, for its jwks_uri. The document is
// bounded as a key set is, must name issuer exactly (OpenID Connect
// Discovery 1.0 section 4.3: else anyone who serves a document could name
// the keys of another), and its jwks_uri must be one keysURL takes, and
// https when the issuer is: plain http on a loopback address, named by a
// document read over https, would have the keys served by whatever
// listens on this machine, as a redirect there would.
func discoverKeysURL(ctx context.Context, client *http.Client, issuer string) (string, error) {
	doc := discoveryURL(issuer)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, doc, nil)
	if err != nil {
		return "", fmt.Errorf("jwks discovery: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			ue.URL = loggableURL(ue.URL)
		}
		return "", fmt.Errorf("jwks discovery: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("jwks discovery: the issuer's discovery document %s: HTTP status %d", loggableURL(doc), resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return "", fmt.Errorf("jwks discovery: reading the issuer's discovery document %s: %w", loggableURL(doc), err)
	}
	if len(body) > maxJWKSBytes {
		return "", fmt.Errorf("jwks discovery: the issuer's discovery document %s is larger than %d bytes", loggableURL(doc), maxJWKSBytes)
	}
	// Members are read by their exact names, the last of a name counting:
	// decoded into a struct, "Issuer" (or "iſſuer") would be taken for
	// "issuer", and a null after a member's string would leave the string.
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil || members == nil {
		return "", fmt.Errorf("jwks discovery: the issuer's discovery document %s is no JSON object", loggableURL(doc))
	}
	str := func(name string) (string, bool) {
		raw, present := members[name]
		var s string
		return s, !present || raw[0] == '"' && json.Unmarshal(raw, &s) == nil
	}
	var meta struct{ Issuer, JWKSURI string }
	var issuerOK, keysOK bool
	meta.Issuer, issuerOK = str("issuer")
	meta.JWKSURI, keysOK = str("jwks_uri")
	if !issuerOK || !keysOK {
		return "", fmt.Errorf("jwks discovery: the discovery document %s has an issuer or jwks_uri that is no string", loggableURL(doc))
	}
	if meta.Issuer != issuer {
		return "", fmt.Errorf("jwks discovery: the discovery document %s names issuer %q, not the issuer it is found at", loggableURL(doc), textcut.Cut(meta.Issuer, maxQuotedURLBytes))
	}
	if meta.JWKSURI == "" {
		return "", fmt.Errorf("jwks discovery: the discovery document %s names no jwks_uri", loggableURL(doc))
	}
	u, err := url.Parse(meta.JWKSURI)
	if err != nil || u.Host == "" || u.Scheme != "https" && u.Scheme != "http" {
		return "", fmt.Errorf("jwks discovery: the discovery document %s names jwks_uri %q, which is no http(s) URL naming a host",
			loggableURL(doc), loggableURL(meta.JWKSURI))
	}
	if iss, _ := url.Parse(issuer); !keysURL(u) || (iss != nil && iss.Scheme == "https" && u.Scheme != "https") {
		return "", fmt.Errorf("jwks discovery: the discovery document %s names jwks_uri %q, which would be read in the clear (keys are fetched over https only, plain http only on a loopback address from an issuer there)",
			loggableURL(doc), loggableURL(meta.JWKSURI))
	}
	return meta.JWKSURI, nil
}
