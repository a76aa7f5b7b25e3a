package serve

import (
	"bufio"
	"encoding/json"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// envMainChild makes the test binary run Main, as a command would.
const envMainChild = "SERVE_TEST_MAIN_CHILD"

// TestMainLogsJSON checks that Main, given no Logger, makes slog's default
// logger, and with it the log package's output, JSON lines on stdout: what
// a server's own code logs that way, and what the Lambda runtime prints,
// then reads like every other line.
func TestMainLogsJSON(t *testing.T) {
	if os.Getenv(envMainChild) == "1" {
		Main(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			slog.InfoContext(r.Context(), "from the handler")
			log.Print("from the log package")
			w.WriteHeader(http.StatusNoContent)
		}), nil)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMainLogsJSON$")
	cmd.Env = append(os.Environ(), envMainChild+"=1", EnvAddr+"=127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var got []string
	timeout := time.After(20 * time.Second)
	for done := false; !done; {
		select {
		case l, ok := <-lines:
			if !ok {
				done = true
				break
			}
			got = append(got, l)
			var rec map[string]any
			if json.Unmarshal([]byte(l), &rec) == nil && rec["msg"] == "listening" {
				resp, err := http.Post(rec["url"].(string), "application/json", strings.NewReader(`{}`))
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			}
			if rec["msg"] == "request" { // logged after the handler's lines
				cmd.Process.Signal(syscall.SIGTERM)
			}
		case <-timeout:
			t.Fatalf("no end; lines so far:\n%s", strings.Join(got, "\n"))
		}
	}
	cmd.Wait()
	var handler, logPackage bool
	for _, l := range got {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			if !strings.HasPrefix(l, "PASS") && !strings.HasPrefix(l, "ok") { // the child's test verdict
				t.Errorf("not a JSON line: %s", l)
			}
			continue
		}
		handler = handler || rec["msg"] == "from the handler"
		logPackage = logPackage || rec["msg"] == "from the log package"
	}
	if !handler || !logPackage {
		t.Errorf("lines from the handler (%v) and the log package (%v) missing:\n%s", handler, logPackage, strings.Join(got, "\n"))
	}
}
