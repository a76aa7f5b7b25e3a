package lambdamcp

import (
	"bytes"
	"strings"
	"testing"
)

// sseTailCases are event streams, as the writes that make them, and
// whether they stand between events.
var sseTailCases = []struct {
	writes []string
	want   bool
}{
	{nil, true},
	{[]string{"event: message\ndata: {}\n\n"}, true},
	{[]string{"data: {}\r\n\r\n"}, true},
	{[]string{"data: {}\r\r"}, true},
	{[]string{"data: {}\n\r\n"}, true},
	{[]string{"data: {}\r", "\r\n"}, true},
	{[]string{"data: {}\n", "\n"}, true},
	{[]string{"data: {}", "\n", "\n"}, true},
	{[]string{"\n"}, true},
	{[]string{"\r\n"}, true},
	{[]string{"data: {}"}, false},
	{[]string{"data: {}\n"}, false},
	{[]string{"data: {}\r\n"}, false},
	{[]string{"data: {}\r"}, false},
	{[]string{"data: {}\r", "\n"}, false},
	{[]string{"data: {}\n\n", "event: message\n"}, false},
	{[]string{"data: {}\n\n", "d"}, false},
	{[]string{"a\n", "b"}, false},
	{[]string{"ab", "\n"}, false},
}

func TestSSETailBetweenEvents(t *testing.T) {
	for _, tc := range sseTailCases {
		var tail sseTail
		for _, w := range tc.writes {
			tail.add([]byte(w))
		}
		if got := tail.betweenEvents(); got != tc.want {
			t.Errorf("after writes %q: betweenEvents() = %v, want %v", tc.writes, got, tc.want)
		}
	}
}

var lastEventEndCases = []struct {
	s    string
	want int
}{
	{"", 0},
	{"data: {}", 0},
	{"data: {}\n", 0},
	{"data: {}\n\n", 10},
	{"data: {}\r\n\r\n", 12},
	{"data: {}\r\r", 10},
	{"data: {}\n\nevent: message\ndata: {", 10},
	{"data: {}\n\nevent: message\ndata: {}\n", 10},
	{"data: {}\r\n\r\nevent: message\r", 12},
	{"\n", 1},
}

func TestLastEventEnd(t *testing.T) {
	for _, tc := range lastEventEndCases {
		if got := lastEventEnd(tc.s); got != tc.want {
			t.Errorf("lastEventEnd(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
}

func TestSSETailAtLineStart(t *testing.T) {
	tests := []struct {
		writes []string
		want   bool
	}{
		{nil, true},
		{[]string{"data: {}\n"}, true},
		{[]string{"data: {}\r\n"}, true},
		{[]string{"data: {}\r", "\n"}, true},
		{[]string{"data: {}\n\n"}, true},
		{[]string{"data: {}"}, false},
		{[]string{"data: {}\n", "data: {"}, false},
		// A last CR may be the first half of a CRLF: a comment line after
		// it would make the LF a blank line.
		{[]string{"data: {}\r"}, false},
		{[]string{"data: {}\n", "\r"}, false},
	}
	for _, tc := range tests {
		var tail sseTail
		for _, w := range tc.writes {
			tail.add([]byte(w))
		}
		if got := tail.atLineStart(); got != tc.want {
			t.Errorf("after writes %q: atLineStart() = %v, want %v", tc.writes, got, tc.want)
		}
	}
}

// FuzzSSETail checks that the tail of an event stream does not depend on
// how the stream was cut into writes (cuts gives the sizes of the writes,
// the rest written last), and that it stands between events exactly where
// lastEventEnd finds the whole stream one of ended events.
func FuzzSSETail(f *testing.F) {
	for _, tc := range sseTailCases {
		sizes := make([]byte, len(tc.writes))
		for i, w := range tc.writes {
			sizes[i] = byte(len(w))
		}
		f.Add([]byte(strings.Join(tc.writes, "")), sizes)
	}
	f.Fuzz(func(t *testing.T, stream, cuts []byte) {
		var whole, split sseTail
		whole.add(stream)
		rest := stream
		for _, c := range cuts {
			n := min(int(c), len(rest))
			split.add(rest[:n])
			rest = rest[n:]
		}
		split.add(rest)
		if !bytes.Equal(whole.b[:whole.n], split.b[:split.n]) {
			t.Fatalf("tail of %q = %q written whole, %q written in pieces %v", stream, whole.b[:whole.n], split.b[:split.n], cuts)
		}
		if got, want := whole.betweenEvents(), lastEventEnd(string(stream)) == len(stream); got != want {
			t.Fatalf("tail of %q: betweenEvents() = %v, lastEventEnd says %v", stream, got, want)
		}
	})
}

// FuzzLastEventEnd checks that lastEventEnd cuts an event stream after a
// blank line (never between the CR and LF of one line ending), and after
// its last one: no longer prefix ends with a blank line.
func FuzzLastEventEnd(f *testing.F) {
	for _, tc := range lastEventEndCases {
		f.Add(tc.s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		end := lastEventEnd(s)
		if end < 0 || end > len(s) {
			t.Fatalf("lastEventEnd(%q) = %d, out of the stream", s, end)
		}
		if end > 0 && s[end-1] == '\r' && end < len(s) && s[end] == '\n' {
			t.Fatalf("lastEventEnd(%q) = %d, between a CR and its LF", s, end)
		}
		// endsEvent reports whether s[:k] ends with a blank line that the
		// byte after it does not continue.
		endsEvent := func(tail *sseTail, k int) bool {
			return tail.betweenEvents() && !(k > 0 && s[k-1] == '\r' && k < len(s) && s[k] == '\n')
		}
		var tail sseTail
		for k := 0; k <= len(s); k++ {
			if k > 0 {
				tail.add([]byte{s[k-1]})
			}
			if k == end && !endsEvent(&tail, k) {
				t.Fatalf("lastEventEnd(%q) = %d, where no event ends", s, end)
			}
			if k > end && endsEvent(&tail, k) {
				t.Fatalf("lastEventEnd(%q) = %d, but an event ends at %d", s, end, k)
			}
		}
	})
}
