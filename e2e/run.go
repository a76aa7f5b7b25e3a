package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// config is what the flags and environment decide.
type config struct {
	npmDir  string   // the npm project with the pinned tools (this directory)
	outDir  string   // where builds, logs and results go
	targets []string // local, rest, url
	suites  []string // conformance suite names, see conformanceSuites
	clients bool     // run the real-client checks
	verbose bool
}

func parseConfig(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("e2e", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	var targets, suites string
	fs.StringVar(&c.npmDir, "dir", "e2e", "the npm project holding the pinned Node tools (after npm ci)")
	fs.StringVar(&c.outDir, "out", "", "directory for builds, logs and suite results, kept (default: a new temporary directory, removed when every check passed)")
	known := append(append(slices.Clone(allTargets), jwtTargets...), conformanceClientTarget)
	fs.StringVar(&targets, "targets", strings.Join(known, ","), "comma-separated targets: "+strings.Join(known, ", ")+" (those ending in +jwt are for the clients alone; "+conformanceClientTarget+" runs the suites' client scenarios against cmd/mcp-client)")
	fs.StringVar(&suites, "suites", strings.Join(suiteNames(), ","), "comma-separated conformance suites: "+strings.Join(suiteNames(), ", ")+", or none")
	fs.BoolVar(&c.clients, "clients", true, "run the real-client checks (TypeScript SDK, inspector CLI, mcp-go and, on the jwt targets, mcp-client)")
	fs.BoolVar(&c.verbose, "v", false, "print every suite's full output")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	c.targets = splitList(targets)
	c.suites = splitList(suites)
	if len(c.suites) == 1 && c.suites[0] == "none" {
		c.suites = nil
	}
	for _, t := range c.targets {
		if !slices.Contains(known, t) {
			return c, fmt.Errorf("unknown target %q (want %s)", t, strings.Join(known, ", "))
		}
	}
	for _, s := range c.suites {
		if _, ok := suiteByName(s); !ok {
			return c, fmt.Errorf("unknown suite %q (want %s)", s, strings.Join(suiteNames(), ", "))
		}
	}
	// A run that checks nothing must not pass: it would print "0 passed,
	// 0 failed" and exit 0, as if the selection had held.
	suitesRun := len(c.suites) > 0 && slices.ContainsFunc(c.targets, func(t string) bool { return slices.Contains(allTargets, t) || t == conformanceClientTarget })
	clientTargets := append(slices.Clone(allClientTargets), jwtTargets...)
	clientsRun := c.clients && slices.ContainsFunc(c.targets, func(t string) bool { return slices.Contains(clientTargets, t) })
	if !suitesRun && !clientsRun {
		return c, errors.New("these -targets, -suites and -clients select no check to run")
	}
	return c, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func run(ctx context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "e2e:", err)
		return 2
	}
	start := time.Now()
	temporary := cfg.outDir == ""
	if temporary {
		if cfg.outDir, err = os.MkdirTemp("", "lambdamcp-e2e-"); err != nil {
			fmt.Fprintln(stderr, "e2e:", err)
			return 1
		}
	}
	results, err := runChecks(ctx, cfg, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "e2e:", err)
		// The output stays, to tell why, unless there is none: a set-up
		// that failed before writing any (the tools missing, say) leaves
		// no empty directory behind.
		if !temporary || os.Remove(cfg.outDir) != nil {
			fmt.Fprintf(stderr, "e2e: output kept in %s\n", cfg.outDir)
		}
		return 1
	}
	fmt.Fprintf(stdout, "\n=== e2e summary (%s) ===\n", time.Since(start).Round(time.Second))
	passed, failed := 0, 0
	for _, r := range results {
		fmt.Fprintln(stdout, r)
		if r.ok {
			passed++
		} else {
			failed++
		}
	}
	if temporary && failed == 0 {
		// Builds and logs of a run that passed: each run would otherwise
		// leave about 120 MB in the temporary directory. -out keeps them.
		if err := os.RemoveAll(cfg.outDir); err != nil {
			fmt.Fprintln(stderr, "e2e:", err)
		}
	} else {
		fmt.Fprintf(stdout, "e2e: output kept in %s\n", cfg.outDir)
	}
	// The plain closing line CI readers count.
	fmt.Fprintf(stdout, "e2e: %d passed, %d failed\n", passed, failed)
	if failed > 0 || passed == 0 {
		// A run with no result checked nothing, and must not pass.
		return 1
	}
	return 0
}

// runChecks runs the checks cfg selects; tests replace it.
var runChecks = runAll

// runAll builds what the targets need, then runs every suite against every
// target, and the client checks. Only set-up errors end it early; a suite
// that fails is a result.
func runAll(ctx context.Context, cfg config, log io.Writer) ([]result, error) {
	// The builds name the repository's packages from its root.
	if _, err := os.Stat(filepath.FromSlash(everythingPkg)); err != nil {
		return nil, fmt.Errorf("no %s here: run it from the repository root (go run ./e2e)", everythingPkg)
	}
	tools, err := findTools(cfg.npmDir)
	if err != nil {
		return nil, err
	}
	if cfg.outDir, err = filepath.Abs(cfg.outDir); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "e2e: node %s, output in %s\n", tools.nodeVersion, cfg.outDir)
	b := &builder{outDir: cfg.outDir, log: log}

	var results []result
	for _, name := range cfg.targets {
		if name == conformanceClientTarget && len(cfg.suites) > 0 {
			results = append(results, runClientScenarios(ctx, b, tools, cfg, log)...)
			continue
		}
		if !slices.Contains(allTargets, name) || len(cfg.suites) == 0 {
			continue // a target for the clients alone, or no suite to run
		}
		t, err := startTarget(ctx, b, name)
		if err != nil {
			results = append(results, result{suite: "starting the everything server", target: name, detail: err.Error()})
			continue
		}
		for _, s := range cfg.suites {
			suite, _ := suiteByName(s)
			start := time.Now()
			r := suite.run(ctx, tools, t, cfg, log)
			r.took = time.Since(start)
			results = append(results, r)
		}
		t.stop()
	}
	if cfg.clients {
		results = append(results, runClients(ctx, b, tools, cfg, log)...)
	}
	if slices.ContainsFunc(cfg.targets, func(name string) bool {
		return name != "local" && name != "local+jwt" && name != conformanceClientTarget
	}) {
		// Some function ran behind the front (the local targets log
		// elsewhere, as servers of their own).
		results = append(results, checkLogs(cfg.outDir))
	}
	return results, nil
}

// conformanceClientTarget names the conformance suites' client scenarios,
// run against cmd/mcp-client: each scenario serves a mock MCP server (and
// authorization server) of its own, and the suite runs the client against
// it.
const conformanceClientTarget = "mcp-client"

// runClientScenarios builds cmd/mcp-client and runs each selected suite's
// client scenarios against it.
func runClientScenarios(ctx context.Context, b *builder, tools *nodeTools, cfg config, log io.Writer) []result {
	bin, err := b.build(ctx, clientPkg, false)
	if err != nil {
		return []result{{suite: "building mcp-client", target: conformanceClientTarget, detail: err.Error()}}
	}
	var results []result
	for _, name := range cfg.suites {
		suite, _ := suiteByName(name)
		start := time.Now()
		r := suite.runClient(ctx, tools, bin, cfg, log)
		r.took = time.Since(start)
		results = append(results, r)
	}
	return results
}
