package lambdamcp

import (
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// A form's property may hold keywords the 2026-07-28 schema has no word
// on, $ref among them. A $ref that leads back to where it started, through
// keywords checking the same value ($ref, allOf, not, if, …), resolves,
// and the go-sdk's client takes the form; checking the user's answer
// against it then recurses until the stack overflows, which ends the
// client's process.

// The keywords whose subschemas check the value their schema checks.
var (
	inPlaceSchema  = []string{"not", "if", "then", "else"}
	inPlaceSchemas = []string{"allOf", "anyOf", "oneOf"}
	inPlaceByName  = []string{"dependentSchemas", "dependencies"}
)

// The keywords whose subschemas check a part of the value, or none.
var (
	partSchema  = []string{"items", "additionalItems", "additionalProperties", "propertyNames", "contains", "unevaluatedItems", "unevaluatedProperties", "contentSchema"}
	partSchemas = []string{"prefixItems", "items"}
	partByName  = []string{"properties", "patternProperties"}
)

// The keywords holding subschemas that check a value, of either kind, and
// those holding any subschema (definitions too).
var (
	anySchema     = append(slices.Clip(inPlaceSchema), partSchema...)
	anySchemas    = append(slices.Clip(inPlaceSchemas), partSchemas...)
	appliedByName = append(slices.Clip(inPlaceByName), partByName...)
	anyByName     = append(slices.Clip(appliedByName), "$defs", "definitions")
)

// refLoops reports whether root, a requested schema decoded as JSON into
// an any, holds a $ref (or $dynamicRef) leading, through keywords checking
// the same value, back to a schema it started from, of those checking a
// value from the root on (a definition no reference reaches checks
// nothing). Only references within the document ("#", JSON pointers from
// it and its anchors) are followed, and none in a document naming a
// schema by $id, where such a pointer is read from another base: a
// reference not followed is taken to lead nowhere. Each schema is looked
// at once.
func refLoops(root any) bool {
	doc, ok := root.(map[string]any)
	named := map[string]map[string]any{}
	if !ok || !anchors(doc, named) {
		return false
	}
	draft7 := false
	if v, ok := doc["$schema"].(string); ok {
		draft7 = strings.Contains(v, "draft-07")
	}
	onPath, done := map[uintptr]bool{}, map[uintptr]bool{}
	// inPlace reports whether s leads back to a schema on the path
	// through keywords checking the same value.
	var inPlace func(s map[string]any) bool
	inPlace = func(s map[string]any) bool {
		p := reflect.ValueOf(s).Pointer()
		if onPath[p] {
			return true
		}
		if done[p] {
			return false
		}
		onPath[p] = true
		defer func() { delete(onPath, p); done[p] = true }()
		for _, key := range []string{"$ref", "$dynamicRef"} {
			if ref, ok := s[key].(string); ok {
				if t, ok := pointed(doc, named, ref); ok && inPlace(t) {
					return true
				}
			}
		}
		if draft7 && s["$ref"] != nil {
			return false // draft-07 reads no keyword beside $ref
		}
		for _, sub := range subschemas(s, inPlaceSchema, inPlaceSchemas, inPlaceByName) {
			if inPlace(sub) {
				return true
			}
		}
		return false
	}
	// Every schema checking a value reached from the root may be where a
	// loop starts; a definition no reference reaches checks nothing.
	seen := map[uintptr]bool{}
	var each func(s map[string]any) bool
	each = func(s map[string]any) bool {
		p := reflect.ValueOf(s).Pointer()
		if seen[p] {
			return false
		}
		seen[p] = true
		if inPlace(s) {
			return true
		}
		subs := subschemas(s, anySchema, anySchemas, appliedByName)
		for _, key := range []string{"$ref", "$dynamicRef"} {
			if ref, ok := s[key].(string); ok {
				if t, ok := pointed(doc, named, ref); ok {
					subs = append(subs, t)
				}
			}
		}
		for _, sub := range subs {
			if each(sub) {
				return true
			}
		}
		return false
	}
	return each(doc)
}

// subschemas are the object subschemas s holds under the keywords of one
// schema (one), of a list of them (list) and of schemas by name (byName).
func subschemas(s map[string]any, one, list, byName []string) []map[string]any {
	var subs []map[string]any
	for _, key := range one {
		if sub, ok := s[key].(map[string]any); ok {
			subs = append(subs, sub)
		}
	}
	for _, key := range list {
		l, _ := s[key].([]any)
		for _, v := range l {
			if sub, ok := v.(map[string]any); ok {
				subs = append(subs, sub)
			}
		}
	}
	for _, key := range byName {
		m, _ := s[key].(map[string]any)
		for _, v := range m {
			if sub, ok := v.(map[string]any); ok {
				subs = append(subs, sub)
			}
		}
	}
	return subs
}

// anchors puts in named the schemas within s naming themselves by
// $anchor or $dynamicAnchor, looking through the keywords that hold
// subschemas; false if one names itself by $id (or draft-07's id).
func anchors(s map[string]any, named map[string]map[string]any) bool {
	if _, ok := s["$id"]; ok {
		return false
	}
	if _, ok := s["id"].(string); ok {
		return false
	}
	for _, key := range []string{"$anchor", "$dynamicAnchor"} {
		if name, ok := s[key].(string); ok {
			named[name] = s
		}
	}
	for _, sub := range subschemas(s, anySchema, anySchemas, anyByName) {
		if !anchors(sub, named) {
			return false
		}
	}
	return true
}

// pointed is the object schema ref, "#", a JSON pointer fragment or an
// anchor ("#name", one of named), points to in doc; ok is false for any
// other reference, and for one to nothing or to a boolean schema.
func pointed(doc map[string]any, named map[string]map[string]any, ref string) (map[string]any, bool) {
	if name, ok := strings.CutPrefix(ref, "#"); ok && name != "" && !strings.HasPrefix(name, "/") {
		s, ok := named[name]
		return s, ok
	}
	if ref != "#" && !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	frag, err := url.PathUnescape(ref[1:])
	if err != nil {
		return nil, false
	}
	var at any = doc
	if frag != "" {
		for _, seg := range strings.Split(frag[1:], "/") {
			seg = strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
			switch v := at.(type) {
			case map[string]any:
				at = v[seg]
			case []any:
				i, err := strconv.Atoi(seg)
				if err != nil || i < 0 || i >= len(v) {
					return nil, false
				}
				at = v[i]
			default:
				return nil, false
			}
		}
	}
	s, ok := at.(map[string]any)
	return s, ok
}
