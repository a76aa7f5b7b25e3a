//go:build unix && !aix && !solaris

package main

import "syscall"

// mkfifo makes a FIFO at path, mode 0600.
func mkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }
