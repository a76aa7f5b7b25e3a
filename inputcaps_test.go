package lambdamcp_test

//lint:file-ignore SA1019 sampling and roots are deprecated as of 2026-07-28 but still served

import (
	"errors"
	"fmt"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// TestCheckInputRequests checks which input requests a client's declared
// capabilities admit, and the -32021 data naming what is missing.
func TestCheckInputRequests(t *testing.T) {
	form := &mcp.ElicitParams{Message: "confirm?"}
	page := &mcp.ElicitParams{Message: "sign in", URL: "https://example.com/login", ElicitationID: "e1"}
	sample := &mcp.CreateMessageParams{MaxTokens: 10}
	roots := &mcp.ListRootsParams{}
	all := &mcp.ClientCapabilities{
		Elicitation: &mcp.ElicitationCapabilities{Form: &mcp.FormElicitationCapabilities{}, URL: &mcp.URLElicitationCapabilities{}},
		Sampling:    &mcp.SamplingCapabilities{},
		RootsV2:     &mcp.RootCapabilities{},
	}
	tests := []struct {
		name string
		caps *mcp.ClientCapabilities
		reqs mcp.InputRequestMap
		want string // the error's data; "" for none
	}{
		{"no capabilities of the request's own (2025-11-25)", nil, mcp.InputRequestMap{"a": form, "b": sample}, ""},
		{"everything declared", all, mcp.InputRequestMap{"a": form, "b": page, "c": sample, "d": roots}, ""},
		{"nothing declared", &mcp.ClientCapabilities{}, mcp.InputRequestMap{"a": form, "b": sample, "c": roots},
			`{"requiredCapabilities":{"elicitation":{"form":{}},"roots":{},"sampling":{}}}`},
		{"an empty elicitation capability is form", &mcp.ClientCapabilities{Elicitation: &mcp.ElicitationCapabilities{}}, mcp.InputRequestMap{"a": form}, ""},
		{"an empty elicitation capability is not URL", &mcp.ClientCapabilities{Elicitation: &mcp.ElicitationCapabilities{}}, mcp.InputRequestMap{"a": page},
			`{"requiredCapabilities":{"elicitation":{"url":{}}}}`},
		// The go-sdk sends an elicitation named by its id as a URL one.
		{"an elicitation named by its id alone is URL", &mcp.ClientCapabilities{Elicitation: &mcp.ElicitationCapabilities{}}, mcp.InputRequestMap{"a": &mcp.ElicitParams{Message: "m", ElicitationID: "e1"}},
			`{"requiredCapabilities":{"elicitation":{"url":{}}}}`},
		{"URL only is not form", &mcp.ClientCapabilities{Elicitation: &mcp.ElicitationCapabilities{URL: &mcp.URLElicitationCapabilities{}}}, mcp.InputRequestMap{"a": form, "b": page},
			`{"requiredCapabilities":{"elicitation":{"form":{}}}}`},
		{"both modes missing", &mcp.ClientCapabilities{Sampling: &mcp.SamplingCapabilities{}}, mcp.InputRequestMap{"a": form, "b": page, "c": sample},
			`{"requiredCapabilities":{"elicitation":{"form":{},"url":{}}}}`},
		{"no requests", &mcp.ClientCapabilities{}, nil, ""},
		{"sampling with tools, to a client without them", &mcp.ClientCapabilities{Sampling: &mcp.SamplingCapabilities{}},
			mcp.InputRequestMap{"a": &mcp.CreateMessageWithToolsParams{MaxTokens: 10, Tools: []*mcp.Tool{{Name: "t"}}}},
			`{"requiredCapabilities":{"sampling":{"tools":{}}}}`},
		{"sampling with tools, declared", &mcp.ClientCapabilities{Sampling: &mcp.SamplingCapabilities{Tools: &mcp.SamplingToolsCapabilities{}}},
			mcp.InputRequestMap{"a": &mcp.CreateMessageWithToolsParams{MaxTokens: 10, Tools: []*mcp.Tool{{Name: "t"}}}}, ""},
		{"sampling without tools through the tools type", &mcp.ClientCapabilities{Sampling: &mcp.SamplingCapabilities{}},
			mcp.InputRequestMap{"a": &mcp.CreateMessageWithToolsParams{MaxTokens: 10}}, ""},
		{"sampling with context, to a client without it", &mcp.ClientCapabilities{Sampling: &mcp.SamplingCapabilities{}},
			mcp.InputRequestMap{"a": &mcp.CreateMessageParams{MaxTokens: 10, IncludeContext: "thisServer"}},
			`{"requiredCapabilities":{"sampling":{"context":{}}}}`},
		{"sampling with context none, to a client without it", &mcp.ClientCapabilities{Sampling: &mcp.SamplingCapabilities{}},
			mcp.InputRequestMap{"a": &mcp.CreateMessageParams{MaxTokens: 10, IncludeContext: "none"}}, ""},
		{"sampling with tools and context, to a client of neither", &mcp.ClientCapabilities{},
			mcp.InputRequestMap{"a": &mcp.CreateMessageWithToolsParams{MaxTokens: 10, IncludeContext: "allServers", ToolChoice: &mcp.ToolChoice{}}},
			`{"requiredCapabilities":{"sampling":{"context":{},"tools":{}}}}`},
		// Middleware answers a nil elicitation or sampling request -32603,
		// and sends a nil roots request as one with empty params.
		{"nil requests", &mcp.ClientCapabilities{}, mcp.InputRequestMap{"a": (*mcp.ElicitParams)(nil), "c": (*mcp.CreateMessageParams)(nil), "d": (*mcp.CreateMessageWithToolsParams)(nil)}, ""},
		{"nil roots request", &mcp.ClientCapabilities{}, mcp.InputRequestMap{"b": (*mcp.ListRootsParams)(nil)},
			`{"requiredCapabilities":{"roots":{}}}`},
		{"nil roots request, declared", &mcp.ClientCapabilities{RootsV2: &mcp.RootCapabilities{}}, mcp.InputRequestMap{"b": (*mcp.ListRootsParams)(nil)}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := lambdamcp.CheckInputRequests(tc.caps, tc.reqs)
			if tc.want == "" {
				if err != nil {
					t.Errorf("got %v, want nil", err)
				}
				return
			}
			var rpcErr *jsonrpc.Error
			if !errors.As(err, &rpcErr) || rpcErr.Code != mcp.CodeMissingRequiredClientCapabilities || string(rpcErr.Data) != tc.want {
				t.Errorf("got %v (data %s), want -32021 with data %s", err, dataOf(rpcErr), tc.want)
			}
		})
	}
}

// TestCheckInputRequestsMessage checks that the error's message names the
// missing capabilities, in the singular for one.
func TestCheckInputRequestsMessage(t *testing.T) {
	form := &mcp.ElicitParams{Message: "confirm?"}
	tests := []struct {
		reqs mcp.InputRequestMap
		want string
	}{
		{mcp.InputRequestMap{"a": form},
			"this request needs the client's elicitation capability, which the client did not declare"},
		{mcp.InputRequestMap{"a": form, "b": &mcp.ListRootsParams{}},
			"this request needs the client's elicitation and roots capabilities, which the client did not declare"},
	}
	for _, tc := range tests {
		var rpcErr *jsonrpc.Error
		if err := lambdamcp.CheckInputRequests(&mcp.ClientCapabilities{}, tc.reqs); !errors.As(err, &rpcErr) || rpcErr.Message != tc.want {
			t.Errorf("got %v, want the message %q", err, tc.want)
		}
	}
}

func dataOf(e *jsonrpc.Error) string {
	if e == nil {
		return ""
	}
	return string(e.Data)
}

func ExampleCheckInputRequests() {
	// A 2026-07-28 client that declared sampling but not elicitation.
	caps := &mcp.ClientCapabilities{Sampling: &mcp.SamplingCapabilities{}}
	ask := mcp.InputRequestMap{"confirm": &mcp.ElicitParams{Message: "Order 2 × tea for $6.00?"}}
	err := lambdamcp.CheckInputRequests(caps, ask)
	var rpcErr *jsonrpc.Error
	if errors.As(err, &rpcErr) {
		fmt.Println(rpcErr.Code, string(rpcErr.Data))
	}
	// Output:
	// -32021 {"requiredCapabilities":{"elicitation":{"form":{}}}}
}
