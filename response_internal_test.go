package lambdamcp

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// TestIsText checks which content types a Lambda response carries as text
// and which it base64-encodes.
func TestIsText(t *testing.T) {
	tests := []struct {
		contentType string
		want        bool
	}{
		{"", true},
		{"text/plain; charset=utf-8", true},
		{"text/event-stream", true},
		{"application/json", true},
		{"application/problem+json", true},
		{"application/xml", true},
		{"application/atom+xml", true},
		{"application/javascript", true},
		{"application/x-www-form-urlencoded", true},
		{"application/octet-stream", false},
		{"image/png", false},
		{"not a media type", false},
	}
	for _, tc := range tests {
		if got := isText(tc.contentType); got != tc.want {
			t.Errorf("isText(%q) = %v, want %v", tc.contentType, got, tc.want)
		}
	}
}

// TestInterimStatus checks that the informational statuses net/http sends
// ahead of the final one are dropped (101, which no Lambda response can
// switch protocols with, panics: TestInvalidStatus).
func TestInterimStatus(t *testing.T) {
	tests := []struct {
		code, want int
	}{
		{http.StatusContinue, http.StatusOK},
		{http.StatusEarlyHints, http.StatusOK},
	}
	for _, tc := range tests {
		w := newResponseBuffer()
		w.WriteHeader(tc.code)
		w.WriteHeader(http.StatusOK)
		if got := w.statusCode(); got != tc.want {
			t.Errorf("WriteHeader(%d) then 200: status %d, want %d", tc.code, got, tc.want)
		}
	}
}

// TestSealAtTheLimit checks that a response of exactly the front's limit
// is sent as it is, and one a byte larger is replaced.
func TestSealAtTheLimit(t *testing.T) {
	tests := []struct {
		name     string
		slack    int // the limit less the response's size
		replaced bool
	}{
		{"at the limit", 0, false},
		{"a byte over", -1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newResponseBuffer()
			w.event = &events.LambdaFunctionURLRequest{}
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":{}}`)
			out, err := encodeResponse(w.lambdaResponse())
			if err != nil {
				t.Fatal(err)
			}
			w.limit, w.front = len(out)+tc.slack, "test"
			if got := w.seal(json.RawMessage("1"), ""); got != tc.replaced {
				t.Errorf("seal replaced the %d-byte response under a limit of %d: %v, want %v", len(out), w.limit, got, tc.replaced)
			}
		})
	}
}
