//go:build !unix

package main

import "io/fs"

// notPrivateDir is "": the ACLs of a system without Unix modes decide.
func notPrivateDir(fs.FileInfo) string { return "" }
