//go:build unix && !aix && (!solaris || illumos)

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/oauth2"
)

var testTokenConfig = &oauth2.Config{Endpoint: oauth2.Endpoint{TokenURL: testIssuer + "/oauth2/token"}}

// TestForgetRefusedSparesAFreshToken has one run delete the token whose
// refresh was refused while another keeps a fresh one: the one paused
// between its reading of the refused token and its delete, the other
// writing then. The fresh token is kept: the write waits for the lock
// the delete holds.
func TestForgetRefusedSparesAFreshToken(t *testing.T) {
	mkdir(t, withCacheDir(t), 0o700)
	var notice bytes.Buffer
	refusing, keeping := testCache(t, &notice), testCache(t, &notice)
	refused := &oauth2.Token{AccessToken: "access-refused-0a1b", RefreshToken: "refresh-refused-2c3d"}
	refusing.keep(t.Context(), testTokenConfig, refused)

	waiting := make(chan struct{})
	kept := make(chan struct{})
	keeping.lockWaits = func() { close(waiting) }
	refusing.refusedRead = func() {
		go func() {
			defer close(kept)
			keeping.keep(t.Context(), testTokenConfig, &oauth2.Token{AccessToken: "access-fresh-4e5f", RefreshToken: "refresh-fresh-6a7b"})
		}()
		// Either the write waits for the lock, or, with none, it is
		// done before the delete.
		select {
		case <-waiting:
		case <-kept:
		}
	}
	refusing.forgetRefused(t.Context(), refused)
	<-kept
	k, why := keeping.read()
	if k == nil {
		t.Fatalf("no token kept (%s); notices %q", why, notice.String())
	}
	if k.AccessToken != "access-fresh-4e5f" {
		t.Errorf("kept %q, want the fresh token", k.AccessToken)
	}
}

// TestForgetRefusedSparesARotatedToken checks that the token whose
// refresh was refused is deleted only while the file still holds it, by
// its refresh token too: a token endpoint that rotates refresh tokens
// alone gives another run the same access token with a new refresh token.
func TestForgetRefusedSparesARotatedToken(t *testing.T) {
	for _, tc := range []struct {
		name string
		kept *oauth2.Token
		want string // the access token left; "": none
	}{
		{"the refused token", &oauth2.Token{AccessToken: "access-0a1b", RefreshToken: "refresh-refused-2c3d"}, ""},
		{"its refresh token rotated", &oauth2.Token{AccessToken: "access-0a1b", RefreshToken: "refresh-rotated-4e5f"}, "access-0a1b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mkdir(t, withCacheDir(t), 0o700)
			c := testCache(t, &bytes.Buffer{})
			c.keep(t.Context(), testTokenConfig, tc.kept)
			c.forgetRefused(t.Context(), &oauth2.Token{AccessToken: "access-0a1b", RefreshToken: "refresh-refused-2c3d"})
			got := ""
			if k, _ := c.read(); k != nil {
				got = k.AccessToken
			}
			if got != tc.want {
				t.Errorf("kept %q, want %q", got, tc.want)
			}
		})
	}
}

// TestLockFileRefused checks that a lock file is used only when it is a
// regular file of the user's that others may not write, at its own name,
// as the cache file is; one a crashed run left is used, as is any that
// passes: no one holds its lock.
func TestLockFileRefused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, path string)
		want  string // the reason said; "": used
	}{
		{"left by a crashed run", func(t *testing.T, path string) { writeFile(t, path, "") }, ""},
		{"a link", func(t *testing.T, path string) {
			if err := os.Symlink(filepath.Join(t.TempDir(), "elsewhere"), path); err != nil {
				t.Fatal(err)
			}
		}, "it is a symbolic link"},
		{"anyone may write it", func(t *testing.T, path string) {
			writeFile(t, path, "")
			chmod(t, path, 0o666)
		}, "others may write it (mode 0666, not 0600)"},
		{"its group may write it", func(t *testing.T, path string) {
			writeFile(t, path, "")
			chmod(t, path, 0o620)
		}, "others may write it (mode 0620, not 0600)"},
		{"a FIFO", func(t *testing.T, path string) {
			if err := mkfifo(path); err != nil {
				t.Fatal(err)
			}
		}, "it is not a regular file"},
		{"another user's", func(t *testing.T, path string) {
			if os.Geteuid() != 0 {
				t.Skip("only root can give a file to another user")
			}
			writeFile(t, path, "")
			if err := os.Chown(path, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}, "it belongs to another user (uid 65534)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mkdir(t, withCacheDir(t), 0o700)
			var notice bytes.Buffer
			c := testCache(t, &notice)
			tc.plant(t, c.lockPath())
			c.keep(t.Context(), testTokenConfig, &oauth2.Token{AccessToken: "access-1f9c2e7a", RefreshToken: "refresh-8d3b6c0e"})
			k, _ := c.read()
			if kept := k != nil; kept != (tc.want == "") {
				t.Errorf("kept: %v, want %v; notices %q", kept, tc.want == "", notice.String())
			}
			if tc.want == "" {
				return
			}
			want := "mcp-client: the sign-in is not kept for the next run: the kept sign-in's lock file " + c.lockPath() + " is not used: " + tc.want + "; remove it\n"
			if notice.String() != want {
				t.Errorf("notices %q, want %q", notice.String(), want)
			}
			// Nor is a refused token deleted: the delete takes the lock too.
			writeFile(t, c.path, "{}")
			c.forgetRefused(t.Context(), nil)
			if _, err := os.Stat(c.path); err != nil {
				t.Errorf("the file was deleted without the lock: %v", err)
			}
			if want := "is not deleted: the kept sign-in's lock file " + c.lockPath() + " is not used: " + tc.want; !strings.Contains(notice.String(), want) {
				t.Errorf("notices %q, want one saying %q", notice.String(), want)
			}
		})
	}
}

// TestLockWaitEndsAtTimeout checks that a run whose kept token has
// expired waits for the lock another run holds no longer than -timeout,
// and says so in one line, sending no refresh.
func TestLockWaitEndsAtTimeout(t *testing.T) {
	dir, as, endpoint, _ := keepingSignIn(t)
	args := []string{"-login", "-client-id", as.ClientID, "-issuer", as.Issuer, "-redirect-port", "0", "-endpoint", endpoint, "-call", "whoami"}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), args, func(string) string { return "" }, &stdout, &stderr); code != 0 {
		t.Fatalf("the sign-in: exit %d; stderr %q", code, stderr.String())
	}
	path := keptFile(t, dir)
	writeKept(t, path, func(k *keptToken) { k.Expiry = time.Now().Add(-time.Hour) })
	unlock, err := lockFile(t.Context(), path+lockSuffix, nil) // another run's, refreshing
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()

	granted := len(as.Grants())
	stderr.Reset()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	code := run(ctx, append(args, "-timeout", "300ms"), func(string) string { return "" }, &stdout, &stderr)
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	want := "another run of mcp-client holds the kept sign-in's lock " + path + lockSuffix + " (it refreshes or deletes the sign-in): -timeout ended the wait for it"
	if code == 0 || !strings.HasSuffix(lines[len(lines)-1], want) {
		t.Errorf("exit %d, stderr %q; want a failure whose last line ends %q", code, stderr.String(), want)
	}
	if n := len(as.Grants()) - granted; n != 0 {
		t.Errorf("%d token requests while the lock was another's, want none", n)
	}
}

// openFiles counts the process's open descriptors.
func openFiles(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd to count descriptors in: %v", err)
	}
	return len(fds)
}

// TestLockWaitLeaksNoDescriptor checks that each try at a lock another
// run holds closes the file it opened: a run that waits out a long
// refresh of another's tries many times, and would otherwise run out of
// descriptors. It runs in a synctest bubble, so that the tries of a
// whole -timeout take no time.
func TestLockWaitLeaksNoDescriptor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token.json"+lockSuffix)
	unlock, err := lockFile(t.Context(), path, nil) // another run's
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	before := openFiles(t)
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := lockFile(ctx, path, nil); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("lockFile: %v, want the wait ended by the timeout", err)
		}
	})
	// A hundred tries or so; a few descriptors may come and go meanwhile.
	if after := openFiles(t); after > before+5 {
		t.Errorf("%d descriptors open after the wait, %d before", after, before)
	}
}

// TestLockOnDeletedFileTakenAgain checks that a lock taken on a lock file
// deleted between its open and its flock (another run's -logout) is taken
// again on the file at the path: a lock on a file no longer there
// excludes no one, and a third run would take the new file's too.
func TestLockOnDeletedFileTakenAgain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token.json"+lockSuffix)
	saved := lockOpened
	defer func() { lockOpened = saved }()
	deleted := false
	lockOpened = func(p string) {
		if !deleted {
			deleted = true
			if err := os.Remove(p); err != nil {
				t.Error(err)
			}
		}
	}
	unlock, err := lockFile(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	lockOpened = saved

	// A third run finds the lock held: it gives up at once.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if unlock3, err := lockFile(ctx, path, nil); err == nil {
		unlock3()
		t.Fatal("another run took the lock too: the first held it on the deleted file")
	}
}
