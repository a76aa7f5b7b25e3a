package lambdamcp

import "errors"

// maxLateAnswer bounds what lateAnswer holds of a value written in pieces:
// the bound of an event's data sseScan reads, far more than any JSON-RPC
// error needs. A value written whole is framed at once, however long.
const maxLateAnswer = maxHeldEventData

// errLateTooLong fails a write after a late status once the JSON value it
// continues has run past maxLateAnswer without being whole.
var errLateTooLong = errors.New("lambdamcp: the answer written after a late status ran past 64 KiB before its JSON value was whole")

// errLateUnfinished ends an event stream whose handler returned in the
// middle of the JSON value it wrote after a late status.
var errLateUnfinished = errors.New("lambdamcp: the handler returned before the JSON value it wrote after a late status was whole")

// lateAnswer frames what a handler writes into its event stream after a
// late status (a status set once the stream was out: the go-sdk's error
// answer of the 2026-07-28 era), which it writes as plain JSON. Each JSON
// value goes out as one event once whole, however the writes split it or
// join it to the next: framed write by write, its pieces, or two values in
// one event, would be data no client can parse. The go-sdk writes its
// answer in one write, which is framed without a copy. Text that is no
// JSON object or array is framed as it comes.
type lateAnswer struct {
	held     []byte       // the value's pieces so far
	progress jsonProgress // of the value
	overflow bool         // a value ran past maxLateAnswer: it is dropped, and so is what follows
}

// add takes p, written by the handler, and returns the events to write
// now, one for each value p finishes (nil if none), and how much of p it
// took. What follows the last value finished is held as the next one's
// start, and all of p is taken; white space between values is dropped. A
// start that runs past maxLateAnswer is dropped instead, and add fails,
// p taken up to the values it framed, as it fails for every write after.
func (l *lateAnswer) add(p []byte) (events []byte, took int, err error) {
	if l.overflow {
		return nil, 0, errLateTooLong
	}
	rest := p
	for len(rest) > 0 {
		n := l.progress.addValue(rest)
		if !l.progress.whole() && !l.progress.bad {
			break // all of rest is the value's, and it goes on
		}
		data := rest[:n]
		if len(l.held) > 0 {
			data = append(l.held, data...)
		}
		events = appendSSEEvent(events, data)
		l.held, l.progress = l.held[:0], jsonProgress{}
		rest = rest[n:]
	}
	if !l.progress.began {
		// White space, or nothing: no value's start to hold.
		return events, len(p), nil
	}
	if len(l.held)+len(rest) > maxLateAnswer {
		l.held, l.overflow = nil, true
		return events, len(p) - len(rest), errLateTooLong
	}
	l.held = append(l.held, rest...)
	return events, len(p), nil
}

// unfinished reports whether a value was begun and not framed: cut short,
// or dropped past the bound. White space alone is nothing begun.
func (l *lateAnswer) unfinished() bool {
	return l != nil && (l.overflow || l.progress.began)
}
