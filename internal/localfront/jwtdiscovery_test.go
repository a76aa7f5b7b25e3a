package localfront

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestDiscoveryRedirects: the issuer's discovery document is followed
// through a redirect only to where it may be read, as its keys are.
func TestDiscoveryRedirects(t *testing.T) {
	doc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"issuer":"` + "http://" + r.Host + `","jwks_uri":"http://` + r.Host + `/jwks.json"}`))
	}))
	defer doc.Close()
	tests := []struct {
		name    string
		to      string
		wantErr string // "": the document is read
	}{
		// TEST-NET-1: never dialed when the redirect is refused.
		{"to a remote plain-http host", "http://192.0.2.1/.well-known/openid-configuration", "refusing a redirect"},
		{"to this machine", doc.URL + "/.well-known/openid-configuration", "names issuer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			issuer := httptest.NewServer(http.RedirectHandler(tc.to, http.StatusFound))
			defer issuer.Close()
			_, err := discoverJWKS(t.Context(), issuer.URL)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("discoverJWKS: %v, want an error saying %q", err, tc.wantErr)
			}
		})
	}
}

// TestDiscoveryKeysURL: a discovery document that names a key set to be
// read in the clear is a failed discovery, as a redirect there is.
func TestDiscoveryKeysURL(t *testing.T) {
	tests := []struct {
		name    string
		jwksURI string
		wantErr string // "": the key set's URL is taken
	}{
		{"remote plain http", "http://192.0.2.1/keys", "read in the clear"},
		{"not a URL", "keys", "no http(s) URL naming a host"},
		{"remote https", "https://192.0.2.1/keys", ""},
		{"plain http on this machine", "http://127.0.0.1:1/keys", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var issuer string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Write([]byte(`{"issuer":"` + issuer + `","jwks_uri":"` + tc.jwksURI + `"}`))
			}))
			defer srv.Close()
			issuer = srv.URL
			got, err := discoverJWKS(t.Context(), issuer)
			if tc.wantErr == "" {
				if err != nil || got != tc.jwksURI {
					t.Fatalf("discoverJWKS = %q, %v, want %q", got, err, tc.jwksURI)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("discoverJWKS = %q, %v, want an error saying %q", got, err, tc.wantErr)
			}
		})
	}
}

// TestDiscoveryKeysURLEscaped: the error quoting a jwks_uri that cannot be
// taken escapes what a terminal or log viewer would act on.
func TestDiscoveryKeysURLEscaped(t *testing.T) {
	var issuer string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"issuer":"` + issuer + `","jwks_uri":"http://192.0.2.1/\u001b[2J\nkeys"}`))
	}))
	defer srv.Close()
	issuer = srv.URL
	_, err := discoverJWKS(t.Context(), issuer)
	// A control character makes it no URL at all.
	if err == nil || !strings.Contains(err.Error(), "no http(s) URL naming a host") {
		t.Fatalf("discoverJWKS: %v, want an error saying it is no URL", err)
	}
	if strings.ContainsAny(err.Error(), "\x1b\n") {
		t.Errorf("discoverJWKS error %q holds a control character of the jwks_uri", err)
	}
}

// frozenClock is a time that moves only when a test moves it.
type frozenClock struct{ ns atomic.Int64 }

func (c *frozenClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *frozenClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// startJWTFront is a front whose JWT authorizer trusts iss, with clock
// as the time its discovery failures are remembered by, and a token iss
// signed for it.
func startJWTFront(t *testing.T, iss *jwtIssuer, clock *frozenClock, logs logRecords) (*Front, string) {
	t.Helper()
	cfg := Config{Shape: ShapeHTTP, Function: echoFunction(), JWTAuthorizer: &JWTAuthorizer{Issuer: iss.url + "/pool", Audience: []string{"app"}}}
	if logs != nil {
		cfg.Logger = slog.New(logs)
	}
	f := startFront(t, cfg)
	f.jwt.mu.Lock()
	f.jwt.now = clock.now
	f.jwt.mu.Unlock()
	token := sign(t, iss.key, map[string]any{"iss": iss.url + "/pool", "client_id": "app", "sub": "u1", "exp": time.Now().Unix() + 600})
	return f, token
}

// postMCP sends a request with token through f, and returns its status
// and body.
func postMCP(t *testing.T, f *Front, token string) (int, string) {
	t.Helper()
	resp, body := do(t, sent{method: http.MethodPost, url: f.URL() + "/mcp", body: `{}`, contentType: "application/json",
		header: http.Header{"Authorization": {"Bearer " + token}}})
	return resp.StatusCode, string(body)
}

// postConcurrently sends n requests with token through f at once, and
// returns their answers' statuses and bodies.
func postConcurrently(t *testing.T, f *Front, token string, n int) []string {
	t.Helper()
	answers := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, err := http.NewRequest(http.MethodPost, f.URL()+"/mcp", strings.NewReader(`{}`))
			if err != nil {
				answers[i] = err.Error()
				return
			}
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				answers[i] = err.Error()
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			answers[i] = strconv.Itoa(resp.StatusCode) + " " + string(body)
		})
	}
	wg.Wait()
	return answers
}

const issuerUnreadable = "500 {\"message\":\"Internal Server Error\"}\n"

// discoveryFailures counts the lines logs holds, now that nothing logs,
// that say the issuer's discovery failed.
func discoveryFailures(logs logRecords) int {
	n := 0
	for {
		select {
		case m := <-logs:
			if msg, _ := m["msg"].(string); strings.HasPrefix(msg, "JWT authorizer") {
				n++
			}
		default:
			return n
		}
	}
}

// TestJWTDiscoveryFailureShared: a burst of requests while the issuer
// fails costs it one fetch, and the log one line, each request refused
// as an unreadable issuer is.
func TestJWTDiscoveryFailureShared(t *testing.T) {
	iss := startJWTIssuer(t)
	iss.down.Store(true)
	logs := make(logRecords, 256)
	f, token := startJWTFront(t, iss, &frozenClock{}, logs)
	answers := postConcurrently(t, f, token, 20)
	if diff := cmp.Diff(slices.Repeat([]string{issuerUnreadable}, 20), answers); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	if n := iss.discoveries.Load(); n != 1 {
		t.Errorf("%d fetches of the discovery document, want 1", n)
	}
	if n := discoveryFailures(logs); n != 1 {
		t.Errorf("%d log lines on the failed discovery, want 1", n)
	}
}

// TestJWTDiscoveryHangShared: requests that come while the issuer holds
// the discovery document wait for that fetch, not each for one of its
// own in turn.
func TestJWTDiscoveryHangShared(t *testing.T) {
	hold := make(chan struct{})
	iss := startHeldJWTIssuer(t, hold)
	iss.down.Store(true)
	f, token := startJWTFront(t, iss, &frozenClock{}, nil)
	go func() {
		<-iss.arrived
		close(hold) // the first fetch fails only once it has come
	}()
	answers := postConcurrently(t, f, token, 5)
	if diff := cmp.Diff(slices.Repeat([]string{issuerUnreadable}, 5), answers); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	if n := iss.discoveries.Load(); n != 1 {
		t.Errorf("%d fetches of the discovery document, want 1", n)
	}
}

// TestJWTDiscoveryRetried: a failed discovery is remembered for
// discoveryRetry, doubled with each failure in a row; once that has
// passed the next request fetches again, and takes the issuer back.
func TestJWTDiscoveryRetried(t *testing.T) {
	iss := startJWTIssuer(t)
	clock := &frozenClock{}
	f, token := startJWTFront(t, iss, clock, nil)
	steps := []struct {
		name        string
		advance     time.Duration
		down        bool
		wantStatus  int
		wantFetches int32
	}{
		{name: "first request, issuer down", down: true, wantStatus: 500, wantFetches: 1},
		{name: "within the retry", advance: discoveryRetry - time.Millisecond, down: true, wantStatus: 500, wantFetches: 1},
		{name: "retry passed", advance: time.Millisecond, down: true, wantStatus: 500, wantFetches: 2},
		{name: "within the doubled retry", advance: 2*discoveryRetry - time.Millisecond, wantStatus: 500, wantFetches: 2},
		{name: "doubled retry passed, issuer back", advance: time.Millisecond, wantStatus: 200, wantFetches: 3},
		{name: "the key set's URL is kept", advance: time.Hour, down: true, wantStatus: 200, wantFetches: 3},
	}
	for _, st := range steps {
		clock.advance(st.advance)
		iss.down.Store(st.down)
		status, body := postMCP(t, f, token)
		if status != st.wantStatus || iss.discoveries.Load() != st.wantFetches {
			t.Fatalf("%s: %d %s after %d fetches, want %d after %d", st.name, status, body, iss.discoveries.Load(), st.wantStatus, st.wantFetches)
		}
	}
}

// TestJWTDiscoveryWaitEndsWithContext: a request that goes away stops
// waiting for the discovery in flight, and the fetch goes on for the
// requests after it.
func TestJWTDiscoveryWaitEndsWithContext(t *testing.T) {
	hold := make(chan struct{})
	iss := startHeldJWTIssuer(t, hold)
	f, _ := startJWTFront(t, iss, &frozenClock{}, nil)
	ctx, cancel := context.WithCancel(t.Context())
	gone := make(chan error, 1)
	go func() {
		_, err := f.jwtVerifier(ctx, "client_id", "app")
		gone <- err
	}()
	<-iss.arrived
	cancel()
	select {
	case err := <-gone:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("jwtVerifier after its context ended: %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second): // a bound on a hang, not a wait
		t.Error("jwtVerifier still waits after its context ended")
	}
	close(hold)
	if _, err := f.jwtVerifier(t.Context(), "client_id", "app"); err != nil {
		t.Fatalf("jwtVerifier once the issuer answered: %v", err)
	}
	if n := iss.discoveries.Load(); n != 1 {
		t.Errorf("%d fetches of the discovery document, want 1", n)
	}
}

// TestJWTAuthorizerGoneDuringDiscovery: a request whose client goes away
// while the discovery it waits for is in flight is no failure of the
// front's: the log has no line on it.
func TestJWTAuthorizerGoneDuringDiscovery(t *testing.T) {
	hold := make(chan struct{})
	defer close(hold)
	iss := startHeldJWTIssuer(t, hold)
	logs := make(logRecords, 16)
	f, token := startJWTFront(t, iss, &frozenClock{}, logs)
	ctx, cancel := context.WithCancel(t.Context())
	r := httptest.NewRequestWithContext(ctx, http.MethodPost, "/mcp", strings.NewReader(`{}`))
	r.Header.Set("Authorization", "Bearer "+token)
	go func() {
		<-iss.arrived
		cancel()
	}()
	if _, refused := f.authorizeJWT(ctx, &request{r: r}); refused == nil {
		t.Fatal("authorizeJWT let through a request gone during discovery")
	}
	if n := discoveryFailures(logs); n != 0 {
		t.Errorf("%d log lines of the JWT authorizer, want none", n)
	}
}

// TestDiscoveryDocumentBounded: the discovery document is read up to a
// bound, as a key set is, and an error quotes its values cut: an issuer
// that serves something huge must not fill the memory or the log.
func TestDiscoveryDocumentBounded(t *testing.T) {
	long := strings.Repeat("a", 100<<10)
	tests := []struct {
		name    string
		doc     func(issuer string) string
		wantErr string
	}{
		{"a document past the bound", func(issuer string) string {
			return `{"issuer":"` + issuer + `","jwks_uri":"` + issuer + `/keys","padding":"` + strings.Repeat("a", 1<<20) + `"}`
		}, "larger than"},
		{"a long issuer", func(string) string {
			return `{"issuer":"https://` + long + `","jwks_uri":"https://192.0.2.1/keys"}`
		}, "names issuer"},
		{"a long jwks_uri of another issuer", func(string) string {
			return `{"issuer":"https://192.0.2.1","jwks_uri":"https://` + long + `"}`
		}, "names issuer"},
		{"a long jwks_uri read in the clear", func(issuer string) string {
			return `{"issuer":"` + issuer + `","jwks_uri":"http://192.0.2.1/` + long + `"}`
		}, "read in the clear"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var issuer string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				io.WriteString(w, tc.doc(issuer))
			}))
			defer srv.Close()
			issuer = srv.URL
			got, err := discoverJWKS(t.Context(), issuer)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("discoverJWKS = %.64q, %.200v, want an error saying %q", got, err, tc.wantErr)
			}
			if n := len(err.Error()); n > 2*maxQuotedURLBytes+len(issuer)+200 {
				t.Errorf("discoverJWKS error of %d bytes, want the values it quotes cut", n)
			}
		})
	}
}
