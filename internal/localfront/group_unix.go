//go:build unix

package localfront

import (
	"os/exec"
	"syscall"
)

// ownGroup starts cmd in a process group of its own, so that resetting the
// execution environment ends every process the function started, as
// Lambda's reset does.
func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// killGroup kills every process of cmd's group; none left is no error.
func killGroup(cmd *exec.Cmd) { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }

// terminate sends cmd's process the SIGTERM Lambda sends a runtime at
// shutdown.
func terminate(cmd *exec.Cmd) { cmd.Process.Signal(syscall.SIGTERM) }
