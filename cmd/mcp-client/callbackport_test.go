package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

// freePort is a loopback port free on 127.0.0.1, and on ::1 where the
// host has it, when the test asks.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if ln6, err := net.Listen("tcp", net.JoinHostPort("::1", strconv.Itoa(port))); err == nil {
		ln6.Close()
	}
	return port
}

// holdPort listens on host at a free port, as another program would, for
// the test; it returns the port.
func holdPort(t *testing.T, host string) int {
	t.Helper()
	held, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Skipf("no %s here: %v", host, err)
	}
	t.Cleanup(func() { held.Close() })
	return held.Addr().(*net.TCPAddr).Port
}

// checkPortFree fails the test if 127.0.0.1:port is still listened on.
func checkPortFree(t *testing.T, port int) {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Errorf("the run left its callback port %d taken: %v", port, err)
		return
	}
	ln.Close()
}

// TestKeptSignInPortHeld runs -login a second time, with the sign-in
// kept, while another program (another run, in another terminal) holds
// the redirect port: a run that needs no browser needs no callback.
func TestKeptSignInPortHeld(t *testing.T) {
	tests := []struct {
		name    string
		between func(t *testing.T, path string)
		grants  []string
	}{
		{name: "reused"},
		{name: "expired, refreshed", between: func(t *testing.T, p string) {
			writeKept(t, p, func(k *keptToken) { k.Expiry = time.Now().Add(-time.Hour) })
		}, grants: []string{"refresh_token"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, as, endpoint, b := keepingSignIn(t)
			login := func(port int) (int, string) {
				args := []string{"-login", "-client-id", as.ClientID, "-issuer", as.Issuer, "-redirect-port", strconv.Itoa(port), "-endpoint", endpoint, "-call", "whoami"}
				var stdout, stderr bytes.Buffer
				code := run(t.Context(), args, func(string) string { return "" }, &stdout, &stderr)
				return code, stderr.String()
			}
			if code, stderr := login(0); code != 0 {
				t.Fatalf("the first run: exit %d; stderr %q", code, stderr)
			}
			if tc.between != nil {
				tc.between(t, keptFile(t, dir))
			}
			granted := len(as.Grants())
			port := holdPort(t, "127.0.0.1")
			if code, stderr := login(port); code != 0 || strings.Contains(stderr, "mcp-client:") {
				t.Errorf("the second run, port %d held: exit %d, stderr %q; want 0 and no word of mcp-client's", port, code, stderr)
			}
			if opened, _, _ := b.seen(); len(opened) != 1 {
				t.Errorf("the browser was opened %d times, want once, by the first run", len(opened))
			}
			if diff := cmp.Diff(tc.grants, as.Grants()[granted:], cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("the second run's token requests (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSignInPortHeld checks that a run that does need a sign-in, its
// redirect port held by another program, stops when the sign-in starts
// with the line a port held at the run's start gave, before the browser
// is sent anywhere.
func TestSignInPortHeld(t *testing.T) {
	tests := []struct {
		name   string
		host   string // where the port is held
		kept   bool   // a kept sign-in whose refresh is refused comes first
		reason string // what the refusal says, %d the port
	}{
		{name: "held on 127.0.0.1", host: "127.0.0.1", reason: "listen tcp 127.0.0.1:%d: bind: address already in use"},
		{name: "held on ::1", host: "::1", reason: "another program holds [::1]:%[1]d, where a browser may send the sign-in's code: listen tcp [::1]:%[1]d: bind: address already in use"},
		{name: "kept sign-in refused, held on 127.0.0.1", host: "127.0.0.1", kept: true, reason: "listen tcp 127.0.0.1:%d: bind: address already in use"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, as, endpoint, b := keepingSignIn(t)
			args := []string{"-login", "-client-id", as.ClientID, "-issuer", as.Issuer, "-endpoint", endpoint}
			if tc.kept {
				var stdout, stderr bytes.Buffer
				if code := run(t.Context(), append(args, "-redirect-port", "0"), func(string) string { return "" }, &stdout, &stderr); code != 0 {
					t.Fatalf("the first run: exit %d; stderr %q", code, stderr.String())
				}
				writeKept(t, keptFile(t, dir), func(k *keptToken) { k.Expiry = time.Now().Add(-time.Hour) })
				as.RevokeRefresh()
			}
			opened, _, _ := b.seen()
			port := holdPort(t, tc.host)
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append(args, "-redirect-port", strconv.Itoa(port)), func(string) string { return "" }, &stdout, &stderr)
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			want := fmt.Sprintf("mcp-client: cannot take the sign-in's callback on loopback port %d (%s): free the port, or register another redirect URI with the authorization server and give its port with -redirect-port", port, fmt.Sprintf(tc.reason, port))
			if code != 1 || lines[len(lines)-1] != want {
				t.Errorf("exit %d, stderr %q; want 1 and the last line\n%s", code, stderr.String(), want)
			}
			if strings.Contains(stderr.String(), "sign in at") {
				t.Errorf("the run printed a sign-in URL: %q", stderr.String())
			}
			if now, _, _ := b.seen(); len(now) != len(opened) {
				t.Errorf("the browser was opened: %q", now[len(opened):])
			}
			if tc.host != "127.0.0.1" {
				checkPortFree(t, port)
			}
		})
	}
}

// TestSignInFixedPort runs sign-ins on a fixed redirect port, whose
// listener opens when the sign-in starts: it still ends at -timeout and
// at Ctrl-C, and the port is free again once the run is over.
func TestSignInFixedPort(t *testing.T) {
	tests := []struct {
		name    string
		person  string // "signs in", "never signs in", "interrupts"
		timeout string
		code    int
		wantErr string // PORT the port
	}{
		{name: "signed in", person: "signs in", code: 0, wantErr: "mcp-client: sign in at "},
		{name: "timeout", person: "never signs in", timeout: "3s", code: 1,
			wantErr: "the sign-in did not come back to http://localhost:PORT/callback within -timeout 3s"},
		{name: "interrupted", person: "interrupts", code: exitInterrupted, wantErr: "mcp-client: interrupted\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			withCacheDir(t)
			as := startAS(t, oauthtest.Options{Pool: "eu-west-1_Test", Public: true, Scopes: []string{testScope}})
			endpoint := startJWTReference(t, as, nil)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			b := newBrowser()
			switch tc.person {
			case "signs in":
				withOpener(t, b.open)
			case "never signs in":
				withOpener(t, func(string) error { return nil })
			case "interrupts":
				withOpener(t, func(string) error { cancel(); return nil }) // Ctrl-C once the browser opens
			}
			port := freePort(t)
			args := []string{"-login", "-client-id", as.ClientID, "-issuer", as.Issuer, "-redirect-port", strconv.Itoa(port), "-endpoint", endpoint}
			if tc.timeout != "" {
				args = append(args, "-timeout", tc.timeout)
			}
			var stdout, stderr bytes.Buffer
			code := run(ctx, args, func(string) string { return "" }, &stdout, &stderr)
			if want := strings.ReplaceAll(tc.wantErr, "PORT", strconv.Itoa(port)); code != tc.code || !strings.Contains(stderr.String(), want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr.String(), tc.code, want)
			}
			checkPortFree(t, port)
		})
	}
}
