package main

import (
	"bytes"
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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

// TestClientRunVerdict checks each way a client's run must fail: a run
// with credentials that exits non-zero, a run that must be refused and is
// not, or is refused without saying why, a sign-in that printed the wrong
// number of URLs or whose browsing failed, and a token that came, or did
// not come, from the authorization server.
func TestClientRunVerdict(t *testing.T) {
	exit1 := errors.New("exit status 1")
	ok := `{"protocolVersion":"2025-11-25","tools":["ping","whoami"]}` + "\npong\n"
	creds := clientRun{what: "call", creds: true, wantOut: []string{`"tools":["ping","whoami"]`, "pong"}}
	refused := clientRun{what: "no token"}
	custom := clientRun{what: "wrong secret", wrong: true, refused: invalidClient}
	login := clientRun{what: "sign-in", creds: true, login: true, signIns: 1, wantOut: []string{"pong"}}
	kept := clientRun{what: "kept", creds: true, login: true, kept: true, wantOut: []string{"pong"}}
	tests := []struct {
		name string
		run  clientRun
		rr   runResult
		ok   bool
	}{
		{name: "credentials: success", run: creds, rr: runResult{output: ok}, ok: true},
		{name: "credentials: exit status", run: creds, rr: runResult{output: ok, err: exit1}},
		{name: "jwt: token issued", run: creds, rr: runResult{output: ok, hasAS: true, issuedBefore: 1, issuedAfter: 2}, ok: true},
		{name: "jwt: no token issued", run: creds, rr: runResult{output: ok, hasAS: true, issuedBefore: 1, issuedAfter: 1}},
		{name: "refusal: 401", run: refused, rr: runResult{output: "Error POSTing to endpoint (HTTP 401): unauthorized", err: exit1}, ok: true},
		{name: "refusal: auth_required", run: refused, rr: runResult{output: `{"error":"auth_required"}`, err: exit1}, ok: true},
		{name: "refusal: invalid_token", run: refused, rr: runResult{output: "invalid_token: missing bearer token", err: exit1}, ok: true},
		{name: "refusal: not refused", run: refused, rr: runResult{output: ok}},
		{name: "refusal: exit 0 after a 401", run: refused, rr: runResult{output: "HTTP 401, retrying\n" + ok}},
		{name: "refusal: another error", run: refused, rr: runResult{output: "Error POSTing to endpoint (HTTP 500): internal error", err: exit1}},
		{name: "refusal: nothing said", run: refused, rr: runResult{err: exit1}},
		{name: "refusal: ended by the timeout", run: refused, rr: runResult{output: "HTTP 401 unauthorized", err: errors.New("signal: killed"), timedOut: true}},
		{name: "own refusal: matched", run: custom, rr: runResult{output: "token endpoint: invalid_client", err: exit1}, ok: true},
		{name: "own refusal: a 401 is not it", run: custom, rr: runResult{output: "HTTP 401 unauthorized", err: exit1}},
		{name: "sign-in: one URL", run: login, rr: runResult{output: "pong", signIns: 1, hasAS: true, issuedAfter: 1}, ok: true},
		{name: "sign-in: no URL", run: login, rr: runResult{output: "pong", hasAS: true, issuedAfter: 1}},
		{name: "sign-in: two URLs", run: login, rr: runResult{output: "pong", signIns: 2, hasAS: true, issuedAfter: 1}},
		{name: "sign-in: browsing failed", run: login, rr: runResult{output: "pong", signIns: 1, browseFailed: true, browseErr: "callback: 400", hasAS: true, issuedAfter: 1}},
		{name: "kept: no new token", run: kept, rr: runResult{output: "pong", hasAS: true, issuedBefore: 1, issuedAfter: 1}, ok: true},
		{name: "kept: a new token", run: kept, rr: runResult{output: "pong", hasAS: true, issuedBefore: 1, issuedAfter: 2}},
		{name: "kept: a URL printed", run: kept, rr: runResult{output: "pong", signIns: 1, hasAS: true, issuedBefore: 1, issuedAfter: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			line, ok := tc.run.verdict(tc.rr)
			if ok != tc.ok {
				t.Errorf("verdict = %q, %v; want %v", line, ok, tc.ok)
			}
		})
	}
}

// TestClientRuns checks what each real client's runs send and expect: the
// runs without credentials or with wrong ones must be refused, as each
// client says it, and the runs with credentials must show the result.
func TestClientRuns(t *testing.T) {
	tools := &nodeTools{dir: t.TempDir()}
	type shape struct {
		Creds, Wrong, Login, Kept bool
		Refused                   string
		WantOut                   bool
	}
	got := map[string]shape{}
	collect := func(prefix string, clients []client) {
		for _, c := range clients {
			for _, r := range c.runs {
				s := shape{Creds: r.creds, Wrong: r.wrong, Login: r.login, Kept: r.kept, WantOut: len(r.wantOut) > 0}
				if r.refused != nil {
					s.Refused = r.refused.String()
				}
				name, _, _ := strings.Cut(c.name, " ")
				if strings.HasPrefix(c.name, "TypeScript client") {
					name = "client"
				}
				key := prefix + name + " " + r.what
				if prev, dup := got[key]; dup && prev != s {
					t.Errorf("%s: eras differ: %+v and %+v", key, prev, s)
				}
				got[key] = s
			}
		}
	}
	collect("", realClients(tools, "mcpgo"))
	collect("jwt ", jwtClients(tools, "mcp-client"))
	ok := shape{Creds: true, WantOut: true}
	mcpgo := mcpgoRefusal.String()
	invalid := invalidClient.String()
	want := map[string]shape{
		"TypeScript tools/list + ping":         ok,
		"TypeScript without a token":           {},
		"TypeScript with a wrong token":        {Wrong: true},
		"client tools/list + ping":             ok,
		"client without a token":               {},
		"client with a wrong token":            {Wrong: true},
		"inspector tools/list":                 ok,
		"inspector ping":                       ok,
		"inspector tools/list without a token": {},
		"mcp-go tools/list + ping":             ok,
		"mcp-go without a token":               {Refused: mcpgo},
		"mcp-go with a wrong token":            {Wrong: true, Refused: mcpgo},

		"jwt TypeScript client credentials: tools/list + ping": ok,
		"jwt TypeScript with a wrong secret":                   {Wrong: true, Refused: invalid},
		"jwt TypeScript without credentials":                   {},
		"jwt client client credentials: tools/list + ping":     ok,
		"jwt client with a wrong secret":                       {Wrong: true, Refused: invalid},
		"jwt client without credentials":                       {},
		"jwt lambdamcp client credentials: tools + ping":       ok,
		"jwt lambdamcp with a wrong secret":                    {Wrong: true, Refused: invalid},
		"jwt lambdamcp without credentials":                    {},
		"jwt lambdamcp sign-in: tools + ping":                  {Creds: true, Login: true, WantOut: true},
		"jwt lambdamcp kept sign-in: whoami":                   {Creds: true, Login: true, Kept: true, WantOut: true},
		"jwt lambdamcp logout":                                 {Creds: true, Kept: true, WantOut: true},
		"jwt lambdamcp logout again":                           {Creds: true, Kept: true, WantOut: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("client runs (-want +got):\n%s", diff)
	}
}

// TestCredentials checks what a run sends: the target's token, a wrong
// one or none, the inspector's as a header too, and each secret masked.
func TestCredentials(t *testing.T) {
	target := &clientTarget{url: "http://127.0.0.1:1/mcp", token: "right-token"}
	tests := []struct {
		name   string
		run    clientRun
		header bool // the inspector's --header argument
	}{
		{name: "none", run: clientRun{args: []string{"sdk-client.mjs", "legacy", "{url}"}}},
		{name: "right", run: clientRun{args: []string{"sdk-client.mjs", "legacy", "{url}"}, creds: true}},
		{name: "wrong", run: clientRun{args: []string{"sdk-client.mjs", "legacy", "{url}"}, wrong: true}},
		{name: "inspector right", run: clientRun{args: []string{"/x/inspector/index.js", "--cli", "{url}"}, creds: true}, header: true},
		{name: "inspector wrong", run: clientRun{args: []string{"/x/inspector/index.js", "--cli", "{url}"}, wrong: true}, header: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args, env, masks := target.credentials(tc.run)
			if args[2] != target.url {
				t.Errorf("args = %q: no URL", args)
			}
			if masks[target.token] == "" {
				t.Errorf("masks = %v: the token is not masked", masks)
			}
			var sent string
			for _, e := range env {
				if v, found := strings.CutPrefix(e, "MCP_BEARER_TOKEN="); found {
					sent = v
				}
			}
			switch {
			case tc.run.creds && sent != target.token:
				t.Errorf("env = %q, want the target's token", env)
			case tc.run.wrong && (sent == "" || sent == target.token):
				t.Errorf("env = %q, want a wrong token", env)
			case !tc.run.creds && !tc.run.wrong && len(env) > 0:
				t.Errorf("env = %q, want none", env)
			}
			wantArgs := len(tc.run.args)
			if tc.header {
				wantArgs += 2
				if got := args[len(args)-1]; got != "Authorization: Bearer "+sent {
					t.Errorf("header = %q, want the token sent", got)
				}
			}
			if len(args) != wantArgs {
				t.Errorf("args = %q, want %d", args, wantArgs)
			}
		})
	}
}

// TestClientCheck runs a client's runs as the run does, with a shell for
// the client: the check passes only when every run does, says which run
// failed, masks the token in what it prints, and gives each run a sign-in
// cache under the output directory, never the user's.
func TestClientCheck(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the client is a shell script")
	}
	sh := func(what, script string, r clientRun) clientRun {
		r.what, r.bin, r.args = what, "/bin/sh", []string{"-c", script, "{url}"}
		return r
	}
	call := sh("call", `echo "token=$MCP_BEARER_TOKEN url=$0 cache=$XDG_CACHE_HOME"; echo pong`, clientRun{creds: true, wantOut: []string{"pong"}})
	refusedRun := sh("no token", `echo "HTTP 401: unauthorized"; exit 1`, clientRun{})
	tests := []struct {
		name   string
		runs   []clientRun
		ok     bool
		detail string
	}{
		{name: "all pass", runs: []clientRun{call, refusedRun}, ok: true, detail: "call ok; no token: refused: HTTP 401: unauthorized"},
		{name: "the first fails", runs: []clientRun{sh("call", "exit 3", clientRun{creds: true}), refusedRun}, detail: "call failed (exit status 3): "},
		{name: "the last fails", runs: []clientRun{call, sh("no token", "echo pong", clientRun{})}, detail: "no token: succeeded, but must be refused"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			target := &clientTarget{name: "local", url: "http://127.0.0.1:1/mcp", token: "secret-" + randomHex(8)}
			var log bytes.Buffer
			res := client{name: "sh", runs: tc.runs}.check(t.Context(), &nodeTools{dir: out}, target, config{outDir: out, verbose: true}, &log)
			if res.ok != tc.ok || res.detail != tc.detail {
				t.Errorf("check = %v %q, want %v %q", res.ok, res.detail, tc.ok, tc.detail)
			}
			printed := log.String()
			if strings.Contains(printed, target.token) {
				t.Errorf("the token was printed:\n%s", printed)
			}
			if !tc.ok {
				return
			}
			if !strings.Contains(printed, "token=<token> url="+target.url+" cache="+out+string(filepath.Separator)+"cache-") {
				t.Errorf("the run did not get the masked token, the URL and a cache under %s:\n%s", out, printed)
			}
		})
	}
}

// TestRefusal checks the default refusal against what the real clients
// print when the server answers 401 (each line as they printed it, locally
// and behind the front), and that a client that crashed does not pass for
// a refused one, though its stack trace has a 401 in it.
func TestRefusal(t *testing.T) {
	exit1 := errors.New("exit status 1")
	tests := []struct {
		name   string
		output string
		ok     bool
	}{
		{name: "sdk legacy: no token, local", ok: true,
			output: `sdk-client (legacy): Streamable HTTP error: Error POSTing to endpoint: {"error":"unauthorized","error_description":"a bearer token is required"}`},
		{name: "sdk legacy: wrong token, local", ok: true,
			output: `sdk-client (legacy): Streamable HTTP error: Error POSTing to endpoint: {"error":"invalid_token","error_description":"the bearer token is invalid or expired"}`},
		{name: "sdk legacy: authorizer", ok: true,
			output: `sdk-client (legacy): Streamable HTTP error: Error POSTing to endpoint: {"error":"invalid_token","message":"Unauthorized"}`},
		{name: "sdk modern", ok: true,
			output: `sdk-client (modern): Version negotiation failed: the server requires authorization (HTTP 401)`},
		{name: "inspector legacy, local", ok: true,
			output: `{"error":{"code":"auth_required","message":"Error POSTing to endpoint: {\"error\":\"unauthorized\",\"error_description\":\"a bearer token is required\"}\n"}}`},
		{name: "inspector legacy: authorizer", ok: true,
			output: `{"error":{"code":"auth_required","message":"Error POSTing to endpoint: {\"error\":\"invalid_token\",\"message\":\"Unauthorized\"}"}}`},
		{name: "inspector modern", ok: true,
			output: `{"error":{"code":"auth_required","message":"Version negotiation failed: the server requires authorization (HTTP 401)"}}`},
		{name: "mcp-client", ok: true,
			output: `mcp-client: not authorized by http://127.0.0.1:44939/mcp (HTTP 401): send a valid bearer token with -token or MCP_TOKEN; the server describes its authorization at http://127.0.0.1:44939/.well-known/oauth-protected-resource/mcp`},
		{name: "crash: 401 as a line number",
			output: "TypeError: Cannot read properties of undefined (reading 'tools')\n    at f (/x/y.js:401:12)\n    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)"},
		{name: "crash: 401 as a column",
			output: "ReferenceError: x is not defined\n    at main (file:///x/sdk-client.mjs:12:401)"},
		{name: "crash: plain",
			output: "Error: connect ECONNREFUSED 127.0.0.1:4010\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16)"},
		{name: "crash: nothing said"},
	}
	refused := clientRun{what: "no token"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := refusal.MatchString(tc.output); got != tc.ok {
				t.Errorf("refusal matches %q: %v, want %v", tc.output, got, tc.ok)
			}
			line, ok := refused.verdict(runResult{output: tc.output, err: exit1})
			if ok != tc.ok {
				t.Errorf("verdict = %q, %v; want %v", line, ok, tc.ok)
			}
		})
	}
}

// TestInspectorEra checks that each of the inspector's runs must have used
// its own era: the inspector prints no protocol version, so a result
// without the server's name in its _meta (which the server adds in the
// 2026-07-28 era alone), as a run in the 2025-11-25 era prints it, fails
// the modern run, and a result with it fails the legacy run.
func TestInspectorEra(t *testing.T) {
	tools := &nodeTools{dir: t.TempDir()}
	runs := map[string]clientRun{}
	for _, c := range realClients(tools, "mcpgo") {
		if !strings.HasPrefix(c.name, "inspector ") {
			continue
		}
		for _, r := range c.runs {
			if r.what == "ping" {
				runs[c.name[strings.LastIndexByte(c.name, ' ')+1:]] = r
			}
		}
	}
	// The inspector's output for ping, in each era, as it printed it.
	const (
		modern = `{"result":{"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"lambdamcp-demo","version":"0.1.0"}},"content":[{"type":"text","text":"pong! logStream=2026/12/02/[$LATEST]0581ea9280c54653aa6f57b24db5e789 v=0.1.0 d=0"}]}}`
		legacy = `{"result":{"content":[{"type":"text","text":"pong! logStream=2026/12/02/[$LATEST]0581ea9280c54653aa6f57b24db5e789 v=0.1.0 d=0"}]}}`
	)
	tests := []struct {
		name   string
		era    string
		output string
		ok     bool
	}{
		{name: "modern: a 2026-07-28 result", era: "modern", output: modern, ok: true},
		{name: "modern: fell back to 2025-11-25", era: "modern", output: legacy},
		{name: "legacy: a 2025-11-25 result", era: "legacy", output: legacy, ok: true},
		{name: "legacy: went on to 2026-07-28", era: "legacy", output: modern},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, found := runs[tc.era]
			if !found {
				t.Fatalf("no inspector ping run in the %s era", tc.era)
			}
			line, ok := r.verdict(runResult{output: tc.output})
			if ok != tc.ok {
				t.Errorf("verdict = %q, %v; want %v", line, ok, tc.ok)
			}
		})
	}
}

// TestOldSDKEra checks that the run of the TypeScript SDK kept for agents
// built before 2025-06-18 passes only when it spoke 2025-03-26: the npm
// alias resolving to a current SDK, whose client would negotiate
// 2025-11-25, must fail it.
func TestOldSDKEra(t *testing.T) {
	tools := &nodeTools{dir: t.TempDir()}
	var run clientRun
	for _, c := range realClients(tools, "mcpgo") {
		if strings.HasPrefix(c.name, "TypeScript SDK ") && strings.HasSuffix(c.name, " 2025-03-26") {
			run = c.runs[0]
		}
	}
	if run.what != "tools/list + ping" {
		t.Fatalf("no tools/list + ping run of a 2025-03-26 TypeScript SDK: %+v", run)
	}
	listed := func(version string) string {
		return `{"era":"2025-03-26","protocolVersion":"` + version + `","tools":["ping","whoami"]}` + "\n" +
			`{"call":"ping","result":{"content":[{"type":"text","text":"pong! logStream=unknown v=0.1.0 d=0"}]}}` + "\n"
	}
	for version, want := range map[string]bool{"2025-03-26": true, "2025-11-25": false, "2025-06-18": false} {
		if line, ok := run.verdict(runResult{output: listed(version)}); ok != want {
			t.Errorf("negotiated %s: verdict = %q, %v; want %v", version, line, ok, want)
		}
	}
}
