// Package mrtr is an MCP server whose tools ask the client for input the
// 2026-07-28 way (the multi-round-trip, "input required" flow): a stateless
// server answers "input required" with what it needs (an elicitation, a
// sampling request, the client's roots) and a sealed requestState; the client fulfils the
// requests and calls again with the answers and the state. Nothing is kept
// on the server between rounds, so any execution environment can serve the
// next one.
package mrtr

//lint:file-ignore SA1019 MCP logging, sampling and roots are deprecated as of 2026-07-28 but still served and used in the 2025-11-25 era

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/requeststate"
)

// StateTTL is how long a client has to answer.
const StateTTL = 10 * time.Minute

// Prices are what order charges per item, in cents.
var Prices = map[string]int{"coffee": 350, "tea": 300, "cake": 425}

// OrderInput is order's argument.
type OrderInput struct {
	Item     string `json:"item" jsonschema:"coffee, tea or cake"`
	Quantity int    `json:"quantity" jsonschema:"1 to 20"`
}

// quote is order's requestState: the price the client is asked to confirm.
// Sealed, the client can neither lower it nor read it.
type quote struct {
	Item     string    `json:"item"`
	Quantity int       `json:"quantity"`
	Cents    int       `json:"cents"`
	Quoted   time.Time `json:"quoted"`
}

// New returns the server, sealing requestState with sealer.
func New(sealer *requeststate.Sealer) *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "lambdamcp-mrtr", Version: "1.0.0"}, &mcp.ServerOptions{
		// The list never changes: promising list-changed notifications
		// would make a 2026-07-28 subscriptions/listen hold its request
		// open until the deadline (on a streamed Lambda invocation,
		// billed all that while; a buffered one is ended once acknowledged).
		Capabilities: &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{}},
	})
	// Tool deadlines before the invocation's, panics answered rather
	// than fatal: what lambdamcp asks of every server.
	s.AddReceivingMiddleware(lambdamcp.Middleware())
	mcp.AddTool(s, &mcp.Tool{
		Name:        "order",
		Description: "Orders items after the user confirms the price (elicitation).",
		InputSchema: orderSchema(),
	}, func(_ context.Context, req *mcp.CallToolRequest, in OrderInput) (*mcp.CallToolResult, any, error) {
		unit, ok := Prices[in.Item]
		if !ok || in.Quantity < 1 || in.Quantity > MaxQuantity {
			return nil, nil, fmt.Errorf("order 1 to %d of coffee, tea or cake", MaxQuantity)
		}
		purpose := callPurpose(req, in)
		if req.Params.RequestState != "" {
			var q quote
			if err := sealer.Open(purpose, req.Params.RequestState, &q); err != nil {
				return nil, nil, requeststate.Error(err)
			}
			// No answer at all is no decision: the question is asked
			// again, with a fresh quote, as the spec advises.
			if answer, _ := req.Params.InputResponses["confirm"].(*mcp.ElicitResult); answer != nil {
				if answer.Action != "accept" || answer.Content["confirm"] != true {
					return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "order cancelled"}}}, nil, nil
				}
				text := fmt.Sprintf("ordered %d × %s for $%d.%02d", q.Quantity, q.Item, q.Cents/100, q.Cents%100)
				return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}, nil, nil
			}
		}
		q := quote{Item: in.Item, Quantity: in.Quantity, Cents: unit * in.Quantity, Quoted: time.Now().UTC()}
		ask := mcp.InputRequestMap{"confirm": &mcp.ElicitParams{
			Message: fmt.Sprintf("Order %d × %s for $%d.%02d?", q.Quantity, q.Item, q.Cents/100, q.Cents%100),
			RequestedSchema: map[string]any{
				"type":       "object",
				"properties": map[string]any{"confirm": map[string]any{"type": "boolean"}},
				"required":   []string{"confirm"},
			},
		}}
		return askInput(req, sealer, purpose, q, ask)
	})
	mcp.AddTool(s, &mcp.Tool{
		Name:        "haiku",
		Description: "Asks the client's model for a haiku about a topic (sampling).",
	}, func(_ context.Context, req *mcp.CallToolRequest, in struct {
		Topic string `json:"topic"`
	}) (*mcp.CallToolResult, any, error) {
		// A tool error, as order's, that the model can correct: a
		// blank topic would ask for a haiku about nothing.
		if strings.TrimSpace(in.Topic) == "" {
			return nil, nil, fmt.Errorf("haiku needs a topic")
		}
		purpose := callPurpose(req, in)
		if req.Params.RequestState != "" {
			var topic string
			if err := sealer.Open(purpose, req.Params.RequestState, &topic); err != nil {
				return nil, nil, requeststate.Error(err)
			}
			// No answer is asked for again below, as the spec advises.
			if poem, answered := sampledText(req.Params.InputResponses["write"]); answered {
				if poem == "" {
					return nil, nil, fmt.Errorf("no haiku came back")
				}
				return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "A haiku about " + topic + ":\n" + poem}}}, nil, nil
			}
		}
		ask := mcp.InputRequestMap{"write": &mcp.CreateMessageParams{
			Messages:  []*mcp.SamplingMessage{{Role: "user", Content: &mcp.TextContent{Text: "Write a haiku about " + in.Topic + "."}}},
			MaxTokens: 100,
		}}
		return askInput(req, sealer, purpose, in.Topic, ask)
	})
	mcp.AddTool(s, &mcp.Tool{
		Name:        "workspace",
		Description: "Names the client's roots (roots/list): the folders it lets servers see.",
	}, func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		// Nothing to remember between rounds but that the question was
		// asked; the seal keeps a client from skipping it.
		purpose := callPurpose(req, struct{}{})
		if req.Params.RequestState != "" {
			var asked string
			if err := sealer.Open(purpose, req.Params.RequestState, &asked); err != nil {
				return nil, nil, requeststate.Error(err)
			}
			// No answer is not an empty list: asked again below, as the
			// spec advises.
			if roots, _ := req.Params.InputResponses["roots"].(*mcp.ListRootsResult); roots != nil {
				if len(roots.Roots) == 0 {
					return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "no roots shared"}}}, nil, nil
				}
				var names []string
				for _, r := range roots.Roots {
					names = append(names, r.URI)
				}
				return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "roots: " + strings.Join(names, ", ")}}}, nil, nil
			}
		}
		return askInput(req, sealer, purpose, "asked", mcp.InputRequestMap{"roots": &mcp.ListRootsParams{}})
	})
	return s
}

// MaxQuantity bounds order's quantity argument.
const MaxQuantity = 20

// orderSchema is order's input schema with the items and quantities order
// accepts, which the go-sdk then checks before order runs: a client sees
// them, and a quantity beyond them, however large, is refused as out of
// range rather than as one that does not fit a Go int.
func orderSchema() *jsonschema.Schema {
	s, err := jsonschema.For[OrderInput](nil)
	if err != nil {
		panic(fmt.Sprintf("order schema: %v", err)) // a programming error, caught by every test
	}
	for _, item := range slices.Sorted(maps.Keys(Prices)) {
		s.Properties["item"].Enum = append(s.Properties["item"].Enum, item)
	}
	s.Properties["quantity"].Minimum = jsonschema.Ptr(1.0)
	s.Properties["quantity"].Maximum = jsonschema.Ptr(float64(MaxQuantity))
	return s
}

// sampledText returns the text of a sampling answer, and whether r is one.
func sampledText(r any) (text string, ok bool) {
	switch r := r.(type) {
	case *mcp.CreateMessageResult:
		if r == nil {
			return "", false
		}
		if t, ok := r.Content.(*mcp.TextContent); ok {
			text = t.Text
		}
		return text, true
	case *mcp.CreateMessageWithToolsResult:
		if r == nil {
			return "", false
		}
		for _, c := range r.Content {
			if t, ok := c.(*mcp.TextContent); ok {
				text += t.Text
			}
		}
		return text, true
	}
	return "", false
}

// askInput answers that the tool needs the input ask names, with state
// sealed for the next round, if the client declared it can give it.
func askInput(req *mcp.CallToolRequest, sealer *requeststate.Sealer, purpose string, state any, ask mcp.InputRequestMap) (*mcp.CallToolResult, any, error) {
	if req.ProtocolVersion() < "2026-07-28" {
		return inputNeedsNewerProtocol(req, ask), nil, nil
	}
	if err := lambdamcp.CheckInputRequests(req.ClientCapabilities(), ask); err != nil {
		return nil, nil, err
	}
	sealed, err := sealer.Seal(purpose, state, StateTTL)
	if err != nil {
		return nil, nil, err
	}
	return &mcp.CallToolResult{InputRequests: ask, RequestState: sealed}, nil, nil
}

// inputNeedsNewerProtocol is the tool error of a tool that asks for input
// in a request before 2026-07-28: the go-sdk turns input requests into
// requests of the server's own, which a stateless server cannot send, and
// fails the call with an error that has no JSON-RPC code (or one that
// names no cause the client can mend), even when the request's _meta
// declares client capabilities, which the go-sdk reads in every era. It
// says whom the tool asks, and for what: only an elicitation asks the
// user.
func inputNeedsNewerProtocol(req *mcp.CallToolRequest, ask mcp.InputRequestMap) *mcp.CallToolResult {
	var asks []string
	for _, key := range slices.Sorted(maps.Keys(ask)) {
		switch ask[key].(type) {
		case *mcp.ElicitParams:
			asks = append(asks, "the user for input (elicitation)")
		case *mcp.CreateMessageParams:
			asks = append(asks, "the client's model for input (sampling)")
		case *mcp.ListRootsParams:
			asks = append(asks, "the client for its roots")
		}
	}
	return &mcp.CallToolResult{
		IsError: true,
		Content: []mcp.Content{&mcp.TextContent{Text: req.Params.Name + " asks " + strings.Join(asks, " and ") + ", which needs protocol 2026-07-28 or later"}},
	}
}

// callPurpose binds requestState to the call: the tool, its arguments,
// decoded (so a client that re-encodes them differently still matches), and
// the caller when the server authenticates (auth.Middleware hands the
// identity to tools as req.Extra.TokenInfo), so that one user's state does
// not work for another.
func callPurpose(req *mcp.CallToolRequest, args any) string {
	b, _ := json.Marshal(args) // the tool's own input struct: cannot fail
	sum := sha256.Sum256(b)
	caller := ""
	if req.Extra != nil {
		caller = auth.IdentityFromTokenInfo(req.Extra.TokenInfo).Caller()
	}
	return "tools/call " + req.Params.Name + " " + hex.EncodeToString(sum[:]) + " " + caller
}

// Handler serves s statelessly; see docs/streaming.md for why answers stay
// event streams.
func Handler(s *mcp.Server) http.Handler {
	return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s },
		&mcp.StreamableHTTPOptions{Stateless: true, PropagateRequestCancellation: true})
}
