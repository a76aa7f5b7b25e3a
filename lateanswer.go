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
// value goes out as one event once whole, however the writes split it:
// framed write by write, its pieces would be events no client can parse.
// The go-sdk writes its answer in one write, which is framed without a
// copy. Text that is no JSON object or array is framed as it comes.
type lateAnswer struct {
	held     []byte       // the value's pieces so far
	progress jsonProgress // of the value
	overflow bool         // a value ran past maxLateAnswer: it is dropped, and so is what follows
}

// add takes p, written by the handler, and returns the event to write
// now: nil while the value is not whole, held. Past maxLateAnswer the
// value is dropped and add fails, as it does for every write after.
func (l *lateAnswer) add(p []byte) ([]byte, error) {
	if l.overflow {
		return nil, errLateTooLong
	}
	l.progress.add(p)
	if l.progress.whole() || l.progress.bad {
		data := p
		if len(l.held) > 0 {
			data = append(l.held, p...)
		}
		l.held, l.progress = l.held[:0], jsonProgress{}
		return sseEvent(data), nil
	}
	if len(l.held)+len(p) > maxLateAnswer {
		l.held, l.overflow = nil, true
		return nil, errLateTooLong
	}
	l.held = append(l.held, p...)
	return nil, nil
}

// unfinished reports whether a value was begun and not framed: cut short,
// or dropped past the bound. White space alone is nothing begun.
func (l *lateAnswer) unfinished() bool {
	return l != nil && (l.overflow || l.progress.began)
}
