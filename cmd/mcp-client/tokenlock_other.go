//go:build !unix || aix || (solaris && !illumos)

package main

import "context"

// lockFile takes no lock: there is no flock here (aix and solaris have
// none in package syscall). Runs at once for one sign-in may then lose
// each other's kept token (the last write or delete wins), as they always
// have on such a system; the file itself is still replaced at once, never
// half written.
func lockFile(context.Context, string, func()) (func(), error) { return func() {}, nil }
