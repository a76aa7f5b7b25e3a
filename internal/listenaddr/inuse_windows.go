package listenaddr

import (
	"errors"
	"syscall"
)

// wsaEADDRINUSE is the error Windows Sockets gives a bind to an address
// another socket holds. syscall.EADDRINUSE is no such error there: it is
// one of Go's own numbers, which no socket call returns.
const wsaEADDRINUSE syscall.Errno = 10048

// InUse reports whether err, from net.Listen, says that another listener
// holds the address.
func InUse(err error) bool { return errors.Is(err, wsaEADDRINUSE) }
