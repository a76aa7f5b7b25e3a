package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestTimeWarm checks that the Runtime API timings come after a warm-up
// like the in-process ones: with a clock that only the first calls move
// by a second, and every later call by a millisecond, no timing is slow.
func TestTimeWarm(t *testing.T) {
	const answer = `{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[]}}"}`
	const failure = `{"statusCode":500,"headers":{"Content-Type":"application/json"},"body":"{}"}`
	tests := []struct {
		name      string
		n         int
		gap       time.Duration
		slow      int    // calls that take a second, the first ones
		body      string // every call's answer
		want      summary
		wantCalls int
		wantErr   string
	}{
		{"warmed as many as timed", 5, 0, 5, answer, summary{n: 5, p50: time.Millisecond, p90: time.Millisecond, p99: time.Millisecond}, 10, ""},
		{"with idle gaps", 3, time.Microsecond, 3, answer, summary{n: 3, p50: time.Millisecond, p90: time.Millisecond, p99: time.Millisecond}, 6, ""},
		{"warm-up capped", warmUpCalls + 2, 0, warmUpCalls, answer, summary{n: warmUpCalls + 2, p50: time.Millisecond, p90: time.Millisecond, p99: time.Millisecond}, 2*warmUpCalls + 2, ""},
		{"warm-up fails", 5, 0, 0, failure, summary{}, 1, "warm-up: status 500"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var clock time.Duration
			realNow := now
			t.Cleanup(func() { now = realNow })
			now = func() time.Time { return time.Unix(0, int64(clock)) }
			calls := 0
			call := func(context.Context, []byte) ([]byte, error) {
				calls++
				if calls <= tc.slow {
					clock += time.Second
				} else {
					clock += time.Millisecond
				}
				return []byte(tc.body), nil
			}
			got, n, err := timeWarm(t.Context(), call, nil, tc.n, tc.gap)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("timeWarm error %v, want %q", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(summary{})); diff != "" {
				t.Errorf("timeWarm (-want +got):\n%s", diff)
			}
			if n != tc.wantCalls || calls != tc.wantCalls {
				t.Errorf("timeWarm counted %d invocations, made %d, want %d", n, calls, tc.wantCalls)
			}
		})
	}
}
