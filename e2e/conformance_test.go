package main

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Outputs of real runs of the conformance suite against the everything server.
var (
	//go:embed testdata/pass-0.1.16.txt
	pass0116 []byte
	//go:embed testdata/pass-2026-07-28.txt
	pass20260728 []byte
	// Run with a baseline that omits two expected failures and lists ping,
	// which passes.
	//go:embed testdata/fail-2025-11-25.txt
	fail20251125 []byte
	// The client scenarios against cmd/mcp-client, which prints its
	// summary under another heading.
	//go:embed testdata/pass-client-0.1.16.txt
	passClient0116 []byte
)

func TestParseConformance(t *testing.T) {
	all := func(string) bool { return true }
	tests := []struct {
		name       string
		out        []byte
		scored     func(string) bool
		ran        int
		expected   []string
		unexpected []string
		stale      []string
		describe   string
	}{
		{
			name: "0.1.16 passing with a baseline", out: pass0116, scored: all, ran: 30,
			expected: []string{"tools-call-sampling", "tools-call-elicitation", "elicitation-sep1034-defaults", "server-sse-multiple-streams", "elicitation-sep1330-enums"},
			describe: "30 scenarios: 25 passed, 5 expected failures",
		},
		{
			name: "2026-07-28 requirement set", out: pass20260728, ran: 50,
			scored: func(s string) bool {
				return !(len(s) > 6 && s[:6] == "tasks-") && s != "json-schema-2020-12" && s != "http-header-validation" && s != "http-custom-header-server-validation"
			},
			describe: "37 scenarios: 37 passed, 0 expected failures; 13 not scored (10 failing)",
		},
		{
			name: "unexpected failures and a stale entry", out: fail20251125, scored: all, ran: 33,
			expected:   []string{"tools-call-sampling", "tools-call-elicitation"},
			unexpected: []string{"elicitation-sep1034-defaults", "server-sse-multiple-streams", "elicitation-sep1330-enums"},
			stale:      []string{"ping"},
			describe:   "33 scenarios: 28 passed, 2 expected failures, 3 UNEXPECTED: elicitation-sep1034-defaults server-sse-multiple-streams elicitation-sep1330-enums, NOW PASSING (remove from the baseline): ping",
		},
		{
			name: "client scenarios with a baseline", out: passClient0116, scored: all, ran: 18,
			expected: []string{
				"auth/metadata-default", "auth/metadata-var1", "auth/metadata-var2", "auth/metadata-var3", "auth/basic-cimd",
				"auth/scope-from-www-authenticate", "auth/scope-from-scopes-supported", "auth/scope-omitted-when-undefined",
				"auth/scope-step-up", "auth/scope-retry-limit", "auth/token-endpoint-auth-basic", "auth/token-endpoint-auth-post",
				"auth/token-endpoint-auth-none", "auth/pre-registration",
			},
			describe: "18 scenarios: 4 passed, 14 expected failures",
		},
		{name: "no summary", out: []byte("Failed to connect\n"), scored: all, describe: "0 scenarios: 0 passed, 0 expected failures"},
		{
			// Only the summary counts: a line before it that reads like
			// one is a scenario's own output.
			name: "a summary-like line before the summary", scored: all, ran: 1,
			out:      []byte("✗ ping: 0 passed, 1 failed\n=== SUMMARY ===\n✓ ping: 1 passed, 0 failed\n"),
			describe: "1 scenarios: 1 passed, 0 expected failures",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := parseConformance(tc.out)
			if len(s.ran) != tc.ran {
				t.Errorf("ran %d scenarios, want %d: %v", len(s.ran), tc.ran, s.ran)
			}
			if diff := cmp.Diff(tc.expected, s.expected); diff != "" {
				t.Errorf("expected failures (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.unexpected, s.unexpected); diff != "" {
				t.Errorf("unexpected failures (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.stale, s.stale); diff != "" {
				t.Errorf("stale entries (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.describe, s.describe(tc.scored)); diff != "" {
				t.Errorf("describe (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRequirementSet(t *testing.T) {
	yaml := []byte(`# comment
server:
  - server-stateless
  - tools-list # trailing comment

client:
  - tools_call
not_scored:
  - scenario: tasks-lifecycle
    leg: server
`)
	want := map[string]bool{"server-stateless": true, "tools-list": true}
	if diff := cmp.Diff(want, requirementSet(yaml, "server")); diff != "" {
		t.Errorf("server set (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]bool{"tools_call": true}, requirementSet(yaml, "client")); diff != "" {
		t.Errorf("client set (-want +got):\n%s", diff)
	}
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		args    []string
		targets []string
		suites  []string
		wantErr bool
	}{
		{args: nil, targets: append(slices.Clone(allTargets), "local+jwt", "url-stream+jwt", "rest+authorizer+jwt", "rest-stream+authorizer+jwt", "http+jwt", "mcp-client"), suites: suiteNames()},
		// The suites' client scenarios alone, and beside a server target.
		{args: []string{"-targets", "mcp-client", "-clients=false"}, targets: []string{"mcp-client"}, suites: suiteNames()},
		{args: []string{"-targets", "mcp-client", "-suites", "2026-07-28"}, targets: []string{"mcp-client"}, suites: []string{"2026-07-28"}},
		{args: []string{"-targets", "local,mcp-client", "-suites", "2025-11-25@0.1", "-clients=false"}, targets: []string{"local", "mcp-client"}, suites: []string{"2025-11-25@0.1"}},
		{args: []string{"-targets", "mcp-client", "-suites", "none"}, wantErr: true},
		{args: []string{"-targets", "mcp-client", "-suites", "none", "-clients=false"}, wantErr: true},
		{args: []string{"-targets", "local+jwt,url-stream+jwt", "-suites", "none"}, targets: []string{"local+jwt", "url-stream+jwt"}},
		{args: []string{"-targets", "rest+authorizer+jwt,rest-stream+authorizer+jwt", "-suites", "none"}, targets: []string{"rest+authorizer+jwt", "rest-stream+authorizer+jwt"}},
		{args: []string{"-targets", "local", "-suites", "2026-07-28"}, targets: []string{"local"}, suites: []string{"2026-07-28"}},
		{args: []string{"-targets", "lambda"}, wantErr: true},
		{args: []string{"-targets", "local,lambda"}, wantErr: true},
		{args: []string{"-targets", "local", "-suites", "2026-07-28,2024-11-05"}, wantErr: true},
		{args: []string{"-suites", "2024-11-05"}, wantErr: true},
		{args: []string{"extra"}, wantErr: true},
		// Selections that run no check at all.
		{args: []string{"-targets", ""}, wantErr: true},
		{args: []string{"-targets", "local+jwt", "-clients=false"}, wantErr: true},
		{args: []string{"-targets", "url,alb", "-suites", "none"}, wantErr: true},
		{args: []string{"-targets", "local", "-suites", "none", "-clients=false"}, wantErr: true},
		{args: []string{"-targets", "alb", "-suites", "2026-07-28", "-clients=false"}, targets: []string{"alb"}, suites: []string{"2026-07-28"}},
		{args: []string{"-targets", "http", "-suites", "none"}, targets: []string{"http"}},
	}
	for _, tc := range tests {
		c, err := parseConfig(tc.args, discard{})
		if (err != nil) != tc.wantErr {
			t.Errorf("parseConfig(%q): error %v, want error %t", tc.args, err, tc.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if diff := cmp.Diff(tc.targets, c.targets); diff != "" {
			t.Errorf("parseConfig(%q) targets (-want +got):\n%s", tc.args, diff)
		}
		if diff := cmp.Diff(tc.suites, c.suites); diff != "" {
			t.Errorf("parseConfig(%q) suites (-want +got):\n%s", tc.args, diff)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// TestRunExitStatus checks the run's exit status and closing line: 1
// when any check failed, or when none gave a result, and 0 only when
// every one passed.
func TestRunExitStatus(t *testing.T) {
	pass := result{suite: "conformance 2026-07-28", target: "local", ok: true}
	fail := result{suite: "conformance 2026-07-28", target: "url"}
	tests := []struct {
		name    string
		results []result
		code    int
		closing string
	}{
		{name: "all passed", results: []result{pass, pass}, code: 0, closing: "e2e: 2 passed, 0 failed"},
		{name: "one failed", results: []result{pass, fail, pass}, code: 1, closing: "e2e: 2 passed, 1 failed"},
		{name: "all failed", results: []result{fail}, code: 1, closing: "e2e: 0 passed, 1 failed"},
		{name: "no result", code: 1, closing: "e2e: 0 passed, 0 failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			orig := runChecks
			t.Cleanup(func() { runChecks = orig })
			runChecks = func(context.Context, config, io.Writer) ([]result, error) { return tc.results, nil }
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-targets", "local", "-out", t.TempDir()}, func(string) string { return "" }, &stdout, &stderr)
			if code != tc.code {
				t.Errorf("run = %d, want %d; output:\n%s", code, tc.code, stdout.String())
			}
			lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
			if got := lines[len(lines)-1]; got != tc.closing {
				t.Errorf("closing line = %q, want %q", got, tc.closing)
			}
		})
	}
}

func TestRunWithoutTheNodeTools(t *testing.T) {
	t.Chdir("..") // the repository root, where a run starts
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-dir", t.TempDir(), "-out", t.TempDir()}, func(string) string { return "" }, &stdout, &stderr)
	if code != 1 {
		t.Errorf("run = %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "npm ci") {
		t.Errorf("stderr %q does not say to run npm ci", stderr.String())
	}
}

// TestFindTools checks which Node.js the runner picks: the pinned one npm
// installed, else the machine's if it is new enough, else a clear error.
func TestFindTools(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("fake node is a shell script")
	}
	fakeNode := func(t *testing.T, dir, version string) string {
		t.Helper()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "node")
		if err := os.WriteFile(path, []byte("#!/bin/sh\necho "+version+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return path
	}
	cases := []struct {
		name           string
		pinned, onPath string // versions; "" for none
		want, wantErr  string
	}{
		{name: "pinned", pinned: "v22.23.5", onPath: "v24.1.0", want: "pinned"},
		{name: "pinned too old", pinned: "v20.1.0", wantErr: "need 22 or newer"},
		{name: "machine's", onPath: "v24.1.0", want: "path"},
		{name: "machine's too old", onPath: "v20.19.0", wantErr: "need 22 or newer"},
		{name: "none", wantErr: "put Node.js 22 or newer on PATH"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			project := t.TempDir()
			if err := os.MkdirAll(filepath.Join(project, "node_modules"), 0o755); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{}
			if tc.pinned != "" {
				want["pinned"] = fakeNode(t, filepath.Join(project, "node_modules", ".bin"), tc.pinned)
			}
			pathDir := t.TempDir()
			if tc.onPath != "" {
				want["path"] = fakeNode(t, pathDir, tc.onPath)
			}
			t.Setenv("PATH", pathDir)
			tools, err := findTools(project)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tools.node != want[tc.want] {
				t.Errorf("node = %s, want %s", tools.node, want[tc.want])
			}
		})
	}
}

// TestHeldScenarios checks that a held scenario failing, or missing from
// the run, fails the suite although the suite's requirement set does not
// score it; the recorded run predates the server's x-mcp-header tool.
func TestHeldScenarios(t *testing.T) {
	suite, ok := suiteByName("2026-07-28")
	if !ok {
		t.Fatal("no 2026-07-28 suite")
	}
	inSet := func(s string) bool {
		return !strings.HasPrefix(s, "tasks-") && s != "json-schema-2020-12" && s != "http-header-validation" && s != "http-custom-header-server-validation"
	}
	scored := func(s string) bool { return inSet(s) || slices.Contains(suite.held, s) }

	s := parseConformance(pass20260728)
	suite.hold(&s, nil)
	if diff := cmp.Diff([]string{"http-custom-header-server-validation"}, s.unexpected); diff != "" {
		t.Errorf("unexpected failures (-want +got):\n%s", diff)
	}
	want := "40 scenarios: 39 passed, 0 expected failures, 1 UNEXPECTED: http-custom-header-server-validation; 10 not scored (9 failing)"
	if got := s.describe(scored); got != want {
		t.Errorf("describe = %q, want %q", got, want)
	}

	missing := parseConformance(bytes.ReplaceAll(pass20260728, []byte("✓ json-schema-2020-12: 8 passed"), []byte("")))
	suite.hold(&missing, nil)
	if !slices.Contains(missing.unexpected, "json-schema-2020-12") {
		t.Errorf("a held scenario that did not run is not a failure: %v", missing.unexpected)
	}
}

// TestRequiredScenarios checks that a scenario of the requirement set
// missing from the run fails the suite, as a held one does, while a run
// with every one of them passes.
func TestRequiredScenarios(t *testing.T) {
	suite, ok := suiteByName("2026-07-28")
	if !ok {
		t.Fatal("no 2026-07-28 suite")
	}
	required := map[string]bool{}
	for _, sc := range parseConformance(pass20260728).ran {
		if !strings.HasPrefix(sc, "tasks-") && !slices.Contains(suite.held, sc) {
			required[sc] = true
		}
	}
	if !required["tools-call-simple-text"] || !required["prompts-list"] {
		t.Fatalf("the recorded run lacks the scenarios this test drops: %v", required)
	}
	all := parseConformance(pass20260728)
	suite.hold(&all, required)
	if diff := cmp.Diff([]string{"http-custom-header-server-validation"}, all.unexpected); diff != "" {
		t.Errorf("every required scenario ran; unexpected failures (-want +got):\n%s", diff)
	}

	out := pass20260728
	for _, sc := range []string{"prompts-list", "tools-call-simple-text"} {
		out = regexp.MustCompile(`(?m)^.*✓ `+regexp.QuoteMeta(sc)+`: .*$`).ReplaceAll(out, nil)
	}
	missing := parseConformance(out)
	suite.hold(&missing, required)
	want := []string{"http-custom-header-server-validation", "prompts-list", "tools-call-simple-text"}
	if diff := cmp.Diff(want, missing.unexpected); diff != "" {
		t.Errorf("required scenarios missing from the run; unexpected failures (-want +got):\n%s", diff)
	}
}

// TestRequiredScenariosFromSet checks the required scenarios as the run
// reads them, from the suite's requirements file: each one missing from
// the run fails it once, even one the suite holds as well (a release may
// list a held scenario as required), and counts among the scenarios
// scored, so that the passed count is the run's.
func TestRequiredScenariosFromSet(t *testing.T) {
	suite, ok := suiteByName("2026-07-28")
	if !ok {
		t.Fatal("no 2026-07-28 suite")
	}
	var listed []string
	for _, sc := range parseConformance(pass20260728).ran {
		if !strings.HasPrefix(sc, "tasks-") && sc != "http-header-validation" && sc != "http-custom-header-server-validation" {
			listed = append(listed, sc)
		}
	}
	tools := &nodeTools{dir: t.TempDir()}
	file := tools.path(suite.pkg, "requirements", "2026-07-28.yaml")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("server:\n  - "+strings.Join(listed, "\n  - ")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	scored, required, err := suite.scored(tools, "server")
	if err != nil {
		t.Fatal(err)
	}
	if len(required) != len(listed) || !required["json-schema-2020-12"] || !required["prompts-list"] {
		t.Fatalf("required = %v, want the %d scenarios of the file", required, len(listed))
	}

	out := pass20260728
	for _, sc := range []string{"prompts-list", "json-schema-2020-12"} {
		out = regexp.MustCompile(`(?m)^.*✓ `+regexp.QuoteMeta(sc)+`: .*$`).ReplaceAll(out, nil)
	}
	missing := parseConformance(out)
	suite.hold(&missing, required)
	want := []string{"http-custom-header-server-validation", "json-schema-2020-12", "prompts-list"}
	if diff := cmp.Diff(want, missing.unexpected); diff != "" {
		t.Errorf("unexpected failures (-want +got):\n%s", diff)
	}
	wantDescribe := "40 scenarios: 37 passed, 0 expected failures, 3 UNEXPECTED: http-custom-header-server-validation json-schema-2020-12 prompts-list; 10 not scored (9 failing)"
	if diff := cmp.Diff(wantDescribe, missing.describe(scored)); diff != "" {
		t.Errorf("describe (-want +got):\n%s", diff)
	}
}

// TestCheckLogs checks that a plain line among a function's JSON lines
// fails the log check, naming the file and line, and that JSON lines alone
// pass it.
func TestCheckLogs(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, "logs", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("everything-url.log", "{\"msg\":\"one\"}\n\n"+functionRequestLine+"\n")
	if r := checkLogs(dir); !r.ok || r.detail != "2 lines in 1 files" {
		t.Errorf("JSON lines only: %+v", r)
	}
	write("reference-rest.log", "{\"msg\":\"one\"}\n2026/11/30 14:35:01 {\"errorMessage\":\"Unauthorized\"}\n[1,2]\n")
	if r := checkLogs(dir); r.ok || !strings.Contains(r.detail, "reference-rest.log: line 2: 2026/11/30") || !strings.Contains(r.detail, "reference-rest.log: line 3: [1,2]") {
		t.Errorf("a plain line and an array: %+v", r)
	}
	write("reference-rest.log", "{\"msg\":\"one\"}\nnull\n")
	if r := checkLogs(dir); r.ok || !strings.Contains(r.detail, "reference-rest.log: line 2: null") {
		t.Errorf("a null line: %+v", r)
	}
	write("everything-local.log", "http://127.0.0.1:1/mcp\n") // the local server's URL line
	write("local-2026-07-28.log", "Running requirements …\n") // a suite's own log
	if r := checkLogs(dir); r.ok || strings.Contains(r.detail, "local") {
		t.Errorf("only the functions' logs are read: %+v", r)
	}
	if r := checkLogs(t.TempDir()); r.ok {
		t.Errorf("no log files: %+v", r)
	}
	// A file with no line checks nothing: the function's output went
	// elsewhere.
	write("reference-rest.log", "")
	write("everything-alb.log", "\n\n")
	if r := checkLogs(dir); r.ok || !strings.Contains(r.detail, "reference-rest.log: no lines") || !strings.Contains(r.detail, "everything-alb.log: no lines") {
		t.Errorf("empty files: %+v", r)
	}
}

// The lines of one request as the run's log files hold them: the
// function's (lambdamcp's request line), the front's, and the Lambda
// runtime's REPORT the front writes for the function.
const (
	functionRequestLine = `{"time":"2026-12-02T16:17:13.140908278Z","level":"INFO","msg":"request","shape":"rest","gateway_request_id":"dbc5f985-328e-4984-a371-d6e305be79d5","method":"POST","path":"/mcp","status":200,"duration_ms":1.481,"outcome":"ok","mcp_method":"initialize","protocol_version":"2025-11-25","request_id":"22dc5c95-5507-4ffc-b094-c1af960937b5"}`
	frontRequestLine    = `{"time":"2026-12-02T16:17:13.142700295Z","level":"INFO","msg":"request","method":"POST","path":"/dev/mcp","status":200,"durationMs":82.733,"gatewayRequestId":"dbc5f985-328e-4984-a371-d6e305be79d5","requestId":"22dc5c95-5507-4ffc-b094-c1af960937b5"}`
	frontReportLine     = `{"time":"2026-12-02T16:17:13.145620996Z","level":"INFO","msg":"REPORT RequestId: 22dc5c95-5507-4ffc-b094-c1af960937b5\tDuration: 8.31 ms","function":"mcp-server","requestId":"22dc5c95-5507-4ffc-b094-c1af960937b5","durationMs":8.30958,"pid":12473}`
	authorizerLine      = `{"time":"2026-12-02T16:17:13.093990561Z","level":"INFO","msg":"authorizer decision","event":"TOKEN","subject":"static:dc49104c829f","decision":"allow","request_id":"d33c973d-f96f-4bea-a9f2-c2ce2a4ce436"}`
)

// TestCheckLogsFunctionLines checks that each function's log file must hold
// a line the function wrote: the front writes to the same file, and its
// lines alone would pass every line's check while the function's output
// went elsewhere.
func TestCheckLogsFunctionLines(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		ok    bool
	}{
		{name: "the function's and the front's", lines: []string{authorizerLine, functionRequestLine, frontRequestLine, frontReportLine}, ok: true},
		{name: "the function's alone", lines: []string{functionRequestLine}, ok: true},
		{name: "the front's alone", lines: []string{frontRequestLine, frontReportLine}},
		{name: "the front's and the authorizer's", lines: []string{authorizerLine, frontRequestLine, frontReportLine}},
		{name: "a request line without a shape", lines: []string{strings.Replace(functionRequestLine, `"shape":"rest",`, "", 1)}},
		{name: "a request line without a request id", lines: []string{strings.Replace(functionRequestLine, `,"request_id":"22dc5c95-5507-4ffc-b094-c1af960937b5"`, "", 1)}},
		{name: "a shape on another line", lines: []string{strings.Replace(functionRequestLine, `"msg":"request"`, `"msg":"listening"`, 1)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
				t.Fatal(err)
			}
			// A file that passes beside the one under test: each file
			// is held to it on its own.
			for name, text := range map[string]string{
				"everything-rest.log": functionRequestLine + "\n",
				"reference-rest.log":  strings.Join(tc.lines, "\n") + "\n",
			} {
				if err := os.WriteFile(filepath.Join(dir, "logs", name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r := checkLogs(dir)
			if r.ok != tc.ok {
				t.Errorf("checkLogs = %v %q, want %v", r.ok, r.detail, tc.ok)
			}
			if !tc.ok && !strings.Contains(r.detail, "reference-rest.log: no request line of the function's own") {
				t.Errorf("detail = %q, want it to name reference-rest.log", r.detail)
			}
		})
	}
}

// TestRequirementSetUnread checks that a requirements file the runner
// cannot read a server scenario from fails the suite, rather than leave
// it with no required scenario to hold the run to.
func TestRequirementSetUnread(t *testing.T) {
	suite, ok := suiteByName("2026-07-28")
	if !ok {
		t.Fatal("no 2026-07-28 suite")
	}
	tests := []struct {
		name string
		yaml string // "": no file
	}{
		{name: "no file"},
		{name: "no server key", yaml: "client:\n  - tools_call\n"},
		{name: "another indentation", yaml: "server:\n    - tools-list\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tools := &nodeTools{dir: t.TempDir()}
			if tc.yaml != "" {
				file := tools.path(suite.pkg, "requirements", "2026-07-28.yaml")
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, []byte(tc.yaml), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if _, required, err := suite.scored(tools, "server"); err == nil {
				t.Errorf("scored: no error, required %v", required)
			}
		})
	}
}

// TestConformancePassed checks the verdict on a suite's run: it passes
// only when the suite exited 0, ran scenarios, and its summary lists no
// unexpected failure and no baseline entry that now passes.
func TestConformancePassed(t *testing.T) {
	exit1 := errors.New("exit status 1")
	tests := []struct {
		name   string
		out    []byte
		runErr error
		want   bool
	}{
		{name: "0.1.16 passing", out: pass0116, want: true},
		{name: "2026-07-28 passing", out: pass20260728, want: true},
		{name: "suite failed", out: pass20260728, runErr: exit1},
		{name: "no summary", out: []byte("Failed to connect\n")},
		{name: "unexpected failures and a stale entry", out: fail20251125},
		{name: "unexpected failures alone", out: bytes.Replace(fail20251125, []byte("Stale baseline entries"), []byte("Other entries"), 1)},
		{name: "a stale entry alone", out: bytes.Replace(fail20251125, []byte("Unexpected failures (not in baseline)"), []byte("Other failures"), 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseConformance(tc.out).passed(tc.runErr); got != tc.want {
				t.Errorf("passed = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestHeldScenarioChecks checks that a held scenario whose checks.json
// records a warning fails the suite, although the summary marks it
// passed, and so does one whose checks.json is missing, empty or not JSON.
func TestHeldScenarioChecks(t *testing.T) {
	suite, ok := suiteByName("2026-07-28")
	if !ok {
		t.Fatal("no 2026-07-28 suite")
	}
	// The recorded run predates the server's x-mcp-header tool: drop the
	// held scenario it fails, which TestHeldScenarios covers.
	held := slices.DeleteFunc(slices.Clone(suite.held), func(sc string) bool { return sc == "http-custom-header-server-validation" })
	suite.held = held
	const recorded = "/tmp/lambdamcp-e2e-1945922879/results/local-2026-07-28"
	passing := `[{"id":"sep-2243-server-accepts","status":"SUCCESS"},{"id":"note","status":"INFO"}]`
	tests := []struct {
		name   string
		checks map[string]string // held scenario: its checks.json; absent: passing
		want   []string
		why    string // what describe says of it
	}{
		{name: "all passing"},
		{name: "a warning", checks: map[string]string{"http-header-validation": `[{"id":"sep-2243-server-accepts","status":"SUCCESS"},{"id":"sep-2243-server-reject-error-code","status":"WARNING"}]`}, want: []string{"http-header-validation"}, why: "http-header-validation: WARNING sep-2243-server-reject-error-code"},
		{name: "a failure", checks: map[string]string{"json-schema-2020-12": `[{"id":"json-schema","status":"FAILURE"}]`}, want: []string{"json-schema-2020-12"}, why: "json-schema-2020-12: FAILURE json-schema"},
		{name: "no file", checks: map[string]string{"http-header-validation": ""}, want: []string{"http-header-validation"}, why: "no such file"},
		{name: "no checks", checks: map[string]string{"json-schema-2020-12": `[]`}, want: []string{"json-schema-2020-12"}, why: "json-schema-2020-12: checks.json lists no check"},
		{name: "not JSON", checks: map[string]string{"json-schema-2020-12": `{"status":`}, want: []string{"json-schema-2020-12"}, why: "json-schema-2020-12: checks.json: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			sum := parseConformance(bytes.ReplaceAll(pass20260728, []byte(recorded), []byte(dir)))
			for _, sc := range held {
				if !strings.HasPrefix(sum.results[sc], dir) {
					t.Fatalf("results of %s = %q, want under %s", sc, sum.results[sc], dir)
				}
				text, set := tc.checks[sc]
				if !set {
					text = passing
				}
				if text == "" {
					continue
				}
				if err := os.MkdirAll(sum.results[sc], 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(sum.results[sc], "checks.json"), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			sum.readChecks(suite.held)
			suite.hold(&sum, nil)
			if diff := cmp.Diff(tc.want, sum.unexpected); diff != "" {
				t.Errorf("unexpected failures (-want +got):\n%s", diff)
			}
			if got := sum.passed(nil); got != (len(tc.want) == 0) {
				t.Errorf("passed = %v", got)
			}
			if got := sum.describe(func(string) bool { return true }); !strings.Contains(got, tc.why) {
				t.Errorf("describe = %q, want it to say %q", got, tc.why)
			}
		})
	}
}

// TestBaselineNamesChecks checks that every entry of the 0.2.x baseline
// names a single check: a whole scenario would also excuse a failure of
// its other checks, which the server passes.
func TestBaselineNamesChecks(t *testing.T) {
	data, err := os.ReadFile("expected-failures.yaml")
	if err != nil {
		t.Fatal(err)
	}
	entries := requirementSet(data, "server")
	if len(entries) == 0 {
		t.Fatal("expected-failures.yaml lists no server entry")
	}
	for entry := range entries {
		if scenario, check, ok := strings.Cut(entry, ":"); !ok || scenario == "" || check == "" {
			t.Errorf("%q names a whole scenario, not a check", entry)
		}
	}
}

// TestRunSetUpFailureOutput checks what a run that fails to set up leaves
// of its temporary output directory: nothing when nothing was written
// there (the pinned tools missing, say), else the directory, named.
func TestRunSetUpFailureOutput(t *testing.T) {
	for _, wrote := range []bool{false, true} {
		t.Run(map[bool]string{false: "nothing written", true: "output written"}[wrote], func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			orig := runChecks
			t.Cleanup(func() { runChecks = orig })
			runChecks = func(_ context.Context, cfg config, _ io.Writer) ([]result, error) {
				if wrote {
					if err := os.WriteFile(filepath.Join(cfg.outDir, "build.log"), []byte("x"), 0o644); err != nil {
						return nil, err
					}
				}
				return nil, errors.New("building the everything server: no compiler")
			}
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), []string{"-targets", "local"}, func(string) string { return "" }, &stdout, &stderr); code != 1 {
				t.Errorf("run = %d, want 1", code)
			}
			entries, err := os.ReadDir(tmp)
			if err != nil {
				t.Fatal(err)
			}
			if !wrote {
				if len(entries) != 0 {
					t.Errorf("left %v in the temporary directory", entries)
				}
				return
			}
			if len(entries) != 1 {
				t.Fatalf("temporary directory holds %v, want the run's output", entries)
			}
			if kept := filepath.Join(tmp, entries[0].Name()); !strings.Contains(stdout.String()+stderr.String(), "output kept in "+kept) {
				t.Errorf("stdout %q, stderr %q: the output kept in %s is not named", stdout.String(), stderr.String(), kept)
			}
		})
	}
}

// TestRunAllOutsideTheRoot checks that a run started elsewhere than the
// repository root (here, as in `cd e2e && go run .`) says to run it from
// the root, whose packages the builds name, rather than to install the
// tools into a directory below the one it was started in.
func TestRunAllOutsideTheRoot(t *testing.T) {
	_, err := runAll(t.Context(), config{npmDir: "e2e", outDir: t.TempDir(), targets: []string{"local"}, suites: []string{"2026-07-28"}}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "run it from the repository root") {
		t.Errorf("runAll from %s: %v, want to be told to run it from the repository root", "e2e/", err)
	}
}
