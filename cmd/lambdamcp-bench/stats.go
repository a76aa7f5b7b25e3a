package main

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// percentile returns the q-th quantile (0..1) of sorted durations, by the
// nearest-rank method; 0 for none.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := rank(q, len(sorted)) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// rank is the nearest rank of the q-th quantile of n values, ⌈q·n⌉.
func rank(q float64, n int) int { return int(math.Ceil(q * float64(n))) }

// tailName is what the report calls the q-th quantile of n timings: name
// (such as "p99"), or "max" where its rank is the last, as the p99 of
// fewer than 100 timings is, so that a row never calls the largest timing
// a percentile.
func tailName(name string, q float64, n int) string {
	if n > 0 && rank(q, n) >= n {
		return "max"
	}
	return name
}

// tailCell formats d, the q-th quantile of n timings, for a column headed
// name: saying so when it is the largest of them instead.
func tailCell(d time.Duration, name string, q float64, n int) string {
	if tailName(name, q, n) == name {
		return ms(d)
	}
	return fmt.Sprintf("%s (max of %d)", ms(d), n)
}

// median returns the middle of sorted durations, the mean of the two middle
// ones for an even count (the report calls p50 a median; the nearest rank
// would be the lower of the two); 0 for none.
func median(sorted []time.Duration) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return sorted[n/2]
	}
	return sorted[n/2-1] + (sorted[n/2]-sorted[n/2-1])/2
}

// summary is the median, 90th and 99th percentile of a set of timings.
type summary struct {
	n             int
	p50, p90, p99 time.Duration
}

func summarize(d []time.Duration) summary {
	s := slices.Clone(d)
	slices.Sort(s)
	return summary{n: len(s), p50: median(s), p90: percentile(s, 0.90), p99: percentile(s, 0.99)}
}

// ms formats a duration in milliseconds with a precision that suits it.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	case v >= 10:
		return fmt.Sprintf("%.1f ms", v)
	case v >= 1:
		return fmt.Sprintf("%.2f ms", v)
	}
	return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
}

// mb formats a byte count in MB (10^6), as Lambda states sizes.
func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
