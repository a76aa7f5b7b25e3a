package main

import (
	"context"
	"errors"
	"fmt"
)

// lockSuffix names the lock file beside a cache file: runs for one
// sign-in take it around each read, refresh and write of the file, and
// each read and delete, so that none deletes or overwrites a token
// another has just kept. It holds nothing: the lock is the kernel's, on
// the open file, and dies with the run that holds it, so a file a crashed
// run left blocks no one.
const lockSuffix = ".lock"

// lockPath is the lock file of the cache file.
func (c *tokenCache) lockPath() string { return c.path + lockSuffix }

// lock takes the cache file's lock, waiting within ctx while another run
// holds it; unlock releases it. The directories are checked first, as
// for the file (checkDirs): an error that is fs.ErrNotExist says they are
// not there, so that there is no file to race for either. A nil cache
// has no lock.
func (c *tokenCache) lock(ctx context.Context) (unlock func(), err error) {
	if c == nil {
		return func() {}, nil
	}
	if err := c.checkDirs(); err != nil {
		return nil, err
	}
	return lockFile(ctx, c.lockPath(), c.lockWaits)
}

// lockError is a lock that was not taken: the file refused (why), or the
// wait for another run's ended (err).
type lockError struct {
	path string
	why  string
	err  error
}

func (e *lockError) Error() string {
	if e.why != "" {
		return fmt.Sprintf("the kept sign-in's lock file %s is not used: %s; remove it", e.path, e.why)
	}
	ended := "the wait for it was cut short"
	if errors.Is(e.err, context.DeadlineExceeded) {
		ended = "-timeout ended the wait for it"
	}
	return fmt.Sprintf("another run of mcp-client holds the kept sign-in's lock %s (it refreshes or deletes the sign-in): %s", e.path, ended)
}

func (e *lockError) Unwrap() error { return e.err }
