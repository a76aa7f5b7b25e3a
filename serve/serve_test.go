package serve

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/internal/listenaddr"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
	"github.com/lambdamcp/lambdamcp/requeststate"
)

const pingCall = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ping","arguments":{"delay_ms":0}}}`

// local runs h with Run on a free port of 127.0.0.1, configured by env,
// until the test ends. It returns the endpoint's URL, taken from the
// "listening" line, and the log lines that follow it.
func local(t *testing.T, h http.Handler, env map[string]string, lopts *lambdamcp.Options) (string, <-chan map[string]any) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	getenv := func(k string) string { return env[k] }
	logger := slog.New(slog.NewJSONHandler(pw, nil))
	go func() {
		done <- Run(ctx, h, &Options{Addr: "127.0.0.1:0", Logger: logger, Lambda: lopts, Getenv: getenv})
		pw.Close()
	}()
	recs := make(chan map[string]any, 64)
	go func() {
		defer close(recs)
		lines := bufio.NewScanner(pr)
		for lines.Scan() {
			var rec map[string]any
			if json.Unmarshal(lines.Bytes(), &rec) == nil {
				recs <- rec
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run = %v after ctx ended, want nil", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not return after ctx ended")
		}
	})
	for {
		rec := nextRecord(t, recs)
		if rec["msg"] == "listening" {
			url, _ := rec["url"].(string)
			if !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasPrefix(url, "http://127.0.0.1:0/") || !strings.HasSuffix(url, "/mcp") {
				t.Fatalf("listening at %q, want the bound port's /mcp", url)
			}
			return url, recs
		}
	}
}

func nextRecord(t *testing.T, recs <-chan map[string]any) map[string]any {
	t.Helper()
	select {
	case rec, ok := <-recs:
		if !ok {
			t.Fatal("Run stopped logging")
		}
		return rec
	case <-time.After(10 * time.Second):
		t.Fatal("no log line in 10 s")
	}
	return nil
}

// post sends an MCP POST and returns the status, Content-Type, a header
// and the body.
func post(t *testing.T, url, accept, token, origin, body string) (*http.Response, string) {
	t.Helper()
	return postTo(t, url, "", accept, token, origin, body)
}

// postTo is post with a Host header of its own, when host is not empty.
func postTo(t *testing.T, url, host, accept, token, origin, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", accept)
	req.Header.Set("MCP-Protocol-Version", "2025-11-25")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

const both = "application/json, text/event-stream"

// TestRunLocally serves the reference server without authentication: it
// answers at /mcp and /mcp/ as the function does (JSON errors, a log line
// per request), has a health check, refuses a foreign Origin, and serves a
// client that accepts JSON alone, since Handler's handler answers JSON.
func TestRunLocally(t *testing.T) {
	url, recs := local(t, Handler(demoserver.New(demoserver.Options{}), nil), nil, nil)

	for _, u := range []string{url, url + "/"} {
		resp, body := post(t, u, both, "", "", pingCall)
		if resp.StatusCode != 200 || !strings.Contains(body, "pong!") {
			t.Errorf("POST %s = %d %s, want 200 and pong", u, resp.StatusCode, body)
		}
		if rec := nextRecord(t, recs); rec["msg"] != "request" || rec["status"] != float64(200) {
			t.Errorf("log line = %v, want the request's", rec)
		}
	}
	// Only /mcp and /mcp/ are the endpoint, not the paths below it.
	if resp, body := post(t, url+"/below", both, "", "", pingCall); resp.StatusCode != http.StatusNotFound || !json.Valid([]byte(body)) {
		t.Errorf("POST %s/below = %d %s, want 404 with a JSON body", url, resp.StatusCode, body)
	}
	resp, body := post(t, url, "application/json", "", "", pingCall)
	if resp.StatusCode != 200 || !strings.Contains(body, "pong!") {
		t.Errorf("Accept: application/json alone = %d %s, want 200 and pong", resp.StatusCode, body)
	}
	resp, body = post(t, url, both, "", "https://evil.example", pingCall)
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("foreign Origin = %d %s %s, want 403 with a JSON body", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	// The Origin is refused before anything else is wrong with the
	// request (the guard's CheckOrigin), not after the guard's 406.
	if resp, body := post(t, url, "text/html", "", "https://evil.example", pingCall); resp.StatusCode != http.StatusForbidden {
		t.Errorf("foreign Origin accepting HTML = %d %s, want 403", resp.StatusCode, body)
	}
	if resp, body := post(t, url, both, "", strings.TrimSuffix(url, "/mcp"), pingCall); resp.StatusCode != 200 {
		t.Errorf("the server's own Origin = %d %s, want 200", resp.StatusCode, body)
	}
	// A page whose DNS name was rebound to this machine sends its own name
	// as Host and Origin alike: the server's origin is its listener's, so
	// the page is refused, by the guard first.
	rebound := strings.Replace(strings.TrimSuffix(url, "/mcp"), "127.0.0.1", "rebound.example", 1)
	req, _ := http.NewRequest("POST", url, strings.NewReader(pingCall))
	req.Host = strings.TrimPrefix(rebound, "http://")
	req.Header.Set("Origin", rebound)
	req.Header.Set("Accept", "text/html")
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a rebound page's request = %d, want 403", resp.StatusCode)
	}

	base := strings.TrimSuffix(url, "/mcp")
	for path, want := range map[string]int{"/healthz": 200, "/elsewhere": 404} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || resp.Header.Get("Content-Type") != "application/json" || !json.Valid(body) {
			t.Errorf("GET %s = %d %s %s, want %d with a JSON body", path, resp.StatusCode, resp.Header.Get("Content-Type"), body, want)
		}
	}
}

// TestRunOwnHandler serves a handler that is not Handler's: Run cannot
// know that it answers JSON, so a client must accept event streams too,
// as the transport requires, unless Options.Lambda says otherwise.
func TestRunOwnHandler(t *testing.T) {
	answer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":{}}`)
	})
	url, _ := local(t, answer, nil, nil)
	if resp, body := post(t, url, "application/json", "", "", pingCall); resp.StatusCode != http.StatusNotAcceptable {
		t.Errorf("Accept: application/json alone = %d %s, want 406", resp.StatusCode, body)
	}
	if resp, body := post(t, url, both, "", "", pingCall); resp.StatusCode != 200 {
		t.Errorf("Accept: both = %d %s, want 200", resp.StatusCode, body)
	}

	url, _ = local(t, answer, nil, &lambdamcp.Options{JSONResponse: true})
	if resp, body := post(t, url, "application/json", "", "", pingCall); resp.StatusCode != 200 {
		t.Errorf("with Lambda.JSONResponse, Accept: application/json alone = %d %s, want 200", resp.StatusCode, body)
	}
}

// TestRunWithToken serves the reference server with a static token
// configured: /mcp requires it, locally too. With an authorization server
// named, it points a client without a token at the metadata, which names
// the local endpoint as the resource; with static tokens alone, which no
// authorization server issues, there is no metadata to point at (a
// document must name an authorization server).
func TestRunWithToken(t *testing.T) {
	const token = "serve-static-token-0123456789"
	static, _ := local(t, Handler(demoserver.New(demoserver.Options{}), nil), map[string]string{auth.EnvTokenSHA256: auth.HashToken(token)}, nil)
	resp, body := post(t, static, both, "", "", pingCall)
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Bearer realm="mcp"` {
		t.Errorf("static tokens alone, without a token: %d %q %s, want 401 with a Bearer challenge that has only a realm", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
	}
	if res, err := http.Get(strings.Replace(static, "/mcp", auth.WellKnownPath+"/mcp", 1)); err != nil {
		t.Fatal(err)
	} else {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 404 || !json.Valid(b) {
			t.Errorf("static tokens alone, metadata: %d %s, want a JSON 404", res.StatusCode, b)
		}
	}

	env := map[string]string{auth.EnvTokenSHA256: auth.HashToken(token), auth.EnvAuthorizationServers: "https://issuer.example.com"}
	url, _ := local(t, Handler(demoserver.New(demoserver.Options{}), nil), env, nil)

	resp, body = post(t, url, both, "", "", pingCall)
	meta := strings.Replace(url, "/mcp", auth.WellKnownPath+"/mcp", 1)
	if want := `Bearer resource_metadata="` + meta + `"`; resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != want {
		t.Errorf("without a token: %d %q %s, want 401 %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body, want)
	}
	if resp, body := post(t, url, both, "wrong-"+token, "", pingCall); resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("a wrong token: %d %q %s, want 401 invalid_token", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
	}
	if resp, body := post(t, url, both, token, "", pingCall); resp.StatusCode != 200 || !strings.Contains(body, "pong!") {
		t.Errorf("with the token: %d %s, want 200 and pong", resp.StatusCode, body)
	}

	res, err := http.Get(meta)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
	}
	err = json.NewDecoder(res.Body).Decode(&doc)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 || doc.Resource != url || len(doc.AuthorizationServers) != 1 {
		t.Errorf("metadata: %d, %+v (%v); want 200, resource %q and the authorization server", res.StatusCode, doc, err, url)
	}

	// The root form names the one resource served here too, answered at
	// that path, not redirected to the path with a slash.
	root := strings.Replace(url, "/mcp", auth.WellKnownPath, 1)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if res, err = noRedirect.Get(root); err != nil {
		t.Fatal(err)
	}
	doc.Resource = ""
	err = json.NewDecoder(res.Body).Decode(&doc)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 || doc.Resource != url {
		t.Errorf("metadata at %s: %d, %+v (%v); want 200 and resource %q", root, res.StatusCode, doc, err, url)
	}
}

// TestRunKeepsOwnCheckOrigin checks that a CheckOrigin given in
// Options.Lambda is the one the guard asks, not replaced by the one the
// environment configures.
func TestRunKeepsOwnCheckOrigin(t *testing.T) {
	refuseAll := func(*http.Request) bool { return false }
	url, _ := local(t, Handler(demoserver.New(demoserver.Options{}), nil), nil, &lambdamcp.Options{CheckOrigin: refuseAll})
	self := strings.TrimSuffix(url, "/mcp") // an Origin the environment's check allows
	if resp, body := post(t, url, both, "", self, pingCall); resp.StatusCode != http.StatusForbidden {
		t.Errorf("Origin %s with a CheckOrigin refusing every origin: %d %s, want 403", self, resp.StatusCode, body)
	}
}

// TestRunRefusesBadConfig checks that an environment Run cannot run with
// is a ConfigError, returned before it listens, naming the variable.
func TestRunRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"token hash not hex", map[string]string{auth.EnvTokenSHA256: "xyz"}, auth.EnvTokenSHA256},
		{"token hash list empty", map[string]string{auth.EnvTokenSHA256: " , "}, auth.EnvTokenSHA256},
		{"resource URL not a URL", map[string]string{auth.EnvTokenSHA256: auth.HashToken("t"), auth.EnvResourceURL: "mcp.example.com/mcp"}, auth.EnvResourceURL},
		{"JWT half configured", map[string]string{auth.EnvJWTIssuer: "https://issuer.example"}, auth.EnvJWTAudience},
		{"from authorizer not a switch", map[string]string{auth.EnvFromAuthorizer: "yes"}, auth.EnvFromAuthorizer},
		{"stream shape unknown", map[string]string{"MCP_STREAM": "soap"}, "MCP_STREAM"},
		{"scopes without a verifier", map[string]string{auth.EnvRequiredScopes: "mcp:tools"}, auth.EnvRequiredScopes},
		{"resource URL not a URL, no authentication", map[string]string{auth.EnvResourceURL: "mcp.example.com/mcp"}, auth.EnvResourceURL},
		{"metadata URL not a URL", map[string]string{auth.EnvTokenSHA256: auth.HashToken("t"), auth.EnvResourceMetadataURL: "notaurl"}, auth.EnvResourceMetadataURL},
		{"authorization server not a URL", map[string]string{auth.EnvTokenSHA256: auth.HashToken("t"), auth.EnvAuthorizationServers: "notaurl"}, auth.EnvAuthorizationServers},
		{"origin with a path", map[string]string{auth.EnvAllowedOrigins: "https://app.example.com/ui"}, auth.EnvAllowedOrigins},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs strings.Builder
			// A configuration taken for good serves until ctx ends.
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel()
			err := Run(ctx, Handler(demoserver.New(demoserver.Options{}), nil), &Options{
				Addr:   "127.0.0.1:0",
				Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
				Getenv: func(k string) string { return tc.env[k] },
			})
			if ExitCode(err) != 2 || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Run = %v (exit %d), want a ConfigError (exit 2) naming %s", err, ExitCode(err), tc.want)
			}
			if strings.Contains(logs.String(), "listening") {
				t.Errorf("it listened: %s", logs.String())
			}
		})
	}
}

// TestRunRefusesStreamInCode: the deployment says which shapes stream,
// through MCP_STREAM; a Stream in the options would be overruled by it, so
// it is refused rather than ignored.
func TestRunRefusesStreamInCode(t *testing.T) {
	err := Run(t.Context(), Handler(demoserver.New(demoserver.Options{}), nil), &Options{
		Addr:   "127.0.0.1:0",
		Logger: slog.New(slog.DiscardHandler),
		Lambda: &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}},
		Getenv: func(string) string { return "" },
	})
	if ExitCode(err) != 2 || !strings.Contains(err.Error(), EnvStream) {
		t.Errorf("Run = %v, want a ConfigError naming %s", err, EnvStream)
	}
}

// TestRunPortTaken checks that a port in use is an error of its own, not
// a ConfigError, and that no "listening" line claims otherwise.
func TestRunPortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var logs strings.Builder
	env := map[string]string{EnvAddr: ln.Addr().String()}
	err = Run(t.Context(), Handler(demoserver.New(demoserver.Options{}), nil), &Options{
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		Getenv: func(k string) string { return env[k] },
	})
	if ExitCode(err) != 1 || !strings.Contains(err.Error(), "address already in use") || !strings.Contains(err.Error(), EnvAddr) {
		t.Errorf("Run = %v (exit %d), want the listen error (exit 1)", err, ExitCode(err))
	}
	if logs.Len() != 0 {
		t.Errorf("logged %q, want nothing", logs.String())
	}
}

// TestRunDefaultPortTaken checks that the default address, when another
// program holds it, is reported with the variable that sets another.
func TestRunDefaultPortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", DefaultAddr)
	switch {
	case err == nil:
		defer ln.Close()
	case !listenaddr.InUse(err):
		t.Fatal(err)
	} // else another program holds it: taken all the same.
	err = Run(t.Context(), Handler(demoserver.New(demoserver.Options{}), nil), &Options{
		Logger: slog.New(slog.DiscardHandler),
		Getenv: func(string) string { return "" },
	})
	prefix, suffix := `default listen address "`+DefaultAddr+`": listen tcp `+DefaultAddr+": ", " ("+EnvAddr+" sets another)"
	if ExitCode(err) != 1 || !listenaddr.InUse(err) || !strings.HasPrefix(err.Error(), prefix) || !strings.HasSuffix(err.Error(), suffix) {
		t.Errorf("Run = %v (exit %d), want %q, the reason, then %q (exit 1)", err, ExitCode(err), prefix, suffix)
	}
}

// runAt runs Run for h on a free port of 127.0.0.1, logging nothing, until
// cancel is called; done receives what Run returned. It returns once Run
// says it listens.
func runAt(t *testing.T, h http.Handler) (addr string, cancel context.CancelFunc, done <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	listening := make(urlLogged, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- Run(ctx, h, &Options{Addr: "127.0.0.1:0", Logger: slog.New(listening), Getenv: func(string) string { return "" }})
	}()
	select {
	case url := <-listening:
		return strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/mcp"), cancel, errc
	case err := <-errc:
		t.Fatalf("Run = %v before it listened", err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not listen in 10 s")
	}
	return
}

// urlLogged receives the URL of Run's "listening" record and drops every
// record.
type urlLogged chan string

func (c urlLogged) Enabled(context.Context, slog.Level) bool { return true }
func (c urlLogged) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c urlLogged) WithGroup(string) slog.Handler            { return c }

func (c urlLogged) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "listening" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "url" {
				c <- a.Value.String()
			}
			return true
		})
	}
	return nil
}

// TestRunShutdownWithStalledClient checks that Run returns nil once ctx
// ends even when a client never finishes its request: that request is cut
// after the grace period, and the shutdown went as asked.
func TestRunShutdownWithStalledClient(t *testing.T) {
	// Timeouts far beyond the grace period: the cut is the shutdown's.
	// Restored once Run has returned (cleanups run last first).
	oldHeader, oldRead := readHeaderTimeout, readTimeout
	t.Cleanup(func() { readHeaderTimeout, readTimeout = oldHeader, oldRead })
	readHeaderTimeout, readTimeout = time.Hour, time.Hour
	addr, cancel, done := runAt(t, Handler(demoserver.New(demoserver.Options{}), nil))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n") // and nothing more
	// The server accepts connections one at a time, in the order they
	// came: once a later one is answered, the stalled one is the server's.
	later := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := later.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v (exit %d) after ctx ended, want nil", err, ExitCode(err))
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return")
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("stalled connection: read %v after Run returned, want EOF (cut by the shutdown)", err)
	}
}

// TestRunUncleanPaths checks that a path that is not clean gets a JSON
// 404, with and without authentication, where http.ServeMux would redirect
// with an HTML page.
func TestRunUncleanPaths(t *testing.T) {
	for _, env := range []map[string]string{nil, {auth.EnvTokenSHA256: auth.HashToken("serve-static-token-0123456789")}} {
		url, _ := local(t, Handler(demoserver.New(demoserver.Options{}), nil), env, nil)
		base := strings.TrimSuffix(url, "/mcp")
		for _, p := range []string{"//mcp", "/x/../mcp", "/mcp/.", "/./healthz", "//.well-known/oauth-protected-resource"} {
			req, _ := http.NewRequest("POST", base+p, strings.NewReader(pingCall))
			req.Header.Set("Content-Type", "application/json")
			resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/json" || !isRPCError(body, -32600, "404 page not found") {
				t.Errorf("auth %v: POST %s = %d %s %s, want 404 with a JSON-RPC -32600 error", env != nil, p, resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		}
	}
}

// TestRunWarnsWhenExposed checks that Run warns when it listens beyond
// loopback without authentication, and only then; and when it is told to
// take the identity from a Lambda authorizer, which does not run locally,
// and then also of the token settings that check nothing.
func TestRunWarnsWhenExposed(t *testing.T) {
	const (
		exposed        = "listening beyond this machine without authentication"
		fromAuthorizer = auth.EnvFromAuthorizer + "=1 outside Lambda"
		unchecked      = "check nothing in this server"
		everywhere     = "listening on every interface without " + auth.EnvResourceURL
	)
	static := auth.HashToken("serve-static-token-0123456789")
	jwt := map[string]string{auth.EnvJWTIssuer: "https://iss.example", auth.EnvJWTJWKSURL: "https://iss.example/jwks.json", auth.EnvJWTAudience: "https://mcp.example/mcp"}
	for _, tc := range []struct {
		addr string
		env  map[string]string
		want []string
	}{
		{"0.0.0.0:0", nil, []string{exposed}},
		{"127.0.0.1:0", nil, nil},
		{"0.0.0.0:0", map[string]string{auth.EnvTokenSHA256: auth.HashToken("serve-static-token-0123456789"), auth.EnvResourceURL: "https://mcp.example/mcp"}, nil},
		// Listening everywhere, the resource is named after localhost:
		// that matters where a metadata document names it and challenges
		// point at it, which static tokens alone have not.
		{"0.0.0.0:0", map[string]string{auth.EnvTokenSHA256: static}, nil},
		{"0.0.0.0:0", map[string]string{auth.EnvTokenSHA256: static, auth.EnvAuthorizationServers: "https://iss.example"}, []string{everywhere}},
		{"0.0.0.0:0", jwt, []string{everywhere}},
		{"127.0.0.1:0", map[string]string{auth.EnvFromAuthorizer: "1"}, []string{fromAuthorizer}},
		// The authorizer's identity is trusted instead of tokens.
		{"127.0.0.1:0", map[string]string{auth.EnvFromAuthorizer: "1", auth.EnvTokenSHA256: auth.HashToken("serve-static-token-0123456789")},
			[]string{fromAuthorizer, unchecked}},
		{"127.0.0.1:0", map[string]string{auth.EnvFromAuthorizer: "1", auth.EnvJWTIssuer: "https://iss.example", auth.EnvJWTJWKSURL: "https://iss.example/jwks.json",
			auth.EnvJWTAudience: "https://mcp.example/mcp"}, []string{fromAuthorizer, unchecked}},
	} {
		var logs strings.Builder
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		sw := &syncWriter{w: &logs, listening: make(chan struct{})}
		logger := slog.New(slog.NewJSONHandler(sw, nil))
		go func() {
			done <- Run(ctx, Handler(demoserver.New(demoserver.Options{}), nil), &Options{
				Addr: tc.addr, Logger: logger, Getenv: func(k string) string { return tc.env[k] },
			})
		}()
		select {
		case <-sw.listening:
		case err := <-done:
			t.Fatalf("%s: Run = %v before listening", tc.addr, err)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("%s: Run = %v", tc.addr, err)
		}
		var warned []string
		for _, w := range []string{exposed, fromAuthorizer, unchecked, everywhere} {
			if strings.Contains(logs.String(), w) {
				warned = append(warned, w)
			}
		}
		if diff := cmp.Diff(tc.want, warned); diff != "" {
			t.Errorf("%s, env %v: warnings (-want +got):\n%s\nlogs:\n%s", tc.addr, tc.env, diff, logs.String())
		}
	}
}

// TestRunWarnsOfUnreadVariables checks that Run names each MCP_ variable
// of the environment that looks meant for it yet is none it reads, from
// os.Environ when it reads os.Getenv, and from Options.Environ otherwise.
func TestRunWarnsOfUnreadVariables(t *testing.T) {
	const scope = "MCP_REQUIRED_SCOPE is set, and nothing reads it; did you mean MCP_REQUIRED_SCOPES?"
	read := []string{EnvAddr + "=127.0.0.1:0", EnvStream + "=", requeststate.EnvKey + "=k", auth.EnvAllowedOrigins + "=https://a.example", "MCP_CLIENT_ID=c", "HOME=/root"}
	tests := []struct {
		name    string
		setenv  map[string]string // the process's environment, read when getenv is nil
		getenv  map[string]string
		environ []string
		want    []string
	}{
		{name: "the process's environment", setenv: map[string]string{"MCP_REQUIRED_SCOPE": "mcp:tools", "MCP_JWT_LEEWAY": "30s"},
			want: []string{"MCP_JWT_LEEWAY is set, and nothing reads it", scope}},
		{name: "Options.Environ", getenv: map[string]string{}, environ: append(read, "MCP_REQUIRED_SCOPE=mcp:tools", "mcp_stream=url", "MCP_ADR=:80", "MCP_REQUEST_STATE_KY=k"),
			want: []string{
				"MCP_ADR is set, and nothing reads it; did you mean MCP_ADDR?",
				"MCP_REQUEST_STATE_KY is set, and nothing reads it; did you mean MCP_REQUEST_STATE_KEY?",
				scope,
				"mcp_stream is set, and nothing reads it; did you mean MCP_STREAM?",
			}},
		{name: "names read", getenv: map[string]string{}, environ: read},
		{name: "Getenv without Environ", getenv: map[string]string{"MCP_REQUIRED_SCOPE": "mcp:tools"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.setenv {
				t.Setenv(k, v)
			}
			opts := &Options{Addr: "127.0.0.1:0"}
			if tc.getenv != nil {
				opts.Getenv = func(k string) string { return tc.getenv[k] }
			}
			if tc.environ != nil {
				opts.Environ = func() []string { return tc.environ }
			}
			var logs strings.Builder
			sw := &syncWriter{w: &logs, listening: make(chan struct{})}
			opts.Logger = slog.New(slog.NewJSONHandler(sw, nil))
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- Run(ctx, Handler(demoserver.New(demoserver.Options{}), nil), opts) }()
			select {
			case <-sw.listening:
			case err := <-done:
				t.Fatalf("Run = %v before listening; logs:\n%s", err, logs.String())
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("Run = %v", err)
			}
			var warned []string
			for line := range strings.Lines(logs.String()) {
				var l struct{ Level, Msg string }
				if err := json.Unmarshal([]byte(line), &l); err != nil {
					t.Fatalf("log line %q: %v", line, err)
				}
				if l.Level == "WARN" && strings.Contains(l.Msg, "nothing reads it") {
					warned = append(warned, l.Msg)
				}
			}
			slices.Sort(warned)
			if diff := cmp.Diff(tc.want, warned); diff != "" {
				t.Errorf("warnings (-want +got):\n%s\nlogs:\n%s", diff, logs.String())
			}
		})
	}
}

// syncWriter serialises log lines to w, and closes listening at the
// "listening" line.
type syncWriter struct {
	mu        sync.Mutex
	w         io.Writer
	listening chan struct{}
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if bytes.Contains(p, []byte(`"msg":"listening"`)) {
		close(s.listening)
	}
	return s.w.Write(p)
}

// TestRunTimeouts checks that the local server bounds what clients take
// to send: a body that stops coming gets a 408, and a kept-alive
// connection left idle is closed, while an answer takes as long as it
// takes.
func TestRunTimeouts(t *testing.T) {
	// Restored once Run has returned (local's cleanup waits for it, and
	// cleanups run last first): the server reads them as it starts, after
	// it logs "listening".
	was := [2]time.Duration{readTimeout, idleTimeout}
	t.Cleanup(func() { readTimeout, idleTimeout = was[0], was[1] })
	readTimeout, idleTimeout = 500*time.Millisecond, 500*time.Millisecond
	url, _ := local(t, Handler(demoserver.New(demoserver.Options{}), nil), nil, nil)
	host := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/mcp")

	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /mcp HTTP/1.1\r\nHost: "+host+"\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: 100\r\n\r\n{")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("stalled body: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestTimeout || !isRPCError(body, -32700, "failed to read body: the request body did not arrive in time") || strings.Contains(string(body), "127.0.0.1") {
		t.Errorf("stalled body: %d %s, want 408 with a JSON-RPC -32700 error naming no address", resp.StatusCode, body)
	}

	idle, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	io.WriteString(idle, "GET /healthz HTTP/1.1\r\nHost: "+host+"\r\n\r\n")
	r := bufio.NewReader(idle)
	idle.SetReadDeadline(time.Now().Add(10 * time.Second))
	if resp, err := http.ReadResponse(r, nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("health check: %v %v", resp, err)
	} else {
		io.ReadAll(resp.Body)
	}
	if _, err := r.ReadByte(); err != io.EOF {
		t.Errorf("idle connection: read %v, want EOF once the server closed it", err)
	}

	// A slow answer outlives both timeouts (ping's delay_ms).
	slow := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ping","arguments":{"delay_ms":1200}}}`
	if resp, body := post(t, url, both, "", "", slow); resp.StatusCode != 200 || !strings.Contains(body, "pong!") {
		t.Errorf("slow answer: %d %s, want 200 and pong", resp.StatusCode, body)
	}
}

// TestRunShutdownEndsListenGracefully checks that a subscriptions/listen
// stream open when the server shuts down ends with its final result, the
// graceful close the spec asks for, and that Run then returns promptly.
func TestRunShutdownEndsListenGracefully(t *testing.T) {
	// A server whose tool list may change, so that a listen stream stays
	// open until it ends.
	server := mcp.NewServer(&mcp.Implementation{Name: "listen", Version: "1"}, &mcp.ServerOptions{
		Capabilities: &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{ListChanged: true}},
	})
	addr, cancel, done := runAt(t, Handler(server, nil))
	const listen = `{"jsonrpc":"2.0","id":7,"method":"subscriptions/listen","params":{"notifications":{"toolsListChanged":true},"_meta":{` +
		`"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"t","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}`
	req, _ := http.NewRequest("POST", "http://"+addr+"/mcp", strings.NewReader(listen))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", both)
	req.Header.Set("MCP-Protocol-Version", "2026-07-28")
	req.Header.Set("Mcp-Method", "subscriptions/listen")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := bufio.NewScanner(resp.Body)
	next := func() map[string]any {
		t.Helper()
		for events.Scan() {
			if data, ok := strings.CutPrefix(events.Text(), "data: "); ok {
				var m map[string]any
				if err := json.Unmarshal([]byte(data), &m); err != nil {
					t.Fatalf("event %q: %v", data, err)
				}
				return m
			}
		}
		return nil
	}
	if ack := next(); ack["method"] != "notifications/subscriptions/acknowledged" {
		t.Fatalf("%d %s: first event %v, want the acknowledgement", resp.StatusCode, resp.Header.Get("Content-Type"), ack)
	}
	start := time.Now()
	cancel()
	end := next()
	if end["id"] != float64(7) || end["result"] == nil {
		t.Errorf("closing event %v, want the listen request's result", end)
	}
	if more := next(); more != nil {
		t.Errorf("event after the result: %v", more)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("shutdown took %v, want it at once", d)
	}
}

// TestRunShutdownLetsCallsFinish checks that a call in flight when the
// server begins to shut down is answered in full, within the grace.
func TestRunShutdownLetsCallsFinish(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "slow", Version: "1"}, nil)
	started := make(chan struct{})
	var addr string // set before any call
	mcp.AddTool(server, &mcp.Tool{Name: "slow"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		close(started)
		// Past the shutdown's start, whatever the tool's context says:
		// until the server has closed its listener, which Shutdown does
		// first.
		for limit := time.Now().Add(10 * time.Second); time.Now().Before(limit); time.Sleep(5 * time.Millisecond) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				break
			}
			c.Close()
		}
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "done"}}}, nil, nil
	})
	addr, cancel, done := runAt(t, Handler(server, nil))
	type answer struct {
		status int
		body   string
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		call := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"slow","arguments":{}}}`
		req, _ := http.NewRequest("POST", "http://"+addr+"/mcp", strings.NewReader(call))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", both)
		req.Header.Set("MCP-Protocol-Version", "2025-11-25")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- answer{err: err}
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		answered <- answer{status: resp.StatusCode, body: string(body)}
	}()
	select {
	case <-started:
	case a := <-answered:
		t.Fatalf("answered before the tool started: %d %q %v", a.status, a.body, a.err)
	}
	cancel()
	if a := <-answered; a.status != 200 || !strings.Contains(a.body, `"text":"done"`) {
		t.Errorf("call in flight at shutdown: %d %q %v, want its result", a.status, a.body, a.err)
	}
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
}

// A local server on a loopback address serves only requests whose Host is a
// loopback name: the go-sdk's protection against DNS rebinding, which a
// reverse proxy that keeps the public Host meets too. The refusal is a JSON
// 403, as docs/errors.md lists it.
func TestLocalHostProtection(t *testing.T) {
	url, _ := local(t, Handler(demoserver.New(demoserver.Options{}), nil), nil, nil)
	for host, want := range map[string]int{"mcp.example.com": 403, "localhost": 200} {
		resp, body := postTo(t, url, host, both, "", "", pingCall)
		if resp.StatusCode != want {
			t.Errorf("Host %s: %d %s, want %d", host, resp.StatusCode, body, want)
		}
		if want == 403 {
			var answer struct {
				Error struct {
					Code    int
					Message string
				}
			}
			if json.Unmarshal([]byte(body), &answer) != nil || answer.Error.Code != -32600 || !strings.Contains(answer.Error.Message, "Forbidden: invalid Host header") {
				t.Errorf("Host %s: body %s, want a JSON-RPC -32600 naming the Host", host, body)
			}
		}
	}
}

// TestRunCountsHeaderValues checks that a request with more header values
// than the limit is refused by lambdamcp, in JSON, however many it has: a
// count past net/http's own cap (500 values from Go 1.27, none before)
// gets the same answer as one just past lambdamcp's.
func TestRunCountsHeaderValues(t *testing.T) {
	url, _ := local(t, Handler(demoserver.New(demoserver.Options{}), nil), nil, nil)
	for _, n := range []int{lambdamcp.DefaultMaxHeaders + 1, 600} {
		req, err := http.NewRequest("POST", url, strings.NewReader(pingCall))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", both)
		for i := range n {
			req.Header.Add("X-Extra", fmt.Sprint(i))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || resp.Header.Get("Content-Type") != "application/json" ||
			!isRPCError(body, -32600, fmt.Sprintf("the limit is %d", lambdamcp.DefaultMaxHeaders)) {
			t.Errorf("%d header values: %d %s %s, want 431 with a JSON-RPC -32600 naming the limit", n, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
}

// isRPCError reports whether body is a JSON-RPC error with code whose
// message contains message.
func isRPCError(body []byte, code int, message string) bool {
	var answer struct {
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	return json.Unmarshal(body, &answer) == nil && answer.Error != nil &&
		answer.Error.Code == code && strings.Contains(answer.Error.Message, message)
}

// TestRunReportsInitError checks that on Lambda an environment Run cannot
// run with reaches the Runtime API as the function's init error before Run
// returns it: a ConfigError as Runtime.ConfigInvalid with its message, so
// that the invocation waiting for the function names the setting.
func TestRunReportsInitError(t *testing.T) {
	api := runtimeapi.NewServer()
	hs := httptest.NewServer(api)
	defer hs.Close()
	env := map[string]string{"AWS_LAMBDA_RUNTIME_API": strings.TrimPrefix(hs.URL, "http://"), EnvStream: "soap"}
	returned := make(chan error, 1)
	go func() {
		returned <- Run(t.Context(), Handler(demoserver.New(demoserver.Options{}), nil), &Options{
			Logger: slog.New(slog.DiscardHandler),
			Getenv: func(k string) string { return env[k] },
		})
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, err := api.Invoke(ctx, &runtimeapi.Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute)})
	var fe *runtimeapi.FunctionError
	if !errors.As(err, &fe) || fe.Type != runtimeapi.ErrorTypeConfigInvalid || !strings.Contains(fe.Message, EnvStream) {
		t.Errorf("Invoke = %v, want %s naming %s", err, runtimeapi.ErrorTypeConfigInvalid, EnvStream)
	}
	if err := <-returned; ExitCode(err) != 2 {
		t.Errorf("Run = %v (exit %d), want a ConfigError (exit 2)", err, ExitCode(err))
	}
}

// TestNilRefused checks that a nil server or handler is refused before
// anything is served, instead of every request answering an error.
func TestNilRefused(t *testing.T) {
	t.Run("Handler", func(t *testing.T) {
		got := func() (v any) {
			defer func() { v = recover() }()
			Handler(nil, nil)
			return nil
		}()
		if want := "serve: Handler: nil *mcp.Server"; got != want {
			t.Errorf("panic %v, want %q", got, want)
		}
	})
	t.Run("Run", func(t *testing.T) {
		var logs strings.Builder
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		err := Run(ctx, nil, &Options{
			Addr:   "127.0.0.1:0",
			Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
			Getenv: func(string) string { return "" },
		})
		if ExitCode(err) != 2 || !strings.Contains(err.Error(), "nil") {
			t.Errorf("Run = %v (exit %d), want a ConfigError (exit 2) saying the handler is nil", err, ExitCode(err))
		}
		if strings.Contains(logs.String(), "listening") {
			t.Errorf("it listened: %s", logs.String())
		}
	})
}
