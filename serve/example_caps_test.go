package serve_test

import (
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestExampleServerPromisesNoListChanges checks that the server of
// Example, the one the README and the package docs show, promises no
// list-changed notifications: its tool list is fixed, and a 2026-07-28
// subscriptions/listen for a promised one holds a streamed invocation
// open until its deadline (lambdamcp ends it on a buffered one once
// acknowledged).
func TestExampleServerPromisesNoListChanges(t *testing.T) {
	ctx := t.Context()
	st, ct := mcp.NewInMemoryTransports()
	if _, err := newHello().Connect(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	tools := cs.InitializeResult().Capabilities.Tools
	if tools == nil {
		t.Fatal("the tools capability is missing")
	}
	if tools.ListChanged {
		t.Error("tools.listChanged is true, but the tool list never changes")
	}
}
