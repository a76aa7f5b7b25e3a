package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, func(string) string { return "" }, pw, &stderr)
		pw.Close()
	}()
	url, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the URL: %v (stderr: %s)", err, stderr.String())
	}
	url = strings.TrimSpace(url)
	go io.Copy(io.Discard, pr)

	httpClient := &http.Client{Transport: &http.Transport{}}
	client := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: httpClient}, nil)
	if err != nil {
		t.Fatalf("connecting to %s: %v", url, err)
	}
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "test_simple_text"})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Content[0].(*mcp.TextContent).Text; got != "This is a simple text response for testing." {
		t.Errorf("test_simple_text = %q", got)
	}
	// The local server answers as the function does (Guard): the spec's
	// error for a version it does not serve, as JSON.
	req, _ := http.NewRequest("POST", url, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "1900-01-01")
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), `"code":-32022`) {
		t.Errorf("unsupported version: %d %s, want 400 with error -32022", resp.StatusCode, body)
	}
	cs.Close()
	// A connection dialled for a request the client then dropped stays open
	// and unused; shutting down would wait for it.
	httpClient.CloseIdleConnections()
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("run returned %d after cancel; stderr: %s", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "still open") {
		t.Errorf("shutdown was not graceful; stderr: %s", stderr.String())
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"unknown flag", []string{"-nope"}, nil},
		{"path without a slash", []string{"-addr", "127.0.0.1:0", "-path", "mcp"}, nil},
		{"empty path", []string{"-addr", "127.0.0.1:0", "-path", ""}, nil},
		{"path not clean", []string{"-addr", "127.0.0.1:0", "-path", "/a/../mcp"}, nil},
		{"path with a double slash", []string{"-addr", "127.0.0.1:0", "-path", "/mcp//"}, nil},
		{"path escaped", []string{"-addr", "127.0.0.1:0", "-path", "/a%20b"}, nil},
		{"path to escape", []string{"-addr", "127.0.0.1:0", "-path", "/a b"}, nil},
		{"path with a query", []string{"-addr", "127.0.0.1:0", "-path", "/mcp?x=1"}, nil},
		{"stray argument", []string{"-addr", "127.0.0.1:0", "serve"}, nil},
		{"short state key", nil, map[string]string{"MCP_REQUEST_STATE_KEY": "abcd"}},
		{"state key not hex", nil, map[string]string{"MCP_REQUEST_STATE_KEY": strings.Repeat("zz", 32)}},
		{"state key of zeros", nil, map[string]string{"MCP_REQUEST_STATE_KEY": strings.Repeat("00", 32)}},
		{"no state key on Lambda", nil, map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9"}},
		// * would allow every page, and the origins beside it nothing more.
		{"any origin beside origins", nil, map[string]string{"MCP_ALLOWED_ORIGINS": "*, https://app.example.com"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			// Ended already: a server that wrongly starts stops at once.
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			code := run(ctx, tc.args, func(k string) string { return tc.env[k] }, &stdout, &stderr)
			if code != 2 {
				t.Errorf("run = %d, want 2; stderr: %s", code, stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("run printed %q; want nothing on stdout", stdout.String())
			}
		})
	}
}

// TestRunHelp checks that -h prints the flags and ends with status 0, as
// asking for help is no mistake (the repository's commands all exit so),
// serving nothing.
func TestRunHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	code := run(ctx, []string{"-h"}, func(string) string { return "" }, &stdout, &stderr)
	if code != 0 {
		t.Errorf("run -h = %d, want 0; stderr: %s", code, stderr.String())
	}
	for _, want := range []string{"-addr", "-path"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("run -h printed %q, which does not name %s", stderr.String(), want)
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("run -h printed %q on stdout; want nothing", stdout.String())
	}
}

// TestRunReportsConfigError checks that on Lambda a setting the server
// cannot run with reaches the Runtime API as the init error, naming the
// setting, so that the invocation waiting for the function says why.
func TestRunReportsConfigError(t *testing.T) {
	key := "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no state key", nil, "MCP_REQUEST_STATE_KEY"},
		{"stream shape unknown", map[string]string{"MCP_REQUEST_STATE_KEY": key, "MCP_STREAM": "bogus"}, "MCP_STREAM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := runtimeapi.NewServer()
			hs := httptest.NewServer(api)
			defer hs.Close()
			t.Setenv("AWS_LAMBDA_RUNTIME_API", strings.TrimPrefix(hs.URL, "http://")) // read by lambdamcp.ReportConfigError
			getenv := func(k string) string {
				if k == "AWS_LAMBDA_RUNTIME_API" {
					return strings.TrimPrefix(hs.URL, "http://")
				}
				return tc.env[k]
			}
			var stdout, stderr bytes.Buffer
			done := make(chan int, 1)
			go func() {
				done <- run(t.Context(), nil, getenv, &stdout, &stderr)
				api.Close(errors.New("run returned without reporting why"))
			}()
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			_, err := api.Invoke(ctx, &runtimeapi.Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute)})
			var fe *runtimeapi.FunctionError
			if !errors.As(err, &fe) || fe.Type != runtimeapi.ErrorTypeConfigInvalid || !strings.Contains(fe.Message, tc.want) {
				t.Errorf("Invoke = %v, want %s naming %s", err, runtimeapi.ErrorTypeConfigInvalid, tc.want)
			}
			if code := <-done; code != 2 {
				t.Errorf("run = %d, want 2", code)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr does not name %s: %s", tc.want, stderr.String())
			}
		})
	}
}

// TestHostPort checks the name the server's own origin gets: the listener's
// address, localhost for one listening everywhere.
func TestHostPort(t *testing.T) {
	for addr, want := range map[string]string{"127.0.0.1:8080": "127.0.0.1:8080", "0.0.0.0:9090": "localhost:9090", "[::]:9090": "localhost:9090"} {
		tcp, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := hostPort(tcp); got != want {
			t.Errorf("hostPort(%s) = %s, want %s", addr, got, want)
		}
	}
}

// TestRunPathsAreJSON checks the local server's answers off the endpoint:
// a JSON 404 for another path and for an unclean one, never a redirect.
func TestRunPathsAreJSON(t *testing.T) {
	base := strings.TrimSuffix(startLocal(t), "/mcp")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, p := range []string{"/nope", "//mcp", "/a/../mcp"} {
		resp, err := client.Post(base+p, "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("POST %s: %d %s %s, want a JSON 404", p, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
}

// TestRunOwnOrigins checks the Origin rule of the local server: on a
// loopback listener every loopback name is the server's own (the go-sdk
// keeps other Hosts out), as the conformance suite's DNS-rebinding check
// expects of whatever URL it was given; a foreign origin is refused.
func TestRunOwnOrigins(t *testing.T) {
	endpoint := startLocal(t)
	_, port, _ := net.SplitHostPort(strings.TrimSuffix(strings.TrimPrefix(endpoint, "http://"), "/mcp"))
	for _, tc := range []struct {
		host, origin string
		want         int
	}{
		{"127.0.0.1:" + port, "http://127.0.0.1:" + port, 200},
		{"localhost:" + port, "http://localhost:" + port, 200},
		{"127.0.0.1:" + port, "https://evil.example", 403},
	} {
		req, _ := http.NewRequest("POST", endpoint, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
		req.Host = tc.host
		req.Header.Set("Origin", tc.origin)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("MCP-Protocol-Version", "2025-11-25")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("Host %s, Origin %s: %d, want %d", tc.host, tc.origin, resp.StatusCode, tc.want)
		}
	}
}

// startLocal runs the command on a loopback port until the test ends and
// returns the endpoint URL it prints.
func startLocal(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	pr, pw := io.Pipe()
	go func() {
		// A run that refuses its flags prints no URL: the read ends.
		run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), func(string) string { return "" }, pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	return strings.TrimSpace(line)
}

// TestRunPrintsReachableURL checks that the URL printed for a listener on
// every address is one a client on this machine can use: it names
// localhost, as the server's own origin does, not the unspecified address,
// whose Host the go-sdk refuses on a loopback connection.
func TestRunPrintsReachableURL(t *testing.T) {
	for _, addr := range []string{":0", "0.0.0.0:0"} {
		t.Run(addr, func(t *testing.T) {
			endpoint := startLocal(t, "-addr", addr)
			if !strings.HasPrefix(endpoint, "http://localhost:") {
				t.Errorf("printed %q, want http://localhost:PORT/mcp", endpoint)
			}
			req, _ := http.NewRequest("POST", endpoint, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			req.Header.Set("MCP-Protocol-Version", "2025-11-25")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("POST %s: %d, want 200", endpoint, resp.StatusCode)
			}
		})
	}
}

// TestRunPathWithSlash checks that a -path ending in a slash is served at
// the URL printed for it, as the endpoint matches it.
func TestRunPathWithSlash(t *testing.T) {
	for _, path := range []string{"/mcp/", "/", "/a-b_c.d~e/f:g@h"} {
		t.Run(path, func(t *testing.T) {
			endpoint := startLocal(t, "-path", path)
			if !strings.HasSuffix(endpoint, path) {
				t.Fatalf("printed %q, want a URL ending %q", endpoint, path)
			}
			req, _ := http.NewRequest("POST", endpoint, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			req.Header.Set("MCP-Protocol-Version", "2025-11-25")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("POST %s: %d, want 200", endpoint, resp.StatusCode)
			}
		})
	}
}
