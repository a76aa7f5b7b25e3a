package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
)

// Callers that hang up while a fetch is in flight do not start fetches of
// their own: the one in flight goes on and spends the refresh allowance
// once, so that a client hanging up again and again with made-up kids
// brings no flood of fetches, before the fetch ends or after.
func TestJWKSFetchHangUpsStartNoMore(t *testing.T) {
	a, b := newRSAKey(t, "a"), newRSAKey(t, "b")
	synctest.Test(t, func(t *testing.T) {
		srv, logs := &stallingJWKS{keys: []*signingKey{a}}, &syncBuffer{}
		v := stallingVerifier(t, srv, logs)
		if _, err := v.Verify(context.Background(), a.sign(t, claims{})); err != nil {
			t.Fatal(err)
		}
		release := srv.stall(a) // slow, and without b
		token := b.sign(t, claims{})
		hangUp := func() error {
			ctx, cancel := context.WithCancel(context.Background())
			got := make(chan error, 1)
			go func() { _, err := v.Verify(ctx, token); got <- err }()
			synctest.Wait() // waiting for the fetch, or refused at once
			cancel()
			return <-got
		}
		for i := range 10 {
			if i == 5 {
				close(release)
				synctest.Wait()
			}
			// Before the fetch ends, the caller gives up on a fetch that
			// may bring the key: the token could not be checked. After,
			// the fetch succeeded without the kid: it is invalid.
			err := hangUp()
			if i < 5 && (!errors.Is(err, ErrKeysUnavailable) || errors.Is(err, ErrInvalidToken)) {
				t.Errorf("caller %d, fetch in flight: Verify = %v, want ErrKeysUnavailable alone", i, err)
			}
			if i >= 5 && (!errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrKeysUnavailable)) {
				t.Errorf("caller %d, after the fetch: Verify = %v, want ErrInvalidToken alone", i, err)
			}
		}
		if got := srv.hits.Load(); got != 2 {
			t.Errorf("JWKS fetched %d times, want 2: the load and one refresh", got)
		}
		if strings.Contains(logs.String(), token) {
			t.Error("the token was logged")
		}
	})
}
