package everything

//lint:file-ignore SA1019 the 2025-11-25 era's logging, sampling and roots are served on purpose; the conformance suite tests them

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/requeststate"
)

// The tools here ask the client for input the 2026-07-28 way: the result says
// "input required", the client answers and calls again, and anything the server
// must remember between rounds travels as sealed requestState (SEP-2322).
// On a 2025-11-25 connection the go-sdk turns the same input requests into
// server-to-client requests, which a stateless server cannot send.

func nameSchema() map[string]any {
	return objectSchema("name", "string")
}

// objectSchema is a requestedSchema asking for one required property.
func objectSchema(prop, typ string) map[string]any {
	return map[string]any{
		"type":       "object",
		"properties": map[string]any{prop: map[string]any{"type": typ}},
		"required":   []string{prop},
	}
}

func askName(message string) *mcp.ElicitParams {
	return &mcp.ElicitParams{Message: message, RequestedSchema: nameSchema()}
}

func askConfirm() *mcp.ElicitParams {
	return &mcp.ElicitParams{Message: "Please confirm", RequestedSchema: objectSchema("ok", "boolean")}
}

func askSampling(prompt string, maxTokens int64) *mcp.CreateMessageParams {
	return &mcp.CreateMessageParams{
		Messages:  []*mcp.SamplingMessage{{Role: "user", Content: &mcp.TextContent{Text: prompt}}},
		MaxTokens: maxTokens,
	}
}

// accepted returns the content of an accepted elicitation answer under key, or nil.
func accepted(r mcp.InputResponseMap, key string) map[string]any {
	res, ok := r[key].(*mcp.ElicitResult)
	if !ok || res == nil || res.Action != "accept" {
		return nil
	}
	return res.Content
}

// acceptedString returns a non-empty string field of an accepted elicitation answer.
func acceptedString(r mcp.InputResponseMap, key, field string) (string, bool) {
	s, ok := accepted(r, key)[field].(string)
	return s, ok && s != ""
}

// sampled returns the first text of a sampling answer under key.
func sampled(r mcp.InputResponseMap, key string) (string, bool) {
	var content []mcp.Content
	switch res := r[key].(type) {
	case *mcp.CreateMessageWithToolsResult:
		if res == nil {
			return "", false
		}
		content = res.Content
	case *mcp.CreateMessageResult:
		if res == nil {
			return "", false
		}
		content = []mcp.Content{res.Content}
	default:
		return "", false
	}
	for _, c := range content {
		if t, ok := c.(*mcp.TextContent); ok {
			return t.Text, true
		}
	}
	return "", true
}

// rootsOf returns the roots in a roots/list answer under key.
func rootsOf(r mcp.InputResponseMap, key string) ([]*mcp.Root, bool) {
	res, ok := r[key].(*mcp.ListRootsResult)
	if !ok || res == nil {
		return nil, false
	}
	return res.Roots, true
}

func textResult(s string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s}}}
}

// needInput answers that the tool needs the client's input, unless the
// client did not declare the capability a request needs: the spec forbids
// sending that request and has the server answer
// MissingRequiredClientCapability instead. A request before 2026-07-28
// gets a tool error saying whom the tool asks: the go-sdk would turn the
// input requests into requests of the server's own, which a stateless
// server cannot send, and fail the call with an error that has no JSON-RPC
// code, even when the request's _meta declares capabilities (the go-sdk
// reads them in every era).
func needInput(req *mcp.CallToolRequest, reqs mcp.InputRequestMap, state string) (*mcp.CallToolResult, any, error) {
	if req.ProtocolVersion() < "2026-07-28" {
		res := textResult(req.Params.Name + " asks " + whomAsked(reqs) + ", which needs protocol 2026-07-28 or later")
		res.IsError = true
		return res, nil, nil
	}
	if err := lambdamcp.CheckInputRequests(req.ClientCapabilities(), reqs); err != nil {
		return nil, nil, err
	}
	return &mcp.CallToolResult{InputRequests: reqs, RequestState: state}, nil, nil
}

// whomAsked says whom the input requests of reqs ask, and for what: only an
// elicitation asks the user; sampling asks the client's model, and a roots
// request the client.
func whomAsked(reqs mcp.InputRequestMap) string {
	var user, model, roots bool
	for _, r := range reqs {
		switch r.(type) {
		case *mcp.ElicitParams:
			user = true
		case *mcp.CreateMessageParams:
			model = true
		case *mcp.ListRootsParams:
			roots = true
		}
	}
	var whom []string
	if user {
		whom = append(whom, "the user for input (elicitation)")
	}
	if model {
		whom = append(whom, "the client's model for input (sampling)")
	}
	if roots {
		whom = append(whom, "the client for its roots")
	}
	if len(whom) == 0 {
		return "the client for input"
	}
	last := len(whom) - 1
	if last == 0 {
		return whom[0]
	}
	return strings.Join(whom[:last], ", ") + " and " + whom[last]
}

// roundState is what the multi-round tools keep in their sealed requestState.
type roundState struct {
	Round int    `json:"round"`
	Name  string `json:"name,omitempty"`
}

type toolFunc = func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error)

// stateTTL is how long a client has to answer an input request.
const stateTTL = 10 * time.Minute

func addInputRequiredTools(srv *mcp.Server, sealer *requeststate.Sealer) {
	add := func(name, desc string, h toolFunc) {
		mcp.AddTool(srv, &mcp.Tool{Name: name, Description: desc}, h)
	}

	add("test_input_required_result_elicitation", "Asks for the caller's name by elicitation, then greets them.",
		func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
			if name, ok := acceptedString(req.Params.InputResponses, "user_name", "name"); ok {
				return textResult("Hello, " + name + "!"), nil, nil
			}
			// Missing, declined, malformed or unrelated answers: ask again.
			return needInput(req, mcp.InputRequestMap{"user_name": askName("What is your name?")}, "")
		})

	add("test_input_required_result_sampling", "Asks the client's model a question by sampling.",
		func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
			if text, ok := sampled(req.Params.InputResponses, "capital_question"); ok {
				return textResult("Sampling response: " + text), nil, nil
			}
			return needInput(req, mcp.InputRequestMap{"capital_question": askSampling("What is the capital of France?", 100)}, "")
		})

	add("test_input_required_result_list_roots", "Asks for the client's roots.",
		func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
			if roots, ok := rootsOf(req.Params.InputResponses, "client_roots"); ok {
				uris := make([]string, len(roots))
				for i, r := range roots {
					uris[i] = r.URI
				}
				return textResult(fmt.Sprintf("Client roots (%d): %s", len(roots), strings.Join(uris, ", "))), nil, nil
			}
			return needInput(req, mcp.InputRequestMap{"client_roots": &mcp.ListRootsParams{}}, "")
		})

	// confirmTool asks for a confirmation and requires its own sealed state back.
	confirmTool := func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		if req.Params.RequestState != "" {
			var st roundState
			if err := sealer.Open(statePurpose(req), req.Params.RequestState, &st); err != nil {
				return nil, nil, requeststate.Error(err)
			}
			if accepted(req.Params.InputResponses, "confirm") != nil {
				return textResult("state-ok: requestState verified and confirmation received"), nil, nil
			}
		}
		state, err := sealer.Seal(statePurpose(req), roundState{Round: 1}, stateTTL)
		if err != nil {
			return nil, nil, err
		}
		return needInput(req, mcp.InputRequestMap{"confirm": askConfirm()}, state)
	}
	add("test_input_required_result_request_state", "Asks for confirmation and round-trips sealed requestState.",
		confirmTool)
	add("test_input_required_result_tampered_state", "Asks for confirmation; rejects requestState that was altered.",
		confirmTool)

	const multiInputs = "test_input_required_result_multiple_inputs"
	add(multiInputs, "Asks for elicitation, sampling and roots in one round.",
		func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
			in := req.Params.InputResponses
			if req.Params.RequestState != "" {
				var st roundState
				if err := sealer.Open(statePurpose(req), req.Params.RequestState, &st); err != nil {
					return nil, nil, requeststate.Error(err)
				}
				name, okName := acceptedString(in, "user_name", "name")
				greeting, okGreeting := sampled(in, "greeting")
				roots, okRoots := rootsOf(in, "client_roots")
				if okName && okGreeting && okRoots {
					return textResult(fmt.Sprintf("%s, %s! (%d roots)", greeting, name, len(roots))), nil, nil
				}
			}
			state, err := sealer.Seal(statePurpose(req), roundState{Round: 1}, stateTTL)
			if err != nil {
				return nil, nil, err
			}
			return needInput(req, mcp.InputRequestMap{
				"user_name":    askName("What is your name?"),
				"greeting":     askSampling("Generate a greeting", 50),
				"client_roots": &mcp.ListRootsParams{},
			}, state)
		})

	const multiRound = "test_input_required_result_multi_round"
	add(multiRound, "Two elicitation rounds whose progress lives in sealed requestState.",
		func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
			var st roundState
			if req.Params.RequestState != "" {
				if err := sealer.Open(statePurpose(req), req.Params.RequestState, &st); err != nil {
					return nil, nil, requeststate.Error(err)
				}
			}
			in := req.Params.InputResponses
			next := roundState{Round: 1}
			ask := mcp.InputRequestMap{"step1": askName("Step 1: What is your name?")}
			switch st.Round {
			case 1:
				if name, ok := acceptedString(in, "step1", "name"); ok {
					next = roundState{Round: 2, Name: name}
					ask = mcp.InputRequestMap{"step2": &mcp.ElicitParams{
						Message: "Step 2: What is your favorite color?", RequestedSchema: objectSchema("color", "string"),
					}}
				}
			case 2:
				if color, ok := acceptedString(in, "step2", "color"); ok {
					return textResult(fmt.Sprintf("Multi-round complete: %s likes %s", st.Name, color)), nil, nil
				}
				next = st
				ask = mcp.InputRequestMap{"step2": &mcp.ElicitParams{
					Message: "Step 2: What is your favorite color?", RequestedSchema: objectSchema("color", "string"),
				}}
			}
			state, err := sealer.Seal(statePurpose(req), next, stateTTL)
			if err != nil {
				return nil, nil, err
			}
			return needInput(req, ask, state)
		})

	add("test_input_required_result_capabilities", "Asks only for the kinds of input the client declared it supports.",
		func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
			// Before 2026-07-28 the capabilities a client declared are
			// in its initialize, which a stateless server does not see:
			// whatever a request's _meta says, no input can be asked for.
			if req.ProtocolVersion() < "2026-07-28" {
				return needInput(req, mcp.InputRequestMap{}, "")
			}
			in := req.Params.InputResponses
			caps := req.ClientCapabilities()
			if caps == nil {
				caps = &mcp.ClientCapabilities{}
			}
			ask := mcp.InputRequestMap{}
			var got []string
			if caps.Elicitation != nil {
				if name, ok := acceptedString(in, "user_name", "name"); ok {
					got = append(got, "name="+name)
				} else {
					ask["user_name"] = askName("What is your name?")
				}
			}
			if caps.Sampling != nil {
				if text, ok := sampled(in, "greeting"); ok {
					got = append(got, "greeting="+text)
				} else {
					ask["greeting"] = askSampling("Generate a short greeting", 50)
				}
			}
			if caps.RootsV2 != nil {
				if roots, ok := rootsOf(in, "client_roots"); ok {
					got = append(got, fmt.Sprintf("roots=%d", len(roots)))
				} else {
					ask["client_roots"] = &mcp.ListRootsParams{}
				}
			}
			if len(ask) > 0 {
				return needInput(req, ask, "")
			}
			return textResult("Input received for the declared capabilities: " + strings.Join(got, ", ")), nil, nil
		})
}

// addClientRequestTools adds the 2025-11-25 suite's sampling and elicitation
// tools. They ask through input requests too, so the same code serves both eras.
func addClientRequestTools(srv *mcp.Server) {
	type samplingArgs struct {
		Prompt string `json:"prompt" jsonschema:"the prompt to send to the client's model"`
	}
	mcp.AddTool(srv, &mcp.Tool{Name: "test_sampling", Description: "Asks the client's model to complete a prompt."},
		func(_ context.Context, req *mcp.CallToolRequest, in samplingArgs) (*mcp.CallToolResult, any, error) {
			if text, ok := sampled(req.Params.InputResponses, "completion"); ok {
				return textResult("LLM response: " + text), nil, nil
			}
			return needInput(req, mcp.InputRequestMap{"completion": askSampling(in.Prompt, 100)}, "")
		})

	type elicitArgs struct {
		Message string `json:"message" jsonschema:"the message to show the user"`
	}
	mcp.AddTool(srv, &mcp.Tool{Name: "test_elicitation", Description: "Asks the user for a username."},
		func(_ context.Context, req *mcp.CallToolRequest, in elicitArgs) (*mcp.CallToolResult, any, error) {
			if res, ok := req.Params.InputResponses["username"].(*mcp.ElicitResult); ok && res != nil {
				return textResult(fmt.Sprintf("User response: action=%s, content=%v", res.Action, res.Content)), nil, nil
			}
			schema := map[string]any{
				"type":       "object",
				"properties": map[string]any{"username": map[string]any{"type": "string", "description": "User's response"}},
				"required":   []string{"username"},
			}
			return needInput(req, mcp.InputRequestMap{"username": &mcp.ElicitParams{Message: in.Message, RequestedSchema: schema}}, "")
		})

	elicitFixed := func(name, desc, message string, schema map[string]any) {
		mcp.AddTool(srv, &mcp.Tool{Name: name, Description: desc},
			func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
				if res, ok := req.Params.InputResponses["form"].(*mcp.ElicitResult); ok && res != nil {
					return textResult(fmt.Sprintf("Elicitation completed: action=%s, content=%v", res.Action, res.Content)), nil, nil
				}
				return needInput(req, mcp.InputRequestMap{"form": &mcp.ElicitParams{Message: message, RequestedSchema: schema}}, "")
			})
	}
	elicitFixed("test_elicitation_sep1034_defaults", "Elicits a form whose fields carry default values (SEP-1034).",
		"Please review and update the form fields with defaults", map[string]any{
			"type": "object",
			"properties": map[string]any{
				"name":     map[string]any{"type": "string", "description": "User name", "default": "John Doe"},
				"age":      map[string]any{"type": "integer", "description": "User age", "default": 30},
				"score":    map[string]any{"type": "number", "description": "User score", "default": 95.5},
				"status":   map[string]any{"type": "string", "description": "User status", "enum": []string{"active", "inactive", "pending"}, "default": "active"},
				"verified": map[string]any{"type": "boolean", "description": "Verification status", "default": true},
			},
		})
	titled := []map[string]any{
		{"const": "value1", "title": "First Option"},
		{"const": "value2", "title": "Second Option"},
		{"const": "value3", "title": "Third Option"},
	}
	elicitFixed("test_elicitation_sep1330_enums", "Elicits a form using every enum style (SEP-1330).",
		"Please select options from the enum fields", map[string]any{
			"type": "object",
			"properties": map[string]any{
				"untitledSingle": map[string]any{"type": "string", "enum": []string{"option1", "option2", "option3"}},
				"titledSingle":   map[string]any{"type": "string", "oneOf": titled},
				"legacyEnum": map[string]any{"type": "string", "enum": []string{"opt1", "opt2", "opt3"},
					"enumNames": []string{"Option One", "Option Two", "Option Three"}},
				"untitledMulti": map[string]any{"type": "array", "minItems": 1, "maxItems": 3,
					"items": map[string]any{"type": "string", "enum": []string{"option1", "option2", "option3"}}},
				"titledMulti": map[string]any{"type": "array", "minItems": 1, "maxItems": 3,
					"items": map[string]any{"anyOf": titled}},
			},
		})
}

// statePurpose is what a tool's requestState is sealed for: this call of
// this tool (its tools take no arguments), by this caller when the server
// authenticates, so that a state works for no other tool and no other user.
func statePurpose(req *mcp.CallToolRequest) string {
	caller := ""
	if req.Extra != nil {
		caller = auth.IdentityFromTokenInfo(req.Extra.TokenInfo).Caller()
	}
	return "tools/call " + req.Params.Name + " " + caller
}
