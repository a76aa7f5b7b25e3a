package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRunLevelMakesTheCallsAskedFor checks that a level makes exactly the
// calls asked for, however they divide into rounds, that every server is
// in every round, and that afterLast follows each server's last round.
func TestRunLevelMakesTheCallsAskedFor(t *testing.T) {
	tests := []struct {
		name                  string
		requests, rounds, con int
	}{
		{"rounds divide the calls", 10, 5, 2},
		{"rounds do not divide the calls", 10, 4, 3},
		{"one round", 7, 1, 4},
		{"a call per round", 3, 3, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			seen := map[string]int{}
			var urls []string
			for _, name := range []string{"a", "b"} {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					seen[name]++
					mu.Unlock()
					w.Header().Set("Content-Type", "application/json")
					io.WriteString(w, `{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"pong! d=0"}]}}`)
				}))
				defer srv.Close()
				urls = append(urls, srv.URL)
			}
			var after []int
			levels, err := runLevel(t.Context(), urls, newMCPCall(pingCall).expecting(pingAnswer), tc.con,
				roundSizes(tc.requests, tc.rounds), 30*time.Second, func(i int) error {
					mu.Lock()
					defer mu.Unlock()
					after = append(after, i)
					return nil
				})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(map[string]int{"a": tc.requests, "b": tc.requests}, seen); diff != "" {
				t.Errorf("calls per server (-want +got):\n%s", diff)
			}
			for i, l := range levels {
				if l.planned != tc.requests || l.requests != tc.requests || l.errors != 0 || len(l.rounds) != tc.rounds {
					t.Errorf("server %d: planned %d, answered %d, %d errors in %d rounds; want %d calls in %d rounds",
						i, l.planned, l.requests, l.errors, len(l.rounds), tc.requests, tc.rounds)
				}
			}
			// The last round starts with server (rounds-1) mod 2.
			want := []int{(tc.rounds - 1) % 2, tc.rounds % 2}
			if diff := cmp.Diff(want, after); diff != "" {
				t.Errorf("afterLast order (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRoundTimeout checks that -level-timeout bounds a whole level, split
// evenly between its rounds, each given a second at least.
func TestRoundTimeout(t *testing.T) {
	tests := []struct {
		name   string
		level  time.Duration
		rounds int
		want   time.Duration
	}{
		{"default", 20 * time.Second, 5, 4 * time.Second},
		{"one round", 20 * time.Second, 1, 20 * time.Second},
		{"uneven split", 10 * time.Second, 3, 10 * time.Second / 3},
		{"a second at least", 2 * time.Second, 5, time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := roundTimeout(tc.level, tc.rounds); got != tc.want {
				t.Errorf("roundTimeout(%v, %d) = %v, want %v", tc.level, tc.rounds, got, tc.want)
			}
		})
	}
}
