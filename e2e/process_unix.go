//go:build unix

package main

import (
	"os"
	"os/exec"
	"syscall"
)

// setGroup starts cmd in a process group of its own, so that stopping it
// reaches what it started (a bootstrap's children, node's workers).
func setGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// signalGroup asks p's process group to end, or with kill ends it.
func signalGroup(p *os.Process, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	syscall.Kill(-p.Pid, sig)
}
