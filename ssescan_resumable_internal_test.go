package lambdamcp

import "testing"

// TestSSEScanResumable checks that an event stream is resumable, as a
// client reads the SSE format, once an ended event leaves it a last event
// id: an id field of no value resets it, and one holding NUL is ignored.
func TestSSEScanResumable(t *testing.T) {
	tests := []struct {
		name string
		sse  string
		want bool
	}{
		{"id", "id: 1\ndata: x\n\n", true},
		{"no id", "data: x\n\n", false},
		{"event not ended", "id: 1\ndata: x\n", false},
		{"id of a space", "id: \ndata: x\n\n", false},
		{"id reset", "id: 1\ndata: x\n\nid:\ndata: y\n\n", false},
		{"id with NUL", "id: 1\x002\ndata: x\n\n", false},
		{"id with NUL kept the last", "id: 1\ndata: x\n\nid: 2\x00\ndata: y\n\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s sseScan
			s.add([]byte(tt.sse))
			if s.resumable != tt.want {
				t.Errorf("resumable = %v, want %v", s.resumable, tt.want)
			}
		})
	}
}
