package demoserver

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// TestSleep checks that ping's wait ends when its request does: a ping
// still waiting past the invocation's deadline would hold the invocation
// until Lambda ends it, where it should answer that it was interrupted.
func TestSleep(t *testing.T) {
	for _, tc := range []struct {
		name        string
		d           time.Duration
		cancelAfter time.Duration // -1 for never; 0 for before the wait
		wantErr     error
		wantWaited  time.Duration
	}{
		{"waits d", 100 * time.Millisecond, -1, nil, 100 * time.Millisecond},
		{"no wait", 0, -1, nil, 0},
		{"ended before", time.Hour, 0, context.Canceled, 0},
		{"ended before, no wait", 0, 0, context.Canceled, 0},
		{"ends while waiting", time.Hour, time.Second, context.Canceled, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				switch {
				case tc.cancelAfter == 0:
					cancel()
				case tc.cancelAfter > 0:
					time.AfterFunc(tc.cancelAfter, cancel)
				}
				start := time.Now()
				err := sleep(ctx, tc.d)
				if !errors.Is(err, tc.wantErr) {
					t.Errorf("sleep = %v, want %v", err, tc.wantErr)
				}
				if waited := time.Since(start); waited != tc.wantWaited {
					t.Errorf("waited %v, want %v", waited, tc.wantWaited)
				}
			})
		})
	}
}
