package main

import (
	"fmt"
	"io"
	"runtime"
	"time"
)

// report prints the results as Markdown. lams holds the reference server as
// Start runs it on a 128 MB function (one P), the same with Go's own
// GOMAXPROCS, and the fixed-response floor.
func report(w io.Writer, cfg config, art artifacts, lams [3]lambdaResults, inproc, sdk [2]inProcess, idle inProcess, oneP [2]inProcess, runs []httpRun, loadBefore, loadAfter string) {
	lam, lamGo, floor := lams[0], lams[1], lams[2]
	fmt.Fprintf(w, "Machine: %d CPUs, %s, %s %s/%s; load average %s at the start, %s at the end.\n\n",
		runtime.NumCPU(), cpuModel(), runtime.Version(), runtime.GOOS, runtime.GOARCH, loadBefore, loadAfter)

	goProcs := runtime.GOMAXPROCS(0)
	fmt.Fprintf(w, "| Lambda, real bootstrap, Runtime API on 127.0.0.1, 128 MB | reference server (Start: GOMAXPROCS=1) | the same, GOMAXPROCS=%d | floor: a bootstrap answering a fixed response (GOMAXPROCS=1) |\n", goProcs)
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	row := func(label string, f func(lambdaResults) string) {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", label, f(lam), f(lamGo), f(floor))
	}
	// The three columns have as many timings each; the label names the
	// tail after them.
	p50p99 := func(s summary) string { return ms(s.p50) + " / " + ms(s.p99) }
	p99of := func(s summary) string { return fmt.Sprintf("p50 / %s of %d", tailName("p99", 0.99, s.n), s.n) }
	row(fmt.Sprintf("cold start, exec to first answered initialize (median / %s of %d)", tailName("p90", 0.90, lam.cold.n), lam.cold.n), func(r lambdaResults) string { return ms(r.cold.p50) + " / " + ms(r.cold.p90) })
	row(fmt.Sprintf("warm tools/list 2025-11-25 (%s)", p99of(lam.warmLegacy)), func(r lambdaResults) string { return p50p99(r.warmLegacy) })
	row(fmt.Sprintf("warm tools/list 2026-07-28 (%s)", p99of(lam.warmModern)), func(r lambdaResults) string { return p50p99(r.warmModern) })
	row(fmt.Sprintf("warm tools/list 2025-11-25, %s idle before each (%s)", ms(idleGap), p99of(lam.warmIdle)), func(r lambdaResults) string { return p50p99(r.warmIdle) })
	row(fmt.Sprintf("resident memory after %d invocations (VmRSS / peak VmHWM)", lam.invoked), func(r lambdaResults) string { return mb(r.mem.rss) + " / " + mb(r.mem.hwm) })
	fmt.Fprintf(w, "| bootstrap, stripped: linux/arm64 / linux/amd64 | %s / %s | | |\n", mb(art.sizeARM64), mb(art.sizeAMD64))
	fmt.Fprintf(w, "| deployment zip (arm64) | %s | | |\n\n", mb(art.zipARM64))

	fmt.Fprintln(w, "| In-process, warm tools/list | p50 | p99 | allocated per call |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	line := func(label string, r inProcess) {
		fmt.Fprintf(w, "| %s (%d calls) | %s | %s | %.1f KB |\n", label, r.latency.n, ms(r.latency.p50), tailCell(r.latency.p99, "p99", 0.99, r.latency.n), r.bytesPerCall/1e3)
	}
	for i, era := range []string{"2025-11-25", "2026-07-28"} {
		line("lambdamcp Handler.Invoke, Function URL event, "+era, inproc[i])
		line("go-sdk StreamableHTTPHandler alone, "+era, sdk[i])
	}
	line(fmt.Sprintf("lambdamcp Handler.Invoke, 2025-11-25, %s idle before each call", ms(idleGap)), idle)
	line("lambdamcp Handler.Invoke, 2025-11-25, GOMAXPROCS=1", oneP[0])
	line(fmt.Sprintf("lambdamcp Handler.Invoke, 2025-11-25, GOMAXPROCS=1, %s idle before each call", ms(idleGap)), oneP[1])
	fmt.Fprintln(w)

	level := func(name string, c int) (loadResult, bool) {
		for _, r := range runs {
			if r.name == name {
				for _, l := range r.levels {
					if l.concurrency == c {
						return l, true
					}
				}
			}
		}
		return loadResult{}, false
	}
	ratio := func(a, b loadResult, okA, okB bool) string {
		m, lo, hi, ok := ratioSpread(a, b)
		if !okA || !okB || !ok {
			return "–"
		}
		if len(a.rounds) == 1 {
			return times(m) + "×"
		}
		return fmt.Sprintf("%s× (%s–%s)", times(m), times(lo), times(hi))
	}
	fmt.Fprintf(w, "Local HTTP, tools/call ping delay_ms:0 (2025-11-25), %d calls per level in %d rounds, the servers' order rotating from round to round; keep-alive, closed loop (each worker sends its next call when the last is answered), client on the same machine. Ratios are the median of the rounds' ratios (lowest–highest):\n\n", cfg.requests, cfg.rounds)
	fmt.Fprintln(w, "| server | concurrency | calls/s | p50 | p99 | errors | lambdamcp ÷ this | this ÷ floor |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, c := range cfg.levels {
		lam, okLam := level("lambdamcp", c)
		floor, okFloor := level("net/http floor", c)
		for _, r := range runs {
			for _, l := range r.levels {
				if l.concurrency != c {
					continue
				}
				errs := fmt.Sprint(l.errors)
				if l.requests < l.planned {
					errs += fmt.Sprintf(" (%d done in %s)", l.requests, l.elapsed.Round(time.Second))
				}
				if f := failedRounds(l); f > 0 {
					// Counted at 0 calls/s in the ratios.
					errs += fmt.Sprintf(" (%d of %d rounds answered nothing)", f, len(l.rounds))
				}
				fmt.Fprintf(w, "| %s | %d | %.0f | %s | %s | %s | %s | %s |\n", r.name, c, l.throughput(),
					ms(l.latency.p50), tailCell(l.latency.p99, "p99", 0.99, l.latency.n), errs, ratio(lam, l, okLam, true), ratio(l, floor, true, okFloor))
			}
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| server | cold start, exec to first answered initialize (median / p90) | resident memory after the load (VmRSS / peak) |")
	fmt.Fprintln(w, "|---|---:|---:|")
	for _, r := range runs {
		runs := fmt.Sprintf("%d runs", r.cold.n)
		if tailName("p90", 0.90, r.cold.n) != "p90" {
			runs = "max of " + runs
		}
		fmt.Fprintf(w, "| %s | %s / %s (%s) | %s / %s |\n", r.name, ms(r.cold.p50), ms(r.cold.p90), runs, mb(r.mem.rss), mb(r.mem.hwm))
	}
	printTargets(w, art, lam, inproc[0], oneP[0], runs)
	for _, r := range runs {
		for _, l := range r.levels {
			if l.firstError != "" {
				fmt.Fprintf(w, "\n%s at concurrency %d, first error: %s\n", r.name, l.concurrency, l.firstError)
			}
		}
	}
}

// printTargets marks each performance target met or not, with the
// figure that decides it. The in-process targets are decided by inproc,
// with Go's own GOMAXPROCS; oneP, the same with one P as Start runs a
// small function, is shown beside it when measured.
func printTargets(w io.Writer, art artifacts, lam lambdaResults, inproc, oneP inProcess, runs []httpRun) {
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "not met"
	}
	var lambdamcp16, ts16 loadResult
	for _, r := range runs {
		for _, l := range r.levels {
			if l.concurrency != 16 {
				continue
			}
			switch r.name {
			case "lambdamcp":
				lambdamcp16 = l
			case "TypeScript SDK":
				ts16 = l
			}
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| target | figure | |")
	fmt.Fprintln(w, "|---|---:|---|")
	fmt.Fprintf(w, "| cold start <= 8 ms median | %s | %s |\n", ms(lam.cold.p50), verdict(lam.cold.p50 <= 8*time.Millisecond))
	withOneP := func(figure, one string) string {
		if oneP.latency.n == 0 {
			return figure
		}
		return figure + " (one P: " + one + ")"
	}
	fmt.Fprintf(w, "| warm tools/list in-process <= 25 µs p50 | %s | %s |\n", withOneP(ms(inproc.latency.p50), ms(oneP.latency.p50)), verdict(inproc.latency.p50 <= 25*time.Microsecond))
	fmt.Fprintf(w, "| warm tools/list in-process <= 100 µs p99 | %s | %s |\n", withOneP(tailCell(inproc.latency.p99, "p99", 0.99, inproc.latency.n), tailCell(oneP.latency.p99, "p99", 0.99, oneP.latency.n)), verdict(inproc.latency.p99 <= 100*time.Microsecond))
	fmt.Fprintf(w, "| warm tools/list in-process <= 16 KB per request | %.1f KB | %s |\n", inproc.bytesPerCall/1e3, verdict(inproc.bytesPerCall <= 16e3))
	fmt.Fprintf(w, "| resident memory <= 20 MB after %d invocations | %s | %s |\n", lam.invoked, mb(lam.mem.rss), verdict(lam.mem.rss <= 20e6))
	if lambdamcp16.planned > 0 && ts16.planned > 0 {
		// Both runs must be whole: every call answered, none failed. A
		// round in which one server answered nothing right counts at 0
		// calls/s for it; with no round in which either did, there is
		// no figure.
		figure := "–"
		r, lo, hi, ok := ratioSpread(lambdamcp16, ts16)
		if ok {
			figure = fmt.Sprintf("%sx (rounds %s–%s)", times(r), times(lo), times(hi))
		}
		fmt.Fprintf(w, "| >= 10x the TypeScript SDK at concurrency 16, 0 errors | %s, %d errors (TypeScript SDK: %d; calls answered: %d and %d of %d) | %s |\n",
			figure, lambdamcp16.errors, ts16.errors, lambdamcp16.requests, ts16.requests, lambdamcp16.planned, verdict(ok && r >= 10 && lambdamcp16.clean() && ts16.clean()))
	}
	fmt.Fprintf(w, "| deployment zip <= 10 MB | %s | %s |\n", mb(art.zipARM64), verdict(art.zipARM64 <= 10e6))
}
