package structured_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/examples/structured"
	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
)

func TestConvertThroughEveryRoute(t *testing.T) {
	h := structured.Handler(structured.New())
	for _, era := range []string{lambdatest.Legacy, lambdatest.Modern} {
		for _, route := range lambdatest.Routes {
			t.Run(era+"/"+route.String(), func(t *testing.T) {
				var list struct {
					Tools []struct {
						Name         string         `json:"name"`
						OutputSchema map[string]any `json:"outputSchema"`
					} `json:"tools"`
				}
				lambdatest.Invoke(t, h, route, lambdatest.Call(era, 1, "tools/list", nil, nil)).Result(t, &list)
				if len(list.Tools) != 1 || list.Tools[0].OutputSchema == nil {
					t.Fatalf("tools = %+v, want convert with an outputSchema", list.Tools)
				}
				props, _ := list.Tools[0].OutputSchema["properties"].(map[string]any)
				for _, p := range []string{"celsius", "fahrenheit", "kelvin"} {
					if props[p] == nil {
						t.Errorf("outputSchema lacks %q: %v", p, list.Tools[0].OutputSchema)
					}
				}

				var res struct {
					StructuredContent structured.ConvertOutput `json:"structuredContent"`
					IsError           bool                     `json:"isError"`
				}
				lambdatest.Invoke(t, h, route, lambdatest.Call(era, 2, "tools/call",
					map[string]any{"name": "convert", "arguments": map[string]any{"celsius": 100}}, nil)).Result(t, &res)
				if diff := cmp.Diff(structured.ConvertOutput{Celsius: 100, Fahrenheit: 212, Kelvin: 373.15}, res.StructuredContent); diff != "" || res.IsError {
					t.Errorf("structured content (-want +got):\n%s (isError %v)", diff, res.IsError)
				}

				lambdatest.Invoke(t, h, route, lambdatest.Call(era, 3, "tools/call",
					map[string]any{"name": "convert", "arguments": map[string]any{"celsius": -300}}, nil)).Result(t, &res)
				if !res.IsError {
					t.Error("below absolute zero: isError = false, want a tool error")
				}
			})
		}
	}
}
