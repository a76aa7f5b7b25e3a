package auth

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestJWKSCacheTTLFromFetchStart checks when a key set counts as older
// than CacheTTL: once more than CacheTTL has passed since its fetch began,
// not since it ended (the keys are as old as the answer the fetch asked
// for), and not at CacheTTL itself. A CacheTTL of zero means an hour.
func TestJWKSCacheTTLFromFetchStart(t *testing.T) {
	const ttl = 10 * time.Minute
	tests := []struct {
		name     string
		ttl      time.Duration // CacheTTL
		after    time.Duration // from the first fetch's start to the second token
		wantHits int32
	}{
		{"at the TTL", ttl, ttl, 1},
		{"just past the TTL", ttl, ttl + time.Nanosecond, 2},
		{"at the default TTL", 0, time.Hour, 1},
		{"just past the default TTL", 0, time.Hour + time.Nanosecond, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := newRSAKey(t, "k")
			srv := newJWKSServer(t, key)
			var mu sync.Mutex
			start := time.Now()
			now := start
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			srv.setBefore(func(*http.Request) { mu.Lock(); now = now.Add(time.Minute); mu.Unlock() }) // each fetch takes a minute
			v := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) {
				o.Now = clock
				o.CacheTTL = tc.ttl
			})
			ctx := context.Background()
			tok := key.sign(t, claims{exp: 2 * time.Hour}) // valid past every clock here
			if _, err := v.Verify(ctx, tok); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			now = start.Add(tc.after)
			mu.Unlock()
			if _, err := v.Verify(ctx, tok); err != nil {
				t.Fatal(err)
			}
			if got := srv.hits.Load(); got != tc.wantHits {
				t.Errorf("JWKS fetched %d times, want %d", got, tc.wantHits)
			}
		})
	}
}

// TestJWKSStaleSetServesDuringRefetch checks that while a key set older
// than CacheTTL is fetched again, a token whose key the old set holds is
// verified with it at once: only the request that began the fetch waits
// for it.
func TestJWKSStaleSetServesDuringRefetch(t *testing.T) {
	key := newRSAKey(t, "k")
	srv := newJWKSServer(t, key)
	var mu sync.Mutex
	now := time.Now()
	logs := &ctxValueHandler{} // a fetch logs its end before those waiting for it go on
	v := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) {
		o.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		o.CacheTTL = 10 * time.Minute
		o.Logger = slog.New(logs)
	})
	ctx := context.Background()
	if _, err := v.Verify(ctx, key.sign(t, claims{})); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(11 * time.Minute) // the set is stale
	mu.Unlock()

	entered, release := make(chan struct{}, 1), make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) }) // before the server closes
	srv.setBefore(func(r *http.Request) {
		entered <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	refetched := make(chan error, 1)
	go func() {
		_, err := v.Verify(ctx, key.sign(t, claims{}))
		refetched <- err
	}()
	<-entered // the refetch is in flight

	if _, err := v.Verify(ctx, key.sign(t, claims{})); err != nil {
		t.Errorf("a token of the stale set during the refetch: %v", err)
	}
	if got := logs.lines(); len(got) != 1 {
		t.Errorf("a token of the stale set verified only once the refetch had ended: %q", got)
	}
	once.Do(func() { close(release) })
	if err := <-refetched; err != nil {
		t.Errorf("the token that began the refetch: %v", err)
	}
	if got := srv.hits.Load(); got != 2 {
		t.Errorf("JWKS fetched %d times, want 2", got)
	}
}

type ctxValueKey struct{}

// ctxValueHandler notes each record's message with the value of its
// context under ctxValueKey.
type ctxValueHandler struct {
	mu  sync.Mutex
	got []string
}

func (h *ctxValueHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *ctxValueHandler) Handle(ctx context.Context, r slog.Record) error {
	v, _ := ctx.Value(ctxValueKey{}).(string)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got = append(h.got, r.Message+" "+v)
	return nil
}

func (h *ctxValueHandler) WithAttrs([]slog.Attr) slog.Handler { return h }

func (h *ctxValueHandler) WithGroup(string) slog.Handler { return h }

func (h *ctxValueHandler) lines() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.got...)
}

// TestJWKSLogKeepsContextValues checks that the fetch's log line, fetched
// or failed, is logged with the values of the context of the request that
// began it (the request id a Lambda log handler adds), though the fetch
// outlives that request's cancellation.
func TestJWKSLogKeepsContextValues(t *testing.T) {
	tests := []struct {
		name, mode, wantMsg string
	}{
		{"fetched", "", "jwks fetched"},
		{"failed", "down", "jwks fetch failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := newRSAKey(t, "k")
			srv := newJWKSServer(t, key)
			srv.setMode(tc.mode)
			h := &ctxValueHandler{}
			v := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) { o.Logger = slog.New(h) })
			ctx := context.WithValue(context.Background(), ctxValueKey{}, "req-1")
			_, _ = v.Verify(ctx, key.sign(t, claims{}))
			var got []string
			for _, line := range h.lines() {
				if strings.HasPrefix(line, "jwks ") {
					got = append(got, line)
				}
			}
			if diff := cmp.Diff([]string{tc.wantMsg + " req-1"}, got); diff != "" {
				t.Errorf("log lines with their context's value (-want +got):\n%s", diff)
			}
		})
	}
}

// TestJWKSConcurrent verifies tokens from many goroutines while the key
// set is fetched again and again (stale at once, an unknown kid refreshing
// it), as an authorizer's concurrent requests do: every token of the set
// verifies, every other is refused. Run with -race.
func TestJWKSConcurrent(t *testing.T) {
	known, unknown := newRSAKey(t, "known"), newRSAKey(t, "unknown")
	srv := newJWKSServer(t, known)
	v := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) {
		o.CacheTTL = time.Nanosecond
		o.MinRefreshInterval = time.Nanosecond
	})
	good, bad := known.sign(t, claims{}), unknown.sign(t, claims{})
	var wg sync.WaitGroup
	errs := make(chan string, 8*20)
	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				tok, want := good, true
				if (g+i)%3 == 0 {
					tok, want = bad, false
				}
				if _, err := v.Verify(context.Background(), tok); (err == nil) != want {
					errs <- fmt.Sprintf("goroutine %d, token %d: Verify = %v, want accepted %v", g, i, err, want)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if srv.hits.Load() < 2 {
		t.Errorf("JWKS fetched %d times, want it fetched again while in use", srv.hits.Load())
	}
}
