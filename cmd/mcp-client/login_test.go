package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

// browser follows sign-in URLs as a person's browser would, through the
// authorization server's redirects to the loopback callback.
type browser struct {
	mu     sync.Mutex
	opened []string // the URLs it was sent to
	pages  []string // the callback's pages it got
	codes  []string // the codes the callbacks carried
	done   chan struct{}
}

func newBrowser() *browser { return &browser{done: make(chan struct{}, 8)} }

// open follows u; it is the opener of the test's runs.
func (b *browser) open(u string) error {
	b.mu.Lock()
	b.opened = append(b.opened, u)
	b.mu.Unlock()
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	b.mu.Lock()
	b.pages = append(b.pages, string(page))
	if c := resp.Request.URL.Query().Get("code"); c != "" {
		b.codes = append(b.codes, c)
	}
	b.mu.Unlock()
	b.done <- struct{}{}
	return nil
}

func (b *browser) seen() (opened, pages, codes []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.opened), slices.Clone(b.pages), slices.Clone(b.codes)
}

// withOpener makes open the run's browser opener for the test.
func withOpener(t *testing.T, open opener) {
	t.Helper()
	saved := openBrowser
	openBrowser = open
	t.Cleanup(func() { openBrowser = saved })
}

// signInURL is the URL the run prints for the person to sign in at.
var signInURL = regexp.MustCompile(`mcp-client: sign in at (\S+)`)

// urlWatcher is a run's standard error that sends the browser to the
// sign-in URL it prints, as a person following it would.
type urlWatcher struct {
	bytes.Buffer
	b      *browser
	follow bool // else it is a buffer alone
}

func (w *urlWatcher) Write(p []byte) (int, error) {
	if m := signInURL.FindSubmatch(p); m != nil && w.follow {
		go w.b.open(string(m[1]))
	}
	return w.Buffer.Write(p)
}

// TestLogin runs a person's sign-in offline: the protected reference
// server's 401, its resource metadata, the issuer's metadata, the
// authorization endpoint (which approves at once, or refuses), the
// callback on loopback, the code's exchange, the retry with the token.
func TestLogin(t *testing.T) {
	pool := "eu-west-1_Test"
	tests := []struct {
		name      string
		as        oauthtest.Options
		otherAS   bool // -issuer names an authorization server the MCP server does not
		secret    bool // MCP_CLIENT_SECRET set: a confidential client
		args      []string
		printed   bool // -no-browser: the browser follows the printed URL
		code      int
		wantOut   []string
		wantErr   []string
		wantPages []string // the callback pages the browser got
		opens     int
	}{
		{name: "public client", as: oauthtest.Options{Pool: pool, Public: true, Scopes: []string{testScope}},
			wantOut: []string{"ping #2"}, wantErr: []string{"mcp-client: sign in at http://127.0.0.1:"}, wantPages: []string{"mcp-client: the sign-in came back; return to the terminal, which says how it ended.\n"}, opens: 1},
		{name: "whoami", as: oauthtest.Options{Pool: pool, Public: true, Scopes: []string{testScope}}, args: []string{"-call", "whoami"},
			wantOut: []string{`"subject":"` + oauthtest.DefaultSubject + `"`, `"client_id":"client-7f3a"`}, opens: 1},
		{name: "cognito's document", as: oauthtest.Options{Pool: "us-east-1_Pool42", Cognito: true, Public: true, Scopes: []string{testScope}},
			wantOut: []string{"ping #2"}, opens: 1},
		{name: "confidential client", as: oauthtest.Options{Scopes: []string{testScope}, AuthMethods: []string{"client_secret_basic"}}, secret: true,
			wantOut: []string{"ping #2"}, opens: 1},
		{name: "printed url, no browser", as: oauthtest.Options{Pool: pool, Public: true, Scopes: []string{testScope}}, args: []string{"-no-browser"}, printed: true,
			wantOut: []string{"ping #2"}, wantPages: []string{"mcp-client: the sign-in came back; return to the terminal, which says how it ended.\n"}},
		{name: "denied", as: oauthtest.Options{Pool: pool, Public: true, Scopes: []string{testScope}, Deny: true}, code: 1,
			wantErr:   []string{`client "client-7f3a" could not get one: the sign-in was refused at the authorization server (access_denied "The user denied access"): the person denied access`},
			wantPages: []string{"mcp-client: the sign-in was refused (access_denied); return to the terminal.\n"}, opens: 1},
		{name: "public client without the grant's secret", as: oauthtest.Options{Pool: pool, Scopes: []string{testScope}}, code: 1,
			wantErr: []string{`/oauth2/token refused it (HTTP 401): invalid_client "Client authentication failed": check the client id (-client-id or MCP_CLIENT_ID), and MCP_CLIENT_SECRET`}, opens: 1},
		{name: "another issuer", as: oauthtest.Options{Pool: pool, Public: true, Scopes: []string{testScope}}, otherAS: true, code: 1,
			wantErr: []string{"not the issuer the client was given", "no one was sent there to sign in"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			as := startAS(t, tc.as)
			endpoint := startJWTReference(t, as, nil)
			issuer := as.Issuer
			if tc.otherAS {
				issuer = startAS(t, tc.as).Issuer
			}
			b := newBrowser()
			withOpener(t, b.open)
			env := map[string]string{"MCP_SERVER_ENDPOINT": endpoint}
			if tc.secret {
				env["MCP_CLIENT_SECRET"] = as.Secret
			}
			args := append([]string{"-login", "-client-id", as.ClientID, "-issuer", issuer, "-redirect-port", "0"}, tc.args...)
			var stdout bytes.Buffer
			stderr := &urlWatcher{b: b, follow: tc.printed}
			code := run(t.Context(), args, func(k string) string { return env[k] }, &stdout, stderr)
			checkRunOutput(t, code, tc.code, stdout.String(), stderr.String(), tc.wantOut, tc.wantErr)
			if tc.printed {
				<-b.done // the browser the printed URL sent, done
			}
			opened, pages, codes := b.seen()
			if want := tc.opens; !tc.printed && len(opened) != want {
				t.Errorf("the browser was opened %d times, want %d: %q", len(opened), want, opened)
			}
			if tc.wantPages != nil && !slices.Equal(pages, tc.wantPages) {
				t.Errorf("callback pages %q, want %q", pages, tc.wantPages)
			}
			if tc.otherAS && slices.ContainsFunc(as.Requests(), func(r string) bool { return strings.Contains(r, "authorize") }) {
				t.Errorf("the browser was sent to an authorization server: %q", as.Requests())
			}
			_, issued := as.Seen()
			for _, s := range append(append(issued, codes...), as.Secret) {
				if strings.Contains(stdout.String()+stderr.String(), s) {
					t.Errorf("a secret, code or token shows: stdout %q, stderr %q", stdout.String(), stderr.String())
				}
			}
		})
	}
}

// TestLoginTimeout checks that a sign-in that never comes back ends at
// -timeout, saying so.
func TestLoginTimeout(t *testing.T) {
	as := startAS(t, oauthtest.Options{Pool: "eu-west-1_Test", Public: true, Scopes: []string{testScope}})
	endpoint := startJWTReference(t, as, nil)
	opened := make(chan string, 4)
	withOpener(t, func(u string) error { opened <- u; return nil }) // a person who never signs in
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-login", "-client-id", as.ClientID, "-issuer", as.Issuer, "-redirect-port", "0", "-endpoint", endpoint, "-timeout", "3s"},
		func(string) string { return "" }, &stdout, &stderr)
	if code != 1 {
		t.Fatalf("exit %d; stderr %q", code, stderr.String())
	}
	if want := "the sign-in did not come back to http://localhost:"; !strings.Contains(stderr.String(), want) || !strings.Contains(stderr.String(), "/callback within -timeout 3s") {
		t.Errorf("stderr %q lacks %q … within -timeout 3s", stderr.String(), want)
	}
	if len(opened) != 1 {
		t.Errorf("the browser was opened %d times, want 1", len(opened))
	}
}

// TestLoginTrace checks that -trace shows the sign-in with the code, its
// verifier and the token hidden.
func TestLoginTrace(t *testing.T) {
	as := startAS(t, oauthtest.Options{Pool: "eu-west-1_Test", Public: true, Scopes: []string{testScope}})
	endpoint := startJWTReference(t, as, nil)
	b := newBrowser()
	withOpener(t, b.open)
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"-login", "-client-id", as.ClientID, "-issuer", as.Issuer, "-redirect-port", "0", "-endpoint", endpoint, "-trace"},
		func(string) string { return "" }, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d; stderr %q", code, stderr.String())
	}
	_, _, codes := b.seen()
	_, issued := as.Seen()
	if len(codes) != 1 || len(issued) == 0 {
		t.Fatalf("codes %q, tokens %d: want a code and a token", codes, len(issued))
	}
	trace := stderr.String()
	for _, s := range append(issued, codes...) {
		if strings.Contains(trace, s) {
			t.Errorf("the trace shows %q", s)
		}
	}
	if m := regexp.MustCompile(`code_verifier=[^\[&\s]+`).FindString(trace); m != "" {
		t.Errorf("the trace shows the verifier: %s", m)
	}
	for _, want := range []string{"callback < GET /callback", "code=[hidden]", "code_verifier=[hidden]", `"access_token":"[hidden]"`, "Authorization: Bearer [hidden]"} {
		if !strings.Contains(trace, want) {
			t.Errorf("the trace lacks %q:\n%s", want, trace)
		}
	}
}

// TestLoginCommandLine checks the command lines -login cannot run. Those
// that may go on get an ended context: they stop interrupted (130).
func TestLoginCommandLine(t *testing.T) {
	tests := []commandLine{
		{"login and token", []string{"-login", "-token", "t0k3n-abcdefgh", "-client-id", "c1", "-issuer", testIssuer}, nil, 2, "-login gets a token: it excludes a token"},
		{"login and token from env", []string{"-login", "-client-id", "c1", "-issuer", testIssuer}, map[string]string{"MCP_TOKEN": "t0k3n-abcdefgh"}, 2, "excludes a token"},
		{"login without client, issuer plain http", []string{"-login", "-issuer", "http://as.example.com"}, nil, 2, `-issuer "http://as.example.com" is plain http to a host that is not loopback`},
		{"login without client, registers", []string{"-login", "-issuer", testIssuer, "-redirect-port", "0", "-no-browser"}, nil, 130, ""},
		{"login without issuer", []string{"-login", "-client-id", "c1"}, nil, 2, `client "c1" has no issuer`},
		{"redirect port without login", []string{"-redirect-port", "9000"}, nil, 2, "-redirect-port is for a person's sign-in: use it with -login"},
		{"no browser without login", []string{"-no-browser", "-client-id", "c1", "-issuer", testIssuer}, map[string]string{"MCP_CLIENT_SECRET": "s3cr3t-abcdefgh"}, 2, "-no-browser is for a person's sign-in"},
		{"port out of range", []string{"-login", "-client-id", "c1", "-issuer", testIssuer, "-redirect-port", "70000"}, nil, 2, "-redirect-port 70000 is not a port"},
		{"port one past the last", []string{"-login", "-client-id", "c1", "-issuer", testIssuer, "-redirect-port", "65536"}, nil, 2, "-redirect-port 65536 is not a port"},
		{"port negative", []string{"-login", "-client-id", "c1", "-issuer", testIssuer, "-redirect-port", "-1"}, nil, 2, "-redirect-port -1 is not a port"},
		{"public client, no secret needed", []string{"-login", "-client-id", "c1", "-issuer", testIssuer, "-redirect-port", "0"}, nil, 130, ""},
		{"client from env", []string{"-login", "-redirect-port", "0", "-no-browser"}, map[string]string{"MCP_CLIENT_ID": "c1", "MCP_CLIENT_ISSUER": testIssuer}, 130, ""},
	}
	checkCommandLines(t, tests)
}

// TestCallbackState checks that the loopback listener takes one callback,
// the one carrying the awaited state: a stray or repeated one is answered
// 400 and handed on to no one.
func TestCallbackState(t *testing.T) {
	c := newCallback(0, nil, nil)
	defer c.close()
	if err := c.start(); err != nil {
		t.Fatal(err)
	}
	c.await("st-1")
	base := strings.Replace(c.redirectURL, "localhost", "127.0.0.1", 1)
	client := &http.Client{Timeout: 10 * time.Second} // a callback held unanswered fails, not hangs
	var got []int
	// Once the awaited one came, none is awaited: not even one without a
	// state, which a page the browser was sent to could send.
	for _, q := range []string{"?state=other&code=c0", "?code=c0", "?state=st-1&code=c1", "?state=st-1&code=c2", "?code=c3", "?state=&code=c3"} {
		resp, err := client.Get(base + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got = append(got, resp.StatusCode)
	}
	if want := []int{400, 400, 200, 400, 400, 400}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if r := <-c.results; r.code != "c1" || len(c.results) != 0 {
		t.Errorf("handed on %+v (and %d more), want the code c1 alone", r, len(c.results))
	}
}

// TestCallbackPageBeforeStop checks that the browser gets the callback's
// page whole even when the listener closes the moment the result is
// handed on, as the sign-in closes it once it has the result: the page
// goes out first. The page, whose URL holds the code, is neither stored
// nor named to another site, and repeats an error that is not a plain
// OAuth code (text a page the browser was sent to could write) as "an
// error".
func TestCallbackPageBeforeStop(t *testing.T) {
	tests := []struct {
		name, query string
		wantPage    string
		want        callbackResult
	}{
		{"code", "?state=st-1&code=c1", "mcp-client: the sign-in came back; return to the terminal, which says how it ended.\n", callbackResult{code: "c1"}},
		{"refusal", "?state=st-1&error=access_denied", "mcp-client: the sign-in was refused (access_denied); return to the terminal.\n", callbackResult{errCode: "access_denied"}},
		{"refusal not a plain code", "?state=st-1&error=call+%2B1-555-0100+to+unlock", "mcp-client: the sign-in was refused (an error); return to the terminal.\n", callbackResult{errCode: "call +1-555-0100 to unlock"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCallback(0, nil, nil)
			defer c.close()
			// Before the handler runs, and stopped as it hands the result
			// on: nothing is left for the page once that returns.
			c.handingOn = c.stop
			if err := c.start(); err != nil {
				t.Fatal(err)
			}
			c.await("st-1")
			base := strings.Replace(c.redirectURL, "localhost", "127.0.0.1", 1)
			client := &http.Client{Timeout: 10 * time.Second} // a callback held unanswered fails, not hangs
			resp, err := client.Get(base + tc.query)
			if err != nil {
				t.Fatalf("the browser got no page: %v", err)
			}
			defer resp.Body.Close()
			page, err := io.ReadAll(resp.Body)
			if err != nil || string(page) != tc.wantPage {
				t.Errorf("page %q (%v), want %q whole", page, err, tc.wantPage)
			}
			for _, h := range []struct{ name, want string }{{"Cache-Control", "no-store"}, {"Referrer-Policy", "no-referrer"}} {
				if got := resp.Header.Get(h.name); got != h.want {
					t.Errorf("%s: %q, want %q", h.name, got, h.want)
				}
			}
			if r := <-c.results; r != tc.want {
				t.Errorf("handed on %+v, want %+v", r, tc.want)
			}
		})
	}
}

// TestCallbackPortHeld checks that a redirect port another program
// holds is not listened on before a sign-in starts, and then stops it: on
// ::1 too, since a browser that takes localhost for ::1 would hand that
// program the code. No listener is left open.
func TestCallbackPortHeld(t *testing.T) {
	tests := []struct {
		name, host string
		want       string // in the error
	}{
		{name: "on 127.0.0.1", host: "127.0.0.1", want: "listen tcp 127.0.0.1:%d: bind: address already in use"},
		{name: "on ::1", host: "::1", want: "another program holds [::1]:%d, where a browser may send the sign-in's code"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			held, err := net.Listen("tcp", net.JoinHostPort(tc.host, "0"))
			if err != nil {
				t.Skipf("no %s here: %v", tc.host, err)
			}
			defer held.Close()
			port := held.Addr().(*net.TCPAddr).Port
			c := newCallback(port, nil, nil)
			defer c.close()
			if want := fmt.Sprintf("http://localhost:%d/callback", port); c.redirectURL != want {
				t.Errorf("redirect URL %q, want %q", c.redirectURL, want)
			}
			err = c.start()
			if err == nil {
				t.Fatalf("start took port %d, which another program holds on %s", port, tc.host)
			}
			if want := fmt.Sprintf(tc.want, port); !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), fmt.Sprintf("cannot take the sign-in's callback on loopback port %d (", port)) {
				t.Errorf("error %q, want the refusal with %q", err, want)
			}
			for _, host := range []string{"127.0.0.1", "::1"} {
				if host == tc.host {
					continue
				}
				ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
				if err != nil && !strings.Contains(err.Error(), "cannot assign") {
					t.Errorf("%s:%d left taken: %v", host, port, err)
				}
				if ln != nil {
					ln.Close()
				}
			}
		})
	}
}

// TestCallbackTraceLineBounded checks that the trace's line for a
// callback, whose query any page the browser shows may write, is cut as
// every line quoting what another party sent is, at maxLine.
func TestCallbackTraceLineBounded(t *testing.T) {
	var trace bytes.Buffer
	c := newCallback(0, &trace, nil)
	c.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/callback?junk="+strings.Repeat("flood", 20_000)+"&code=abc", nil))
	got := trace.String()
	if !strings.HasPrefix(got, "callback < GET /callback ") || len(got) > maxLine+100 || !strings.Contains(got, " more bytes not shown)") || strings.Count(got, "\n") != 1 {
		t.Errorf("trace of %d bytes, %.200q…; want one line of at most %d, what was left out said", len(got), got, maxLine+100)
	}
}

// TestCallbackTraceLineHidesBeforeCut checks that a secret the callback's
// query holds where the trace's line is cut (maxLine) shows no part of
// itself: hidden whole first, then cut, not cut first, leaving its head
// for the trace's writer not to know.
func TestCallbackTraceLineHidesBeforeCut(t *testing.T) {
	const secret = "client-secret-0123456789"
	secrets := newSecretSet("https://mcp.example/mcp", secret)
	var trace bytes.Buffer
	c := newCallback(0, &syncWriter{w: &trace, secrets: secrets}, secrets)
	// "callback < GET /callback code=[hidden]&junk=", then the junk: the
	// secret begins ten bytes before the cut.
	head := len("callback < GET /callback code=[hidden]&junk=")
	junk := strings.Repeat("x", maxLine-head-10) + secret + strings.Repeat("y", 100)
	c.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/callback?junk="+junk+"&code=abc", nil))
	if got := trace.String(); strings.Contains(got, secret[:10]) || !strings.Contains(got, "[hidden]y") {
		t.Errorf("trace %q shows a part of the secret, or not that it was hidden", got[max(len(got)-300, 0):])
	}
}
