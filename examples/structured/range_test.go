package structured_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/examples/structured"
	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
)

// TestConvertAtTheEdges checks that a temperature convert cannot convert
// is a tool error that says why, never a JSON-RPC error about a result the
// server could not encode, and that one it can is converted however large.
func TestConvertAtTheEdges(t *testing.T) {
	h := structured.Handler(structured.New())
	route := lambdatest.Route{Shape: lambdamcp.ShapeURL}
	for _, tc := range []struct {
		name      string
		celsius   float64
		want      string
		wantError bool
	}{
		{"below absolute zero", -300, "-300 °C is below absolute zero", true},
		{"fahrenheit beyond float64", 1e308, "1e+308 °C is too hot to convert", true},
		{"absolute zero", -273.15, `{"celsius":-273.15,"fahrenheit":-459.67,"kelvin":0}`, false},
		{"rounded to zero from below", -17.7777778, `{"celsius":-17.7777778,"fahrenheit":0,"kelvin":255.37}`, false},
		{"kelvin rounded", -40, `{"celsius":-40,"fahrenheit":-40,"kelvin":233.15}`, false},
		{"too large for hundredths", 1e16, `{"celsius":10000000000000000,"fahrenheit":18000000000000032,"kelvin":10000000000000274}`, false},
		{"too large to round", 1e307, `{"celsius":1e+307,"fahrenheit":1.8e+307,"kelvin":1e+307}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var res struct {
				Content []struct {
					Text string `json:"text"`
				} `json:"content"`
				IsError bool `json:"isError"`
			}
			lambdatest.Invoke(t, h, route, lambdatest.Call(lambdatest.Modern, 1, "tools/call",
				map[string]any{"name": "convert", "arguments": map[string]any{"celsius": tc.celsius}}, nil)).Result(t, &res)
			var got []string
			for _, c := range res.Content {
				got = append(got, strings.TrimSpace(c.Text))
			}
			if diff := cmp.Diff([]string{tc.want}, got); diff != "" || res.IsError != tc.wantError {
				t.Errorf("content (-want +got):\n%s (isError %v, want %v)", diff, res.IsError, tc.wantError)
			}
		})
	}
}
