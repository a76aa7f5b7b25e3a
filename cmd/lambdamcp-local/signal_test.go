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

// childArgs are the command line of the child's run.
var childArgs = []string{"-shape", "http", "-addr", "127.0.0.1:0", "-timeout", "5m", "-build", "../../internal/localfront/testdata/fn"}

// TestSecondSignalEndsProcess checks that once the front has begun
// shutting down, waiting for an invocation in flight, a second SIGTERM (or
// interrupt: a second Ctrl-C) ends the process at once, as signals do by
// default, that no process of the function outlives it (they run in
// process groups of their own, which the signal does not reach), and that
// the directory the function was built into goes with it.
func TestSecondSignalEndsProcess(t *testing.T) {
	if os.Getenv(envMainChild) != "" {
		os.Args = append([]string{"lambdamcp-local"}, childArgs...)
		main()
		return
	}
	endAtSecondSignal(t, childtest.Start, (*childtest.Child).EndsAtSecondSignal)
}

// TestSecondSignalEndsProcessAfterRun checks the same when the run is
// over before the signal is raised again: the kill of the second signal
// cuts the invocation the shutdown waited for, which lets the shutdown
// end and the run return at once. The process must die of the signal all
// the same, not exit with the run's status as after a shutdown that
// completed. The child's kill waits for the run to return before the
// signal is raised again: an order a process meets only now and then,
// under load, where the raise is slower than the shutdown's end.
func TestSecondSignalEndsProcessAfterRun(t *testing.T) {
	if os.Getenv(envMainChild) != "" {
		returned := make(chan struct{})
		ctx, exit := untilSignal(func() {
			killAll()
			<-returned
		})
		code := run(ctx, childArgs, os.Stdout, os.Stderr)
		close(returned)
		exit(code)
		return
	}
	endAtSecondSignal(t, childtest.Start, (*childtest.Child).EndsAtSecondSignal)
}

// TestSecondInterruptEndsBackgroundProcess checks the same for a second
// interrupt when the process began with interrupts ignored, as a shell
// starts a background job: the interrupt raised again is ignored, and the
// process ends with the status of an interrupted command instead of
// running on.
func TestSecondInterruptEndsBackgroundProcess(t *testing.T) {
	if os.Getenv(envMainChild) != "" {
		os.Args = append([]string{"lambdamcp-local"}, childArgs...)
		main()
		return
	}
	endAtSecondSignal(t, childtest.StartIgnoringInterrupts, func(c *childtest.Child) { c.ExitsAtSecondInterrupt(exitInterrupted) })
}

// endAtSecondSignal runs the test's child with start, puts an invocation
// in flight that starts a process and one that hangs, ends the child with
// end and checks that the function's processes and its build directories
// went with it.
func endAtSecondSignal(t *testing.T, start func(*testing.T, childtest.Logs, time.Duration, ...string) *childtest.Child, end func(*childtest.Child)) {
	t.Helper()
	tmp := t.TempDir()                                                                   // where the child builds the function
	child := start(t, childtest.Stderr, 2*time.Minute, envMainChild+"=1", "TMPDIR="+tmp) // the function is built first
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
	end(child)
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
