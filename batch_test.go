package lambdamcp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// batchRefusal is one response of a batch's refusal, as the tests read it.
type batchRefusal struct {
	ID   string // as JSON; "" for none
	Code int
}

// batchCases are batches (served to 2025-03-26 clients, which send no
// MCP-Protocol-Version or that one) the guard refuses whole, as the
// go-sdk could not answer each call by its id: each call is answered with
// the refusal, by its id as the client wrote it.
var batchCases = []struct {
	name    string
	req     httpRequest
	want    []batchRefusal
	message string // what each refusal's message contains
}{
	{
		name: "an id the go-sdk would round",
		req:  jsonPost(`[{"jsonrpc":"2.0","id":1,"method":"tools/list"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":1.5,"method":"ping"}]`),
		want: []batchRefusal{{`1`, -32600}, {`1.5`, -32600}},
		// The go-sdk answered the second call as id 1.
		message: "batch refused: element 3 has the id 1.5; the request id must be a string of valid Unicode or an integer",
	},
	{
		name:    "an id past float64, 2025-03-26",
		req:     jsonPost(`[{"jsonrpc":"2.0","id":1e400,"method":"ping"}]`, "MCP-Protocol-Version", "2025-03-26"),
		want:    []batchRefusal{{`1e400`, -32600}},
		message: "element 1 has the id 1e400",
	},
	{
		name:    "a lone surrogate",
		req:     jsonPost(`[{"jsonrpc":"2.0","id":"<\ud800>","method":"ping"},{"jsonrpc":"2.0","id":"b","method":"ping"}]`),
		want:    []batchRefusal{{`"<\ud800>"`, -32600}, {`"b"`, -32600}},
		message: `element 1 has the id "<\ud800>"`,
	},
	{
		// The go-sdk keys calls by id: it answered one of the two.
		name:    "a repeated id",
		req:     jsonPost(repeatedIDBatch, "MCP-Protocol-Version", "2025-03-26"),
		want:    []batchRefusal{{`0`, -32600}, {`0`, -32600}},
		message: "batch refused: elements 1 and 2 share the id 0; each request needs an id of its own",
	},
}

// TestBatchRefusals sends batchCases through every event shape, and to
// Guard.
func TestBatchRefusals(t *testing.T) {
	server, _ := newHardServer(t)
	h := lambdamcp.NewHandler(streamableMux(server), hardOptions(new(bytes.Buffer)))
	guard := lambdamcp.Guard(streamableMux(server), hardOptions(new(bytes.Buffer)))
	for _, tc := range batchCases {
		for _, shape := range shapes {
			t.Run(tc.name+"/"+shape.name, func(t *testing.T) {
				resp := invoke(t, h, shape.build(t, tc.req))
				checkBatchRefusal(t, resp.StatusCode, resp.header("Content-Type"), resp.body(t), tc.want, tc.message)
			})
		}
		t.Run(tc.name+"/guard", func(t *testing.T) {
			r := httptest.NewRequest(tc.req.method, tc.req.path, strings.NewReader(tc.req.body))
			for k, v := range tc.req.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			guard.ServeHTTP(w, r)
			checkBatchRefusal(t, w.Code, w.Header().Get("Content-Type"), w.Body.Bytes(), tc.want, tc.message)
		})
	}
}

func checkBatchRefusal(t *testing.T, status int, contentType string, body []byte, want []batchRefusal, message string) {
	t.Helper()
	if status != 400 || contentType != "application/json" {
		t.Errorf("status %d, Content-Type %q; want 400 application/json", status, contentType)
	}
	var answers []rpcAnswer
	if err := json.Unmarshal(body, &answers); err != nil {
		t.Fatalf("body is no batch of responses: %v: %.300s", err, body)
	}
	got := make([]batchRefusal, len(answers))
	for i, a := range answers {
		got[i].ID = string(a.ID)
		if a.Error == nil {
			t.Fatalf("response %d is no error: %.300s", i, body)
		}
		got[i].Code = a.Error.Code
		if !strings.Contains(a.Error.Message, message) {
			t.Errorf("response %d: message %q, want it to contain %q", i, a.Error.Message, message)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("responses mismatch (-want +got):\n%s", diff)
	}
}

// TestBatchTimeout checks a batch (2025-03-26) whose call is still running
// at the deadline, its tool ignoring its context: as JSON-RPC 2.0 answers a
// batch, and as each call would be answered on its own, the answer is an
// array with the timeout error of each call of the batch, by its id (the
// notification gets none), on every event shape, locally and streamed,
// where a single error without an id, 504, would leave the client no call
// to match it to.
func TestBatchTimeout(t *testing.T) {
	batch := jsonPost(`[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"stubborn","arguments":{}}},` +
		`{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":"b","method":"ping"}]`)
	want := []answerSeen{
		{ID: `1`, Code: -32001, Message: `tool "stubborn" timed out: the request's deadline passed before it answered`},
		{ID: `"b"`, Code: -32001, Message: `ping timed out: the request's deadline passed before it was answered`},
	}
	check := func(t *testing.T, status int, contentType string, body []byte) {
		t.Helper()
		if status != 200 || contentType != "application/json" {
			t.Errorf("status %d, Content-Type %q; want 200 application/json (body %.300s)", status, contentType, body)
		}
		var answers []rpcAnswer
		if err := json.Unmarshal(body, &answers); err != nil {
			t.Fatalf("body is no batch of responses: %v: %.300s", err, body)
		}
		got := make([]answerSeen, len(answers))
		for i, a := range answers {
			got[i].ID = string(a.ID)
			if a.Error != nil {
				got[i].Code, got[i].Message = a.Error.Code, a.Error.Message
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("responses mismatch (-want +got):\n%s", diff)
		}
	}
	for _, shape := range shapes {
		t.Run(shape.name, func(t *testing.T) {
			server, _ := newHardServer(t)
			h := lambdamcp.NewHandler(streamableMux(server), hardOptions(new(bytes.Buffer)))
			resp := invokeCase(t, h, badInputCase{req: batch, deadline: 2 * testMargin}, shape)
			check(t, resp.StatusCode, resp.header("Content-Type"), resp.body(t))
		})
	}
	for _, shape := range streamShapes {
		t.Run("streamed-"+shape.name, func(t *testing.T) {
			ctx := streamCtx(t, 2*testMargin)
			server, _ := newHardServer(t) // its tools released before the invocation is awaited
			opts := hardOptions(new(bytes.Buffer))
			opts.Stream = []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}
			s, head := openStream(t, ctx, lambdamcp.NewHandler(streamableMux(server), opts), shape.build(t, batch))
			body, err := io.ReadAll(s.r)
			if err != nil {
				t.Fatalf("the stream ended with %v after %.300q", err, body)
			}
			check(t, head.StatusCode, head.header("Content-Type"), body)
		})
	}
	t.Run("guard", func(t *testing.T) {
		server, _ := newHardServer(t)
		guard := lambdamcp.Guard(streamableMux(server), hardOptions(new(bytes.Buffer)))
		ctx, cancel := context.WithTimeout(t.Context(), 2*testMargin)
		defer cancel()
		r := httptest.NewRequestWithContext(ctx, batch.method, batch.path, strings.NewReader(batch.body))
		for k, v := range batch.header {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		guard.ServeHTTP(w, r)
		check(t, w.Code, w.Header().Get("Content-Type"), w.Body.Bytes())
	})
}

// answerSeen is one response of a batch's answer, as the tests read it.
type answerSeen struct {
	ID      string // as JSON
	Code    int    // 0: a result
	Message string
}

// TestBatchTimeoutInEventStream checks a batch (2025-03-26) whose call is
// still running at the deadline, its tool ignoring its context, where the
// answer is an event stream: the go-sdk's, answering each call in an event
// of its own as it ends (no StreamableHTTPOptions.JSONResponse), on every
// event shape, locally and streamed. Each call whose response has not gone
// out gets its timeout error, by its id, one event each, as the go-sdk
// frames them, after the responses that did (the ping's). A batch whose
// errors would run past the bound a batch's refusal keeps to gets one
// error without an id instead.
func TestBatchTimeoutInEventStream(t *testing.T) {
	const calls = 250 // their errors, with ids of 200 bytes, run past 64 KiB
	many := stubbornBatch(calls)
	batch := jsonPost(`[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"stubborn","arguments":{}}},` +
		`{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":"b","method":"ping"}]`)
	stubborn := answerSeen{ID: `1`, Code: -32001, Message: `tool "stubborn" timed out: the request's deadline passed before it answered`}
	ping := answerSeen{ID: `"b"`}
	tests := []struct {
		name     string
		req      httpRequest
		deadline time.Duration // time for the ping to be answered
		margin   time.Duration // Options.DeadlineMargin
		want     []answerSeen
	}{
		{name: "event stream", req: batch, deadline: 2 * testMargin, margin: testMargin, want: []answerSeen{ping, stubborn}},
		// Its many calls take their time even on a busy machine.
		{name: "too large to answer each", req: jsonPost(many), deadline: 5 * testMargin, margin: 4 * testMargin, want: []answerSeen{ping, {
			Code:    -32001,
			Message: fmt.Sprintf("the batch timed out: the request's deadline passed before it was answered (the batch holds %d requests, too many to answer each)", calls),
		}}},
	}
	handler := func(s *mcp.Server) http.Handler {
		return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s },
			&mcp.StreamableHTTPOptions{Stateless: true})
	}
	options := func(margin time.Duration, stream ...lambdamcp.Shape) *lambdamcp.Options {
		opts := hardOptions(new(bytes.Buffer))
		opts.JSONResponse, opts.Stream, opts.DeadlineMargin = false, stream, margin
		return opts
	}
	check := func(t *testing.T, want []answerSeen, status int, contentType string, body []byte) {
		t.Helper()
		if mt, _, _ := mime.ParseMediaType(contentType); status != 200 || mt != "text/event-stream" {
			t.Errorf("status %d, Content-Type %q; want 200 text/event-stream (body %.300q)", status, contentType, body)
		}
		var got []answerSeen
		for _, msg := range answerMessages(t, newAnswer(status, contentType, body)) {
			var a rpcAnswer
			if err := json.Unmarshal(msg, &a); err != nil {
				t.Fatalf("message %.300s: %v", msg, err)
			}
			seen := answerSeen{ID: string(a.ID)}
			if a.Error != nil {
				seen.Code, seen.Message = a.Error.Code, a.Error.Message
			}
			got = append(got, seen)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("responses mismatch (-want +got):\n%s", diff)
		}
	}
	for _, tc := range tests {
		for _, shape := range shapes {
			t.Run(tc.name+"/"+shape.name, func(t *testing.T) {
				server, _ := newHardServer(t)
				h := lambdamcp.NewHandler(handler(server), options(tc.margin))
				resp := invokeCase(t, h, badInputCase{req: tc.req, deadline: tc.deadline}, shape)
				check(t, tc.want, resp.StatusCode, resp.header("Content-Type"), resp.body(t))
			})
		}
		t.Run(tc.name+"/guard", func(t *testing.T) {
			server, _ := newHardServer(t)
			guard := lambdamcp.Guard(handler(server), options(tc.margin))
			ctx, cancel := context.WithTimeout(t.Context(), tc.deadline)
			defer cancel()
			r := httptest.NewRequestWithContext(ctx, tc.req.method, tc.req.path, strings.NewReader(tc.req.body))
			for k, v := range tc.req.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			guard.ServeHTTP(w, r)
			check(t, tc.want, w.Code, w.Header().Get("Content-Type"), w.Body.Bytes())
		})
		for _, shape := range streamShapes {
			t.Run(tc.name+"/streamed-"+shape.name, func(t *testing.T) {
				ctx := streamCtx(t, tc.deadline)
				server, _ := newHardServer(t) // its tools released before the invocation is awaited
				h := lambdamcp.NewHandler(handler(server), options(tc.margin, lambdamcp.ShapeURL, lambdamcp.ShapeREST))
				s, head := openStream(t, ctx, h, shape.build(t, tc.req))
				body, err := io.ReadAll(s.r)
				if err != nil {
					t.Fatalf("the stream ended with %v after %.300q", err, body)
				}
				check(t, tc.want, head.StatusCode, head.header("Content-Type"), body)
			})
		}
	}
}

// pingBatch is a 2025-03-26 batch of n pings, ids 1 to n.
func pingBatch(n int) string {
	calls := make([]string, n)
	for i := range calls {
		calls[i] = fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"ping"}`, i+1)
	}
	return "[" + strings.Join(calls, ",") + "]"
}

// TestMaxBatchMessages checks that a batch of more messages than
// Limits.MaxBatchMessages is refused whole, before the go-sdk decodes it,
// with one error without an id naming the count and the limit, and logged
// as a refusal; that one at the limit is served, and that -1 lifts it.
func TestMaxBatchMessages(t *testing.T) {
	server, _ := newHardServer(t)
	cases := []struct {
		name    string
		limit   int
		size    int
		refused string // the message, or "" for a batch served
	}{
		{"default, at the limit", 0, lambdamcp.DefaultMaxBatchMessages, ""},
		{"default, over the limit", 0, lambdamcp.DefaultMaxBatchMessages + 1, fmt.Sprintf("batch has %d messages; the limit is %d", lambdamcp.DefaultMaxBatchMessages+1, lambdamcp.DefaultMaxBatchMessages)},
		{"set, over the limit", 2, 3, "batch has 3 messages; the limit is 2"},
		{"set, at the limit", 2, 2, ""},
		{"off", -1, lambdamcp.DefaultMaxBatchMessages + 1, ""},
	}
	for _, tc := range cases {
		for _, shape := range shapes {
			t.Run(tc.name+"/"+shape.name, func(t *testing.T) {
				var logs lockedBuffer
				opts := hardOptions(new(bytes.Buffer))
				opts.Limits.MaxBatchMessages = tc.limit
				opts.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
				h := lambdamcp.NewHandler(streamableMux(server), opts)
				resp := invoke(t, h, shape.build(t, jsonPost(pingBatch(tc.size), "MCP-Protocol-Version", "2025-03-26")))
				body := resp.body(t)
				if tc.refused == "" {
					var answers []rpcAnswer
					if err := json.Unmarshal(body, &answers); err != nil || resp.StatusCode != http.StatusOK || len(answers) != tc.size {
						t.Fatalf("answer = %d %.200s, want 200 with %d answers", resp.StatusCode, body, tc.size)
					}
					return
				}
				var a map[string]json.RawMessage
				if err := json.Unmarshal(body, &a); err != nil || resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("answer = %d %.200s, want 400 with one JSON-RPC error", resp.StatusCode, body)
				}
				if id, ok := a["id"]; ok && string(id) != "null" {
					t.Errorf("id = %s, want none", id)
				}
				var e struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
				}
				if err := json.Unmarshal(a["error"], &e); err != nil || e.Code != -32600 || e.Message != tc.refused {
					t.Errorf("error = %s, want -32600 %q", a["error"], tc.refused)
				}
				lines := logLines(t, logs.Bytes())
				if len(lines) != 1 || lines[0]["status"] != 400.0 || lines[0]["outcome"] != lambdamcp.OutcomeRejected {
					t.Errorf("log = %v, want one line with status 400, outcome rejected", lines)
				}
			})
		}
	}
}

// TestMaxBatchMessagesEra checks that the cap counts the batches the
// go-sdk serves, those of requests without MCP-Protocol-Version too, and
// leaves a later version's batch to the go-sdk, which serves none of it.
func TestMaxBatchMessagesEra(t *testing.T) {
	server, _ := newHardServer(t)
	opts := hardOptions(new(bytes.Buffer))
	opts.Limits.MaxBatchMessages = 2
	h := lambdamcp.NewHandler(streamableMux(server), opts)
	const capped = "batch has 3 messages; the limit is 2"
	for _, tc := range []struct {
		version string // "" for none
		capped  bool
	}{
		{"", true},
		{"2024-11-05", true},
		{"2025-06-18", false},
		{"2025-11-25", false},
	} {
		t.Run("version "+tc.version, func(t *testing.T) {
			var extra []string
			if tc.version != "" {
				extra = []string{"MCP-Protocol-Version", tc.version}
			}
			resp := invoke(t, h, urlEvent(t, jsonPost(pingBatch(3), extra...)))
			body := resp.body(t)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("answer = %d %.200s, want 400", resp.StatusCode, body)
			}
			if got := strings.Contains(string(body), capped); got != tc.capped {
				t.Errorf("answer %.300s; refused by the cap: %v, want %v", body, got, tc.capped)
			}
		})
	}
}

// TestBatchTimeoutTooLargeJSON checks a batch too large to answer each of
// its calls by its id, whose calls are still running at the deadline and
// whose answer is JSON, not begun: one timeout error without an id, 504,
// as a notification's, since no call of the client's is answered by it.
func TestBatchTimeoutTooLargeJSON(t *testing.T) {
	const calls = 250 // their errors, with ids of 200 bytes, run past 64 KiB
	many := stubbornBatch(calls)
	server, _ := newHardServer(t)
	opts := hardOptions(new(bytes.Buffer))
	opts.DeadlineMargin = 4 * testMargin // its many calls take their time even on a busy machine
	h := lambdamcp.NewHandler(streamableMux(server), opts)
	resp := invokeCase(t, h, badInputCase{req: jsonPost(many), deadline: 5 * testMargin}, shapes[0])
	checkAnswer(t, resp.StatusCode, resp.header("Content-Type"), resp.body(t), http.StatusGatewayTimeout, -32001,
		fmt.Sprintf("the batch timed out: the request's deadline passed before it was answered (the batch holds %d requests, too many to answer each)", calls), "", "")
}

// stubbornBatch is a batch of a ping, id "b", and calls-1 calls of the
// stubborn tool, each id 200 bytes long: their errors, one a call, run
// past the 64 KiB a batch's answer of errors keeps to.
func stubbornBatch(calls int) string {
	var many strings.Builder
	many.WriteString(`[{"jsonrpc":"2.0","id":"b","method":"ping"}`)
	for i := range calls - 1 {
		fmt.Fprintf(&many, `,{"jsonrpc":"2.0","id":"%s%03d","method":"tools/call","params":{"name":"stubborn","arguments":{}}}`, strings.Repeat("i", 197), i)
	}
	many.WriteString(`]`)
	return many.String()
}
