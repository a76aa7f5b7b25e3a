package main

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// buildCommand compiles a command of this module into dir.
func buildCommand(t *testing.T, dir, pkg string, env ...string) string {
	t.Helper()
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Env = append(os.Environ(), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// startServer runs the built server on a free loopback port and returns its
// MCP endpoint, read from the server's own "listening" log line.
func startServer(t *testing.T, bin string, env ...string) string {
	t.Helper()
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		var rec struct{ Msg, URL string }
		if json.Unmarshal(lines.Bytes(), &rec) == nil && rec.Msg == "listening" {
			go io.Copy(io.Discard, stdout)
			return rec.URL
		}
	}
	t.Fatalf("server exited before listening: %v", lines.Err())
	return ""
}

// runClient runs the built client with MCP_SERVER_ENDPOINT and MCP_TOKEN
// unset.
func runClient(t *testing.T, bin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runClientEnv(t, nil, bin, args...)
}

// runClientEnv runs the built client with env added to an environment
// without MCP_SERVER_ENDPOINT and MCP_TOKEN.
func runClientEnv(t *testing.T, env []string, bin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(append(os.Environ(), "MCP_SERVER_ENDPOINT=", "MCP_TOKEN="), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// TestClientAgainstLocalServer builds both commands, runs the server
// locally and tells the sample's story with the client, in both protocol
// eras and with the failures a person meets.
func TestClientAgainstLocalServer(t *testing.T) {
	dir := t.TempDir()
	server := buildCommand(t, dir, "github.com/lambdamcp/lambdamcp/cmd/mcp-server")
	client := buildCommand(t, dir, "github.com/lambdamcp/lambdamcp/cmd/mcp-client")
	endpoint := startServer(t, server)

	for _, protocol := range []string{"2026-07-28", "2025-11-25"} {
		t.Run("protocol "+protocol, func(t *testing.T) {
			out, errOut, code := runClient(t, client, "-endpoint", endpoint, "-protocol", protocol)
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, errOut)
			}
			want := regexp.MustCompile(`^Connected to lambdamcp-demo 0\.1\.0 \(protocol ` + protocol + `\)
Tools \(2\):
  - ping: .+
  - whoami: .+
ping #1: pong! logStream=unknown v=0\.1\.0 d=(100|50) \(\d+ ms round trip\)
ping #2: pong! logStream=unknown v=0\.1\.0 d=(100|50) \(\d+ ms round trip\)
$`)
			if !want.MatchString(out) {
				t.Errorf("output does not match %s:\n%s", want, out)
			}
			if m := want.FindStringSubmatch(out); m != nil && m[1] == m[2] {
				t.Errorf("ping waited %s ms twice; it must alternate 100 and 50", m[1])
			}
		})
	}

	t.Run("call with arguments", func(t *testing.T) {
		out, errOut, code := runClient(t, client, "-endpoint", endpoint, "-call", "ping", "-args", `{"delay_ms":0}`)
		if code != 0 {
			t.Fatalf("exit %d, stderr:\n%s", code, errOut)
		}
		// The result alone on stdout; the rest on stderr.
		want := regexp.MustCompile(`^pong! logStream=unknown v=0\.1\.0 d=0
$`)
		if !want.MatchString(out) {
			t.Errorf("output does not match %s:\n%s", want, out)
		}
		if banner := "Connected to lambdamcp-demo 0.1.0 (protocol 2026-07-28)\n"; !strings.HasPrefix(errOut, banner) {
			t.Errorf("stderr %q does not start with %q", errOut, banner)
		}
	})

	closed := freeAddr(t)
	// A failed run says what went wrong in one line and exits 1; a command
	// line the client cannot run exits 2, with a usage line after.
	failures := []struct {
		name, endpoint, want string
		code                 int
	}{
		{"nothing listening", "http://" + closed + "/mcp", "mcp-client: cannot reach http://" + closed + "/mcp", 1},
		{"wrong path", strings.TrimSuffix(endpoint, "/mcp") + "/nope", "(HTTP 404): check the URL's path", 1},
		{"not a URL", "127.0.0.1/mcp", "is not an http(s) URL", 2},
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runClient(t, client, "-endpoint", tc.endpoint, "-timeout", "10s")
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stdout:\n%s", code, tc.code, out)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			wantLines := 1
			if tc.code == 2 {
				wantLines = 2
			}
			if len(lines) != wantLines || !strings.Contains(lines[0], tc.want) || (tc.code == 2 && !strings.HasPrefix(lines[1], "usage: mcp-client")) {
				t.Errorf("stderr = %q, want a line containing %q (and a usage line for exit 2)", errOut, tc.want)
			}
		})
	}
}

// TestLocalServerHTTP checks the local server's own paths.
func TestLocalServerHTTP(t *testing.T) {
	server := buildCommand(t, t.TempDir(), "github.com/lambdamcp/lambdamcp/cmd/mcp-server")
	endpoint := startServer(t, server)
	base := strings.TrimSuffix(endpoint, "/mcp")
	tests := []struct {
		method, path string
		status       int
		allow        string
		bodyHas      string
	}{
		{"GET", "/healthz", 200, "", `"status":"ok"`},
		{"GET", "/mcp", 405, "POST", `"code":-32600`},
		{"DELETE", "/mcp", 405, "POST", `"code":-32600`},
		{"GET", "/missing", 404, "", `"code":-32600`},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, base+tc.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tc.status)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			if got := resp.Header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow = %q, want %q", got, tc.allow)
			}
			if !strings.Contains(string(body), tc.bodyHas) {
				t.Errorf("body %s lacks %s", body, tc.bodyHas)
			}
		})
	}
}

// TestLambdaBootstrapBuilds cross-compiles the bootstrap as the README and
// the deploy app do, for Lambda's provided.al2023 runtime on arm64.
func TestLambdaBootstrapBuilds(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", filepath.Join(dir, "bootstrap"), ".")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	f, err := elf.Open(filepath.Join(dir, "bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 {
		t.Errorf("bootstrap machine = %v, want EM_AARCH64", f.Machine)
	}
	if interp := f.Section(".interp"); interp != nil {
		t.Error("bootstrap is dynamically linked; Lambda's provided.al2023 needs a static binary")
	}
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
