package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// listened records the loopback ports the run's callback listens on.
type listened struct {
	mu    sync.Mutex
	ports []int
}

// withListenRecorder makes the callback's listens recorded in l.
func withListenRecorder(t *testing.T) *listened {
	t.Helper()
	l := &listened{}
	saved := listenTCP
	listenTCP = func(network, addr string) (net.Listener, error) {
		ln, err := saved(network, addr)
		if err == nil && strings.HasPrefix(addr, "127.0.0.1:") {
			l.mu.Lock()
			l.ports = append(l.ports, ln.Addr().(*net.TCPAddr).Port)
			l.mu.Unlock()
		}
		return ln, err
	}
	t.Cleanup(func() { listenTCP = saved })
	return l
}

func (l *listened) list() []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]int(nil), l.ports...)
}

// TestKeptSignInListensNowhere checks that a -login run that uses the
// kept sign-in opens no callback listener, on a fixed port or a free one.
func TestKeptSignInListensNowhere(t *testing.T) {
	for _, port := range []string{"0", "fixed"} {
		t.Run(port, func(t *testing.T) {
			_, as, endpoint, _ := keepingSignIn(t)
			args := []string{"-login", "-client-id", as.ClientID, "-issuer", as.Issuer, "-endpoint", endpoint, "-call", "whoami", "-redirect-port"}
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), append(args, "0"), noEnv, &stdout, &stderr); code != 0 {
				t.Fatalf("the sign-in: exit %d; stderr %q", code, stderr.String())
			}
			if port == "fixed" {
				port = strconv.Itoa(freePort(t))
			}
			l := withListenRecorder(t)
			stdout.Reset()
			stderr.Reset()
			if code := run(t.Context(), append(args, port), noEnv, &stdout, &stderr); code != 0 {
				t.Fatalf("the run with the kept sign-in: exit %d; stderr %q", code, stderr.String())
			}
			if ports := l.list(); len(ports) != 0 {
				t.Errorf("the run listened on %v, want nowhere", ports)
			}
		})
	}
}

// TestSignInReleasesCallbackPort checks that a run that signs in frees
// its callback port once the callback came, before its MCP calls:
// another run may sign in on it while this one goes on.
func TestSignInReleasesCallbackPort(t *testing.T) {
	for _, port := range []string{"0", "fixed"} {
		t.Run(port, func(t *testing.T) {
			_, as, endpoint, b := keepingSignIn(t)
			if port == "fixed" {
				port = strconv.Itoa(freePort(t))
			}
			l := withListenRecorder(t)
			var mu sync.Mutex
			var calls int
			var held []string // the callback's ports found taken at a tool call
			front := frontOf(t, endpoint, func(body []byte) {
				if !bytes.Contains(body, []byte(`"tools/call"`)) {
					return
				}
				mu.Lock()
				defer mu.Unlock()
				calls++
				for _, p := range l.list() {
					ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
					if err != nil {
						held = append(held, err.Error())
						continue
					}
					ln.Close()
				}
			})
			args := []string{"-login", "-client-id", as.ClientID, "-issuer", as.Issuer, "-redirect-port", port, "-endpoint", front, "-call", "whoami"}
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), args, noEnv, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d; stderr %q", code, stderr.String())
			}
			if len(l.list()) == 0 {
				t.Fatal("the run listened nowhere for its callback")
			}
			// The page was written before the listener closed.
			if _, pages, _ := b.seen(); len(pages) != 1 || !strings.Contains(pages[0], "the sign-in came back") {
				t.Errorf("the browser's pages %q, want the one saying the sign-in came back", pages)
			}
			mu.Lock()
			defer mu.Unlock()
			if calls != 1 || len(held) != 0 {
				t.Errorf("%d tool calls, the callback's port held at them: %q; want 1, free", calls, held)
			}
		})
	}
}

// frontOf is endpoint behind a front of its own host, which shows each
// request's body to saw before passing it on.
func frontOf(t *testing.T, endpoint string, saw func(body []byte)) string {
	t.Helper()
	target, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	var self string // the front's host
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(&url.URL{Scheme: target.Scheme, Host: target.Host})
		},
		// The server names itself in its challenge and its resource
		// metadata: the front's name, as the client knows it.
		ModifyResponse: func(resp *http.Response) error {
			challenges := resp.Header[http.CanonicalHeaderKey("WWW-Authenticate")]
			for i, v := range challenges {
				challenges[i] = strings.ReplaceAll(v, target.Host, self)
			}
			if !strings.Contains(resp.Request.URL.Path, "/.well-known/") {
				return nil
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				return err
			}
			body = bytes.ReplaceAll(body, []byte(target.Host), []byte(self))
			resp.Body = io.NopCloser(bytes.NewReader(body))
			resp.ContentLength = int64(len(body))
			resp.Header.Del("Content-Length")
			return nil
		},
	}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		saw(body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	self = strings.TrimPrefix(front.URL, "http://")
	return front.URL + strings.TrimPrefix(endpoint, target.Scheme+"://"+target.Host)
}
