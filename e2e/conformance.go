package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// conformanceSuite is one run of the official MCP conformance suite's server
// scenarios: a pinned release, the scenarios it selects, and the baseline of
// expected failures it checks against; and the same release's client
// scenarios, run against cmd/mcp-client (the mcp-client target).
type conformanceSuite struct {
	name     string // as given to -suites
	pkg      string // the npm alias under node_modules
	args     []string
	baseline string // expected-failures file in the npm project
	// clientArgs select the client scenarios, and clientBaseline is their
	// expected-failures file.
	clientArgs     []string
	clientBaseline string
	// held are scenarios the suite runs but does not score for its
	// requirement set (pending in the release) that the everything server
	// passes, and must go on passing: a failure fails the run.
	//
	// The summary marks a scenario failed only for a failed check; a
	// warning (a SHOULD the server missed, such as the HeaderMismatch
	// error code of http-header-validation) shows only in the scenario's
	// checks.json. The suite's baseline counts a warning as a failure in
	// the scenarios it scores, and so does the runner in those it holds.
	held []string
}

var conformanceSuites = []conformanceSuite{
	{
		// The 2025-11-25 scenarios as the stable release runs them.
		name: "2025-11-25@0.1", pkg: "conformance-2025",
		args:     []string{"--spec-version", "2025-11-25"},
		baseline: "expected-failures-0.1.16.yaml",
		// 0.1.16 has no requirement sets: every client scenario of the
		// 2025-11-25 release.
		clientArgs:     []string{"--suite", "all", "--spec-version", "2025-11-25"},
		clientBaseline: "expected-failures-client-0.1.16.yaml",
	},
	{
		// The frozen 2025-11-25 requirement set, with the newer release's checks.
		name: "2025-11-25", pkg: "conformance-2026",
		args:           []string{"--requirements", "2025-11-25"},
		baseline:       "expected-failures.yaml",
		clientArgs:     []string{"--requirements", "2025-11-25"},
		clientBaseline: "expected-failures-client-2025-11-25.yaml",
	},
	{
		name: "2026-07-28", pkg: "conformance-2026",
		args:           []string{"--requirements", "2026-07-28"},
		baseline:       "expected-failures.yaml",
		clientArgs:     []string{"--requirements", "2026-07-28"},
		clientBaseline: "expected-failures-client.yaml",
		// The Mcp-Method, Mcp-Name and Mcp-Param-* checks, through every
		// shape's header handling, and schemas kept whole.
		held: []string{"http-header-validation", "http-custom-header-server-validation", "json-schema-2020-12"},
	},
}

// conformanceTimeout bounds one run of a conformance suite against one
// target; a whole suite takes well under a minute here.
const conformanceTimeout = 10 * time.Minute

func suiteNames() []string {
	var names []string
	for _, s := range conformanceSuites {
		names = append(names, s.name)
	}
	return names
}

func suiteByName(name string) (conformanceSuite, bool) {
	for _, s := range conformanceSuites {
		if s.name == name {
			return s, true
		}
	}
	return conformanceSuite{}, false
}

// scored returns whether a scenario belongs to the requirement set this
// suite runs on leg ("server" or "client"), read from the suite's own
// requirements file, and that set. Suites that select by spec version
// score every scenario they run, and have no set.
func (s conformanceSuite) scored(tools *nodeTools, leg string) (func(string) bool, map[string]bool, error) {
	args := s.args
	if leg == "client" {
		args = s.clientArgs
	}
	rev := ""
	for i, a := range args {
		if a == "--requirements" && i+1 < len(args) {
			rev = args[i+1]
		}
	}
	if rev == "" {
		return func(string) bool { return true }, nil, nil
	}
	held := map[string]bool{}
	for _, sc := range s.held {
		held[sc] = true
	}
	data, err := os.ReadFile(tools.path(s.pkg, "requirements", rev+".yaml"))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the %s requirement set: %w", rev, err)
	}
	set := requirementSet(data, leg)
	if len(set) == 0 {
		return nil, nil, fmt.Errorf("the %s requirement set lists no %s scenarios", rev, leg)
	}
	return func(sc string) bool { return set[sc] || held[sc] }, set, nil
}

// hold counts a held scenario that failed, warned or did not run, and a scenario
// of the requirement set (required; nil: none) that did not run, as an
// unexpected failure, which the suite's own exit status does not: a
// release that dropped a required scenario, or a run that skipped one,
// would otherwise pass with a smaller count.
func (s conformanceSuite) hold(sum *conformanceSummary, required map[string]bool) {
	flag := func(sc string, ran bool) {
		if slices.Contains(sum.unexpected, sc) {
			return
		}
		sum.unexpected = append(sum.unexpected, sc)
		if !ran {
			sum.ran = append(sum.ran, sc)
		}
	}
	for _, sc := range s.held {
		if failed, ran := sum.failed[sc]; failed || !ran || sum.flawed[sc] != "" {
			flag(sc, ran)
		}
	}
	for _, sc := range slices.Sorted(maps.Keys(required)) {
		if _, ran := sum.failed[sc]; !ran {
			flag(sc, false)
		}
	}
}

// requirementSet reads the scenario names listed under a top-level key of a
// conformance requirements file ("server:" followed by "  - name" lines).
func requirementSet(yaml []byte, key string) map[string]bool {
	set := map[string]bool{}
	in := false
	for _, line := range strings.Split(string(yaml), "\n") {
		line = strings.TrimRight(line, " \r")
		switch {
		case line == key+":":
			in = true
		case in && strings.HasPrefix(line, "  - "):
			name, _, _ := strings.Cut(strings.TrimPrefix(line, "  - "), " ")
			set[name] = true
		case in && line != "" && !strings.HasPrefix(line, " ") && !strings.HasPrefix(line, "#"):
			in = false
		}
	}
	return set
}

// run runs the suite's server scenarios against t. The suite's own exit
// status decides: it fails on any failure not in the baseline and on any
// baseline entry that passes.
func (s conformanceSuite) run(ctx context.Context, tools *nodeTools, t *target, cfg config, log io.Writer) result {
	leg := suiteLeg{
		name: "server", target: t.name, args: []string{"server", "--url", t.url},
		selection: s.args, baseline: s.baseline,
	}
	return s.runLeg(ctx, tools, leg, cfg, log)
}

// runClient runs the suite's client scenarios against cmd/mcp-client, the
// binary client: each scenario starts its own mock server, and the client
// through clients/conformance-client.mjs, which turns the scenario's name,
// URL and context into mcp-client's flags.
func (s conformanceSuite) runClient(ctx context.Context, tools *nodeTools, client string, cfg config, log io.Writer) result {
	leg := suiteLeg{
		name: "client", target: conformanceClientTarget,
		args:      []string{"client", "--command", shellWords(tools.node, filepath.Join(tools.dir, "clients", "conformance-client.mjs"), client)},
		selection: s.clientArgs, baseline: s.clientBaseline,
		// The client keeps nothing in the user's cache.
		env: []string{"XDG_CACHE_HOME=" + filepath.Join(cfg.outDir, "home", ".cache")},
	}
	s.held = nil // held are server scenarios
	return s.runLeg(ctx, tools, leg, cfg, log)
}

// shellWords is the --command that runs the client: the suite splits it
// at each space and hands the words, and the server's URL after them, to a
// shell, so each word is quoted for that shell (a path with a space in it
// comes together again there).
func shellWords(words ...string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(quoted, " ")
}

// suiteLeg is what runLeg needs of one side of a suite.
type suiteLeg struct {
	name      string   // "server" or "client", as the requirements file has it
	target    string   // what the summary line names
	args      []string // the command and what it tests
	selection []string // the scenarios it runs
	baseline  string
	env       []string
}

// runLeg runs one side of the suite. The suite's own exit status decides:
// it fails on any failure not in the baseline and on any baseline entry
// that passes.
func (s conformanceSuite) runLeg(ctx context.Context, tools *nodeTools, leg suiteLeg, cfg config, log io.Writer) result {
	version := tools.packageVersion(s.pkg)
	res := result{suite: fmt.Sprintf("conformance %s (%s)", strings.TrimSuffix(s.name, "@0.1"), version), target: leg.target}
	slug := leg.target + "-" + strings.ReplaceAll(s.name, "@", "-")
	resultsDir := filepath.Join(cfg.outDir, "results", slug)
	args := append([]string{tools.path(s.pkg, "dist", "index.js")}, leg.args...)
	args = append(args,
		"--expected-failures", filepath.Join(tools.dir, leg.baseline),
		"-o", resultsDir,
	)
	args = append(args, leg.selection...)
	home := filepath.Join(cfg.outDir, "home")
	logPath := filepath.Join(cfg.outDir, "logs", slug+".log")
	for _, dir := range []string{home, filepath.Dir(logPath)} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			res.detail = err.Error()
			return res
		}
	}
	fmt.Fprintf(log, "e2e: %s against %s\n", res.suite, leg.target)
	var out bytes.Buffer
	// A suite that hangs must not hold the run until CI's own limit.
	ctx, cancel := context.WithTimeout(ctx, conformanceTimeout)
	defer cancel()
	cmd := tools.command(ctx, home, leg.env, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	runErr := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		runErr = fmt.Errorf("did not finish within %v: %w", conformanceTimeout, runErr)
	}
	os.WriteFile(logPath, out.Bytes(), 0o644)

	sum := parseConformance(out.Bytes())
	sum.readChecks(s.held)
	scored, required, err := s.scored(tools, leg.name)
	if err != nil {
		res.detail = err.Error()
		return res
	}
	s.hold(&sum, required)
	res.ok = sum.passed(runErr)
	res.detail = sum.describe(scored)
	if runErr != nil {
		res.detail += fmt.Sprintf(" (suite exit: %v; log %s)", runErr, logPath)
	}
	if cfg.verbose || !res.ok {
		log.Write(out.Bytes())
	}
	return res
}

// conformanceSummary is what a suite's output reports.
type conformanceSummary struct {
	ran        []string          // scenarios, in the order they ran
	failed     map[string]bool   // scenarios with a failed check
	expected   []string          // failures the baseline lists
	unexpected []string          // failures (or warnings) the baseline does not list
	stale      []string          // baseline entries that passed
	results    map[string]string // each scenario's results directory, as the suite printed it
	// flawed are the scenarios (of those readChecks read) whose
	// checks.json records a warning or a failure, or cannot be read, and
	// why.
	flawed map[string]string
}

// check is one entry of a scenario's checks.json.
type check struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// readChecks reads the checks.json the suite saved for each of scenarios
// that ran, and marks flawed those with a warning or a failure, or whose
// file cannot be read: the summary shows no warning.
func (s *conformanceSummary) readChecks(scenarios []string) {
	for _, sc := range scenarios {
		if _, ran := s.failed[sc]; !ran {
			continue // hold flags it
		}
		if why := flaw(s.results[sc]); why != "" {
			if s.flawed == nil {
				s.flawed = map[string]string{}
			}
			s.flawed[sc] = why
		}
	}
}

// flaw says what is wrong with the checks.json in dir: a warning or a
// failure it records, or why it cannot be read; "" if nothing.
func flaw(dir string) string {
	if dir == "" {
		return "no results directory printed"
	}
	data, err := os.ReadFile(filepath.Join(dir, "checks.json"))
	if err != nil {
		return err.Error()
	}
	var checks []check
	if err := json.Unmarshal(data, &checks); err != nil {
		return "checks.json: " + err.Error()
	}
	if len(checks) == 0 {
		return "checks.json lists no check"
	}
	for _, c := range checks {
		if c.Status == "WARNING" || c.Status == "FAILURE" {
			return c.Status + " " + c.ID
		}
	}
	return ""
}

var (
	ansi        = regexp.MustCompile("\x1b\\[[0-9;]*m")
	summaryLine = regexp.MustCompile(`^([✓✗]) (\S+): \d+ passed, \d+ failed`)
	listedLine  = regexp.MustCompile(`^\s+[~✓✗] (\S+)`)
	runningLine = regexp.MustCompile(`^=== Running scenario: (\S+) ===$`)
	savedLine   = regexp.MustCompile(`^Results saved to (.+)$`)
)

// parseConformance reads the summary the suite prints at the end of a run.
func parseConformance(out []byte) conformanceSummary {
	s := conformanceSummary{failed: map[string]bool{}, results: map[string]string{}}
	var list *[]string
	inSummary := false
	running := "" // the scenario whose output this is
	sc := bufio.NewScanner(bytes.NewReader(ansi.ReplaceAll(out, nil)))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "=== SUMMARY ==="), strings.HasPrefix(line, "=== SUITE SUMMARY ==="):
			inSummary, list = true, nil
		case !inSummary:
			if m := runningLine.FindStringSubmatch(line); m != nil {
				running = m[1]
			} else if m := savedLine.FindStringSubmatch(line); m != nil && running != "" {
				s.results[running] = m[1]
			}
		case strings.HasPrefix(line, "Expected failures"):
			list = &s.expected
		case strings.HasPrefix(line, "Unexpected failures (not in baseline)"):
			list = &s.unexpected
		case strings.HasPrefix(line, "Stale baseline entries"):
			list = &s.stale
		case strings.HasPrefix(line, "Not scored for"), strings.HasPrefix(line, "Total:"):
			list = nil
		default:
			if m := summaryLine.FindStringSubmatch(line); m != nil && list == nil {
				s.ran = append(s.ran, m[2])
				s.failed[m[2]] = m[1] == "✗"
			} else if m := listedLine.FindStringSubmatch(line); m != nil && list != nil {
				*list = append(*list, m[1])
			}
		}
	}
	return s
}

// passed is the run's verdict: the suite exited 0 after running scenarios,
// and its summary lists no unexpected failure and no stale baseline entry.
// The suite's exit status says the last two as well; read from the
// summary too, neither passes a run whose status was lost or lenient.
func (s conformanceSummary) passed(runErr error) bool {
	return runErr == nil && len(s.ran) > 0 && len(s.unexpected) == 0 && len(s.stale) == 0
}

// describe says how the run went. scored reports whether a scenario counts
// toward the requirement set; the others were run for information only.
func (s conformanceSummary) describe(scored func(string) bool) string {
	var n, other, otherFailed int
	for _, sc := range s.ran {
		if scored(sc) {
			n++
		} else {
			other++
			if s.failed[sc] {
				otherFailed++
			}
		}
	}
	passed := n - len(s.expected) - len(s.unexpected)
	msg := fmt.Sprintf("%d scenarios: %d passed, %d expected failures", n, passed, len(s.expected))
	if len(s.unexpected) > 0 {
		msg += fmt.Sprintf(", %d UNEXPECTED: %s", len(s.unexpected), strings.Join(s.unexpected, " "))
	}
	for _, sc := range slices.Sorted(maps.Keys(s.flawed)) {
		msg += fmt.Sprintf(", %s: %s", sc, s.flawed[sc])
	}
	if len(s.stale) > 0 {
		msg += ", NOW PASSING (remove from the baseline): " + strings.Join(s.stale, " ")
	}
	if other > 0 {
		msg += fmt.Sprintf("; %d not scored (%d failing)", other, otherFailed)
	}
	return msg
}
