package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestLocalServerGuard runs the local server in process and checks that
// it answers as the Lambda function does (a JSON-only client is served,
// bad input gets a JSON error) and logs one line per request.
func TestLocalServerGuard(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, func(string) string { return "" }, nil, pw, io.Discard)
		pw.Close()
	}()
	logs := make(chan map[string]any, 16)
	lines := bufio.NewScanner(pr)
	var endpoint string
	for lines.Scan() {
		var rec map[string]any
		if json.Unmarshal(lines.Bytes(), &rec) == nil && rec["msg"] == "listening" {
			endpoint, _ = rec["url"].(string)
			break
		}
	}
	if endpoint == "" {
		t.Fatalf("server did not listen: %v", lines.Err())
	}
	go func() {
		defer close(logs)
		for lines.Scan() {
			var rec map[string]any
			if json.Unmarshal(lines.Bytes(), &rec) == nil && rec["msg"] == "request" {
				logs <- rec
			}
		}
	}()

	tests := []struct {
		name, contentType, body string
		status                  int
		bodyHas, outcome        string
		origin, accept          string // accept "": application/json
	}{
		{"JSON-only client", "application/json", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, 200, `"name":"ping"`, "ok", "", ""},
		{"text body", "text/plain", `hello`, 415, `"code":-32600`, "rejected", "", ""},
		{"invalid UTF-8", "application/json", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\"}", 400, `"code":-32700`, "rejected", "", ""},
		// A foreign Origin gets 403 whatever else is wrong, as the MCP
		// transport requires; without an Origin the same request gets 406.
		{"foreign Origin and a bad Accept", "application/json", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, 403, `origin not allowed`, "rejected", "https://evil.example", "text/html"},
		{"foreign Origin and a bad body", "application/json", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\"}", 403, `origin not allowed`, "rejected", "https://evil.example", ""},
		{"no Origin and a bad Accept", "application/json", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, 406, `"code":-32600`, "rejected", "", "text/html"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", endpoint, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.contentType)
			req.Header.Set("Accept", cmp.Or(tc.accept, "application/json"))
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			req.Header.Set("MCP-Protocol-Version", "2025-11-25")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != "application/json" || !strings.Contains(string(body), tc.bodyHas) {
				t.Errorf("answer = %d %s %s, want %d application/json with %s", resp.StatusCode, resp.Header.Get("Content-Type"), body, tc.status, tc.bodyHas)
			}
			select {
			case rec := <-logs:
				if rec["outcome"] != tc.outcome || rec["status"] != float64(tc.status) {
					t.Errorf("log line = %v, want outcome %s, status %d", rec, tc.outcome, tc.status)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no request log line in 10 s")
			}
		})
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("run = %d, want 0", code)
	}
}
