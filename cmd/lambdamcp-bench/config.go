package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/cmdline"
)

// config is what a bench run measures and how much.
type config struct {
	root         string
	requests     int
	levels       []int
	rounds       int
	levelTimeout time.Duration
	coldRuns     int
	httpColdRuns int
	warm         int
	inProcess    int
	rssAfter     int
	peers        []string
	node         string
	environ      []string
	variants     [][]string // extra runs of the reference server, each with these environment assignments
}

var knownPeers = []string{"gosdk", "ts", "mcpgo", "floor"}

func parseConfig(args, environ []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("lambdamcp-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := config{environ: environ}
	fs.StringVar(&cfg.root, "root", ".", "repository root")
	fs.IntVar(&cfg.requests, "requests", 10000, "HTTP calls per server and concurrency level")
	levels := fs.String("levels", "1,16,64", "HTTP concurrency levels, comma-separated")
	fs.IntVar(&cfg.rounds, "rounds", 5, "rounds each HTTP level is split into, the servers' order rotating from round to round")
	fs.DurationVar(&cfg.levelTimeout, "level-timeout", 20*time.Second, "cut a level off after this long (split evenly between its rounds)")
	fs.IntVar(&cfg.coldRuns, "cold-runs", 20, "bootstrap cold starts through the Runtime API")
	fs.IntVar(&cfg.httpColdRuns, "http-cold-runs", 10, "cold starts of each HTTP server")
	fs.IntVar(&cfg.warm, "warm", 2000, "warm tools/list invocations per protocol era through the Runtime API")
	fs.IntVar(&cfg.inProcess, "in-process", 20000, "in-process tools/list invocations per protocol era")
	fs.IntVar(&cfg.rssAfter, "rss-after", 10000, "invocations before the bootstrap's memory is read")
	peers := fs.String("peers", strings.Join(knownPeers, ","), "peers to compare with (gosdk, ts, mcpgo, floor), comma-separated; empty for none")
	fs.StringVar(&cfg.node, "node", "node", "Node.js binary for the TypeScript peer")
	variants := fs.String("variants", "", "extra HTTP runs of the reference server with other environments: VAR=value pairs separated by spaces, runs by semicolons (e.g. \"GOGC=400\")")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		err := errors.New(cmdline.Unexpected(fs.Args()))
		fmt.Fprintf(stderr, "lambdamcp-bench: %v\n", err)
		return cfg, err
	}
	var err error
	if cfg.levels, err = parseLevels(*levels); err != nil {
		fmt.Fprintf(stderr, "-levels: %v\n", err)
		return cfg, err
	}
	for p := range strings.SplitSeq(*peers, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if !slices.Contains(knownPeers, p) {
			err := fmt.Errorf("unknown peer %q (want %s)", p, strings.Join(knownPeers, ", "))
			fmt.Fprintf(stderr, "-peers: %v\n", err)
			return cfg, err
		}
		cfg.peers = append(cfg.peers, p)
	}
	for v := range strings.SplitSeq(*variants, ";") {
		env := strings.Fields(v)
		if len(env) == 0 {
			continue
		}
		for _, kv := range env {
			if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
				err := fmt.Errorf("%q is not VAR=value", kv)
				fmt.Fprintf(stderr, "-variants: %v\n", err)
				return cfg, err
			}
		}
		cfg.variants = append(cfg.variants, env)
	}
	if cfg.requests < 1 || cfg.coldRuns < 1 || cfg.warm < 1 || cfg.rssAfter < 1 || cfg.httpColdRuns < 1 || cfg.inProcess < 1 || cfg.rounds < 1 {
		err := errors.New("-requests, -rounds, -cold-runs, -http-cold-runs, -warm, -in-process and -rss-after must be at least 1")
		fmt.Fprintln(stderr, err)
		return cfg, err
	}
	if cfg.rounds > cfg.requests {
		// A round without calls has no rate to compare.
		err := fmt.Errorf("-rounds %d is more than -requests %d: every round needs a call", cfg.rounds, cfg.requests)
		fmt.Fprintln(stderr, err)
		return cfg, err
	}
	return cfg, nil
}

func parseLevels(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1024 {
			return nil, fmt.Errorf("%q is not a concurrency between 1 and 1024", f)
		}
		out = append(out, n)
	}
	return out, nil
}
