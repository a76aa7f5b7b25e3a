package auth

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
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
// brings wait for it instead of starting another.
type keyCache struct {
	url        string
	client     *http.Client
	ttl        time.Duration
	minRefresh time.Duration
	logger     *slog.Logger
	now        func() time.Time

	mu           sync.Mutex
	set          jwk.Set
	fetchedAt    time.Time
	refreshAfter time.Time     // no refresh before this instant
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
		set, loaded = c.refresh(ctx, "load", true), true
	case stale:
		// The old set serves others until the new one is in; this
		// request fetches it inline. A fetch left to run in the
		// background would be frozen with the execution environment
		// when the invocation ends, and time out on its thaw.
		set = c.refresh(ctx, "load", false)
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
	if set = c.refresh(ctx, "unknown kid", true); set != nil {
		if keys := find(set, kid); len(keys) > 0 {
			return keys, nil
		}
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
func (c *keyCache) refresh(ctx context.Context, reason string, wait bool) jwk.Set {
	c.mu.Lock()
	if done := c.fetching; done != nil {
		if !wait {
			defer c.mu.Unlock()
			return c.set
		}
		c.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.set
	}
	now := c.now()
	if now.Before(c.refreshAfter) { // zero until a fetch has started
		defer c.mu.Unlock()
		return c.set
	}
	first := c.set == nil
	c.refreshAfter = now.Add(c.minRefresh)
	done := make(chan struct{})
	c.fetching = done
	c.mu.Unlock()

	set, err := c.fetch(ctx)

	c.mu.Lock()
	c.fetching = nil
	close(done)
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
	held := c.set
	c.mu.Unlock()

	if c.logger != nil {
		if err != nil {
			c.logger.WarnContext(ctx, "jwks fetch failed", "url", loggableURL(c.url), "reason", reason, "error", err.Error())
		} else {
			c.logger.InfoContext(ctx, "jwks fetched", "url", loggableURL(c.url), "reason", reason, "keys", set.Len())
		}
	}
	return held
}

// loggableURL is raw without what may be a secret: the user information
// (a password) and the query (a pre-signed URL's signature, say). Logs and
// errors name a JWKS URL only so.
func loggableURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(a URL that does not parse)"
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}

// unloadedRetry is the least time between two fetches while no key set has
// loaded yet.
const unloadedRetry = time.Second

// defaultFetchTimeout bounds a JWKS fetch whose client sets no Timeout. It
// leaves an authorizer with deploy/'s 10 s function timeout the time to
// answer after a fetch that failed.
const defaultFetchTimeout = 5 * time.Second

func (c *keyCache) fetch(ctx context.Context) (jwk.Set, error) {
	// A caller that hangs up must not cost everyone the refresh allowance,
	// and a client without a timeout must not hold the refresh for ever.
	bound := c.client.Timeout
	if bound <= 0 {
		bound = defaultFetchTimeout
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bound)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
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
