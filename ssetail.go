package lambdamcp

import "strings"

// sseTail keeps the last bytes of an event stream, enough to tell whether
// the stream stands between events, where an event of our own can go, or
// at the start of a line, where a comment line can: elsewhere either would
// split a handler's line or dispatch its event early. Lines end with CRLF,
// LF or CR, as the SSE format allows.
type sseTail struct {
	b [4]byte
	n int
}

// add notes p, written to the stream.
func (t *sseTail) add(p []byte) {
	if len(p) >= len(t.b) {
		t.n = copy(t.b[:], p[len(p)-len(t.b):])
		return
	}
	keep := min(t.n, len(t.b)-len(p))
	copy(t.b[:], t.b[t.n-keep:t.n])
	t.n = keep + copy(t.b[keep:], p)
}

// betweenEvents reports whether the stream is empty or ends with a blank
// line, which ends an event.
func (t *sseTail) betweenEvents() bool {
	s := t.b[:t.n]
	switch {
	case len(s) == 0:
		return true
	case len(s) >= 2 && s[len(s)-2] == '\r' && s[len(s)-1] == '\n':
		s = s[:len(s)-2]
	case s[len(s)-1] == '\n' || s[len(s)-1] == '\r':
		s = s[:len(s)-1]
	default:
		return false // inside a line
	}
	// The line just ended was blank if the one before ended right before
	// it, or if it was the stream's first (then the stream is shorter than
	// the tail).
	return len(s) == 0 || s[len(s)-1] == '\n' || s[len(s)-1] == '\r'
}

// atLineStart reports whether the stream is empty or its last line has
// ended, so that a comment line can go there even inside an event. A last
// CR does not end a line here: the next byte may be the LF of a CRLF, which
// a comment between them would turn into a blank line, ending the event.
func (t *sseTail) atLineStart() bool {
	return t.n == 0 || t.b[t.n-1] == '\n'
}

// lastEventEnd is the length of the part of event stream s that ends with
// its last blank line: what is left of s after it is an event not ended.
func lastEventEnd(s string) int {
	end, lineStart := 0, 0
	for i := 0; i < len(s); i++ {
		j := strings.IndexAny(s[i:], "\r\n")
		if j < 0 {
			break
		}
		i += j
		blank := i == lineStart
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		lineStart = i + 1
		if blank {
			end = lineStart
		}
	}
	return end
}
