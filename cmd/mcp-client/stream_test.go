package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/serve"
)

// progressEvent is a progress notification for the client's call; answerEvent
// answers the call ID stands for.
const (
	progressEvent = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":\"mcp-client\",\"progress\":1,\"total\":2}}\n\n"
	answerEvent   = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"pong!\"}]}}\n\n"
)

// cutStream is how a test server answers tools/call.
type cutStream struct {
	body   string // the event stream, ID standing for the call's id
	broken bool   // the connection is closed before the chunked body's end
	// resume is the event stream a GET with Last-Event-ID gets, ID standing
	// for the call's id; "405": Method Not Allowed, as a stateless server
	// answers; "": the GET is held until the test ends.
	resume string
}

// cutStreamServer serves the reference server, except that it answers
// tools/call as c says.
func cutStreamServer(t *testing.T, c cutStream) string {
	t.Helper()
	reference := serve.Routes(serve.Handler(demoserver.New(demoserver.Options{}), nil))
	done := make(chan struct{})
	var callID string // the call's id, as JSON; a resuming GET comes after the call
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.Header.Get("Last-Event-ID") != "" {
			switch c.resume {
			case "":
				w.Header().Set("Content-Type", "text/event-stream")
				w.WriteHeader(http.StatusOK)
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
				case <-done:
				}
			case "405":
				w.WriteHeader(http.StatusMethodNotAllowed)
			default:
				w.Header().Set("Content-Type", "text/event-stream")
				io.WriteString(w, strings.ReplaceAll(c.resume, "ID", callID))
			}
			return
		}
		body, _ := io.ReadAll(r.Body)
		var msg struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		json.Unmarshal(body, &msg)
		if msg.Method != "tools/call" {
			r.Body = io.NopCloser(bytes.NewReader(body))
			reference.ServeHTTP(w, r)
			return
		}
		callID = string(msg.ID)
		events := strings.ReplaceAll(c.body, "ID", callID)
		if !c.broken {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			io.WriteString(w, events)
			return
		}
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		fmt.Fprint(buf, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
		if events != "" {
			fmt.Fprintf(buf, "%x\r\n%s\r\n", len(events), events)
		}
		buf.Flush() // and no last chunk: the body is cut
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) }) // before srv.Close, which waits for the held GET
	return srv.URL + "/mcp"
}

// both is want in both eras.
func both(want string) map[string]string {
	return map[string]string{"2026-07-28": want, "2025-11-25": want}
}

// TestStreamEndsWithoutAnswer calls a tool whose event stream ends before
// its answer, in both eras, and checks that the run ends at once (well
// before -timeout), saying how the stream ended; and that streams that do
// carry the answer, or that a 2025-11-25 server resumes, still serve it.
func TestStreamEndsWithoutAnswer(t *testing.T) {
	const timeout = 6 * time.Second
	causes := ". The function behind a streaming front may have crashed or run out of time, or a proxy on the way cut the body"
	tests := []struct {
		name   string
		stream cutStream
		// what standard error holds, by era; "": the call succeeds; an era
		// not named is not tried
		want map[string]string
	}{
		{"empty", cutStream{body: ""}, both(`answered HTTP 200 with an empty body to "tools/call"`)},
		{"heartbeat only", cutStream{body: ": heartbeat\n\n"},
			both(`ended before any event came: the server closed it` + causes)},
		{"a notification only", cutStream{body: progressEvent},
			both(`ended after 1 event but no answer: the server closed it` + causes)},
		{"notifications with ids, resumption refused", cutStream{body: "id: 1\nretry: 1\n" + progressEvent + "id: 2\n" + progressEvent, resume: "405"}, map[string]string{
			"2026-07-28": `ended after 2 events but no answer: the server closed it` + causes,
			"2025-11-25": `ended after 2 events but no answer: the server closed it; resuming it from its last event id (GET with Last-Event-ID) failed: `,
		}},
		// In 2025-11-25 a resumed stream may be quiet for as long as the
		// tool works: only -timeout bounds it.
		{"a notification with an id, resumption held", cutStream{body: "id: 1\n" + progressEvent}, map[string]string{
			"2026-07-28": `ended after 1 event but no answer: the server closed it` + causes,
		}},
		{"cut mid-event", cutStream{body: progressEvent + "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":", broken: true},
			both(`ended in the middle of an event, after 1 event: the connection broke (unexpected EOF)` + causes)},
		{"cut before any event", cutStream{body: "", broken: true},
			both(`ended before any event came: the connection broke (unexpected EOF)` + causes)},
		{"closed mid-event", cutStream{body: "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":"},
			both(`ended in the middle of its first event: the server closed it` + causes)},
		{"answer after notifications", cutStream{body: ": heartbeat\n\n" + progressEvent + progressEvent + answerEvent}, both("")},
		{"answer after notifications with ids", cutStream{body: "id: 1\n" + progressEvent + "id: 2\n" + answerEvent}, both("")},
		{"answer on resumption", cutStream{body: "id: 7\nretry: 1\ndata:\n\n" + "id: 8\n" + progressEvent, resume: "id: 9\n" + answerEvent},
			map[string]string{"2025-11-25": ""}},
	}
	for _, protocol := range []string{"2026-07-28", "2025-11-25"} {
		for _, tc := range tests {
			want, ok := tc.want[protocol]
			if !ok {
				continue
			}
			t.Run(protocol+"/"+tc.name, func(t *testing.T) {
				endpoint := cutStreamServer(t, tc.stream)
				var stdout, stderr bytes.Buffer
				start := time.Now()
				code := run(t.Context(), []string{"-endpoint", endpoint, "-protocol", protocol, "-timeout", timeout.String(), "-call", "ping"}, noEnv, &stdout, &stderr)
				if took := time.Since(start); took > timeout/2 {
					t.Errorf("the run took %v, -timeout is %v", took, timeout)
				}
				if want == "" {
					if code != 0 || stdout.String() != "pong!\n" {
						t.Errorf("exit %d, stdout %q, want 0 and pong!; stderr:\n%s", code, stdout.String(), stderr.String())
					}
					return
				}
				if code != 1 {
					t.Errorf("exit %d, want 1", code)
				}
				got := stderr.String()
				if !strings.Contains(got, want) {
					t.Errorf("stderr lacks %q:\n%s", want, got)
				}
				if !strings.Contains(want, "empty body") && !strings.Contains(got, `: the event stream answering "tools/call" (request `) {
					t.Errorf("stderr does not name the call:\n%s", got)
				}
			})
		}
	}
}

// TestStreamWatch checks what the go-sdk reads of an event stream, ids
// dropped or not, and how the stream is seen to end, whether it comes
// whole or a byte at a time.
func TestStreamWatch(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		dropIDs bool
		read    string // what passes
		end     streamEnd
	}{
		{"events", ": hi\n\n" + progressEvent + "data: 1\n\n", false, ": hi\n\n" + progressEvent + "data: 1\n\n", streamEnd{events: 2}},
		{"ids kept", "id: 1\ndata: 1\n\nid: 2\r\ndata: 2\r\n\r\n", false, "id: 1\ndata: 1\n\nid: 2\r\ndata: 2\r\n\r\n", streamEnd{events: 2, ids: true}},
		{"ids dropped", "id: 1\ndata: 1\n\nid:2\r\ndata: 2\r\n\r\nidx: 3\ni\n", true, "data: 1\n\ndata: 2\r\n\r\nidx: 3\ni\n", streamEnd{events: 2, midEvent: true}},
		{"empty data is no message", "id: 1\nretry: 5\ndata:\n\ndata:  \r\n\n", false, "id: 1\nretry: 5\ndata:\n\ndata:  \r\n\n", streamEnd{ids: true}},
		{"ends in a data line", "data: 1\n\ndata: {", true, "data: 1\n\ndata: {", streamEnd{events: 1, midEvent: true}},
		{"ends before a blank line", "data: 1\n", false, "data: 1\n", streamEnd{midEvent: true}},
		{"ends in a comment", "data: 1\n\n: heart", false, "data: 1\n\n: heart", streamEnd{events: 1}},
		{"ends in a field's name", "data: 1\n\nda", true, "data: 1\n\nda", streamEnd{events: 1, midEvent: true}},
		{"ends in an id", "data: 1\n\nid: 4", true, "data: 1\n\n", streamEnd{events: 1, midEvent: true}},
		{"ends after a field without a colon", "data: 1\n\ndata\n", false, "data: 1\n\ndata\n", streamEnd{events: 1, midEvent: true}},
	}
	for _, tc := range tests {
		for _, split := range []string{"whole", "bytes"} {
			t.Run(tc.name+"/"+split, func(t *testing.T) {
				var body io.Reader = strings.NewReader(tc.body)
				if split == "bytes" {
					body = iotest.OneByteReader(body)
				}
				read, got := watchAll(t, body, streamWatch{dropIDs: tc.dropIDs})
				if diff := cmp.Diff(tc.read, read); diff != "" {
					t.Errorf("read (-want +got):\n%s", diff)
				}
				if got == nil {
					t.Fatal("the end was not reported")
				}
				if diff := cmp.Diff(tc.end, *got, cmp.AllowUnexported(streamEnd{})); diff != "" {
					t.Errorf("end (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestTraceShowsStreamAsSent checks that -trace shows an event stream as
// the server sent it, the event ids the 2026-07-28 era hides from the
// go-sdk among it.
func TestTraceShowsStreamAsSent(t *testing.T) {
	endpoint := cutStreamServer(t, cutStream{body: "id: 1\n" + progressEvent + "id: 2\n" + answerEvent})
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-endpoint", endpoint, "-protocol", "2026-07-28", "-trace", "-call", "ping"}, noEnv, &stdout, &stderr)
	if code != 0 || stdout.String() != "pong!\n" {
		t.Fatalf("exit %d, stdout %q, want 0 and pong!; stderr:\n%s", code, stdout.String(), stderr.String())
	}
	for _, want := range []string{"< | id: 1\n", "< | id: 2\n", `< | data: {"jsonrpc":"2.0","method":"notifications/progress"`, "progress 1/2\n"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}

// watchAll reads r to its end through w, given its body, context and end
// report here, and returns what passed and the end it reported (nil if
// none).
func watchAll(t *testing.T, r io.Reader, w streamWatch) (string, *streamEnd) {
	t.Helper()
	var end *streamEnd
	w.ReadCloser, w.ctx, w.onEnd = io.NopCloser(r), t.Context(), func(e streamEnd) { end = &e }
	read, err := io.ReadAll(&w)
	if err != nil {
		t.Fatal(err)
	}
	return string(read), end
}

// FuzzStreamWatch checks, for any body, that the go-sdk reads it whole
// unless ids are dropped, that then no line it reads is an id field, and
// that how the body is split into reads changes neither.
func FuzzStreamWatch(f *testing.F) {
	for _, seed := range []string{progressEvent, "id: 1\ndata: 1\n\n", "id: 1\r\nretry: 5\r\ndata:\r\n\r\n", "i\nid\nidx:\n: c\n\ndata: {", ""} {
		f.Add(seed, true)
		f.Add(seed, false)
	}
	f.Fuzz(func(t *testing.T, body string, dropIDs bool) {
		read := func(r io.Reader) (string, streamEnd) {
			got, end := watchAll(t, r, streamWatch{dropIDs: dropIDs})
			if end == nil {
				return got, streamEnd{}
			}
			return got, *end
		}
		whole, wholeEnd := read(strings.NewReader(body))
		bytewise, bytewiseEnd := read(iotest.OneByteReader(strings.NewReader(body)))
		if whole != bytewise {
			t.Errorf("read whole %q, a byte at a time %q", whole, bytewise)
		}
		if diff := cmp.Diff(wholeEnd, bytewiseEnd, cmp.AllowUnexported(streamEnd{})); diff != "" {
			t.Errorf("end whole vs a byte at a time (-whole +bytes):\n%s", diff)
		}
		if !dropIDs && whole != body {
			t.Errorf("read %q of %q", whole, body)
		}
		for _, line := range strings.Split(whole, "\n") {
			if dropIDs && strings.HasPrefix(line, "id:") {
				t.Errorf("id line %q passed, of %q", line, body)
			}
		}
	})
}

// TestStreamAnsweredThenFailed checks that a call whose event stream
// carried its answer, which the go-sdk then could not use, fails with
// the go-sdk's reason, not as a stream that ended without an answer:
// the go-sdk reads the stream to its end after the answer.
func TestStreamAnsweredThenFailed(t *testing.T) {
	unusable := "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"content\":\"pong!\"}}\n\n"
	for _, protocol := range []string{"2026-07-28", "2025-11-25"} {
		t.Run(protocol, func(t *testing.T) {
			endpoint := cutStreamServer(t, cutStream{body: progressEvent + unusable})
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-endpoint", endpoint, "-protocol", protocol, "-call", "ping"}, noEnv, &stdout, &stderr)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			got := stderr.String()
			if strings.Contains(got, "the event stream answering") || !strings.Contains(got, "unmarshal") {
				t.Errorf("stderr does not give the go-sdk's reason:\n%s", got)
			}
		})
	}
}

// TestStreamWatchAnswer checks which events the watcher takes for the
// answer to the call whose id is 3, whole or read a byte at a time.
func TestStreamWatchAnswer(t *testing.T) {
	long := `{"jsonrpc":"2.0","method":"notifications/message","params":{"data":"` + strings.Repeat("x", maxAnswerPeek) + `"}}`
	tests := []struct {
		name string
		body string
		want bool
	}{
		{"the answer", "data: {\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}\n\n", true},
		{"the answer, id written 3.0", "data: {\"jsonrpc\":\"2.0\",\"result\":{},\"id\":3.0}\r\n\r\n", true},
		{"an error answer", "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":1,\"message\":\"m\"}}\n\n", true},
		{"the answer over data lines", "data: {\"jsonrpc\":\"2.0\",\ndata:  \"id\":3,\ndata: \"result\":{}}\n\n", true},
		{"a notification", progressEvent, false},
		{"a request of the server's with that id", "data: {\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}\n\n", false},
		{"another call's answer", "data: {\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{}}\n\n", false},
		{"the id as a string", "data: {\"jsonrpc\":\"2.0\",\"id\":\"3\",\"result\":{}}\n\n", false},
		{"an object id", "data: {\"jsonrpc\":\"2.0\",\"id\":{},\"result\":{}}\n\n", false},
		{"an answer cut short", "data: {\"jsonrpc\":\"2.0\",\"id\":3,\"result\":", false},
		{"too long to read", "data: " + long + "\n\n", true},
	}
	for _, tc := range tests {
		for _, split := range []string{"whole", "bytes"} {
			t.Run(tc.name+"/"+split, func(t *testing.T) {
				var body io.Reader = strings.NewReader(tc.body)
				if split == "bytes" {
					body = iotest.OneByteReader(body)
				}
				_, got := watchAll(t, body, streamWatch{end: streamEnd{id: "3"}})
				if got == nil {
					t.Fatal("the end was not reported")
				}
				if got.answered != tc.want {
					t.Errorf("answered %v, want %v", got.answered, tc.want)
				}
			})
		}
	}
}

// TestExplainStreamEndResumption checks how a failed resumption of a
// 2025-11-25 stream is told: one that ran into -timeout (the server held
// the GET, quiet) apart from one that failed outright. The first takes a
// whole -timeout to run end to end.
func TestExplainStreamEndResumption(t *testing.T) {
	noScrub := func(err error) error { return err }
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"held until -timeout", fmt.Errorf("calling: %w", context.DeadlineExceeded),
			"ended after 1 event but no answer: the server closed it; resuming it from its last event id (GET with Last-Event-ID) brought no answer before -timeout. "},
		{"refused", errors.New("405 Method Not Allowed"),
			"ended after 1 event but no answer: the server closed it; resuming it from its last event id (GET with Last-Event-ID) failed: 405 Method Not Allowed. "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &streamEndedError{streamEnd: streamEnd{method: "tools/call", id: "1", events: 1, ids: true}, err: tc.err}
			if got := explainStreamEnd("http://127.0.0.1:1/mcp", e, noScrub); !strings.Contains(got, tc.want) {
				t.Errorf("explainStreamEnd = %q, want it to hold %q", got, tc.want)
			}
		})
	}
}
