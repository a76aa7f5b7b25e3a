package lambdamcp_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp"
)

// TestCallReturnedUnanswered checks a handler that returns, well before
// the deadline, without answering the call it was sent: the go-sdk does so
// for every call still running when its session closes, as a stateless
// session does when a ServerOptions.KeepAlive ping fails (a stateless
// server can send no request, pings included). An empty 200 is no answer
// a client can read; the call gets an internal error by its id instead,
// 200 as every error of a call the server accepted, on every shape, buffered, streamed and
// on the local server, whether the handler chose an event stream or JSON.
func TestCallReturnedUnanswered(t *testing.T) {
	calls := []struct {
		body, want string
	}{
		{`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"slow","arguments":{}}}`,
			`tool "slow" ended without an answer: the server returned without answering the call`},
		{`{"jsonrpc":"2.0","id":7,"method":"prompts/get","params":{"name":"p"}}`,
			`prompts/get ended without an answer: the server returned without answering the call`},
	}
	for _, c := range calls {
		call, want := jsonPost(c.body, "MCP-Protocol-Version", legacy), c.want
		check := func(t *testing.T, where string, status int, msgs []map[string]any) {
			t.Helper()
			if len(msgs) != 1 && !(strings.HasSuffix(where, "progress") && len(msgs) == 2 && kind(msgs[0]) == "notifications/progress") {
				t.Errorf("%s: %d %v, want the answer alone, after the progress the handler wrote", where, status, msgs)
				return
			}
			last := msgs[len(msgs)-1]
			errObj, _ := last["error"].(map[string]any)
			msg, _ := errObj["message"].(string)
			if status != 200 || last["id"] != 7.0 || errObj["code"] != -32603.0 || msg != want {
				t.Errorf("%s: %d %v, want 200 with error -32603 %q for call 7", where, status, last, want)
			}
		}
		for _, contentType := range []string{"text/event-stream", "application/json", "", "text/event-stream progress"} {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				if contentType != "" {
					w.Header().Set("Content-Type", strings.TrimSuffix(contentType, " progress"))
				}
				if strings.HasSuffix(contentType, "progress") {
					io.WriteString(w, "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":\"p\",\"progress\":1}}\n\n")
				}
			})
			for _, shape := range shapes {
				resp := invoke(t, lambdamcp.NewHandler(h, nil), shape.build(t, call))
				check(t, shape.name+" "+contentType, resp.StatusCode, messagesIn(t, string(resp.body(t))))
			}
			for _, shape := range streamShapes {
				opts := &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}}
				s, head := openStream(t, streamCtx(t, time.Minute), lambdamcp.NewHandler(h, opts), shape.build(t, call))
				body, _ := io.ReadAll(s.r)
				check(t, shape.name+"-stream "+contentType, head.StatusCode, messagesIn(t, string(body)))
			}
			resp, body := serveLocal(t, t.Context(), h, call)
			check(t, "local "+contentType, resp.StatusCode, messagesIn(t, body))
		}
	}
}

// messagesIn reads the JSON-RPC messages of a body, an event stream or
// one JSON value.
func messagesIn(t *testing.T, body string) []map[string]any {
	if strings.HasPrefix(body, "{") {
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Errorf("answer %q: %v", body, err)
			return nil
		}
		return []map[string]any{m}
	}
	sr := &streamReader{t: t, r: bufio.NewReader(strings.NewReader(body))}
	var msgs []map[string]any
	for item, ok := sr.next(); ok; item, ok = sr.next() {
		if item.msg != nil {
			msgs = append(msgs, item.msg)
		}
	}
	return msgs
}

// TestResumableStreamClosedUnanswered checks a handler that closes, with
// no response, an event stream it gave an event id: the go-sdk does so for
// a call whose tool calls RequestExtra.CloseSSEStream (a server with an
// EventStore primes the stream with such an id), and the client then
// resumes the stream with Last-Event-ID to get the call's answer
// (2025-11-25 Streamable HTTP). No error is added for the call: the client
// would take it for the answer.
func TestResumableStreamClosedUnanswered(t *testing.T) {
	call := jsonPost(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"slow","arguments":{}}}`, "MCP-Protocol-Version", legacy)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "event: prime\nid: s1_0\ndata: \n\n")
		io.WriteString(w, "event: close\nretry: 1000\ndata: \n\n")
	})
	check := func(where string, status int, body string) {
		t.Helper()
		if status != 200 || strings.Contains(body, "error") || !strings.Contains(body, "id: s1_0") {
			t.Errorf("%s: %d %q, want the handler's stream alone", where, status, body)
		}
	}
	for _, shape := range shapes {
		resp := invoke(t, lambdamcp.NewHandler(h, nil), shape.build(t, call))
		check(shape.name, resp.StatusCode, string(resp.body(t)))
	}
	for _, shape := range streamShapes {
		opts := &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}}
		s, head := openStream(t, streamCtx(t, time.Minute), lambdamcp.NewHandler(h, opts), shape.build(t, call))
		body, _ := io.ReadAll(s.r)
		check(shape.name+"-stream", head.StatusCode, string(body))
	}
	resp, body := serveLocal(t, t.Context(), h, call)
	check("local", resp.StatusCode, body)
}

// TestCallReturnedUnansweredLogged checks that the log line of a call the
// handler returned from without answering tells the internal error the
// client got, buffered and streamed alike, not the ok of a 200.
func TestCallReturnedUnansweredLogged(t *testing.T) {
	call := jsonPost(`{"jsonrpc":"2.0","id":7,"method":"prompts/get","params":{"name":"p"}}`, "MCP-Protocol-Version", legacy)
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, streamed := range []bool{false, true} {
		var logs bytes.Buffer
		opts := &lambdamcp.Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
		if streamed {
			opts.Stream = []lambdamcp.Shape{lambdamcp.ShapeURL}
			s, _ := openStream(t, streamCtx(t, time.Minute), lambdamcp.NewHandler(h, opts), urlEvent(t, call))
			io.Copy(io.Discard, s.r)
		} else {
			invoke(t, lambdamcp.NewHandler(h, opts), urlEvent(t, call))
		}
		lines := logLines(t, logs.Bytes())
		if len(lines) != 1 || lines[0]["outcome"] != lambdamcp.OutcomeError || lines[0]["error_code"] != float64(-32603) {
			t.Errorf("streamed %v: log lines\n%s\nwant one, outcome error with error_code -32603", streamed, logs.Bytes())
		}
	}
}
