//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestProcessURLAndStop(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "logs", "p.log")
	// A child of the process must stop with it: stop ends the whole group.
	// The shell names its child before it prints the URL.
	p, err := startProcess(logPath, "/bin/sh", []string{"-c", `sleep 600 & echo "child $!"; echo '{"msg":"listening","url":"http://127.0.0.1:4321/dev"}'; wait`}, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := p.waitURL(t.Context(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if u != "http://127.0.0.1:4321/dev" {
		t.Errorf("url = %q", u)
	}
	logged, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	var child int
	if _, err := fmt.Sscanf(string(logged), "child %d", &child); err != nil || child <= 0 {
		t.Fatalf("no child pid in the output %q: %v", logged, err)
	}
	// stop waits for the process's output to close, which the child holds
	// open until it is killed too; it kills the group after 5 s at most.
	stopped := make(chan struct{})
	go func() { p.stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(20 * time.Second):
		syscall.Kill(child, syscall.SIGKILL)
		t.Fatalf("stop did not return within 20 s: child %d outlived the group's end", child)
	}
	select {
	case <-p.done:
	default:
		t.Error("the process is still running after stop")
	}
	// The child is gone too (once init has reaped it).
	for deadline := time.Now().Add(5 * time.Second); syscall.Kill(child, 0) != syscall.ESRCH; {
		if time.Now().After(deadline) {
			syscall.Kill(child, syscall.SIGKILL)
			t.Fatalf("child %d still runs after stop", child)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestProcessExitingEarly(t *testing.T) {
	p, err := startProcess(filepath.Join(t.TempDir(), "p.log"), "/bin/sh", []string{"-c", "echo no url here; exit 3"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.waitURL(t.Context(), time.Minute)
	if err == nil || !strings.Contains(err.Error(), "exited before serving") {
		t.Errorf("waitURL: got %v, want an error saying it exited", err)
	}
}

// TestProcessSilent checks that a server that runs but never prints its
// URL fails the wait when the wait's time is up, and is stopped.
func TestProcessSilent(t *testing.T) {
	p, err := startProcess(filepath.Join(t.TempDir(), "p.log"), "/bin/sh", []string{"-c", "echo no url here; exec sleep 600"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.stop()
	u, err := p.waitURL(t.Context(), 100*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "printed no URL within") {
		t.Errorf("waitURL = %q, %v; want an error saying it printed no URL", u, err)
	}
}
