package lambdamcp

import "context"

// Tracer starts a trace span for each request NewHandler or Guard serves.
// lambdamcp itself depends on no tracing library: an OpenTelemetry (or any
// other) tracer is adapted to this interface in the program that wants it;
// see ExampleTracer. Requests are traced only when Options.Tracer is set.
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
	Path      string
	Shape     Shape  // "" outside Lambda
	RequestID string // Lambda request id; "" outside Lambda
}

// RequestResult is how a request ended.
type RequestResult struct {
	Status    int    // HTTP status
	MCPMethod string // the JSON-RPC method the server dispatched (see Middleware), or else one of the protocol's; empty otherwise, so that a client cannot make names up
	Tool      string // the tool of a tools/call the server ran (see Middleware); empty otherwise
	Outcome   string // one of the Outcome constants
	Subject   string // the caller's auth.TokenInfo.UserID, when known
}
