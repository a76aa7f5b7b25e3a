package localfront

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestAuthCacheEntries checks what the cache holds after a renewal, a
// read and an expiry: a renewed entry replaces the one before it, which no
// longer counts against the bound nor, once evicted, takes the new one
// with it; a read leaves the order alone; an expired entry, once read, is
// gone from the cache altogether.
func TestAuthCacheEntries(t *testing.T) {
	const ttl = time.Minute
	type step struct {
		advance  time.Duration
		put, get string // a token: put keeps it with its name and a count, get reads it
	}
	tests := []struct {
		name     string
		steps    []step
		wantLen  int      // entries held after the steps, expired ones included
		wantKept []string // the principal kept for each of a, b, c, read after the steps
	}{
		{
			name:     "a renewed entry replaces the old one",
			steps:    []step{{put: "a"}, {put: "a"}, {put: "b"}},
			wantLen:  2,
			wantKept: []string{"a2", "b1"},
		},
		{
			name:     "a renewed entry is the newest",
			steps:    []step{{put: "a"}, {put: "b"}, {put: "a"}, {put: "c"}},
			wantLen:  2,
			wantKept: []string{"a2", "c1"},
		},
		{
			// API Gateway documents no bound; the front's, as its docs
			// say, lets the oldest go first, whoever read it since.
			name:     "a read does not make an entry newer",
			steps:    []step{{put: "a"}, {put: "b"}, {get: "a"}, {put: "c"}},
			wantLen:  2,
			wantKept: []string{"b1", "c1"},
		},
		{
			name:    "an expired entry read is gone",
			steps:   []step{{put: "a"}, {advance: ttl, get: "a"}},
			wantLen: 0,
		},
		{
			name:     "an expired entry read, then kept again",
			steps:    []step{{put: "a"}, {advance: ttl, get: "a"}, {put: "a"}, {put: "b"}},
			wantLen:  2,
			wantKept: []string{"a2", "b1"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
			c := newAuthCache(ttl)
			c.max, c.now = 2, clock.now
			key := func(token string) [sha256.Size]byte { return authCacheKey("api", "dev", token) }
			puts := map[string]int{}
			for _, s := range tc.steps {
				clock.t = clock.t.Add(s.advance)
				if s.put != "" {
					puts[s.put]++
					c.put(key(s.put), authorizerResponse{PrincipalID: fmt.Sprint(s.put, puts[s.put])})
				}
				if s.get != "" {
					c.get(key(s.get))
				}
			}
			c.mu.Lock()
			held := len(c.entries)
			c.mu.Unlock()
			if n := c.len(); n != tc.wantLen || held != tc.wantLen {
				t.Errorf("%d entries in order, %d by key, want %d", n, held, tc.wantLen)
			}
			var kept []string
			for _, token := range []string{"a", "b", "c"} {
				if r, ok := c.get(key(token)); ok {
					kept = append(kept, r.PrincipalID)
				}
			}
			if diff := cmp.Diff(tc.wantKept, kept); diff != "" {
				t.Errorf("kept (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAuthCacheDefaultBound checks the bound the docs state: 1024
// entries, the oldest going first.
func TestAuthCacheDefaultBound(t *testing.T) {
	c := newAuthCache(time.Minute)
	key := func(i int) [sha256.Size]byte { return authCacheKey("api", "dev", fmt.Sprint("Bearer ", i)) }
	for i := range 1025 {
		c.put(key(i), authorizerResponse{})
	}
	_, first := c.get(key(0))
	_, second := c.get(key(1))
	if n := c.len(); n != 1024 || first || !second {
		t.Errorf("after 1025 tokens: %d entries, the first kept %v, the second %v; want 1024, false, true", n, first, second)
	}
}

// TestAuthCacheTTLChecked checks the TTLs New takes, as API Gateway takes
// them (whole seconds up to an hour, 0 for none), and only with a Lambda
// authorizer; a TTL of 0 keeps no cache at all.
func TestAuthCacheTTLChecked(t *testing.T) {
	tests := []struct {
		name         string
		ttl          time.Duration
		noAuthorizer bool
		wantErr      string // in the error; "" for none
	}{
		{name: "off", ttl: 0},
		{name: "off without an authorizer", ttl: 0, noAuthorizer: true},
		{name: "a second", ttl: time.Second},
		{name: "the deploy stack's", ttl: DeployAuthorizerCacheTTL},
		{name: "an hour", ttl: time.Hour},
		{name: "a second past an hour", ttl: time.Hour + time.Second, wantErr: "whole seconds from 0 (off) to 1h0m0s"},
		{name: "negative", ttl: -time.Second, wantErr: "authorizer cache TTL -1s"},
		{name: "not whole seconds", ttl: 1500 * time.Millisecond, wantErr: "whole seconds"},
		{name: "a millisecond", ttl: time.Millisecond, wantErr: "whole seconds"},
		{name: "without a Lambda authorizer", ttl: time.Minute, noAuthorizer: true, wantErr: "without a Lambda authorizer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Shape: ShapeREST, Function: echoFunction(), Authorizer: echoFunction(), AuthorizerCacheTTL: tc.ttl}
			if tc.noAuthorizer {
				cfg.Authorizer = nil
			}
			f, err := New(cfg)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("New: %v, want an error saying %q", err, tc.wantErr)
			case err == nil && (f.authCache != nil) != (tc.ttl > 0):
				t.Errorf("a result cache: %v, want %v", f.authCache != nil, tc.ttl > 0)
			}
		})
	}
}
