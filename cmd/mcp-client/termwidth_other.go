//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

import "os"

// fileWidth is 0: the terminal's width is not known here, and the
// progress bar's line is not cut to it.
func fileWidth(*os.File) int { return 0 }
