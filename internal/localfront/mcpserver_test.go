package localfront_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/localfront"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestMCPServerBootstrapBehindFront runs the real reference server bootstrap
// behind the front, as API Gateway REST and as a Function URL, and speaks
// MCP to it with the go-sdk client in both protocol eras: initialize,
// tools/list, ping and a call of the ping tool, all in one warm process.
func TestMCPServerBootstrapBehindFront(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	bin := buildCommand(ctx, t, "mcp-server")
	for _, shape := range []localfront.Shape{localfront.ShapeREST, localfront.ShapeURL} {
		t.Run(string(shape), func(t *testing.T) {
			var mu sync.Mutex
			var reports []localfront.Report
			fn, err := localfront.NewProcess(bin, &localfront.FunctionConfig{
				Name: "mcp-server",
				OnReport: func(r localfront.Report) {
					mu.Lock()
					reports = append(reports, r)
					mu.Unlock()
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			front, err := localfront.Start(ctx, localfront.Config{Shape: shape, Function: fn})
			if err != nil {
				t.Fatal(err)
			}
			defer front.Close()

			for _, protocol := range []string{"2025-11-25", "2026-07-28"} {
				talkMCP(ctx, t, front.URL()+"/mcp", protocol)
			}

			fn.Close() // lets the last invocations finish and be reported
			mu.Lock()
			defer mu.Unlock()
			cold := 0
			for _, r := range reports {
				if r.ColdStart {
					cold++
				}
				if r.PID != reports[0].PID || r.Status != "" {
					t.Errorf("report %+v: want every invocation to succeed in pid %d", r, reports[0].PID)
				}
			}
			if len(reports) < 6 || cold != 1 {
				t.Errorf("%d invocations with %d cold starts, want at least 6 with one cold start", len(reports), cold)
			}
		})
	}
}

// talkMCP connects with the given protocol version and lists tools, pings
// (a method of the 2025-11-25 era only; 2026-07-28 removed it) and calls the
// ping tool.
func talkMCP(ctx context.Context, t *testing.T, endpoint, protocol string) {
	t.Helper()
	client := mcp.NewClient(&mcp.Implementation{Name: "localfront-test", Version: "0.0.1"}, nil)
	transport := &mcp.StreamableClientTransport{Endpoint: endpoint, DisableStandaloneSSE: true}
	session, err := client.Connect(ctx, transport, &mcp.ClientSessionOptions{ProtocolVersion: protocol})
	if err != nil {
		t.Fatalf("connecting with protocol %s: %v", protocol, err)
	}
	defer session.Close()
	init := session.InitializeResult()
	if init.ServerInfo.Name != "lambdamcp-demo" || init.ProtocolVersion != protocol {
		t.Errorf("connected to %s with protocol %s, want lambdamcp-demo with %s", init.ServerInfo.Name, init.ProtocolVersion, protocol)
	}
	tools, err := session.ListTools(ctx, nil)
	if err != nil {
		t.Fatalf("tools/list (%s): %v", protocol, err)
	}
	if !slices.ContainsFunc(tools.Tools, func(tool *mcp.Tool) bool { return tool.Name == "ping" }) {
		t.Errorf("tools/list (%s) has no ping tool: %v", protocol, tools.Tools)
	}
	if protocol == "2025-11-25" {
		if err := session.Ping(ctx, nil); err != nil {
			t.Errorf("ping: %v", err)
		}
	}
	res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "ping"})
	if err != nil || res.IsError {
		t.Errorf("tools/call ping (%s) = %+v, %v", protocol, res, err)
	}
}

// buildCommand builds one of the module's commands as a bootstrap.
func buildCommand(ctx context.Context, t *testing.T, name string) string {
	t.Helper()
	bin, err := localfront.Build(ctx, "github.com/lambdamcp/lambdamcp/cmd/"+name, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// bearer adds a bearer token to every request.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// TestMCPServerBehindAuthorizer runs the reference server and the real
// cmd/authorizer bootstraps behind the REST (TOKEN authorizer) and HTTP API
// (payload 2.0) fronts, with a static bearer token: without it or with a
// wrong one the gateway answers 401; with it the server sees the identity
// the authorizer passed on.
func TestMCPServerBehindAuthorizer(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	server := buildCommand(ctx, t, "mcp-server")
	authorizer := buildCommand(ctx, t, "authorizer")
	const token = "local-front-test-token"
	sum := sha256.Sum256([]byte(token))

	for _, shape := range []localfront.Shape{localfront.ShapeREST, localfront.ShapeHTTP} {
		t.Run(string(shape), func(t *testing.T) {
			fn, err := localfront.NewProcess(server, &localfront.FunctionConfig{Env: []string{"MCP_AUTH_FROM_AUTHORIZER=1"}})
			if err != nil {
				t.Fatal(err)
			}
			auth, err := localfront.NewProcess(authorizer, &localfront.FunctionConfig{Env: []string{"MCP_AUTH_TOKEN_SHA256=" + hex.EncodeToString(sum[:])}})
			if err != nil {
				t.Fatal(err)
			}
			front, err := localfront.Start(ctx, localfront.Config{Shape: shape, Function: fn, Authorizer: auth})
			if err != nil {
				t.Fatal(err)
			}
			defer front.Close()
			endpoint := front.URL() + "/mcp"

			for _, authz := range []string{"", "Bearer wrong-token"} {
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
				req.Header.Set("Content-Type", "application/json")
				if authz != "" {
					req.Header.Set("Authorization", authz)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var body map[string]any
				json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusUnauthorized || body["message"] != "Unauthorized" {
					t.Errorf("Authorization %q: %d %v, want 401 Unauthorized", authz, resp.StatusCode, body)
				}
			}

			client := mcp.NewClient(&mcp.Implementation{Name: "localfront-test", Version: "0.0.1"}, nil)
			transport := &mcp.StreamableClientTransport{Endpoint: endpoint, DisableStandaloneSSE: true, HTTPClient: &http.Client{Transport: bearer{token}}}
			session, err := client.Connect(ctx, transport, nil)
			if err != nil {
				t.Fatalf("connecting with the token: %v", err)
			}
			defer session.Close()
			res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "whoami"})
			if err != nil || res.IsError {
				t.Fatalf("whoami = %+v, %v", res, err)
			}
			raw, _ := json.Marshal(res.StructuredContent)
			var who struct {
				Authenticated bool   `json:"authenticated"`
				Subject       string `json:"subject"`
			}
			json.Unmarshal(raw, &who)
			if !who.Authenticated || !strings.HasPrefix(who.Subject, "static:") {
				t.Errorf("whoami = %s, want the static token's identity from the authorizer", raw)
			}
		})
	}
}
