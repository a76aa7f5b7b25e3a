// Package structured is an MCP server whose tool, convert, declares an
// outputSchema and answers with structured content: typed results that a
// client can check and use without parsing text, through every Lambda shape.
package structured

import (
	"context"
	"fmt"
	"math"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// ConvertInput is convert's argument.
type ConvertInput struct {
	Celsius float64 `json:"celsius" jsonschema:"a temperature in degrees Celsius, at or above absolute zero (-273.15)"`
}

// ConvertOutput is convert's structured result; its JSON schema is the
// tool's outputSchema.
type ConvertOutput struct {
	Celsius    float64 `json:"celsius" jsonschema:"the temperature given"`
	Fahrenheit float64 `json:"fahrenheit" jsonschema:"in degrees Fahrenheit"`
	Kelvin     float64 `json:"kelvin" jsonschema:"in kelvins"`
}

// New returns the server.
func New() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "lambdamcp-structured", Version: "1.0.0"}, &mcp.ServerOptions{
		// The list never changes: promising list-changed notifications
		// would make a 2026-07-28 subscriptions/listen hold its request
		// open until the deadline (on a streamed Lambda invocation,
		// billed all that while; a buffered one is ended once acknowledged).
		Capabilities: &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{}},
	})
	// Tool deadlines before the invocation's, panics answered rather
	// than fatal: what lambdamcp asks of every server.
	s.AddReceivingMiddleware(lambdamcp.Middleware())
	// With a typed output, the SDK derives the outputSchema, fills
	// structuredContent and mirrors it as JSON text for older clients.
	mcp.AddTool(s, &mcp.Tool{
		Name:        "convert",
		Description: "Converts a temperature from Celsius to Fahrenheit and kelvins.",
	}, func(_ context.Context, _ *mcp.CallToolRequest, in ConvertInput) (*mcp.CallToolResult, ConvertOutput, error) {
		if in.Celsius < -273.15 || math.IsNaN(in.Celsius) {
			return nil, ConvertOutput{}, fmt.Errorf("%g °C is below absolute zero", in.Celsius)
		}
		// Past about 1e308 °C Fahrenheit is beyond float64, and JSON
		// has no infinity: the result could not be sent at all.
		fahrenheit := in.Celsius*1.8 + 32
		if math.IsInf(fahrenheit, 0) {
			return nil, ConvertOutput{}, fmt.Errorf("%g °C is too hot to convert", in.Celsius)
		}
		return nil, ConvertOutput{
			Celsius:    in.Celsius,
			Fahrenheit: round(fahrenheit),
			Kelvin:     round(in.Celsius + 273.15),
		}, nil
	})
	return s
}

// round rounds f to hundredths. A float64 this large has no fraction to
// round, and f*100 could overflow to infinity. What rounds to zero is 0,
// never the -0 that math.Round keeps of a value just below it.
func round(f float64) float64 {
	if math.Abs(f) >= 1<<52 {
		return f
	}
	if r := math.Round(f*100) / 100; r != 0 {
		return r
	}
	return 0
}

// Handler serves s statelessly; see docs/streaming.md for why answers stay
// event streams.
func Handler(s *mcp.Server) http.Handler {
	return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s },
		&mcp.StreamableHTTPOptions{Stateless: true, PropagateRequestCancellation: true})
}
