package lambdamcp

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
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
		// The type decides, whatever its letter case and parameters.
		{"Application/JSON;charset=UTF-8", true},
		{"TEXT/Event-Stream", true},
		{"application/octet-stream; charset=utf-8", false},
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
		// Parameters that do not parse leave the type to decide.
		{"application/json; charset", true},
		{"text/plain; charset=utf-8; charset=utf-8", true},
		{"application/octet-stream; charset", false},
		{"; charset=utf-8", false},
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

// TestBufferHoldsNoMoreThanTheLimit checks that a buffered response keeps
// no more of a body than its front's limit (and a byte): a handler that
// sends progress or log messages without end, where the client gets them
// only with the answer, would otherwise grow it until the process runs out
// of memory. What it wrote past the limit is answered with the error of a
// response too large, even once the unended event at its end is dropped
// (at the deadline), which leaves less than the limit held.
func TestBufferHoldsNoMoreThanTheLimit(t *testing.T) {
	const limit = 4 << 10
	event := "event: message\ndata: " + `{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"p","progress":1}}` + "\n\n"
	for _, tc := range []struct {
		name    string
		unended bool // the body ends inside an event, which is dropped
	}{
		{"ended", false},
		{"unended", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newResponseBuffer()
			w.event = &events.LambdaFunctionURLRequest{}
			w.limit, w.front = limit, "test"
			w.Header().Set("Content-Type", "text/event-stream")
			for range 1000 {
				if n, err := io.WriteString(w, event); n != len(event) || err != nil {
					t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(event))
				}
			}
			io.WriteString(w, "event: message\ndata: "+strings.Repeat("x", 64<<10))
			if tc.unended {
				w.dropUnendedEvent()
			}
			if n := w.body.Len(); n > limit+1 {
				t.Errorf("the buffer holds %d bytes of the body, want at most %d", n, limit+1)
			}
			if !w.seal(json.RawMessage("1"), "") {
				t.Fatalf("seal kept a response written past the limit: %.200s", w.out)
			}
			if want := "exceeds the test response limit of 4096 bytes"; !strings.Contains(w.body.String(), want) {
				t.Errorf("answer %s, want it to say %q", w.body.String(), want)
			}
		})
	}
}

// TestBufferCutInsideACharacter checks the size that the error of a
// response too large gives of a text body whose limit falls inside a
// character: the part held then is no UTF-8, and would be encoded as
// binary, in base64, a third larger than the text it is, so that the least
// size told would be more than the response's.
func TestBufferCutInsideACharacter(t *testing.T) {
	body := strings.Repeat("é", 1000) // two bytes each
	for _, tc := range []struct {
		contentType string
		limit       int // the byte after it is held, the rest dropped
	}{
		{"text/plain; charset=utf-8", 1000},
		{"text/plain; charset=utf-8", 1001},
		{"text/event-stream", 1000},
		{"application/json", 1000},
	} {
		t.Run(fmt.Sprintf("%s %d", tc.contentType, tc.limit), func(t *testing.T) {
			whole := newResponseBuffer()
			whole.event = &events.LambdaFunctionURLRequest{}
			whole.Header().Set("Content-Type", tc.contentType)
			io.WriteString(whole, body)
			whole.seal(json.RawMessage("1"), "")

			w := newResponseBuffer()
			w.event = &events.LambdaFunctionURLRequest{}
			w.limit, w.front = tc.limit, "test"
			w.Header().Set("Content-Type", tc.contentType)
			io.WriteString(w, body)
			if !w.seal(json.RawMessage("1"), "") {
				t.Fatalf("seal kept a response written past the limit: %.200s", w.out)
			}
			var least int
			if _, err := fmt.Sscanf(w.sealMsg, "response of at least %d bytes", &least); err != nil {
				t.Fatalf("seal's message %q: %v", w.sealMsg, err)
			}
			if least > len(whole.out) || least <= tc.limit {
				t.Errorf("seal's message %q; want a size over the limit and at most the response's, %d", w.sealMsg, len(whole.out))
			}
		})
	}
}

// TestBufferEventEndPastTheLimit checks what an event stream's buffer keeps
// of a body written past its limit, once the event left unended at its end
// is dropped (at the deadline): the events ended before the limit if no
// event ended past it, and too much to send if one did. An event's end may
// be split in any way across the limit and the writes, in any of the line
// ends the SSE format allows (CRLF, LF, CR), and a CRLF at the limit may
// have its CR held and its LF dropped.
func TestBufferEventEndPastTheLimit(t *testing.T) {
	streams := []string{
		"data: a\n\ndata: b\n\ndata: ccc",
		"data: a\r\n\r\ndata: b\r\n\r\ndata: ccc",
		"data: a\r\rdata: b\r\rdata: ccc",
		"data: a\n\r\ndata: b\r\n\ndata: c\n\rdata: dd",
		"d\n\nd\n\n\n\nd\r\n\r\n\r\nxx",
		"data: a\r\ndata: b\r\n\r\n",
		"\n\ndata: x",
		"\r\n\r\nx",
		"data: a\n\ndata: b\ndata: cc\rdata: d\r\ndata: e",
	}
	for _, s := range streams {
		end := lastEventEnd(s)
		for limit := 1; limit < len(s); limit++ {
			for cut1 := 0; cut1 <= len(s); cut1++ {
				for cut2 := cut1; cut2 <= len(s); cut2++ {
					w := newResponseBuffer()
					w.limit = limit
					w.Header().Set("Content-Type", "text/event-stream")
					for _, p := range []string{s[:cut1], s[cut1:cut2], s[cut2:]} {
						if n, err := io.WriteString(w, p); n != len(p) || err != nil {
							t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(p))
						}
					}
					w.dropUnendedEvent()
					switch {
					case end <= limit && (w.body.String() != s[:end] || w.dropped != 0):
						t.Errorf("%q, limit %d, written to %d and %d: held %q and %d bytes dropped, want %q held", s, limit, cut1, cut2, w.body.String(), w.dropped, s[:end])
					case end > limit && w.body.Len()+w.dropped <= limit:
						t.Errorf("%q, limit %d, written to %d and %d: held %q, want more than the limit", s, limit, cut1, cut2, w.body.String())
					}
				}
			}
		}
	}
}
