package main

import (
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// mcpPost is an MCP POST of initialize to endpoint, recording the
// addresses it connects to in addrs.
func mcpPost(t *testing.T, endpoint string, addrs *[]string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Mcp-Session-Id", "s-1")
	return connects(req, addrs)
}

// TestMCPRedirectKeptOffLocalServices checks that a server cannot redirect
// the MCP requests to a service of this machine or its networks other
// than the endpoint's own host and port: written as an address, the
// redirect is refused before any connection; as a name, on the address
// dialed. A redirect within the endpoint's origin is followed.
func TestMCPRedirectKeptOffLocalServices(t *testing.T) {
	victim, hits := startVictim(t)
	victimPort := victim.URL[strings.LastIndexByte(victim.URL, ':')+1:]
	for _, tc := range []struct {
		name string
		to   string // where the endpoint redirects
		want string // in the explanation; "" followed
	}{
		{"another port of loopback", victim.URL + "/mcp", "127.0.0.1 is a loopback address"},
		{"another port of loopback, by name", "http://localhost:" + victimPort + "/mcp", "localhost is a loopback address"},
		{"a private address", "http://10.0.0.1/mcp", "10.0.0.1 is a private address"},
		{"the cloud metadata endpoint", "http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"},
		{"the same origin", "/mcp", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(redirectingTo(tc.to))
			defer srv.Close()
			endpoint := srv.URL + "/old"
			client, err := newMCPClient(target{endpoint: endpoint, token: "t0k3n"})
			if err != nil {
				t.Fatal(err)
			}
			before := hits.Load()
			var addrs []string
			resp, err := client.Do(mcpPost(t, endpoint, &addrs))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("a redirect within the endpoint's origin: %v", err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("status %d, want 200", resp.StatusCode)
				}
				return
			}
			if err == nil {
				resp.Body.Close()
			}
			var rr *redirectRefused
			if !errors.As(err, &rr) {
				t.Fatalf("error %v, want the redirect refused", err)
			}
			if msg, want := explain(endpoint, err, nil), "the server redirects to "+tc.to+", which was not followed: "+tc.want; !strings.Contains(msg, want) {
				t.Errorf("explained %q, want %q in it", msg, want)
			}
			if n := hits.Load() - before; n != 0 {
				t.Errorf("the local service got %d requests, want none", n)
			}
			if want := strings.TrimPrefix(srv.URL, "http://"); len(addrs) != 1 || addrs[0] != want {
				t.Errorf("connected to %q, want %q alone", addrs, want)
			}
		})
	}
}

// TestMCPDialRefusalExplained checks that a redirect's name dialed at an
// address that is not public is refused as a redirect to it, and named
// with the address. (A redirect's URL naming localhost is refused before
// the dial: the request is sent here as the redirect's would be.)
func TestMCPDialRefusalExplained(t *testing.T) {
	victim, hits := startVictim(t)
	to := strings.Replace(victim.URL, "127.0.0.1", "localhost", 1) + "/mcp"
	client, err := newMCPClient(target{endpoint: "http://127.0.0.1:1/mcp"})
	if err != nil {
		t.Fatal(err)
	}
	var addrs []string
	resp, err := client.Transport.RoundTrip(mcpPost(t, to, &addrs))
	if err == nil {
		resp.Body.Close()
	}
	var rr *redirectRefused
	if !errors.As(err, &rr) {
		t.Fatalf("error %v, want the redirect refused", err)
	}
	if msg, want := explain("http://127.0.0.1:1/mcp", err, nil), "the server redirects to "+to+", which was not followed: localhost ("; !strings.Contains(msg, want) || !strings.Contains(msg, ") is a loopback address") {
		t.Errorf("explained %q, want %q and the loopback address in it", msg, want)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the local service got %d requests, want none", n)
	}
}

// TestMCPRedirectRefusalEndsRun checks that a run whose POST is
// redirected to a local service ends as other transport failures do,
// with one line naming the URL, without its query, and the reason.
func TestMCPRedirectRefusalEndsRun(t *testing.T) {
	victim, hits := startVictim(t)
	to := victim.URL + "/admin?key=" + secretToken
	code, stdout, stderr := runAgainst(t, http.RedirectHandler(to, http.StatusPermanentRedirect), "-token", "t0k3n")
	want := "the server redirects to " + victim.URL + "/admin?…, which was not followed: 127.0.0.1 is a loopback address, and only the endpoint's own host and port may be one"
	checkRunOutput(t, code, 1, stdout, stderr, nil, []string{want})
	if strings.Contains(stderr, secretToken) {
		t.Errorf("stderr %q shows the redirect's query", stderr)
	}
	if lines := strings.Count(stderr, "\n"); lines != 1 {
		t.Errorf("stderr has %d lines, want 1: %q", lines, stderr)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the local service got %d requests, want none", n)
	}
}

// TestMCPRedirectNotDowngraded checks that a redirect of the MCP requests
// from https to plain http is not followed, and one within https is.
func TestMCPRedirectNotDowngraded(t *testing.T) {
	for _, tc := range []struct {
		name, to string
		refused  bool
	}{
		{"to plain http", "http://mcp.example.com/mcp", true},
		{"within https", "/mcp", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewTLSServer(redirectingTo(tc.to))
			defer srv.Close()
			endpoint := srv.URL + "/old"
			client, err := newMCPClient(target{endpoint: endpoint})
			if err != nil {
				t.Fatal(err)
			}
			client.Transport.(*statusRecorder).base.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}
			var addrs []string
			resp, err := client.Do(mcpPost(t, endpoint, &addrs))
			if err == nil {
				resp.Body.Close()
			}
			if refused := errors.Is(err, errDowngrade); refused != tc.refused {
				t.Fatalf("error %v: refused %v, want %v", err, refused, tc.refused)
			}
			if !tc.refused {
				return
			}
			if len(addrs) != 1 {
				t.Errorf("connected to %q, want the https server alone", addrs)
			}
			if msg, want := explain(endpoint, err, nil), "the server redirects to "+tc.to+", plain http, which anyone on the way could read or change"; !strings.Contains(msg, want) {
				t.Errorf("explained %q, want %q in it", msg, want)
			}
		})
	}
}

// redirectingTo answers a JSON-RPC POST to /mcp, and redirects every other
// request to to.
func redirectingTo(to string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/mcp" {
			writeJSON(w, http.StatusOK, map[string]any{"jsonrpc": "2.0", "id": 1, "result": map[string]any{}})
			return
		}
		http.Redirect(w, r, to, http.StatusTemporaryRedirect)
	})
}

// TestMCPRedirectsBounded checks that the MCP requests stop after ten
// requests, as net/http's own client does: with nine sent before it, a
// redirect that keeps the method is followed, and with ten it is not, so
// a server that redirects for ever ends the run.
func TestMCPRedirectsBounded(t *testing.T) {
	for _, tc := range []struct {
		sent int    // requests sent before the redirect
		want string // the error's text; "" for none
	}{
		{1, ""},
		{9, ""},
		{10, "stopped after 10 redirects"},
	} {
		via := make([]*http.Request, tc.sent)
		for i := range via {
			via[i] = httptest.NewRequest(http.MethodPost, "https://mcp.example.com/mcp", nil)
		}
		next := httptest.NewRequest(http.MethodPost, "https://mcp.example.com/mcp", nil)
		got := ""
		if err := sameMethodRedirect(next, via); err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("redirect after %d requests: error %q, want %q", tc.sent, got, tc.want)
		}
	}
}

// TestFailureAfterRedirectNamed checks that a failed answer that came from
// where the endpoint redirects says so, naming that URL without its
// query: the endpoint itself did not fail, and its path may be right.
func TestFailureAfterRedirectNamed(t *testing.T) {
	const secret = "s1gn4tur3-v4lu3-0123456789"
	for _, tc := range []struct {
		name     string
		moved    bool // /mcp redirects to /moved, which fails
		status   int
		body     string
		want     []string
		dontWant []string
	}{
		{"not found after a redirect", true, http.StatusNotFound, "404 page not found",
			[]string{"no MCP endpoint at ", "/mcp (HTTP 404 from ", "/moved?…, where the endpoint redirects): check the URL's path"}, []string{secret}},
		{"server failure after a redirect", true, http.StatusInternalServerError, `{"message":"boom"}`,
			[]string{`/mcp answered HTTP 500, "boom" from `, "/moved?…, where the endpoint redirects: connecting: "}, []string{secret}},
		{"not found at the endpoint", false, http.StatusNotFound, "404 page not found",
			[]string{"/mcp (HTTP 404): check the URL's path"}, []string{"redirects"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.moved && r.URL.Path == "/mcp" {
					http.Redirect(w, r, "/moved?sig="+secret, http.StatusTemporaryRedirect)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			})
			code, stdout, stderr := runAgainst(t, h)
			checkRunOutput(t, code, 1, stdout, stderr, nil, tc.want)
			for _, dontWant := range tc.dontWant {
				if strings.Contains(stderr, dontWant) {
					t.Errorf("stderr %q says %q", stderr, dontWant)
				}
			}
		})
	}
}
