package lambdamcp_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/serve"
)

// transportRule is one server-side rule of the Streamable HTTP transport
// (2026-07-28 basic/transports/streamable-http, 2025-11-25
// basic/transports) and a request that meets it.
type transportRule struct {
	name    string // the rule, as the spec words it
	req     httpRequest
	region  bool // sent to regionServer, whose tool mirrors a parameter into a header
	notREST bool // the REST sample event has a Content-Type of its own
	status  int
	code    int    // JSON-RPC error code; 0 means a result; with status 202, no body
	message string // what the error message contains
	id      string // the answer's id, as JSON
}

// modernCall is a 2026-07-28 request with id 1 and the headers a client
// sends with it: the version, Mcp-Method and, if name is not "", Mcp-Name.
func modernCall(method, params, name string, extra ...string) httpRequest {
	if params != "" {
		params += ","
	}
	kv := []string{"MCP-Protocol-Version", modern, "Mcp-Method", method}
	if name != "" {
		kv = append(kv, "Mcp-Name", name)
	}
	return jsonPost(`{"jsonrpc":"2.0","id":1,"method":"`+method+`","params":{`+params+modernMeta+`}}`, append(kv, extra...)...)
}

// callIn is a call of method with params (the members of its params
// object) as a client of era sends it: a 2026-07-28 call naming name, or
// a 2025-11-25 one.
func callIn(era, method, params, name string) httpRequest {
	if era == legacy {
		return jsonPost(`{"jsonrpc":"2.0","id":1,"method":"`+method+`","params":{`+params+`}}`, "MCP-Protocol-Version", legacy)
	}
	return modernCall(method, params, name)
}

func b64(s string) string { return "=?base64?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?=" }

var transportRules = []transportRule{
	// 2026-07-28, Server Validation: reject with 400 and -32020 where a
	// header is missing or disagrees with the body.
	{
		name: "Mcp-Method differs from the body's method", status: 400, code: mcp.CodeHeaderMismatch, id: "1",
		req:     withHeader(modernCall("tools/list", "", ""), "Mcp-Method", "tools/call"),
		message: "Mcp-Method header value 'tools/call' does not match body value 'tools/list'",
	},
	{
		name: "header values are case-sensitive: Mcp-Method", status: 400, code: mcp.CodeHeaderMismatch, id: "1",
		req:     withHeader(modernCall("tools/list", "", ""), "Mcp-Method", "Tools/List"),
		message: "does not match body value",
	},
	{
		name: "Mcp-Method missing", status: 400, code: mcp.CodeHeaderMismatch, id: "1",
		req:     withHeader(modernCall("tools/list", "", ""), "Mcp-Method", ""),
		message: "missing required Mcp-Method header",
	},
	{
		name: "Mcp-Name differs from params.name", status: 400, code: mcp.CodeHeaderMismatch, id: "1",
		req:     modernCall("tools/call", `"name":"ping","arguments":{"delay_ms":0}`, "whoami"),
		message: "Mcp-Name header value 'whoami' does not match body value 'ping'",
	},
	{
		name: "header values are case-sensitive: Mcp-Name", status: 400, code: mcp.CodeHeaderMismatch, id: "1",
		req:     modernCall("tools/call", `"name":"ping","arguments":{"delay_ms":0}`, "PING"),
		message: "does not match body value",
	},
	{
		name: "Mcp-Name missing on tools/call", status: 400, code: mcp.CodeHeaderMismatch, id: "1",
		req:     modernCall("tools/call", `"name":"ping","arguments":{"delay_ms":0}`, ""),
		message: `missing required Mcp-Name header for method "tools/call"`,
	},
	{
		name: "Mcp-Name missing on resources/read", status: 400, code: mcp.CodeHeaderMismatch, id: "1",
		req:     modernCall("resources/read", `"uri":"file:///a"`, ""),
		message: `missing required Mcp-Name header for method "resources/read"`,
	},
	{
		name: "Mcp-Name differs from params.uri", status: 400, code: mcp.CodeHeaderMismatch, id: "1",
		req:     modernCall("resources/read", `"uri":"file:///a"`, "file:///b"),
		message: "Mcp-Name header value 'file:///b' does not match body value 'file:///a'",
	},
	{
		// Past the header check, the server has no such resource.
		name: "Mcp-Name Base64-encoded is decoded before the comparison: params.uri", status: 400, code: -32602, id: "1",
		req:     modernCall("resources/read", `"uri":"file:///a"`, b64("file:///a")),
		message: "Resource not found",
	},
	{
		// As a name that looks encoded, for the go-sdk's own client, which
		// sends Mcp-Name raw.
		name: "Mcp-Name equal to params.uri as it comes, though it looks encoded", status: 400, code: -32602, id: "1",
		req:     modernCall("resources/read", `"uri":"=?base64?ZmlsZTovLy9h?="`, "=?base64?ZmlsZTovLy9h?="),
		message: "Resource not found",
	},
	{
		name: "Base64 markers are lowercase: =?BASE64? is no encoding", status: 400, code: mcp.CodeHeaderMismatch, id: "1",
		req:     modernCall("tools/call", `"name":"ping","arguments":{"delay_ms":0}`, strings.Replace(b64("ping"), "base64", "BASE64", 1)),
		message: "does not match body value",
	},
	{
		// RFC 9110 5.5: whitespace around a field value is not part of it.
		name: "whitespace around header values is no part of them", status: 200, id: "1",
		req: withHeader(modernCall("tools/call", `"name":"ping","arguments":{"delay_ms":0}`, " ping\t"),
			"Mcp-Method", " tools/call ", "MCP-Protocol-Version", modern+" "),
	},
	{
		name: "MCP-Protocol-Version missing where _meta names 2026-07-28", status: 400, code: mcp.CodeHeaderMismatch, id: "1",
		req:     withHeader(modernCall("tools/list", "", ""), "MCP-Protocol-Version", ""),
		message: "Mcp-Protocol-Version header is required",
	},
	{
		name: "MCP-Protocol-Version differs from _meta", status: 400, code: mcp.CodeHeaderMismatch, id: "1",
		req:     withHeader(modernCall("tools/list", "", ""), "MCP-Protocol-Version", legacy),
		message: `header "2025-11-25" does not match request io.modelcontextprotocol/protocolVersion "2026-07-28"`,
	},
	{
		name: "server/discover without MCP-Protocol-Version", status: 400, code: mcp.CodeHeaderMismatch, id: "1",
		req:     withHeader(modernCall("server/discover", "", ""), "MCP-Protocol-Version", ""),
		message: "Mcp-Protocol-Version header is required",
	},
	{
		name: "server/discover", status: 200, id: "1",
		req: modernCall("server/discover", "", ""),
	},
	// 2026-07-28, Per-request protocol fields: a request without a
	// required _meta field is refused with 400 and -32602.
	{
		name: "_meta without io.modelcontextprotocol/clientCapabilities", status: 400, code: -32602, id: "1",
		req: jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}`,
			"MCP-Protocol-Version", modern, "Mcp-Method", "tools/list"),
		message: `missing or invalid _meta field "io.modelcontextprotocol/clientCapabilities"`,
	},
	{
		name: "MCP-Protocol-Version 2026-07-28 without _meta", status: 400, code: -32602, id: "1",
		req:     jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, "MCP-Protocol-Version", modern, "Mcp-Method", "tools/list"),
		message: `missing or invalid _meta field "io.modelcontextprotocol/protocolVersion"`,
	},
	// 2026-07-28, Protocol Version Header: a method the server does not
	// implement is 404 and -32601, those the era removed included.
	{
		name: "ping, removed in 2026-07-28: 404", status: 404, code: -32601, id: "1",
		req:     modernCall("ping", "", ""),
		message: `method not found: "ping"`,
	},
	{
		name: "initialize, removed in 2026-07-28: 404", status: 404, code: -32601, id: "1",
		req:     modernCall("initialize", `"protocolVersion":"2026-07-28","capabilities":{},"clientInfo":{"name":"c","version":"1"}`, ""),
		message: `method not found: "initialize"`,
	},
	// 2026-07-28, Sending Messages 5: a notification accepted is 202 with
	// no body, one not accepted an HTTP error status.
	{
		name: "notification accepted: 202, no body", status: 202,
		req: jsonPost(`{"jsonrpc":"2.0","method":"notifications/initialized","params":{`+modernMeta+`}}`,
			"MCP-Protocol-Version", modern, "Mcp-Method", "notifications/initialized"),
	},
	{
		name: "notification not accepted: an HTTP error status", status: 400, code: -32601, id: "",
		req: jsonPost(`{"jsonrpc":"2.0","method":"notifications/bogus","params":{`+modernMeta+`}}`,
			"MCP-Protocol-Version", modern, "Mcp-Method", "notifications/bogus"),
		message: `"notifications/bogus" unsupported`,
	},
	// 2026-07-28, Backward Compatibility: an Mcp-Session-Id is ignored
	// (and none minted or echoed: checked of every answer).
	{
		name: "Mcp-Session-Id ignored, 2026-07-28", status: 200, id: "1",
		req: modernCall("tools/list", "", "", "Mcp-Session-Id", "s-1"),
	},
	// 2026-07-28, Server Behavior for Custom Headers: a recognized
	// Mcp-Param-* header is checked against the body, after decoding.
	{
		name: "Mcp-Param header matches the body", region: true, status: 200, id: "1",
		req: modernCall("tools/call", `"name":"sql","arguments":{"region":"us-west1"}`, "sql", "Mcp-Param-Region", "us-west1"),
	},
	{
		name: "Mcp-Param header omitted for a value in the body", region: true, status: 400, code: mcp.CodeHeaderMismatch, id: "1",
		req:     modernCall("tools/call", `"name":"sql","arguments":{"region":"us-west1"}`, "sql"),
		message: "missing Mcp-Param-Region header",
	},
	{
		name: "Mcp-Param header differs from the body", region: true, status: 400, code: mcp.CodeHeaderMismatch, id: "1",
		req:     modernCall("tools/call", `"name":"sql","arguments":{"region":"us-west1"}`, "sql", "Mcp-Param-Region", "eu-west1"),
		message: "Mcp-Param-Region header value 'eu-west1' does not match body value",
	},
	{
		// An empty string is a value: the header is sent, empty.
		name: "Mcp-Param header empty for an empty string", region: true, status: 200, id: "1",
		req: modernCall("tools/call", `"name":"sql","arguments":{"region":""}`, "sql", "Mcp-Param-Region", ""),
	},
	{
		name: "Mcp-Param header empty for a value that is not", region: true, status: 400, code: mcp.CodeHeaderMismatch, id: "1",
		req:     modernCall("tools/call", `"name":"sql","arguments":{"region":"us-west1"}`, "sql", "Mcp-Param-Region", ""),
		message: "Mcp-Param-Region header",
	},
	{
		name: "Mcp-Param header empty for a parameter absent", region: true, status: 400, code: mcp.CodeHeaderMismatch, id: "1",
		req:     modernCall("tools/call", `"name":"sql","arguments":{}`, "sql", "Mcp-Param-Region", ""),
		message: "unexpected Mcp-Param-Region header for absent or null parameter",
	},
	{
		name: "Mcp-Param header Base64-encoded is decoded", region: true, status: 200, id: "1",
		req: modernCall("tools/call", `"name":"sql","arguments":{"region":"Zürich"}`, "sql", "Mcp-Param-Region", b64("Zürich")),
	},
	{
		// Such a value goes Base64-encoded; the go-sdk would compare it raw.
		name: "Mcp-Param header with a character past ASCII", region: true, status: 400, code: mcp.CodeHeaderMismatch, id: "1",
		req:     modernCall("tools/call", `"name":"sql","arguments":{"region":"Zürich"}`, "sql", "Mcp-Param-Region", "Zürich"),
		message: "Mcp-Param-Region header has a character other than visible ASCII, space or tab: send it Base64-encoded (=?base64?…?=)",
	},
	{
		// Visible ASCII, space and horizontal tab go unencoded.
		name: "Mcp-Param header with a tab inside", region: true, status: 200, id: "1",
		req: modernCall("tools/call", `"name":"sql","arguments":{"region":"us\twest 1"}`, "sql", "Mcp-Param-Region", "us\twest 1"),
	},
	{
		// Before 2026-07-28 no header mirrors a parameter: the header is
		// the client's own, and not judged.
		name: "Mcp-Param header with a character past ASCII, 2025-11-25", region: true, status: 200, id: "1",
		req: jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"sql","arguments":{"region":"Zürich"}}}`,
			"MCP-Protocol-Version", legacy, "Mcp-Param-Region", "Zürich"),
	},
	{
		name: "Mcp-Param integer compared as a number", region: true, status: 200, id: "1",
		req: modernCall("tools/call", `"name":"sql","arguments":{"shard":42}`, "sql", "Mcp-Param-Shard", "42.0"),
	},
	// 2026-07-28, Sending Messages 4: the client must not send JSON-RPC
	// responses. The refusal has no id: the response's is the server's
	// own, of a request of the server's.
	{
		name: "JSON-RPC response refused, 2026-07-28", status: 400, code: -32600, id: "",
		req:     jsonPost(`{"jsonrpc":"2.0","id":1,"result":{}}`, "MCP-Protocol-Version", modern),
		message: "the body is a JSON-RPC response",
	},
	{
		name: "JSON-RPC error response refused, 2026-07-28", status: 400, code: -32600, id: "",
		req:     jsonPost(`{"jsonrpc":"2.0","id":"a","error":{"code":-1,"message":"no"}}`, "MCP-Protocol-Version", modern),
		message: "the body is a JSON-RPC response",
	},
	{
		// A method member, even null, makes a call: the go-sdk's to answer.
		name: "null method is no response, 2026-07-28", status: 404, code: -32601, id: "1",
		req: jsonPost(`{"jsonrpc":"2.0","id":1,"method":null,"result":{},"params":{`+modernMeta+`}}`,
			"MCP-Protocol-Version", modern, "Mcp-Method", ""),
		message: "unsupported",
	},
	// 2025-11-25, Sending Messages 4: a response or notification accepted
	// is 202 with no body.
	{
		name: "JSON-RPC response accepted, 2025-11-25: 202, no body", status: 202,
		req: jsonPost(`{"jsonrpc":"2.0","id":1,"result":{}}`, "MCP-Protocol-Version", legacy),
	},
	{
		name: "JSON-RPC error response accepted, 2025-11-25: 202, no body", status: 202,
		req: jsonPost(`{"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"no"}}`, "MCP-Protocol-Version", legacy),
	},
	{
		name: "Mcp-Session-Id of no session, stateless 2025-11-25", status: 200, id: "1",
		req: jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, "MCP-Protocol-Version", legacy, "Mcp-Session-Id", "s-1"),
	},
	{
		name: "no Content-Type", notREST: true, status: 415, code: -32600, id: "",
		req:     withHeader(modernCall("tools/list", "", ""), "Content-Type", ""),
		message: "Content-Type must be 'application/json'",
	},
}

// regionServer has one tool, sql, whose region and shard parameters a
// client mirrors into Mcp-Param-Region and Mcp-Param-Shard.
func regionServer() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "region", Version: "1.0.0"}, nil)
	schema := &jsonschema.Schema{Type: "object", Properties: map[string]*jsonschema.Schema{
		"region": {Type: "string", Extra: map[string]any{"x-mcp-header": "Region"}},
		"shard":  {Type: "integer", Extra: map[string]any{"x-mcp-header": "Shard"}},
	}}
	s.AddTool(&mcp.Tool{Name: "sql", InputSchema: schema}, func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return text("done"), nil
	})
	return s
}

// TestTransportRules sends each rule's request to the reference server
// (or regionServer) through every event shape, buffered and streamed, and
// to a local server over real HTTP, and checks the answer the spec asks
// for: status, JSON-RPC error and id, 202 without a body, and no session
// id.
func TestTransportRules(t *testing.T) {
	demo := serve.Routes(serve.Handler(demoserver.New(demoserver.Options{}), nil))
	region := streamable(regionServer())
	local := map[bool]*httptest.Server{
		false: httptest.NewServer(lambdamcp.Guard(demo, nil)),
		true:  httptest.NewServer(lambdamcp.Guard(region, nil)),
	}
	for _, srv := range local {
		defer srv.Close()
	}
	onLambda := map[bool]*lambdamcp.Handler{
		false: lambdamcp.NewHandler(demo, nil),
		true:  lambdamcp.NewHandler(region, hardOptions(new(bytes.Buffer))),
	}
	// Streamed invocations (a Function URL in RESPONSE_STREAM mode, a REST
	// API with transfer mode STREAM), each server answering calls with an
	// event stream, as serve.Handler does there.
	stream := []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}
	streamed := map[bool]*lambdamcp.Handler{
		false: lambdamcp.NewHandler(demo, &lambdamcp.Options{Stream: stream}),
		true:  lambdamcp.NewHandler(serve.Routes(serve.Handler(regionServer(), nil)), &lambdamcp.Options{Stream: stream}),
	}
	for _, tc := range transportRules {
		for _, shape := range shapes {
			if tc.notREST && shape.name == "rest" {
				continue
			}
			t.Run(tc.name+"/"+shape.name, func(t *testing.T) {
				resp := invoke(t, onLambda[tc.region], shape.build(t, tc.req))
				checkRule(t, tc, resp.StatusCode, resp.header("Content-Type"), resp.header("Mcp-Session-Id"), resp.body(t))
			})
		}
		for _, shape := range streamShapes {
			if tc.notREST && shape.name == "rest" {
				continue
			}
			t.Run(tc.name+"/streamed-"+shape.name, func(t *testing.T) {
				s, head := openStream(t, streamCtx(t, time.Minute), streamed[tc.region], shape.build(t, tc.req))
				body, err := io.ReadAll(s.r)
				if err != nil {
					t.Fatal(err)
				}
				contentType, body := streamedAnswer(t, head.header("Content-Type"), body)
				checkRule(t, tc, head.StatusCode, contentType, head.header("Mcp-Session-Id"), body)
			})
		}
		t.Run(tc.name+"/local", func(t *testing.T) {
			status, header, body := postRaw(t, local[tc.region], tc.req)
			checkRule(t, tc, status, header.Get("Content-Type"), header.Get("Mcp-Session-Id"), body)
		})
	}
}

// streamedAnswer is the JSON-RPC answer of a streamed invocation's body:
// the body itself when it is JSON (or empty), and the response an event
// stream ends with, as JSON, when the handler streamed one, as the
// transport lets a server answer a request either way.
func streamedAnswer(t *testing.T, contentType string, body []byte) (string, []byte) {
	t.Helper()
	if contentType != "text/event-stream" {
		return contentType, body
	}
	msgs := answerMessages(t, answer{contentType: contentType, body: body})
	if len(msgs) == 0 {
		t.Fatalf("event stream without a message: %q", body)
	}
	return "application/json", msgs[len(msgs)-1]
}

// postRaw sends req over HTTP to srv, its headers as they are.
func postRaw(t *testing.T, srv *httptest.Server, req httpRequest) (int, http.Header, []byte) {
	t.Helper()
	r, err := http.NewRequest(req.method, srv.URL+req.path, strings.NewReader(req.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range req.header {
		r.Header[http.CanonicalHeaderKey(k)] = []string{v}
	}
	resp, err := srv.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

func checkRule(t *testing.T, tc transportRule, status int, contentType, session string, body []byte) {
	t.Helper()
	if session != "" {
		t.Errorf("Mcp-Session-Id %q answered; a stateless server mints none", session)
	}
	if tc.status == http.StatusAccepted {
		if status != tc.status || len(body) != 0 {
			t.Errorf("%d %q, want 202 with no body", status, body)
		}
		return
	}
	checkAnswer(t, status, contentType, body, tc.status, tc.code, tc.message, tc.id, "")
}

// TestLegacyInitializeOnDualEraServer checks how the reference server,
// serving both eras, answers a 2025-11-25 client's initialize through
// every event shape: the initialize selects the handshake era
// (2026-07-28 Versioning, "Backward Compatibility"), so a version the
// server negotiates there is agreed to, and any other, 2026-07-28 (which
// has no handshake) or one the server does not know, is answered with the
// newest handshake version, 2025-11-25 (2025-11-25 Lifecycle, "Version
// Negotiation"); no session is minted.
func TestLegacyInitializeOnDualEraServer(t *testing.T) {
	h := newDemoHandler()
	for _, tc := range []struct{ asked, agreed string }{
		{legacy, legacy},
		{"2025-06-18", "2025-06-18"},
		{modern, legacy},
		{"2099-01-01", legacy},
	} {
		req := jsonPost(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"` + tc.asked + `","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}`)
		for _, shape := range shapes {
			t.Run(tc.asked+"/"+shape.name, func(t *testing.T) {
				resp := invoke(t, h, shape.build(t, req))
				var a struct {
					ID     json.RawMessage `json:"id"`
					Result struct {
						ProtocolVersion string `json:"protocolVersion"`
					} `json:"result"`
				}
				body := resp.body(t)
				if err := json.Unmarshal(body, &a); err != nil || resp.StatusCode != 200 || string(a.ID) != "1" || a.Result.ProtocolVersion != tc.agreed {
					t.Errorf("%d %.300s; want 200 agreeing on %s", resp.StatusCode, body, tc.agreed)
				}
				if s := resp.header("Mcp-Session-Id"); s != "" {
					t.Errorf("Mcp-Session-Id %q answered; a stateless server mints none", s)
				}
			})
		}
	}
}

// TestGoSDKClientMirrorsEmptyString checks that the go-sdk's own client
// can call a tool with an empty string in a parameter mirrored into a
// header, which it sends as an empty Mcp-Param-* header.
func TestGoSDKClientMirrorsEmptyString(t *testing.T) {
	srv := httptest.NewServer(lambdamcp.Guard(streamable(regionServer()), hardOptions(new(bytes.Buffer))))
	defer srv.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "1"}, nil).Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: srv.URL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	if _, err := cs.ListTools(t.Context(), nil); err != nil { // the client learns which parameters it mirrors
		t.Fatal(err)
	}
	for _, region := range []string{"", "us-west1"} {
		res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "sql", Arguments: map[string]any{"region": region}})
		if err != nil || res.IsError {
			t.Errorf("region %q: %v, %+v", region, err, res)
		}
	}
}
