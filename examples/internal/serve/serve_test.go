package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/examples/structured"
)

// TestRunLocally serves an example on a free port: the "listening" line
// gives the bound address, the server answers as the Lambda function does
// (JSON errors, one log line per request) and it stops when ctx ends.
func TestRunLocally(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	env := map[string]string{"MCP_ADDR": "127.0.0.1:0"}
	go func() {
		done <- run(ctx, structured.Handler(structured.New()), func(k string) string { return env[k] }, pw, io.Discard)
		pw.Close()
	}()
	recs := make(chan map[string]any, 16)
	go func() {
		defer close(recs)
		lines := bufio.NewScanner(pr)
		for lines.Scan() {
			var rec map[string]any
			if json.Unmarshal(lines.Bytes(), &rec) == nil {
				recs <- rec
			}
		}
	}()
	next := func() map[string]any {
		t.Helper()
		select {
		case rec := <-recs:
			return rec
		case <-time.After(10 * time.Second):
			t.Fatal("no log line in 10 s")
			return nil
		}
	}

	rec := next()
	url, _ := rec["url"].(string)
	if rec["msg"] != "listening" || !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasPrefix(url, "http://127.0.0.1:0/") {
		t.Fatalf("first log line = %v, want listening with the bound port", rec)
	}
	resp, err := http.Post(url, "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("text body = %d %s %s, want 415 with a JSON error", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if rec := next(); rec["msg"] != "request" || rec["status"] != float64(http.StatusUnsupportedMediaType) {
		t.Errorf("log line = %v, want the request's", rec)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("run = %d after ctx ended, want 0", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after ctx ended")
	}
}

// TestRunPortTaken checks that a port in use is reported, and no
// "listening" line claims otherwise.
func TestRunPortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var stdout, stderr strings.Builder
	env := map[string]string{"MCP_ADDR": ln.Addr().String()}
	code := run(t.Context(), structured.Handler(structured.New()), func(k string) string { return env[k] }, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "address already in use") {
		t.Errorf("exit %d, stderr %q; want 1 and the reason", code, stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q, want nothing", stdout.String())
	}
}
