package lambdamcp

//lint:file-ignore SA1019 sampling and roots are deprecated as of 2026-07-28 but still served: input requests may ask for them

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// CheckInputRequests returns the error to answer instead of an
// input-required result whose requests the client cannot fulfil: the
// 2026-07-28 spec forbids sending a client an input request it has not
// declared support for, and has the server answer
// MissingRequiredClientCapability (-32021), with data naming the missing
// capabilities. caps is the request's (req.ClientCapabilities()). An
// elicitation needs the elicitation capability for its mode (an empty
// capability stands for form alone), a sampling request the sampling
// capability (with tools for one that offers the model tools, with context
// for one that asks for context), a roots request the roots capability.
//
// It returns nil when nothing is missing, and for nil caps: a stateless
// server keeps no capabilities from initialize. It cannot tell the era:
// the go-sdk reads capabilities from a request's _meta in every era, so a
// 2025-11-25 request may carry some. Answer a request before 2026-07-28
// yourself, whatever its capabilities: the go-sdk would turn the input
// requests into server-to-client requests, which a stateless server cannot
// send, and fail with an error that has no JSON-RPC code (examples/mrtr
// answers a tool error saying the tool needs 2026-07-28).
//
//	if req.ProtocolVersion() < "2026-07-28" {
//		return &mcp.CallToolResult{IsError: true, Content: needsNewerProtocol}, nil, nil
//	}
//	if err := lambdamcp.CheckInputRequests(req.ClientCapabilities(), ask); err != nil {
//		return nil, nil, err
//	}
//	return &mcp.CallToolResult{InputRequests: ask, RequestState: state}, nil, nil
func CheckInputRequests(caps *mcp.ClientCapabilities, reqs mcp.InputRequestMap) error {
	if caps == nil {
		return nil
	}
	required := map[string]any{}
	need := func(capability string, sub ...string) {
		m, _ := required[capability].(map[string]any)
		if m == nil {
			m = map[string]any{}
			required[capability] = m
		}
		for _, s := range sub {
			m[s] = map[string]any{}
		}
	}
	for _, r := range reqs {
		switch r := r.(type) {
		case *mcp.ElicitParams:
			if r == nil {
				continue
			}
			if mode := elicitMode(r); !elicitationDeclared(caps.Elicitation, mode) {
				need("elicitation", mode)
			}
		case *mcp.CreateMessageParams:
			if r != nil {
				checkSampling(caps.Sampling, r.IncludeContext, false, need)
			}
		case *mcp.CreateMessageWithToolsParams:
			if r != nil {
				checkSampling(caps.Sampling, r.IncludeContext, len(r.Tools) > 0 || r.ToolChoice != nil, need)
			}
		case *mcp.ListRootsParams:
			// A nil one too: Middleware sends it, as empty params.
			if caps.RootsV2 == nil {
				need("roots")
			}
		}
	}
	if len(required) == 0 {
		return nil
	}
	// Written out: mcp.ClientCapabilities would always name roots too.
	data, err := json.Marshal(map[string]any{"requiredCapabilities": required})
	if err != nil {
		return err
	}
	names, what := slices.Sorted(maps.Keys(required)), "capability"
	if len(names) > 1 {
		what = "capabilities"
	}
	return &jsonrpc.Error{
		Code:    mcp.CodeMissingRequiredClientCapabilities,
		Message: "this request needs the client's " + strings.Join(names, " and ") + " " + what + ", which the client did not declare",
		Data:    data,
	}
}

// checkSampling notes what a sampling request needs of the sampling
// capability c: the capability itself; its tools, for a request that
// offers the model tools (which the spec forbids sending a client without
// them); its context, for includeContext other than "none" (which it asks
// servers not to send such a client).
func checkSampling(c *mcp.SamplingCapabilities, includeContext string, tools bool, need func(string, ...string)) {
	var sub []string
	if tools && (c == nil || c.Tools == nil) {
		sub = append(sub, "tools")
	}
	if includeContext != "" && includeContext != "none" && (c == nil || c.Context == nil) {
		sub = append(sub, "context")
	}
	if c == nil || len(sub) > 0 {
		need("sampling", sub...)
	}
}

// elicitMode is the mode of an elicitation, as the go-sdk infers it: "url"
// when it sends the user to a page (or names an elicitation, as only a
// URL elicitation is named), "form" otherwise.
func elicitMode(p *mcp.ElicitParams) string {
	if p.Mode != "" {
		return p.Mode
	}
	if p.URL != "" || p.ElicitationID != "" {
		return "url"
	}
	return "form"
}

// elicitationDeclared reports whether a client's elicitation capability
// admits mode.
func elicitationDeclared(c *mcp.ElicitationCapabilities, mode string) bool {
	switch {
	case c == nil:
		return false
	case mode == "url":
		return c.URL != nil
	}
	return c.Form != nil || c.URL == nil
}
