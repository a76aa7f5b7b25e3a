// Package lambdamcp serves a Model Context Protocol server, written with the
// official Go SDK, from AWS Lambda.
//
// It turns any [http.Handler] — normally the SDK's stateless
// [mcp.StreamableHTTPHandler] — into a Lambda handler for every event shape
// that can front an MCP endpoint: API Gateway REST APIs (payload 1.0), HTTP
// APIs (payload 2.0), Lambda Function URLs and Application Load Balancers.
// The shape is detected from each payload, so one binary serves them all:
//
//	server := mcp.NewServer(&mcp.Implementation{Name: "hello", Version: "1.0.0"}, &mcp.ServerOptions{
//		// A fixed tool list: no list-changed promise, which would hold a
//		// subscriptions/listen open until a streamed invocation's deadline.
//		Capabilities: &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{}},
//	})
//	server.AddReceivingMiddleware(lambdamcp.Middleware()) // tool deadlines, panics
//	mcp.AddTool(server, &mcp.Tool{Name: "greet"}, greet)
//	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
//		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true})
//	lambdamcp.Start(h, &lambdamcp.Options{JSONResponse: true}) // as the handler answers
//
// Package [github.com/lambdamcp/lambdamcp/serve] runs such a server the way
// the reference server, cmd/mcp-server, runs: on Lambda or locally, with
// bearer authentication, origins and streaming taken from the environment
// that deploy/ sets. Most servers should start with serve.Main; Start is
// the layer beneath it.
//
// Give Start a stateless handler (StreamableHTTPOptions.Stateless), as
// serve.Handler is: a stateful session lives in the memory of the
// execution environment that answered its initialize, and a request of it
// that Lambda hands another environment, or a fresh one after that one
// was shut down, is answered 404, session not found.
//
// Data flows one way: event → [http.Request] → handler → [http.Response] →
// the matching Lambda response. The protocol itself, in both of its eras
// (2025-11-25 with its initialize handshake, 2026-07-28 with server/discover
// and per-request metadata), is the SDK's business; lambdamcp only carries
// requests and shapes transport errors as JSON.
//
// Function URLs in RESPONSE_STREAM mode and REST APIs with response
// streaming can carry the answer as it is written, so progress and log
// messages reach the client while a tool runs. Lambda does not say in the
// event how it was invoked, so the deployment names those shapes in
// [Options.Stream]; [Start] then streams them (see [Handler.InvokeStream],
// [Streamed] and [StreamMiddleware]), with heartbeats, a JSON-RPC error
// before the invocation's deadline, and cancellation when the runtime
// stops reading the stream (which AWS does not document Lambda doing when
// the client goes away). Every other shape buffers.
//
// Around every request, the guard ([Guard] for local servers; NewHandler
// applies it) enforces [Limits], answers bad input with JSON-RPC errors,
// ends the request before the Lambda and API Gateway deadlines, recovers
// panics, logs and traces ([Tracer]) each request, and measures each tool
// call (CloudWatch Embedded Metric Format, [Options.Metrics]; [Start]
// writes the lines by default). [Middleware] does the same inside the go-sdk
// server, where tools run; add it to every server. docs/errors.md lists
// every answer.
//
// Inside the handler, [RequestID], [AuthorizerContext], [EventShape] and
// [Event] tell what Lambda and the gateway said about the request, and the
// request context ends before the invocation does: half of
// [Options.DeadlineMargin] before the invocation's deadline or, for
// buffered REST and HTTP API events, API Gateway's integration timeout
// ([Options.GatewayTimeout]), whichever comes first. The request is
// what net/http would have parsed: Host promoted out of the header map,
// the path decoded with its encoding kept in RequestURI, and RemoteAddr the
// client's address as the gateway saw it (API Gateway's and the Function
// URL's source IP; for an ALB, the address it appended to
// X-Forwarded-For, the entries before it being the client's to choose).
// Transfer-Encoding is out of the header map (the gateway has read the
// body), and Content-Length, where the event has one, is the length of the
// body the handler reads. A request net/http would refuse (a framing it
// does not know, a control character in a header value) is refused with
// its status, in JSON.
// The response is what net/http would have sent: a header name that is no
// token is dropped, CR and LF in a header value become spaces, a header
// set under several spellings of its name goes out as one, with the values
// in the order net/http sends them, and a status outside 100–599 panics
// in WriteHeader, as does 101 Switching Protocols, which no
// gateway passes on as an upgrade. Connection,
// Keep-Alive, Transfer-Encoding and Content-Length are left to the gateway,
// whose connection to the client they would describe.
package lambdamcp
