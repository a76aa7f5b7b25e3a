package lambdamcp

import (
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestWorkersRunEverything runs many functions at once, some of them
// blocked, and checks that each runs, that a blocked one holds up no other,
// and that no more than maxIdle goroutines stay behind.
func TestWorkersRunEverything(t *testing.T) {
	const maxIdle, n = 3, 200
	before := runtime.NumGoroutine()
	p := newWorkers(maxIdle)
	defer p.stop()
	release := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	ran := 0
	for i := range n {
		wg.Add(1)
		p.run(func() {
			defer wg.Done()
			if i%50 == 0 {
				<-release // blocked until the others are done
			}
			mu.Lock()
			ran++
			mu.Unlock()
		})
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		r := ran
		mu.Unlock()
		if r == n-n/50 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d unblocked functions ran: a blocked one held the others up", r, n-n/50)
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if ran != n {
		t.Fatalf("ran %d of %d", ran, n)
	}
	for {
		extra := runtime.NumGoroutine() - before
		if extra <= maxIdle {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines stayed behind, want at most %d idle", extra, maxIdle)
		}
		time.Sleep(time.Millisecond)
	}
	// The idle workers take new work.
	done := make(chan struct{})
	p.run(func() { close(done) })
	<-done
}

// TestWorkersReuse checks that a worker, once done and waiting, runs the
// next function instead of a new goroutine starting.
func TestWorkersReuse(t *testing.T) {
	p := newWorkers(1)
	defer p.stop()
	ids := make(chan string)
	p.run(func() { ids <- goroutineID() })
	first := <-ids
	// Wait until that goroutine waits for work.
	deadline := time.Now().Add(10 * time.Second)
	for !waitingForWork(first) {
		if time.Now().After(deadline) {
			t.Fatal("the worker never waited for more work")
		}
		time.Sleep(time.Millisecond)
	}
	p.run(func() { ids <- goroutineID() })
	if second := <-ids; second != first {
		t.Errorf("ran on goroutine %s, want the idle worker %s", second, first)
	}
}

// goroutineID is the calling goroutine's number, from its stack's header.
func goroutineID() string {
	buf := make([]byte, 64)
	head := string(buf[:runtime.Stack(buf, false)])
	id, _, _ := strings.Cut(strings.TrimPrefix(head, "goroutine "), " ")
	return id
}

// waitingForWork reports whether goroutine id is a worker blocked on its
// pool's channel.
func waitingForWork(id string) bool {
	buf := make([]byte, 1<<20)
	for g := range strings.SplitSeq(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		head, frames, _ := strings.Cut(g, "\n")
		if strings.HasPrefix(head, "goroutine "+id+" [chan receive") && strings.HasPrefix(frames, "github.com/lambdamcp/lambdamcp.(*workers).loop(") {
			return true
		}
	}
	return false
}
