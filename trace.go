package lambdamcp

import (
	"context"
	"time"
)

// Tracer starts a trace span for each request NewHandler or Guard serves.
// lambdamcp itself depends on no tracing library: an OpenTelemetry (or any
// other) tracer is adapted to this interface in the program that wants it;
// see ExampleTracer. Requests are traced only when Options.Tracer is set.
// Start is called for requests served at once (every local one, and
// concurrent invocations), so a Tracer must be safe for concurrent use.
// A panic in Start or in the end it returns costs the request its span,
// not its answer: it is logged (Options.Logger), and the request served.
type Tracer interface {
	// Start begins the request's span. The context it returns is the
	// request's from then on (so the span is the parent of what the
	// handler and its tools trace); end is called once, when the request
	// has been answered.
	Start(ctx context.Context, info RequestInfo) (_ context.Context, end func(RequestResult))
}

// RequestInfo is what is known of a request when its span starts.
type RequestInfo struct {
	Method    string // HTTP method
	Scheme    string // "https" or "http", as the client called
	Path      string // the path the handler sees, decoded (URL.Path)
	Shape     Shape  // "" outside Lambda
	RequestID string // Lambda request id; "" outside Lambda

	// RemoteAddr is the client's address, the request's RemoteAddr: on
	// Lambda the source IP the front saw (for an ALB, the address it
	// appended to X-Forwarded-For), with no port; outside it "host:port".
	RemoteAddr string
	// Host is the host the client called, the request's Host, with the
	// port if the client named one.
	Host string
	// Proto is the HTTP version the client called with ("HTTP/1.1",
	// "HTTP/2.0"): on Lambda the one the front reports (an ALB reports
	// none: ""), outside it the request's Proto.
	Proto string

	// Deadline is when the answer is due: the invocation's deadline, or
	// API Gateway's integration timeout for a buffered REST or HTTP API
	// event when that comes first; zero when there is none. The request's
	// context ends before it (Options.DeadlineMargin), so that a timeout
	// error is still answered in time, and has ended when a request that
	// ran out of time is: work of the tracer's own at the end of a span,
	// such as exporting it, is bounded by Deadline, not by that context.
	Deadline time.Time
}

// RequestResult is how a request ended.
type RequestResult struct {
	Status    int    // HTTP status
	MCPMethod string // the JSON-RPC method the server dispatched (see Middleware), or else one of the protocol's; empty otherwise, so that a client cannot make names up
	Tool      string // the tool of a tools/call the server ran, or ran or listed before (see Middleware); empty otherwise
	Prompt    string // the prompt of a prompts/get the server answered with a result, or whose handler panicked (see Middleware); empty otherwise
	Outcome   string // one of the Outcome constants
	Subject   string // the caller's auth.TokenInfo.UserID, when known

	// RPCID is the JSON-RPC request's id as text ("7", "req-1"), cut to
	// 128 bytes; empty for a notification, or a body lambdamcp could not
	// read.
	RPCID string
	// ProtocolVersion is the MCP protocol version the request was served
	// under: the one an initialize result agreed (see Middleware), or else
	// the request's MCP-Protocol-Version if the server serves it; empty
	// otherwise.
	ProtocolVersion string
	// ErrorCode is the code of the JSON-RPC error the request was answered
	// with, as text ("-32602"): lambdamcp's own answers (refusals,
	// timeouts, panics, JSONErrors), the JSON errors it passed through, and
	// with Middleware the server's. Empty when the answer was a result, or
	// the code is unknown.
	ErrorCode string
	// ErrorMessage is the message of the JSON-RPC error ErrorCode is the
	// code of, cut to 256 bytes; empty when ErrorCode is, or the message
	// is unknown. It may quote what the client sent (a tool's name).
	ErrorMessage string
	// ResourceURI is the uri of a resources/read, resources/subscribe or
	// resources/unsubscribe, as the client sent it, cut to 1024 bytes;
	// empty for other methods. It is the client's, whether or not the
	// server has such a resource: unlike the tool and the prompt, it is
	// not fit to name a span, and may hold credentials (a presigned
	// URL's signature, a password), which otellambdamcp redacts.
	//
	// A 2025-03-26 batch ends with the method of one of its calls, and
	// the tool, prompt and URI each of the last call that named one: a
	// field that does not belong to MCPMethod's method belongs to another
	// call. Once a call of the batch has failed, MCPMethod, the tool, the
	// prompt and the URI are the first failed call's, and so are ErrorCode
	// and ToolError: the batch's error is reported under its call's name.
	ResourceURI string
	// SessionID is the MCP session the request was served in (a stateful
	// server's, before 2026-07-28): the Mcp-Session-Id the server answered
	// an initialize with; else, where Middleware saw a call, the id of the
	// session the go-sdk served it in (none on a stateless server, which
	// ignores the one the request carried); else the one the request
	// carried, unless the request was refused with a 4xx (a session the
	// server does not know is answered 404). Empty otherwise.
	SessionID string
	// ToolError reports a tools/call answered with a result marked isError
	// (see Middleware).
	ToolError bool
}
