//go:build !plan9

package main

import (
	"os"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/childtest"
)

// envMainChild makes the test binary run main, as the command would.
const envMainChild = "MCP_SERVER_TEST_MAIN_CHILD"

// TestSecondSignalEndsProcess checks that once the server has begun
// shutting down, a second SIGTERM (or interrupt: a second Ctrl-C) ends the
// process at once, as signals do by default, rather than after the grace
// that requests still in flight get.
func TestSecondSignalEndsProcess(t *testing.T) {
	if os.Getenv(envMainChild) != "" {
		os.Args = []string{"mcp-server", "-addr", "127.0.0.1:0"}
		main()
		return
	}
	child := childtest.Start(t, childtest.Stdout, 20*time.Second, envMainChild+"=1")
	endpoint, _ := child.AwaitMsg("listening")["url"].(string)
	childtest.StallRequest(t, endpoint)
	child.EndsAtSecondSignal()
}

// TestMainWarnsOfUnreadVariables checks that the command, as it starts,
// names an MCP_ variable of its environment that looks meant for one it
// reads yet is none of them, as README.md says it does: its value is
// otherwise ignored without a word.
func TestMainWarnsOfUnreadVariables(t *testing.T) {
	if os.Getenv(envMainChild) != "" {
		os.Args = []string{"mcp-server", "-addr", "127.0.0.1:0"}
		main()
		return
	}
	child := childtest.Start(t, childtest.Stdout, 20*time.Second, envMainChild+"=1", "MCP_REQUIRED_SCOPE=mcp:tools")
	child.AwaitText(`"msg":"MCP_REQUIRED_SCOPE is set, and nothing reads it; did you mean MCP_REQUIRED_SCOPES?"`)
}
