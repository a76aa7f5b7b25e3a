package lambdamcp

import (
	"encoding/json"
	"slices"

	"github.com/google/jsonschema-go/jsonschema"
)

// The property schemas a form may ask for: the 2026-07-28 schema's
// primitive schema definitions (StringSchema, NumberSchema, BooleanSchema
// and the enum schemas, single- and multi-select, titled or not), as the
// go-sdk's client (v1.8.0) reads them, a property at a time, before it
// shows the user the form. What either refuses is named here, but for
// what the schema allows and only the go-sdk's client refuses (a titled
// option's empty const or title), which is sent; what the schema has no
// word on (a keyword of no definition) is left to the client.

// stringFormats are the formats a form's string property may have.
var stringFormats = []string{"uri", "email", "date", "date-time"}

// propertyPart names what raw, the schema of one of a form's properties,
// holds that the schema's primitive definitions have no room for, or
// that the go-sdk's client refuses: it is of none of the primitive types,
// it is no JSON Schema (a keyword of the wrong kind), it has properties of
// its own, or it is of its type in a shape the schema does not give it
// (see stringPart, numberPart, arrayPart; a boolean's default is a
// boolean); "" if nothing. The part completes "the property "x" ...".
func propertyPart(raw json.RawMessage) string {
	var typed struct {
		Type json.RawMessage `json:"type"`
	}
	if json.Unmarshal(raw, &typed) != nil || !slices.Contains(primitiveTypes, string(typed.Type)) {
		return "is of none of the types a form has"
	}
	var s jsonschema.Schema
	if json.Unmarshal(raw, &s) != nil {
		return "is no valid JSON Schema"
	}
	if len(s.Properties) > 0 {
		return "has properties of its own"
	}
	switch s.Type {
	case "string":
		return stringPart(&s, raw)
	case "number", "integer":
		return numberPart(&s)
	case "boolean":
		if !defaultIs[bool](&s) {
			return "has a default that is no boolean"
		}
	case "array":
		return arrayPart(&s, raw)
	}
	return ""
}

// stringPart names what s, a string property, holds that neither the
// string schema nor a single-select enum schema has room for: a default
// that is no string; an enum of other than strings, or enumNames that are
// not one string for each of its values; an option (oneOf) without a
// const or a title; a format other than the four the schema has; a
// negative length bound, or a maximum length below the minimum. The go-sdk
// reads enumNames only beside an enum of values, an enum's options only
// without one, and the format and lengths only of a plain string, as
// here.
func stringPart(s *jsonschema.Schema, raw json.RawMessage) string {
	if !defaultIs[string](s) {
		return "has a default that is no string"
	}
	if !allStrings(s.Enum) {
		return "has an enum of other than strings"
	}
	if len(s.Enum) > 0 {
		if names, ok := s.Extra["enumNames"]; ok {
			list, isList := names.([]any)
			if !isList || len(list) != len(s.Enum) || !allStrings(list) {
				return "has enumNames that are not one string for each enum value"
			}
		}
		return ""
	}
	if s.OneOf != nil {
		var p struct {
			OneOf json.RawMessage `json:"oneOf"`
		}
		if json.Unmarshal(raw, &p) != nil || !titledOptions(p.OneOf) {
			return "has an option (oneOf) without a const string or a title"
		}
		return ""
	}
	if s.Format != "" && !slices.Contains(stringFormats, s.Format) {
		return `has a format other than "uri", "email", "date" and "date-time"`
	}
	if s.MinLength != nil && *s.MinLength < 0 || s.MaxLength != nil && *s.MaxLength < 0 {
		return "has a negative length bound"
	}
	if s.MinLength != nil && s.MaxLength != nil && *s.MaxLength < *s.MinLength {
		return "has a maxLength below its minLength"
	}
	return ""
}

// numberPart names what s, a number or integer property, holds that the
// number schema has no room for: a default that is no number, a maximum
// below its minimum.
func numberPart(s *jsonschema.Schema) string {
	if !defaultIs[float64](s) {
		return "has a default that is no number"
	}
	if s.Minimum != nil && s.Maximum != nil && *s.Maximum < *s.Minimum {
		return "has a maximum below its minimum"
	}
	return ""
}

// arrayPart names what s, an array property, holds that a multi-select
// enum schema has no room for: items that are neither strings of an enum
// (items.enum) nor options (items.anyOf), an enum of other than strings,
// an option without a const or a title, a default that is no list of
// strings.
func arrayPart(s *jsonschema.Schema, raw json.RawMessage) string {
	items := s.Items
	switch {
	case items == nil || items.Type != "string" && items.Type != "":
		return "is an array whose items are no enum of strings (items.enum or items.anyOf)"
	case items.Type == "string" && items.Enum == nil:
		return "is an array whose items are no enum of strings (items.enum or items.anyOf)"
	case items.Type == "string" && !allStrings(items.Enum):
		return "has an enum of other than strings"
	case items.Type == "" && len(items.AnyOf) == 0:
		return "is an array whose items are no enum of strings (items.enum or items.anyOf)"
	case items.Type == "" && !titledOptions(anyOfItems(raw)):
		return "has an option (items.anyOf) without a const string or a title"
	}
	if !defaultIs[[]string](s) {
		return "has a default that is no list of strings"
	}
	return ""
}

// titledOptions reports whether each of list's options, a titled enum's,
// has a const string and a title, as the schema has them ({ const:
// string; title: string }). An empty one is a string: the go-sdk's client
// refuses it, where the schema and other clients take it.
func titledOptions(list json.RawMessage) bool {
	var opts []*struct {
		Const *string `json:"const"`
		Title *string `json:"title"`
	}
	if json.Unmarshal(list, &opts) != nil {
		return false
	}
	for _, o := range opts {
		if o == nil || o.Const == nil || o.Title == nil {
			return false
		}
	}
	return true
}

// anyOfItems is the options (items.anyOf) of raw, an array property whose
// items are an object.
func anyOfItems(raw json.RawMessage) json.RawMessage {
	var p struct {
		Items struct {
			AnyOf json.RawMessage `json:"anyOf"`
		} `json:"items"`
	}
	_ = json.Unmarshal(raw, &p)
	return p.Items.AnyOf
}

func allStrings(vs []any) bool {
	for _, v := range vs {
		if _, ok := v.(string); !ok {
			return false
		}
	}
	return true
}

// defaultIs reports whether s has no default, or one that decodes as a T,
// as the go-sdk's client decodes it.
func defaultIs[T any](s *jsonschema.Schema) bool {
	var v T
	return s.Default == nil || json.Unmarshal(s.Default, &v) == nil
}
