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
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestTerminatedInOrder checks that SIGTERM, which timeout(1), kill and
// service managers send, and SIGHUP, which a closed terminal sends, end a
// run as Ctrl-C does: the call cut short is cancelled at the server with
// sessions, the session is ended (DELETE), and the exit status is the one
// shells give a command the signal killed (128 + its number), after one
// line saying so.
func TestTerminatedInOrder(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		word string
	}{
		{syscall.SIGTERM, "terminated"},
		{syscall.SIGHUP, "hung up"},
	} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			r := startSignalled(t, "")
			r.signal(t, tc.sig)
			r.check(t, 128+int(tc.sig), "mcp-client: "+tc.word+"\n")
		})
	}
}

// TestIgnoredSignalsStayIgnored checks that a run started with SIGHUP and
// SIGINT ignored (nohup, a background job of a script) goes on through
// them, as the user asked, and that SIGTERM still ends it in order.
func TestIgnoredSignalsStayIgnored(t *testing.T) {
	r := startSignalled(t, `trap "" HUP INT; `)
	r.signal(t, syscall.SIGHUP)
	r.signal(t, syscall.SIGINT)
	r.signal(t, syscall.SIGTERM)
	r.check(t, 128+int(syscall.SIGTERM), "mcp-client: terminated\n")
}

// signalledRun is a run of the command, in a process of its own, whose
// call waits at a server with sessions until the run ends.
type signalledRun struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	s              *noticeServer
	deleted        atomic.Bool
}

// startSignalled starts the run through sh, after the shell commands
// prefix, and returns once its call reached the tool.
func startSignalled(t *testing.T, prefix string) *signalledRun {
	r := &signalledRun{s: startNoticeServer(t, "tools/call", false, false)}
	target, err := url.Parse(r.s.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ErrorLog = log.New(io.Discard, "", 0) // the cut call's
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodDelete {
			r.deleted.Store(true)
		}
		proxy.ServeHTTP(w, req)
	}))
	t.Cleanup(front.Close)

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	args, _ := json.Marshal([]string{"mcp-client", "-endpoint", front.URL + "/mcp", "-protocol", "2025-11-25", "-timeout", "30s", "-call", "wait"})
	r.cmd = exec.Command("/bin/sh", "-c", prefix+`exec "$0"`, exe)
	r.cmd.Env = append(os.Environ(), envMainArgs+"="+string(args))
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	// The run starts with the signals' default actions whatever this
	// process started with (go test under nohup, or as a background job
	// of a script, which ignores SIGINT): exec keeps a signal ignored,
	// and no shell may trap one ignored at its start, but resets one
	// caught. So they are caught while the run starts.
	caught := make(chan os.Signal, 1)
	signal.Notify(caught, syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM)
	err = r.cmd.Start()
	signal.Stop(caught)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.s.entered:
	case <-time.After(20 * time.Second):
		r.cmd.Process.Kill()
		r.cmd.Wait()
		t.Fatalf("the call never reached the tool; stderr %q", r.stderr.String())
	}
	return r
}

func (r *signalledRun) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := r.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// check waits for the run's end and checks that it ended in order, with
// the exit status code and stderr ending with the line last.
func (r *signalledRun) check(t *testing.T, code int, last string) {
	t.Helper()
	r.cmd.Wait()
	if got := r.cmd.ProcessState.ExitCode(); got != code || !strings.HasSuffix(r.stderr.String(), last) {
		t.Errorf("exit %d (%v), stderr %q; want %d and the line %q", got, r.cmd.ProcessState, r.stderr.String(), code, last)
	}
	ids, cancelled := r.s.seen("tools/call")
	if len(ids) != 1 || len(cancelled) != 1 || cancelled[0] != ids[0] {
		t.Errorf("tools/call %v, notifications/cancelled for %v; want the call cancelled", ids, cancelled)
	}
	if !r.deleted.Load() {
		t.Error("the session was not ended (no DELETE)")
	}
}
