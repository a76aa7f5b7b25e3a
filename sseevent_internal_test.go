package lambdamcp

import (
	"bytes"
	"strings"
	"testing"
)

// sseEventCases are messages a handler writes once its event stream is
// out, and the event each is framed as.
var sseEventCases = []struct {
	name, data, want string
}{
	{"compact JSON", `{"jsonrpc":"2.0","id":1,"result":{}}`, "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n"},
	{"an encoder's newline", "{\"id\":1}\n", "event: message\ndata: {\"id\":1}\n\n"},
	{"spaces around", " \t{\"id\":1} \r\n", "event: message\ndata: {\"id\":1}\n\n"},
	{"empty", "", "event: message\ndata: \n\n"},
	{"indented JSON", "{\n  \"id\": 1\n}\n", "event: message\ndata: {\ndata:   \"id\": 1\ndata: }\n\n"},
	{"a blank line inside", "no such tool\r\n\r\ntry another", "event: message\ndata: no such tool\ndata: \ndata: try another\n\n"},
	{"a CR alone", "a\rb", "event: message\ndata: a\ndata: b\n\n"},
}

func TestSSEEvent(t *testing.T) {
	for _, tc := range sseEventCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(sseEvent([]byte(tc.data))); got != tc.want {
				t.Errorf("sseEvent(%q) = %q, want %q", tc.data, got, tc.want)
			}
		})
	}
}

// FuzzSSEEvent checks that whatever a handler writes is framed as exactly
// one event, which a client reads back as the message written (its lines
// joined with LF, as an event's data lines are), and after which the
// stream stands between events.
func FuzzSSEEvent(f *testing.F) {
	for _, tc := range sseEventCases {
		f.Add([]byte(tc.data))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ev := string(sseEvent(data))
		if end := lastEventEnd(ev); end != len(ev) {
			t.Fatalf("sseEvent(%q) = %q: the stream is left inside an event at %d", data, ev, end)
		}
		if end := lastEventEnd(ev[:len(ev)-1]); end != 0 {
			t.Fatalf("sseEvent(%q) = %q: an event ends at %d, before the end", data, ev, end)
		}
		var got []string
		for _, line := range sseLines(ev[:len(ev)-2]) {
			switch name, value, _ := strings.Cut(line, ":"); name {
			case "event":
			case "data":
				got = append(got, strings.TrimPrefix(value, " "))
			default:
				t.Fatalf("sseEvent(%q) = %q: line %q is neither event nor data", data, ev, line)
			}
		}
		want := strings.Join(sseLines(string(bytes.TrimSpace(data))), "\n")
		if strings.Join(got, "\n") != want {
			t.Fatalf("sseEvent(%q) = %q, whose data is %q, want %q", data, ev, strings.Join(got, "\n"), want)
		}
	})
}

// sseLines splits s at the line endings of an event stream: CRLF, LF and
// CR.
func sseLines(s string) []string {
	return strings.Split(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"), "\n")
}
