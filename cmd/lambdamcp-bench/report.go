package main

import (
	"fmt"
	"io"
	"runtime"
	"time"
)

// report prints the results as Markdown.
func report(w io.Writer, cfg config, art artifacts, lam lambdaResults, runs []httpRun, loadBefore, loadAfter string) {
	fmt.Fprintf(w, "Machine: %d CPUs, %s, %s %s/%s; load average %s at the start, %s at the end.\n\n",
		runtime.NumCPU(), cpuModel(), runtime.Version(), runtime.GOOS, runtime.GOARCH, loadBefore, loadAfter)

	fmt.Fprintln(w, "| Lambda (real bootstrap, Runtime API on 127.0.0.1) | |")
	fmt.Fprintln(w, "|---|---|")
	fmt.Fprintf(w, "| cold start, exec to first answered initialize (median / p90 of %d) | %s / %s |\n", lam.cold.n, ms(lam.cold.p50), ms(lam.cold.p90))
	fmt.Fprintf(w, "| warm tools/list 2025-11-25 (p50 / p99 of %d) | %s / %s |\n", lam.warmLegacy.n, ms(lam.warmLegacy.p50), ms(lam.warmLegacy.p99))
	fmt.Fprintf(w, "| warm tools/list 2026-07-28 (p50 / p99 of %d) | %s / %s |\n", lam.warmModern.n, ms(lam.warmModern.p50), ms(lam.warmModern.p99))
	fmt.Fprintf(w, "| resident memory after %d invocations (VmRSS / peak VmHWM) | %s / %s |\n", lam.invoked, mb(lam.mem.rss), mb(lam.mem.hwm))
	fmt.Fprintf(w, "| bootstrap, stripped: linux/arm64 / linux/amd64 | %s / %s |\n", mb(art.sizeARM64), mb(art.sizeAMD64))
	fmt.Fprintf(w, "| deployment zip (arm64) | %s |\n\n", mb(art.zipARM64))

	ref := func(name string, level int) float64 {
		for _, r := range runs {
			if r.name == name {
				for _, l := range r.levels {
					if l.concurrency == level {
						return l.throughput()
					}
				}
			}
		}
		return 0
	}
	ratio := func(a, b float64) string {
		if a == 0 || b == 0 {
			return "–"
		}
		return fmt.Sprintf("%.2f×", a/b)
	}
	fmt.Fprintf(w, "Local HTTP, tools/call ping delay_ms:0 (2025-11-25), %d calls per level, keep-alive, client on the same machine:\n\n", cfg.requests)
	fmt.Fprintln(w, "| server | concurrency | calls/s | p50 | p99 | errors | lambdamcp ÷ this | this ÷ floor |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, c := range cfg.levels {
		for _, r := range runs {
			for _, l := range r.levels {
				if l.concurrency != c {
					continue
				}
				errs := fmt.Sprint(l.errors)
				if l.requests < cfg.requests {
					errs += fmt.Sprintf(" (%d done in %s)", l.requests, l.elapsed.Round(time.Second))
				}
				fmt.Fprintf(w, "| %s | %d | %.0f | %s | %s | %s | %s | %s |\n", r.name, c, l.throughput(),
					ms(l.latency.p50), ms(l.latency.p99), errs, ratio(ref("lambdamcp", c), l.throughput()), ratio(l.throughput(), ref("net/http floor", c)))
			}
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| server | cold start, exec to first answered initialize (median / p90) | resident memory after the load (VmRSS / peak) |")
	fmt.Fprintln(w, "|---|---:|---:|")
	for _, r := range runs {
		fmt.Fprintf(w, "| %s | %s / %s (%d runs) | %s / %s |\n", r.name, ms(r.cold.p50), ms(r.cold.p90), r.cold.n, mb(r.mem.rss), mb(r.mem.hwm))
	}
	for _, r := range runs {
		for _, l := range r.levels {
			if l.firstError != "" {
				fmt.Fprintf(w, "\n%s at concurrency %d, first error: %s\n", r.name, l.concurrency, l.firstError)
			}
		}
	}
}
