package localfront

import (
	"os"
	"syscall"
)

// exitedMemoryMB is the peak resident set size of a process that has
// exited and been waited for, from the resource usage its parent collected
// (Linux counts ru_maxrss in kilobytes); 0 if ps is nil.
func exitedMemoryMB(ps *os.ProcessState) int {
	if ps == nil {
		return 0
	}
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	return int((ru.Maxrss + 1023) / 1024)
}
