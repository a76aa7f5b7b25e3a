package requeststate

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// One Sealer serves every tool call of a process at once: sealing and
// opening from many goroutines must give each its own state back (and,
// under the race detector, share nothing unguarded).
func TestSealerConcurrentUse(t *testing.T) {
	sealer := newSealer(t, 7)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				want := round{Round: i, Name: fmt.Sprint("g", g)}
				purpose := fmt.Sprint("tools/call book ", g, " ", i)
				state, err := sealer.Seal(purpose, want, time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				var got round
				if err := sealer.Open(purpose, state, &got); err != nil || got != want {
					t.Errorf("Open = %+v, %v; want %+v", got, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
}
