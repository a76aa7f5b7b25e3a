package serve

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/demoserver"
)

// TestRunTimeoutsEachBound checks each of the local server's timeouts
// alone, the others left as they are: headers that stop coming, and a
// kept-alive connection left idle, each get the connection closed, where
// the whole request's minute would otherwise still hold it.
func TestRunTimeoutsEachBound(t *testing.T) {
	for _, tc := range []struct {
		name    string
		timeout *time.Duration
		// send writes to the connection; the server should then close it.
		send func(t *testing.T, conn net.Conn, r *bufio.Reader)
	}{
		{"headers that stop coming", &readHeaderTimeout, func(t *testing.T, conn net.Conn, _ *bufio.Reader) {
			io.WriteString(conn, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n") // and no end of headers
		}},
		{"a kept-alive connection left idle", &idleTimeout, func(t *testing.T, conn net.Conn, r *bufio.Reader) {
			io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
			resp, err := http.ReadResponse(r, nil)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("health check: %v %v", resp, err)
			}
			io.ReadAll(resp.Body)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Restored once Run has returned (cleanups run last first):
			// the server reads it as it starts.
			old := *tc.timeout
			t.Cleanup(func() { *tc.timeout = old })
			*tc.timeout = 300 * time.Millisecond
			addr, cancel, done := runAt(t, Handler(demoserver.New(demoserver.Options{}), nil))
			t.Cleanup(func() { cancel(); <-done })
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			r := bufio.NewReader(conn)
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			tc.send(t, conn, r)
			if _, err := r.ReadByte(); err != io.EOF {
				t.Errorf("read %v, want EOF once the server closed the connection", err)
			}
		})
	}
}
