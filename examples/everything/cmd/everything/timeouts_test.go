package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestRunStalledBody checks that a body that stops coming gets a 408,
// rather than holding its connection for ever.
func TestRunStalledBody(t *testing.T) {
	defer func(r time.Duration) { readTimeout = r }(readTimeout)
	readTimeout = 300 * time.Millisecond
	host := strings.TrimSuffix(strings.TrimPrefix(startLocal(t), "http://"), "/mcp")

	stalled, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	io.WriteString(stalled, "POST /mcp HTTP/1.1\r\nHost: "+host+"\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 100\r\n\r\n{")
	stalled.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(stalled), nil)
	if err != nil {
		t.Fatalf("stalled body: %v, want a 408", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body), "did not arrive in time") {
		t.Errorf("stalled body: %d %s, want 408 with a JSON-RPC error", resp.StatusCode, body)
	}
}

// TestRunIdleConnection checks that a kept-alive connection left idle is
// closed, however long a request may take to arrive.
func TestRunIdleConnection(t *testing.T) {
	defer func(i time.Duration) { idleTimeout = i }(idleTimeout)
	idleTimeout = 300 * time.Millisecond
	host := strings.TrimSuffix(strings.TrimPrefix(startLocal(t), "http://"), "/mcp")

	idle, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	io.WriteString(idle, "GET /nope HTTP/1.1\r\nHost: "+host+"\r\n\r\n")
	r := bufio.NewReader(idle)
	idle.SetReadDeadline(time.Now().Add(10 * time.Second))
	if resp, err := http.ReadResponse(r, nil); err != nil {
		t.Fatalf("first request: %v", err)
	} else {
		io.ReadAll(resp.Body)
	}
	if _, err := r.ReadByte(); err != io.EOF {
		t.Errorf("idle connection: read %v, want EOF once the server closed it", err)
	}
}
