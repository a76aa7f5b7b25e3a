//go:build !linux

package localfront

import "os"

// exitedMemoryMB reports 0: the peak memory of a process is read on Linux
// only, as maxMemoryMB reads it.
func exitedMemoryMB(*os.ProcessState) int { return 0 }
