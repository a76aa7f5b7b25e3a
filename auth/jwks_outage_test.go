package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A token naming a kid the held keys lack is judged by the latest fetch of
// the key set: after one that failed (for this token, or within the refresh
// allowance before it), the issuer may have rotated its keys meanwhile, and
// the token cannot be checked (ErrKeysUnavailable: the Middleware's 503, the
// authorizer's failure), not refused as invalid; after one that succeeded,
// the kid is not the issuer's, and the token is invalid without another
// fetch, so that made-up kids bring neither fetches nor 503s.
func TestJWKSUnknownKidDuringOutage(t *testing.T) {
	key, rotated, madeUp := newRSAKey(t, "k"), newRSAKey(t, "rotated"), newRSAKey(t, "made-up")
	srv := newJWKSServer(t, key)
	now := time.Now()
	v := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) { o.Now = func() time.Time { return now } })
	ctx := context.Background()
	invalid := func(step string, k *signingKey, hits int32) {
		t.Helper()
		if _, err := v.Verify(ctx, k.sign(t, claims{})); !errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrKeysUnavailable) {
			t.Fatalf("%s: Verify = %v, want ErrInvalidToken alone", step, err)
		}
		if got := srv.hits.Load(); got != hits {
			t.Fatalf("%s: JWKS fetched %d times, want %d", step, got, hits)
		}
	}
	unavailable := func(step string, k *signingKey, hits int32) {
		t.Helper()
		_, err := v.Verify(ctx, k.sign(t, claims{}))
		if !errors.Is(err, ErrKeysUnavailable) || errors.Is(err, ErrInvalidToken) {
			t.Fatalf("%s: Verify = %v, want ErrKeysUnavailable alone", step, err)
		}
		// What the refusal's log line says: the kid, not the bare error.
		if !strings.Contains(err.Error(), fmt.Sprintf("kid %q", k.kid)) {
			t.Errorf("%s: Verify = %v, want it to name the kid", step, err)
		}
		if got := srv.hits.Load(); got != hits {
			t.Fatalf("%s: JWKS fetched %d times, want %d", step, got, hits)
		}
	}

	if _, err := v.Verify(ctx, key.sign(t, claims{})); err != nil {
		t.Fatal(err)
	}
	invalid("unknown kid, refetch succeeded without it", madeUp, 2)
	srv.setMode("down")
	invalid("unknown kid, rate-limited after a good fetch", madeUp, 2)

	now = now.Add(2 * time.Minute)
	unavailable("unknown kid, its refetch failed", rotated, 3)
	now = now.Add(time.Second)
	unavailable("unknown kid, rate-limited after a failed fetch", madeUp, 3)
	if _, err := v.Verify(ctx, key.sign(t, claims{})); err != nil {
		t.Fatalf("held key during the outage: %v", err)
	}

	t.Run("middleware", func(t *testing.T) {
		h := Middleware(v, &MiddlewareOptions{ResourceURL: "https://mcp.test/mcp"})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
			t.Error("handler ran for a token that was not checked")
		}))
		req := httptest.NewRequest(http.MethodPost, "https://mcp.test/mcp", strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+rotated.sign(t, claims{}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		// The failed refetch was a second ago: the next is allowed in 59.
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "59" || rec.Header().Get("WWW-Authenticate") != "" {
			t.Fatalf("status %d, Retry-After %q, WWW-Authenticate %q; want 503 with Retry-After: 59 and no challenge (body %s)",
				rec.Code, rec.Header().Get("Retry-After"), rec.Header().Get("WWW-Authenticate"), rec.Body)
		}
		var body struct{ Error string }
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error != "temporarily_unavailable" {
			t.Errorf("body %q, want a JSON temporarily_unavailable error (%v)", rec.Body, err)
		}
	})
	t.Run("authorizer", func(t *testing.T) {
		ev := withField(t, tokenEventJSON, func(m map[string]any) { m["authorizationToken"] = "Bearer " + rotated.sign(t, claims{}) })
		logger, logs := jsonLogger()
		out, err := invokeNoPanic(t, NewAuthorizer(v, &AuthorizerOptions{Logger: logger}), ev)
		if err == nil || errors.Is(err, ErrUnauthorized) || !errors.Is(err, ErrKeysUnavailable) {
			t.Fatalf("Invoke = (%s, %v), want a failure that is not Unauthorized", out, err)
		}
		if !strings.Contains(logs.String(), `"decision":"error"`) || !strings.Contains(logs.String(), `kid \"rotated\"`) {
			t.Errorf("authorizer log %s, want an error decision naming the kid", logs)
		}
	})
	if got := srv.hits.Load(); got != 3 {
		t.Fatalf("JWKS fetched %d times during the outage's allowance, want 3", got)
	}

	// The JWKS is back with the rotated key: it verifies once the allowance
	// has passed, and a made-up kid is invalid again, without a fetch.
	srv.setMode("")
	srv.setKeys(key, rotated)
	now = now.Add(2 * time.Minute)
	if _, err := v.Verify(ctx, rotated.sign(t, claims{})); err != nil {
		t.Fatalf("rotated key once the JWKS is back: %v", err)
	}
	invalid("unknown kid, rate-limited after the JWKS came back", madeUp, 4)
}
