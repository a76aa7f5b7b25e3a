package lambdamcp_test

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// Sizes the hardening tests use: small, so that the tests stay fast.
const (
	testMaxResponse = 256 << 10
	testMargin      = 200 * time.Millisecond
)

// hardServer is an MCP server with tools that misbehave on purpose.
type hardServer struct {
	release chan struct{} // ends the stubborn tool
	once    sync.Once
}

func newHardServer(t *testing.T) (*mcp.Server, *hardServer) {
	t.Helper()
	hs := &hardServer{release: make(chan struct{})}
	t.Cleanup(func() {
		hs.once.Do(func() { close(hs.release) })
		awaitNoInvocations(t) // the stubborn tools' handlers end now
	})
	s := mcp.NewServer(&mcp.Implementation{Name: "hard", Version: "1.0.0"}, nil)
	s.AddReceivingMiddleware(lambdamcp.Middleware())
	type none struct{}
	type sizeIn struct {
		Bytes int `json:"bytes"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "echo"}, func(_ context.Context, _ *mcp.CallToolRequest, in sizeIn) (*mcp.CallToolResult, any, error) {
		return text(strings.Repeat("x", in.Bytes)), nil, nil
	})
	mcp.AddTool(s, &mcp.Tool{Name: "boom"}, func(context.Context, *mcp.CallToolRequest, none) (*mcp.CallToolResult, any, error) {
		panic("the tool broke")
	})
	mcp.AddTool(s, &mcp.Tool{Name: "slow"}, func(ctx context.Context, _ *mcp.CallToolRequest, _ none) (*mcp.CallToolResult, any, error) {
		<-ctx.Done()
		return nil, nil, ctx.Err()
	})
	mcp.AddTool(s, &mcp.Tool{Name: "stubborn"}, func(context.Context, *mcp.CallToolRequest, none) (*mcp.CallToolResult, any, error) {
		<-hs.release // ignores its context
		return text("late"), nil, nil
	})
	return s, hs
}

func text(s string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s}}}
}

func hardOptions(logs *bytes.Buffer) *lambdamcp.Options {
	return &lambdamcp.Options{
		JSONResponse:   true,
		Limits:         lambdamcp.Limits{MaxResponseBytes: testMaxResponse},
		DeadlineMargin: testMargin,
		Logger:         slog.New(slog.NewJSONHandler(logs, nil)),
	}
}

func streamable(s *mcp.Server) http.Handler {
	return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true})
}

// call is a tools/call request of the 2025-11-25 era, id 7.
func call(tool, args string, extra ...string) httpRequest {
	return jsonPost(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"`+tool+`","arguments":`+args+`}}`,
		append([]string{"MCP-Protocol-Version", legacy}, extra...)...)
}

func withHeader(r httpRequest, kv ...string) httpRequest {
	h := make(map[string]string, len(r.header)+len(kv)/2)
	for k, v := range r.header {
		h[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(h, kv[i])
		} else {
			h[kv[i]] = kv[i+1]
		}
	}
	r.header = h
	return r
}

// rpcAnswer is a JSON-RPC response, as the tests read it.
type rpcAnswer struct {
	ID     json.RawMessage `json:"id"`
	Result *struct {
		IsError bool `json:"isError"`
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
	} `json:"result"`
	Error *struct {
		Code    int             `json:"code"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
	} `json:"error"`
}

// badInputCase is one class of bad (or tolerated) input and its answer.
type badInputCase struct {
	name     string
	doc      string // how the rows of docs/errors.md it holds begin (TestErrorsDoc)
	req      httpRequest
	deadline time.Duration // of the invocation; 0 means 10 s
	corrupt  bool          // the event's body is not the base64 it claims
	lambda   bool          // only on Lambda (event encoding, response limit, deadline)
	notREST  bool          // not through a REST API, which handles it itself
	status   int
	code     int    // JSON-RPC error code; 0 means a result
	message  string // what the error message contains
	id       string // the error's id, as JSON
	data     string // the error's data, as JSON, if checked
}

// badInputCases are the classes of bad (and tolerated) input: what each
// answers is the table in docs/errors.md.
var badInputCases = []badInputCase{
	{
		name: "body over the cap", doc: "Body over Limits.MaxBodyBytes", status: 413, code: -32600, id: "",
		req:     jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"pad":"`+strings.Repeat("a", lambdamcp.DefaultMaxBodyBytes)+`"}}`, "MCP-Protocol-Version", legacy),
		message: "request body exceeds 4194304 bytes",
	},
	{
		name: "too many headers", doc: "More than Limits.MaxHeaders", status: 431, code: -32600, id: "",
		req: func() httpRequest {
			r := call("echo", `{}`)
			for i := range lambdamcp.DefaultMaxHeaders {
				r = withHeader(r, fmt.Sprintf("X-Pad-%d", i), "1")
			}
			return r
		}(),
		message: "header values; the limit is 200",
	},
	{
		name: "headers too large", doc: "Headers over Limits.MaxHeaderBytes", status: 431, code: -32600, id: "",
		req:     withHeader(call("echo", `{}`), "X-Pad", strings.Repeat("a", lambdamcp.DefaultMaxHeaderBytes)),
		message: "request headers exceed 65536 bytes",
	},
	{
		name: "nesting too deep", doc: "JSON nesting over", status: 400, code: -32700, id: "",
		req:     call("echo", strings.Repeat("[", 70)+strings.Repeat("]", 70)),
		message: "request body nests deeper than 64 levels",
	},
	{
		name: "batch over the cap", doc: "A batch the go-sdk serves (protocol 2025-03-26 or earlier, or no MCP-Protocol-Version) of more", status: 400, code: -32600, id: "",
		req:     jsonPost(pingBatch(lambdamcp.DefaultMaxBatchMessages+1), "MCP-Protocol-Version", "2025-03-26"),
		message: "batch has 257 messages; the limit is 256",
	},
	{
		name: "invalid UTF-8", doc: "Body not valid UTF-8", status: 400, code: -32700, id: "",
		req: func() httpRequest {
			r := call("echo\xff\xfe", `{}`)
			r.base64 = true // the only way an event carries bytes that are not UTF-8
			return r
		}(),
		message: "request body is not valid UTF-8",
	},
	{
		name: "malformed JSON", doc: "Malformed JSON", status: 400, code: -32700, id: "",
		req:     jsonPost(`{"jsonrpc":"2.0","id":1,"method":`, "MCP-Protocol-Version", legacy),
		message: "malformed payload: ",
	},
	{
		name: "UTF-16 body", doc: "Body not valid UTF-8", status: 400, code: -32700, id: "",
		// UTF-16LE, with its byte order mark.
		req:     utf16Post("\xff\xfe", false, `{"jsonrpc":"2.0","id":1,"method":"ping"}`),
		message: "request body is not valid UTF-8",
	},
	{
		// Without a byte order mark UTF-16 of ASCII text is NUL bytes
		// and ASCII ones: valid UTF-8, but no JSON.
		name: "UTF-16BE body without a byte order mark", doc: "Body not valid UTF-8", status: 400, code: -32700, id: "",
		req:     utf16Post("", true, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, "Content-Type", "application/json; charset=utf-16"),
		message: "request body is not valid UTF-8: it reads as UTF-16 or UTF-32",
	},
	{
		name: "UTF-16LE body without a byte order mark", doc: "Body not valid UTF-8", status: 400, code: -32700, id: "",
		req:     utf16Post("", false, ` {"jsonrpc":"2.0","id":1,"method":"ping"}`),
		message: "request body is not valid UTF-8: it reads as UTF-16 or UTF-32",
	},
	{
		// As much as a NUL byte beside nothing: no JSON text holds one.
		name: "body of one NUL byte", doc: "Body not valid UTF-8", status: 400, code: -32700, id: "",
		req:     jsonPost("\x00", "MCP-Protocol-Version", legacy),
		message: "request body is not valid UTF-8: it reads as UTF-16 or UTF-32",
	},
	{
		name: "body of white space alone", doc: "Malformed JSON", status: 400, code: -32700, id: "",
		req:     jsonPost(" \r\n\t ", "MCP-Protocol-Version", legacy),
		message: "malformed payload: ",
	},
	{
		name: "byte order mark before the JSON", doc: "A byte order mark before the JSON", status: 400, code: -32700, id: "",
		req:     jsonPost("\ufeff"+`{"jsonrpc":"2.0","id":1,"method":"ping"}`, "MCP-Protocol-Version", legacy),
		message: "request body begins with a byte order mark (U+FEFF)",
	},
	{
		name: "charset parameter other than UTF-8", doc: "Content-Type: application/json with a charset", status: 200, id: "1",
		req: jsonPost(`{"jsonrpc":"2.0","id":1,"method":"ping"}`, "MCP-Protocol-Version", legacy, "Content-Type", "application/json; charset=latin1"),
	},
	{
		// One JSON text is one value (RFC 8259): the go-sdk would serve
		// the first message and drop the second unanswered.
		name: "a second message after the first", doc: "Anything but whitespace after", status: 400, code: -32700, id: "",
		req:     jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/list"} {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"boom"}}`, "MCP-Protocol-Version", legacy),
		message: "request body goes on after its JSON value: it must be one JSON-RPC message",
	},
	{
		name: "text after the message, 2026-07-28", doc: "Anything but whitespace after", status: 400, code: -32700, id: "",
		req:     jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{`+modernMeta+`}}]x`, "MCP-Protocol-Version", modern, "Mcp-Method", "tools/list"),
		message: "request body goes on after its JSON value: it must be one JSON-RPC message",
	},
	{
		name: "whitespace after the message", doc: "Whitespace after the body's JSON value", status: 200, id: "1",
		req: jsonPost("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"bytes\":1}}} \r\n\t\n", "MCP-Protocol-Version", legacy),
	},
	{
		name: "JSON that is no JSON-RPC message", doc: "JSON that is no JSON-RPC request", status: 400, code: -32600, id: "",
		req:     jsonPost(`{"foo":1}`, "MCP-Protocol-Version", legacy),
		message: "malformed payload: ",
	},
	{
		name: "JSON-RPC 1.0 request", doc: "JSON that is no JSON-RPC request", status: 400, code: -32600, id: "1",
		req:     jsonPost(`{"jsonrpc":"1.0","id":1,"method":"ping"}`, "MCP-Protocol-Version", legacy),
		message: "malformed payload: ",
	},
	{
		name: "method of the wrong type, 2026-07-28", doc: "JSON that is no JSON-RPC request", status: 400, code: -32600, id: "",
		req:     jsonPost(`{"jsonrpc":"2.0","id":1,"method":5,"params":{`+modernMeta+`}}`, "MCP-Protocol-Version", modern, "Mcp-Method", "tools/list"),
		message: "malformed payload: ",
	},
	{
		name: "JSON null", doc: "JSON that is no JSON-RPC request", status: 400, code: -32600, id: "",
		req:     jsonPost(`null`, "MCP-Protocol-Version", legacy),
		message: "malformed payload: ",
	},
	{
		// No id the error could carry: JSON-RPC ids are strings and numbers.
		name: "id that is an object", doc: "JSON that is no JSON-RPC request", status: 400, code: -32600, id: "",
		req:     jsonPost(`{"jsonrpc":"2.0","id":{"n":1},"method":"ping"}`, "MCP-Protocol-Version", legacy),
		message: "malformed payload: ",
	},
	{
		name: "id that is a boolean, 2026-07-28", doc: "JSON that is no JSON-RPC request", status: 400, code: -32600, id: "",
		req:     jsonPost(`{"jsonrpc":"2.0","id":true,"method":"tools/list","params":{`+modernMeta+`}}`, "MCP-Protocol-Version", modern, "Mcp-Method", "tools/list"),
		message: "malformed payload: ",
	},
	{
		// JSON-RPC 2.0 answers an empty array with one Invalid Request.
		name: "empty batch, 2025-03-26", doc: "JSON that is no JSON-RPC request", status: 400, code: -32600, id: "",
		req:     jsonPost(`[]`),
		message: "malformed payload: empty batch",
	},
	{
		name: "empty batch, 2025-11-25", doc: "JSON that is no JSON-RPC request", status: 400, code: -32600, id: "",
		req:     jsonPost(`[]`, "MCP-Protocol-Version", legacy),
		message: "malformed payload: empty batch",
	},
	{
		// A request of that era is answered with a JSON-RPC response,
		// which clients read from a 2xx (an HTTP error is a transport
		// failure to them).
		name: "unknown method, 2025-11-25", doc: "Unknown method, 2025-11-25", status: 200, code: -32601, id: "6",
		req:     jsonPost(`{"jsonrpc":"2.0","id":6,"method":"foo/bar","params":{}}`, "MCP-Protocol-Version", legacy),
		message: `JSON RPC not handled: "foo/bar" unsupported`,
	},
	{
		name: "tools/call without params, 2025-11-25", doc: "A request without the params member", status: 200, code: -32602, id: "5",
		req:     jsonPost(`{"jsonrpc":"2.0","id":5,"method":"tools/call"}`, "MCP-Protocol-Version", legacy),
		message: `invalid request: missing required "params"`,
	},
	{
		// That era's transport answers a request's errors 400 itself.
		name: "tools/call without params, 2026-07-28", doc: "A request without the params member", status: 400, code: -32602, id: "5",
		req:     jsonPost(`{"jsonrpc":"2.0","id":5,"method":"tools/call"}`, "MCP-Protocol-Version", modern, "Mcp-Method", "tools/call"),
		message: `invalid request: missing required "params"`,
	},
	{
		name: "tools/call without params, no version header (2025-03-26)", doc: "A request without the params member", status: 200, code: -32602, id: "5",
		req:     jsonPost(`{"jsonrpc":"2.0","id":5,"method":"tools/call"}`),
		message: `invalid request: missing required "params"`,
	},
	{
		// A batch (2025-03-26, no version header) is refused whole by the
		// go-sdk: no one answer could stand for each of its requests.
		name: "batch with an unknown method, 2025-03-26", doc: "Unknown method, 2025-11-25", status: 400, code: -32601, id: "",
		req:     jsonPost(`[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"foo/bar"}]`),
		message: `JSON RPC not handled: "foo/bar" unsupported`,
	},
	{
		// The spec refuses a level it does not know; the go-sdk took it.
		name: "logging/setLevel with an unknown level, 2025-11-25", doc: "logging/setLevel to a level", status: 200, code: -32602, id: "9",
		req:     jsonPost(`{"jsonrpc":"2.0","id":9,"method":"logging/setLevel","params":{"level":"loud"}}`, "MCP-Protocol-Version", legacy),
		message: `invalid log level "loud": want one of debug,`,
	},
	{
		// That era's code for an unknown resource; the go-sdk gives every
		// era 2026-07-28's.
		name: "resources/read of an unknown resource, 2025-11-25", doc: "resources/read of an unknown resource, 2025-11-25", status: 200, code: -32002, id: "9",
		req:     jsonPost(`{"jsonrpc":"2.0","id":9,"method":"resources/read","params":{"uri":"file:///nonexistent"}}`, "MCP-Protocol-Version", legacy),
		message: "Resource not found",
	},
	{
		name: "resources/read of an unknown resource, 2026-07-28", doc: "resources/read of an unknown resource, 2026-07-28", status: 400, code: -32602, id: "9",
		req: jsonPost(`{"jsonrpc":"2.0","id":9,"method":"resources/read","params":{"uri":"file:///nonexistent",`+modernMeta+`}}`,
			"MCP-Protocol-Version", modern, "Mcp-Method", "resources/read", "Mcp-Name", "file:///nonexistent"),
		message: "Resource not found",
	},
	{
		name: "unknown method, 2026-07-28", doc: "Unknown method, 2026-07-28", status: 404, code: -32601, id: "6",
		req:     jsonPost(`{"jsonrpc":"2.0","id":6,"method":"foo/bar","params":{`+modernMeta+`}}`, "MCP-Protocol-Version", modern, "Mcp-Method", "foo/bar"),
		message: "unsupported",
	},
	{
		name: "empty body", doc: "Empty POST body", status: 400, code: -32700, id: "",
		req:     jsonPost(``, "MCP-Protocol-Version", legacy),
		message: "POST requires a non-empty body",
	},
	{
		name: "invalid base64 in the event", doc: "Event body that is not the base64", lambda: true, status: 400, code: -32700, id: "", corrupt: true,
		req:     func() httpRequest { r := call("echo", `{}`); r.base64 = true; return r }(),
		message: "event body is not valid base64: ",
	},
	{
		name: "batch in 2025-11-25", doc: "JSON-RPC batch, protocol 2025-06-18 or later", status: 400, code: -32600, id: "",
		req:     jsonPost(`[{"jsonrpc":"2.0","id":1,"method":"tools/list"}]`, "MCP-Protocol-Version", legacy),
		message: "JSON-RPC batching is not supported in 2025-06-18 and later",
	},
	{
		// The go-sdk refuses the batch as a batch: its ids are not
		// judged (lambdamcp judges those of the eras with batches).
		name: "batch of a repeated id in 2025-11-25", doc: "JSON-RPC batch, protocol 2025-06-18 or later", status: 400, code: -32600, id: "",
		req:     jsonPost(`[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":1,"method":"ping"}]`, "MCP-Protocol-Version", legacy),
		message: "JSON-RPC batching is not supported in 2025-06-18 and later",
	},
	{
		name: "batch in 2026-07-28", doc: "JSON-RPC batch, protocol 2025-06-18 or later", status: 400, code: -32600, id: "",
		req:     jsonPost(`[{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{`+modernMeta+`}}]`, "MCP-Protocol-Version", modern, "Mcp-Method", "tools/list"),
		message: "JSON-RPC batching is not supported in 2025-06-18 and later",
	},
	{
		name: "wrong Content-Type", doc: "Content-Type other than", status: 415, code: -32600, id: "",
		req:     withHeader(call("echo", `{}`), "Content-Type", "text/plain"),
		message: "Content-Type must be 'application/json'",
	},
	{
		// The go-sdk told such a client that its Content-Type must be
		// the very media type it sent.
		name: "Content-Type with a parameter that does not parse", doc: "Content-Type: application/json with a parameter that does not parse", status: 415, code: -32600, id: "7",
		req:     withHeader(call("echo", `{}`), "Content-Type", `application/json; charset="utf-8`),
		message: "Content-Type must be 'application/json': its parameters do not parse (mime: invalid media parameter)",
	},
	{
		// Two Content-Type headers, as an HTTP API or Function URL joins
		// them, and as net/http reads them locally (the first served).
		name: "Content-Type given twice", doc: "Content-Type given more than once", status: 415, code: -32600, id: "",
		req:     withHeader(call("echo", `{}`), "Content-Type", "application/json, application/json"),
		message: "Content-Type header given more than once",
	},
	{
		name: "Content-Type given twice, a parameter in the first", doc: "Content-Type given more than once", status: 415, code: -32600, id: "",
		req:     withHeader(call("echo", `{}`), "Content-Type", "application/json; charset=utf-8,text/plain"),
		message: "Content-Type header given more than once",
	},
	{
		// A quoted parameter value may hold a comma.
		name: "Content-Type with a comma in a quoted parameter", doc: "Content-Type: application/json with a charset", status: 200, id: "7",
		req: jsonPost(`{"jsonrpc":"2.0","id":7,"method":"ping"}`, "MCP-Protocol-Version", legacy, "Content-Type", `application/json; x="a,b"`),
	},
	{
		name: "Content-Type with a parameter without a value", doc: "Content-Type: application/json with a parameter that does not parse", status: 415, code: -32600, id: "7",
		req:     withHeader(call("echo", `{}`), "Content-Type", `application/json; charset`),
		message: "Content-Type must be 'application/json': its parameters do not parse",
	},
	// An id the go-sdk would answer changed is refused, with the id as
	// the client wrote it: the go-sdk would have rounded it, or replaced
	// its lone surrogate.
	{
		name: "fractional id", doc: "A request id that is a number", status: 400, code: -32600, id: "1.5",
		req:     jsonPost(`{"jsonrpc":"2.0","id":1.5,"method":"tools/list"}`, "MCP-Protocol-Version", legacy),
		message: "the request id must be a string of valid Unicode or an integer of at most 2^53-1 in magnitude",
	},
	{
		// The media type is read without its parameters and its case.
		name: "fractional id, Content-Type with a charset", doc: "A request id that is a number", status: 400, code: -32600, id: "1.5",
		req: jsonPost(`{"jsonrpc":"2.0","id":1.5,"method":"tools/list"}`, "MCP-Protocol-Version", legacy,
			"Content-Type", "Application/JSON; charset=utf-8"),
		message: "the request id must be a string of valid Unicode or an integer of at most 2^53-1 in magnitude",
	},
	{
		name: "id past 2^53", doc: "A request id that is a number", status: 400, code: -32600, id: "9007199254740993",
		req:     jsonPost(`{"jsonrpc":"2.0","id":9007199254740993,"method":"tools/list"}`, "MCP-Protocol-Version", legacy),
		message: "the request id must be a string of valid Unicode or an integer of at most 2^53-1 in magnitude",
	},
	{
		name: "id past float64", doc: "A request id that is a number", status: 400, code: -32600, id: "1e400",
		req:     jsonPost(`{"jsonrpc":"2.0","id":1e400,"method":"tools/list"}`, "MCP-Protocol-Version", legacy),
		message: "the request id must be a string of valid Unicode or an integer of at most 2^53-1 in magnitude",
	},
	{
		name: "long fractional id", doc: "A request id that is a number", status: 400, code: -32600, id: "12345678901234567890.5",
		req:     jsonPost(`{"jsonrpc":"2.0","id":12345678901234567890.5,"method":"tools/list"}`, "MCP-Protocol-Version", legacy),
		message: "the request id must be a string of valid Unicode or an integer of at most 2^53-1 in magnitude",
	},
	{
		// Byte for byte: no escaping of the "<" either.
		name: "id with a lone surrogate and HTML's characters", doc: "A request id that is a number", status: 400, code: -32600, id: `"<a\ud800>"`,
		req:     jsonPost(`{"jsonrpc":"2.0","id":"<a\ud800>","method":"tools/list"}`, "MCP-Protocol-Version", legacy),
		message: "the request id must be a string of valid Unicode or an integer of at most 2^53-1 in magnitude",
	},
	{
		name: "id with a lone surrogate at the echo bound", doc: "A request id that is a number", status: 400, code: -32600, id: `"\ud800` + strings.Repeat("a", 256-8) + `"`,
		req:     jsonPost(`{"jsonrpc":"2.0","id":"\ud800`+strings.Repeat("a", 256-8)+`","method":"tools/list"}`, "MCP-Protocol-Version", legacy),
		message: "the request id must be a string of valid Unicode or an integer of at most 2^53-1 in magnitude",
	},
	{
		// Too long to repeat: refused without an id.
		name: "id with a lone surrogate past the echo bound", doc: "A request id that is a number", status: 400, code: -32600, id: "",
		req:     jsonPost(`{"jsonrpc":"2.0","id":"\ud800`+strings.Repeat("a", 256-7)+`","method":"tools/list"}`, "MCP-Protocol-Version", legacy),
		message: "the request id must be a string of valid Unicode or an integer of at most 2^53-1 in magnitude",
	},
	{
		name: "id with a lone surrogate", doc: "A request id that is a number", status: 400, code: -32600, id: `"a\ud800"`,
		req:     jsonPost(`{"jsonrpc":"2.0","id":"a\ud800","method":"tools/list"}`, "MCP-Protocol-Version", legacy),
		message: "the request id must be a string of valid Unicode or an integer of at most 2^53-1 in magnitude",
	},
	{
		name: "2026-07-28 params the go-sdk cannot decode", doc: "2026-07-28: tools/call, prompts/get or resources/read whose params", status: 400, code: -32602, id: "8",
		req: jsonPost(`{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"echo","arguments":{},"requestState":5,`+modernMeta+`}}`,
			"MCP-Protocol-Version", modern, "Mcp-Method", "tools/call", "Mcp-Name", "echo"),
		message: "failed to extract name from parameters", // the go-sdk's -32020, recoded
	},
	{
		name: "2026-07-28 log level unknown", doc: "2026-07-28 call: _meta io.modelcontextprotocol/logLevel", status: 400, code: -32602, id: "8",
		req: jsonPost(`{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"echo","arguments":{"bytes":1},"_meta":{`+modernMetaFields+`,"io.modelcontextprotocol/logLevel":"bogus"}}}`,
			"MCP-Protocol-Version", modern, "Mcp-Method", "tools/call", "Mcp-Name", "echo"),
		message: `invalid _meta "io.modelcontextprotocol/logLevel": want one of debug,`,
	},
	{
		name: "2026-07-28 log level not a string", doc: "2026-07-28 call: _meta io.modelcontextprotocol/logLevel", status: 400, code: -32602, id: "8",
		req: jsonPost(`{"jsonrpc":"2.0","id":8,"method":"tools/list","params":{"_meta":{`+modernMetaFields+`,"io.modelcontextprotocol/logLevel":5}}}`,
			"MCP-Protocol-Version", modern, "Mcp-Method", "tools/list"),
		message: `invalid _meta "io.modelcontextprotocol/logLevel": want one of debug,`,
	},
	{
		name: "2025-11-25 log level in _meta, not read in that era", doc: "_meta io.modelcontextprotocol/logLevel before 2026-07-28", status: 200, code: 0, id: "8",
		req:     jsonPost(`{"jsonrpc":"2.0","id":8,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/logLevel":"bogus"}}}`, "MCP-Protocol-Version", legacy),
		message: "",
	},
	{
		name: "gzip body", doc: "Content-Encoding other than identity", status: 415, code: -32600, id: "", notREST: true,
		req:     withHeader(call("echo", `{}`), "Content-Encoding", "gzip"),
		message: "the request body must not be content-encoded",
	},
	{
		// A REST API decompresses a body itself; one that reaches the
		// function still coded is refused as such everywhere.
		name: "gzip body still coded", doc: "Content-Encoding other than identity", status: 415, code: -32600, id: "",
		req:     codedPost("gzip", `{"jsonrpc":"2.0","id":7,"method":"ping"}`),
		message: "the request body must not be content-encoded",
	},
	{
		name: "deflate body still coded", doc: "Content-Encoding other than identity", status: 415, code: -32600, id: "",
		req:     codedPost("deflate", `{"jsonrpc":"2.0","id":7,"method":"ping"}`),
		message: "the request body must not be content-encoded",
	},
	{
		name: "a coding after identity", doc: "Content-Encoding other than identity", status: 415, code: -32600, id: "", notREST: true,
		req:     withHeader(call("echo", `{}`), "Content-Encoding", "identity, br"),
		message: "the request body must not be content-encoded",
	},
	{
		name: "Accept admits nothing served", doc: "Accept admitting nothing", status: 406, code: -32600, id: "7",
		req:     withHeader(call("echo", `{}`), "Accept", "text/html"),
		message: "Accept must admit application/json",
	},
	{
		name: "Accept only text/event-stream", doc: "Accept admitting nothing", status: 406, code: -32600, id: "7",
		req:     withHeader(call("echo", `{}`), "Accept", "text/event-stream"),
		message: "Accept must admit application/json",
	},
	{
		name: "Accept only application/json", doc: "Accept: application/json alone", status: 200, id: "7",
		req: withHeader(call("echo", `{"bytes":3}`), "Accept", "application/json"),
	},
	{
		name: "Accept application/*", doc: "Accept: application/json alone", status: 200, id: "7",
		req: withHeader(call("echo", `{"bytes":3}`), "Accept", "application/*"),
	},
	{
		name: "Accept */*", doc: "Accept: */*", status: 200, id: "7",
		req: withHeader(call("echo", `{"bytes":3}`), "Accept", "*/*"),
	},
	{
		name: "no Accept", doc: "Accept: */*", status: 200, id: "7",
		req: withHeader(call("echo", `{"bytes":3}`), "Accept", ""),
	},
	{
		// The go-sdk answers subscriptions/listen with an event stream,
		// whatever its JSONResponse option says.
		name: "subscriptions/listen, Accept only application/json", doc: "Accept admitting nothing", status: 406, code: -32600, id: "7",
		req: withHeader(jsonPost(`{"jsonrpc":"2.0","id":7,"method":"subscriptions/listen","params":{"notifications":{"toolsListChanged":true},`+modernMeta+`}}`,
			"MCP-Protocol-Version", modern, "Mcp-Method", "subscriptions/listen"), "Accept", "application/json"),
		message: "Accept must contain both 'application/json' and 'text/event-stream'",
	},
	{
		// Both are listed: the answer says why that is not enough.
		name: "subscriptions/listen, text/event-stream of weight 0", doc: "Accept admitting nothing", status: 406, code: -32600, id: "7",
		req: withHeader(jsonPost(`{"jsonrpc":"2.0","id":7,"method":"subscriptions/listen","params":{"notifications":{"toolsListChanged":true},`+modernMeta+`}}`,
			"MCP-Protocol-Version", modern, "Mcp-Method", "subscriptions/listen"), "Accept", "application/json, text/event-stream;q=0"),
		message: "Accept must contain both 'application/json' and 'text/event-stream' of a weight above 0: q=0 admits nothing",
	},
	{
		name: "application/json of weight 0", doc: "Accept admitting nothing", status: 406, code: -32600, id: "7",
		req:     withHeader(call("echo", `{}`), "Accept", "application/json;q=0, text/event-stream"),
		message: "Accept must admit application/json: this server answers JSON, and q=0 admits nothing",
	},
	{
		name: "trailing slash", doc: "/mcp/ (trailing slash)", status: 200, id: "7",
		req: func() httpRequest { r := call("echo", `{"bytes":3}`); r.path = "/mcp/"; return r }(),
	},
	{
		name: "unsupported MCP-Protocol-Version", doc: "MCP-Protocol-Version the go-sdk serves in no era", status: 400, code: -32022, id: "7",
		req:     call("echo", `{}`, "MCP-Protocol-Version", "1999-01-01"),
		message: "Unsupported protocol version",
		data:    `{"supported":["2026-07-28","2025-11-25","2025-06-18","2025-03-26","2024-11-05"],"requested":"1999-01-01"}`,
	},
	{
		name: "unknown MCP-Protocol-Version without _meta", doc: "MCP-Protocol-Version the go-sdk serves in no era", status: 400, code: -32022, id: "1",
		req:     jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, "MCP-Protocol-Version", "2026-08-01", "Mcp-Method", "tools/list"),
		message: "Unsupported protocol version",
		data:    `{"supported":["2026-07-28","2025-11-25","2025-06-18","2025-03-26","2024-11-05"],"requested":"2026-08-01"}`,
	},
	{
		name: "unsupported future protocol version", doc: "MCP-Protocol-Version the go-sdk serves in no era", status: 400, code: -32022, id: "1",
		req: jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2099-01-01","io.modelcontextprotocol/clientInfo":{"name":"t","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}`,
			"MCP-Protocol-Version", "2099-01-01", "Mcp-Method", "tools/list"),
		message: "Unsupported protocol version",
		data:    `{"supported":["2026-07-28","2025-11-25","2025-06-18","2025-03-26","2024-11-05"],"requested":"2099-01-01"}`,
	},
	{
		name: "GET", doc: "GET or DELETE on the endpoint", status: 405, code: -32600, id: "",
		req:     httpRequest{method: "GET", path: "/mcp", header: map[string]string{"Accept": "text/event-stream"}},
		message: "Method Not Allowed",
	},
	{
		// lambdamcp cannot tell a stateless handler from a stateful one,
		// whose GET naming a session opens its stream.
		name: "GET naming a session, Accept admitting no stream", doc: "Accept admitting nothing the server answers", status: 406, code: -32600, id: "",
		req:     httpRequest{method: "GET", path: "/mcp", header: map[string]string{"Accept": "application/json", "Mcp-Session-Id": "s1"}},
		message: "Accept must admit text/event-stream: a GET opens the session's event stream",
	},
	{
		name: "DELETE naming a session, a later version", doc: "MCP-Protocol-Version the go-sdk serves in no era", status: 400, code: -32022, id: "",
		req:     httpRequest{method: "DELETE", path: "/mcp", header: map[string]string{"MCP-Protocol-Version": "2099-01-01", "Mcp-Session-Id": "s1"}},
		message: "Unsupported protocol version",
	},
	{
		// The go-sdk checks the version before the method.
		name: "GET naming no session, an earlier version", doc: "MCP-Protocol-Version the go-sdk serves in no era", status: 400, code: -32022, id: "",
		req:     httpRequest{method: "GET", path: "/mcp", header: map[string]string{"Accept": "text/event-stream", "MCP-Protocol-Version": "1999-01-01"}},
		message: "Unsupported protocol version",
	},
	{
		name: "DELETE naming no session, a later version", doc: "GET or DELETE on the endpoint", status: 405, code: -32600, id: "",
		req:     httpRequest{method: "DELETE", path: "/mcp", header: map[string]string{"MCP-Protocol-Version": "2099-01-01"}},
		message: "Method Not Allowed",
	},
	{
		name: "response over Lambda's limit", doc: "Tool result over Lambda's 6 MB", lambda: true, status: 200, code: -32603, id: "7",
		req:     call("echo", fmt.Sprintf(`{"bytes":%d}`, testMaxResponse)),
		message: "bytes exceeds the Lambda response limit of 262144 bytes",
	},
	{
		name: "panicking tool", doc: "Tool panics", status: 200, code: -32603, id: "7",
		req:     call("boom", `{}`),
		message: "internal error", // and the Lambda request id, on Lambda (TestPanickingTool)
	},
	{
		name: "slow tool", doc: "Tool still running near the deadline", lambda: true, status: 200, code: -32001, id: "7", deadline: 2 * testMargin,
		req:     call("slow", `{}`),
		message: `tool "slow" timed out`, // by Middleware, or the guard on a busy machine (TestSlowTool)
	},
	{
		name: "slow tool ignoring its context", doc: "Tool still running near the deadline, ignoring", lambda: true, status: 200, code: -32001, id: "7", deadline: 2 * testMargin,
		req:     call("stubborn", `{}`),
		message: `tool "stubborn" timed out: the request's deadline passed before it answered`,
	},
	{
		name: "slow tool, 2026-07-28", doc: "Tool still running near the deadline", lambda: true, status: 200, code: -32603, id: "8", deadline: 2 * testMargin, // no -32000…-32019 in that era
		req: jsonPost(`{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"slow","arguments":{},`+modernMeta+`}}`,
			"MCP-Protocol-Version", modern, "Mcp-Method", "tools/call", "Mcp-Name", "slow"),
		message: `tool "slow" timed out`, // by Middleware, or the guard on a busy machine (TestSlowTool)
	},
	{
		name: "slow tool ignoring its context, 2026-07-28", doc: "Tool still running near the deadline, ignoring", lambda: true, status: 200, code: -32603, id: "8", deadline: 2 * testMargin,
		req: jsonPost(`{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"stubborn","arguments":{},`+modernMeta+`}}`,
			"MCP-Protocol-Version", modern, "Mcp-Method", "tools/call", "Mcp-Name", "stubborn"),
		message: `tool "stubborn" timed out: the request's deadline passed before it answered`,
	},
}

// TestBadInput sends every class of bad input through every event shape
// and checks the status and the JSON-RPC error.
func TestBadInput(t *testing.T) {
	server, _ := newHardServer(t)
	var logs bytes.Buffer
	h := lambdamcp.NewHandler(streamableMux(server), hardOptions(&logs))
	for _, tc := range badInputCases {
		for _, shape := range shapes {
			if tc.notREST && shape.name == "rest" {
				continue
			}
			t.Run(tc.name+"/"+shape.name, func(t *testing.T) {
				resp := invokeCase(t, h, tc, shape)
				checkAnswer(t, resp.StatusCode, resp.header("Content-Type"), resp.body(t), tc.status, tc.code, tc.message, tc.id, tc.data)
			})
		}
	}
}

// invokeCase sends tc through one event shape, as an invocation with
// tc's deadline.
func invokeCase(t *testing.T, h *lambdamcp.Handler, tc badInputCase, shape eventShape) lambdaResponse {
	t.Helper()
	payload := shape.build(t, tc.req)
	if tc.corrupt {
		payload = corruptBody(t, payload)
	}
	deadline := tc.deadline
	if deadline == 0 {
		deadline = 10 * time.Second
	}
	ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "test-request-id"})
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	out, err := h.Invoke(ctx, payload)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	var resp lambdaResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response is not JSON: %v", err)
	}
	return resp
}

// checkAnswer checks one answer against a badInputCases row.
func checkAnswer(t *testing.T, status int, contentType string, body []byte, wantStatus, code int, message, id, data string) {
	t.Helper()
	if status != wantStatus {
		t.Errorf("status = %d, want %d (body %.300s)", status, wantStatus, body)
	}
	if contentType != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", contentType)
	}
	var a rpcAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatalf("body is not JSON: %v: %.300s", err, body)
	}
	if got := string(a.ID); got != id {
		t.Errorf("id = %s, want %s", or(got, "none"), or(id, "none"))
	}
	if code == 0 {
		if a.Error != nil || a.Result == nil || a.Result.IsError {
			t.Errorf("want a result, got %.300s", body)
		}
		return
	}
	if a.Error == nil {
		t.Fatalf("want error %d, got %.300s", code, body)
	}
	if a.Error.Code != code {
		t.Errorf("code = %d, want %d (%s)", a.Error.Code, code, a.Error.Message)
	}
	if !strings.Contains(a.Error.Message, message) {
		t.Errorf("message = %q, want it to contain %q", a.Error.Message, message)
	}
	if data != "" {
		var want, got any
		json.Unmarshal([]byte(data), &want)
		json.Unmarshal(a.Error.Data, &got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("data mismatch (-want +got):\n%s", diff)
		}
	}
}

// TestBadInputLocalHTTP sends the same bad input to a local server over
// real HTTP, through Guard: it must answer as the Lambda function does.
func TestBadInputLocalHTTP(t *testing.T) {
	server, _ := newHardServer(t)
	srv := httptest.NewServer(lambdamcp.Guard(streamableMux(server), hardOptions(new(bytes.Buffer))))
	defer srv.Close()
	for _, tc := range badInputCases {
		if tc.lambda {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.req.method, srv.URL+tc.req.path, strings.NewReader(tc.req.body))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.req.header {
				req.Header.Set(k, v)
			}
			if _, ok := tc.req.header["Accept"]; !ok {
				req.Header["Accept"] = nil
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			checkAnswer(t, resp.StatusCode, resp.Header.Get("Content-Type"), body, tc.status, tc.code, tc.message, tc.id, tc.data)
		})
	}
}

// TestCheckOriginFirst checks that with Options.CheckOrigin a foreign
// Origin is refused with 403 before any other check, as the MCP transport
// requires, on every event shape; an allowed Origin meets the usual checks.
func TestCheckOriginFirst(t *testing.T) {
	server, _ := newHardServer(t)
	opts := hardOptions(new(bytes.Buffer))
	opts.CheckOrigin = func(r *http.Request) bool { return r.Header.Get("Origin") == "https://ok.example" }
	h := lambdamcp.NewHandler(streamable(server), opts)
	manyHeaders := call("echo", `{}`)
	for i := range lambdamcp.DefaultMaxHeaders + 1 {
		manyHeaders = withHeader(manyHeaders, fmt.Sprintf("X-Pad-%d", i), "x")
	}
	tests := []struct {
		name, origin string
		req          httpRequest
		status       int
		message      string
	}{
		{"foreign, bad Accept", "https://evil.example", withHeader(call("echo", `{}`), "Accept", "text/html"), 403, "Forbidden: origin not allowed"},
		{"foreign, too many headers", "https://evil.example", manyHeaders, 403, "Forbidden: origin not allowed"},
		{"foreign, bad version", "https://evil.example", call("echo", `{}`, "MCP-Protocol-Version", "2099-01-01"), 403, "Forbidden: origin not allowed"},
		{"allowed, bad Accept", "https://ok.example", withHeader(call("echo", `{}`), "Accept", "text/html"), 406, "Accept must admit"},
		{"allowed", "https://ok.example", call("echo", `{"bytes":1}`), 200, ""},
	}
	for _, tc := range tests {
		for _, shape := range shapes {
			t.Run(tc.name+"/"+shape.name, func(t *testing.T) {
				resp := invoke(t, h, shape.build(t, withHeader(tc.req, "Origin", tc.origin)))
				if tc.status == 200 {
					if resp.StatusCode != 200 {
						t.Errorf("status %d, body %s", resp.StatusCode, resp.body(t))
					}
					return
				}
				id := "7"
				if tc.status == 403 || tc.name == "foreign, too many headers" {
					id = ""
				}
				checkAnswer(t, resp.StatusCode, resp.header("Content-Type"), resp.body(t), tc.status, -32600, tc.message, id, "")
			})
		}
	}
}

// TestSlowTool checks that a tool honouring its context answers its own
// timeout through Middleware, with how long it ran, well before the guard
// would have to answer for it.
func TestSlowTool(t *testing.T) {
	server, _ := newHardServer(t)
	opts := hardOptions(new(bytes.Buffer))
	// The tool's context ends 1 s from now; the guard would answer for it
	// only 4.5 s later, ample time on a busy machine.
	opts.DeadlineMargin = 9 * time.Second
	h := lambdamcp.NewHandler(streamable(server), opts)
	ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "slow"})
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := h.Invoke(ctx, restEvent(t, call("slow", `{}`)))
	if err != nil {
		t.Fatal(err)
	}
	var resp lambdaResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	checkAnswer(t, resp.StatusCode, resp.header("Content-Type"), resp.body(t), 200, -32001,
		`tool "slow" timed out after`, "7", "")
	checkAnswer(t, resp.StatusCode, resp.header("Content-Type"), resp.body(t), 200, -32001,
		`: the request's deadline was near`, "7", "")
}

// TestTimeoutWithoutID checks the guard's answer for a request the handler
// did not answer in time: a call gets its JSON-RPC error with status 200,
// as its answer; a notification has no call to answer, and gets 504, an
// HTTP error status as the transport requires of input the server could
// not accept, with the error in JSON and no id. Either way the code is the
// era's: -32001 through 2025-11-25, -32603 from 2026-07-28.
func TestTimeoutWithoutID(t *testing.T) {
	stuck := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	opts := hardOptions(new(bytes.Buffer))
	opts.DeadlineMargin = time.Second
	h := lambdamcp.NewHandler(stuck, opts)
	// From 2026-07-28, whose spec keeps -32000 to -32019 from
	// implementations, the code is the internal error's.
	modernPost := func(body, method string) httpRequest {
		return jsonPost(body, "MCP-Protocol-Version", modern, "Mcp-Method", method)
	}
	for _, tc := range []struct {
		name    string
		req     httpRequest
		status  int
		code    int
		id      string
		message string
	}{
		{"call, " + legacy, jsonPost(`{"jsonrpc":"2.0","id":3,"method":"tools/list"}`, "MCP-Protocol-Version", legacy),
			200, -32001, "3", "tools/list timed out: the request's deadline passed before it was answered"},
		{"notification, " + legacy, jsonPost(`{"jsonrpc":"2.0","method":"notifications/initialized"}`, "MCP-Protocol-Version", legacy),
			504, -32001, "", "notifications/initialized timed out: the request's deadline passed before it was answered"},
		{"call, " + modern, modernPost(`{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{`+modernMeta+`}}`, "tools/list"),
			200, -32603, "3", "tools/list timed out: the request's deadline passed before it was answered"},
		{"notification, " + modern, modernPost(`{"jsonrpc":"2.0","method":"notifications/initialized","params":{`+modernMeta+`}}`, "notifications/initialized"),
			504, -32603, "", "notifications/initialized timed out: the request's deadline passed before it was answered"},
		// A call that names no tool is named by its method.
		{"call naming no tool, " + legacy, jsonPost(`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"arguments":{}}}`, "MCP-Protocol-Version", legacy),
			200, -32001, "4", "tools/call timed out: the request's deadline passed before it was answered"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "late"})
			ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			out, err := h.Invoke(ctx, restEvent(t, tc.req))
			if err != nil {
				t.Fatal(err)
			}
			var resp lambdaResponse
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			checkAnswer(t, resp.StatusCode, resp.header("Content-Type"), resp.body(t), tc.status, tc.code, tc.message, tc.id, "")
		})
	}
}

// streamableMux serves s at /mcp and /mcp/, as the reference server does.
func streamableMux(s *mcp.Server) http.Handler {
	mux := http.NewServeMux()
	h := streamable(s)
	mux.Handle("/mcp", h)
	mux.Handle("/mcp/", h)
	return mux
}

// TestNarrowedVersions checks a server that serves fewer versions than the
// go-sdk knows (ServerOptions.SupportedProtocolVersions): a version it
// narrowed away, or an unknown earlier one, is refused with the spec's
// UnsupportedProtocolVersionError listing the server's own versions, so
// that the client retries with one the server serves. (The SDK refuses in
// plain text; lambdamcp shapes it.)
func TestNarrowedVersions(t *testing.T) {
	s := mcp.NewServer(&mcp.Implementation{Name: "narrow", Version: "1"},
		&mcp.ServerOptions{SupportedProtocolVersions: []string{"2026-07-28", "2025-11-25"}})
	h := lambdamcp.NewHandler(streamable(s), &lambdamcp.Options{JSONResponse: true})
	for _, v := range []string{"2025-06-18", "1999-01-01", "2025-01-01"} {
		t.Run(v, func(t *testing.T) {
			req := jsonPost(`{"jsonrpc":"2.0","id":3,"method":"tools/list"}`, "MCP-Protocol-Version", v)
			resp := invoke(t, h, restEvent(t, req))
			checkAnswer(t, resp.StatusCode, resp.header("Content-Type"), resp.body(t), 400, -32022, "Unsupported protocol version", "3",
				`{"supported":["2026-07-28","2025-11-25"],"requested":"`+v+`"}`)
		})
	}
	// The go-sdk refuses an era narrowed away from 2026-07-28 on itself,
	// in that era's words.
	t.Run(modern+" narrowed away", func(t *testing.T) {
		s := mcp.NewServer(&mcp.Implementation{Name: "narrow", Version: "1"}, &mcp.ServerOptions{SupportedProtocolVersions: []string{legacy}})
		h := lambdamcp.NewHandler(streamable(s), &lambdamcp.Options{JSONResponse: true})
		req := jsonPost(`{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{`+modernMeta+`}}`, "MCP-Protocol-Version", modern, "Mcp-Method", "tools/list")
		resp := invoke(t, h, restEvent(t, req))
		checkAnswer(t, resp.StatusCode, resp.header("Content-Type"), resp.body(t), 400, -32022, "unsupported protocol version", "3",
			`{"supported":["`+legacy+`"],"requested":"`+modern+`"}`)
	})
}

// or returns s, or def if s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// serveLocally serves req through h in-process, as net/http would hand it
// over, with its headers changed by edit (if not nil).
func serveLocally(h http.Handler, req httpRequest, edit func(http.Header)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(req.method, req.path, strings.NewReader(req.body))
	for k, v := range req.header {
		r.Header.Set(k, v)
	}
	if edit != nil {
		edit(r.Header)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestBodyCapEveryMethod checks that Limits.MaxBodyBytes holds for a
// handler behind Guard that takes bodies with other methods than POST:
// over the cap, 413 before the handler runs; under it, the handler reads
// the whole body.
func TestBodyCapEveryMethod(t *testing.T) {
	var read []int
	var mu sync.Mutex
	h := lambdamcp.Guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		read = append(read, len(b))
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}), &lambdamcp.Options{Limits: lambdamcp.Limits{MaxBodyBytes: 10}, Logger: slog.New(slog.DiscardHandler)})
	for _, method := range []string{http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodPost} {
		for _, size := range []int{10, 11, 1000} {
			w := httptest.NewRecorder()
			r := httptest.NewRequest(method, "/mcp", strings.NewReader(strings.Repeat("a", size)))
			if size > 10 && size < 1000 {
				r.ContentLength = -1 // no declared length: the cap is found by reading
			}
			h.ServeHTTP(w, r)
			want := http.StatusNoContent
			if size > 10 {
				want = http.StatusRequestEntityTooLarge
			}
			if w.Code != want {
				t.Errorf("%s with %d bytes: status %d, want %d; body %s", method, size, w.Code, want, w.Body)
			}
			if want == http.StatusRequestEntityTooLarge && !strings.Contains(w.Body.String(), `"code":-32600`) {
				t.Errorf("%s with %d bytes: body %s, want a JSON-RPC error", method, size, w.Body)
			}
		}
	}
	// Only the bodies at the cap reach the handler, whole.
	if want := []int{10, 10, 10, 10}; !cmp.Equal(read, want) {
		t.Errorf("handler read %v bytes, want %v", read, want)
	}
}

// TestRepeatedMCPHeaders checks that a header MCP compares with the body,
// given twice, is refused before the go-sdk (which reads only the first
// value) sees it: locally, and in the event shapes that can carry two
// values of one header.
func TestRepeatedMCPHeaders(t *testing.T) {
	server, _ := newHardServer(t)
	opts := hardOptions(new(bytes.Buffer))
	body := `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{},` + modernMeta + `}}`
	base := jsonPost(body, "MCP-Protocol-Version", modern, "Mcp-Method", "tools/call", "Mcp-Name", "echo")
	tests := []struct {
		header, first, second string
		code                  int
	}{
		{"Mcp-Name", "echo", "boom", -32020},
		{"Mcp-Method", "tools/call", "resources/read", -32020},
		{"Mcp-Param-Region", "eu-west-1", "us-east-1", -32020},
		{"Mcp-Protocol-Version", modern, "2099-01-01", -32600},
	}
	for _, tc := range tests {
		check := func(t *testing.T, status int, got []byte) {
			t.Helper()
			var e struct {
				ID    int `json:"id"`
				Error struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if err := json.Unmarshal(got, &e); err != nil || status != 400 || e.Error.Code != tc.code || e.ID != 3 || !strings.Contains(e.Error.Message, "header given more than once") {
				t.Errorf("%d %s; want 400 with code %d for call 3", status, got, tc.code)
			}
		}
		t.Run(tc.header+"/local", func(t *testing.T) {
			w := serveLocally(lambdamcp.Guard(streamable(server), opts), base, func(h http.Header) {
				h.Set(tc.header, tc.first)
				h.Add(tc.header, tc.second)
			})
			check(t, w.Code, w.Body.Bytes())
		})
		for _, shape := range []struct {
			name  string
			build func(testing.TB, httpRequest) []byte
		}{{"rest", restEvent}, {"alb-multi", albMultiEvent}} {
			t.Run(tc.header+"/"+shape.name, func(t *testing.T) {
				var ev map[string]any
				if err := json.Unmarshal(shape.build(t, withHeader(base, tc.header, tc.first)), &ev); err != nil {
					t.Fatal(err)
				}
				ev["multiValueHeaders"].(map[string]any)[tc.header] = []string{tc.first, tc.second}
				payload, _ := json.Marshal(ev)
				resp := invoke(t, lambdamcp.NewHandler(streamable(server), opts), payload)
				check(t, resp.StatusCode, resp.body(t))
			})
		}
	}
}

// TestRepeatedContentType checks that two Content-Type headers, even
// alike, are refused alike locally, where net/http keeps both, and in the
// event shapes that carry both values, as the fronts that join them with a
// comma are (TestBadInput).
func TestRepeatedContentType(t *testing.T) {
	server, _ := newHardServer(t)
	opts := hardOptions(new(bytes.Buffer))
	base := jsonPost(`{"jsonrpc":"2.0","id":3,"method":"ping"}`, "MCP-Protocol-Version", legacy)
	check := func(t *testing.T, status int, contentType string, body []byte) {
		t.Helper()
		checkAnswer(t, status, contentType, body, 415, -32600, "Content-Type header given more than once", "", "")
	}
	t.Run("local", func(t *testing.T) {
		w := serveLocally(lambdamcp.Guard(streamable(server), opts), base, func(h http.Header) {
			h.Add("Content-Type", "application/json")
		})
		check(t, w.Code, w.Header().Get("Content-Type"), w.Body.Bytes())
	})
	for _, shape := range []struct {
		name  string
		build func(testing.TB, httpRequest) []byte
	}{{"rest", restEvent}, {"alb-multi", albMultiEvent}} {
		t.Run(shape.name, func(t *testing.T) {
			var ev map[string]any
			if err := json.Unmarshal(shape.build(t, base), &ev); err != nil {
				t.Fatal(err)
			}
			ev["multiValueHeaders"].(map[string]any)["Content-Type"] = []string{"application/json", "application/json"}
			payload, _ := json.Marshal(ev)
			resp := invoke(t, lambdamcp.NewHandler(streamable(server), opts), payload)
			check(t, resp.StatusCode, resp.header("Content-Type"), resp.body(t))
		})
	}
}

// TestRepeatedMCPHeadersBefore2026 checks that Mcp-Method, Mcp-Name and
// Mcp-Param-* given twice on a 2025-11-25 request are left alone: that era
// mirrors nothing of the body into them, the go-sdk compares none of them
// with it, and they are the client's own headers.
func TestRepeatedMCPHeadersBefore2026(t *testing.T) {
	server, _ := newHardServer(t)
	opts := hardOptions(new(bytes.Buffer))
	base := call("echo", `{}`)
	for _, header := range []string{"Mcp-Method", "Mcp-Name", "Mcp-Param-Region"} {
		check := func(t *testing.T, status int, got []byte) {
			t.Helper()
			var a rpcAnswer
			if err := json.Unmarshal(got, &a); err != nil || status != 200 || a.Error != nil || string(a.ID) != "7" {
				t.Errorf("%d %s; want 200 with the result of call 7", status, got)
			}
		}
		t.Run(header+"/local", func(t *testing.T) {
			w := serveLocally(lambdamcp.Guard(streamable(server), opts), base, func(h http.Header) {
				h.Set(header, "a")
				h.Add(header, "b")
			})
			check(t, w.Code, w.Body.Bytes())
		})
		for _, shape := range []struct {
			name  string
			build func(testing.TB, httpRequest) []byte
		}{{"rest", restEvent}, {"alb-multi", albMultiEvent}} {
			t.Run(header+"/"+shape.name, func(t *testing.T) {
				var ev map[string]any
				if err := json.Unmarshal(shape.build(t, withHeader(base, header, "a")), &ev); err != nil {
					t.Fatal(err)
				}
				ev["multiValueHeaders"].(map[string]any)[header] = []string{"a", "b"}
				payload, _ := json.Marshal(ev)
				resp := invoke(t, lambdamcp.NewHandler(streamable(server), opts), payload)
				check(t, resp.StatusCode, resp.body(t))
			})
		}
	}
}

// TestRepeatedOrigin checks that an Origin given twice is refused with 403
// whichever comes first, with or without an Origin check of the server's
// own: a proxy in front may have judged the other value, and no browser
// sends two.
func TestRepeatedOrigin(t *testing.T) {
	server, _ := newHardServer(t)
	base := call("echo", `{}`)
	for _, withCheck := range []bool{true, false} {
		opts := hardOptions(new(bytes.Buffer))
		if withCheck {
			opts.CheckOrigin = func(r *http.Request) bool { return r.Header.Get("Origin") == "https://ok.example" }
		}
		for _, order := range [][]string{{"https://ok.example", "https://evil.example"}, {"https://evil.example", "https://ok.example"}} {
			name := fmt.Sprintf("check=%v/%s-first", withCheck, strings.TrimPrefix(order[0], "https://"))
			check := func(t *testing.T, status int, contentType string, body []byte) {
				t.Helper()
				checkAnswer(t, status, contentType, body, 403, -32600, "Forbidden: Origin header given more than once", "", "")
			}
			t.Run(name+"/local", func(t *testing.T) {
				w := serveLocally(lambdamcp.Guard(streamable(server), opts), base, func(h http.Header) {
					h.Set("Origin", order[0])
					h.Add("Origin", order[1])
				})
				check(t, w.Code, w.Header().Get("Content-Type"), w.Body.Bytes())
			})
			for _, shape := range []struct {
				name  string
				build func(testing.TB, httpRequest) []byte
			}{{"rest", restEvent}, {"alb-multi", albMultiEvent}} {
				t.Run(name+"/"+shape.name, func(t *testing.T) {
					var ev map[string]any
					if err := json.Unmarshal(shape.build(t, withHeader(base, "Origin", order[0])), &ev); err != nil {
						t.Fatal(err)
					}
					ev["multiValueHeaders"].(map[string]any)["Origin"] = order
					payload, _ := json.Marshal(ev)
					resp := invoke(t, lambdamcp.NewHandler(streamable(server), opts), payload)
					check(t, resp.StatusCode, resp.header("Content-Type"), resp.body(t))
				})
			}
		}
	}
}

// TestLastEventIDIgnoredFrom2026 checks that a 2026-07-28 POST carrying
// Last-Event-ID is served, the header ignored as the transport asks of a
// server of that era, on every shape and locally; before that era the
// go-sdk's refusal stands.
func TestLastEventIDIgnoredFrom2026(t *testing.T) {
	server, _ := newHardServer(t)
	h := lambdamcp.NewHandler(streamable(server), hardOptions(new(bytes.Buffer)))
	modernList := jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{`+modernMeta+`}}`, "MCP-Protocol-Version", modern, "Mcp-Method", "tools/list", "Last-Event-ID", "0_3")
	legacyList := jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, "MCP-Protocol-Version", legacy, "Last-Event-ID", "0_3")
	for _, tc := range []struct {
		name   string
		req    httpRequest
		status int
		want   string
	}{
		{"2026-07-28", modernList, 200, `"tools"`},
		{"2025-11-25", legacyList, 400, "Last-Event-ID"},
	} {
		for _, shape := range shapes {
			t.Run(tc.name+"/"+shape.name, func(t *testing.T) {
				resp := invoke(t, h, shape.build(t, tc.req))
				if resp.StatusCode != tc.status || !strings.Contains(string(resp.body(t)), tc.want) {
					t.Errorf("%d %s; want %d with %s", resp.StatusCode, resp.body(t), tc.status, tc.want)
				}
			})
		}
		t.Run(tc.name+"/local", func(t *testing.T) {
			w := serveLocally(lambdamcp.Guard(streamable(server), hardOptions(new(bytes.Buffer))), tc.req, nil)
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.want) {
				t.Errorf("%d %s; want %d with %s", w.Code, w.Body, tc.status, tc.want)
			}
		})
	}
}

// namedServer has tools whose names a header carries only Base64-encoded
// (café) or that look encoded themselves, beside echo.
func namedServer(t *testing.T, opts *mcp.ServerOptions) *mcp.Server {
	t.Helper()
	s := mcp.NewServer(&mcp.Implementation{Name: "named", Version: "1.0.0"}, opts)
	for _, name := range []string{"echo", "café", "=?base64?ZWNobw==?="} {
		mcp.AddTool(s, &mcp.Tool{Name: name}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
			return text("called " + name), nil, nil
		})
	}
	return s
}

// TestEncodedHeaderValues checks, on every shape and locally, that a
// Base64-encoded Mcp-Name (2026-07-28) is decoded before the go-sdk, which
// v1.8.0 compares it as it comes, checks it against the body; that a name
// sent raw, as the go-sdk's own client sends every name, is served as
// before, even one that looks encoded; and that what does not decode is
// left for the go-sdk's own check to refuse.
func TestEncodedHeaderValues(t *testing.T) {
	call := func(tool, header string) httpRequest {
		return jsonPost(`{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":`+strconv.Quote(tool)+`,"arguments":{},`+modernMeta+`}}`,
			"MCP-Protocol-Version", modern, "Mcp-Method", "tools/call", "Mcp-Name", header)
	}
	b64 := func(s string) string { return "=?base64?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?=" }
	tests := []struct {
		name   string
		server *mcp.ServerOptions
		req    httpRequest
		status int
		want   string
	}{
		{"plain name", nil, call("echo", "echo"), 200, `called echo`},
		{"Base64 name", nil, call("echo", b64("echo")), 200, `called echo`},
		{"Base64 of a name past ASCII", nil, call("café", b64("café")), 200, `called café`},
		{"a name past ASCII, raw", nil, call("café", "café"), 200, `called café`},
		{"a name that looks encoded, raw", nil, call("=?base64?ZWNobw==?=", "=?base64?ZWNobw==?="), 200, `called =?base64?ZWNobw==?=`},
		{"a name that looks encoded, encoded", nil, call("=?base64?ZWNobw==?=", b64("=?base64?ZWNobw==?=")), 200, `called =?base64?ZWNobw==?=`},
		{"Base64 of another name", nil, call("echo", b64("café")), 400, `"code":-32020`},
		{"bad Base64", nil, call("echo", "=?base64?ZWNobw?="), 400, `"code":-32020`},
		// The go-sdk takes an empty Mcp-Name for a missing one, so the
		// empty name, which the spec would have match, is refused.
		{"Base64 of the empty name", nil, call("", "=?base64??="), 400, `"code":-32020`},
		// A server that does not speak 2026-07-28 answers with its versions,
		// so that the client can fall back; lambdamcp does not answer first.
		{"Base64 name, era not served", &mcp.ServerOptions{SupportedProtocolVersions: []string{legacy}}, call("echo", b64("echo")), 400, `"code":-32022`},
	}
	for _, tc := range tests {
		server := namedServer(t, tc.server)
		h := lambdamcp.NewHandler(streamable(server), hardOptions(new(bytes.Buffer)))
		for _, shape := range shapes {
			t.Run(tc.name+"/"+shape.name, func(t *testing.T) {
				resp := invoke(t, h, shape.build(t, tc.req))
				if body := string(resp.body(t)); resp.StatusCode != tc.status || !strings.Contains(body, tc.want) {
					t.Errorf("%d %s; want %d with %s", resp.StatusCode, body, tc.status, tc.want)
				}
			})
		}
		t.Run(tc.name+"/local", func(t *testing.T) {
			w := serveLocally(lambdamcp.Guard(streamable(server), hardOptions(new(bytes.Buffer))), tc.req, nil)
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.want) {
				t.Errorf("%d %s; want %d with %s", w.Code, w.Body, tc.status, tc.want)
			}
		})
	}
}

// TestGoSDKClientCallsAnyName calls, through the guard over real HTTP, the
// tools whose names the go-sdk's client (which sends every Mcp-Name raw)
// must still reach in the 2026-07-28 era.
func TestGoSDKClientCallsAnyName(t *testing.T) {
	srv := httptest.NewServer(lambdamcp.Guard(streamable(namedServer(t, nil)), hardOptions(new(bytes.Buffer))))
	defer srv.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "1"}, nil).Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: srv.URL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	if v := cs.InitializeResult().ProtocolVersion; v != modern {
		t.Fatalf("the session speaks %s, want %s", v, modern)
	}
	for _, name := range []string{"echo", "café", "=?base64?ZWNobw==?="} {
		res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: name})
		if err != nil || res.IsError || len(res.Content) != 1 || res.Content[0].(*mcp.TextContent).Text != "called "+name {
			t.Errorf("calling %q: %v, %+v", name, err, res)
		}
	}
}

// TestExactIDsEchoed checks that the ids the guard lets through come back
// as the client sent them (in value), at the edge of what is exact.
func TestExactIDsEchoed(t *testing.T) {
	server, _ := newHardServer(t)
	h := lambdamcp.NewHandler(streamableMux(server), hardOptions(new(bytes.Buffer)))
	for _, id := range []string{`9007199254740991`, `-9007199254740991`, `"9007199254740993"`, `1e3`, `"\u00e9\ud83d\ude00"`} {
		resp := invoke(t, h, restEvent(t, jsonPost(`{"jsonrpc":"2.0","id":`+id+`,"method":"tools/list"}`, "MCP-Protocol-Version", legacy)))
		var answer struct {
			ID     json.RawMessage `json:"id"`
			Result json.RawMessage `json:"result"`
		}
		if err := json.Unmarshal(resp.body(t), &answer); err != nil || answer.Result == nil {
			t.Fatalf("id %s: %d %s", id, resp.StatusCode, resp.body(t))
		}
		var sent, got any
		json.Unmarshal([]byte(id), &sent)
		json.Unmarshal(answer.ID, &got)
		if sent != got {
			t.Errorf("id %s answered with id %s", id, answer.ID)
		}
	}
}

// utf16Post is a legacy POST of the ASCII text as UTF-16, big- or
// little-endian, after bom, sent base64-encoded; extra are more header
// pairs.
func utf16Post(bom string, bigEndian bool, text string, extra ...string) httpRequest {
	body := []byte(bom)
	for _, c := range []byte(text) {
		if bigEndian {
			body = append(body, 0, c)
		} else {
			body = append(body, c, 0)
		}
	}
	r := jsonPost(string(body), append([]string{"MCP-Protocol-Version", legacy}, extra...)...)
	r.base64 = true
	return r
}

// codedPost is a legacy POST of the text coded with coding (gzip, or
// deflate: zlib), labelled so and sent base64-encoded.
func codedPost(coding, text string) httpRequest {
	var b bytes.Buffer
	var w io.WriteCloser = gzip.NewWriter(&b)
	if coding == "deflate" {
		w = zlib.NewWriter(&b)
	}
	io.WriteString(w, text)
	w.Close()
	r := jsonPost(b.String(), "MCP-Protocol-Version", legacy, "Content-Encoding", coding)
	r.base64 = true
	return r
}
