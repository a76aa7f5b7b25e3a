package lambdamcp

import (
	"strings"
	"testing"
	"time"
)

func TestSSEHasResponse(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	for _, tc := range []struct {
		sse  string
		want bool
	}{
		{"event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n", true},
		{"event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32603,\"message\":\"x\"}}\n\n", true},
		{"data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"result\":1}}\n\n", false},
		{"data: {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sampling/createMessage\",\"params\":{}}\n\n", false},
		{"data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}\n\n", false},
		{"data: {\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"" + big + "\"}]}}\n\n", true},
		{": heartbeat\n\n", false},
		{"data: not json\n\n", false},
		{"data: [1,2]\n\n", false},
		{"data: {\"jsonrpc\":\"2.0\",\"id\":\"\xff\",\"result\":{}}\n\n", true},
		{"event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{}}\n\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}\n\n", true},
	} {
		if got := sseHasResponse([]byte(tc.sse)); got != tc.want {
			t.Errorf("sseHasResponse(%.80q) = %v, want %v", tc.sse, got, tc.want)
		}
	}
}

// BenchmarkSSEHasResponse recognises the event answering a call whose
// result is 1 MiB of text, as the guard and a stream do for every event
// they pass on.
func BenchmarkSSEHasResponse(b *testing.B) {
	event := []byte("event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"" + strings.Repeat("x", 1<<20) + "\"}]}}\n\n")
	b.SetBytes(int64(len(event)))
	for b.Loop() {
		if !sseHasResponse(event) {
			b.Fatal("not recognised")
		}
	}
}

// TestStreamDefaults checks the streaming options' documented default: a
// heartbeat every 10 s.
func TestStreamDefaults(t *testing.T) {
	if c := newStreamConfig(&Options{}); c.heartbeat != 10*time.Second {
		t.Errorf("default heartbeat %v, want 10s", c.heartbeat)
	}
}
