package demoserver_test

//lint:file-ignore SA1019 the logging capability is still declared for 2025-11-25 clients

import (
	"testing"

	"github.com/lambdamcp/lambdamcp/internal/demoserver"
)

func TestNoListChangedPromise(t *testing.T) {
	cs := connect(t, demoserver.Options{})
	caps := cs.InitializeResult().Capabilities
	if caps.Tools == nil {
		t.Fatal("the tools capability is missing")
	}
	if caps.Tools.ListChanged {
		t.Error("tools.listChanged is true, but the tool list never changes")
	}
	if caps.Logging == nil {
		t.Error("the logging capability is missing")
	}
}
