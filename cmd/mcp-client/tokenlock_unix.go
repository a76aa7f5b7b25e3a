//go:build unix && !aix && (!solaris || illumos)

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Bounds of the wait between two tries at a lock another run holds: a
// refresh takes a round trip to the token endpoint, a delete none.
const (
	firstLockWait = 5 * time.Millisecond
	lastLockWait  = 100 * time.Millisecond
)

// lockFile takes an exclusive flock on the file at path, made 0600 if
// there is none, trying again while another open file holds it until ctx
// ends (flock itself would wait beyond -timeout and Ctrl-C); waits, if
// not nil, is called once when it has to wait. The file is checked as
// the cache file is: not a link (O_NOFOLLOW), a regular file, the
// user's, that others may not write. A lock taken on a file that was
// deleted or replaced meanwhile (-logout deletes it) is no one's lock:
// it is taken again on the file now there.
func lockFile(ctx context.Context, path string, waits func()) (func(), error) {
	wait := firstLockWait
	for {
		f, err := openLock(path)
		if err != nil {
			return nil, err
		}
		lockOpened(path)
		err = flockOnce(f)
		if errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			if waits != nil {
				waits()
				waits = nil
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, &lockError{path: path, err: ctx.Err()}
			case <-t.C:
			}
			wait = min(2*wait, lastLockWait)
			continue
		}
		if err != nil {
			f.Close()
			return nil, &lockError{path: path, why: err.Error()}
		}
		if still(f, path) {
			return func() { f.Close() }, nil // closing the file releases the lock
		}
		f.Close()
	}
}

// lockOpened is called between the open of the lock file and its flock,
// where another run may delete or replace the file; tests replace it to
// do so.
var lockOpened = func(path string) {}

// openLock opens the lock file, refusing what the cache file's checks
// refuse.
func openLock(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0o600)
	if errors.Is(err, syscall.ELOOP) {
		return nil, &lockError{path: path, why: "it is a symbolic link"}
	}
	if err != nil {
		return nil, &lockError{path: path, why: err.Error()}
	}
	fi, err := f.Stat()
	why := ""
	switch {
	case err != nil:
		why = err.Error()
	case !fi.Mode().IsRegular():
		why = "it is not a regular file"
	case !ownedByUser(fi):
		why = "it belongs to another user" + ownerOf(fi)
	case fi.Mode().Perm()&0o022 != 0:
		// Anyone who may write it may replace what it is.
		why = fmt.Sprintf("others may write it (mode %04o, not 0600)", fi.Mode().Perm())
	}
	if why != "" {
		f.Close()
		return nil, &lockError{path: path, why: why}
	}
	return f, nil
}

// flockOnce tries for the lock without waiting.
func flockOnce(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// still says whether f is the file at path now.
func still(f *os.File, path string) bool {
	held, err := f.Stat()
	if err != nil {
		return false
	}
	now, err := os.Lstat(path)
	return err == nil && os.SameFile(held, now)
}
