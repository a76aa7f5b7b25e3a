package localfront

import (
	"container/list"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// DeployAuthorizerCacheTTL is how long the deploy stack's API Gateway
// keeps a Lambda authorizer's result by default (deploy/stack's
// DefaultAuthorizerCacheTTL, its authorizers' ResultsCacheTtl).
// testdata/deploy-authorizer.json holds it, and deploy/stack's tests
// hold the synthesized authorizers to the same file.
const DeployAuthorizerCacheTTL = 300 * time.Second

// maxAuthorizerCacheTTL is API Gateway's limit on an authorizer's
// authorizerResultTtlInSeconds: 3600.
const maxAuthorizerCacheTTL = time.Hour

// authCacheMaxEntries bounds the cache: API Gateway documents no bound,
// but a client sending a new token with every request would otherwise
// grow the front's memory without end.
const authCacheMaxEntries = 1024

// identitySourceHeader is the authorizer's identity source, the request
// header whose value is the cache key: the deploy stack's, and the only
// one the front knows.
const identitySourceHeader = "Authorization"

// checkAuthorizerCacheTTL refuses a TTL API Gateway would not take, or
// one with no Lambda authorizer to cache.
func checkAuthorizerCacheTTL(cfg Config) error {
	ttl := cfg.AuthorizerCacheTTL
	switch {
	case ttl == 0:
		return nil
	case cfg.Authorizer == nil:
		return errors.New("an authorizer cache TTL without a Lambda authorizer: there is no result to cache")
	case ttl < 0 || ttl > maxAuthorizerCacheTTL || ttl%time.Second != 0:
		return fmt.Errorf("authorizer cache TTL %v: API Gateway takes whole seconds from 0 (off) to %v", ttl, maxAuthorizerCacheTTL)
	}
	return nil
}

// authCache is API Gateway's authorizer result cache ("Use API Gateway
// Lambda authorizers", and for HTTP APIs "Control access to HTTP APIs
// with AWS Lambda authorizers"): with caching on, the authorizer's
// answer is kept per identity source value for the TTL, and later
// requests carrying the same value are decided from it without calling
// the authorizer. What is kept is the answer, not the verdict: a policy
// is evaluated again against each request's method ARN, so one that
// names only the first request's method and path refuses the others.
//
// The keys are bearer tokens: they are kept hashed, and never logged.
type authCache struct {
	ttl time.Duration
	max int              // entries kept; past it the oldest goes
	now func() time.Time // the clock, which tests move on

	mu      sync.Mutex
	entries map[[sha256.Size]byte]*list.Element // of *authCacheEntry, under mu
	order   *list.List                          // oldest first, under mu
}

type authCacheEntry struct {
	key     [sha256.Size]byte
	resp    authorizerResponse
	expires time.Time
}

// newAuthCache is a cache keeping results for ttl, or nil (no caching)
// when ttl is not positive.
func newAuthCache(ttl time.Duration) *authCache {
	if ttl <= 0 {
		return nil
	}
	return &authCache{ttl: ttl, max: authCacheMaxEntries, now: time.Now,
		entries: map[[sha256.Size]byte]*list.Element{}, order: list.New()}
}

// authCacheKey is the key of an identity source's values on one API's
// stage: API Gateway keeps an authorizer's cache per stage, so the same
// token on another API or stage is a different entry. Every value of the
// header counts, in order: the authorizer may judge another than the
// first (a REQUEST authorizer's single-value headers carry the last), so
// an answer kept for values A and B must not serve A alone. Each part is
// length-prefixed, so that no two lists of parts hash alike.
func authCacheKey(apiID, stage string, identity ...string) [sha256.Size]byte {
	h := sha256.New()
	for _, part := range append([]string{apiID, stage}, identity...) {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(part))))
		io.WriteString(h, part)
	}
	var key [sha256.Size]byte
	h.Sum(key[:0])
	return key
}

// get returns the answer kept for key, if it has not expired.
func (c *authCache) get(key [sha256.Size]byte) (authorizerResponse, bool) {
	if c == nil {
		return authorizerResponse{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return authorizerResponse{}, false
	}
	e := el.Value.(*authCacheEntry)
	if !c.now().Before(e.expires) {
		c.order.Remove(el)
		delete(c.entries, key)
		return authorizerResponse{}, false
	}
	return e.resp, true
}

// put keeps resp for key for the TTL from now, making room by dropping
// the oldest entries.
func (c *authCache) put(key [sha256.Size]byte, resp authorizerResponse) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.order.Remove(el)
		delete(c.entries, key)
	}
	for c.order.Len() >= c.max {
		oldest := c.order.Front()
		c.order.Remove(oldest)
		delete(c.entries, oldest.Value.(*authCacheEntry).key)
	}
	c.entries[key] = c.order.PushBack(&authCacheEntry{key: key, resp: resp, expires: c.now().Add(c.ttl)})
}

// len is the number of entries kept, expired ones included.
func (c *authCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
