// Package everything builds an MCP server that offers every tool, resource,
// prompt and completion the official MCP conformance suite exercises, for both
// protocol eras (2025-11-25 and 2026-07-28), served statelessly.
//
// It is the server lambdamcp checks itself against: the same [New] runs as a
// plain local HTTP server and as a Lambda function behind every event shape.
//
//	srv := everything.New(nil)
//	http.Handle("/mcp", everything.Handler(srv, nil))
package everything

//lint:file-ignore SA1019 the 2025-11-25 era's logging, sampling and roots are served on purpose; the conformance suite tests them

import (
	"context"
	"crypto/rand"
	"github.com/lambdamcp/lambdamcp/requeststate"
	"net/http"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Name is the server name reported to clients.
const Name = "lambdamcp-everything"

// Options configures the everything server. A nil *Options means defaults.
type Options struct {
	// Sealer seals the requestState of multi-round-trip (input-required)
	// results, so a client can neither read nor forge it; every instance
	// serving one endpoint must share its key (requeststate.FromEnv reads
	// it). If nil, a key of this process is made: state then survives only
	// within it, which on Lambda fails every round that reaches another
	// execution environment.
	Sealer *requeststate.Sealer

	// StaticLists says the tool, prompt and resource lists never change while
	// clients watch: the server then advertises no list-changed notifications
	// (nor, in server/discover, resource subscriptions),
	// and subscriptions/listen is acknowledged, with neither list changes nor
	// resource updates, and completed at once instead of holding its request
	// open. Right on Lambda, where each execution
	// environment is separate and a buffered gateway cannot carry a
	// long-lived stream anyway.
	StaticLists bool

	// ListTTLMs is the ttlMs caching hint on list results and resource reads
	// (2026-07-28). Zero means results are immediately stale, and so does a
	// negative value, sent as 0: the spec allows no ttlMs below it.
	ListTTLMs int
}

// New returns the everything server.
func New(opts *Options) *mcp.Server {
	var o Options
	if opts != nil {
		o = *opts
	}
	sealer := o.Sealer
	if sealer == nil {
		key := make([]byte, requeststate.KeySize)
		rand.Read(key)
		sealer, _ = requeststate.New(key) // a key of the right size: no error
	}
	completions := &completions{}
	var caps *mcp.ServerCapabilities // nil: inferred, with list-changed notifications
	if o.StaticLists {
		caps = &mcp.ServerCapabilities{
			Logging:   &mcp.LoggingCapabilities{},
			Tools:     &mcp.ToolCapabilities{},
			Prompts:   &mcp.PromptCapabilities{},
			Resources: &mcp.ResourceCapabilities{},
		}
	}
	srv := mcp.NewServer(&mcp.Implementation{Name: Name, Title: "lambdamcp everything server", Version: "1.0.0"}, &mcp.ServerOptions{
		Instructions:       "Conformance server: every MCP feature the official suite exercises.",
		Capabilities:       caps,
		CompletionHandler:  completions.complete,
		SubscribeHandler:   func(context.Context, *mcp.SubscribeRequest) error { return nil },
		UnsubscribeHandler: func(context.Context, *mcp.UnsubscribeRequest) error { return nil },
		SetCacheable: func(_ context.Context, _ mcp.Request, c *mcp.Cacheable) {
			c.TTLMs = max(o.ListTTLMs, 0)
			c.CacheScope = "public"
		},
	})
	// Tool deadlines before the invocation's, panics answered rather than
	// fatal, each era's error codes: what lambdamcp asks of every server.
	srv.AddReceivingMiddleware(lambdamcp.Middleware())
	if o.StaticLists {
		// The go-sdk agrees to every resource subscription while a
		// SubscribeHandler is set (kept for the 2025-11-25
		// resources/subscribe), and then holds the listen open. No update
		// can reach it: ask for none, so that it ends at once, and do
		// not advertise them.
		srv.AddReceivingMiddleware(noResourceSubscriptions)
	}
	addContentTools(srv)
	addClientRequestTools(srv)
	addInputRequiredTools(srv, sealer)
	addProtocolTools(srv, completions, o.StaticLists)
	addResources(srv, completions)
	addPrompts(srv, completions)
	return srv
}

// noResourceSubscriptions drops the resource subscriptions a
// subscriptions/listen asks for, so that the acknowledgement names none,
// and so server/discover does not advertise them (resources.subscribe).
// initialize still does, for the 2025-11-25 resources/subscribe.
func noResourceSubscriptions(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		if r, ok := req.(*mcp.SubscriptionsListenRequest); ok && r.Params != nil && r.Params.Notifications != nil {
			n := *r.Params.Notifications
			n.ResourceSubscriptions = nil
			p := *r.Params
			p.Notifications = &n
			req = &mcp.SubscriptionsListenRequest{Session: r.Session, Params: &p, Extra: r.Extra}
		}
		res, err := next(ctx, method, req)
		if d, ok := res.(*mcp.DiscoverResult); ok && d != nil && d.Capabilities != nil && d.Capabilities.Resources != nil {
			caps, resources := *d.Capabilities, *d.Capabilities.Resources
			resources.Subscribe = false
			caps.Resources = &resources
			d.Capabilities = &caps
		}
		return res, err
	}
}

// HandlerOptions configures [Handler]. A nil *HandlerOptions means defaults.
type HandlerOptions struct {
	// JSONResponse answers with one application/json body instead of an SSE
	// stream; right for gateways that buffer the response.
	JSONResponse bool

	// AllowedOrigins lists the browser origins (scheme://host[:port]) that may
	// call besides the server's own; "*" allows any. Requests from any other
	// origin are refused with 403, the transport's defence against DNS
	// rebinding. Requests without an Origin header (non-browser clients) are
	// always served.
	AllowedOrigins []string

	// ResourceURL is the endpoint's URL as clients use it: its origin is the
	// server's own. Empty means the origin each request names in its Host,
	// which only a gateway, or the go-sdk's refusal of other Hosts on a
	// loopback listener, keeps honest: a server listening beyond loopback
	// must set it, or a page whose DNS name was rebound to it passes as its
	// own.
	ResourceURL string
}

// Handler serves srv statelessly over the streamable HTTP transport: every
// request stands alone, as it must on Lambda. A 2026-07-28 call whose client
// goes away is cancelled, as that era's spec asks. Browser requests from
// foreign origins are refused (see HandlerOptions.AllowedOrigins).
func Handler(srv *mcp.Server, opts *HandlerOptions) http.Handler {
	var o HandlerOptions
	if opts != nil {
		o = *opts
	}
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{
		Stateless:    true,
		JSONResponse: o.JSONResponse,
		// A 2026-07-28 client's disconnect is its cancellation: the
		// tool's context ends with it.
		PropagateRequestCancellation: true,
	})
	return auth.OriginProtection(&auth.MiddlewareOptions{AllowedOrigins: o.AllowedOrigins, ResourceURL: o.ResourceURL})(h)
}
