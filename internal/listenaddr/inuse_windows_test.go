package listenaddr

import (
	"net"
	"os"
	"syscall"
	"testing"
)

// TestInUseWindows checks that a port held is told by the error Windows
// Sockets gives, as net.Listen wraps it (TestInUse holds a real port).
func TestInUseWindows(t *testing.T) {
	held := &net.OpError{Op: "listen", Net: "tcp", Err: os.NewSyscallError("bind", syscall.Errno(10048))}
	if !InUse(held) {
		t.Errorf("InUse(%v) = false, want true", held)
	}
}
