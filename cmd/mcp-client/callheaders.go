package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// maxHeaderInteger is the largest integer magnitude an Mcp-Param-* header
// carries: the go-sdk, as the spec, takes an integer there only where a
// float64 holds it exactly (2^53-1).
const maxHeaderInteger = 1<<53 - 1

// checkHeaderArgs refuses -args that tool's input schema marks for a
// header (x-mcp-header) with a value the go-sdk client cannot put there
// under protocol: a number that is no integer, or one beyond 2^53-1 in
// magnitude, an object or an array. The client sends the call without that
// Mcp-Param-* header, and the server refuses it for the missing header
// (-32020), which names nothing the user wrote. tool is nil when the
// server did not list it.
func checkHeaderArgs(tool *mcp.Tool, args json.RawMessage, protocol string) error {
	if tool == nil || protocol < "2026-07-28" {
		return nil // no Mcp-Param-* headers before 2026-07-28
	}
	b, err := json.Marshal(tool.InputSchema)
	if err != nil {
		return nil
	}
	var schema headerSchema
	if json.Unmarshal(b, &schema) != nil {
		return nil
	}
	var values map[string]json.RawMessage
	if json.Unmarshal(args, &values) != nil {
		return nil
	}
	return schema.check(values, nil, tool.Name, protocol)
}

// headerSchema is what an input schema says of the headers its properties
// go in.
type headerSchema struct {
	Header     json.RawMessage         `json:"x-mcp-header"`
	Properties map[string]headerSchema `json:"properties"`
}

// check walks the properties of s and the argument values beside them.
func (s headerSchema) check(values map[string]json.RawMessage, path []string, tool, protocol string) error {
	for name, prop := range s.Properties {
		v, ok := values[name]
		if !ok || string(v) == "null" {
			continue
		}
		at := append(path[:len(path):len(path)], name)
		var header string
		if json.Unmarshal(prop.Header, &header) == nil && header != "" && !headerValue(v) {
			return fmt.Errorf("-args: %s is %s, which cannot be sent under protocol %s: tool %s has it sent in the Mcp-Param-%s header too, which holds a string, a boolean or an integer of at most %d in magnitude; send one of those", strings.Join(at, "."), v, protocol, tool, header, maxHeaderInteger)
		}
		var inner map[string]json.RawMessage
		if len(prop.Properties) > 0 && json.Unmarshal(v, &inner) == nil {
			if err := prop.check(inner, at, tool, protocol); err != nil {
				return err
			}
		}
	}
	return nil
}

// headerValue reports whether the go-sdk client can put the JSON value v
// in an Mcp-Param-* header.
func headerValue(v json.RawMessage) bool {
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	var x any
	if dec.Decode(&x) != nil {
		return false
	}
	switch x := x.(type) {
	case string, bool:
		return true
	case json.Number:
		f, err := x.Float64() // as the go-sdk reads it
		return err == nil && f == math.Trunc(f) && math.Abs(f) <= maxHeaderInteger
	}
	return false
}

// rejectedTools is the go-sdk client's log, keeping the tools it left out
// of a tools/list answer for a definition the client must reject (from
// 2026-07-28 on, an x-mcp-header annotation that is empty, on a property
// that is no string, integer or boolean, not a header name, or given
// twice), with why. The go-sdk then knows no such tool, and a call of it
// would go out as a call of a tool never listed, which the server may
// well take. Every other record is dropped, as without a log.
type rejectedTools struct {
	mu  sync.Mutex
	why map[string]string
}

func (r *rejectedTools) Enabled(context.Context, slog.Level) bool { return true }
func (r *rejectedTools) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *rejectedTools) WithGroup(string) slog.Handler            { return r }

func (r *rejectedTools) Handle(_ context.Context, rec slog.Record) error {
	if rec.Message != "excluding tool from tools/list" {
		return nil
	}
	var name, why string
	rec.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "tool":
			name = a.Value.String()
		case "error":
			why = a.Value.String()
		}
		return true
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.why == nil {
		r.why = map[string]string{}
	}
	r.why[name] = why
	return nil
}

// reason says why the tool name was left out of a listing, if it was.
func (r *rejectedTools) reason(name string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	why, ok := r.why[name]
	return why, ok
}

// names are the tools left out, in order.
func (r *rejectedTools) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Sorted(maps.Keys(r.why))
}
