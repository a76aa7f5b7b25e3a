package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
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

// TestEchoedObtainedTokenHidden checks that a token the client
// credentials flow obtained stays unseen when a server repeats it, as
// API Gateway REST repeats the Authorization header it refuses: a
// -token's is hidden so (TestEchoedSecretsHidden), and the flow's is as
// much a secret.
func TestEchoedObtainedTokenHidden(t *testing.T) {
	as := startAS(t, oauthtest.Options{AuthMethods: []string{"client_secret_post"}, Scopes: []string{testScope}})
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		prm := srv.URL + "/.well-known/oauth-protected-resource/mcp"
		auth := r.Header.Get("Authorization")
		switch {
		case r.URL.Path == "/.well-known/oauth-protected-resource/mcp":
			writeJSON(w, http.StatusOK, map[string]any{"resource": srv.URL + "/mcp", "authorization_servers": []string{as.Issuer}})
		case auth == "":
			w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="`+prm+`", scope="`+testScope+`"`)
			w.WriteHeader(http.StatusUnauthorized)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"message":"'` + strings.TrimPrefix(auth, "Bearer ") + `' not a valid key=value pair (missing equal-sign) in Authorization header: '` + auth + `'."}`))
		}
	}))
	t.Cleanup(srv.Close)
	env := map[string]string{"MCP_CLIENT_SECRET": as.Secret}
	for _, trace := range []bool{false, true} {
		var stdout, stderr bytes.Buffer
		args := []string{"-endpoint", srv.URL + "/mcp", "-client-id", as.ClientID, "-issuer", as.Issuer, "-timeout", "5s"}
		if trace {
			args = append(args, "-trace")
		}
		if code := run(t.Context(), args, func(k string) string { return env[k] }, &stdout, &stderr); code != 1 {
			t.Errorf("trace %v: exit %d, want 1", trace, code)
		}
		_, issued := as.Seen()
		if len(issued) == 0 {
			t.Fatalf("trace %v: no token issued; stderr:\n%s", trace, stderr.String())
		}
		got := stderr.String()
		for _, secret := range append(issued, as.Secret) {
			if strings.Contains(got, secret) {
				t.Errorf("trace %v: stderr shows %q:\n%s", trace, secret, got)
			}
		}
		if !strings.Contains(got, "[hidden]") {
			t.Errorf("trace %v: stderr %q, want the echo hidden", trace, got)
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

// TestPrintableControls checks the bounds of what is escaped: C0 and DEL,
// C1 (0x80-0x9f) but not the no-break space after it, the bidirectional
// controls (the marks, embeddings, overrides and isolates) and the line
// and paragraph separators, but not the characters beside them, nor the
// zero-width joiners that emoji sequences and scripts are written with.
func TestPrintableControls(t *testing.T) {
	for in, want := range map[string]string{
		"a\x1fb":                               `a\x1fb`,
		"a b~":                                 "a b~",
		"a\x7fb":                               `a\x7fb`,
		"a\u0080b\u009fc":                      `a\u0080b\u009fc`,
		"a\u00a0b":                             "a\u00a0b",
		"\u2027\u2028\u2029\u202a\u202e\u202f": "\u2027" + `\u2028\u2029\u202a\u202e` + "\u202f",
		"\u2065\u2066\u2069\u206a":             "\u2065" + `\u2066\u2069` + "\u206a",
		"\u061b\u061c\u061d":                   "\u061b" + `\u061c` + "\u061d",
		"\u200d\u200e\u200f\u2010":             "\u200d" + `\u200e\u200f` + "\u2010",
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPrintableEveryBidiControl checks that every character of Unicode's
// Bidi_Control property is escaped, the marks (U+200E, U+200F, U+061C)
// as the embeddings, overrides and isolates: each reorders the text
// around it, so that a line shows other than it reads.
func TestPrintableEveryBidiControl(t *testing.T) {
	n := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !unicode.Is(unicode.Bidi_Control, r) {
			continue
		}
		n++
		if got := printable("a" + string(r) + "b"); strings.ContainsRune(got, r) {
			t.Errorf("printable left %U unescaped: %q", r, got)
		}
	}
	if n != 12 {
		t.Errorf("found %d bidirectional controls, want the 12 Unicode has had since 6.3", n)
	}
}

// TestEchoedSecretForms checks the forms a server may repeat a secret in:
// JSON-escaped (a "/" as "\/"), and a query value as it was sent, undecoded.
func TestEchoedSecretForms(t *testing.T) {
	for _, tc := range []struct {
		name, token, query string
		echo               func(r *http.Request) string
		shown              string // what must not show
	}{
		{"token JSON-escaped", "abc/def+ghi/jkl==", "", func(r *http.Request) string {
			return strings.ReplaceAll(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), "/", `\/`)
		}, `abc\/def+ghi\/jkl==`},
		{"query value with plus signs", "", "sig=abc+def+SECRET", func(r *http.Request) string { return r.URL.RawQuery }, "abc+def+SECRET"},
		{"query value percent-encoded", "", "sig=abc%2Fdef%2BSECRET", func(r *http.Request) string { return r.URL.RawQuery }, "abc%2Fdef%2BSECRET"},
		{"long query value", "", "x=0123456789abcdefXYZ", func(r *http.Request) string { return r.URL.RawQuery }, "0123456789abcdefXYZ"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				w.Write([]byte(`{"message":"bad: ` + tc.echo(r) + `"}`))
			}))
			defer srv.Close()
			endpoint := srv.URL + "/mcp"
			if tc.query != "" {
				endpoint += "?" + tc.query
			}
			args := []string{"-endpoint", endpoint, "-timeout", "5s", "-trace"}
			if tc.token != "" {
				args = append(args, "-token", tc.token)
			}
			var stdout, stderr bytes.Buffer
			run(t.Context(), args, noEnv, &stdout, &stderr)
			if strings.Contains(stderr.String(), tc.shown) || !strings.Contains(stderr.String(), "[hidden]") {
				t.Errorf("stderr, which must hide %q:\n%s", tc.shown, stderr.String())
			}
		})
	}
}

// TestOrdinaryWordsShown checks that a short query value or user name that
// is no credential's is not hidden in what the client says: "stream" in the
// Accept header the client sends, "client" in its own name.
func TestOrdinaryWordsShown(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"message":"no"}`))
	}))
	defer srv.Close()
	endpoint := strings.Replace(srv.URL, "http://", "http://client@", 1) + "/mcp?mode=stream&keyword=json"
	var stdout, stderr bytes.Buffer
	run(t.Context(), []string{"-endpoint", endpoint, "-timeout", "5s", "-trace"}, noEnv, &stdout, &stderr)
	if got := stderr.String(); !strings.Contains(got, "text/event-stream") || !strings.Contains(got, "mcp-client:") || !strings.Contains(got, `"jsonrpc"`) {
		t.Errorf("stderr:\n%s", got)
	}
}

// TestSecretCutAtTheTraceBound checks that a secret the trace's bound on a
// body cuts in two does not show its first part.
func TestSecretCutAtTheTraceBound(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		pad := traceBodyLimit - len(`{"message":"`) - 10
		w.Write([]byte(`{"message":"` + strings.Repeat("x", pad) + token + `"}`))
	}))
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	run(t.Context(), []string{"-endpoint", srv.URL + "/mcp", "-token", secretToken, "-timeout", "5s", "-trace"}, noEnv, &stdout, &stderr)
	if strings.Contains(stderr.String(), secretToken[:10]) {
		t.Errorf("stderr shows the token's first 10 bytes")
	}
	if !strings.Contains(stderr.String(), "bytes past the first 64 KiB not shown") {
		t.Errorf("the body was not cut at the bound:\n%.300s", stderr.String())
	}
}

// TestCredentialName checks which query parameters' values are secrets
// whatever their length: those a word of whose name says so.
func TestCredentialName(t *testing.T) {
	for name, want := range map[string]bool{
		"key": true, "api_key": true, "apiKey": true, "X-Amz-Signature": true, "access_token": true, "sig": true, "code": true,
		"accessToken": true, "clientSecret": true,
		"keyword": false, "keys": false, "author": false, "country_code": true, "mode": false, "signal": false, "": false,
	} {
		if got := credentialName(name); got != want {
			t.Errorf("credentialName(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestSecretHiddenWhole checks that a secret is hidden whole: one that
// holds another is not shown past the shorter's end, a line cut short
// does not end with a secret's first byte, and a text cut at its bound
// does not show the first part of a secret the bound falls in.
func TestSecretHiddenWhole(t *testing.T) {
	const short, long = "s3cr3t-abcdefgh", "s3cr3t-abcdefgh-0123456789"
	s := newSecretSet("")
	s.addObtained(short, minSecret)
	s.addObtained(long, minSecret)
	head, rest := s.cut("0123456 "+long+" more", 10)
	for _, tc := range []struct {
		name, got, want string
	}{
		{"one secret holding another", string(s.hide([]byte("a " + long + " b"))), "a [hidden] b"},
		{"a line ending with a secret's first byte", string(s.withoutPartial([]byte("seen s"))), "seen "},
		{"a line ending with a secret's first bytes", string(s.withoutPartial([]byte("seen s3cr"))), "seen "},
		{"a cut inside a secret", head + rest, "0123456 [h… (11 more bytes not shown)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestEscapedSecretHidden checks that a secret holding a byte the client
// escapes (one that is no UTF-8, a C1 control, a direction mark) is
// hidden in what was escaped before it reached the writer that hides
// secrets: a result on a terminal, a content's label, on standard output
// as on standard error.
func TestEscapedSecretHidden(t *testing.T) {
	for _, token := range []string{"tok\x9b7f3a9c-SECRET", "tok\u00857f3a9c-SECRET", "tok\u200f7f3a9c-SECRET"} {
		secrets := newSecretSet("https://x.example/mcp", token)
		for _, shown := range []string{
			printableKeeping("the token is "+token+"\n", "\n\t"),
			printable("[resource link docs://" + token + "]"),
		} {
			if got := string(secrets.hideNamed([]byte(shown))); strings.Contains(got, "7f3a9c") {
				t.Errorf("hideNamed(%q) = %q, the token shows", shown, got)
			}
			if got := string(secrets.hide([]byte(shown))); strings.Contains(got, "7f3a9c") {
				t.Errorf("hide(%q) = %q, the token shows", shown, got)
			}
		}
	}
}
