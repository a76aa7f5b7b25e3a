package lambdamcp

import (
	"strings"
	"testing"
)

// TestSSEScanHoldsAnswer checks the response a scan holds for reading an
// answer's error code, written whole or in any two pieces: the data of the
// first event that is a JSON-RPC response, its lines joined, once that
// event has ended; nothing of the events before it, nor of one past the
// bound.
func TestSSEScanHoldsAnswer(t *testing.T) {
	long := strings.Repeat("x", maxHeldEventData)
	const errorData = `{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"x"}}`
	tests := []struct {
		name   string
		sse    string
		first  string
		answer bool // still waiting for a response to end
	}{
		{"error", "event: message\ndata: " + errorData + "\n\n", " " + errorData, false},
		{"result", "data:{\"id\":1,\"result\":{}}\n\n", `{"id":1,"result":{}}`, false},
		{"after progress", "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progress\":1}}\n\n" +
			"event: message\ndata:{\"id\":1,\"result\":{}}\n\n", `{"id":1,"result":{}}`, false},
		{"after a priming event", ": prime\nid: 1\ndata:\n\ndata:" + errorData + "\n\n", errorData, false},
		{"data on lines", "data: {\"id\":1,\ndata: \"error\":{\"code\":-32602,\ndata: \"message\":\"x\"}}\n\n", " {\"id\":1,\n \"error\":{\"code\":-32602,\n \"message\":\"x\"}}", false},
		{"crlf", "data:{\"id\":1,\r\ndata:\"error\":{\"code\":1}}\r\n\r\n", "{\"id\":1,\n\"error\":{\"code\":1}}", false},
		{"the second response not taken", "data:{\"id\":1,\"result\":{}}\n\ndata:" + errorData + "\n\n", `{"id":1,"result":{}}`, false},
		{"not ended", "data:" + errorData + "\n", "", true},
		{"a notification only", "data:{\"method\":\"x\"}\n\n", "", true},
		{"told early, past the bound", "data:{\"id\":1,\"error\":{\"message\":\"" + long + "\"}}\n\n", "", false},
		{"past the bound, then one within", "data:{\"id\":\"" + long + "\",\"result\":{}}\n\ndata:" + errorData + "\n\n", errorData, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i, s := range splitScans(sseScan{answer: true}, tc.sse) {
				if string(s.first) != tc.first || s.answer != tc.answer {
					t.Fatalf("split at %d (%.40q|%.40q): first %.40q, answer %v; want %.40q, %v", i, tc.sse[max(0, i-40):i], tc.sse[i:], s.first, s.answer, tc.first, tc.answer)
				}
			}
			for size, s := range pieceScans(sseScan{answer: true}, tc.sse) {
				if string(s.first) != tc.first || s.answer != tc.answer {
					t.Fatalf("in writes of %d bytes: first %.40q, answer %v; want %.40q, %v", size, s.first, s.answer, tc.first, tc.answer)
				}
			}
		})
	}
}
