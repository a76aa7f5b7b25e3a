package lambdamcp

//lint:file-ignore SA1019 sampling is deprecated as of 2026-07-28 but still served: input requests may ask for it

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// The shapes the 2026-07-28 schema gives the requests an input-required
// result asks the client to answer, where the go-sdk (v1.8.0) encodes a
// request's parameters as the handler filled them. Only results holding
// input requests are looked at.

// elicitPart names what p, an elicitation request, holds that the schema
// has no room for and a client cannot act on (the go-sdk's own client
// refuses each but a URL that is not absolute, where the spec asks for a
// valid URL): a mode other than "form" or "url", a URL in a form or a
// requested schema in a URL elicitation, a URL elicitation without an
// absolute URL, a requested schema that is no object schema of primitive
// properties (see schemaPart); "" if nothing. A form without a requested schema, or one
// whose schema leaves out its type or properties, is answered with them
// (see elicitSchemaMended).
func elicitPart(p *mcp.ElicitParams) string {
	switch mode := elicitMode(p); mode {
	case "form":
		if p.URL != "" {
			return "a form elicitation request with a url"
		}
		return schemaPart(p.RequestedSchema)
	case "url":
		if b, _ := encodesNull(p.RequestedSchema); b != nil {
			return "a url elicitation request with a requested schema"
		}
		if p.URL == "" {
			return "a url elicitation request without its url"
		}
		// The URL is not quoted: it may carry a state the client is
		// to hand on, and error messages are logged.
		if u, err := url.Parse(p.URL); err != nil || !u.IsAbs() {
			return "a url elicitation request whose url is not an absolute URL"
		}
		return ""
	default:
		return fmt.Sprintf(`an elicitation request whose mode %q is neither "form" nor "url"`, textcut.Cut(mode, maxQuotedRoleBytes))
	}
}

// primitiveTypes are the types a form's property may have: the schema's
// string, number and boolean schemas, and enums (of strings, or arrays of
// them), as the go-sdk's client reads them.
var primitiveTypes = []string{`"string"`, `"number"`, `"integer"`, `"boolean"`, `"array"`}

// maxFormSchemaDepth bounds how deeply a form's requested schema nests;
// the deepest the 2026-07-28 schema gives it, an option of a titled
// multi-select, is six levels down.
const maxFormSchemaDepth = 32

// schemaPart names what s, a form's requested schema, holds that the
// schema has no room for: it is no JSON object, its type is other than
// "object", it nests deeper than maxFormSchemaDepth, its properties are
// no object, one of them is no primitive schema (see propertyPart), it is
// no JSON Schema or one that does not resolve (a keyword of no definition
// holding an invalid pattern, a null or a $ref to nothing), it holds a
// $ref that leads back to itself (see refLoops), or it requires a name
// none of its properties has; "" if nothing, or if s cannot be
// encoded (which unencodable answers), or encodes null or leaves out its
// type or properties (which elicitSchemaMended fills in). Of two such
// properties, the first in name order is named.
func schemaPart(s any) string {
	b, err := encodesNull(s)
	if err != nil || b == nil {
		return ""
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(b, &obj) != nil || obj == nil {
		return "an elicitation request whose requested schema is no object"
	}
	if t, ok := obj["type"]; ok && string(t) != `"object"` {
		return `an elicitation request whose requested schema's type is not "object"`
	}
	if deep, _ := scanJSON(b, maxFormSchemaDepth); deep {
		// Decoding a JSON Schema takes time that grows with the square
		// of its nesting: thousands of levels would hold the call past
		// its deadline, here and in the go-sdk's client.
		return fmt.Sprintf("an elicitation request whose requested schema nests deeper than %d levels", maxFormSchemaDepth)
	}
	var ps map[string]json.RawMessage
	if props, ok := obj["properties"]; ok && json.Unmarshal(props, &ps) != nil {
		return "an elicitation request whose requested schema's properties are no object"
	}
	for _, name := range slices.Sorted(maps.Keys(ps)) {
		if part := propertyPart(ps[name]); part != "" {
			return fmt.Sprintf("an elicitation request whose requested schema's property %q %s", textcut.Cut(name, maxQuotedRoleBytes), part)
		}
	}
	var schema jsonschema.Schema
	if json.Unmarshal(b, &schema) != nil {
		return "an elicitation request whose requested schema is no valid JSON Schema"
	}
	if _, err := schema.Resolve(nil); err != nil {
		// The go-sdk's client resolves it to check the user's answer,
		// and fails the call once the user has filled in the form.
		return "an elicitation request whose requested schema does not resolve (an invalid pattern, a null or unresolvable subschema)"
	}
	var doc any
	if json.Unmarshal(b, &doc) == nil && refLoops(doc) {
		// The go-sdk's client takes it, and checking the user's answer
		// overflows its stack, which ends its process.
		return "an elicitation request whose requested schema holds a $ref that leads back to itself"
	}
	for _, name := range schema.Required {
		if _, ok := ps[name]; !ok {
			// The user could never send an answer the client takes.
			return fmt.Sprintf("an elicitation request whose requested schema requires %q, which is none of its properties", textcut.Cut(name, maxQuotedRoleBytes))
		}
	}
	return ""
}

// encodesNull is v encoded, or nil if it is encoded null (a nil value, a
// nil pointer, json.RawMessage "null"); err when it cannot be encoded.
func encodesNull(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	if holdsItself(v) {
		return nil, errHoldsItself
	}
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return nil, err
	}
	return b, nil
}

// elicitSchemaMended is the requested schema p's form asks for as the
// schema has it, when the handler's leaves out what the schema asks for
// and means nothing else: none at all (a form of no fields, the message
// alone), or one without its type "object" or its properties; ok is false
// when p needs no mending, and for an elicitation that is no form.
func elicitSchemaMended(p *mcp.ElicitParams) (schema json.RawMessage, ok bool) {
	if p == nil || elicitMode(p) != "form" {
		return nil, false
	}
	b, err := encodesNull(p.RequestedSchema)
	if err != nil {
		return nil, false
	}
	if b == nil {
		return json.RawMessage(`{"type":"object","properties":{}}`), true
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(b, &obj) != nil || obj == nil {
		return nil, false
	}
	_, typed := obj["type"]
	props, listed := obj["properties"]
	if typed && listed && string(props) != "null" {
		return nil, false
	}
	if !typed {
		obj["type"] = json.RawMessage(`"object"`)
	}
	if !listed || string(props) == "null" {
		obj["properties"] = json.RawMessage(`{}`)
	}
	b, err = json.Marshal(obj)
	if err != nil {
		return nil, false
	}
	return b, true
}

// toolChoiceModes are the modes a sampling request's tool choice may have;
// "" leaves it out.
var toolChoiceModes = []string{"", "auto", "required", "none"}

// samplingToolsPart names what the tools p, a sampling request, offers the
// model hold that the schema has no room for: a nil tool (encoded null), a
// tool without an input schema or with one whose type is not "object"
// (which the go-sdk's AddTool refuses of a server's own tools), a tool
// choice of a mode the schema does not have; "" if nothing.
func samplingToolsPart(p *mcp.CreateMessageWithToolsParams) string {
	for _, t := range p.Tools {
		if t == nil {
			return "a sampling request offering a nil tool"
		}
		b, err := encodesNull(t.InputSchema)
		if err != nil {
			return "" // unencodable answers it
		}
		if b == nil {
			return fmt.Sprintf("a sampling request offering tool %q without its input schema", textcut.Cut(t.Name, maxQuotedRoleBytes))
		}
		var schema struct {
			Type json.RawMessage `json:"type"`
		}
		if json.Unmarshal(b, &schema) != nil || string(schema.Type) != `"object"` {
			return fmt.Sprintf(`a sampling request offering tool %q whose input schema's type is not "object"`, textcut.Cut(t.Name, maxQuotedRoleBytes))
		}
	}
	if c := p.ToolChoice; c != nil && !slices.Contains(toolChoiceModes, c.Mode) {
		return fmt.Sprintf(`a sampling request whose tool choice mode %q is none of "auto", "required" and "none"`, textcut.Cut(c.Mode, maxQuotedRoleBytes))
	}
	return ""
}

// unsampledKind names a block c, one of a sampled message's own, is of a
// kind the schema's sampled messages have no room for (a resource link,
// an embedded resource: the go-sdk's client fails to read a result holding
// one); "" if it is another. In a tool result block, the schema has room
// for them.
func unsampledKind(c mcp.Content) string {
	switch c.(type) {
	case *mcp.ResourceLink:
		return "a resource link, which a sampled message cannot hold"
	case *mcp.EmbeddedResource:
		return "an embedded resource, which a sampled message cannot hold"
	}
	return ""
}
