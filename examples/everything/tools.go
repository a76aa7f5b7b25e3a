package everything

//lint:file-ignore SA1019 the 2025-11-25 era's logging, sampling and roots are served on purpose; the conformance suite tests them

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// addContentTools adds the tools whose results show each content type,
// tool errors, logging and progress.
func addContentTools(srv *mcp.Server) {
	text := func(s string) *mcp.CallToolResult {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s}}}
	}
	fixed := func(name, desc string, res func() *mcp.CallToolResult) {
		mcp.AddTool(srv, &mcp.Tool{Name: name, Description: desc},
			func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
				return res(), nil, nil
			})
	}
	fixed("test_simple_text", "Returns one text content item.", func() *mcp.CallToolResult {
		return text("This is a simple text response for testing.")
	})
	fixed("test_image_content", "Returns one PNG image content item.", func() *mcp.CallToolResult {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.ImageContent{MIMEType: "image/png", Data: pngImage}}}
	})
	fixed("test_audio_content", "Returns one WAV audio content item.", func() *mcp.CallToolResult {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.AudioContent{MIMEType: "audio/wav", Data: wavAudio}}}
	})
	fixed("test_embedded_resource", "Returns one embedded text resource.", func() *mcp.CallToolResult {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.EmbeddedResource{Resource: &mcp.ResourceContents{
			URI: "test://embedded-resource", MIMEType: "text/plain", Text: "This is an embedded resource content.",
		}}}}
	})
	fixed("test_multiple_content_types", "Returns text, an image and an embedded resource.", func() *mcp.CallToolResult {
		return &mcp.CallToolResult{Content: []mcp.Content{
			&mcp.TextContent{Text: "Multiple content types test:"},
			&mcp.ImageContent{MIMEType: "image/png", Data: pngImage},
			&mcp.EmbeddedResource{Resource: &mcp.ResourceContents{
				URI: "test://mixed-content-resource", MIMEType: "application/json", Text: `{"test":"data","value":123}`,
			}},
		}}
	})

	mcp.AddTool(srv, &mcp.Tool{Name: "test_error_handling", Description: "Always fails, as a tool error (isError: true)."},
		func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
			//lint:ignore ST1005 the conformance suite expects this exact text
			return nil, nil, errors.New("This tool intentionally returns an error for testing")
		})

	mcp.AddTool(srv, &mcp.Tool{Name: "test_tool_with_logging", Description: "Sends three info log messages while it runs."},
		func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
			for i, msg := range []string{"Tool execution started", "Tool processing data", "Tool execution completed"} {
				if i > 0 {
					if err := pause(ctx, 50*time.Millisecond); err != nil {
						return nil, nil, err
					}
				}
				if err := req.Session.Log(ctx, &mcp.LoggingMessageParams{Level: "info", Logger: Name, Data: msg}); err != nil {
					return nil, nil, fmt.Errorf("sending log message: %w", err)
				}
			}
			return text("Tool with logging executed successfully"), nil, nil
		})

	mcp.AddTool(srv, &mcp.Tool{Name: "test_tool_with_progress", Description: "Reports progress 0, 50 and 100 of 100 while it runs."},
		func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
			token := req.Params.GetProgressToken()
			for i, p := range []float64{0, 50, 100} {
				if i > 0 {
					if err := pause(ctx, 50*time.Millisecond); err != nil {
						return nil, nil, err
					}
				}
				if token == nil {
					continue
				}
				if err := req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{
					ProgressToken: token, Progress: p, Total: 100, Message: fmt.Sprintf("step %.0f of 100", p),
				}); err != nil {
					return nil, nil, fmt.Errorf("sending progress: %w", err)
				}
			}
			if token == nil {
				return text("no progress token: no progress sent"), nil, nil
			}
			return text(fmt.Sprint(token)), nil, nil
		})

	// Typed output: the go-sdk derives the outputSchema from the Go type and
	// sends the value as structuredContent, with its JSON as text for older clients.
	type sumArgs struct {
		Numbers []float64 `json:"numbers" jsonschema:"the numbers to add"`
	}
	type sumResult struct {
		Sum   float64 `json:"sum" jsonschema:"the total"`
		Count int     `json:"count" jsonschema:"how many numbers were added"`
	}
	mcp.AddTool(srv, &mcp.Tool{Name: "test_structured_output", Description: "Adds numbers; answers with structured content that matches its output schema."},
		func(_ context.Context, _ *mcp.CallToolRequest, in sumArgs) (*mcp.CallToolResult, sumResult, error) {
			out := sumResult{Count: len(in.Numbers)}
			for _, n := range in.Numbers {
				out.Sum += n
			}
			// JSON has no infinity: a sum beyond float64 could not be sent.
			if math.IsInf(out.Sum, 0) {
				return nil, sumResult{}, errors.New("the sum is beyond the range of a float64")
			}
			return nil, out, nil
		})

	// Added with Server.AddTool, so that the schema reaches clients
	// verbatim, the tool checks its arguments itself: the go-sdk checks only
	// those of tools added with mcp.AddTool.
	schema := resolveSchema(jsonSchema202012)
	srv.AddTool(&mcp.Tool{
		Name:        "json_schema_2020_12_tool",
		Description: "Declares an input schema that uses JSON Schema 2020-12 keywords; echoes its arguments.",
		InputSchema: json.RawMessage(jsonSchema202012),
	}, func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if err := validArguments(schema, req.Params.Arguments); err != nil {
			// An input validation error is a tool error, as the go-sdk
			// answers for the tools it checks.
			res := text("invalid arguments: " + err.Error())
			res.IsError = true
			return res, nil
		}
		return text("arguments: " + string(req.Params.Arguments)), nil
	})
}

// resolveSchema resolves a tool's input schema, given as JSON, for
// validating arguments.
func resolveSchema(s string) *jsonschema.Resolved {
	var schema jsonschema.Schema
	if err := json.Unmarshal([]byte(s), &schema); err != nil {
		panic("decoding an input schema: " + err.Error()) // a programming error, caught by every test
	}
	resolved, err := schema.Resolve(nil)
	if err != nil {
		panic("resolving an input schema: " + err.Error())
	}
	return resolved
}

// validArguments checks a tool call's arguments against schema. Absent or
// null arguments are an empty object, as the go-sdk takes them.
func validArguments(schema *jsonschema.Resolved, args json.RawMessage) error {
	var v any
	if len(args) > 0 {
		if err := json.Unmarshal(args, &v); err != nil {
			return err
		}
	}
	if v == nil {
		v = map[string]any{}
	}
	return schema.Validate(v)
}

// jsonSchema202012 must reach clients verbatim: $schema, $defs, $ref,
// $anchor, allOf/anyOf, if/then/else and additionalProperties.
const jsonSchema202012 = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "$defs": {
    "address": {
      "$anchor": "addressDef",
      "type": "object",
      "properties": {"street": {"type": "string"}, "city": {"type": "string"}}
    }
  },
  "properties": {
    "name": {"type": "string"},
    "address": {"$ref": "#/$defs/address"},
    "contactMethod": {"type": "string", "enum": ["phone", "email"]},
    "phone": {"type": "string"},
    "email": {"type": "string"}
  },
  "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
  "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
  "then": {"required": ["phone"]},
  "else": {"required": ["email"]},
  "additionalProperties": false
}`

// pause waits for d or until ctx ends, whichever comes first.
func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
