package lambdamcp

import "testing"

func TestSSETailBetweenEvents(t *testing.T) {
	tests := []struct {
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
	for _, tc := range tests {
		var tail sseTail
		for _, w := range tc.writes {
			tail.add([]byte(w))
		}
		if got := tail.betweenEvents(); got != tc.want {
			t.Errorf("after writes %q: betweenEvents() = %v, want %v", tc.writes, got, tc.want)
		}
	}
}

func TestLastEventEnd(t *testing.T) {
	tests := []struct {
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
	for _, tc := range tests {
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
