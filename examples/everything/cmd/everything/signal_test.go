//go:build !plan9

package main

import (
	"os"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/childtest"
)

// envMainChild makes the test binary run main, as the command would.
const envMainChild = "EVERYTHING_TEST_MAIN_CHILD"

// TestSecondSignalEndsProcess checks that once the server has begun
// shutting down, a second SIGTERM (or interrupt: a second Ctrl-C) ends the
// process at once, as signals do by default, rather than after the grace
// that requests still in flight get.
func TestSecondSignalEndsProcess(t *testing.T) {
	if os.Getenv(envMainChild) != "" {
		os.Args = []string{"everything", "-addr", "127.0.0.1:0"}
		main()
		return
	}
	child := childtest.Start(t, childtest.Stderr, 20*time.Second, envMainChild+"=1")
	childtest.StallRequest(t, child.URL())
	child.EndsAtSecondSignal()
}
