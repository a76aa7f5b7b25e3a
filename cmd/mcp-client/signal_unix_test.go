//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestTerminatedInOrder checks that SIGTERM, which timeout(1), kill and
// service managers send, ends a run as Ctrl-C does: the call cut short is
// cancelled at the server with sessions, the session is ended (DELETE),
// and the exit status is the one shells give a command SIGTERM killed
// (128 + 15), after one line saying so.
func TestTerminatedInOrder(t *testing.T) {
	s := startNoticeServer(t, "tools/call", false, false)
	target, err := url.Parse(s.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var deleted atomic.Bool
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ErrorLog = log.New(io.Discard, "", 0) // the cut call's
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			deleted.Store(true)
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	args, _ := json.Marshal([]string{"mcp-client", "-endpoint", front.URL + "/mcp", "-protocol", "2025-11-25", "-timeout", "30s", "-call", "wait"})
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), envMainArgs+"="+string(args))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.entered:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the call never reached the tool; stderr %q", stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 128+int(syscall.SIGTERM) || !strings.HasSuffix(stderr.String(), "mcp-client: terminated\n") {
		t.Errorf("exit %d (%v), stderr %q; want %d and the line mcp-client: terminated", code, cmd.ProcessState, stderr.String(), 128+int(syscall.SIGTERM))
	}
	ids, cancelled := s.seen("tools/call")
	if len(ids) != 1 || len(cancelled) != 1 || cancelled[0] != ids[0] {
		t.Errorf("tools/call %v, notifications/cancelled for %v; want the call cancelled", ids, cancelled)
	}
	if !deleted.Load() {
		t.Error("the session was not ended (no DELETE)")
	}
}
