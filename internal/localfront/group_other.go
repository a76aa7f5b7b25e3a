//go:build !unix

package localfront

import "os/exec"

// ownGroup does nothing where process groups are not at hand: only the
// function's own process is ended on a reset.
func ownGroup(*exec.Cmd) {}

// killGroup kills cmd's process.
func killGroup(cmd *exec.Cmd) { cmd.Process.Kill() }

// terminate does nothing: there is no SIGTERM to send, so the process is
// killed once its grace has passed.
func terminate(*exec.Cmd) {}
