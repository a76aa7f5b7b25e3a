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
	switch os.Getenv(envMainChild) {
	case "own":
		// A program that set a default logger of its own keeps it.
		slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("mine", true))
		fallthrough
	case "1":
		Main(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			slog.InfoContext(r.Context(), "from the handler")
			log.Print("from the log package")
			w.WriteHeader(http.StatusNoContent)
		}), nil)
		return
	}
	for _, mode := range []string{"1", "own"} {
		lines := mainLines(t, mode)
		var handler, logPackage bool
		for _, l := range lines {
			var rec map[string]any
			if err := json.Unmarshal([]byte(l), &rec); err != nil {
				if !strings.HasPrefix(l, "PASS") && !strings.HasPrefix(l, "ok") { // the child's test verdict
					t.Errorf("%s: not a JSON line: %s", mode, l)
				}
				continue
			}
			handler = handler || rec["msg"] == "from the handler" && (rec["mine"] == true) == (mode == "own")
			logPackage = logPackage || rec["msg"] == "from the log package"
		}
		if !handler || !logPackage {
			t.Errorf("%s: lines from the handler (%v) and the log package (%v) missing or not as set:\n%s", mode, handler, logPackage, strings.Join(lines, "\n"))
		}
	}
}

// mainLines runs the test binary as a command through Main, in mode, serves
// one request and returns what it printed on stdout.
func mainLines(t *testing.T, mode string) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestMainLogsJSON$")
	cmd.Env = append(os.Environ(), envMainChild+"="+mode, EnvAddr+"=127.0.0.1:0")
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
	return got
}
