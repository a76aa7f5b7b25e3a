//go:build unix

package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/childtest"
)

// envMainChild makes the test binary run main, as the command would.
const envMainChild = "LAMBDAMCP_LOCAL_TEST_MAIN_CHILD"

// TestSecondSignalEndsProcess checks that once the front has begun
// shutting down, waiting for an invocation in flight, a second SIGTERM (or
// interrupt: a second Ctrl-C) ends the process at once, as signals do by
// default, that no process of the function outlives it (they run in
// process groups of their own, which the signal does not reach), and that
// the directory the function was built into goes with it.
func TestSecondSignalEndsProcess(t *testing.T) {
	if os.Getenv(envMainChild) != "" {
		os.Args = []string{"lambdamcp-local", "-shape", "http", "-addr", "127.0.0.1:0", "-timeout", "5m", "-build", "../../internal/localfront/testdata/fn"}
		main()
		return
	}
	tmp := t.TempDir()                                                                             // where the child builds the function
	child := childtest.Start(t, childtest.Stderr, 2*time.Minute, envMainChild+"=1", "TMPDIR="+tmp) // the function is built first
	url := child.URL()
	resp, err := http.Get(url + "/spawn")
	if err != nil {
		t.Fatal(err)
	}
	var spawned struct{ Child int }
	err = json.NewDecoder(resp.Body).Decode(&spawned)
	resp.Body.Close()
	if err != nil || spawned.Child == 0 {
		t.Fatalf("GET /spawn: %d, %v; want the pid of the function's child", resp.StatusCode, err)
	}
	go http.Get(url + "/hang") // in flight until the function is killed
	child.AwaitText("hanging")
	child.EndsAtSecondSignal()
	// The kill that ends the function's group is delivered, not waited
	// for: the child may run a moment after the process is gone.
	if !gone(spawned.Child, 10*time.Second) {
		syscall.Kill(spawned.Child, syscall.SIGKILL)
		t.Errorf("the function's child %d outlived the process by 10s", spawned.Child)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "lambdamcp-local*")); len(left) > 0 {
		t.Errorf("the build directories %v outlived the process", left)
	}
}

// gone reports whether process pid stops running within d. The process is
// no child of the test's, so nothing signals its end: it is polled.
func gone(pid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for alive(pid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// alive reports whether process pid runs: it exists and is no zombie
// waiting for a parent to reap it.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true // no /proc to tell a zombie by
	}
	_, fields, _ := strings.Cut(string(stat), ") ")
	return !strings.HasPrefix(fields, "Z")
}
