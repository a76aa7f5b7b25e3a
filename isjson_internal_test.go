package lambdamcp

import "testing"

// TestIsJSON pins what counts as a JSON answer, on every path that reads
// one (the errors that pass through, the peek at the go-sdk's, and an
// answer left unfinished at the deadline).
func TestIsJSON(t *testing.T) {
	tests := []struct {
		contentType string
		want        bool
	}{
		{"application/json", true},
		{"application/json; charset=utf-8", true},
		{"Application/JSON", true},
		{" application/json ;charset=utf-8", true},
		{"application/problem+json", true},
		{"application/PROBLEM+JSON; charset=utf-8", true},
		{"application/json; charset", true}, // a malformed parameter: the type is still JSON
		{"+json", false},
		{"application/jsonl", false},
		{"application/json-seq", false},
		{"text/json-ish", false},
		{"text/event-stream", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := isJSON(tc.contentType); got != tc.want {
			t.Errorf("isJSON(%q) = %t, want %t", tc.contentType, got, tc.want)
		}
	}
}
