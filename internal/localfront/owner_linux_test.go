package localfront

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRuntimeAPIRefusesOtherUsers checks that another user of the
// machine, who can list the Runtime API's loopback port, gets no event
// from it: events carry the callers' bearer tokens. Only root can open a
// socket as another user, so the test needs it.
func TestRuntimeAPIRefusesOtherUsers(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("opening a socket as another user needs root")
	}
	p, _ := newTestProcess(t, FunctionConfig{})
	invokeEcho(t, p, `{}`) // the runtime now waits for its next event
	var api string
	p.mu.Lock()
	for inst := range p.all {
		for _, kv := range inst.cmd.Env {
			if v, ok := strings.CutPrefix(kv, "AWS_LAMBDA_RUNTIME_API="); ok {
				api = v
			}
		}
	}
	p.mu.Unlock()

	c := dialAs(t, 65534, api)
	defer c.Close()
	// A deadline, not a wait: a connection let through would queue for
	// the next event and never be answered.
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: "+api+"\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("another user's GET next: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("another user's GET next = %d, want 403", resp.StatusCode)
	}
	invokeEcho(t, p, `{}`) // the runtime still gets its events
}

// dialAs connects to addr from a socket that uid owns: a socket belongs
// to the file system user of the thread that creates it.
func dialAs(t *testing.T, uid int, addr string) net.Conn {
	t.Helper()
	ap, err := net.ResolveTCPAddr("tcp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	syscall.Setfsuid(uid)
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	syscall.Setfsuid(0)
	if err != nil {
		t.Fatal(err)
	}
	sa := &syscall.SockaddrInet4{Port: ap.Port}
	copy(sa.Addr[:], ap.IP.To4())
	if err := syscall.Connect(fd, sa); err != nil {
		syscall.Close(fd)
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "socket")
	defer f.Close()
	c, err := net.FileConn(f)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
