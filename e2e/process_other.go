//go:build !unix

package main

import (
	"os"
	"os/exec"
)

// setGroup does nothing where there are no Unix process groups.
func setGroup(*exec.Cmd) {}

// signalGroup ends p itself: without process groups, and without a
// signal asking a process to end (Windows), there is only the kill.
func signalGroup(p *os.Process, _ bool) { p.Kill() }
