// Package examples_test checks what every example promises alike.
package examples_test

import (
	"net/http"
	"testing"

	"github.com/lambdamcp/lambdamcp/examples/discover"
	"github.com/lambdamcp/lambdamcp/examples/everything"
	"github.com/lambdamcp/lambdamcp/examples/logging"
	"github.com/lambdamcp/lambdamcp/examples/mrtr"
	"github.com/lambdamcp/lambdamcp/examples/progress"
	"github.com/lambdamcp/lambdamcp/examples/prompts"
	"github.com/lambdamcp/lambdamcp/examples/resources"
	"github.com/lambdamcp/lambdamcp/examples/structured"
	"github.com/lambdamcp/lambdamcp/examples/subscriptions"
	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
	"github.com/lambdamcp/lambdamcp/requeststate"
)

// TestNoListChangedPromise checks that no example promises list-changed
// notifications: their lists never change, and a 2026-07-28
// subscriptions/listen for a promised one holds a streamed invocation open
// until the deadline (lambdamcp ends it on a buffered one once
// acknowledged).
func TestNoListChangedPromise(t *testing.T) {
	for name, h := range handlers(t) {
		t.Run(name, func(t *testing.T) {
			// Both eras: server/discover, and the initialize of 2025-11-25.
			for _, req := range []lambdatest.Request{
				lambdatest.Call(lambdatest.Modern, 1, "server/discover", nil, nil),
				lambdatest.Call(lambdatest.Legacy, 1, "initialize", map[string]any{
					"protocolVersion": lambdatest.Legacy, "capabilities": map[string]any{},
					"clientInfo": map[string]any{"name": "t", "version": "1"},
				}, nil),
			} {
				var d struct {
					Capabilities map[string]map[string]any `json:"capabilities"`
				}
				lambdatest.Invoke(t, h, lambdatest.Routes[0], req).Result(t, &d)
				if len(d.Capabilities) == 0 {
					t.Fatal("no capabilities")
				}
				for _, list := range []string{"tools", "prompts", "resources"} {
					if d.Capabilities[list]["listChanged"] == true {
						t.Errorf("%s.listChanged is true, but the list never changes", list)
					}
				}
			}
		})
	}
}

// handlers are the examples' servers, by name, served as their commands
// serve them.
func handlers(t *testing.T) map[string]http.Handler {
	t.Helper()
	sealer, err := requeststate.New(make([]byte, requeststate.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	// everything as its command serves it on Lambda, with static lists.
	return map[string]http.Handler{
		"discover":      discover.Handler(discover.New(discover.Options{})),
		"everything":    everything.Handler(everything.New(&everything.Options{Sealer: sealer, StaticLists: true}), nil),
		"logging":       logging.Handler(logging.New()),
		"mrtr":          mrtr.Handler(mrtr.New(sealer)),
		"progress":      progress.Handler(progress.New(progress.Options{})),
		"prompts":       prompts.Handler(prompts.New()),
		"resources":     resources.Handler(resources.New()),
		"structured":    structured.Handler(structured.New()),
		"subscriptions": subscriptions.Handler(subscriptions.New()),
	}
}
