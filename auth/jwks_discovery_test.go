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

// discoveryIssuer is an issuer over TLS that publishes its discovery
// document at /pool/.well-known/openid-configuration and its keys at
// /pool/keys, and counts the fetches of each.
type discoveryIssuer struct {
	*httptest.Server
	issuer     string
	docs, sets atomic.Int32
	mu         sync.Mutex
	doc        func(issuer, keys string) (status int, body string) // nil: the right document
	keys       []*signingKey
	hold       chan struct{} // when set, each document request waits for it
}

func newDiscoveryIssuer(t testing.TB, keys ...*signingKey) *discoveryIssuer {
	t.Helper()
	d := &discoveryIssuer{keys: keys}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /pool/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		d.docs.Add(1)
		d.mu.Lock()
		doc, hold := d.doc, d.hold
		d.mu.Unlock()
		if hold != nil {
			<-hold
		}
		status, body := http.StatusOK, `{"issuer":"`+d.issuer+`","jwks_uri":"`+d.URL+`/pool/keys"}`
		if doc != nil {
			status, body = doc(d.issuer, d.URL+"/pool/keys")
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	})
	mux.HandleFunc("GET /pool/keys", func(w http.ResponseWriter, r *http.Request) {
		d.sets.Add(1)
		set := jwk.NewSet()
		for _, k := range d.keys {
			_ = set.AddKey(k.pub)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	})
	d.Server = httptest.NewTLSServer(mux)
	d.issuer = d.URL + "/pool"
	t.Cleanup(d.Close)
	return d
}

func (d *discoveryIssuer) setDoc(doc func(issuer, keys string) (int, string)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.doc = doc
}

// verifier is a verifier of d's tokens given no JWKS URL.
func (d *discoveryIssuer) verifier(t testing.TB, mod func(*JWTOptions)) *JWTVerifier {
	t.Helper()
	opts := JWTOptions{Issuer: d.issuer, Audience: testAudience, HTTPClient: d.Client()}
	if mod != nil {
		mod(&opts)
	}
	v, err := NewJWTVerifier(opts)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Given no JWKS URL, the verifier finds the key set's from the issuer's
// discovery document on the first token, once, logs it once, and keeps it.
func TestJWTDiscoversKeySet(t *testing.T) {
	key := newRSAKey(t, "k1")
	d := newDiscoveryIssuer(t, key)
	var logs bytes.Buffer
	v := d.verifier(t, func(o *JWTOptions) { o.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	for i := range 3 {
		if _, err := v.Verify(context.Background(), key.sign(t, claims{iss: d.issuer})); err != nil {
			t.Fatalf("Verify %d: %v", i, err)
		}
	}
	if n, m := d.docs.Load(), d.sets.Load(); n != 1 || m != 1 {
		t.Errorf("%d fetches of the discovery document and %d of the key set, want 1 and 1", n, m)
	}
	if n := strings.Count(logs.String(), "jwks url discovered"); n != 1 || !strings.Contains(logs.String(), d.URL+"/pool/keys") {
		t.Errorf("logs say the discovered URL %d times, want once, naming it:\n%s", n, logs.String())
	}
}

// The first tokens, arriving together, share one discovery: while it is
// held, every caller waits for it, and none asks for the document again.
func TestJWTDiscoveryShared(t *testing.T) {
	key := newRSAKey(t, "k1")
	d := newDiscoveryIssuer(t, key)
	synctest.Test(t, func(t *testing.T) {
		hold := make(chan struct{})
		d.mu.Lock()
		d.hold = hold
		d.mu.Unlock()
		v := d.verifier(t, func(o *JWTOptions) { o.HTTPClient = &http.Client{Transport: inProcess{d.Config.Handler}} })
		token := key.sign(t, claims{iss: d.issuer})
		errs := make([]error, 10)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() { _, errs[i] = v.Verify(context.Background(), token) })
		}
		synctest.Wait() // each caller waits: for the one discovery, or for one of its own
		if n := d.docs.Load(); n != 1 {
			t.Errorf("%d fetches of the discovery document while one is held, want 1", n)
		}
		close(hold)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("Verify %d: %v", i, err)
			}
		}
		if n := d.docs.Load(); n != 1 {
			t.Errorf("%d fetches of the discovery document, want 1", n)
		}
	})
}

// inProcess serves a client's requests with a handler, in the process:
// inside a synctest bubble a fetch over a socket would never count as
// blocked.
type inProcess struct{ http.Handler }

func (p inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// A discovery document that cannot be used is a failed key fetch: the
// token cannot be checked (ErrKeysUnavailable, not invalid), nothing is
// asked of a key set it names, and the next token after unloadedRetry
// tries again.
func TestJWTDiscoveryRefused(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a plain http server was asked for %s", r.URL)
	}))
	defer plain.Close()
	tests := []struct {
		name    string
		doc     func(issuer, keys string) (int, string)
		wantLog string
	}{
		{"another issuer", func(issuer, keys string) (int, string) {
			return 200, `{"issuer":"` + issuer + `/","jwks_uri":"` + keys + `"}`
		}, "names issuer"},
		{"no jwks_uri", func(issuer, keys string) (int, string) {
			return 200, `{"issuer":"` + issuer + `"}`
		}, "names no jwks_uri"},
		{"jwks_uri over plain http", func(issuer, keys string) (int, string) {
			return 200, `{"issuer":"` + issuer + `","jwks_uri":"http://192.0.2.1/keys"}`
		}, "read in the clear"},
		{"jwks_uri over plain http on this machine", func(issuer, keys string) (int, string) {
			return 200, `{"issuer":"` + issuer + `","jwks_uri":"` + plain.URL + `/keys"}`
		}, "read in the clear"},
		// Not read in the clear, nor at all: the log says what it is.
		{"jwks_uri no URL", func(issuer, keys string) (int, string) {
			return 200, `{"issuer":"` + issuer + `","jwks_uri":"keys"}`
		}, "no http(s) URL naming a host"},
		{"jwks_uri without a host", func(issuer, keys string) (int, string) {
			return 200, `{"issuer":"` + issuer + `","jwks_uri":"https:///keys"}`
		}, "no http(s) URL naming a host"},
		{"jwks_uri of a file", func(issuer, keys string) (int, string) {
			return 200, `{"issuer":"` + issuer + `","jwks_uri":"file://localhost/etc/keys"}`
		}, "no http(s) URL naming a host"},
		{"oversized", func(issuer, keys string) (int, string) {
			return 200, `{"issuer":"` + issuer + `","jwks_uri":"` + keys + `","x":"` + strings.Repeat("a", maxJWKSBytes) + `"}`
		}, "larger than"},
		{"not JSON", func(string, string) (int, string) { return 200, "<html>sign in</html>" }, "no JSON object"},
		{"not found", func(string, string) (int, string) { return 404, "{}" }, "status 404"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := newRSAKey(t, "k1")
			d := newDiscoveryIssuer(t, key)
			d.setDoc(tc.doc)
			var logs bytes.Buffer
			now := time.Now()
			var mu sync.Mutex
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			v := d.verifier(t, func(o *JWTOptions) {
				o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
				o.Now = clock
			})
			token := key.sign(t, claims{iss: d.issuer})
			if _, err := v.Verify(context.Background(), token); !errors.Is(err, ErrKeysUnavailable) {
				t.Fatalf("Verify = %v, want ErrKeysUnavailable", err)
			}
			if !strings.Contains(logs.String(), "jwks fetch failed") || !strings.Contains(logs.String(), tc.wantLog) {
				t.Errorf("logs, want a failed fetch saying %q:\n%.2000s", tc.wantLog, logs.String())
			}
			if n := d.sets.Load(); n != 0 {
				t.Errorf("the key set was fetched %d times", n)
			}
			// Within the retry: refused at once, no fetch.
			if _, err := v.Verify(context.Background(), token); !errors.Is(err, ErrKeysUnavailable) || d.docs.Load() != 1 {
				t.Fatalf("Verify within the retry = %v after %d fetches, want ErrKeysUnavailable after 1", err, d.docs.Load())
			}
			d.setDoc(nil)
			mu.Lock()
			now = now.Add(unloadedRetry)
			mu.Unlock()
			if _, err := v.Verify(context.Background(), token); err != nil || d.docs.Load() != 2 {
				t.Fatalf("Verify once the document is right = %v after %d fetches, want nil after 2", err, d.docs.Load())
			}
		})
	}
}

// The discovery document is followed through a redirect only over https,
// as the key set is.
func TestJWTDiscoveryRedirectToPlainHTTPRefused(t *testing.T) {
	key := newRSAKey(t, "k1")
	plain := newJWKSServer(t, key)
	var issuer string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/.well-known/openid-configuration", http.StatusFound)
	}))
	defer srv.Close()
	issuer = srv.URL
	v, err := NewJWTVerifier(JWTOptions{Issuer: issuer, Audience: testAudience, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), key.sign(t, claims{iss: issuer})); !errors.Is(err, ErrKeysUnavailable) {
		t.Errorf("Verify after a redirect of the discovery document to plain http = %v, want ErrKeysUnavailable", err)
	}
	if n := plain.hits.Load(); n != 0 {
		t.Errorf("the plain http server was asked %d times", n)
	}
}

// Without a JWKS URL, the issuer must be one its discovery document can
// be fetched from.
func TestJWTDiscoveryNeedsHTTPSIssuer(t *testing.T) {
	for _, iss := range []string{"urn:example:issuer", "http://issuer.example", "https://issuer.example?x=1", "https://", "https://issuer.example#", "https://issuer.example/pool#", "https://u:p@issuer.example"} {
		_, err := NewJWTVerifier(JWTOptions{Issuer: iss, Audience: "a"})
		if err == nil || !strings.Contains(err.Error(), "discover") {
			t.Errorf("NewJWTVerifier(issuer %q, no JWKS URL) = %v, want an error saying the keys cannot be discovered", iss, err)
		}
	}
	if _, err := NewJWTVerifier(JWTOptions{Issuer: "https://issuer.example/pool/", Audience: "a"}); err != nil {
		t.Errorf("NewJWTVerifier(https issuer, no JWKS URL) = %v", err)
	}
}

// MCP_JWT_JWKS_URL is optional with an https issuer, and its absence with
// one that is no URL is a configuration error naming why.
func TestConfigJWKSURLOptional(t *testing.T) {
	c, err := ConfigFromEnv(mapEnv(map[string]string{EnvJWTIssuer: "https://iss.example", EnvJWTAudience: "a"}))
	if err != nil || c.JWT == nil || c.JWT.JWKSURL != "" {
		t.Fatalf("ConfigFromEnv(no JWKS URL) = %+v, %v, want JWT verification with the key set to discover", c.JWT, err)
	}
	if _, err := c.Verifier(nil); err != nil {
		t.Errorf("Verifier: %v", err)
	}
	_, err = ConfigFromEnv(mapEnv(map[string]string{EnvJWTIssuer: "urn:example:issuer", EnvJWTAudience: "a"}))
	if err == nil || !strings.Contains(err.Error(), EnvJWTJWKSURL) || !strings.Contains(err.Error(), "https issuer") {
		t.Errorf("ConfigFromEnv(URN issuer, no JWKS URL) = %v, want an error saying discovery needs an https issuer", err)
	}
	// The issuer is quoted without its query, which may hold a secret:
	// the error says what it has that an issuer has not. An empty
	// fragment is one all the same: the document's path would follow it,
	// and the issuer itself be asked.
	for _, iss := range []string{"https://iss.example?", "https://iss.example?x=1", "https://iss.example#", "https://iss.example/pool#k"} {
		_, err = ConfigFromEnv(mapEnv(map[string]string{EnvJWTIssuer: iss, EnvJWTAudience: "a"}))
		if err == nil || !strings.Contains(err.Error(), "has a query or fragment") {
			t.Errorf("ConfigFromEnv(issuer %q, no JWKS URL) = %v, want an error saying it has a query or fragment", iss, err)
		}
	}
	_, err = ConfigFromEnv(mapEnv(map[string]string{EnvJWTIssuer: "https://u@iss.example", EnvJWTAudience: "a"}))
	if err == nil || !strings.Contains(err.Error(), "names a user") {
		t.Errorf("ConfigFromEnv(issuer with a user, no JWKS URL) = %v, want an error saying it names a user", err)
	}
	_, err = ConfigFromEnv(mapEnv(map[string]string{EnvJWTJWKSURL: "https://iss.example/keys", EnvJWTAudience: "a"}))
	if err == nil || !strings.Contains(err.Error(), EnvJWTIssuer) {
		t.Errorf("ConfigFromEnv(no issuer) = %v, want an error naming %s", err, EnvJWTIssuer)
	}
}

func mapEnv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// DiscoverJWKSURL finds what a verifier given no JWKS URL finds, and
// refuses an issuer that has no discovery document to read.
func TestDiscoverJWKSURL(t *testing.T) {
	d := newDiscoveryIssuer(t)
	if got, err := DiscoverJWKSURL(context.Background(), d.issuer, d.Client()); err != nil || got != d.URL+"/pool/keys" {
		t.Errorf("DiscoverJWKSURL = %q, %v, want %q", got, err, d.URL+"/pool/keys")
	}
	d.setDoc(func(issuer, keys string) (int, string) {
		return 200, `{"issuer":"https://other.example","jwks_uri":"` + keys + `"}`
	})
	if _, err := DiscoverJWKSURL(context.Background(), d.issuer, d.Client()); err == nil || !strings.Contains(err.Error(), "names issuer") {
		t.Errorf("DiscoverJWKSURL of a document naming another issuer = %v, want an error saying so", err)
	}
	if _, err := DiscoverJWKSURL(context.Background(), "urn:example:issuer", nil); err == nil {
		t.Error("DiscoverJWKSURL of a URN issuer succeeded")
	}
}

// An issuer whose scheme is written with capitals is refused before any
// request, saying to write it in lower case: the document names its issuer
// so, and would never match.
func TestDiscoverJWKSURLIssuerSchemeInCapitals(t *testing.T) {
	d := newDiscoveryIssuer(t)
	issuer := "HTTPS" + strings.TrimPrefix(d.issuer, "https")
	_, err := DiscoverJWKSURL(context.Background(), issuer, d.Client())
	if err == nil || !strings.Contains(err.Error(), "issuer") || !strings.Contains(err.Error(), "lower case") {
		t.Errorf("DiscoverJWKSURL(%q) = %v, want an error asking for the issuer's scheme in lower case", issuer, err)
	}
	if n := d.docs.Load(); n != 0 {
		t.Errorf("the discovery document was asked for %d times, want none", n)
	}
}

// A request whose token meets a failed discovery gets the Middleware's
// answer to keys that could not be fetched: 503, Retry-After, no challenge.
func TestJWTDiscoveryFailedMiddleware(t *testing.T) {
	key := newRSAKey(t, "k1")
	d := newDiscoveryIssuer(t, key)
	d.setDoc(func(string, string) (int, string) { return 404, "{}" })
	v := d.verifier(t, nil)
	h := Middleware(v, &MiddlewareOptions{ResourceURL: testAudience})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("handler ran for a token that was not checked")
	}))
	req := httptest.NewRequest(http.MethodPost, testAudience, strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+key.sign(t, claims{iss: d.issuer}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "1" || rec.Header().Get("WWW-Authenticate") != "" {
		t.Fatalf("status %d, Retry-After %q, WWW-Authenticate %q; want 503 with Retry-After: 1 and no challenge (body %s)",
			rec.Code, rec.Header().Get("Retry-After"), rec.Header().Get("WWW-Authenticate"), rec.Body)
	}
	if !strings.Contains(rec.Body.String(), "temporarily_unavailable") {
		t.Errorf("body %q, want a temporarily_unavailable error", rec.Body)
	}
}

// A discovery document's members are named exactly, and the last of a
// name counts: one whose "issuer" or "jwks_uri" is only spelled in
// another case, or whose last "issuer" or "jwks_uri" is null, names no
// issuer or key set, and is refused.
func TestDiscoverJWKSURLMemberNames(t *testing.T) {
	d := newDiscoveryIssuer(t)
	for _, doc := range []string{
		`{"Issuer":"$ISS","jwks_uri":"$KEYS"}`,
		`{"issuer":"$ISS","JWKS_URI":"$KEYS"}`,
		`{"iſſuer":"$ISS","jwks_uri":"$KEYS"}`,
		`{"issuer":"$ISS","issuer":null,"jwks_uri":"$KEYS"}`,
		`{"issuer":"$ISS","jwks_uri":"$KEYS","jwks_uri":null}`,
		`{"issuer":"$ISS","jwks_uri":"$KEYS","jwks_uri":1}`,
	} {
		body := strings.NewReplacer("$ISS", d.issuer, "$KEYS", d.URL+"/pool/keys").Replace(doc)
		d.setDoc(func(string, string) (int, string) { return http.StatusOK, body })
		if got, err := DiscoverJWKSURL(context.Background(), d.issuer, d.Client()); err == nil {
			t.Errorf("DiscoverJWKSURL of the document %s = %q, want an error", body, got)
		}
	}
}
