//go:build !plan9 && !windows

package listenaddr

import (
	"errors"
	"syscall"
)

// InUse reports whether err, from net.Listen, says that another listener
// holds the address.
func InUse(err error) bool { return errors.Is(err, syscall.EADDRINUSE) }
