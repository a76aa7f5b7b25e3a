package lambdamcp

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// unencodable reports whether res, the result of method, is one JSON
// cannot hold (a NaN in a _meta, say): the go-sdk (v1.8.0) would fail to
// write it and leave the call unanswered until the request's deadline.
//
// Only the parts a server fills with values of its own making can make a
// result so: _meta maps, structured content, annotations' priorities,
// capabilities' free-form maps, input requests, and contents (a nil
// content pointer, whose MarshalJSON panics). The go-sdk's result types
// are looked through to those parts with type switches, so a result
// without them costs no encoding; in them, a value of a kind JSON always
// holds (a string, a finite number, maps and lists of such) is passed
// over, and any other is encoded, once, as the go-sdk will. A result of a
// type not known here is encoded whole.
func unencodable(method string, res mcp.Result) bool {
	switch r := res.(type) {
	case nil:
		return false
	case *mcp.CallToolResult:
		return r != nil && (badMap(r.Meta, 0) || badValue(r.StructuredContent, 0) ||
			badContents(r.Content) || badInputRequests(r.InputRequests))
	case *mcp.ListToolsResult:
		return r != nil && (badMap(r.Meta, 0) || badTools(r.Tools))
	case *mcp.InitializeResult:
		return r != nil && (badMap(r.Meta, 0) || badCapabilities(r.Capabilities))
	case *mcp.DiscoverResult:
		return r != nil && (badMap(r.Meta, 0) || badCapabilities(r.Capabilities))
	case *mcp.GetPromptResult:
		return r != nil && (badMap(r.Meta, 0) || badMessages(r.Messages) || badInputRequests(r.InputRequests))
	case *mcp.ReadResourceResult:
		return r != nil && (badMap(r.Meta, 0) || badResourceContents(r.Contents) || badInputRequests(r.InputRequests))
	case *mcp.ListPromptsResult:
		return r != nil && (badMap(r.Meta, 0) || badPrompts(r.Prompts))
	case *mcp.ListResourcesResult:
		return r != nil && (badMap(r.Meta, 0) || badResources(r.Resources))
	case *mcp.ListResourceTemplatesResult:
		return r != nil && (badMap(r.Meta, 0) || badTemplates(r.ResourceTemplates))
	case *mcp.CompleteResult:
		return r != nil && badMap(r.Meta, 0)
	case *mcp.SubscriptionsListenResult:
		return r != nil && badMap(r.Meta, 0)
	}
	switch method {
	case "ping", "logging/setLevel", "resources/subscribe", "resources/unsubscribe":
		// The go-sdk answers these with an empty result of a type it does
		// not export, and no handler of the server's fills it.
		return false
	}
	return badJSON(res)
}

// maxWalkDepth bounds how deep badValue walks maps and lists itself;
// deeper, json.Marshal decides, which also ends a map that holds itself.
const maxWalkDepth = 32

// badValue reports whether JSON cannot hold v, a value of any kind a
// server put in a result; depth is how deep in maps and lists it is.
func badValue(v any, depth int) bool {
	switch v := v.(type) {
	case nil, string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, []string, map[string]string:
		return false
	case float64:
		return !finite(v)
	case float32:
		return !finite(float64(v))
	case json.RawMessage:
		return v != nil && !json.Valid(v) // nil is written null
	case map[string]any:
		if depth < maxWalkDepth {
			return badMap(v, depth+1)
		}
	case mcp.Meta:
		if depth < maxWalkDepth {
			return badMap(v, depth+1)
		}
	case []any:
		if depth < maxWalkDepth {
			for _, e := range v {
				if badValue(e, depth+1) {
					return true
				}
			}
			return false
		}
	}
	return badJSON(v)
}

func badMap(m map[string]any, depth int) bool {
	for _, v := range m {
		if badValue(v, depth) {
			return true
		}
	}
	return false
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// badAnnotations reports whether a's priority is no number JSON holds.
func badAnnotations(a *mcp.Annotations) bool { return a != nil && !finite(a.Priority) }

func badContents(cs []mcp.Content) bool {
	for _, c := range cs {
		if badContent(c) {
			return true
		}
	}
	return false
}

// badContent reports whether c cannot be encoded. A nil pointer of a
// content type cannot: its MarshalJSON, which encoding/json calls through
// the interface, dereferences it, and the panic would end the process.
func badContent(c mcp.Content) bool {
	switch c := c.(type) {
	case nil:
		return false // encoded null
	case *mcp.TextContent:
		return c == nil || badMap(c.Meta, 0) || badAnnotations(c.Annotations)
	case *mcp.ImageContent:
		return c == nil || badMap(c.Meta, 0) || badAnnotations(c.Annotations)
	case *mcp.AudioContent:
		return c == nil || badMap(c.Meta, 0) || badAnnotations(c.Annotations)
	case *mcp.ResourceLink:
		return c == nil || badMap(c.Meta, 0) || badAnnotations(c.Annotations)
	case *mcp.EmbeddedResource:
		return c == nil || badMap(c.Meta, 0) || badAnnotations(c.Annotations) ||
			c.Resource != nil && badMap(c.Resource.Meta, 0)
	//lint:ignore SA1019 sampling's content is deprecated, and a server may still answer it
	case *mcp.ToolUseContent:
		return c == nil || badJSON(c)
	//lint:ignore SA1019 sampling's content is deprecated, and a server may still answer it
	case *mcp.ToolResultContent:
		return c == nil || badToolResult(c, 0)
	}
	return badJSON(c) // a kind of content the go-sdk added since
}

// badToolResult reports whether c, a tool result block depth such blocks
// deep, cannot be encoded. Its MarshalJSON calls each of its blocks'
// MarshalJSON, and panics on a nil pointer among them as on a nil block
// (which badPart names): its blocks are looked through as the result's
// own are. Deeper than maxWalkDepth, it cannot: json.Marshal would panic
// on a nil there too, and never end on a block that holds itself, whose
// MarshalJSON calls pass by encoding/json's check for cycles (the schema
// has no tool result block inside another, and the go-sdk reads none).
//
//lint:ignore SA1019 sampling's content is deprecated, and a server may still answer it
func badToolResult(c *mcp.ToolResultContent, depth int) bool {
	if depth >= maxWalkDepth {
		return true
	}
	if badMap(c.Meta, 0) || badValue(c.StructuredContent, 0) {
		return true
	}
	for _, b := range c.Content {
		//lint:ignore SA1019 sampling's content is deprecated, and a server may still answer it
		if t, ok := b.(*mcp.ToolResultContent); ok && t != nil {
			if badToolResult(t, depth+1) {
				return true
			}
		} else if badContent(b) {
			return true
		}
	}
	return false
}

// badJSON reports whether json.Marshal cannot encode v, a value that may
// hold values of any kind.
func badJSON(v any) bool {
	_, err := json.Marshal(v)
	return err != nil
}

// errHoldsItself is encodesNull's error for a value that holds itself.
var errHoldsItself = errors.New("the value holds itself")

// holdsItself reports whether v reaches itself through its pointers, maps,
// slices and interfaces (exported fields only, as JSON encodes them). Such
// a value cannot be encoded, and one holding a type whose MarshalJSON
// calls json.Marshal again, as a *jsonschema.Schema does, defeats
// encoding/json's own check, which sees one call: encoding it overflows
// the stack, which ends the process. Each value is looked at once.
func holdsItself(v any) bool {
	type node struct {
		p   uintptr
		t   reflect.Type
		len int
	}
	onPath, done := map[node]bool{}, map[node]bool{}
	var walk func(rv reflect.Value) bool
	walk = func(rv reflect.Value) bool {
		switch rv.Kind() {
		case reflect.Interface:
			return !rv.IsNil() && walk(rv.Elem())
		case reflect.Struct:
			for i := range rv.NumField() {
				if rv.Type().Field(i).IsExported() && walk(rv.Field(i)) {
					return true
				}
			}
			return false
		case reflect.Array:
			for i := range rv.Len() {
				if walk(rv.Index(i)) {
					return true
				}
			}
			return false
		case reflect.Pointer, reflect.Map, reflect.Slice:
		default:
			return false
		}
		if rv.IsNil() || rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
			return false
		}
		n := node{rv.Pointer(), rv.Type(), 0}
		if rv.Kind() == reflect.Slice {
			n.len = rv.Len()
		}
		if onPath[n] {
			return true
		}
		if done[n] {
			return false
		}
		onPath[n] = true
		var held bool
		switch rv.Kind() {
		case reflect.Pointer:
			held = walk(rv.Elem())
		case reflect.Map:
			for it := rv.MapRange(); !held && it.Next(); {
				held = walk(it.Value())
			}
		case reflect.Slice:
			for i := 0; !held && i < rv.Len(); i++ {
				held = walk(rv.Index(i))
			}
		}
		delete(onPath, n)
		done[n] = true
		return held
	}
	return walk(reflect.ValueOf(v))
}

// badInputRequests reports whether the requests a result asks the client
// to answer cannot be encoded: sampling and elicitation parameters hold
// values of any kind, and the go-sdk refuses a nil request. Rare enough to
// be encoded as they are, but for a nil part of a sampled message's
// content, which badPart names (in a tool result block, its MarshalJSON
// panics), and for its content blocks, which the go-sdk encodes by calling
// their MarshalJSON, which panics on a nil pointer: they are looked
// through as a result's are.
func badInputRequests(m mcp.InputRequestMap) bool {
	return m != nil && badInputPart(m) == "" && (badSampled(m) || holdsItself(m) || badJSON(m))
}

// badSampled reports whether the content of a message m asks the client
// to sample cannot be encoded.
func badSampled(m mcp.InputRequestMap) bool {
	for _, ir := range m {
		if badContents(sampled(ir)) {
			return true
		}
	}
	return false
}

func badMessages(ms []*mcp.PromptMessage) bool {
	for _, m := range ms {
		if m != nil && badContent(m.Content) {
			return true
		}
	}
	return false
}

func badResourceContents(cs []*mcp.ResourceContents) bool {
	for _, c := range cs {
		if c != nil && badMap(c.Meta, 0) {
			return true
		}
	}
	return false
}

// badCapabilities reports whether the server's free-form capabilities
// (experimental ones, extensions' settings) cannot be encoded.
func badCapabilities(c *mcp.ServerCapabilities) bool {
	return c != nil && (badMap(c.Experimental, 0) || badMap(c.Extensions, 0))
}

// badTools reports whether a listed tool's _meta cannot be encoded. Its
// schemas are left alone, to keep tools/list from encoding them all once
// more: AddTool encodes a schema given as anything but a
// *jsonschema.Schema when the tool is added, and a *jsonschema.Schema with
// a NaN bound is not caught.
func badTools(ts []*mcp.Tool) bool {
	for _, t := range ts {
		if t != nil && badMap(t.Meta, 0) {
			return true
		}
	}
	return false
}

func badPrompts(ps []*mcp.Prompt) bool {
	for _, p := range ps {
		if p != nil && badMap(p.Meta, 0) {
			return true
		}
	}
	return false
}

func badResources(rs []*mcp.Resource) bool {
	for _, r := range rs {
		if r != nil && (badMap(r.Meta, 0) || badAnnotations(r.Annotations)) {
			return true
		}
	}
	return false
}

func badTemplates(ts []*mcp.ResourceTemplate) bool {
	for _, t := range ts {
		if t != nil && (badMap(t.Meta, 0) || badAnnotations(t.Annotations)) {
			return true
		}
	}
	return false
}
