package listenaddr

import "strings"

// InUse reports whether err, from net.Listen, says that another listener
// holds the address. Plan 9 has no EADDRINUSE: its kernel refuses the
// announce with these words.
func InUse(err error) bool { return err != nil && strings.Contains(err.Error(), "address in use") }
