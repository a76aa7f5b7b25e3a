package lambdamcp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/serve"
)

// FuzzInvokeStream feeds arbitrary bodies through a streamed Function URL
// invocation of the reference server and reads the whole response as the
// runtime relays it: a JSON prelude, eight NUL bytes, then a body of the
// kind the prelude names. With stall, the server's ping ignores its
// context, as a tool may: one still waiting at the deadline is answered by
// the stream's own deadline error, not by Middleware, whose end of the
// call such a tool does not heed.
func FuzzInvokeStream(f *testing.F) {
	for _, tc := range protocolCases {
		f.Add(tc.req.body, tc.req.header["MCP-Protocol-Version"], false)
	}
	for _, body := range seedFiles(f, requestFiles, "testdata/requests") {
		for _, version := range []string{legacy, modern} {
			f.Add(string(body), version, false)
		}
	}
	f.Add(`{"jsonrpc":"2.0","id":1,"method":"subscriptions/listen","params":{`+modernMeta+`}}`, modern, false)
	for _, body := range idSeeds {
		f.Add(body, legacy, false)
	}
	f.Add(repeatedIDBatch, "2025-03-26", false)
	for _, body := range inexactIDBatches {
		f.Add(body, "2025-03-26", false)
	}
	// Still sleeping near the deadline: answered with a timeout error, by
	// Middleware as the call's context ends, or, by a ping that ignores
	// it, by the stream as the deadline nears.
	for _, stall := range []bool{false, true} {
		f.Add(`{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"ping","arguments":{"delay_ms":4000}}}`, legacy, stall)
		f.Add(`{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"ping","arguments":{"delay_ms":4000},`+modernMeta+`}}`, modern, stall)
	}
	opts := &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}}
	h := lambdamcp.NewHandler(serve.Routes(serve.Handler(demoserver.New(demoserver.Options{}), nil)), opts)
	f.Fuzz(func(t *testing.T, body, version string, stall bool) {
		failOnHang(t)
		server := h
		if stall {
			ping := &stubbornPing{release: make(chan struct{})}
			t.Cleanup(ping.stop)
			server = lambdamcp.NewHandler(serve.Routes(serve.Handler(demoserver.New(demoserver.Options{Sleep: ping.sleep}), nil)), opts)
		}
		event := urlEvent(t, fuzzPost(body, version, "application/json, text/event-stream", "application/json"))
		raw, err := server.InvokeStream(fuzzCtx(t), event)
		if err != nil {
			t.Fatalf("InvokeStream: %v", err)
		}
		if ct, ok := raw.(interface{ ContentType() string }); !ok || ct.ContentType() != "application/vnd.awslambda.http-integration-response" {
			t.Fatalf("response %T is not an HTTP integration response", raw)
		}
		out, err := io.ReadAll(raw)
		if err != nil {
			t.Fatalf("stream ended with %v after %q", err, out)
		}
		head, rest := splitStream(t, out)
		ct := checkStreamHead(t, head)
		switch {
		case head.StatusCode == http.StatusAccepted:
			if len(rest) != 0 {
				t.Fatalf("202 with a body: %q", rest)
			}
		case ct == "application/json":
			if !json.Valid(rest) {
				t.Fatalf("JSON body is not JSON: %q", rest)
			}
			checkErrorBody(t, head.StatusCode, rest)
		default:
			calls, _ := callIDs(eventContentType(t, event), eventBody(t, event))
			checkEventStream(t, rest, max(1, len(calls)))
		}
		checkAnswerIDs(t, event, newAnswer(head.StatusCode, ct, rest))
	})
}

// stubbornPing is ping's wait as a tool that ignores its context waits:
// the whole delay, whatever becomes of the call. Its stop lets the waits
// go and returns once they have, so that no call outlives its input (a
// handler still running is counted as in flight by the log handler).
type stubbornPing struct {
	mu       sync.Mutex
	released bool
	release  chan struct{}
	waiting  sync.WaitGroup
}

func (p *stubbornPing) sleep(_ context.Context, d time.Duration) error {
	p.mu.Lock()
	if p.released {
		p.mu.Unlock()
		return nil
	}
	p.waiting.Add(1)
	p.mu.Unlock()
	defer p.waiting.Done()
	select {
	case <-time.After(d):
	case <-p.release:
	}
	return nil
}

func (p *stubbornPing) stop() {
	p.mu.Lock()
	p.released = true
	close(p.release)
	p.mu.Unlock()
	p.waiting.Wait()
}

// streamedHead is the prelude as aws-lambda-go writes it for a Function
// URL: these members and no others.
type streamedHead struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Cookies    []string          `json:"cookies"`
}

// splitStream splits a streamed response into its prelude, which must be a
// JSON object of streamedHead's members with a statusCode, and its body,
// which the eight NUL bytes of the delimiter separate from it.
func splitStream(t *testing.T, out []byte) (streamedHead, []byte) {
	t.Helper()
	i := bytes.IndexByte(out, 0)
	if i < 0 {
		t.Fatalf("no NUL delimiter in %q", out)
	}
	prelude, rest := out[:i], out[i:]
	if !bytes.HasPrefix(rest, make([]byte, 8)) {
		t.Fatalf("prelude %q followed by %q, want eight NUL bytes", prelude, rest[:min(len(rest), 8)])
	}
	body := rest[8:]
	if len(body) > 0 && body[0] == 0 {
		t.Fatalf("prelude %q followed by more than eight NUL bytes", prelude)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(prelude, &members); err != nil {
		t.Fatalf("prelude %q: %v", prelude, err)
	}
	for name := range members {
		if name != "statusCode" && name != "headers" && name != "cookies" {
			t.Fatalf("prelude %q has member %q", prelude, name)
		}
	}
	if _, ok := members["statusCode"]; !ok {
		t.Fatalf("prelude %q has no statusCode", prelude)
	}
	var head streamedHead
	if err := json.Unmarshal(prelude, &head); err != nil {
		t.Fatalf("prelude %q: %v", prelude, err)
	}
	return head, body
}

// checkStreamHead checks a streamed response's status and headers and
// returns its content type.
func checkStreamHead(t *testing.T, head streamedHead) string {
	t.Helper()
	if head.StatusCode < 200 || head.StatusCode > 599 {
		t.Fatalf("status %d", head.StatusCode)
	}
	for name := range head.Headers {
		switch http.CanonicalHeaderKey(name) {
		case "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length":
			t.Fatalf("hop-by-hop header %s in %v", name, head.Headers)
		case "Set-Cookie":
			t.Fatalf("Set-Cookie among the headers, not the cookies: %v", head.Headers)
		}
	}
	ct := head.Headers["Content-Type"]
	if ct != "application/json" && ct != "text/event-stream" && head.StatusCode != http.StatusAccepted {
		t.Fatalf("Content-Type %q (status %d)", ct, head.StatusCode)
	}
	if ct == "text/event-stream" && head.Headers["X-Accel-Buffering"] != "no" {
		t.Fatalf("event stream without X-Accel-Buffering: no: %v", head.Headers)
	}
	return ct
}

// checkEventStream checks an event stream's body: whole events, each a
// comment or one data line of JSON-RPC with event, id and retry fields
// beside it, and at most calls responses (a 2025-03-26 batch's calls are
// answered in one stream), the last of which ends the stream.
func checkEventStream(t *testing.T, body []byte, calls int) {
	t.Helper()
	if len(body) == 0 {
		return
	}
	text, ok := strings.CutSuffix(string(body), "\n\n")
	if !ok {
		t.Fatalf("event stream does not end with a whole event: %q", body)
	}
	responses := 0
	for event := range strings.SplitSeq(text, "\n\n") {
		if strings.HasPrefix(event, ":") && !strings.Contains(event, "\n") {
			continue // a heartbeat
		}
		if responses == calls {
			t.Fatalf("event %q after the last response in %q", event, body)
		}
		var data []string
		for line := range strings.SplitSeq(event, "\n") {
			field, value, ok := strings.Cut(line, ":")
			switch {
			case !ok:
				t.Fatalf("line %q is no field in %q", line, body)
			case field == "data":
				data = append(data, strings.TrimPrefix(value, " "))
			case field == "event":
				if value != " message" {
					t.Fatalf("event type %q in %q", value, body)
				}
			case field != "id" && field != "retry":
				t.Fatalf("field %q in %q", field, body)
			}
		}
		if len(data) != 1 {
			t.Fatalf("event with %d data lines in %q", len(data), body)
		}
		if isResponse(t, data[0]) {
			responses++
		}
	}
}

// isResponse checks that data is a JSON-RPC message and reports whether it
// is a response (a result or an error), not a request or notification.
func isResponse(t *testing.T, data string) bool {
	t.Helper()
	var msg struct {
		JSONRPC string          `json:"jsonrpc"`
		Method  *string         `json:"method"`
		Result  json.RawMessage `json:"result"`
		Error   json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal([]byte(data), &msg); err != nil || msg.JSONRPC != "2.0" {
		t.Fatalf("event data %q is no JSON-RPC message (%v)", data, err)
	}
	given := func(v json.RawMessage) bool { return v != nil && string(v) != "null" }
	return msg.Method == nil && (given(msg.Result) || given(msg.Error))
}
