package lambdamcp

import "sync"

// workers runs functions on goroutines that outlive them: a goroutine that
// has served a request keeps the stack the request grew, so the next one
// does not grow it again, and handing work to a parked goroutine costs less
// than starting one. At most maxIdle goroutines wait for work; a function
// that never returns only keeps its own goroutine.
type workers struct {
	work    chan func()
	maxIdle int

	mu   sync.Mutex
	idle int
}

// maxIdleWorkers bounds the goroutines kept waiting for work, in the whole
// process: a Lambda execution environment serves one request at a time, a
// local server as many as it has connections, and a busy worker takes the
// next request as soon as it is done.
const maxIdleWorkers = 8

// handlerWorkers run the handlers of every guard. One pool for the process,
// so that a program making many handlers (tests do) keeps no more idle
// goroutines than one.
var handlerWorkers = newWorkers(maxIdleWorkers)

func newWorkers(maxIdle int) *workers {
	return &workers{work: make(chan func()), maxIdle: maxIdle}
}

// run runs f on an idle worker, or on a new one if none is idle.
func (p *workers) run(f func()) {
	select {
	case p.work <- f:
	default:
		go p.loop(f)
	}
}

func (p *workers) loop(f func()) {
	for {
		f()
		p.mu.Lock()
		if p.idle >= p.maxIdle {
			p.mu.Unlock()
			return
		}
		p.idle++
		p.mu.Unlock()
		var ok bool
		f, ok = <-p.work
		p.mu.Lock()
		p.idle--
		p.mu.Unlock()
		if !ok {
			return
		}
	}
}

// stop ends the idle workers, and those that finish later; run must not be
// called after it.
func (p *workers) stop() {
	close(p.work)
}
