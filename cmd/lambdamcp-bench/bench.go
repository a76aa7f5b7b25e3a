package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// httpRun is one server's HTTP measurements.
type httpRun struct {
	name   string
	cold   summary
	levels []loadResult
	mem    memory
}

func bench(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	root, err := filepath.Abs(cfg.root)
	if err != nil {
		return err
	}
	// Everything measured is built from the repository's packages.
	if fi, err := os.Stat(filepath.Join(root, "cmd", "mcp-server")); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s is not the repository root (it has no cmd/mcp-server): run it from there, or give -root", root)
	}
	// The TypeScript peer runs last: a missing install is said before the
	// minutes of measuring that come first.
	tsDir := filepath.Join(root, "bench", "peers", "ts")
	if slices.Contains(cfg.peers, "ts") {
		if err := checkTSPeer(tsDir, cfg.node); err != nil {
			return err
		}
	}
	dir, err := os.MkdirTemp("", "lambdamcp-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	loadBefore := loadAvg()

	fmt.Fprintln(stderr, "building the bootstrap (arm64, amd64) and the Go peers")
	art, err := buildArtifacts(ctx, root, dir, runtime.GOARCH, cfg.peers)
	if err != nil {
		return err
	}

	fmt.Fprintf(stderr, "Runtime API: %d cold starts, %d warm calls per era, memory after %d invocations\n", cfg.coldRuns, cfg.warm, cfg.rssAfter)
	lam, err := measureLambda(ctx, art.bootstrap, cfg.coldRuns, cfg.warm, cfg.rssAfter)
	if err != nil {
		//lint:ignore ST1005 "Runtime API" is a name
		return fmt.Errorf("Runtime API: %w", err)
	}
	// Start runs a function below 1,769 MB with one P; the same bootstrap
	// with GOMAXPROCS set to Go's own choice shows what that changes.
	goProcs := fmt.Sprint(runtime.GOMAXPROCS(0))
	fmt.Fprintf(stderr, "Runtime API: the same with GOMAXPROCS=%s\n", goProcs)
	lamGo, err := measureLambda(ctx, art.bootstrap, cfg.coldRuns, cfg.warm, cfg.rssAfter, "GOMAXPROCS="+goProcs)
	if err != nil {
		//lint:ignore ST1005 "Runtime API" is a name
		return fmt.Errorf("Runtime API, GOMAXPROCS=%s: %w", goProcs, err)
	}
	// The floor runs with one P, as Start runs the reference server.
	fmt.Fprintln(stderr, "Runtime API: the same with a bootstrap that answers a fixed response")
	floor, err := measureLambda(ctx, art.lambdaFloor, cfg.coldRuns, cfg.warm, cfg.rssAfter, "GOMAXPROCS=1")
	if err != nil {
		//lint:ignore ST1005 "Runtime API" is a name
		return fmt.Errorf("Runtime API floor: %w", err)
	}

	fmt.Fprintf(stderr, "in-process: %d tools/list invocations per protocol era\n", cfg.inProcess)
	var inproc, sdk [2]inProcess
	for i, call := range []mcpCall{toolsListCall, toolsListModernCall} {
		if inproc[i], err = measureInProcess(ctx, call, cfg.inProcess, 0); err != nil {
			return fmt.Errorf("in-process: %w", err)
		}
		if sdk[i], err = measureSDK(ctx, call, cfg.inProcess); err != nil {
			return fmt.Errorf("in-process: %w", err)
		}
	}

	idle, err := measureInProcess(ctx, toolsListCall, min(cfg.inProcess, 2000), idleGap)
	if err != nil {
		return fmt.Errorf("in-process: %w", err)
	}
	// The same with one P, as Start runs a function below 1,769 MB.
	var oneP [2]inProcess
	err = withProcs(1, func() (err error) {
		if oneP[0], err = measureInProcess(ctx, toolsListCall, cfg.inProcess, 0); err != nil {
			return err
		}
		oneP[1], err = measureInProcess(ctx, toolsListCall, min(cfg.inProcess, 2000), idleGap)
		return err
	})
	if err != nil {
		return fmt.Errorf("in-process, one P: %w", err)
	}

	specs := []serverSpec{{
		name: "lambdamcp",
		argv: []string{art.bootstrap, "-addr", "127.0.0.1:0"},
		env:  withoutLambda(cfg.environ),
	}}
	for _, env := range cfg.variants {
		specs = append(specs, serverSpec{
			name: "lambdamcp " + strings.Join(env, " "),
			argv: []string{art.bootstrap, "-addr", "127.0.0.1:0"},
			env:  append(withoutLambda(cfg.environ), env...),
		})
	}
	for _, p := range cfg.peers {
		switch p {
		case "gosdk":
			specs = append(specs, serverSpec{name: "go-sdk alone", argv: []string{art.gosdk, "-addr", "127.0.0.1:0"}, env: withoutLambda(cfg.environ)})
		case "ts":
			specs = append(specs, serverSpec{name: "TypeScript SDK", argv: []string{cfg.node, "server.mjs", "0"}, dir: tsDir,
				env: append(withoutLambda(cfg.environ), "NODE_ENV=production")})
		case "mcpgo":
			specs = append(specs, serverSpec{name: "mcp-go", argv: []string{art.mcpgo, "-addr", "127.0.0.1:0"}, env: withoutLambda(cfg.environ)})
		case "floor":
			specs = append(specs, serverSpec{name: "net/http floor", argv: []string{art.floor, "-addr", "127.0.0.1:0"}, env: withoutLambda(cfg.environ)})
		}
	}
	runs, err := measureHTTP(ctx, cfg, specs, stderr)
	if err != nil {
		return err
	}
	report(stdout, cfg, art, [3]lambdaResults{lam, lamGo, floor}, inproc, sdk, idle, oneP, runs, loadBefore, loadAvg())
	return nil
}

// withProcs runs f with GOMAXPROCS n, and restores it.
func withProcs(n int, f func() error) error {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	return f()
}

// measureHTTP measures every server's cold start, then runs the load levels
// with all servers up. Each level runs in cfg.rounds rounds, each server
// once per round with its share of the calls, the first server of a round
// rotating from round to round: a change in the machine's load then falls
// on every server, in every position, and the ratios between servers are
// taken round by round (ratioSpread).
func measureHTTP(ctx context.Context, cfg config, specs []serverSpec, stderr io.Writer) ([]httpRun, error) {
	runs := make([]httpRun, len(specs))
	for i, spec := range specs {
		fmt.Fprintf(stderr, "HTTP: %d cold starts of %s\n", cfg.httpColdRuns, spec.name)
		var colds []time.Duration
		for range cfg.httpColdRuns {
			d, err := coldStart(ctx, spec)
			if err != nil {
				return nil, err
			}
			colds = append(colds, d)
		}
		runs[i] = httpRun{name: spec.name, cold: summarize(colds)}
	}
	servers := make([]*server, len(specs))
	defer func() {
		for _, s := range servers {
			if s != nil {
				s.stop()
			}
		}
	}()
	call := newMCPCall(pingCall).expecting(pingAnswer)
	for i, spec := range specs {
		s, err := startServer(ctx, spec)
		if err != nil {
			return nil, err
		}
		servers[i] = s
		if err := warmUp(ctx, s.url, call, 2000); err != nil {
			return nil, fmt.Errorf("%s: %w", spec.name, err)
		}
	}
	sizes := roundSizes(cfg.requests, cfg.rounds)
	perRound := roundTimeout(cfg.levelTimeout, cfg.rounds)
	urls := make([]string, len(servers))
	for i, s := range servers {
		urls[i] = s.url
	}
	for l, c := range cfg.levels {
		fmt.Fprintf(stderr, "HTTP: concurrency %d, %d calls per server in %d rounds\n", c, cfg.requests, cfg.rounds)
		var afterLast func(int) error
		if l == len(cfg.levels)-1 {
			// Right after its last run, so that no server idles (and
			// returns memory) longer than another before it is read.
			afterLast = func(i int) (err error) {
				runs[i].mem, err = readMemory(servers[i].cmd.Process.Pid)
				return err
			}
		}
		levels, err := runLevel(ctx, urls, call, c, sizes, perRound, afterLast)
		if err != nil {
			return nil, err
		}
		for i := range servers {
			runs[i].levels = append(runs[i].levels, levels[i])
		}
	}
	return runs, nil
}

// roundSizes splits total calls into rounds as evenly as they go, the
// first rounds taking one more where rounds does not divide total, so that
// a level makes exactly the calls asked for.
func roundSizes(total, rounds int) []int {
	sizes := make([]int, rounds)
	for i := range sizes {
		sizes[i] = total / rounds
		if i < total%rounds {
			sizes[i]++
		}
	}
	return sizes
}

// roundTimeout is how long each of a level's rounds may run: the level's
// timeout split evenly between them, a second at least.
func roundTimeout(levelTimeout time.Duration, rounds int) time.Duration {
	return max(levelTimeout/time.Duration(rounds), time.Second)
}

// runLevel runs one concurrency level against every server at urls, one
// round per size in sizes: in each round every server in turn with that
// many calls, the first server rotating from round to round. afterLast,
// if set, runs right after each server's last round.
func runLevel(ctx context.Context, urls []string, call mcpCall, c int, sizes []int, roundTimeout time.Duration, afterLast func(i int) error) ([]loadResult, error) {
	levels := make([]loadResult, len(urls))
	for round, n := range sizes {
		for k := range urls {
			i := (round + k) % len(urls)
			client := newLoadClient(c)
			levels[i] = levels[i].merge(load(ctx, client, urls[i], call, c, n, roundTimeout))
			client.CloseIdleConnections()
			if afterLast != nil && round == len(sizes)-1 {
				if err := afterLast(i); err != nil {
					return nil, err
				}
			}
		}
	}
	return levels, nil
}

// warmUp lets Node's JIT and Go's heap settle before measuring, with n
// calls from 4 workers, and then closes its connections: left open, they
// would sit in every server's memory until the server's idle timeout (a
// minute for the TypeScript SDK, two for lambdamcp, never for the Go peers
// built on a bare net/http server), and so weigh on some servers'
// resident memory after the load and not on others'.
func warmUp(ctx context.Context, url string, call mcpCall, n int) error {
	client := newLoadClient(4)
	defer client.CloseIdleConnections()
	warm := load(ctx, client, url, call, 4, n, 30*time.Second)
	if warm.errors > 0 {
		return fmt.Errorf("warm-up: %d errors, first: %s", warm.errors, warm.firstError)
	}
	return nil
}

// ratioSpread is the ratio of a's throughput to b's, round by round: the
// median and the lowest and highest. A round in which one server answered
// nothing right counts at 0 calls/s for it (a ratio of 0, or +Inf), so that
// failing a round cannot lift a server's median; one in which neither did
// compares nothing and is left out. ok is false without rounds to compare.
func ratioSpread(a, b loadResult) (median, lo, hi float64, ok bool) {
	var rs []float64
	for i := range min(len(a.rounds), len(b.rounds)) {
		switch {
		case a.rounds[i] <= 0 && b.rounds[i] <= 0:
		case b.rounds[i] <= 0:
			rs = append(rs, math.Inf(1))
		default:
			rs = append(rs, max(a.rounds[i], 0)/b.rounds[i])
		}
	}
	if len(rs) == 0 {
		return 0, 0, 0, false
	}
	slices.Sort(rs)
	m := rs[len(rs)/2]
	if len(rs)%2 == 0 {
		m = (rs[len(rs)/2-1] + m) / 2
	}
	return m, rs[0], rs[len(rs)-1], true
}

// times formats a ratio of rates; +Inf, against a server that answered
// nothing right, as ∞.
func times(r float64) string {
	if math.IsInf(r, 1) {
		return "∞"
	}
	return fmt.Sprintf("%.2f", r)
}

// failedRounds is how many of r's rounds answered nothing right.
func failedRounds(r loadResult) int {
	n := 0
	for _, v := range r.rounds {
		if v <= 0 {
			n++
		}
	}
	return n
}

// withoutLambda is the environment minus the variable that puts the
// reference server in Lambda mode.
func withoutLambda(environ []string) []string {
	var out []string
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "AWS_LAMBDA_RUNTIME_API=") {
			out = append(out, kv)
		}
	}
	return out
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// checkTSPeer reports what the TypeScript peer in dir lacks to run: its
// packages, or the Node.js binary node (a name looked up on PATH; a path
// is left to the start).
func checkTSPeer(dir, node string) error {
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@modelcontextprotocol", "sdk")); err != nil {
		return fmt.Errorf("TypeScript peer not installed: run npm ci --prefix bench/peers/ts")
	}
	if !strings.ContainsRune(node, filepath.Separator) {
		if _, err := exec.LookPath(node); err != nil {
			return fmt.Errorf("the TypeScript peer needs Node.js: %v; put node on PATH, give -node, or leave ts out of -peers", err)
		}
	}
	return nil
}
