package auth

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A failed fetch is logged with its error cut as a refusal's reason is:
// a key server's answer, up to maxJWKSBytes, may be quoted whole in the
// error of the parser, or of a redirect to a path of its making.
func TestJWKSFetchFailureLogBounded(t *testing.T) {
	long := strings.Repeat("A", 200_000)
	// The redirect points at a port nothing listens on: one just closed,
	// as a fixed port (127.0.0.1:1) may be served on a machine.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nowhere := "http://" + closed.Addr().String() + "/"
	_ = closed.Close()
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    string // the start of the error logged
	}{
		{"keys not an array", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"keys":"` + long + `"}`))
		}, "parsing jwks: "},
		{"redirect to a long path", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", nowhere+long)
			w.WriteHeader(http.StatusFound)
		}, "Get \"" + nowhere + "AAA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logged := loggedFetchFailure(t, tc.handler)
			if len(logged) > maxLoggedReasonBytes+len("…") {
				t.Errorf("fetch failure logged with an error of %d bytes, want at most %d", len(logged), maxLoggedReasonBytes)
			}
			if !strings.HasPrefix(logged, tc.want) || !strings.Contains(logged, "…") {
				t.Errorf("fetch failure logged as %.200q…, want it cut after saying what failed (%q)", logged, tc.want)
			}
		})
	}
}

// A failed fetch is logged with its error escaped: jwx quotes what the key
// server sent raw ("expected '[' but got ..."), and a bidi override or a
// C1 control in it would reorder or break the line.
func TestJWKSFetchFailureLogEscaped(t *testing.T) {
	logged := loggedFetchFailure(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{\"keys\":\"a\u202eb\u0085c\\\\u202e\"}"))
	})
	if want := `a\u202eb\u0085c\\u202e`; !strings.Contains(logged, want) {
		t.Errorf("fetch failure logged as %q, want it to hold %q", logged, want)
	}
}

// loggedFetchFailure has a verifier fetch its keys from a server answering
// with handler, checks that the token is then refused as keys unavailable
// and the failed fetch logged once, and returns the error that line logs.
func loggedFetchFailure(t *testing.T, handler http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(handler)
	defer srv.Close()
	logs := &syncBuffer{}
	key := newRSAKey(t, "k")
	v := newTestJWTVerifier(t, srv.URL+"/jwks.json", func(o *JWTOptions) {
		o.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	})
	if _, err := v.Verify(context.Background(), key.sign(t, claims{})); !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("Verify = %v, want ErrKeysUnavailable", err)
	}
	errs := logs.fetchFailures(t)
	if len(errs) != 1 {
		t.Fatalf("fetch failures logged %d times, want once", len(errs))
	}
	return errs[0]
}
