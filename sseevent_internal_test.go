package lambdamcp

import "testing"

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
