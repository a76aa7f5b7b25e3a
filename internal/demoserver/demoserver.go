// Package demoserver builds the reference MCP server, lambdamcp-demo, that
// cmd/mcp-server runs locally and on Lambda: one constructor, so what runs
// on a laptop is what is deployed.
package demoserver

//lint:file-ignore SA1019 the logging capability is still declared for 2025-11-25 clients

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/auth"
)

// Name is the server's name in its implementation info.
const Name = "lambdamcp-demo"

// Version is the server's version, reported by ping and in the
// implementation info.
const Version = "0.1.0"

// MaxDelay bounds ping's delay_ms argument.
const MaxDelay = 5 * time.Second

// Options configures the reference server. The zero value is ready to use.
type Options struct {
	// LogStream names the execution environment in ping's answer; on Lambda
	// it is AWS_LAMBDA_LOG_STREAM_NAME. Empty means "unknown".
	LogStream string

	// Logger receives the SDK's and the tools' logs. If nil, nothing is logged.
	Logger *slog.Logger

	// Sleep waits for d or until ctx ends. Nil means a real timer; tests
	// replace it to observe the waits without spending them.
	Sleep func(ctx context.Context, d time.Duration) error
}

// PingInput is ping's argument.
type PingInput struct {
	DelayMS *int `json:"delay_ms,omitempty" jsonschema:"milliseconds to wait before answering (0 to 5000); without it the server waits 100 ms and 50 ms alternately"`
}

// New returns the reference server with its tools.
func New(opts Options) *mcp.Server {
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	logStream := opts.LogStream
	if logStream == "" {
		logStream = "unknown"
	}
	s := mcp.NewServer(&mcp.Implementation{Name: Name, Version: Version}, &mcp.ServerOptions{
		Logger: opts.Logger,
		// The tool list is fixed, so the server promises no list-changed
		// notifications. Promising them would make subscriptions/listen hold
		// its request open for changes that never come: on a buffered Lambda
		// shape that is a whole execution environment until the deadline, and
		// clients that wait for the acknowledgement stall with it.
		Capabilities: &mcp.ServerCapabilities{Logging: &mcp.LoggingCapabilities{}, Tools: &mcp.ToolCapabilities{}},
	})
	// A streamed response starts, and heartbeats flow, as soon as a request
	// reaches the server, however long its tool stays silent.
	s.AddReceivingMiddleware(lambdamcp.StreamMiddleware)
	// Tools get the request's deadline, and a panic answers an error
	// instead of ending the process.
	s.AddReceivingMiddleware(lambdamcp.Middleware())

	// Like the sample it replaces, ping waits 100 ms, then 50 ms, and so on
	// alternately within one process, so that a caller can tell execution
	// environments apart.
	var calls atomic.Uint64
	addTool(s, &mcp.Tool{
		Name:        "ping",
		Description: "Answers pong with the execution environment's log stream, the server version and how long it waited.",
		InputSchema: pingSchema(),
	}, func(ctx context.Context, _ *mcp.CallToolRequest, in PingInput) (*mcp.CallToolResult, any, error) {
		delay := 100 * time.Millisecond
		if calls.Add(1)%2 == 0 {
			delay = 50 * time.Millisecond
		}
		if in.DelayMS != nil {
			d := time.Duration(*in.DelayMS) * time.Millisecond
			if d < 0 || d > MaxDelay {
				return nil, nil, fmt.Errorf("delay_ms must be between 0 and %d", MaxDelay.Milliseconds())
			}
			delay = d
		}
		if err := opts.Sleep(ctx, delay); err != nil {
			return nil, nil, fmt.Errorf("ping interrupted: %w", err)
		}
		text := fmt.Sprintf("pong! logStream=%s v=%s d=%d", logStream, Version, delay.Milliseconds())
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}, nil, nil
	})

	addTool(s, &mcp.Tool{
		Name:        "whoami",
		Description: "Answers with the caller's identity as the server verified it: subject, client id, scopes and how the token was checked.",
	}, whoami)
	return s
}

// WhoamiOutput is whoami's answer.
type WhoamiOutput struct {
	Authenticated bool     `json:"authenticated" jsonschema:"false when the server runs without authentication"`
	Subject       string   `json:"subject,omitempty" jsonschema:"the caller: the token's sub claim, the authorizer's principal, or, for a static token, static: and the start of its SHA-256 hash"`
	ClientID      string   `json:"client_id,omitempty" jsonschema:"the OAuth client the token was issued to"`
	Scopes        []string `json:"scopes,omitempty" jsonschema:"the scopes the token grants"`
	Method        string   `json:"method,omitempty" jsonschema:"how the token was checked: static, jwt or authorizer"`
	ExpiresAt     string   `json:"expires_at,omitempty" jsonschema:"when the token expires (RFC 3339)"`
}

// whoami reads the caller from req.Extra.TokenInfo, where the go-sdk puts
// what the auth middleware verified, in every deployment shape.
func whoami(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, WhoamiOutput, error) {
	if req.Extra == nil { // in-memory transports carry no HTTP extras
		return nil, WhoamiOutput{}, nil
	}
	id := auth.IdentityFromTokenInfo(req.Extra.TokenInfo)
	if id == nil {
		return nil, WhoamiOutput{}, nil
	}
	out := WhoamiOutput{Authenticated: true, Subject: id.Subject, ClientID: id.ClientID, Scopes: id.Scopes, Method: id.Method}
	if !id.Expiry.IsZero() {
		out.ExpiresAt = id.Expiry.UTC().Format(time.RFC3339)
	}
	return nil, out, nil
}

// pingSchema is ping's input schema, with the bounds that the SDK checks
// before the tool runs.
func pingSchema() *jsonschema.Schema {
	s, err := jsonschema.For[PingInput](nil)
	if err != nil {
		panic(fmt.Sprintf("ping schema: %v", err)) // a programming error, caught by every test
	}
	d := s.Properties["delay_ms"]
	d.Types = nil
	d.Type = "integer"
	d.Minimum = jsonschema.Ptr(0.0)
	d.Maximum = jsonschema.Ptr(float64(MaxDelay.Milliseconds()))
	return s
}

// addTool adds a tool with its schemas encoded once. The SDK lists a
// json.RawMessage schema as it is, where a *jsonschema.Schema (given or
// inferred) would be encoded again by reflection on every tools/list; it
// still decodes the schemas once, here, to validate arguments and results.
// Schemas left nil are inferred from In and Out as the SDK would.
func addTool[In, Out any](s *mcp.Server, t *mcp.Tool, h mcp.ToolHandlerFor[In, Out]) {
	if t.InputSchema == nil {
		t.InputSchema = mustSchema[In]()
	} else if schema, ok := t.InputSchema.(*jsonschema.Schema); ok {
		t.InputSchema = encodeSchema(schema)
	}
	if t.OutputSchema == nil && reflect.TypeFor[Out]() != reflect.TypeFor[any]() {
		t.OutputSchema = mustSchema[Out]()
	}
	mcp.AddTool(s, t, h)
}

func mustSchema[T any]() json.RawMessage {
	schema, err := jsonschema.For[T](nil)
	if err != nil {
		panic(fmt.Sprintf("schema of %v: %v", reflect.TypeFor[T](), err)) // a programming error, caught by every test
	}
	return encodeSchema(schema)
}

func encodeSchema(schema *jsonschema.Schema) json.RawMessage {
	b, err := json.Marshal(schema)
	if err != nil {
		panic(fmt.Sprintf("encoding schema: %v", err)) // a programming error, caught by every test
	}
	return b
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
