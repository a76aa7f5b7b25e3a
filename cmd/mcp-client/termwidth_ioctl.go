//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"os"
	"syscall"
	"unsafe"
)

// fileWidth is the width of the terminal f is, 0 if it is none.
func fileWidth(f *os.File) int {
	var ws struct{ rows, cols, xpixel, ypixel uint16 } // struct winsize
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), uintptr(syscall.TIOCGWINSZ), uintptr(unsafe.Pointer(&ws))); errno != 0 {
		return 0
	}
	return int(ws.cols)
}
