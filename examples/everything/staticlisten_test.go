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
