package lambdamcp

import (
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// maxHeldEventData bounds how much of an event sseScan reads to tell
// whether it is a JSON-RPC response: of each data line, and of the data
// lines joined (as SSE joins them), written whole or held across writes.
// A response is told by its "result" or "error" member, which must begin
// within the bound; before it a response has only "jsonrpc" and the id, an
// echo of the request's. An event whose data holds no such member by then
// is taken for no response: at the deadline the call is answered as if
// unanswered.
const maxHeldEventData = 64 << 10

// sseScan follows an event stream as it is written, in pieces of any size,
// and tells once an event that answers the call has ended: an SSE client
// drops an event its stream ends inside, and joins the data lines of an
// event with a newline. It holds nothing while each write carries whole
// lines (the go-sdk writes an event at a time); a line or event split across
// writes is held until it can be told, within maxHeldEventData. A listen's
// scan also holds its first event's data (keep); the scan that reads the
// code of an answer the go-sdk gave on its own, its first response's
// (answer).
type sseScan struct {
	line []byte // the current line's start, held while it may tell the event
	data []byte // the event's data so far, held while not told

	// calls, for a batch's calls (trackCalls), asks for the ids of the
	// responses; nil otherwise.
	calls *callTrack

	// keep asks for the data of the stream's first event, held whole
	// however the writes split it, for a listen's acknowledgement
	// (watchListen): first is its data once the event has ended (its
	// blank line written), as a client dispatches it, and nil until then.
	// keep is cleared once that event ends, or once its data runs past
	// maxHeldEventData, first then left nil.
	//
	// answer asks instead for the data of the stream's first response
	// event, held whole likewise: first is then that event's data once it
	// has ended, and nil until then. answer is cleared once that event
	// ends, or once its data runs past maxHeldEventData, first then left
	// nil.
	first        []byte
	keep, answer bool

	answered bool // an ended event's data is a JSON-RPC response
	inLine   bool // the current line has begun
	cr       bool // the last byte was a CR: an LF right after ends no line
	told     bool // whether the event's data is a response is known
	resp     bool // it is (once told)

	// resumable tells that an ended event left the client a last event
	// id, with which it may resume the stream (Last-Event-ID) when the
	// stream ends without the call's response (2025-11-25 Streamable
	// HTTP); idSet is the id a line set, as SSE's last event ID buffer,
	// taken up when an event ends.
	resumable, idSet bool
}

// callTrack follows a batch's calls (batchCalls) through the event
// stream that answers them, each in an event of its own: seen holds the
// key of each ended response event's id, read where it comes before the
// result or error member, or after it within maxHeldEventData of the
// event's data. id is the current event's, once read; idLost tells that
// its data ran past the bound before the id came. It is kept apart, and
// made only for a batch, so that the scan of any other stream stays as
// small as it was.
type callTrack struct {
	calls  []rpcPeek
	seen   map[callKey]struct{}
	id     []byte
	idLost bool
}

// trackCalls asks the scan for the ids of the responses the stream holds
// (answeredCall) to c's calls, before anything is written.
func (s *sseScan) trackCalls(c *callTrack) {
	c.seen = make(map[callKey]struct{})
	s.calls = c
}

// answeredCall reports whether an ended response event of the stream
// carries id, a call's (one exactID passes).
func (s *sseScan) answeredCall(id []byte) bool {
	if s.calls == nil {
		return false
	}
	_, ok := s.calls.seen[keyOf(id)]
	return ok
}

// tell reads data, the start of the current event's data, with
// responseStart, noting a response's id for a batch's calls.
func (s *sseScan) tell(data []byte) (response, told bool) {
	response, told, id := responseStart(data, s.calls != nil)
	if s.calls != nil {
		s.calls.id = id
	}
	return response, told
}

// add notes p, written to the stream.
func (s *sseScan) add(p []byte) {
	for len(p) > 0 {
		if s.cr {
			s.cr = false
			if p[0] == '\n' {
				p = p[1:]
				continue
			}
		}
		i := bytes.IndexAny(p, "\r\n")
		if i < 0 {
			s.inLine = true
			if s.holding() && len(s.line) < maxHeldEventData {
				s.line = append(s.line, p[:min(len(p), maxHeldEventData-len(s.line))]...)
			}
			return
		}
		s.endLine(p[:i])
		s.cr = p[i] == '\r'
		p = p[i+1:]
	}
}

// endLine reads a line, of which rest is the end written last.
func (s *sseScan) endLine(rest []byte) {
	line := rest
	if s.inLine {
		if s.holding() && len(s.line) < maxHeldEventData {
			s.line = append(s.line, rest[:min(len(rest), maxHeldEventData-len(s.line))]...)
		}
		line = s.line
	}
	blank := !s.inLine && len(rest) == 0
	s.inLine = false
	defer func() { s.line = s.line[:0] }()
	if blank {
		s.endEvent()
		return
	}
	if field, value, _ := bytes.Cut(line, []byte(":")); string(field) == "id" && bytes.IndexByte(value, 0) < 0 {
		s.idSet = len(bytes.TrimPrefix(value, []byte(" "))) > 0
	}
	if !s.holding() {
		return
	}
	// Past the bound the line is read no further, whether it was held or
	// written whole, so that writes of any size tell alike.
	field, value, _ := bytes.Cut(line[:min(len(line), maxHeldEventData)], []byte(":"))
	if string(field) != "data" {
		return
	}
	if s.inEvent() {
		s.data = append(s.data, '\n')
		s.data = append(s.data, value...)
		if !s.told {
			s.resp, s.told = s.tell(s.data)
		}
	} else if s.resp, s.told = s.tell(value); s.holding() {
		// The event's first data line is told without a copy, unless its
		// data goes on in the lines that follow, or is kept.
		s.data = append(s.data, value...)
	}
	if len(s.data) >= maxHeldEventData {
		s.told = true                // past the bound: no response
		s.keep, s.first = false, nil // nor an acknowledgement
	}
	if s.resp && (len(s.data) >= maxHeldEventData || len(line) >= maxHeldEventData) {
		// A response told before the bound stays one, but its data, cut
		// short, is not held for its code, nor for an id after its result.
		s.answer = false
		if s.calls != nil {
			s.calls.idLost = true
		}
	}
}

// holding reports whether the current event's lines are still read.
func (s *sseScan) holding() bool {
	return !s.told || s.keep || s.answer && s.resp || s.calls != nil && s.resp && s.calls.id == nil && !s.calls.idLost
}

// inEvent reports whether the event has data held.
func (s *sseScan) inEvent() bool { return len(s.data) > 0 }

// endEvent is the blank line that ends (dispatches) an event.
func (s *sseScan) endEvent() {
	s.resumable = s.idSet
	if !s.told && s.inEvent() {
		s.resp, _ = s.tell(s.data)
	}
	if s.resp {
		s.answered = true
		if s.calls != nil {
			s.noteCall()
		}
		if s.answer {
			s.answer, s.first, s.data = false, s.data, nil
		}
	}
	if s.keep && s.inEvent() {
		// An event without data is dispatched to no one (SSE): the first
		// is the first with data.
		s.keep, s.first, s.data = false, s.data, nil
	}
	s.data, s.told, s.resp = s.data[:0], false, false
	if s.calls != nil {
		s.calls.id, s.calls.idLost = nil, false
	}
}

// noteCall notes the id of the response event that ends, read before its
// result or error member, or from its data held whole.
func (s *sseScan) noteCall() {
	id := s.calls.id
	if id == nil && !s.calls.idLost {
		id = memberID(s.data)
	}
	if validID(id) && utf8.Valid(id) && exactID(id) {
		s.calls.seen[keyOf(id)] = struct{}{}
	}
}

// atEventStart forgets an event begun and not ended (its part was
// dropped); what ended events told stays (an answer's data too), and so
// do keep and answer: the event that follows is then the first.
func (s *sseScan) atEventStart() {
	*s = sseScan{answered: s.answered, keep: s.keep, answer: s.answer, first: s.first, calls: s.calls,
		resumable: s.resumable, idSet: s.resumable}
	if s.calls != nil {
		s.calls.id, s.calls.idLost = nil, false
	}
}

// responseStart reads data, the start of a JSON text, and reports whether
// it is a JSON-RPC response: an object with a non-null result or error
// member before any method member. told is false while the start is too
// short to say. With wantID, id is a response's id member when it comes
// before the result or error (as the go-sdk writes it), and nil otherwise;
// without, it is nil, and reading costs no copy of it.
func responseStart(data []byte, wantID bool) (response, told bool, id []byte) {
	dec := jsontext.NewDecoder(bytes.NewReader(data), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	tok, err := dec.ReadToken()
	if err != nil {
		return false, !cutShort(err), nil
	}
	if tok.Kind() != '{' {
		return false, true, nil
	}
	for {
		name, err := dec.ReadToken()
		if err != nil {
			return false, !cutShort(err), nil
		}
		if name.Kind() != '"' {
			return false, true, nil
		}
		switch name.String() {
		case "method":
			return false, true, nil
		case "result", "error":
			switch dec.PeekKind() {
			case 0: // the value is not written yet, or the text is bad
				if _, err := dec.ReadToken(); cutShort(err) {
					return false, false, nil
				}
				return false, true, nil
			case 'n':
			default:
				return true, true, id
			}
		case "id":
			if !wantID {
				break
			}
			v, err := dec.ReadValue()
			if err != nil {
				return false, !cutShort(err), nil
			}
			id = bytes.Clone(v) // the last, as the go-sdk reads a repeated name
			continue
		}
		if err := dec.SkipValue(); err != nil {
			return false, !cutShort(err), nil
		}
	}
}

// memberID is the id member of data, a whole JSON object (the last, if
// repeated); nil if it has none or is no object.
func memberID(data []byte) []byte {
	dec := jsontext.NewDecoder(bytes.NewReader(data), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return nil
	}
	var id []byte
	for dec.PeekKind() == '"' {
		name, err := dec.ReadToken()
		if err != nil {
			return nil
		}
		isID := name.String() == "id" // before the read that ends name
		v, err := dec.ReadValue()
		if err != nil {
			return nil
		}
		if isID {
			id = bytes.Clone(v)
		}
	}
	return id
}

// cutShort reports whether a decoder's error is the end of its input.
func cutShort(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}
