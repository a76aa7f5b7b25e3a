package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestProcessURLAndStop(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "logs", "p.log")
	// A child of the process must stop with it: stop ends the whole group.
	p, err := startProcess(logPath, "/bin/sh", []string{"-c", `echo '{"msg":"listening","url":"http://127.0.0.1:4321/dev"}'; sleep 60 & wait`}, nil)
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
	p.stop()
	select {
	case <-p.done:
	default:
		t.Error("the process is still running after stop")
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
