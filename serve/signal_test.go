package serve

import (
	"bufio"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMainSecondSignalEndsProcess checks that once Main has begun shutting
// down, a second SIGTERM (or interrupt: a second Ctrl-C) ends the process
// at once, as signals do by default, rather than waiting for requests
// still in flight.
func TestMainSecondSignalEndsProcess(t *testing.T) {
	if os.Getenv(envMainChild) == "stuck" {
		Main(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			slog.InfoContext(r.Context(), "handler started")
			select {} // a handler that never returns
		}), nil)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMainSecondSignalEndsProcess$")
	cmd.Env = append(os.Environ(), envMainChild+"=stuck", EnvAddr+"=127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan map[string]any, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) == nil {
				lines <- rec
			}
		}
	}()
	await := func(msg string) map[string]any {
		t.Helper()
		for {
			select {
			case rec, ok := <-lines:
				if !ok {
					t.Fatalf("no %q line before the output ended", msg)
				}
				if rec["msg"] == msg {
					return rec
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("no %q line in 20 s", msg)
			}
		}
	}
	url, _ := await("listening")["url"].(string)
	go func() {
		resp, err := http.Post(url, "application/json", strings.NewReader(`{}`))
		if err == nil {
			resp.Body.Close()
		}
	}()
	await("handler started")
	cmd.Process.Signal(syscall.SIGTERM)
	await("shutting down")
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
