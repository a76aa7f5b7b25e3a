package lambdamcp

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSSEScanAnsweredCalls checks the calls a batch's event stream
// answers, written whole or in any two pieces: the id of each ended
// response event, read before its result or error, or after it within
// the bound, as a client matches it to its call (1.0 is 1, "\u0062" is
// "b"); not a request's, nor an event's the stream ends inside.
func TestSSEScanAnsweredCalls(t *testing.T) {
	long := strings.Repeat("x", maxHeldEventData)
	big := long + long
	// An event's line whose first maxHeldEventData bytes end with the id
	// member, after a result.
	cutAfterID := `data: {"result":{"text":"`
	cutAfterID += strings.Repeat("x", maxHeldEventData-len(cutAfterID)-len(`"},"id":2`)) + `"},"id":2`
	calls := []string{`1`, `2`, `"1"`, `"b"`}
	tests := []struct {
		name string
		sse  string
		want []string // the calls answered
	}{
		{"result", "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n", []string{`1`}},
		{"error", "data: {\"jsonrpc\":\"2.0\",\"id\":\"b\",\"error\":{\"code\":-32001,\"message\":\"x\"}}\n\n", []string{`"b"`}},
		{"a string id escaped", "data: {\"id\":\"\\u0062\",\"result\":{}}\n\n", []string{`"b"`}},
		{"a number id as a fraction", "data: {\"id\":1.0,\"result\":{}}\n\n", []string{`1`}},
		{"a string id is no number", "data: {\"id\":\"1\",\"result\":{}}\n\n", []string{`"1"`}},
		{"two events", "data: {\"id\":2,\"result\":{}}\n\ndata: {\"id\":\"b\",\"result\":{}}\n\n", []string{`2`, `"b"`}},
		{"the id after the result", "data: {\"jsonrpc\":\"2.0\",\"result\":{\"a\":[1]},\"id\":2}\n\n", []string{`2`}},
		{"the id on a line of its own", "data: {\"result\":{},\ndata: \"id\":2}\n\n", []string{`2`}},
		{"the id repeated", "data: {\"id\":1,\"id\":2,\"result\":{}}\n\n", []string{`2`}},
		{"a large result, the id first", "data: {\"id\":1,\"result\":{\"text\":\"" + big + "\"}}\n\n", []string{`1`}},
		{"the id after a result past the bound", "data: {\"result\":{\"text\":\"" + long + "\"},\"id\":2}\n\n", nil},
		// The bound cuts the data right after the id: what follows it,
		// unread, could repeat it.
		{"the id after the result, cut at the bound", cutAfterID + "}\n\n", nil},
		{"the id after the result, after an event past the bound", "data: {\"result\":{\"text\":\"" + long + "\"},\"id\":2}\n\ndata: {\"result\":{},\"id\":1}\n\n", []string{`1`}},
		{"an id no call has, as a fraction", "data: {\"id\":1.5,\"result\":{}}\n\n", nil},
		{"a request", "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sampling/createMessage\",\"params\":{}}\n\n", nil},
		{"a null result", "data: {\"id\":1,\"result\":null}\n\n", nil},
		{"not ended", "data: {\"id\":1,\"result\":{}}\n", nil},
		{"after progress", "data: {\"method\":\"notifications/progress\",\"params\":{\"id\":2}}\n\ndata: {\"id\":1,\"result\":{}}\n\n", []string{`1`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i := range splitPoints(len(tc.sse)) {
				var s sseScan
				s.trackCalls(&callTrack{})
				s.add([]byte(tc.sse[:i]))
				s.add([]byte(tc.sse[i:]))
				var got []string
				for _, id := range calls {
					if s.answeredCall([]byte(id)) {
						got = append(got, id)
					}
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Fatalf("split at %d (%.40q|%.40q): calls answered mismatch (-want +got):\n%s", i, tc.sse[max(0, i-40):i], tc.sse[i:], diff)
				}
			}
		})
	}
}

// TestSSEScanHeldWithinBound checks that a scan holds no more of an
// event's data than the bound (a data line's worth past it) however long
// the event runs, whatever it reads the stream for: a response whose id
// comes after its result, spread over many lines, is held no further once
// the data has run past the bound.
func TestSSEScanHeldWithinBound(t *testing.T) {
	line := "data: " + strings.Repeat("x", 1<<10) + "\n"
	sse := "data: {\"result\":{\"text\":\"\n" + strings.Repeat(line, 4*maxHeldEventData>>10) + "data: \"},\"id\":1}\n\n"
	tests := []struct {
		name string
		scan func() *sseScan
	}{
		{"plain", func() *sseScan { return &sseScan{} }},
		{"keep", func() *sseScan { return &sseScan{keep: true} }},
		{"answer", func() *sseScan { return &sseScan{answer: true} }},
		{"calls", func() *sseScan {
			s := &sseScan{}
			s.trackCalls(&callTrack{})
			return s
		}},
	}
	const most = 2*maxHeldEventData + 1 // the data held, and a line cut at the bound
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.scan()
			held := 0
			for rest := sse; len(rest) > 0; {
				n := min(4096, len(rest))
				s.add([]byte(rest[:n]))
				rest = rest[n:]
				held = max(held, len(s.data), len(s.line))
			}
			if held > most {
				t.Errorf("held %d bytes of the event, want at most %d", held, most)
			}
		})
	}
}
