package main

import (
	"strings"
	"testing"
)

// TestClientToolsListed checks that a client's run passes only when the
// tools it listed are the reference server's: a list without ping, or an
// empty one, fails it although the client then called ping, whose own
// line names the tool.
func TestClientToolsListed(t *testing.T) {
	tools := &nodeTools{dir: t.TempDir()}
	findRun := func(t *testing.T, clients []client, name, what string) clientRun {
		t.Helper()
		for _, c := range clients {
			if !strings.HasPrefix(c.name, name) || !strings.HasSuffix(c.name, "legacy") {
				continue
			}
			for _, r := range c.runs {
				if r.what == what {
					return r
				}
			}
		}
		t.Fatalf("no run %q of %s", what, name)
		return clientRun{}
	}
	real := realClients(tools, "mcpgo")
	sdk := findRun(t, real, "TypeScript SDK", "tools/list + ping")
	mcpgo := findRun(t, real, "mcp-go", "tools/list + ping")
	inspector := findRun(t, real, "inspector", "tools/list")
	jwt := findRun(t, jwtClients(tools, "mcp-client"), "TypeScript SDK", "client credentials: tools/list + ping")

	listed := func(names string) string {
		return `{"era":"legacy","protocolVersion":"2025-11-25","tools":[` + names + `]}` + "\n" +
			`{"call":"ping","result":{"content":[{"type":"text","text":"pong! logStream=unknown v=0.1.0 d=0"}]}}` + "\n"
	}
	tests := []struct {
		name   string
		run    clientRun
		output string
		hasAS  bool
		ok     bool
	}{
		{name: "sdk: both tools", run: sdk, output: listed(`"ping","whoami"`), ok: true},
		{name: "sdk: no tools", run: sdk, output: listed(``)},
		{name: "sdk: no ping", run: sdk, output: listed(`"whoami"`)},
		{name: "mcp-go: both tools", run: mcpgo, output: listed(`"ping","whoami"`), ok: true},
		{name: "mcp-go: no tools", run: mcpgo, output: listed(``)},
		{name: "jwt sdk: both tools", run: jwt, output: listed(`"ping","whoami"`), hasAS: true, ok: true},
		{name: "jwt sdk: no tools", run: jwt, output: listed(``), hasAS: true},
		{name: "inspector: both tools", run: inspector, output: `{"result":{"tools":[{"name":"ping","inputSchema":{"type":"object"}},{"name":"whoami","inputSchema":{"type":"object"}}]}}`, ok: true},
		{name: "inspector: no tools", run: inspector, output: `{"result":{"tools":[]}}`},
		{name: "inspector: no whoami", run: inspector, output: `{"result":{"tools":[{"name":"ping","inputSchema":{"type":"object"}}]}}`},
		{name: "inspector: ping only as a title", run: inspector, output: `{"result":{"tools":[{"name":"whoami","title":"ping"}]}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rr := runResult{output: tc.output, hasAS: tc.hasAS}
			if tc.hasAS {
				rr.issuedAfter = 1 // the authorization server issued the token
			}
			line, ok := tc.run.verdict(rr)
			if ok != tc.ok {
				t.Errorf("verdict = %q, %v; want %v", line, ok, tc.ok)
			}
		})
	}
}
