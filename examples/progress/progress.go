// Package progress is an MCP server whose one tool, count, reports progress
// and logs as it works: the example of messages that reach the client while
// a tool runs, through a streamed Lambda response, and all in one body,
// in order, where Lambda buffers.
//
//	h := progress.Handler(progress.New(progress.Options{}))
//	lambdamcp.Start(h, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}})
package progress

//lint:file-ignore SA1019 MCP logging, sampling and roots are deprecated as of 2026-07-28 but still served and used in the 2025-11-25 era

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// MaxSteps bounds count's steps argument.
const MaxSteps = 100

// CountInput is count's argument.
type CountInput struct {
	Steps      int `json:"steps" jsonschema:"how many steps to count, 1 to 100"`
	IntervalMS int `json:"interval_ms,omitempty" jsonschema:"milliseconds between steps, 0 to 1000"`
}

// CountOutput is count's structured result.
type CountOutput struct {
	Counted int `json:"counted"`
}

// Options configures the server. The zero value is ready to use.
type Options struct {
	// Step is called before each step and waits as it likes; it returns
	// an error to stop counting. Nil waits interval_ms or until ctx ends.
	Step func(ctx context.Context, step int, interval time.Duration) error
}

// New returns the server.
func New(opts Options) *mcp.Server {
	step := opts.Step
	if step == nil {
		step = wait
	}
	s := mcp.NewServer(&mcp.Implementation{Name: "lambdamcp-progress", Version: "1.0.0"}, &mcp.ServerOptions{
		// The list never changes: promising list-changed notifications
		// would make a 2026-07-28 subscriptions/listen hold its request
		// open until the deadline (on a streamed Lambda invocation,
		// billed all that while; a buffered one is ended once acknowledged).
		Capabilities: &mcp.ServerCapabilities{Logging: &mcp.LoggingCapabilities{}, Tools: &mcp.ToolCapabilities{}},
	})
	s.AddReceivingMiddleware(lambdamcp.StreamMiddleware, lambdamcp.Middleware())
	mcp.AddTool(s, &mcp.Tool{
		Name:        "count",
		Description: "Counts to steps, reporting progress and logging each step.",
		InputSchema: countSchema(),
	}, func(ctx context.Context, req *mcp.CallToolRequest, in CountInput) (*mcp.CallToolResult, CountOutput, error) {
		if in.Steps < 1 || in.Steps > MaxSteps || in.IntervalMS < 0 || in.IntervalMS > 1000 {
			return nil, CountOutput{}, fmt.Errorf("steps must be 1 to %d and interval_ms 0 to 1000", MaxSteps)
		}
		token := req.Params.GetProgressToken()
		for i := 1; i <= in.Steps; i++ {
			if err := step(ctx, i, time.Duration(in.IntervalMS)*time.Millisecond); err != nil {
				return nil, CountOutput{}, fmt.Errorf("counting stopped at %d: %w", i, err)
			}
			req.Session.Log(ctx, &mcp.LoggingMessageParams{Level: "info", Logger: "count", Data: fmt.Sprintf("step %d", i)})
			if token != nil {
				req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{
					ProgressToken: token, Progress: float64(i), Total: float64(in.Steps), Message: fmt.Sprintf("step %d of %d", i, in.Steps),
				})
			}
		}
		return nil, CountOutput{Counted: in.Steps}, nil
	})
	return s
}

// countSchema is count's input schema with the ranges count accepts, which
// the go-sdk then checks before count runs: a client sees them, and a
// number beyond them, however large, is refused as out of range rather than
// as one that does not fit a Go int.
func countSchema() *jsonschema.Schema {
	s, err := jsonschema.For[CountInput](nil)
	if err != nil {
		panic(fmt.Sprintf("count schema: %v", err)) // a programming error, caught by every test
	}
	bound := func(name string, lo, hi float64) {
		s.Properties[name].Minimum = jsonschema.Ptr(lo)
		s.Properties[name].Maximum = jsonschema.Ptr(hi)
	}
	bound("steps", 1, MaxSteps)
	bound("interval_ms", 0, 1000)
	return s
}

// Handler serves s statelessly with event-stream answers: streamed where
// Lambda streams, one body with every message in order where it buffers.
// A 2026-07-28 call is cancelled with its request: locally when the client
// goes away; on Lambda when the runtime stops reading a streamed answer,
// which AWS does not document it doing when the client leaves
// (docs/streaming.md).
func Handler(s *mcp.Server) http.Handler {
	return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s },
		&mcp.StreamableHTTPOptions{Stateless: true, PropagateRequestCancellation: true})
}

func wait(ctx context.Context, _ int, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
