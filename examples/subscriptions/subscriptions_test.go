package subscriptions_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/examples/subscriptions"
	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
)

func TestListenThroughEveryRoute(t *testing.T) {
	h := subscriptions.Handler(subscriptions.New())
	for _, route := range lambdatest.Routes {
		t.Run(route.String(), func(t *testing.T) {
			a := lambdatest.Invoke(t, h, route, lambdatest.Call(lambdatest.Modern, 9, "subscriptions/listen", map[string]any{
				"notifications": map[string]any{"toolsListChanged": true, "resourceSubscriptions": []string{"config://deployment"}},
			}, nil))
			if a.Status != 200 || a.ContentType != "text/event-stream" {
				t.Errorf("answer %d %q, want 200 text/event-stream", a.Status, a.ContentType)
			}
			want := []map[string]any{
				{"jsonrpc": "2.0", "method": "notifications/subscriptions/acknowledged", "params": map[string]any{
					"_meta":         map[string]any{"io.modelcontextprotocol/subscriptionId": 9.0},
					"notifications": map[string]any{},
				}},
				{"jsonrpc": "2.0", "id": 9.0, "result": map[string]any{
					"resultType": "complete",
					"_meta": map[string]any{
						"io.modelcontextprotocol/subscriptionId": 9.0,
						"io.modelcontextprotocol/serverInfo":     map[string]any{"name": "lambdamcp-subscriptions", "version": "1.0.0"},
					},
				}},
			}
			if diff := cmp.Diff(want, a.Messages); diff != "" {
				t.Errorf("listen stream (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAdvertisesNothingToListenFor checks the README's first promise: in
// both eras the server advertises neither listChanged nor subscribe, so a
// client is not told to wait for notifications that cannot come.
func TestAdvertisesNothingToListenFor(t *testing.T) {
	h := subscriptions.Handler(subscriptions.New())
	tests := []struct {
		name string
		req  lambdatest.Request
	}{
		{"server/discover", lambdatest.Call(lambdatest.Modern, 1, "server/discover", nil, nil)},
		{"initialize", lambdatest.Call(lambdatest.Legacy, 1, "initialize", map[string]any{
			"protocolVersion": lambdatest.Legacy, "capabilities": map[string]any{},
			"clientInfo": map[string]any{"name": "t", "version": "1"},
		}, nil)},
	}
	for _, tc := range tests {
		for _, route := range lambdatest.Routes {
			t.Run(tc.name+"/"+route.String(), func(t *testing.T) {
				var got struct {
					Capabilities map[string]map[string]any `json:"capabilities"`
				}
				lambdatest.Invoke(t, h, route, tc.req).Result(t, &got)
				want := map[string]map[string]any{"tools": {}, "resources": {}}
				if diff := cmp.Diff(want, got.Capabilities); diff != "" {
					t.Errorf("capabilities (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestSaysWhichDeploymentAnswers reads what the server offers besides
// the listen, in both eras: the config://deployment resource, JSON naming
// the version, and the version tool's answer.
func TestSaysWhichDeploymentAnswers(t *testing.T) {
	h := subscriptions.Handler(subscriptions.New())
	type result struct {
		Contents []map[string]any `json:"contents"`
		Content  []map[string]any `json:"content"`
		IsError  bool             `json:"isError"`
	}
	tests := []struct {
		method string
		params map[string]any
		want   result
	}{
		{"resources/read", map[string]any{"uri": "config://deployment"}, result{Contents: []map[string]any{
			{"uri": "config://deployment", "mimeType": "application/json", "text": `{"version":"1.0.0"}`},
		}}},
		{"tools/call", map[string]any{"name": "version", "arguments": map[string]any{}}, result{Content: []map[string]any{
			{"type": "text", "text": "1.0.0"},
		}}},
	}
	for _, tc := range tests {
		for _, era := range []string{lambdatest.Legacy, lambdatest.Modern} {
			for _, route := range lambdatest.Routes {
				t.Run(tc.method+"/"+era+"/"+route.String(), func(t *testing.T) {
					var got result
					lambdatest.Invoke(t, h, route, lambdatest.Call(era, 2, tc.method, tc.params, nil)).Result(t, &got)
					if diff := cmp.Diff(tc.want, got); diff != "" {
						t.Errorf("%s result (-want +got):\n%s", tc.method, diff)
					}
				})
			}
		}
	}
}
