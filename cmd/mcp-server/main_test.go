package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/serve"
)

// TestRunRejectsUsageErrors checks that a command line or an environment
// the server cannot run with stops it before it listens, with exit status 2
// (and a usage line for the command line).
func TestRunRejectsUsageErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel() // a server that starts anyway stops at once, with status 0
	tests := []struct {
		name string
		args []string
		want string
		env  map[string]string
	}{
		{"stray argument", []string{"-addr", "127.0.0.1:0", "serve"}, `unexpected argument "serve"`, nil},
		{"token hash not hex", []string{"-addr", "127.0.0.1:0"}, auth.EnvTokenSHA256, map[string]string{auth.EnvTokenSHA256: "xyz"}},
		{"token hash list empty", []string{"-addr", "127.0.0.1:0"}, auth.EnvTokenSHA256, map[string]string{auth.EnvTokenSHA256: " , "}},
		{"resource URL not a URL", []string{"-addr", "127.0.0.1:0"}, auth.EnvResourceURL,
			map[string]string{auth.EnvTokenSHA256: auth.HashToken("t"), auth.EnvResourceURL: "mcp.example.com/mcp"}},
		{"stream shape unknown", []string{"-addr", "127.0.0.1:0"}, "MCP_STREAM", map[string]string{"MCP_STREAM": "soap"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			code := run(ctx, tc.args, func(k string) string { return tc.env[k] }, nil, io.Discard, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr.String(), tc.want)
			}
			if tc.env == nil && !strings.Contains(stderr.String(), "usage: mcp-server") {
				t.Errorf("stderr %q lacks a usage line", stderr.String())
			}
		})
	}
}

// TestListenErrorNamesTheSetting checks that an address that cannot be
// listened on is reported under the setting it came from: MCP_ADDR when
// the environment gave it, the address itself when -addr did.
func TestListenErrorNamesTheSetting(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, map[string]string{serve.EnvAddr: "nonsense"}, serve.EnvAddr + ` "nonsense"`},
		{[]string{"-addr", "nonsense"}, map[string]string{serve.EnvAddr: "127.0.0.1:0"}, `listen address "nonsense"`},
	} {
		var stderr strings.Builder
		code := run(t.Context(), tc.args, func(k string) string { return tc.env[k] }, nil, io.Discard, &stderr)
		if code != 1 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v with %v: exit %d, stderr %q; want exit 1 and %q", tc.args, tc.env, code, stderr.String(), tc.want)
		}
	}
}

// startLogs runs the local server with args and env until it logs
// "listening", stops it, and returns the records logged until then.
func startLogs(t *testing.T, args []string, env map[string]string) []map[string]any {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, args, func(k string) string { return env[k] }, nil, pw, io.Discard)
		pw.Close()
	}()
	found := make(chan []map[string]any, 1)
	go func() {
		var recs []map[string]any
		lines := bufio.NewScanner(pr)
		for lines.Scan() {
			var rec map[string]any
			if json.Unmarshal(lines.Bytes(), &rec) == nil {
				recs = append(recs, rec)
				if rec["msg"] == "listening" {
					found <- recs
					break
				}
			}
		}
		io.Copy(io.Discard, pr)
		close(found)
	}()
	var recs []map[string]any
	select {
	case recs = <-found:
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not log \"listening\" in 10 s")
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("run = %d, want 0", code)
	}
	if recs == nil {
		t.Fatal("the server exited before listening")
	}
	return recs
}

// TestListenOnEveryInterface checks the URL the server gives when it
// listens on every interface: one a local client can use, not [::] or
// 0.0.0.0; without authentication, a warning that anyone who can reach it
// can call the tools, and with it, where a metadata document names the
// resource (an authorization server issues the tokens), a warning that
// remote clients need MCP_RESOURCE_URL.
func TestListenOnEveryInterface(t *testing.T) {
	authEnv := map[string]string{auth.EnvTokenSHA256: auth.HashToken("every-interface-token"), auth.EnvAuthorizationServers: "https://issuer.example.com"}
	for _, addr := range []string{":0", "0.0.0.0:0"} {
		t.Run(addr, func(t *testing.T) {
			recs := startLogs(t, []string{"-addr", addr}, nil)
			listening := recs[len(recs)-1]
			u, err := url.Parse(listening["url"].(string))
			if err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost") || u.Port() == "0" {
				t.Errorf("listening url = %v, want a loopback URL with the port", listening["url"])
			}
			var exposed bool
			for _, rec := range recs {
				msg, _ := rec["msg"].(string)
				switch {
				case rec["level"] == "WARN" && strings.HasPrefix(msg, "listening beyond this machine without authentication"):
					exposed = true
				case rec["level"] == "WARN":
					t.Errorf("warning without authentication: %v", rec)
				}
			}
			if !exposed {
				t.Error("no warning that the server is open to the network without authentication")
			}
		})
		t.Run(addr+" with authentication", func(t *testing.T) {
			recs := startLogs(t, []string{"-addr", addr}, authEnv)
			var warned bool
			for _, rec := range recs {
				if msg, _ := rec["msg"].(string); rec["level"] == "WARN" && strings.Contains(msg, auth.EnvResourceURL) {
					warned = true
				}
				if res, ok := rec["resource"].(string); ok && (strings.Contains(res, "[::]") || strings.Contains(res, "0.0.0.0")) {
					t.Errorf("resource = %s, not a URL a client can use", res)
				}
			}
			if !warned {
				t.Errorf("no warning naming %s in %v", auth.EnvResourceURL, recs)
			}
		})
	}
	t.Run("with MCP_RESOURCE_URL", func(t *testing.T) {
		env := map[string]string{auth.EnvTokenSHA256: authEnv[auth.EnvTokenSHA256], auth.EnvResourceURL: "https://mcp.example.com/mcp"}
		for _, rec := range startLogs(t, []string{"-addr", ":0"}, env) {
			if rec["level"] == "WARN" {
				t.Errorf("warning although %s is set: %v", auth.EnvResourceURL, rec)
			}
		}
	})
}

func TestRunHelp(t *testing.T) {
	var stderr strings.Builder
	if code := run(t.Context(), []string{"-h"}, func(string) string { return "" }, nil, io.Discard, &stderr); code != 0 || !strings.Contains(stderr.String(), "-addr") {
		t.Errorf("exit %d, stderr %q; want 0 and the flags", code, stderr.String())
	}
}
