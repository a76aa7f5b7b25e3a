package localfront

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/serve"
)

// TestGuardBeatsIntegrationTimeout runs the reference server, through
// lambdamcp's handler, behind fronts whose integration timeout is 2 s,
// with a ping tool that ignores its deadline. When lambdamcp's
// GatewayTimeout is the front's, its guard answers the call with its own
// JSON-RPC timeout error before the gateway gives up; when it believes the
// gateway waits longer, the client gets the gateway's answer instead.
func TestGuardBeatsIntegrationTimeout(t *testing.T) {
	const integration = 2 * time.Second
	tests := []struct {
		name           string
		shape          Shape
		gatewayTimeout time.Duration // lambdamcp's belief
		wantStatus     int
		wantBody       string // the gateway's; "" for lambdamcp's timeout error
	}{
		{"rest, guard on time", ShapeREST, integration, http.StatusOK, ""},
		{"http, guard on time", ShapeHTTP, integration, http.StatusOK, ""},
		{"rest, guard too late", ShapeREST, 10 * time.Second, http.StatusGatewayTimeout, restTimeoutBody},
		{"http, guard too late", ShapeHTTP, 10 * time.Second, http.StatusServiceUnavailable, httpTimeoutBody},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			server := demoserver.New(demoserver.Options{
				// A tool that ignores its deadline: it waits for the test.
				Sleep: func(context.Context, time.Duration) error { <-release; return nil },
			})
			// On time, the guard answers 1.25 s in, half the margin before
			// the gateway gives up: its answer is back by then however
			// loaded the machine.
			handler := lambdamcp.NewHandler(serve.Routes(serve.Handler(server, nil)),
				&lambdamcp.Options{GatewayTimeout: tc.gatewayTimeout, DeadlineMargin: 1500 * time.Millisecond})
			reports := make(chan Report, 1)
			fn := NewInProcess(handler, &FunctionConfig{OnReport: func(r Report) { reports <- r }})
			f := startFront(t, Config{Shape: tc.shape, Function: fn, IntegrationTimeout: integration})
			released := false
			defer func() {
				if !released {
					close(release)
				}
			}()

			resp, body := do(t, sent{method: http.MethodPost, url: f.URL() + "/mcp", contentType: "application/json",
				header: http.Header{"Accept": {"application/json, text/event-stream"}, "Mcp-Protocol-Version": {"2025-11-25"}},
				body:   `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"ping","arguments":{"delay_ms":5000}}}`})
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tc.wantStatus)
			}
			if tc.wantBody != "" {
				if string(body) != tc.wantBody {
					t.Errorf("body %s, want the gateway's %s", body, tc.wantBody)
				}
			} else {
				var answer struct {
					ID    int `json:"id"`
					Error struct {
						Code    int    `json:"code"`
						Message string `json:"message"`
					} `json:"error"`
				}
				if err := json.Unmarshal(body, &answer); err != nil || answer.ID != 7 || answer.Error.Code != -32001 {
					t.Errorf("answer %s (%v), want lambdamcp's -32001 timeout error for id 7", body, err)
				}
			}

			// The function's invocation ran on; it ends once the tool does.
			released = true
			close(release)
			if r := nextReport(t, reports); r.Status != "" {
				t.Errorf("invocation report %+v, want it to have ended well", r)
			}
		})
	}
}
