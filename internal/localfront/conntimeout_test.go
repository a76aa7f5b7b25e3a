package localfront

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestFrontConnectionTimeouts checks that the front, like the gateways it
// stands for, lets no client hold a connection without end: a kept-alive
// connection left idle is closed, and a body that stops coming is
// answered with a 408 that names no address, and the connection closed.
func TestFrontConnectionTimeouts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		timeout *time.Duration
		// send writes to the connection; the server should then close it.
		send func(t *testing.T, conn net.Conn, r *bufio.Reader, host string)
	}{
		{"a kept-alive connection left idle", &idleTimeout, func(t *testing.T, conn net.Conn, r *bufio.Reader, host string) {
			io.WriteString(conn, "GET /mcp HTTP/1.1\r\nHost: "+host+"\r\n\r\n")
			resp, err := http.ReadResponse(r, nil)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("first request: %v %v", resp, err)
			}
			io.ReadAll(resp.Body)
		}},
		{"a body that stops coming", &readTimeout, func(t *testing.T, conn net.Conn, r *bufio.Reader, host string) {
			io.WriteString(conn, "POST /mcp HTTP/1.1\r\nHost: "+host+"\r\nContent-Length: 100\r\n\r\n{\"a\":") // and no more
			resp, err := http.ReadResponse(r, nil)
			if err != nil {
				t.Fatalf("no answer to a body that stopped coming: %v", err)
			}
			body, _ := io.ReadAll(resp.Body)
			var msg struct{ Message string }
			if resp.StatusCode != http.StatusRequestTimeout || json.Unmarshal(body, &msg) != nil || msg.Message == "" {
				t.Errorf("answer %d %s, want 408 with a JSON message", resp.StatusCode, body)
			}
			if strings.Contains(string(body), "127.0.0.1") {
				t.Errorf("answer %s names the connection's addresses", body)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old := *tc.timeout
			t.Cleanup(func() { *tc.timeout = old })
			*tc.timeout = 300 * time.Millisecond
			f := startFront(t, Config{Shape: ShapeURL, Function: echoFunction()})
			u, _ := url.Parse(f.URL())
			conn, err := net.Dial("tcp", u.Host)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			r := bufio.NewReader(conn)
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			tc.send(t, conn, r, u.Host)
			if _, err := r.ReadByte(); err != io.EOF {
				t.Errorf("read %v, want EOF once the front closed the connection", err)
			}
		})
	}
}
