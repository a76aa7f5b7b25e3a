package auth

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// maxJWKSBytes bounds a JWKS response; real key sets are a few KiB.
const maxJWKSBytes = 1 << 20

// keyCache holds an issuer's JWKS. It fetches on first use, again when the
// set is older than ttl, and when a token names a kid the set lacks; every
// refresh after the first load is at most one per minRefresh, so a flood of
// tokens with made-up kids cannot turn into a flood of fetches.
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
	refreshAfter time.Time // no refresh before this instant
	attempted    bool
}

// lookup returns the key for kid. An empty kid matches the only key of a
// one-key set.
func (c *keyCache) lookup(ctx context.Context, kid string) (jwk.Key, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.set == nil || c.now().Sub(c.fetchedAt) > c.ttl {
		c.refresh(ctx, "load")
	}
	if c.set == nil {
		return nil, fmt.Errorf("signing keys unavailable")
	}
	if key, ok := find(c.set, kid); ok {
		return key, nil
	}
	if c.refresh(ctx, "unknown kid") {
		if key, ok := find(c.set, kid); ok {
			return key, nil
		}
	}
	return nil, fmt.Errorf("no signing key with kid %q", kid)
}

func find(set jwk.Set, kid string) (jwk.Key, bool) {
	if kid == "" {
		if set.Len() != 1 {
			return nil, false
		}
		return set.Key(0)
	}
	return set.LookupKeyID(kid)
}

// refresh fetches the set if the rate limit allows, reporting whether it
// fetched a new set. A failed fetch keeps the old set. c.mu must be held.
func (c *keyCache) refresh(ctx context.Context, reason string) bool {
	now := c.now()
	if c.attempted && now.Before(c.refreshAfter) {
		return false
	}
	first := !c.attempted
	c.attempted = true
	c.refreshAfter = now.Add(c.minRefresh)
	set, err := c.fetch(ctx)
	if err != nil {
		if c.logger != nil {
			c.logger.WarnContext(ctx, "jwks fetch failed", "url", c.url, "reason", reason, "error", err.Error())
		}
		return false
	}
	if first {
		// The first load does not use up the refresh allowance: a key
		// rotated just after start-up is still picked up at once.
		c.refreshAfter = now
	}
	c.set, c.fetchedAt = set, now
	if c.logger != nil {
		c.logger.InfoContext(ctx, "jwks fetched", "url", c.url, "reason", reason, "keys", set.Len())
	}
	return true
}

func (c *keyCache) fetch(ctx context.Context) (jwk.Set, error) {
	// A caller that hangs up must not cost everyone the refresh allowance.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
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
	set, err := jwk.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("parsing jwks: %w", err)
	}
	if set.Len() == 0 {
		return nil, fmt.Errorf("jwks has no keys")
	}
	return set, nil
}
