package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestRegisteredPortRefused checks that a registered client's port the
// system will not listen on for another reason than another program
// holding it (one Windows has reserved since the client was registered,
// say: access denied) is given up for the port the sign-in takes
// otherwise, with the line a held one gets, as a sign-in before the
// redirect URI was kept would have: the sign-in does not end there.
func TestRegisteredPortRefused(t *testing.T) {
	registered := freePort(t)
	saved := listenTCP
	listenTCP = func(network, addr string) (net.Listener, error) {
		if _, port, _ := net.SplitHostPort(addr); port == strconv.Itoa(registered) {
			return nil, &net.OpError{Op: "listen", Net: network, Err: os.NewSyscallError("bind", syscall.EACCES)}
		}
		return saved(network, addr)
	}
	t.Cleanup(func() { listenTCP = saved })
	var notice bytes.Buffer
	c := newCallback(0, nil, nil)
	defer c.close()
	registeredURI := fmt.Sprintf("http://localhost:%d/callback", registered)
	c.useRegistered(registeredURI, &notice)
	if err := c.start(); err != nil {
		t.Fatalf("start: %v", err)
	}
	if c.bound == 0 || c.bound == registered {
		t.Errorf("listening on port %d, want another than the registered %d", c.bound, registered)
	}
	want := fmt.Sprintf("mcp-client: cannot take the sign-in's callback on loopback port %d, that of the redirect URI the client was registered with on an earlier sign-in (", registered)
	if got := notice.String(); !strings.HasPrefix(got, want) || !strings.Contains(got, "it comes back to "+c.redirectURL+" instead") {
		t.Errorf("notice %q; want a line beginning %q, naming %s", got, want, c.redirectURL)
	}
}

// TestRegisteredPortAndFallbackHeld checks that a sign-in that can have
// neither the registered client's port nor the one it falls back on
// names both: the port the line names alone would not be the one to
// free for the registered redirect URI.
func TestRegisteredPortAndFallbackHeld(t *testing.T) {
	registered := freePort(t)
	// The fallback is held for real, so that its error is the one this
	// system gives a port in use (Windows and Plan 9 have their own).
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	fallback := held.Addr().(*net.TCPAddr).Port
	saved := listenTCP
	listenTCP = func(network, addr string) (net.Listener, error) {
		switch _, port, _ := net.SplitHostPort(addr); port {
		case strconv.Itoa(registered):
			return nil, &net.OpError{Op: "listen", Net: network, Err: os.NewSyscallError("bind", syscall.EACCES)}
		case strconv.Itoa(fallback):
			return saved("tcp", held.Addr().String())
		}
		return saved(network, addr)
	}
	t.Cleanup(func() { listenTCP = saved })
	var notice bytes.Buffer
	c := newCallback(fallback, nil, nil)
	defer c.close()
	c.useRegistered(fmt.Sprintf("http://localhost:%d/callback", registered), &notice)
	err = c.start()
	if err == nil {
		t.Fatalf("start listened on %d; want an error", c.bound)
	}
	want := fmt.Sprintf("cannot take the sign-in's callback on loopback port %d, that of the redirect URI the client was registered with on an earlier sign-in (", registered)
	if got := err.Error(); !strings.HasPrefix(got, want) || !strings.Contains(got, fmt.Sprintf("nor on port %d", fallback)) {
		t.Errorf("error %q; want one beginning %q, naming port %d too", got, want, fallback)
	}
}
