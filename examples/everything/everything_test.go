package everything_test

//lint:file-ignore SA1019 the 2025-11-25 era's logging, sampling and roots are served on purpose; the conformance suite tests them

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lambdamcp/lambdamcp/examples/everything"
	"github.com/lambdamcp/lambdamcp/requeststate"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

var eras = []string{"2025-11-25", "2026-07-28"}

// connect serves the everything server over real HTTP, statelessly, and
// connects a go-sdk client speaking the given protocol version.
func connect(t *testing.T, version string, opts *mcp.ClientOptions) *mcp.ClientSession {
	t.Helper()
	ts := httptest.NewServer(everything.Handler(everything.New(nil), nil))
	t.Cleanup(ts.Close)
	client := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, opts)
	cs, err := client.Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: ts.URL}, &mcp.ClientSessionOptions{ProtocolVersion: version})
	if err != nil {
		t.Fatalf("connecting at %s: %v", version, err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func texts(t *testing.T, content []mcp.Content) []string {
	t.Helper()
	var out []string
	for _, c := range content {
		switch c := c.(type) {
		case *mcp.TextContent:
			out = append(out, "text:"+c.Text)
		case *mcp.ImageContent:
			out = append(out, "image:"+c.MIMEType)
		case *mcp.AudioContent:
			out = append(out, "audio:"+c.MIMEType)
		case *mcp.EmbeddedResource:
			out = append(out, "resource:"+c.Resource.URI)
		default:
			t.Errorf("unexpected content %T", c)
		}
	}
	return out
}

func TestListsBothEras(t *testing.T) {
	wantTools := []string{
		"json_schema_2020_12_tool", "test_audio_content", "test_elicitation", "test_embedded_resource",
		"test_error_handling", "test_image_content", "test_input_required_result_elicitation",
		"test_multiple_content_types", "test_sampling", "test_simple_text", "test_tool_with_logging",
		"test_tool_with_progress",
	}
	wantPrompts := []string{
		"test_input_required_result_prompt", "test_prompt_with_arguments", "test_prompt_with_embedded_resource",
		"test_prompt_with_image", "test_simple_prompt",
	}
	for _, era := range eras {
		t.Run(era, func(t *testing.T) {
			cs := connect(t, era, nil)
			tools, err := cs.ListTools(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, tool := range tools.Tools {
				names = append(names, tool.Name)
			}
			for _, w := range wantTools {
				if !slices.Contains(names, w) {
					t.Errorf("tools/list lacks %s; got %v", w, names)
				}
			}
			prompts, err := cs.ListPrompts(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			var pnames []string
			for _, p := range prompts.Prompts {
				pnames = append(pnames, p.Name)
			}
			if diff := cmp.Diff(wantPrompts, pnames); diff != "" {
				t.Errorf("prompts/list (-want +got):\n%s", diff)
			}
			tmpl, err := cs.ListResourceTemplates(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(tmpl.ResourceTemplates) != 1 || tmpl.ResourceTemplates[0].URITemplate != "test://template/{id}/data" {
				t.Errorf("resources/templates/list = %+v", tmpl.ResourceTemplates)
			}
		})
	}
}

func TestCallToolBothEras(t *testing.T) {
	tests := []struct {
		tool    string
		want    []string
		isError bool
	}{
		{"test_simple_text", []string{"text:This is a simple text response for testing."}, false},
		{"test_image_content", []string{"image:image/png"}, false},
		{"test_audio_content", []string{"audio:audio/wav"}, false},
		{"test_embedded_resource", []string{"resource:test://embedded-resource"}, false},
		{"test_multiple_content_types", []string{"text:Multiple content types test:", "image:image/png", "resource:test://mixed-content-resource"}, false},
		{"test_error_handling", []string{"text:This tool intentionally returns an error for testing"}, true},
	}
	for _, era := range eras {
		cs := connect(t, era, nil)
		for _, tc := range tests {
			t.Run(era+"/"+tc.tool, func(t *testing.T) {
				res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: tc.tool})
				if err != nil {
					t.Fatal(err)
				}
				if res.IsError != tc.isError {
					t.Errorf("isError = %t, want %t", res.IsError, tc.isError)
				}
				if diff := cmp.Diff(tc.want, texts(t, res.Content)); diff != "" {
					t.Errorf("content (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestProgressAndLogsArriveBothEras(t *testing.T) {
	for _, era := range eras {
		t.Run(era, func(t *testing.T) {
			// The client delivers notifications on its own goroutines, possibly
			// after the call returns: collect them through channels.
			progress := make(chan string, 10)
			logs := make(chan string, 10)
			cs := connect(t, era, &mcp.ClientOptions{
				ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
					p := r.Params
					progress <- fmt.Sprintf("%v %v/%v %s", p.ProgressToken, p.Progress, p.Total, p.Message)
				},
				LoggingMessageHandler: func(_ context.Context, r *mcp.LoggingMessageRequest) {
					logs <- fmt.Sprint(r.Params.Data)
				},
			})
			params := &mcp.CallToolParams{Name: "test_tool_with_progress"}
			params.SetProgressToken("tok")
			if _, err := cs.CallTool(t.Context(), params); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"tok 0/100 step 0 of 100", "tok 50/100 step 50 of 100", "tok 100/100 step 100 of 100"}, receive(t, progress, 3)); diff != "" {
				t.Errorf("progress (-want +got):\n%s", diff)
			}
			logParams := &mcp.CallToolParams{Name: "test_tool_with_logging"}
			if era >= "2026-07-28" {
				// The 2026-07-28 era asks for logs per request.
				logParams.Meta = mcp.Meta{mcp.MetaKeyLogLevel: "debug"}
			} else if err := cs.SetLoggingLevel(t.Context(), &mcp.SetLoggingLevelParams{Level: "debug"}); err != nil {
				t.Fatal(err)
			}
			if _, err := cs.CallTool(t.Context(), logParams); err != nil {
				t.Fatal(err)
			}
			want := []string{"Tool execution started", "Tool processing data", "Tool execution completed"}
			if diff := cmp.Diff(want, receive(t, logs, 3)); diff != "" {
				t.Errorf("log messages (-want +got):\n%s", diff)
			}
		})
	}
}

// receive takes n values from c, failing the test if they do not all come
// within 10 s.
func receive[T any](t *testing.T, c <-chan T, n int) []T {
	t.Helper()
	var got []T
	timeout := time.After(10 * time.Second)
	for len(got) < n {
		select {
		case v := <-c:
			got = append(got, v)
		case <-timeout:
			t.Fatalf("received %d of %d notifications in 10 s", len(got), n)
		}
	}
	return got
}

// answerForms answers every elicitation by field name, as a user would.
func answerForms(_ context.Context, r *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
	content := map[string]any{}
	schema, _ := r.Params.RequestedSchema.(map[string]any)
	props, _ := schema["properties"].(map[string]any)
	for name := range props {
		switch name {
		case "name":
			content[name] = "Alice"
		case "color":
			content[name] = "blue"
		case "ok":
			content[name] = true
		default:
			content[name] = "x"
		}
	}
	return &mcp.ElicitResult{Action: "accept", Content: content}, nil
}

func TestInputRequiredRounds(t *testing.T) {
	cs := connect(t, "2026-07-28", &mcp.ClientOptions{ElicitationHandler: answerForms})
	tests := []struct{ tool, want string }{
		{"test_input_required_result_elicitation", "Hello, Alice!"},
		{"test_input_required_result_multi_round", "Multi-round complete: Alice likes blue"},
		{"test_input_required_result_request_state", "state-ok: requestState verified and confirmation received"},
	}
	for _, tc := range tests {
		t.Run(tc.tool, func(t *testing.T) {
			res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: tc.tool})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"text:" + tc.want}, texts(t, res.Content)); diff != "" {
				t.Errorf("content (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTamperedStateIsRejected(t *testing.T) {
	cs := connect(t, "2026-07-28", &mcp.ClientOptions{
		ElicitationHandler: answerForms,
		MultiRoundTrip:     &mcp.MultiRoundTripOptions{Disabled: true},
	})
	const tool = "test_input_required_result_tampered_state"
	first, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: tool})
	if err != nil {
		t.Fatal(err)
	}
	if !first.NeedsInput() || first.RequestState == "" {
		t.Fatalf("first round: want input required with requestState, got %+v", first)
	}
	confirm := mcp.InputResponseMap{"confirm": &mcp.ElicitResult{Action: "accept", Content: map[string]any{"ok": true}}}
	_, err = cs.CallTool(t.Context(), &mcp.CallToolParams{Name: tool, InputResponses: confirm, RequestState: first.RequestState + "-TAMPERED"})
	var rpcErr *jsonrpc.Error
	if !errors.As(err, &rpcErr) || rpcErr.Code != jsonrpc.CodeInvalidParams {
		t.Fatalf("tampered state: got %v, want a JSON-RPC invalid-params error", err)
	}
	// State sealed for one tool does not open for another.
	_, err = cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "test_input_required_result_request_state", InputResponses: confirm, RequestState: first.RequestState})
	if !errors.As(err, &rpcErr) || rpcErr.Code != jsonrpc.CodeInvalidParams {
		t.Fatalf("state from another tool: got %v, want a JSON-RPC invalid-params error", err)
	}
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: tool, InputResponses: confirm, RequestState: first.RequestState})
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(t, res.Content); len(got) != 1 || !strings.Contains(got[0], "state-ok") {
		t.Errorf("untampered state: got %v", got)
	}
}

// In the 2025-11-25 era the same input request would become a
// server-to-client request, which a stateless server cannot make (nor does it
// remember the capabilities declared at initialize): the tools answer with a
// tool error that says what they need.
func TestLegacyEraCannotAskTheClient(t *testing.T) {
	cs := connect(t, "2025-11-25", &mcp.ClientOptions{ElicitationHandler: answerForms})
	const user, model, roots = "the user for input (elicitation)", "the client's model for input (sampling)", "the client for its roots"
	for _, tc := range []struct {
		tool string
		args map[string]any
		asks string // whom: only an elicitation asks the user
	}{
		{"test_elicitation", map[string]any{"message": "hi"}, user},
		{"test_sampling", map[string]any{"prompt": "hi"}, model},
		{"test_input_required_result_elicitation", nil, user},
		{"test_input_required_result_sampling", nil, model},
		{"test_input_required_result_list_roots", nil, roots},
		{"test_input_required_result_request_state", nil, user},
		{"test_input_required_result_multiple_inputs", nil, user + ", " + model + " and " + roots},
	} {
		tool := tc.tool
		t.Run(tool, func(t *testing.T) {
			res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: tool, Arguments: tc.args})
			if err != nil {
				t.Fatal(err)
			}
			want := "text:" + tool + " asks " + tc.asks + ", which needs protocol 2026-07-28 or later"
			if got := texts(t, res.Content); !res.IsError || len(got) != 1 || got[0] != want {
				t.Errorf("got %v (isError %v), want the tool error %q", got, res.IsError, want)
			}
		})
	}
	// A prompt has no tool error: a JSON-RPC error with a code says so.
	_, err := cs.GetPrompt(t.Context(), &mcp.GetPromptParams{Name: "test_input_required_result_prompt"})
	var rpcErr *jsonrpc.Error
	if !errors.As(err, &rpcErr) || rpcErr.Code != jsonrpc.CodeInvalidRequest || !strings.Contains(rpcErr.Message, "needs protocol 2026-07-28") {
		t.Errorf("prompt asking for input: %v, want -32600 saying it needs 2026-07-28", err)
	}
}

func TestReadResources(t *testing.T) {
	cs := connect(t, "2026-07-28", nil)
	tests := []struct {
		uri, mime, text string
		blob            bool
	}{
		{"test://static-text", "text/plain", "This is the content of the static text resource.", false},
		{"test://static-binary", "image/png", "", true},
		{"test://template/123/data", "application/json", `{"data":"Data for ID: 123","id":"123","templateTest":true}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.uri, func(t *testing.T) {
			res, err := cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: tc.uri})
			if err != nil {
				t.Fatal(err)
			}
			c := res.Contents[0]
			if c.URI != tc.uri || c.MIMEType != tc.mime || c.Text != tc.text || (len(c.Blob) > 0) != tc.blob {
				t.Errorf("got %+v", c)
			}
		})
	}
	// The template names no document for an id that is empty or has
	// a slash in it.
	for _, uri := range []string{"test://template/a/b/data", "test://template//data"} {
		t.Run(uri, func(t *testing.T) {
			res, err := cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: uri})
			var rpcErr *jsonrpc.Error
			if !errors.As(err, &rpcErr) || rpcErr.Code != jsonrpc.CodeInvalidParams {
				t.Errorf("got %v, %v; want resource-not-found (-32602)", res, err)
			}
		})
	}
}

func TestComplete(t *testing.T) {
	cs := connect(t, "2026-07-28", nil)
	prompt := func(name string) *mcp.CompleteReference {
		return &mcp.CompleteReference{Type: "ref/prompt", Name: name}
	}
	template := func(uri string) *mcp.CompleteReference { return &mcp.CompleteReference{Type: "ref/resource", URI: uri} }
	tests := []struct {
		name       string
		ref        *mcp.CompleteReference
		arg, value string
		want       []string // nil: an error -32602
	}{
		{"prompt argument", prompt("test_prompt_with_arguments"), "arg1", "par", []string{"paris", "park", "party"}},
		{"template variable", template("test://template/{id}/data"), "id", "1", []string{"1", "123"}},
		{"template variable, sorted", template("test://template/{id}/data"), "id", "", []string{"1", "123", "2", "3", "42"}},
		{"argument of another prompt", prompt("test_prompt_with_arguments"), "resourceUri", "", []string{}},
		{"prompt without arguments", prompt("test_simple_prompt"), "arg1", "", []string{}},
		{"unknown prompt", prompt("nosuch"), "arg1", "", nil},
		{"unknown template", template("test://nosuch/{id}"), "id", "", nil},
		{"prompt named as a template", template("test_prompt_with_arguments"), "arg1", "", nil},
		{"added later, before it is", prompt("test_dynamic_prompt"), "arg1", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := cs.Complete(t.Context(), &mcp.CompleteParams{
				Ref: tc.ref, Argument: mcp.CompleteParamsArgument{Name: tc.arg, Value: tc.value},
			})
			if tc.want == nil {
				var rpcErr *jsonrpc.Error
				if !errors.As(err, &rpcErr) || rpcErr.Code != jsonrpc.CodeInvalidParams {
					t.Errorf("got %v, %v; want error -32602", res, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, res.Completion.Values); diff != "" {
				t.Errorf("completions (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "test_trigger_prompt_change"}); err != nil {
		t.Fatal(err)
	}
	res, err := cs.Complete(t.Context(), &mcp.CompleteParams{Ref: prompt("test_dynamic_prompt"), Argument: mcp.CompleteParamsArgument{Name: "arg1"}})
	if err != nil || len(res.Completion.Values) != 0 {
		t.Errorf("a prompt added while serving: got %v, %v; want no values", res, err)
	}
}

func TestStaticListsAdvertiseNoListChanges(t *testing.T) {
	for _, static := range []bool{false, true} {
		ts := httptest.NewServer(everything.Handler(everything.New(&everything.Options{StaticLists: static}), nil))
		client := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil)
		cs, err := client.Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: ts.URL}, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
		if err != nil {
			t.Fatal(err)
		}
		caps := cs.InitializeResult().Capabilities
		got := []bool{caps.Tools.ListChanged, caps.Prompts.ListChanged, caps.Resources.ListChanged}
		if diff := cmp.Diff([]bool{!static, !static, !static}, got); diff != "" {
			t.Errorf("StaticLists=%t: listChanged of tools, prompts, resources (-want +got):\n%s", static, diff)
		}
		// The trigger adds a tool only where lists may change.
		if _, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "test_trigger_tool_change"}); err != nil {
			t.Fatal(err)
		}
		tools, err := cs.ListTools(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		added := slices.ContainsFunc(tools.Tools, func(tool *mcp.Tool) bool { return tool.Name == "test_dynamic_tool" })
		if added == static {
			t.Errorf("StaticLists=%t: test_dynamic_tool listed = %t after the trigger", static, added)
		}
		cs.Close()
		ts.Close()
	}
}

func TestStructuredOutput(t *testing.T) {
	for _, era := range eras {
		t.Run(era, func(t *testing.T) {
			cs := connect(t, era, nil)
			tools, err := cs.ListTools(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(tools.Tools, func(tool *mcp.Tool) bool { return tool.Name == "test_structured_output" })
			if i < 0 || tools.Tools[i].OutputSchema == nil {
				t.Fatalf("test_structured_output is not listed with an output schema")
			}
			res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "test_structured_output", Arguments: map[string]any{"numbers": []float64{1, 2, 3.5}}})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]any{"sum": 6.5, "count": float64(3)}
			if diff := cmp.Diff(want, res.StructuredContent); diff != "" {
				t.Errorf("structuredContent (-want +got):\n%s", diff)
			}
		})
	}
}

// On Lambda each round may reach another execution environment: state sealed
// by one server opens in another that shares the key, and only there.
func TestStateAcrossInstances(t *testing.T) {
	key := bytes.Repeat([]byte{1}, 32)
	session := func(k []byte) *mcp.ClientSession {
		sealer, err := requeststate.New(k)
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(everything.Handler(everything.New(&everything.Options{Sealer: sealer}), nil))
		t.Cleanup(ts.Close)
		// Rounds played by hand; the handler declares elicitation.
		client := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, &mcp.ClientOptions{
			ElicitationHandler: answerForms, MultiRoundTrip: &mcp.MultiRoundTripOptions{Disabled: true}})
		cs, err := client.Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: ts.URL}, &mcp.ClientSessionOptions{ProtocolVersion: "2026-07-28"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cs.Close() })
		return cs
	}
	first, second, stranger := session(key), session(key), session(bytes.Repeat([]byte{2}, 32))

	const tool = "test_input_required_result_multi_round"
	r1, err := first.CallTool(t.Context(), &mcp.CallToolParams{Name: tool})
	if err != nil {
		t.Fatal(err)
	}
	answer := mcp.InputResponseMap{"step1": &mcp.ElicitResult{Action: "accept", Content: map[string]any{"name": "Alice"}}}
	r2, err := second.CallTool(t.Context(), &mcp.CallToolParams{Name: tool, InputResponses: answer, RequestState: r1.RequestState})
	if err != nil {
		t.Fatalf("round 2 on another instance with the same key: %v", err)
	}
	if _, ok := r2.InputRequests["step2"]; !ok {
		t.Fatalf("round 2: want the step2 request, got %+v", r2)
	}
	_, err = stranger.CallTool(t.Context(), &mcp.CallToolParams{Name: tool, InputResponses: answer, RequestState: r1.RequestState})
	var rpcErr *jsonrpc.Error
	if !errors.As(err, &rpcErr) || rpcErr.Code != jsonrpc.CodeInvalidParams {
		t.Fatalf("round 2 on an instance with another key: got %v, want invalid params", err)
	}
}

// TestIncompleteAnswersAskAgain checks that an input-required tool given
// an answer it cannot use (declined, or an empty value) asks again, for
// the same input, rather than finishing with what it lacks or starting
// over.
func TestIncompleteAnswersAskAgain(t *testing.T) {
	cs := connect(t, "2026-07-28", &mcp.ClientOptions{
		ElicitationHandler: answerForms,
		MultiRoundTrip:     &mcp.MultiRoundTripOptions{Disabled: true},
	})
	accept := func(field, value string) *mcp.ElicitResult {
		return &mcp.ElicitResult{Action: "accept", Content: map[string]any{field: value}}
	}
	decline := &mcp.ElicitResult{Action: "decline"}
	tests := []struct {
		name, tool string
		rounds     []mcp.InputResponseMap // answered in turn, each with the state of the round before
		wantAsk    string                 // or, when empty, the text it finishes with
		wantText   string
	}{
		{"empty name", "test_input_required_result_elicitation",
			[]mcp.InputResponseMap{{"user_name": accept("name", "")}}, "user_name", ""},
		{"confirmation declined", "test_input_required_result_request_state",
			[]mcp.InputResponseMap{{"confirm": decline}}, "confirm", ""},
		{"second step declined", "test_input_required_result_multi_round",
			[]mcp.InputResponseMap{{"step1": accept("name", "Alice")}, {"step2": decline}}, "step2", ""},
		{"second step declined, then answered", "test_input_required_result_multi_round",
			[]mcp.InputResponseMap{{"step1": accept("name", "Alice")}, {"step2": decline}, {"step2": accept("color", "blue")}}, "", "text:Multi-round complete: Alice likes blue"},
		{"second step empty", "test_input_required_result_multi_round",
			[]mcp.InputResponseMap{{"step1": accept("name", "Alice")}, {"step2": accept("color", "")}}, "step2", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: tc.tool})
			for _, answers := range tc.rounds {
				if err != nil {
					t.Fatal(err)
				}
				res, err = cs.CallTool(t.Context(), &mcp.CallToolParams{Name: tc.tool, InputResponses: answers, RequestState: res.RequestState})
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantAsk == "" {
				if got := texts(t, res.Content); res.NeedsInput() || len(got) != 1 || got[0] != tc.wantText {
					t.Errorf("got %+v (content %v), want %q", res, got, tc.wantText)
				}
				return
			}
			if _, ok := res.InputRequests[tc.wantAsk]; !ok || len(res.InputRequests) != 1 || len(res.Content) != 0 {
				t.Errorf("got %+v (content %v), want input required for %s alone", res, texts(t, res.Content), tc.wantAsk)
			}
		})
	}
}

func TestForeignOriginsAreRefused(t *testing.T) {
	ts := httptest.NewServer(everything.Handler(everything.New(nil), &everything.HandlerOptions{AllowedOrigins: []string{"https://app.example.com"}}))
	t.Cleanup(ts.Close)
	body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
	tests := []struct {
		origin string
		want   int
	}{
		{"", http.StatusOK},
		{ts.URL, http.StatusOK},
		{"https://app.example.com", http.StatusOK},
		{"https://evil.example.com", http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run("origin="+tc.origin, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, ts.URL, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}

// TestRebindingRefused checks the defence against DNS rebinding where no
// gateway and no loopback listener holds the Host honest: a page whose name
// was rebound to the server sends its own name as both Host and Origin.
// With the endpoint's URL known, that origin is foreign.
func TestRebindingRefused(t *testing.T) {
	body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
	for _, tc := range []struct {
		resource string
		want     int
	}{{"http://localhost:8080/mcp", http.StatusForbidden}, {"", http.StatusOK}} {
		h := everything.Handler(everything.New(nil), &everything.HandlerOptions{ResourceURL: tc.resource})
		req := httptest.NewRequest("POST", "http://evil.example:8080/mcp", strings.NewReader(body))
		req.Header.Set("Origin", "http://evil.example:8080")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("resource %q: status %d, want %d (without it, only the Host says what is the server's own)", tc.resource, rec.Code, tc.want)
		}
	}
}

// TestParamHeader checks the x-mcp-header tool: a 2026-07-28 client
// mirrors the argument into Mcp-Param-Region and the call is served; a
// request whose header says otherwise than its body is refused with
// HeaderMismatch (-32020), as the go-sdk checks it.
func TestParamHeader(t *testing.T) {
	cs := connect(t, "2026-07-28", nil)
	// A client learns which arguments to mirror from the tool list.
	if _, err := cs.ListTools(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "test_x_mcp_header", Arguments: map[string]any{"region": "eu-west-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"text:region=eu-west-1"}, texts(t, res.Content)); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}

	ts := httptest.NewServer(everything.Handler(everything.New(nil), nil))
	t.Cleanup(ts.Close)
	for _, tc := range []struct {
		name, header string
		want         string
	}{
		{"matching", "eu-west-1", `"text":"region=eu-west-1"`},
		{"base64 of the same", "=?base64?ZXUtd2VzdC0x?=", `"text":"region=eu-west-1"`},
		{"another region", "us-east-1", `"code":-32020`},
		{"omitted", "", `"code":-32020`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"test_x_mcp_header","arguments":{"region":"eu-west-1"},` +
				`"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"t","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}`
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			req.Header.Set("MCP-Protocol-Version", "2026-07-28")
			req.Header.Set("Mcp-Method", "tools/call")
			req.Header.Set("Mcp-Name", "test_x_mcp_header")
			if tc.header != "" {
				req.Header.Set("Mcp-Param-Region", tc.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			if !strings.Contains(b.String(), tc.want) {
				t.Errorf("%d %s; want it to contain %s", resp.StatusCode, b.String(), tc.want)
			}
		})
	}
}

// TestParamHeaderLevel checks that test_x_mcp_header takes any integer
// level its input schema allows: the level is not mirrored and the tool
// does not read it, so a large one is no reason to fail the call.
func TestParamHeaderLevel(t *testing.T) {
	cs := connect(t, "2025-11-25", nil) // no Mcp-Param-* headers to check
	for _, level := range []any{7, 1e30, json.Number("9223372036854775808")} {
		res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "test_x_mcp_header", Arguments: map[string]any{"region": "eu-west-1", "level": level}})
		if err != nil {
			t.Fatalf("level %v: %v", level, err)
		}
		if got := texts(t, res.Content); res.IsError || !slices.Equal(got, []string{"text:region=eu-west-1"}) {
			t.Errorf("level %v: got %v (isError %v), want region=eu-west-1", level, got, res.IsError)
		}
	}
}

// TestMissingCapability checks that the server asks a 2026-07-28 client
// only for input it declared it can give, and otherwise answers -32021
// naming exactly the capabilities missing.
func TestMissingCapability(t *testing.T) {
	cs := connect(t, "2026-07-28", &mcp.ClientOptions{MultiRoundTrip: &mcp.MultiRoundTripOptions{Disabled: true}}) // declares none
	check := func(what string, err error, want string) {
		t.Helper()
		var rpcErr *jsonrpc.Error
		if !errors.As(err, &rpcErr) || rpcErr.Code != mcp.CodeMissingRequiredClientCapabilities || string(rpcErr.Data) != want {
			t.Errorf("%s: got %v, want -32021 with data %s", what, err, want)
		}
	}
	_, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "test_missing_capability"})
	check("test_missing_capability", err, `{"requiredCapabilities":{"sampling":{}}}`)
	_, err = cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "test_input_required_result_elicitation"})
	check("an elicitation", err, `{"requiredCapabilities":{"elicitation":{"form":{}}}}`)
	_, err = cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "test_input_required_result_multiple_inputs"})
	check("three kinds of input", err, `{"requiredCapabilities":{"elicitation":{"form":{}},"sampling":{}}}`) // the go-sdk client declares roots by default
	_, err = cs.GetPrompt(t.Context(), &mcp.GetPromptParams{Name: "test_input_required_result_prompt"})
	check("a prompt's elicitation", err, `{"requiredCapabilities":{"elicitation":{"form":{}}}}`)

	// A client that takes URL elicitations only cannot fill in a form.
	urlOnly := connect(t, "2026-07-28", &mcp.ClientOptions{
		Capabilities:   &mcp.ClientCapabilities{Elicitation: &mcp.ElicitationCapabilities{URL: &mcp.URLElicitationCapabilities{}}},
		MultiRoundTrip: &mcp.MultiRoundTripOptions{Disabled: true},
	})
	_, err = urlOnly.CallTool(t.Context(), &mcp.CallToolParams{Name: "test_input_required_result_elicitation"})
	check("a form, to a client of URL elicitations", err, `{"requiredCapabilities":{"elicitation":{"form":{}}}}`)

	declared := connect(t, "2026-07-28", &mcp.ClientOptions{ElicitationHandler: answerForms, MultiRoundTrip: &mcp.MultiRoundTripOptions{Disabled: true}})
	res, err := declared.CallTool(t.Context(), &mcp.CallToolParams{Name: "test_input_required_result_elicitation"})
	if err != nil || res.InputRequests["user_name"] == nil {
		t.Errorf("with elicitation declared: %+v, %v; want the input request", res, err)
	}
}
