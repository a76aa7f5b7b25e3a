package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// envMainChild makes the test binary run main, as the command would.
const envMainChild = "EVERYTHING_TEST_MAIN_CHILD"

// TestSecondSignalEndsProcess checks that once the server has begun
// shutting down, a second SIGTERM (or interrupt: a second Ctrl-C) ends the
// process at once, as signals do by default, rather than after the grace
// that requests still in flight get.
func TestSecondSignalEndsProcess(t *testing.T) {
	if os.Getenv(envMainChild) != "" {
		os.Args = []string{"everything", "-addr", "127.0.0.1:0"}
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
	first, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no endpoint line: %v", err)
	}
	go io.Copy(io.Discard, stdout)
	u, err := url.Parse(strings.TrimSpace(first))
	if err != nil {
		t.Fatal(err)
	}
	lines := make(chan map[string]any, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) == nil {
				lines <- rec
			}
		}
	}()
	stalled := stallRequest(t, u.Host, u.Path)
	defer stalled.Close()
	cmd.Process.Signal(syscall.SIGTERM)
	for shutting := false; !shutting; {
		select {
		case rec, ok := <-lines:
			if !ok {
				t.Fatal(`no "shutting down" line before the output ended`)
			}
			shutting = rec["msg"] == "shutting down"
		case <-time.After(20 * time.Second):
			t.Fatal(`no "shutting down" line in 20 s`)
		}
	}
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
}

// stallRequest sends a POST to path whose body never comes, and returns
// once the server has begun reading it (its 100 Continue): the request is
// then in flight, and the server's shutdown waits for it.
func stallRequest(t *testing.T, host, path string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "POST "+path+" HTTP/1.1\r\nHost: "+host+"\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n")
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 100 ") {
		conn.Close()
		t.Fatalf("stalled request: %q, %v; want a 100 Continue", status, err)
	}
	return conn
}
