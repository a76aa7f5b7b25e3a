//go:build !unix

package main

import (
	"io/fs"
	"os"
)

// notPrivateDir is "": the ACLs of a system without Unix modes decide.
func notPrivateDir(fs.FileInfo) string { return "" }

// ownedByUser is true: the directory is the user's, and the ACLs of a
// system without Unix owners decide what may be removed from it.
func ownedByUser(fs.FileInfo) bool { return true }

// openKept opens the cache file for reading.
func openKept(path string) (*os.File, error) { return os.Open(path) }

// ownerOf is "": there are no Unix owners to name.
func ownerOf(fs.FileInfo) string { return "" }

// notPrivateRoot is "": the ACLs of a system without Unix modes decide.
func notPrivateRoot(fs.FileInfo) string { return "" }
