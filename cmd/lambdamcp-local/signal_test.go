//go:build unix

package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// envMainChild makes the test binary run main, as the command would.
const envMainChild = "LAMBDAMCP_LOCAL_TEST_MAIN_CHILD"

// TestSecondSignalEndsProcess checks that once the front has begun
// shutting down, waiting for an invocation in flight, a second SIGTERM (or
// interrupt: a second Ctrl-C) ends the process at once, as signals do by
// default, and that no process of the function outlives it: they run in
// process groups of their own, which the signal does not reach.
func TestSecondSignalEndsProcess(t *testing.T) {
	if os.Getenv(envMainChild) != "" {
		os.Args = []string{"lambdamcp-local", "-shape", "http", "-addr", "127.0.0.1:0", "-timeout", "5m", "-build", "../../internal/localfront/testdata/fn"}
		main()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecondSignalEndsProcess$")
	cmd.Env = append(os.Environ(), envMainChild+"=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	await := func(text string) {
		t.Helper()
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					t.Fatalf("no line with %q before the output ended", text)
				}
				if strings.Contains(line, text) {
					return
				}
			case <-time.After(2 * time.Minute): // the function is built first
				t.Fatalf("no line with %q in 2 minutes", text)
			}
		}
	}
	url, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no URL printed: %v", err)
	}
	url = strings.TrimSpace(url)
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
	await("hanging")
	cmd.Process.Signal(syscall.SIGTERM)
	await(`"msg":"shutting down"`)
	cmd.Process.Signal(syscall.SIGTERM)
	go func() {
		for range lines { // drain, so that the child never blocks writing
		}
	}()
	err = cmd.Wait()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("child ended with %v, want killed by the second SIGTERM", err)
	}
	if alive(spawned.Child) {
		syscall.Kill(spawned.Child, syscall.SIGKILL)
		t.Errorf("the function's child %d outlived the process", spawned.Child)
	}
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
