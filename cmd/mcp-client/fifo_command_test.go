//go:build aix || solaris

package main

import (
	"fmt"
	"os/exec"
)

// mkfifo makes a FIFO at path, mode 0600, with the mkfifo command: package
// syscall has no Mkfifo here.
func mkfifo(path string) error {
	if out, err := exec.Command("mkfifo", "-m", "600", path).CombinedOutput(); err != nil {
		return fmt.Errorf("mkfifo: %v: %s", err, out)
	}
	return nil
}
