package everything_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/examples/everything"
	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
)

// TestStaticListsListenForResources checks that with StaticLists a
// subscriptions/listen for resource updates is acknowledged with none and
// ended at once, as for list changes: no execution environment hears
// another's updates, and an acknowledged one would hold a streamed
// invocation open until its deadline. resources/subscribe of 2025-11-25
// is still answered.
func TestStaticListsListenForResources(t *testing.T) {
	h := everything.Handler(everything.New(&everything.Options{StaticLists: true}), nil)
	for _, route := range lambdatest.Routes {
		t.Run(route.String(), func(t *testing.T) {
			a := lambdatest.Invoke(t, h, route, lambdatest.Call(lambdatest.Modern, 7, "subscriptions/listen", map[string]any{
				"notifications": map[string]any{"resourceSubscriptions": []string{"test://watched-resource"}},
			}, nil))
			if diff := cmp.Diff([]string{"notifications/subscriptions/acknowledged", "result"}, a.Methods()); diff != "" {
				t.Fatalf("listen stream (-want +got):\n%s\n%v", diff, a.Messages)
			}
			params, _ := a.Messages[0]["params"].(map[string]any)
			if diff := cmp.Diff(map[string]any{}, params["notifications"]); diff != "" {
				t.Errorf("acknowledged notifications (-want +got):\n%s", diff)
			}
			if _, ok := a.Last()["result"]; !ok {
				t.Errorf("listen ended with %v, want its result", a.Last())
			}
		})
	}
	a := lambdatest.Invoke(t, h, lambdatest.Routes[0], lambdatest.Call(lambdatest.Legacy, 1, "resources/subscribe",
		map[string]any{"uri": "test://watched-resource"}, nil))
	if _, ok := a.Last()["result"]; !ok {
		t.Errorf("resources/subscribe answered %v, want a result", a.Messages)
	}
}

// TestStaticListsDiscoverNoSubscribe checks that with StaticLists a
// 2026-07-28 server/discover does not advertise resource subscriptions
// (resources.subscribe), which subscriptions/listen then never grants;
// without StaticLists it does. Both eras' initialize keep it, for
// resources/subscribe.
func TestStaticListsDiscoverNoSubscribe(t *testing.T) {
	for _, static := range []bool{false, true} {
		h := everything.Handler(everything.New(&everything.Options{StaticLists: static}), nil)
		var discovered struct {
			Capabilities struct {
				Resources map[string]any `json:"resources"`
			} `json:"capabilities"`
		}
		lambdatest.Invoke(t, h, lambdatest.Routes[0], lambdatest.Call(lambdatest.Modern, 1, "server/discover", nil, nil)).Result(t, &discovered)
		if got := discovered.Capabilities.Resources["subscribe"] == true; got == static {
			t.Errorf("StaticLists=%t: server/discover resources capability %v, want subscribe %t", static, discovered.Capabilities.Resources, !static)
		}
		var initialized struct {
			Capabilities struct {
				Resources map[string]any `json:"resources"`
			} `json:"capabilities"`
		}
		lambdatest.Invoke(t, h, lambdatest.Routes[0], lambdatest.Call(lambdatest.Legacy, 1, "initialize", map[string]any{
			"protocolVersion": lambdatest.Legacy, "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "c", "version": "1"},
		}, nil)).Result(t, &initialized)
		if initialized.Capabilities.Resources["subscribe"] != true {
			t.Errorf("StaticLists=%t: initialize resources capability %v, want subscribe", static, initialized.Capabilities.Resources)
		}
	}
}
