package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// foreignServer is a server of another make, speaking 2025-11-25 with
// sessions as the TypeScript SDK's stateful servers do, written out by
// hand so that each test can make it misbehave in one way.
type foreignServer struct {
	noServerInfo bool   // initialize names no server
	holdGET      bool   // the GET for server messages gets no answer, as behind a buffering proxy
	forgetAfter  int    // answer 404 for the session after this many POSTs (0: never)
	dropList     bool   // tools/list: the connection is dropped without an answer
	noContent    bool   // notifications are answered 204, not 202
	plainOK      bool   // notifications are answered 200 "ok" as text/plain
	stateless    bool   // no session id
	text         string // ping's answer, and the tools' description
	declare      string // more capabilities for initialize's, as `,"prompts":{}`
	noTools      bool   // initialize declares no tools

	mu       sync.Mutex
	posts    int
	logLevel string   // set by logging/setLevel
	methods  []string // every method asked for
}

func (f *foreignServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		if f.holdGET {
			<-r.Context().Done()
			return
		}
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	case http.MethodDelete:
		return
	}
	var req struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Params struct {
			Level string `json:"level"`
		} `json:"params"`
	}
	json.NewDecoder(r.Body).Decode(&req)
	f.mu.Lock()
	f.posts++
	f.methods = append(f.methods, req.Method)
	forgotten := f.forgetAfter > 0 && f.posts > f.forgetAfter && r.Header.Get("Mcp-Session-Id") != ""
	if req.Method == "logging/setLevel" {
		f.logLevel = req.Params.Level
	}
	level := f.logLevel
	f.mu.Unlock()
	answer := func(result string) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"result":%s}`, req.ID, result)
	}
	text, _ := json.Marshal(f.text)
	switch {
	case forgotten:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"jsonrpc":"2.0","error":{"code":-32001,"message":"Session not found"},"id":null}`)
	case req.ID == nil && f.noContent:
		w.WriteHeader(http.StatusNoContent)
	case req.ID == nil && f.plainOK:
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "ok")
	case req.ID == nil:
		w.WriteHeader(http.StatusAccepted)
	case f.noTools && strings.HasPrefix(req.Method, "tools/"):
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"error":{"code":-32601,"message":"Method not found"}}`, req.ID)
	case req.Method == "tools/list" && f.dropList:
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	case req.Method == "initialize":
		info := `,"serverInfo":{"name":"foreign","version":"9"}`
		if f.noServerInfo {
			info = ""
		}
		if !f.stateless {
			w.Header().Set("Mcp-Session-Id", "session-1")
		}
		tools := `"tools":{},`
		if f.noTools {
			tools = ""
		}
		answer(`{"protocolVersion":"2025-11-25","capabilities":{` + tools + `"logging":{}` + f.declare + `}` + info + `}`)
	case req.Method == "tools/list":
		answer(`{"tools":[{"name":"ping","description":` + string(text) + `,"inputSchema":{"type":"object"}}]}`)
	case req.Method == "tools/call" && level != "":
		// As the go-sdk's stateful servers do: log messages only once
		// asked for, on the call's event stream.
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":%s}}\n\n", text)
		fmt.Fprintf(w, "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"content\":[{\"type\":\"text\",\"text\":%s}]}}\n\n", req.ID, text)
	case req.Method == "tools/call":
		answer(`{"content":[{"type":"text","text":` + string(text) + `}]}`)
	case req.Method == "logging/setLevel":
		answer(`{}`)
	default:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"error":{"code":-32601,"message":"Method not found"}}`, req.ID)
	}
}

// runAgainst runs the client against h with args, failing the test if the
// run does not end within 15 s.
func runAgainst(t *testing.T, h http.Handler, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	type ran struct {
		code           int
		stdout, stderr string
	}
	done := make(chan ran, 1)
	go func() {
		var out, errOut bytes.Buffer
		code := run(t.Context(), append([]string{"-endpoint", srv.URL + "/mcp", "-timeout", "10s"}, args...), noEnv, &out, &errOut)
		done <- ran{code, out.String(), errOut.String()}
	}()
	select {
	case r := <-done:
		return r.code, r.stdout, r.stderr
	case <-time.After(15 * time.Second):
		t.Fatal("the run did not end within its -timeout of 10 s")
	}
	return 0, "", ""
}

// TestForeignServers runs the client against servers that are not
// lambdamcp's and that misbehave, each in a way seen in the field.
func TestForeignServers(t *testing.T) {
	t.Run("GET held without an answer", func(t *testing.T) {
		code, stdout, stderr := runAgainst(t, &foreignServer{holdGET: true, text: "pong"})
		if code != 0 || !strings.Contains(stdout, "ping #2: pong") {
			t.Errorf("exit %d, stdout %q, stderr %q; want the story told", code, stdout, stderr)
		}
	})
	t.Run("no serverInfo", func(t *testing.T) {
		code, stdout, stderr := runAgainst(t, &foreignServer{noServerInfo: true, text: "pong"})
		if code != 0 || !strings.Contains(stdout, "Connected to a server that does not name itself (protocol 2025-11-25)") {
			t.Errorf("exit %d, stdout %q, stderr %q; want the story told of an unnamed server", code, stdout, stderr)
		}
	})
	t.Run("logs only once asked", func(t *testing.T) {
		code, stdout, stderr := runAgainst(t, &foreignServer{text: "pong"}, "-call", "ping", "-log", "info")
		if code != 0 || stdout != "pong\n" || !strings.Contains(stderr, "log info: pong") {
			t.Errorf("exit %d, stdout %q, stderr %q; want pong, and its log line on stderr", code, stdout, stderr)
		}
	})
	t.Run("stateless not asked for logs", func(t *testing.T) {
		// It would forget the level, and each request may cost an invocation.
		f := &foreignServer{stateless: true, text: "pong"}
		code, _, stderr := runAgainst(t, f, "-call", "ping")
		if code != 0 || slices.Contains(f.methods, "logging/setLevel") {
			t.Errorf("exit %d, stderr %q, methods %v; want no logging/setLevel", code, stderr, f.methods)
		}
	})
	t.Run("session forgotten", func(t *testing.T) {
		code, _, stderr := runAgainst(t, &foreignServer{forgetAfter: 1, text: "pong"})
		if code != 1 || !strings.Contains(stderr, "no longer knows this session (HTTP 404") {
			t.Errorf("exit %d, stderr %q; want the lost session named", code, stderr)
		}
	})
	// A server's text is shown, not obeyed: no escape sequence reaches the
	// terminal, no line break forges a line of the client's.
	hostile := "pong\x1b]0;TITLE\x07\x1b[2K\rmcp-client: forged\u202e"
	t.Run("control characters", func(t *testing.T) {
		code, stdout, stderr := runAgainst(t, &foreignServer{text: hostile})
		if code != 0 || strings.ContainsAny(stdout+stderr, "\x1b\x07\r\u202e") || strings.Contains(stdout+stderr, "\nmcp-client: forged") ||
			!strings.Contains(stdout, `pong\x1b]0;TITLE\x07\x1b[2K\rmcp-client: forged\u202e`) {
			t.Errorf("exit %d, stdout %q, stderr %q; want the text escaped", code, stdout, stderr)
		}
		code, stdout, stderr = runAgainst(t, &foreignServer{text: hostile}, "-call", "ping")
		if code != 0 || stdout != hostile+"\n" || strings.ContainsAny(stderr, "\x1b\x07\r\u202e") {
			t.Errorf("-call: exit %d, stdout %q, stderr %q; want the result as it is on a pipe, the log line escaped", code, stdout, stderr)
		}
	})
	t.Run("connection dropped after a 204", func(t *testing.T) {
		code, _, stderr := runAgainst(t, &foreignServer{noContent: true, dropList: true, text: "pong"})
		if code != 1 || strings.Contains(stderr, "not MCP") || !strings.Contains(stderr, "listing tools") {
			t.Errorf("exit %d, stderr %q; want the dropped connection, not an earlier answer, blamed", code, stderr)
		}
	})
	t.Run("connection dropped after a plain ok", func(t *testing.T) {
		code, _, stderr := runAgainst(t, &foreignServer{plainOK: true, dropList: true, text: "pong"})
		if code != 1 || strings.Contains(stderr, "not MCP") || !strings.Contains(stderr, "listing tools") {
			t.Errorf("exit %d, stderr %q; want the dropped connection, not the notification's answer, blamed", code, stderr)
		}
	})
	t.Run("web page", func(t *testing.T) {
		code, _, stderr := runAgainst(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<html><body>Welcome</body></html>")
		}))
		if code != 1 || !strings.Contains(stderr, "answered with text/html, not MCP: check that this is the MCP endpoint") {
			t.Errorf("exit %d, stderr %q; want the page named as no MCP answer", code, stderr)
		}
	})
	t.Run("JSON that is no JSON-RPC", func(t *testing.T) {
		// Another API's route, or a health check that takes a POST.
		for _, protocol := range []string{"2025-11-25", "2026-07-28"} {
			code, _, stderr := runAgainst(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `{"status":"ok"}`)
			}), "-protocol", protocol)
			if code != 1 || !strings.Contains(stderr, "answered with JSON that is no JSON-RPC message, not MCP: check that this is the MCP endpoint") {
				t.Errorf("%s: exit %d, stderr %q; want the answer named as no MCP answer", protocol, code, stderr)
			}
		}
	})
	t.Run("event that is no JSON-RPC", func(t *testing.T) {
		for _, protocol := range []string{"2025-11-25", "2026-07-28"} {
			for _, data := range []string{`{"status":"ok"}`, "<html>Welcome</html>"} {
				code, _, stderr := runAgainst(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "text/event-stream")
					fmt.Fprintf(w, "data: %s\n\n", data)
				}), "-protocol", protocol)
				if code != 1 || !strings.Contains(stderr, "answered with an event that is no JSON-RPC message, not MCP: check that this is the MCP endpoint") || strings.Contains(stderr, "the server closed it") {
					t.Errorf("%s, %s: exit %d, stderr %q; want the event named as no MCP answer, not the stream's end blamed", protocol, data, code, stderr)
				}
			}
		}
	})
	t.Run("buffered answer through a streaming front", func(t *testing.T) {
		// What a Function URL in RESPONSE_STREAM mode relays from a
		// function that answered buffered: its payload, as the body.
		code, _, stderr := runAgainst(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			fmt.Fprint(w, `{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"}`)
		}))
		if code != 1 || !strings.Contains(stderr, "answered with a Lambda function's buffered response as its body (application/octet-stream)") ||
			!strings.Contains(stderr, "give it MCP_STREAM") {
			t.Errorf("exit %d, stderr %q; want the function's missing MCP_STREAM named", code, stderr)
		}
	})
	t.Run("redirect to a GET", func(t *testing.T) {
		code, _, stderr := runAgainst(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere/mcp", http.StatusMovedPermanently)
		}))
		if code != 1 || strings.Contains(stderr, "not MCP") || !strings.Contains(stderr, "/elsewhere/mcp (HTTP 301), which would turn the POST into a GET: give that endpoint with -endpoint") {
			t.Errorf("exit %d, stderr %q; want the redirect's target named", code, stderr)
		}
	})
}

// TestInputRequestRefusedHere checks that when a 2026-07-28 tool asks the
// client for input it does not offer, without checking the client's
// capabilities first, the client's own refusal is not passed off as the
// server's error, and the user is told what to do.
func TestInputRequestRefusedHere(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "asks", Version: "1"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "ask"}, func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		if len(req.Params.InputResponses) > 0 {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "answered"}}}, nil, nil
		}
		return &mcp.CallToolResult{InputRequests: mcp.InputRequestMap{"q": &mcp.ElicitParams{
			Message: "Proceed?", RequestedSchema: map[string]any{"type": "object", "properties": map[string]any{"ok": map[string]any{"type": "boolean"}}},
		}}}, nil, nil
	})
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, &mcp.StreamableHTTPOptions{Stateless: true})
	code, _, stderr := runAgainst(t, h, "-call", "ask")
	if code != 1 || strings.Contains(stderr, "server error") || !strings.Contains(stderr, "give -elicit with a JSON object, decline or cancel") {
		t.Errorf("exit %d, stderr %q; want the client's own refusal explained", code, stderr)
	}
	code, _, stderr = runAgainst(t, h, "-call", "ask", "-elicit", `{"ok":"yes"}`)
	if code != 1 || strings.Contains(stderr, "server error") || !strings.Contains(stderr, "give -elicit an object that fits the schema") {
		t.Errorf("-elicit that does not fit: exit %d, stderr %q; want the user's answer blamed", code, stderr)
	}
	code, stdout, stderr := runAgainst(t, h, "-call", "ask", "-elicit", `{"ok":true}`)
	if code != 0 || stdout != "answered\n" {
		t.Errorf("with -elicit: exit %d, stdout %q, stderr %q; want the answer", code, stdout, stderr)
	}
}
