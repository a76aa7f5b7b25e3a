// Package lambdatest drives MCP servers through lambdamcp the way Lambda
// does, for tests: it builds the event of every shape for an MCP request,
// invokes a lambdamcp.Handler buffered or streamed, and reads the JSON-RPC
// messages of the answer, whether one JSON body or an event stream.
package lambdatest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdamcp/lambdamcp"
)

// Protocol eras.
const (
	Legacy = "2025-11-25"
	Modern = "2026-07-28"
)

// Route is one way a request reaches the function: an event shape, streamed
// or buffered.
type Route struct {
	Shape    lambdamcp.Shape
	Streamed bool
}

func (r Route) String() string {
	if r.Streamed {
		return string(r.Shape) + "-stream"
	}
	return string(r.Shape)
}

// Routes are every shape buffered, and the two that can stream, streamed.
var Routes = []Route{
	{lambdamcp.ShapeREST, false}, {lambdamcp.ShapeHTTP, false}, {lambdamcp.ShapeURL, false}, {lambdamcp.ShapeALB, false},
	{lambdamcp.ShapeURL, true}, {lambdamcp.ShapeREST, true},
}

// Request is an MCP request as a client posts it.
type Request struct {
	Header http.Header
	Body   []byte
}

// Call builds a JSON-RPC call of method in era, with the headers and the
// 2026-07-28 _meta a client sends. meta adds to params._meta.
func Call(era string, id int, method string, params map[string]any, meta map[string]any) Request {
	p := maps.Clone(params)
	if p == nil {
		p = map[string]any{}
	}
	m := maps.Clone(meta)
	if m == nil {
		m = map[string]any{}
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json, text/event-stream")
	h.Set("MCP-Protocol-Version", era)
	if era == Modern {
		m["io.modelcontextprotocol/protocolVersion"] = Modern
		m["io.modelcontextprotocol/clientInfo"] = map[string]any{"name": "lambdatest", "version": "1.0.0"}
		if _, ok := m["io.modelcontextprotocol/clientCapabilities"]; !ok {
			m["io.modelcontextprotocol/clientCapabilities"] = map[string]any{}
		}
		h.Set("Mcp-Method", method)
		if name, ok := p["name"].(string); ok {
			h.Set("Mcp-Name", name)
		} else if uri, ok := p["uri"].(string); ok {
			h.Set("Mcp-Name", uri)
		}
	}
	if len(m) > 0 {
		p["_meta"] = m
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": p})
	if err != nil {
		panic(fmt.Sprintf("lambdatest: %v", err)) // params are the test's own literals
	}
	return Request{Header: h, Body: body}
}

// Event returns the Lambda event of shape carrying r as a POST to /mcp.
func Event(shape lambdamcp.Shape, r Request) []byte {
	single := map[string]string{"Host": "example.test"}
	for k, v := range r.Header {
		single[k] = strings.Join(v, ", ")
	}
	multi := map[string][]string{}
	for k, v := range single {
		multi[k] = []string{v}
	}
	var ev any
	switch shape {
	case lambdamcp.ShapeREST:
		ev = events.APIGatewayProxyRequest{HTTPMethod: "POST", Path: "/mcp", Resource: "/mcp", Headers: single, MultiValueHeaders: multi,
			RequestContext: events.APIGatewayProxyRequestContext{Stage: "prod", DomainName: "abc123.execute-api.us-east-1.amazonaws.com", HTTPMethod: "POST"},
			Body:           string(r.Body)}
	case lambdamcp.ShapeHTTP, lambdamcp.ShapeURL:
		domain := "abc123.execute-api.us-east-1.amazonaws.com"
		if shape == lambdamcp.ShapeURL {
			domain = "abc123.lambda-url.us-east-1.on.aws"
		}
		ev = events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "$default", RawPath: "/mcp", Headers: single,
			RequestContext: events.APIGatewayV2HTTPRequestContext{Stage: "$default", DomainName: domain,
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/mcp", SourceIP: "192.0.2.1"}},
			Body: string(r.Body)}
	case lambdamcp.ShapeALB:
		ev = events.ALBTargetGroupRequest{HTTPMethod: "POST", Path: "/mcp", Headers: single,
			RequestContext: events.ALBTargetGroupRequestContext{ELB: events.ELBContext{TargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/mcp/0123456789abcdef"}},
			Body:           string(r.Body)}
	default:
		panic("lambdatest: unknown shape " + string(shape))
	}
	b, err := json.Marshal(ev)
	if err != nil {
		panic(fmt.Sprintf("lambdatest: %v", err))
	}
	return b
}

// Answer is what the client got.
type Answer struct {
	Status      int
	ContentType string
	Messages    []map[string]any // JSON-RPC messages, in order
}

// Invoke sends r to handler (an http.Handler serving MCP at /mcp) along
// route and returns the answer. A streamed route goes through
// lambdamcp.Handler.InvokeStream and reads the stream to its end.
func Invoke(t testing.TB, handler http.Handler, route Route, r Request) Answer {
	t.Helper()
	var opts lambdamcp.Options
	if route.Streamed {
		opts.Stream = []lambdamcp.Shape{route.Shape}
	}
	h := lambdamcp.NewHandler(handler, &opts)
	ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "lambdatest"})
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	payload := Event(route.Shape, r)
	if !route.Streamed {
		out, err := h.Invoke(ctx, payload)
		if err != nil {
			t.Fatalf("Invoke: %v", err)
		}
		var resp struct {
			StatusCode        int                 `json:"statusCode"`
			Headers           map[string]string   `json:"headers"`
			MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
			Body              string              `json:"body"`
			IsBase64Encoded   bool                `json:"isBase64Encoded"`
		}
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatalf("response %s: %v", out, err)
		}
		if resp.IsBase64Encoded {
			t.Fatalf("MCP answer is base64-encoded: %s", out)
		}
		ct := header(resp.Headers, resp.MultiValueHeaders, "Content-Type")
		return Answer{Status: resp.StatusCode, ContentType: ct, Messages: messages(t, ct, []byte(resp.Body))}
	}
	rd, err := h.InvokeStream(ctx, payload)
	if err != nil {
		t.Fatalf("InvokeStream: %v", err)
	}
	all, err := io.ReadAll(rd)
	if err != nil {
		t.Fatalf("reading stream: %v", err)
	}
	head, body, ok := bytes.Cut(all, make([]byte, 8))
	if !ok {
		t.Fatalf("streamed response has no prelude: %q", all)
	}
	var p struct {
		StatusCode        int                 `json:"statusCode"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	}
	if err := json.Unmarshal(head, &p); err != nil {
		t.Fatalf("prelude %q: %v", head, err)
	}
	ct := header(p.Headers, p.MultiValueHeaders, "Content-Type")
	return Answer{Status: p.StatusCode, ContentType: ct, Messages: messages(t, ct, body)}
}

func header(single map[string]string, multi map[string][]string, name string) string {
	for k, v := range single {
		if http.CanonicalHeaderKey(k) == name {
			return v
		}
	}
	for k, v := range multi {
		if http.CanonicalHeaderKey(k) == name && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// messages reads the JSON-RPC messages of a body of either content type.
func messages(t testing.TB, contentType string, body []byte) []map[string]any {
	t.Helper()
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if !strings.HasPrefix(contentType, "text/event-stream") {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("JSON body %s: %v", body, err)
		}
		return []map[string]any{m}
	}
	var out []map[string]any
	var data strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 16<<20)
	flush := func() {
		if data.Len() == 0 {
			return
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(data.String()), &m); err != nil {
			t.Fatalf("event data %q: %v", data.String(), err)
		}
		out = append(out, m)
		data.Reset()
	}
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			flush()
		case strings.HasPrefix(line, "data:"):
			data.WriteString(strings.TrimSpace(line[len("data:"):]))
		}
	}
	flush()
	return out
}

// Last returns the last message: the response.
func (a Answer) Last() map[string]any {
	if len(a.Messages) == 0 {
		return nil
	}
	return a.Messages[len(a.Messages)-1]
}

// Result returns the response's result, re-decoded into v.
func (a Answer) Result(t testing.TB, v any) {
	t.Helper()
	last := a.Last()
	if last == nil || last["result"] == nil {
		t.Fatalf("answer has no result: %d %s %v", a.Status, a.ContentType, a.Messages)
	}
	b, _ := json.Marshal(last["result"])
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("result %s: %v", b, err)
	}
}

// Methods lists the method of each message, "result" or "error" for a
// response.
func (a Answer) Methods() []string {
	var out []string
	for _, m := range a.Messages {
		switch {
		case m["method"] != nil:
			out = append(out, fmt.Sprint(m["method"]))
		case m["error"] != nil:
			out = append(out, "error")
		default:
			out = append(out, "result")
		}
	}
	return out
}
