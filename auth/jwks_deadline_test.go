package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// stallingJWKS serves a JWKS through httptest's recorder, in the process:
// inside a synctest bubble a fetch over a socket would keep the bubble's
// clock from advancing. While stalled, a fetch waits for its release or
// for its context to end.
type stallingJWKS struct {
	hits atomic.Int32

	mu      sync.Mutex
	keys    []*signingKey
	release chan struct{} // nil: answer at once
}

// jwksInProcess is the URL the verifiers of these tests fetch from.
const jwksInProcess = "http://127.0.0.1/jwks.json"

func (s *stallingJWKS) RoundTrip(r *http.Request) (*http.Response, error) {
	s.hits.Add(1)
	s.mu.Lock()
	keys, release := s.keys, s.release
	s.mu.Unlock()
	if release != nil {
		select {
		case <-release:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	set := jwk.NewSet()
	for _, k := range keys {
		if err := set.AddKey(k.pub); err != nil {
			return nil, err
		}
	}
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(rec).Encode(set); err != nil {
		return nil, err
	}
	return rec.Result(), nil
}

// stall makes the fetches from now on wait until the channel returned is
// closed, and serve keys then.
func (s *stallingJWKS) stall(keys ...*signingKey) chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys, s.release = keys, make(chan struct{})
	return s.release
}

// syncBuffer is a log destination that the fetch's goroutine and the test
// may use at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fetchFailures returns the "error" of each "jwks fetch failed" line.
func (b *syncBuffer) fetchFailures(t *testing.T) []string {
	t.Helper()
	var errs []string
	for line := range strings.Lines(b.String()) {
		var rec struct{ Msg, Error string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec.Msg == "jwks fetch failed" {
			errs = append(errs, rec.Error)
		}
	}
	return errs
}

// stops returns the "cause" of each debug line saying a caller stopped
// waiting for the key set.
func (b *syncBuffer) stops(t *testing.T) []string {
	t.Helper()
	var causes []string
	for line := range strings.Lines(b.String()) {
		var rec struct{ Msg, Level, Cause string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec.Msg == "jwks fetch not waited for" {
			if rec.Level != "DEBUG" {
				t.Errorf("%q logged at %s, want DEBUG", rec.Msg, rec.Level)
			}
			causes = append(causes, rec.Cause)
		}
	}
	return causes
}

func stallingVerifier(t *testing.T, srv *stallingJWKS, logs *syncBuffer) *JWTVerifier {
	t.Helper()
	return newTestJWTVerifier(t, jwksInProcess, func(o *JWTOptions) {
		o.HTTPClient = &http.Client{Transport: srv} // no Timeout: bounded by defaultFetchTimeout
		o.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
}

// A JWKS fetch that would outlast the request is given up a margin before
// the request's deadline, so that the refusal still reaches the client (an
// authorizer cut by Lambda's timeout answers a bare 500 and logs nothing
// of why): the token is refused as after a failed fetch, with a debug line
// saying why. Only the fetch's own failure is logged as one; a caller left
// no time at all starts no fetch, and logs no failure.
func TestJWKSFetchStopsAtDeadline(t *testing.T) {
	key := newRSAKey(t, "k")
	tests := []struct {
		name     string
		deadline time.Duration // from the call; 0: none
		want     time.Duration // when the token is refused
		stop     string        // the cause in the caller's debug line; "" for none
		hits     int32         // fetches; each fails at its bound, and is logged
	}{
		// The times docs/auth.md gives: 500 ms before the deadline, a
		// fetch bounded at 5 s.
		{"deadline before the fetch's bound", 2 * time.Second, 1500 * time.Millisecond, "the request's deadline is near", 1},
		{"the fetch's bound before the deadline", 9 * time.Second, 5 * time.Second, "", 1},
		{"no deadline", 0, 5 * time.Second, "", 1},
		{"deadline within the margin", deadlineMargin / 2, 0, "the request's deadline is near", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv, logs := &stallingJWKS{}, &syncBuffer{}
				srv.stall(key) // never released
				v := stallingVerifier(t, srv, logs)
				ctx := context.Background()
				if tc.deadline > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tc.deadline)
					defer cancel()
				}
				token := key.sign(t, claims{})
				start := time.Now()
				_, err := v.Verify(ctx, token)
				if took := time.Since(start); took != tc.want {
					t.Errorf("refused after %v, want %v", took, tc.want)
				}
				if !errors.Is(err, ErrKeysUnavailable) {
					t.Errorf("Verify = %v, want ErrKeysUnavailable, as after a failed fetch", err)
				}
				// The fetch, never released, ends at its own bound: the
				// bubble ends only once it has.
				time.Sleep(defaultFetchTimeout)
				synctest.Wait()
				errs := logs.fetchFailures(t)
				if len(errs) != int(tc.hits) {
					t.Errorf("fetch failures logged %q, want one per fetch (%d)", errs, tc.hits)
				}
				for _, e := range errs {
					if !strings.Contains(e, "context deadline exceeded") {
						t.Errorf("fetch failure logged %q, want the fetch's own timeout", e)
					}
				}
				stops := logs.stops(t)
				switch {
				case tc.stop == "" && len(stops) > 0:
					t.Errorf("caller's stops logged %q, want none: it waited for the fetch's end", stops)
				case tc.stop != "" && (len(stops) != 1 || !strings.Contains(stops[0], tc.stop)):
					t.Errorf("caller's stops logged %q, want one naming %q", stops, tc.stop)
				}
				if got := srv.hits.Load(); got != tc.hits {
					t.Errorf("JWKS fetched %d times, want %d", got, tc.hits)
				}
				if strings.Contains(logs.String(), token) {
					t.Error("the token was logged")
				}
			})
		})
	}
}

// A fetch started by a caller whose deadline is near goes on after that
// caller gives up: a caller with more time waiting for the same keys gets
// them, and the refresh allowance is spent on that one fetch, not on a
// fetch cut short for everyone.
func TestJWKSFetchOutlivesCallersDeadline(t *testing.T) {
	a, b := newRSAKey(t, "a"), newRSAKey(t, "b")
	synctest.Test(t, func(t *testing.T) {
		srv, logs := &stallingJWKS{keys: []*signingKey{a}}, &syncBuffer{}
		v := stallingVerifier(t, srv, logs)
		if _, err := v.Verify(context.Background(), a.sign(t, claims{})); err != nil {
			t.Fatal(err)
		}
		release := srv.stall(a, b) // the issuer adds key b; its JWKS is slow
		token := b.sign(t, claims{})
		verify := func(left time.Duration) chan error {
			ctx, cancel := context.WithTimeout(context.Background(), left)
			got := make(chan error, 1)
			go func() {
				defer cancel()
				_, err := v.Verify(ctx, token)
				got <- err
			}()
			synctest.Wait() // waiting for the fetch
			return got
		}
		short := verify(deadlineMargin + 100*time.Millisecond) // starts the fetch
		long := verify(9 * time.Second)

		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		select {
		case err := <-short:
			// The fetch it stopped waiting for may bring the key: the
			// token could not be checked, which is no invalid token.
			if !errors.Is(err, ErrKeysUnavailable) || errors.Is(err, ErrInvalidToken) {
				t.Errorf("the caller out of time: Verify = %v, want ErrKeysUnavailable alone", err)
			}
			// The fetch may end any moment: the Middleware's Retry-After: 1.
			if d, ok := retryAfter(err); !ok || d != time.Second {
				t.Errorf("the caller out of time: retry after %v, want a second", d)
			}
		default:
			t.Error("the caller out of time still waits for the fetch past its deadline's margin")
		}
		select {
		case err := <-long:
			close(release) // for the bubble to end
			t.Fatalf("the caller with time stopped waiting when the other did: Verify = %v", err)
		default:
		}

		close(release)
		if err := <-long; err != nil {
			t.Errorf("the caller with time, once the fetch ended: %v", err)
		}
		if got := srv.hits.Load(); got != 2 {
			t.Errorf("JWKS fetched %d times, want 2", got)
		}
		// The fetch succeeded: the caller that stopped waiting for it
		// is no failure of the key server's.
		if errs := logs.fetchFailures(t); len(errs) != 0 {
			t.Errorf("fetch failures logged %q, want none: the fetch succeeded", errs)
		}
		if stops := logs.stops(t); len(stops) != 1 || !strings.Contains(stops[0], "the request's deadline is near") {
			t.Errorf("caller's stops logged %q, want one naming the deadline", stops)
		}
	})
}
