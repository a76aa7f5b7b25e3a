package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The Middleware's 503 for a kid the held keys lack, after a failed fetch,
// says when the next fetch is allowed: a client retrying sooner would only
// meet the same 503, the refresh allowance not yet passed. Where no keys
// have loaded, the load is retried a second later, and Retry-After says 1.
func TestJWKSRetryAfterUntilNextFetch(t *testing.T) {
	key, rotated := newRSAKey(t, "k"), newRSAKey(t, "rotated")
	srv := newJWKSServer(t, key)
	now := time.Now()
	v := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) { o.Now = func() time.Time { return now } })
	static, err := NewStaticVerifier([]string{HashToken(staticToken)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	retryAfter := func(step string, v Verifier, token string) string {
		t.Helper()
		h := Middleware(v, &MiddlewareOptions{ResourceURL: "https://mcp.test/mcp"})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
			t.Errorf("%s: handler ran for a token that was not checked", step)
		}))
		req := httptest.NewRequest(http.MethodPost, "https://mcp.test/mcp", strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("%s: status %d, want 503 (body %s)", step, rec.Code, rec.Body)
		}
		return rec.Header().Get("Retry-After")
	}
	check := func(step string, v Verifier, want string, hits int32) {
		t.Helper()
		if got := retryAfter(step, v, rotated.sign(t, claims{})); got != want {
			t.Errorf("%s: Retry-After %q, want %q", step, got, want)
		}
		if got := srv.hits.Load(); got != hits {
			t.Fatalf("%s: JWKS fetched %d times, want %d", step, got, hits)
		}
	}

	if _, err := v.Verify(context.Background(), key.sign(t, claims{})); err != nil {
		t.Fatal(err)
	}
	srv.setMode("down")
	check("the refetch for the kid failed", v, "60", 2)
	now = now.Add(20 * time.Second)
	check("20 s later", v, "40", 2)
	check("20 s later, beside static tokens", AnyOf(static, v), "40", 2)
	now = now.Add(39*time.Second + 500*time.Millisecond)
	check("half a second before the next fetch", v, "1", 2)
	now = now.Add(time.Second)
	check("the next fetch failed too", v, "60", 3)

	t.Run("never loaded", func(t *testing.T) {
		srv := newJWKSServer(t, key)
		srv.setMode("down")
		v := newTestJWTVerifier(t, srv.url(), nil)
		if got := retryAfter("never loaded", v, key.sign(t, claims{})); got != "1" {
			t.Errorf("Retry-After %q, want 1: the first load is retried a second later", got)
		}
	})
}

// TestAnyOfRetryAfterSoonest checks that AnyOf, when no verifier could
// check the token, says the soonest time any of them may: a verifier that
// may check it now (its next fetch already allowed) is not outweighed by
// another's long wait, and a wait already past counts as none.
func TestAnyOfRetryAfterSoonest(t *testing.T) {
	after := func(d time.Duration) Verifier {
		return verifierFunc(func(context.Context, string) (*Identity, error) {
			return nil, &unavailableError{ErrKeysUnavailable, d}
		})
	}
	plain := verifierFunc(func(context.Context, string) (*Identity, error) { return nil, ErrKeysUnavailable })
	for _, tc := range []struct {
		name string
		vs   []Verifier
		want time.Duration
	}{
		{"the shorter wait", []Verifier{after(30 * time.Second), after(10 * time.Second)}, 10 * time.Second},
		{"the shorter wait first", []Verifier{after(10 * time.Second), after(30 * time.Second)}, 10 * time.Second},
		{"one may check it now", []Verifier{after(0), after(50 * time.Second)}, 0},
		{"one's wait has passed", []Verifier{after(-5 * time.Second), after(50 * time.Second)}, 0},
		{"one has loaded no keys yet", []Verifier{after(50 * time.Second), plain}, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := AnyOf(tc.vs...).Verify(context.Background(), "token")
			if d, ok := retryAfter(err); !ok || d != tc.want {
				t.Errorf("retryAfter = (%v, %v), want (%v, true); err %v", d, ok, tc.want, err)
			}
		})
	}
}

// TestRetryAfterRoundsUp checks that the Middleware's Retry-After rounds
// the wait up to whole seconds: a client told the second before the next
// fetch is allowed would only meet the same 503.
func TestRetryAfterRoundsUp(t *testing.T) {
	for wait, want := range map[time.Duration]string{
		0:                       "1",
		500 * time.Millisecond:  "1",
		time.Second:             "1",
		1500 * time.Millisecond: "2",
		39*time.Second + 1:      "40",
	} {
		v := verifierFunc(func(context.Context, string) (*Identity, error) {
			return nil, &unavailableError{ErrKeysUnavailable, wait}
		})
		h := Middleware(v, &MiddlewareOptions{ResourceURL: "https://mcp.test/mcp"})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
			t.Errorf("%v: handler ran for a token that was not checked", wait)
		}))
		req := httptest.NewRequest(http.MethodPost, "https://mcp.test/mcp", strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer token")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got := rec.Header().Get("Retry-After"); rec.Code != http.StatusServiceUnavailable || got != want {
			t.Errorf("wait %v: status %d, Retry-After %q; want 503, %q", wait, rec.Code, got, want)
		}
	}
}
