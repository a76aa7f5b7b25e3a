package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

// TestTimeWarm checks that the Runtime API timings come after a warm-up
// like the in-process ones: with a clock that only the first calls move
// by a second, and every later call by a millisecond, no timing is slow.
// An idle gap, which moves the clock by an hour, comes before each timed
// call only, and outside its timing.
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
		wantIdle  int // gaps idled
		wantErr   string
	}{
		{"warmed as many as timed", 5, 0, 5, answer, summary{n: 5, p50: time.Millisecond, p90: time.Millisecond, p99: time.Millisecond}, 10, 0, ""},
		{"with idle gaps", 3, time.Microsecond, 3, answer, summary{n: 3, p50: time.Millisecond, p90: time.Millisecond, p99: time.Millisecond}, 6, 3, ""},
		{"warm-up capped", warmUpCalls + 2, 0, warmUpCalls, answer, summary{n: warmUpCalls + 2, p50: time.Millisecond, p90: time.Millisecond, p99: time.Millisecond}, 2*warmUpCalls + 2, 0, ""},
		{"warm-up fails", 5, 0, 0, failure, summary{}, 1, 0, "warm-up: status 500"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var clock time.Duration
			realNow := now
			t.Cleanup(func() { now = realNow })
			now = func() time.Time { return time.Unix(0, int64(clock)) }
			realSleep := sleep
			t.Cleanup(func() { sleep = realSleep })
			sleeps := 0
			sleep = func(d time.Duration) {
				if d != tc.gap {
					t.Errorf("idled %v, want %v", d, tc.gap)
				}
				sleeps++
				clock += time.Hour
			}
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
			if sleeps != tc.wantIdle {
				t.Errorf("idled %d times, want %d", sleeps, tc.wantIdle)
			}
		})
	}
}

// TestWarmInvocations checks that the memory figure is read after as many
// invocations as it says: the warm-ups and the timed ones count, and pings
// make up the rest, none more.
func TestWarmInvocations(t *testing.T) {
	const answer = `{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[]}}"}`
	tests := []struct {
		name        string
		warm, total int
		want        map[string]int // invocations made, by method
		wantInvoked int
	}{
		{"pings make up the rest", 3, 30, map[string]int{"initialize": 1, "tools/list": 18, "tools/call": 11}, 30},
		{"no ping needed", 3, 19, map[string]int{"initialize": 1, "tools/list": 18}, 19},
		{"more than asked for", 3, 5, map[string]int{"initialize": 1, "tools/list": 18}, 19},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			made := map[string]int{}
			call := func(_ context.Context, payload []byte) ([]byte, error) {
				var ev events.LambdaFunctionURLRequest
				if err := json.Unmarshal(payload, &ev); err != nil {
					t.Fatal(err)
				}
				var rpc struct{ Method string }
				if err := json.Unmarshal([]byte(ev.Body), &rpc); err != nil {
					t.Fatal(err)
				}
				made[rpc.Method]++
				return []byte(answer), nil
			}
			var res lambdaResults
			if err := warmInvocations(t.Context(), call, tc.warm, tc.total, &res); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, made); diff != "" {
				t.Errorf("invocations made (-want +got):\n%s", diff)
			}
			if res.invoked != tc.wantInvoked {
				t.Errorf("invoked = %d, want %d", res.invoked, tc.wantInvoked)
			}
			if res.warmLegacy.n != tc.warm || res.warmModern.n != tc.warm || res.warmIdle.n != tc.warm {
				t.Errorf("warm = %+v / %+v / %+v, want %d timings each", res.warmLegacy, res.warmModern, res.warmIdle, tc.warm)
			}
		})
	}
}
