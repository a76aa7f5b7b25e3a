package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// An event stream that answers a call can end before the call's answer: a
// function behind a streaming front that crashed or ran out of time, a
// proxy that cut the body. The go-sdk then reports "request terminated
// without response", or fails to decode the event that was cut, which tell
// the user nothing of the stream. If the stream's events carried ids, the
// go-sdk first tries to resume it with a GET that has Last-Event-ID,
// waiting a second or more (the server's retry, if it set one) before each
// of up to five tries. That is the 2025-11-25 era's resumption, which a
// server may offer; from 2026-07-28 on a stream cannot be resumed (the
// Streamable HTTP transport's "Resumable SSE streams via Last-Event-ID are
// not supported"), so those tries only delay the failure, or hold it until
// -timeout when the server holds the GET. In that era the event ids are
// taken out of what the go-sdk reads, so that it ends the call at once.

// unresumableVersion is the first protocol version whose event streams
// cannot be resumed.
const unresumableVersion = "2026-07-28"

// streamEnd is how an event stream answering a call ended.
type streamEnd struct {
	method, id string // the call's
	events     int    // complete events that carried a message
	midEvent   bool   // it ended inside an event, or inside a line
	ids        bool   // its events carried ids the go-sdk may resume it from
	broke      error  // the read's failure; nil: the stream was ended cleanly
	// An event was the call's answer, or may have been (one too long to
	// read): the go-sdk reads on to the stream's end after it, and a
	// failure then is its own (an answer it could not use), not the
	// stream's.
	answered bool
}

// maxAnswerPeek bounds the data of an event kept to tell whether it is
// the call's answer; a longer one counts as answered.
const maxAnswerPeek = 64 << 10

// streamEndedError is a failure after a call's event stream ended before
// the call's answer.
type streamEndedError struct {
	streamEnd
	err error
}

func (e *streamEndedError) Error() string { return e.err.Error() }
func (e *streamEndedError) Unwrap() error { return e.err }

// explainStreamEnd is the one line for e, naming the endpoint; scrub hides
// the endpoint's secrets in an error's text.
func explainStreamEnd(endpoint string, e *streamEndedError, scrub func(error) error) string {
	var after string
	switch {
	case e.midEvent && e.events == 0:
		after = "in the middle of its first event"
	case e.midEvent:
		after = fmt.Sprintf("in the middle of an event, after %s", eventCount(e.events))
	case e.events == 0:
		after = "before any event came"
	default:
		after = fmt.Sprintf("after %s but no answer", eventCount(e.events))
	}
	how := "the server closed it"
	if e.broke != nil {
		how = fmt.Sprintf("the connection broke (%v)", scrub(e.broke))
	}
	resumed := ""
	switch {
	case e.ids && errors.Is(e.err, context.DeadlineExceeded):
		resumed = "; resuming it from its last event id (GET with Last-Event-ID) brought no answer before -timeout"
	case e.ids:
		resumed = fmt.Sprintf("; resuming it from its last event id (GET with Last-Event-ID) failed: %v", scrub(e.err))
	}
	return fmt.Sprintf("%s: the event stream answering %q (request %s) ended %s: %s%s. The function behind a streaming front may have crashed or run out of time, or a proxy on the way cut the body",
		endpoint, e.method, e.id, after, how, resumed)
}

func eventCount(n int) string {
	if n == 1 {
		return "1 event"
	}
	return fmt.Sprintf("%d events", n)
}

// watchStream wraps the body of resp, an event stream answering the call
// r carries (method, id), to report how it ended to onEnd; from
// unresumableVersion on, it hides the events' ids from the go-sdk.
func watchStream(r *http.Request, resp *http.Response, method, id string, onEnd func(streamEnd)) {
	resumable := r.Header.Get("Mcp-Protocol-Version") < unresumableVersion
	resp.Body = &streamWatch{
		ReadCloser: resp.Body, ctx: r.Context(), dropIDs: !resumable,
		end: streamEnd{method: method, id: id}, onEnd: onEnd,
	}
}

// streamWatch is an event stream's body that follows its lines as the
// go-sdk reads them (lines end at "\n", the go-sdk's own reading, a
// "\r" before it is part of the ending), and may leave out its id lines.
type streamWatch struct {
	io.ReadCloser
	ctx     context.Context // the request's: a read it cut is no end of the stream
	dropIDs bool
	onEnd   func(streamEnd)

	end    streamEnd
	head   []byte   // the start of the line, until its kind is known
	kind   lineKind // of the line read; lineUnknown while head decides
	filled bool     // the data line holds more than spaces
	line   []byte   // the data line's value, up to maxAnswerPeek
	event  []byte   // the event's data, its lines joined as the go-sdk joins them
	long   bool     // the event's data ran past maxAnswerPeek
	open   bool     // a field was read since the last event ended
	data   bool     // a data line with content was read since then
	out    []byte   // what passed, not yet returned
	err    error    // the body's, once it ended
}

type lineKind int

const (
	lineUnknown lineKind = iota
	lineComment
	lineID
	lineData
	lineOther
)

func (w *streamWatch) Read(p []byte) (int, error) {
	if !w.dropIDs {
		n, err := w.ReadCloser.Read(p)
		w.follow(p[:n], nil)
		w.ended(err)
		return n, err
	}
	for len(w.out) == 0 && w.err == nil && len(p) > 0 {
		n, err := w.ReadCloser.Read(p)
		w.out = w.follow(p[:n], w.out)
		w.ended(err)
		if err != nil {
			// The start of a last line that did not tell its kind: no
			// id field, whatever it is.
			w.out = append(w.out, w.head...)
		}
		w.err = err
	}
	n := copy(p, w.out)
	w.out = w.out[n:]
	if len(w.out) > 0 {
		return n, nil
	}
	return n, w.err
}

// ended reports the stream's end, once: at its end, or when reading it
// failed on its own (not because the request was cut short).
func (w *streamWatch) ended(err error) {
	if err == nil || w.onEnd == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || w.ctx.Err() != nil {
		return
	}
	if err != io.EOF {
		w.end.broke = err
	}
	w.end.midEvent = w.open || len(w.head) > 0 || (w.kind != lineUnknown && w.kind != lineComment)
	onEnd := w.onEnd
	w.onEnd = nil
	onEnd(w.end)
}

// follow takes in the bytes of b, appending to out those that pass
// (b whole, unless ids are dropped), and returns out.
func (w *streamWatch) follow(b []byte, out []byte) []byte {
	keep := func(p []byte) {
		if w.dropIDs {
			out = append(out, p...)
		}
	}
	if !w.dropIDs {
		out = nil
	}
	for len(b) > 0 {
		if w.kind == lineUnknown {
			c := b[0]
			b = b[1:]
			if c == '\n' {
				keep(w.head)
				keep([]byte{'\n'})
				if len(w.head) == 0 || string(w.head) == "\r" {
					w.eventEnds()
				} else {
					w.open = true // a field without a colon: the go-sdk refuses it
				}
				w.head = w.head[:0]
				continue
			}
			w.head = append(w.head, c)
			w.kind = kindOf(w.head)
			if w.kind != lineUnknown {
				w.open = w.open || w.kind != lineComment
				if w.kind == lineID {
					w.end.ids = w.end.ids || !w.dropIDs
				} else {
					keep(w.head)
				}
				w.head = w.head[:0]
			}
			continue
		}
		i := 0
		for i < len(b) && b[i] != '\n' {
			if w.kind == lineData && b[i] != ' ' && b[i] != '\t' && b[i] != '\r' {
				w.filled = true
			}
			i++
		}
		if w.kind == lineData {
			w.peek(b[:i])
		}
		if w.kind != lineID {
			keep(b[:i])
		}
		if i == len(b) {
			break
		}
		if w.kind != lineID {
			keep(b[i : i+1])
		}
		b = b[i+1:]
		w.data = w.data || w.kind == lineData && w.filled
		if w.kind == lineData {
			w.dataLineEnds()
		}
		w.kind, w.filled = lineUnknown, false
	}
	return out
}

// peek keeps the part b of a data line's value, while the event's data
// fits in maxAnswerPeek.
func (w *streamWatch) peek(b []byte) {
	if w.long {
		return
	}
	if len(w.event)+len(w.line)+len(b) > maxAnswerPeek {
		w.long, w.line, w.event = true, nil, nil
		return
	}
	w.line = append(w.line, b...)
}

// dataLineEnds adds the data line read to the event's data: its value
// trimmed, after a "\n" if another came before, as the go-sdk reads it.
func (w *streamWatch) dataLineEnds() {
	if !w.long {
		if w.event != nil {
			w.event = append(w.event, '\n')
		}
		w.event = append(w.event, bytes.TrimSpace(w.line)...)
	}
	w.line = w.line[:0]
}

// eventEnds takes in a blank line.
func (w *streamWatch) eventEnds() {
	if w.data {
		w.end.events++
		w.end.answered = w.end.answered || w.long || answers(w.event, w.end.id)
	}
	w.open, w.data, w.long, w.event = false, false, false, nil
}

// answers reports whether data, an event's, is the answer to the call
// whose id is id (as JSON): a message without a method, by an id of the
// same value (the go-sdk reads 3.0 as 3).
func answers(data []byte, id string) bool {
	var msg struct {
		ID     json.RawMessage `json:"id"`
		Method json.RawMessage `json:"method"`
	}
	if json.Unmarshal(data, &msg) != nil || msg.Method != nil {
		return false
	}
	var got, want any
	if json.Unmarshal(msg.ID, &got) != nil || json.Unmarshal([]byte(id), &want) != nil {
		return false
	}
	switch got.(type) {
	case float64, string:
		return got == want
	}
	return false
}

// kindOf is the kind of a line that starts with head, or lineUnknown while
// more of it is needed to tell.
func kindOf(head []byte) lineKind {
	h := string(head)
	switch {
	case h[0] == ':':
		return lineComment
	case h == "id:":
		return lineID
	case h == "data:":
		return lineData
	case len(h) < len("id:") && h == "id:"[:len(h)], len(h) < len("data:") && h == "data:"[:len(h)]:
		return lineUnknown
	case h == "\r":
		return lineUnknown // a blank line's "\r\n"
	}
	return lineOther
}
