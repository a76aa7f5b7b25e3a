//go:build unix

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// notPrivateDir says why fi, a directory of the kept sign-ins, is not the
// user's alone, or "": another user who owns it, or may write in it, may
// remove, replace or swap the files in it (for a FIFO that a run's read
// waits on forever, say).
func notPrivateDir(fi fs.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fmt.Sprintf("it belongs to another user (uid %d)", st.Uid)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Sprintf("others may write in it (mode %04o)", fi.Mode().Perm())
	}
	return ""
}

// ownedByUser says whether fi, a file in the cache directory, is the
// user's: another user's is not the user's to remove.
func ownedByUser(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid()
}

// openKept opens the cache file for reading, not following a link at its
// name, and not waiting for a writer at a FIFO's: what it opened is
// checked on the open file, which cannot be swapped meanwhile.
func openKept(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, errors.New("it is a symbolic link")
	}
	return f, err
}

// ownerOf is " (uid N)", the owner of fi, for a notice.
func ownerOf(fi fs.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fmt.Sprintf(" (uid %d)", st.Uid)
	}
	return ""
}

// notPrivateRoot says why fi, the user's cache directory or a link to it,
// is not safe to keep the sign-ins' directories in, or "".
func notPrivateRoot(fi fs.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() && st.Uid != 0 {
		return fmt.Sprintf("it belongs to another user (uid %d)", st.Uid)
	}
	if fi.Mode()&fs.ModeSymlink == 0 && fi.Mode().Perm()&0o002 != 0 && fi.Mode()&fs.ModeSticky == 0 {
		return fmt.Sprintf("anyone may write in it, and it has no sticky bit (mode %04o)", fi.Mode().Perm())
	}
	return ""
}
