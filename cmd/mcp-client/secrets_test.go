package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestEchoedSecretsHidden checks that a secret the client holds stays unseen
// when a server repeats it: API Gateway REST answers a request that carries
// an Authorization header, on a path outside its routes, with a 403 quoting
// the header it took for a bad SigV4 signature. The explanation points at
// the path, not the token.
func TestEchoedSecretsHidden(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"message":"'` + strings.TrimPrefix(auth, "Bearer ") + `' not a valid key=value pair (missing equal-sign) in Authorization header: '` +
			auth + `'. (query: ` + r.URL.RawQuery + `)"}`))
	}))
	defer srv.Close()
	const querySecret = "q-51gn4ture-SECRET"
	for _, trace := range []bool{false, true} {
		var stdout, stderr bytes.Buffer
		args := []string{"-endpoint", srv.URL + "/wrong?sig=" + querySecret, "-token", secretToken, "-timeout", "5s"}
		if trace {
			args = append(args, "-trace")
		}
		if code := run(t.Context(), args, noEnv, &stdout, &stderr); code != 1 {
			t.Errorf("trace %v: exit %d, want 1", trace, code)
		}
		got := stderr.String()
		for _, secret := range []string{secretToken, querySecret} {
			if strings.Contains(got, secret) {
				t.Errorf("trace %v: stderr shows %q:\n%s", trace, secret, got)
			}
		}
		if !strings.Contains(got, "[hidden]") || !strings.Contains(got, "check the URL's path and stage") || strings.Contains(got, "token lacks") {
			t.Errorf("trace %v: stderr %q, want the echo hidden and the path blamed", trace, got)
		}
	}
}

// TestRedirectSendsNoReferer checks that a redirect does not tell the next
// server the URL the client came from, whose query may hold a token, and
// that the trace shows none either.
func TestRedirectSendsNoReferer(t *testing.T) {
	var referers []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/mcp", http.StatusPermanentRedirect)
			return
		}
		referers = append(referers, r.Header.Get("Referer"))
		http.Error(w, `{"error":"gone"}`, http.StatusNotFound)
	}))
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	run(t.Context(), []string{"-endpoint", srv.URL + "/old?key=" + secretToken, "-trace", "-timeout", "5s"}, noEnv, &stdout, &stderr)
	if len(referers) == 0 {
		t.Fatalf("the redirect was not followed; stderr:\n%s", stderr.String())
	}
	for _, ref := range referers {
		if ref != "" {
			t.Errorf("the redirected request carried Referer %q", ref)
		}
	}
	if strings.Contains(stderr.String(), secretToken) || strings.Contains(stderr.String(), "Referer") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}

// TestPrintableInvalidBytes checks that a byte that is no UTF-8 is escaped:
// 0x9b is CSI to a terminal that reads bytes as Latin-1, and a body cut at
// the trace's bound may end inside a character. A U+FFFD sent as such is
// text.
func TestPrintableInvalidBytes(t *testing.T) {
	for in, want := range map[string]string{
		"a\x9b31mb":     `a\x9b31mb`,
		"cut \xe2\x82":  `cut \xe2\x82`,
		"ok \ufffd":     "ok \ufffd",
		"é\x1b[2J\xff.": `é\x1b[2J\xff.`,
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}
