package demoserver_test

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
