package mrtr_test

//lint:file-ignore SA1019 MCP logging, sampling and roots are deprecated as of 2026-07-28 but still served and used in the 2025-11-25 era

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/examples/mrtr"
	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
	"github.com/lambdamcp/lambdamcp/requeststate"
)

func newSealer(t *testing.T) *requeststate.Sealer {
	t.Helper()
	key := make([]byte, requeststate.KeySize)
	rand.Read(key)
	s, err := requeststate.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var capabilities = map[string]any{"io.modelcontextprotocol/clientCapabilities": map[string]any{"elicitation": map[string]any{}, "sampling": map[string]any{}}}

type inputRequired struct {
	ResultType    string                    `json:"resultType"`
	InputRequests map[string]map[string]any `json:"inputRequests"`
	RequestState  string                    `json:"requestState"`
	Content       []struct{ Text string }   `json:"content"`
	IsError       bool                      `json:"isError"`
	ErrorCode     int                       `json:"-"` // of a JSON-RPC error answer, where call reads one
}

// TestOrderRoundsThroughEveryRoute plays both rounds of order on the wire,
// each through a fresh handler (as if on another execution environment),
// and checks that the state can be neither read nor altered.
func TestOrderRoundsThroughEveryRoute(t *testing.T) {
	sealer := newSealer(t)
	args := map[string]any{"item": "cake", "quantity": 2}
	for _, route := range lambdatest.Routes {
		t.Run(route.String(), func(t *testing.T) {
			var first inputRequired
			lambdatest.Invoke(t, mrtr.Handler(mrtr.New(sealer)), route, lambdatest.Call(lambdatest.Modern, 1, "tools/call",
				map[string]any{"name": "order", "arguments": args}, capabilities)).Result(t, &first)
			ask := first.InputRequests["confirm"]
			if first.ResultType != "input_required" || ask["method"] != "elicitation/create" || first.RequestState == "" {
				t.Fatalf("first round = %+v, want input_required with an elicitation and state", first)
			}
			// The user confirms the price the message names.
			if params, _ := ask["params"].(map[string]any); params["message"] != "Order 2 × cake for $8.50?" {
				t.Errorf("elicitation %v, want the message %q", ask, "Order 2 × cake for $8.50?")
			}
			// Plain JSON or base64 of it would show these fragments; random
			// ciphertext matches a 13-byte fragment with odds near zero,
			// where a short word such as "850" turns up in one run in a
			// thousand.
			plain, _ := base64.RawURLEncoding.DecodeString(first.RequestState)
			for _, fragment := range []string{`"item":"cake"`, `"cents":850`} {
				if strings.Contains(first.RequestState, fragment) || bytes.Contains(plain, []byte(fragment)) {
					t.Errorf("requestState %q shows its content %s", first.RequestState, fragment)
				}
			}

			retry := func(id int, state string, args map[string]any, answer map[string]any) inputRequired {
				var res inputRequired
				lambdatest.Invoke(t, mrtr.Handler(mrtr.New(sealer)), route, lambdatest.Call(lambdatest.Modern, id, "tools/call", map[string]any{
					"name": "order", "arguments": args, "requestState": state,
					"inputResponses": map[string]any{"confirm": answer},
				}, capabilities)).Result(t, &res)
				return res
			}
			yes := map[string]any{"action": "accept", "content": map[string]any{"confirm": true}}
			if res := retry(2, first.RequestState, args, yes); res.IsError || len(res.Content) != 1 || res.Content[0].Text != "ordered 2 × cake for $8.50" {
				t.Errorf("confirmed round = %+v", res)
			}
			// Only an explicit yes orders.
			for name, answer := range map[string]map[string]any{
				"declined":              {"action": "decline"},
				"accepted, no":          {"action": "accept", "content": map[string]any{"confirm": false}},
				"accepted, no confirm":  {"action": "accept", "content": map[string]any{}},
				"accepted, not boolean": {"action": "accept", "content": map[string]any{"confirm": "yes"}},
			} {
				if res := retry(3, first.RequestState, args, answer); res.IsError || len(res.Content) != 1 || res.Content[0].Text != "order cancelled" {
					t.Errorf("%s: round = %+v, want order cancelled", name, res)
				}
			}

			tampered := []byte(first.RequestState)
			tampered[len(tampered)/2] ^= 1
			for name, tc := range map[string]struct {
				state string
				args  map[string]any
			}{
				"altered state":      {string(tampered), args},
				"other arguments":    {first.RequestState, map[string]any{"item": "cake", "quantity": 20}},
				"another key's seal": {mustSeal(t, newSealer(t)), args},
			} {
				// A protocol error, as the spec asks: invalid params,
				// not a tool error the model could mend.
				answer := lambdatest.Invoke(t, mrtr.Handler(mrtr.New(sealer)), route, lambdatest.Call(lambdatest.Modern, 4, "tools/call", map[string]any{
					"name": "order", "arguments": tc.args, "requestState": tc.state,
					"inputResponses": map[string]any{"confirm": yes},
				}, capabilities))
				if e, _ := answer.Last()["error"].(map[string]any); e == nil || e["code"] != float64(-32602) || !strings.Contains(fmt.Sprint(e["message"]), "requestState") {
					t.Errorf("%s: answered %v, want a -32602 error about requestState", name, answer.Messages)
				}
			}
		})
	}
}

// TestStateBoundToCaller plays order's first round as one authenticated
// caller and presents its state as another: it is refused, while the first
// caller's second round is served.
func TestStateBoundToCaller(t *testing.T) {
	const alice, bob = "alice-token-0123456789abcdef", "bob-token-0123456789abcdef"
	static, err := auth.NewStaticVerifier([]string{auth.HashToken(alice), auth.HashToken(bob)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		v    auth.Verifier
	}{
		{"another user", static},
		// A subject is unique only within its issuer.
		{"the same subject at another issuer", lambdatest.Issuers{alice: "https://one.example", bob: "https://two.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) { stateBoundToCaller(t, tc.v, alice, bob) })
	}
}

func stateBoundToCaller(t *testing.T, v auth.Verifier, alice, bob string) {
	srv := httptest.NewServer(auth.Middleware(v, &auth.MiddlewareOptions{ResourceURL: "http://127.0.0.1/mcp"})(mrtr.Handler(mrtr.New(newSealer(t)))))
	defer srv.Close()
	args := map[string]any{"item": "cake", "quantity": 2}
	call := func(token string, id int, params map[string]any) inputRequired {
		t.Helper()
		params["name"], params["arguments"] = "order", args
		params["_meta"] = map[string]any{
			"io.modelcontextprotocol/protocolVersion":    lambdatest.Modern,
			"io.modelcontextprotocol/clientInfo":         map[string]any{"name": "t", "version": "1"},
			"io.modelcontextprotocol/clientCapabilities": capabilities["io.modelcontextprotocol/clientCapabilities"],
		}
		body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params})
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("MCP-Protocol-Version", lambdatest.Modern)
		req.Header.Set("Mcp-Method", "tools/call")
		req.Header.Set("Mcp-Name", "order")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		// One event carries the answer: its data is the JSON-RPC response.
		_, data, _ := strings.Cut(string(raw), "data: ")
		if !strings.Contains(string(raw), "data: ") {
			data = string(raw) // a refusal before the stream: plain JSON
		}
		var msg struct {
			Result inputRequired
			Error  *struct{ Code int }
		}
		if err := json.Unmarshal([]byte(strings.TrimSpace(data)), &msg); err != nil {
			t.Fatalf("answer %d %s: %v", resp.StatusCode, raw, err)
		}
		if msg.Error != nil {
			return inputRequired{ErrorCode: msg.Error.Code}
		}
		return msg.Result
	}
	first := call(alice, 1, map[string]any{})
	if first.RequestState == "" {
		t.Fatalf("first round = %+v, want state", first)
	}
	yes := map[string]any{"confirm": map[string]any{"action": "accept", "content": map[string]any{"confirm": true}}}
	if res := call(bob, 2, map[string]any{"requestState": first.RequestState, "inputResponses": yes}); res.ErrorCode != -32602 {
		t.Errorf("another caller's round = %+v, want a -32602 error", res)
	}
	if res := call(alice, 3, map[string]any{"requestState": first.RequestState, "inputResponses": yes}); res.IsError || len(res.Content) != 1 || res.Content[0].Text != "ordered 2 × cake for $8.50" {
		t.Errorf("the caller's own round = %+v", res)
	}
}

func mustSeal(t *testing.T, s *requeststate.Sealer) string {
	state, err := s.Seal("order:x", "cheap", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return state
}

// TestClientCompletesRounds lets the go-sdk client run the flow itself over
// HTTP: it answers the elicitation, the sampling request and the roots
// request, and retries.
func TestClientCompletesRounds(t *testing.T) {
	srv := httptest.NewServer(mrtr.Handler(mrtr.New(newSealer(t))))
	defer srv.Close()
	client := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, &mcp.ClientOptions{
		ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}, nil
		},
		CreateMessageHandler: func(_ context.Context, req *mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
			return &mcp.CreateMessageResult{Role: "assistant", Model: "test", Content: &mcp.TextContent{Text: "cold start, warm cache / ..."}}, nil
		},
	})
	client.AddRoots(&mcp.Root{URI: "file:///work/project", Name: "project"})
	cs, err := client.Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: srv.URL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	for _, tc := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"order", map[string]any{"item": "tea", "quantity": 3}, "ordered 3 × tea for $9.00"},
		{"haiku", map[string]any{"topic": "Lambda"}, "A haiku about Lambda:\ncold start, warm cache / ..."},
		{"workspace", map[string]any{}, "roots: file:///work/project"},
	} {
		res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: tc.tool, Arguments: tc.args})
		if err != nil {
			t.Fatalf("%s: %v", tc.tool, err)
		}
		var text bytes.Buffer
		for _, c := range res.Content {
			text.WriteString(c.(*mcp.TextContent).Text)
		}
		if res.IsError || text.String() != tc.want {
			t.Errorf("%s = %q (isError %v), want %q", tc.tool, text.String(), res.IsError, tc.want)
		}
	}
}

// TestMissingCapability checks that a tool does not ask a client for input
// it did not declare it can give: the spec forbids the request, and has the
// server answer -32021 naming the capability, and only it.
func TestMissingCapability(t *testing.T) {
	h := mrtr.Handler(mrtr.New(newSealer(t)))
	tests := []struct {
		tool string
		args map[string]any
		need string
		data map[string]any // what requiredCapabilities says of it
	}{
		{"order", map[string]any{"item": "tea", "quantity": 1}, "elicitation", map[string]any{"form": map[string]any{}}},
		{"haiku", map[string]any{"topic": "Lambda"}, "sampling", map[string]any{}},
		{"workspace", map[string]any{}, "roots", map[string]any{}},
	}
	for _, tc := range tests {
		for _, route := range lambdatest.Routes {
			t.Run(tc.tool+"/"+route.String(), func(t *testing.T) {
				// Every capability but the one the tool needs.
				declared := map[string]any{"elicitation": map[string]any{}, "sampling": map[string]any{}, "roots": map[string]any{}}
				delete(declared, tc.need)
				answer := lambdatest.Invoke(t, h, route, lambdatest.Call(lambdatest.Modern, 1, "tools/call",
					map[string]any{"name": tc.tool, "arguments": tc.args},
					map[string]any{"io.modelcontextprotocol/clientCapabilities": declared}))
				e, _ := answer.Last()["error"].(map[string]any)
				want := map[string]any{"requiredCapabilities": map[string]any{tc.need: tc.data}}
				if e == nil || e["code"] != float64(-32021) || !cmp.Equal(e["data"], want) {
					t.Errorf("answered %d %v, want error -32021 with data %v", answer.Status, answer.Last(), want)
				}

				declared[tc.need] = map[string]any{}
				var first inputRequired
				lambdatest.Invoke(t, h, route, lambdatest.Call(lambdatest.Modern, 2, "tools/call",
					map[string]any{"name": tc.tool, "arguments": tc.args},
					map[string]any{"io.modelcontextprotocol/clientCapabilities": declared})).Result(t, &first)
				if first.ResultType != "input_required" {
					t.Errorf("with %s declared: %+v, want input_required", tc.need, first)
				}
			})
		}
	}
}

// TestLegacyEraGetsToolError checks that in the 2025-11-25 era, whose
// stateless requests can ask the client nothing, the tools that ask for
// input answer with a tool error saying what they need, not a JSON-RPC
// error without a code, whether or not the request's _meta declares client
// capabilities.
func TestLegacyEraGetsToolError(t *testing.T) {
	h := mrtr.Handler(mrtr.New(newSealer(t)))
	for _, tc := range []struct {
		tool string
		args map[string]any
		want string
	}{
		// What each asks for, and of whom: only order asks the user.
		{"order", map[string]any{"item": "tea", "quantity": 1}, "order asks the user for input (elicitation), which needs protocol 2026-07-28 or later"},
		{"haiku", map[string]any{"topic": "Lambda"}, "haiku asks the client's model for input (sampling), which needs protocol 2026-07-28 or later"},
		{"workspace", map[string]any{}, "workspace asks the client for its roots, which needs protocol 2026-07-28 or later"},
	} {
		tool, args, want := tc.tool, tc.args, tc.want
		// A 2025-11-25 request whose _meta names client capabilities, as
		// 2026-07-28's do, is no less of its era: the go-sdk reads them
		// (req.ClientCapabilities), but still has a stateless server ask
		// the client by a request of its own, which it cannot send.
		declared := map[string]any{"io.modelcontextprotocol/clientCapabilities": map[string]any{
			"elicitation": map[string]any{}, "sampling": map[string]any{}, "roots": map[string]any{},
		}}
		for name, meta := range map[string]map[string]any{"no capabilities": nil, "capabilities in _meta": declared} {
			t.Run(tool+"/"+name, func(t *testing.T) {
				var res inputRequired
				lambdatest.Invoke(t, h, lambdatest.Routes[0], lambdatest.Call(lambdatest.Legacy, 1, "tools/call",
					map[string]any{"name": tool, "arguments": args}, meta)).Result(t, &res)
				if !res.IsError || len(res.Content) != 1 || res.Content[0].Text != want {
					t.Errorf("result %+v, want the tool error %q", res, want)
				}
			})
		}
	}
}

// TestHaikuNeedsTopic checks that haiku refuses a blank topic with a tool
// error the model can correct, in either era, rather than ask for a haiku
// about nothing.
func TestHaikuNeedsTopic(t *testing.T) {
	h := mrtr.Handler(mrtr.New(newSealer(t)))
	for era, meta := range map[string]map[string]any{
		lambdatest.Modern: {"io.modelcontextprotocol/clientCapabilities": map[string]any{"sampling": map[string]any{}}},
		lambdatest.Legacy: nil,
	} {
		for _, topic := range []string{"", " \t"} {
			var res inputRequired
			lambdatest.Invoke(t, h, lambdatest.Routes[0], lambdatest.Call(era, 1, "tools/call",
				map[string]any{"name": "haiku", "arguments": map[string]any{"topic": topic}}, meta)).Result(t, &res)
			if !res.IsError || res.ResultType == "input_required" || len(res.Content) != 1 || res.Content[0].Text != "haiku needs a topic" {
				t.Errorf("%s, topic %q: %+v, want the tool error %q", era, topic, res, "haiku needs a topic")
			}
		}
	}
}

// TestForgedStateEveryTool checks that every tool refuses a state it did not
// seal with a JSON-RPC invalid-params error, as the spec asks of protocol
// errors, whatever the input it asks for.
func TestForgedStateEveryTool(t *testing.T) {
	h := mrtr.Handler(mrtr.New(newSealer(t)))
	declared := map[string]any{"io.modelcontextprotocol/clientCapabilities": map[string]any{
		"elicitation": map[string]any{}, "sampling": map[string]any{}, "roots": map[string]any{}}}
	for tool, args := range map[string]map[string]any{
		"order":     {"item": "cake", "quantity": 2},
		"haiku":     {"topic": "Lambda"},
		"workspace": {},
	} {
		answer := lambdatest.Invoke(t, h, lambdatest.Routes[0], lambdatest.Call(lambdatest.Modern, 5, "tools/call", map[string]any{
			"name": tool, "arguments": args, "requestState": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			"inputResponses": map[string]any{"x": map[string]any{"action": "decline"}},
		}, declared))
		if e, _ := answer.Last()["error"].(map[string]any); e == nil || e["code"] != float64(-32602) {
			t.Errorf("%s with a forged state: %v, want error -32602", tool, answer.Messages)
		}
	}
}

// TestEmptyAnswers plays the second round of haiku and workspace with an
// answer that holds nothing: no haiku is a tool error, not a poem of no
// lines, and no roots are said to be none, not an empty list.
func TestEmptyAnswers(t *testing.T) {
	h := mrtr.Handler(mrtr.New(newSealer(t)))
	declared := map[string]any{"io.modelcontextprotocol/clientCapabilities": map[string]any{
		"elicitation": map[string]any{}, "sampling": map[string]any{}, "roots": map[string]any{}}}
	tests := []struct {
		name, tool string
		args       map[string]any
		responses  map[string]any
		want       string
		isError    bool
	}{
		{"empty haiku", "haiku", map[string]any{"topic": "Lambda"}, map[string]any{"write": map[string]any{
			"role": "assistant", "model": "m", "content": map[string]any{"type": "text", "text": ""}}}, "no haiku came back", true},
		{"no text in the haiku", "haiku", map[string]any{"topic": "Lambda"}, map[string]any{"write": map[string]any{
			"role": "assistant", "model": "m", "content": map[string]any{"type": "image", "mimeType": "image/png", "data": "AA=="}}}, "no haiku came back", true},
		{"no roots", "workspace", map[string]any{}, map[string]any{"roots": map[string]any{"roots": []any{}}}, "no roots shared", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var first inputRequired
			lambdatest.Invoke(t, h, lambdatest.Routes[0], lambdatest.Call(lambdatest.Modern, 1, "tools/call",
				map[string]any{"name": tc.tool, "arguments": tc.args}, declared)).Result(t, &first)
			if first.RequestState == "" {
				t.Fatalf("first round = %+v, want input_required with state", first)
			}
			var res inputRequired
			lambdatest.Invoke(t, h, lambdatest.Routes[0], lambdatest.Call(lambdatest.Modern, 2, "tools/call", map[string]any{
				"name": tc.tool, "arguments": tc.args, "requestState": first.RequestState, "inputResponses": tc.responses,
			}, declared)).Result(t, &res)
			if len(res.Content) != 1 || res.Content[0].Text != tc.want || res.IsError != tc.isError {
				t.Errorf("second round = %+v, want %q (isError %v)", res, tc.want, tc.isError)
			}
		})
	}
}

// TestMissingAnswerAsksAgain plays the second round of every tool without
// the answer the first round asked for (none at all, or one under another
// key): the spec has the server ask for it again, rather than fail or take
// the silence for a no, and the answer given in a third round completes
// the call.
func TestMissingAnswerAsksAgain(t *testing.T) {
	h := mrtr.Handler(mrtr.New(newSealer(t)))
	declared := map[string]any{"io.modelcontextprotocol/clientCapabilities": map[string]any{
		"elicitation": map[string]any{}, "sampling": map[string]any{}, "roots": map[string]any{}}}
	tests := []struct {
		tool   string
		args   map[string]any
		key    string // of the input request
		answer map[string]any
		want   string
	}{
		{"order", map[string]any{"item": "tea", "quantity": 2}, "confirm",
			map[string]any{"action": "accept", "content": map[string]any{"confirm": true}}, "ordered 2 × tea for $6.00"},
		{"haiku", map[string]any{"topic": "Lambda"}, "write",
			map[string]any{"role": "assistant", "model": "m", "content": map[string]any{"type": "text", "text": "cold start"}}, "A haiku about Lambda:\ncold start"},
		{"workspace", map[string]any{}, "roots",
			map[string]any{"roots": []any{map[string]any{"uri": "file:///src"}}}, "roots: file:///src"},
	}
	for _, tc := range tests {
		for name, responses := range map[string]map[string]any{
			"none":          {},
			"under another": {"other": tc.answer},
		} {
			t.Run(tc.tool+"/"+name, func(t *testing.T) {
				call := func(id int, state string, responses map[string]any) inputRequired {
					params := map[string]any{"name": tc.tool, "arguments": tc.args}
					if state != "" {
						params["requestState"], params["inputResponses"] = state, responses
					}
					var res inputRequired
					lambdatest.Invoke(t, h, lambdatest.Routes[0], lambdatest.Call(lambdatest.Modern, id, "tools/call", params, declared)).Result(t, &res)
					return res
				}
				first := call(1, "", nil)
				if first.RequestState == "" {
					t.Fatalf("first round = %+v, want input_required with state", first)
				}
				again := call(2, first.RequestState, responses)
				if again.ResultType != "input_required" || again.InputRequests[tc.key] == nil || again.RequestState == "" || again.IsError {
					t.Fatalf("round without the answer = %+v, want input_required asking for %q again, with state", again, tc.key)
				}
				if !cmp.Equal(again.InputRequests, first.InputRequests) {
					t.Errorf("asked again for %v, want what the first round asked: %v", again.InputRequests, first.InputRequests)
				}
				done := call(3, again.RequestState, map[string]any{tc.key: tc.answer})
				if done.IsError || len(done.Content) != 1 || done.Content[0].Text != tc.want {
					t.Errorf("round with the answer = %+v, want %q", done, tc.want)
				}
			})
		}
	}
}
