package everything_test

import (
	"slices"
	"testing"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/examples/everything"
	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
)

// TestLoggingToolEras checks when test_logging_tool's info message reaches
// the client, as its description says: before 2026-07-28 always, since
// each request of a stateless server is a session of its own, which logs
// at info and up (a logging/setLevel lasts only its own request); from
// 2026-07-28 on only when the request's _meta asks for info or a lower
// level.
func TestLoggingToolEras(t *testing.T) {
	h := everything.Handler(everything.New(nil), nil)
	route := lambdatest.Route{Shape: lambdamcp.ShapeURL}
	for _, tc := range []struct {
		name, era string
		meta      map[string]any
		logged    bool
	}{
		{"2025-11-25", lambdatest.Legacy, nil, true},
		{"2026-07-28, no level", lambdatest.Modern, nil, false},
		{"2026-07-28, info", lambdatest.Modern, map[string]any{"io.modelcontextprotocol/logLevel": "info"}, true},
		{"2026-07-28, warning", lambdatest.Modern, map[string]any{"io.modelcontextprotocol/logLevel": "warning"}, false},
	} {
		a := lambdatest.Invoke(t, h, route, lambdatest.Call(tc.era, 1, "tools/call",
			map[string]any{"name": "test_logging_tool", "arguments": map[string]any{}}, tc.meta))
		methods := a.Methods()
		if got := slices.Contains(methods, "notifications/message"); got != tc.logged || len(methods) == 0 || methods[len(methods)-1] != "result" {
			t.Errorf("%s: messages %v, want the result with a log message %t", tc.name, methods, tc.logged)
		}
	}
	tools := lambdatest.Invoke(t, h, route, lambdatest.Call(lambdatest.Legacy, 1, "tools/list", nil, nil))
	var list struct {
		Tools []struct{ Name, Description string }
	}
	tools.Result(t, &list)
	i := slices.IndexFunc(list.Tools, func(tool struct{ Name, Description string }) bool { return tool.Name == "test_logging_tool" })
	if i < 0 {
		t.Fatal("test_logging_tool is not listed")
	}
	if want := "Logs one info message; it reaches a 2025-11-25 client always, a 2026-07-28 one only if the request's _meta asks for info or debug."; list.Tools[i].Description != want {
		t.Errorf("description %q, want %q", list.Tools[i].Description, want)
	}
}
