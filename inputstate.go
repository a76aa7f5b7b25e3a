package lambdamcp

import (
	"encoding/json"
	"errors"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// A 2026-07-28 result may ask for input by its request state alone: the
// spec makes inputRequests optional, and has the client retry with the
// state. The go-sdk (v1.8.0) sends a result as one asking for input only
// when its InputRequests is not nil, and by the time Middleware sees the
// result it has marked it complete: a client takes it for the answer and
// never retries.

// inputRequiredJSON decodes into a result the go-sdk sends as one asking
// for input: the mark is unexported, and set only by decoding.
var inputRequiredJSON = []byte(`{"resultType":"input_required"}`)

// stateAlone reports whether res is a tool's, prompt's or resource's result
// holding a request state without input requests, which the go-sdk marked
// complete, as it marks every result it sends a client of 2026-07-28 or
// later (earlier eras have no results asking for input).
func stateAlone(res mcp.Result) bool {
	switch r := res.(type) {
	case *mcp.CallToolResult:
		if r == nil || r.RequestState == "" || r.InputRequests != nil {
			return false
		}
	case *mcp.GetPromptResult:
		if r == nil || r.RequestState == "" || r.InputRequests != nil {
			return false
		}
	case *mcp.ReadResourceResult:
		if r == nil || r.RequestState == "" || r.InputRequests != nil {
			return false
		}
	default:
		return false
	}
	b, err := json.Marshal(res)
	var w struct {
		ResultType string `json:"resultType"`
	}
	return err == nil && json.Unmarshal(b, &w) == nil && w.ResultType == "complete"
}

// stateAlonePart names what res, a result stateAlone reports on, holds
// beside its request state that a result asking for input has no room
// for: a tool's content, structured content or error, a prompt's
// messages, a resource's contents; "" if nothing, or if res is no such
// result. The go-sdk refuses such a result holding input requests.
func stateAlonePart(res mcp.Result) string {
	var part string
	switch r := res.(type) {
	case *mcp.CallToolResult:
		if r != nil && (len(r.Content) > 0 || r.StructuredContent != nil || r.IsError) {
			part = "content"
		}
	case *mcp.GetPromptResult:
		if r != nil && len(r.Messages) > 0 {
			part = "messages"
		}
	case *mcp.ReadResourceResult:
		if r != nil && len(r.Contents) > 0 {
			part = "contents"
		}
	}
	if part == "" || !stateAlone(res) {
		return ""
	}
	return "a request state beside " + part + ", without input requests"
}

// askedByState is res, a result stateAlone reports on and holding nothing
// else of an answer, as one asking for input with empty input requests,
// encoded {}, which the go-sdk sends as such: a copy, the handler's result
// left as it is. Any other result is returned as it is.
func askedByState(res mcp.Result) mcp.Result {
	if stateAlonePart(res) != "" || !stateAlone(res) {
		return res
	}
	switch r := res.(type) {
	case *mcp.CallToolResult:
		var cp mcp.CallToolResult
		if json.Unmarshal(inputRequiredJSON, &cp) != nil {
			return res
		}
		cp.Meta, cp.RequestState, cp.InputRequests = r.Meta, r.RequestState, mcp.InputRequestMap{}
		return &cp
	case *mcp.GetPromptResult:
		var cp mcp.GetPromptResult
		if json.Unmarshal(inputRequiredJSON, &cp) != nil {
			return res
		}
		cp.Meta, cp.Description, cp.RequestState, cp.InputRequests = r.Meta, r.Description, r.RequestState, mcp.InputRequestMap{}
		return &cp
	case *mcp.ReadResourceResult:
		var cp mcp.ReadResourceResult
		if json.Unmarshal(inputRequiredJSON, &cp) != nil {
			return res
		}
		cp.Meta, cp.Cacheable, cp.Contents = r.Meta, r.Cacheable, r.Contents
		cp.RequestState, cp.InputRequests = r.RequestState, mcp.InputRequestMap{}
		return &cp
	}
	return res
}

// nilContentsError reports whether err is the go-sdk's answer to a
// resources/read of uri whose handler returned no result or nil contents
// (a result asking for input by its request state alone among them): a
// Go error, sent with code 0, raised before Middleware sees the result.
func nilContentsError(err error, uri string) bool {
	var we *jsonrpc.Error
	return err != nil && !errors.As(err, &we) && err.Error() == "reading resource "+uri+": read handler returned nil information"
}

// nilContentsMessage answers a resources/read whose handler returned no
// result or nil contents; from 2026-07-28 on, it says how to ask for input
// by the request state alone, which earlier eras have no room for.
func nilContentsMessage(protocolVersion string) string {
	if protocolVersion < statelessEra {
		return "the resources/read handler returned no contents"
	}
	return "the resources/read handler returned no contents (a result asking for input by its request state alone needs InputRequests set, if empty)"
}
