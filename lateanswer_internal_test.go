package lambdamcp

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLateAnswerBound checks where lateAnswer's bound falls: a value's
// start is held up to 64 KiB, in one write or in pieces, and
// a byte more fails the write, which takes only the values it framed, and
// every write after it, which takes nothing; the value stays unfinished.
// White space between values is dropped, not held, so that no run of it
// counts against the bound.
func TestLateAnswerBound(t *testing.T) {
	const start = `{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"`
	const end = `"}}`
	const bound = 64 << 10 // the 64 KiB errLateTooLong names
	// startOf is a value's start, n bytes long.
	startOf := func(n int) string { return start + strings.Repeat("x", n-len(start)) }
	tests := []struct {
		name       string
		writes     []string
		wantEvents []string // the data of each event framed
		wantTook   []int    // of each write
		wantFailed int      // the first write to fail, and every one after; -1: none
	}{
		{
			name:       "a start at the bound",
			writes:     []string{startOf(bound), end},
			wantEvents: []string{startOf(bound) + end},
			wantTook:   []int{bound, len(end)},
			wantFailed: -1,
		},
		{
			name:       "a start a byte past the bound",
			writes:     []string{startOf(bound + 1), end},
			wantTook:   []int{0, 0},
			wantFailed: 0,
		},
		{
			name:       "pieces up to the bound",
			writes:     []string{startOf(bound - 1), "x", end},
			wantEvents: []string{startOf(bound) + end},
			wantTook:   []int{bound - 1, 1, len(end)},
			wantFailed: -1,
		},
		{
			name:       "pieces a byte past the bound",
			writes:     []string{startOf(bound), "x", end},
			wantTook:   []int{bound, 0, 0},
			wantFailed: 1,
		},
		{
			name:       "a value, then a start past the bound",
			writes:     []string{"{}" + startOf(bound+1), end},
			wantEvents: []string{"{}"},
			wantTook:   []int{2, 0},
			wantFailed: 0,
		},
		{
			name:       "white space past the bound, then a value",
			writes:     []string{strings.Repeat(" ", bound+1), "\n", "{}"},
			wantEvents: []string{"{}"},
			wantTook:   []int{bound + 1, 1, 2},
			wantFailed: -1,
		},
		{
			name:       "a value, white space past the bound, a value",
			writes:     []string{"{}" + strings.Repeat("\n", bound+1), "[]"},
			wantEvents: []string{"{}", "[]"},
			wantTook:   []int{bound + 3, 2},
			wantFailed: -1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var l lateAnswer
			var stream []byte
			var took []int
			for i, w := range tc.writes {
				ev, n, err := l.add([]byte(w))
				stream = append(stream, ev...)
				took = append(took, n)
				if fails := i >= tc.wantFailed && tc.wantFailed >= 0; fails != errors.Is(err, errLateTooLong) || (!fails && err != nil) {
					t.Errorf("write %d: error %v, want errLateTooLong: %v", i, err, fails)
				}
			}
			if diff := cmp.Diff(tc.wantTook, took); diff != "" {
				t.Errorf("bytes taken (-want +got):\n%s", diff)
			}
			// The events' lengths, not their data: a diff of 64 KiB
			// lines says nothing a length does not.
			lengths := func(events []string) []int {
				var n []int
				for _, e := range events {
					n = append(n, len(e))
				}
				return n
			}
			got := clientEvents(string(stream))
			if diff := cmp.Diff(lengths(tc.wantEvents), lengths(got)); diff != "" {
				t.Errorf("lengths of the events' data (-want +got):\n%s", diff)
			} else if !cmp.Equal(tc.wantEvents, got) {
				t.Errorf("the events' data differ from the values written")
			}
			if got, want := l.unfinished(), tc.wantFailed >= 0; got != want {
				t.Errorf("unfinished() = %v, want %v", got, want)
			}
		})
	}
}
