package everything_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/examples/everything"
	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// bearer sends every request with a token.
type bearer string

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+string(b))
	return http.DefaultTransport.RoundTrip(r)
}

// connectAs connects to endpoint in the 2026-07-28 era with token, answering
// its tools' questions itself (answerForms) round by round.
func connectAs(t *testing.T, endpoint, token string) *mcp.ClientSession {
	t.Helper()
	client := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, &mcp.ClientOptions{
		ElicitationHandler: answerForms,
		MultiRoundTrip:     &mcp.MultiRoundTripOptions{Disabled: true},
	})
	cs, err := client.Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: &http.Client{Transport: bearer(token)}},
		&mcp.ClientSessionOptions{ProtocolVersion: "2026-07-28"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// TestStateBoundToCaller checks that behind authentication each sealed
// state works for the caller it was given to alone: another caller's
// presenting it is invalid params, its own is served.
func TestStateBoundToCaller(t *testing.T) {
	const alice, bob = "alice-token-0123456789abcdef", "bob-token-0123456789abcdef"
	v, err := auth.NewStaticVerifier([]string{auth.HashToken(alice), auth.HashToken(bob)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := auth.Middleware(v, &auth.MiddlewareOptions{ResourceURL: "http://127.0.0.1/mcp"})(everything.Handler(everything.New(nil), nil))
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	as := func(token string) *mcp.ClientSession { return connectAs(t, ts.URL, token) }
	asAlice, asBob := as(alice), as(bob)
	confirm := mcp.InputResponseMap{"confirm": &mcp.ElicitResult{Action: "accept", Content: map[string]any{"ok": true}}}
	for _, tool := range []string{"test_input_required_result_request_state", "test_input_required_result_multi_round"} {
		t.Run(tool, func(t *testing.T) {
			first, err := asAlice.CallTool(t.Context(), &mcp.CallToolParams{Name: tool})
			if err != nil || first.RequestState == "" {
				t.Fatalf("first round = %+v, %v; want requestState", first, err)
			}
			again := &mcp.CallToolParams{Name: tool, InputResponses: confirm, RequestState: first.RequestState}
			_, err = asBob.CallTool(t.Context(), again)
			var rpcErr *jsonrpc.Error
			if !errors.As(err, &rpcErr) || rpcErr.Code != jsonrpc.CodeInvalidParams {
				t.Errorf("another caller's round: %v, want a JSON-RPC invalid-params error", err)
			}
			if _, err := asAlice.CallTool(t.Context(), again); err != nil {
				t.Errorf("the caller's own round: %v", err)
			}
		})
	}
}

// TestStateBoundToIssuer checks that a sealed state is bound to the
// caller's issuer as well as its subject: a subject is unique only
// within its issuer.
func TestStateBoundToIssuer(t *testing.T) {
	const one, two = "token-of-issuer-one", "token-of-issuer-two"
	v := lambdatest.Issuers{one: "https://one.example", two: "https://two.example"}
	h := auth.Middleware(v, &auth.MiddlewareOptions{ResourceURL: "http://127.0.0.1/mcp"})(everything.Handler(everything.New(nil), nil))
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	as := func(token string) *mcp.ClientSession { return connectAs(t, ts.URL, token) }
	first, err := as(one).CallTool(t.Context(), &mcp.CallToolParams{Name: "test_input_required_result_request_state"})
	if err != nil || first.RequestState == "" {
		t.Fatalf("first round = %+v, %v; want requestState", first, err)
	}
	confirm := mcp.InputResponseMap{"confirm": &mcp.ElicitResult{Action: "accept", Content: map[string]any{"ok": true}}}
	_, err = as(two).CallTool(t.Context(), &mcp.CallToolParams{Name: "test_input_required_result_request_state", InputResponses: confirm, RequestState: first.RequestState})
	var rpcErr *jsonrpc.Error
	if !errors.As(err, &rpcErr) || rpcErr.Code != jsonrpc.CodeInvalidParams {
		t.Errorf("the same subject at another issuer: %v, want a JSON-RPC invalid-params error", err)
	}
}
