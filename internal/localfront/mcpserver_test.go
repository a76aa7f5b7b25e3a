package localfront_test

import (
	"context"
	"slices"
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
	bin, err := localfront.Build(ctx, "github.com/lambdamcp/lambdamcp/cmd/mcp-server", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
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
