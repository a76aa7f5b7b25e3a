//go:build unix

package localfront

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestResetEndsChildProcesses checks that a crash of the function ends the
// processes it started too, as Lambda's reset of the execution environment
// does, so that the next cold start finds none of them.
func TestResetEndsChildProcesses(t *testing.T) {
	p, err := NewProcess(fnBinary, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := startFront(t, Config{Shape: ShapeREST, Function: p})
	resp, body := do(t, sent{method: http.MethodGet, url: f.URL() + "/spawn"})
	var e struct {
		Child int `json:"child"`
	}
	if err := json.Unmarshal(body, &e); err != nil || resp.StatusCode != http.StatusOK || e.Child == 0 {
		t.Fatalf("got %d %s, want the child's pid", resp.StatusCode, body)
	}
	if err := syscall.Kill(e.Child, 0); err != nil {
		t.Fatalf("the child is not running before the crash: %v", err)
	}
	if resp, _ := do(t, sent{method: http.MethodGet, url: f.URL() + "/exit"}); resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("crash = %d, want 502", resp.StatusCode)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		// Killed, the child is a zombie until reaped (its parent is gone,
		// so init reaps it); either way it runs no more.
		err := syscall.Kill(e.Child, 0)
		if errors.Is(err, syscall.ESRCH) || zombie(e.Child) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the child %d still runs after the function crashed", e.Child)
		}
	}
}

// zombie reports whether pid has ended but is not yet reaped (Linux; false
// elsewhere).
func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// pid (comm) state …: the state follows the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] == 'Z'
}

// TestProcessInitTimeoutEndsProcess: a process whose init timed out is
// ended, as Lambda resets the environment, not left running beside the
// next cold start the following request makes.
func TestProcessInitTimeoutEndsProcess(t *testing.T) {
	hang := filepath.Join(t.TempDir(), "hang")
	if err := os.WriteFile(hang, []byte("#!/bin/sh\nexec sleep 30\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	reports := make(chan Report, 1)
	p, err := NewProcess(hang, &FunctionConfig{InitTimeout: 300 * time.Millisecond, OnReport: func(r Report) { reports <- r }})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if fe := invokeFail(t, p, `{}`); fe.Type != "Sandbox.Timedout" {
		t.Fatalf("init failure %+v, want Sandbox.Timedout", fe)
	}
	r := nextReport(t, reports)
	if r.PID == 0 {
		t.Fatalf("report %+v names no process", r)
	}
	if err := syscall.Kill(r.PID, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process %d after its init timed out: %v, want it gone", r.PID, err)
	}
}
