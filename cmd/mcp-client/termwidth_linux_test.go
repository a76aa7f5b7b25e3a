package main

import (
	"fmt"
	"os"
	"syscall"
	"testing"
	"unsafe"
)

// TestTermWidth checks that a terminal's width is read from it, through
// the syncWriter standard error is wrapped in: a pseudo-terminal given 57
// columns has 57.
func TestTermWidth(t *testing.T) {
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	var n uint32
	if err := ioctl(ptmx, syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		t.Fatal("TIOCGPTN:", err)
	}
	var unlock int32
	if err := ioctl(ptmx, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		t.Fatal("TIOCSPTLCK:", err)
	}
	ws := struct{ rows, cols, x, y uint16 }{rows: 24, cols: 57}
	if err := ioctl(ptmx, syscall.TIOCSWINSZ, unsafe.Pointer(&ws)); err != nil {
		t.Fatal("TIOCSWINSZ:", err)
	}
	pts, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer pts.Close()
	if got := termWidth(&syncWriter{w: pts}); got != 57 {
		t.Errorf("termWidth = %d, want 57", got)
	}
}

func ioctl(f *os.File, req uintptr, arg unsafe.Pointer) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), req, uintptr(arg)); errno != 0 {
		return errno
	}
	return nil
}
