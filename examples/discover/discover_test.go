package discover_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/lambdamcp/lambdamcp"

	"github.com/lambdamcp/lambdamcp/examples/discover"
	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
)

func TestDiscoverThroughEveryRoute(t *testing.T) {
	h := discover.Handler(discover.New(discover.Options{ListTTLMs: 60_000}))
	for _, route := range lambdatest.Routes {
		t.Run(route.String(), func(t *testing.T) {
			var d struct {
				SupportedVersions []string       `json:"supportedVersions"`
				Capabilities      map[string]any `json:"capabilities"`
				Instructions      string         `json:"instructions"`
				TTLMs             int            `json:"ttlMs"`
				CacheScope        string         `json:"cacheScope"`
			}
			lambdatest.Invoke(t, h, route, lambdatest.Call(lambdatest.Modern, 1, "server/discover", nil, nil)).Result(t, &d)
			if !slices.Contains(d.SupportedVersions, lambdatest.Modern) || !slices.Contains(d.SupportedVersions, lambdatest.Legacy) {
				t.Errorf("supportedVersions = %v, want both eras", d.SupportedVersions)
			}
			if d.Capabilities["tools"] == nil || d.Instructions == "" {
				t.Errorf("discover = %+v, want tools capability and instructions", d)
			}
			if d.TTLMs != 60_000 || d.CacheScope != "public" {
				t.Errorf("discover cache hints = %d %q, want 60000 public", d.TTLMs, d.CacheScope)
			}

			var list struct {
				TTLMs      int    `json:"ttlMs"`
				CacheScope string `json:"cacheScope"`
				Tools      []any  `json:"tools"`
			}
			lambdatest.Invoke(t, h, route, lambdatest.Call(lambdatest.Modern, 2, "tools/list", nil, nil)).Result(t, &list)
			if list.TTLMs != 60_000 || list.CacheScope != "public" || len(list.Tools) != 1 {
				t.Errorf("tools/list = %+v, want one tool, ttlMs 60000, public", list)
			}

			var res struct {
				Content []struct{ Text string }
			}
			lambdatest.Invoke(t, h, route, lambdatest.Call(lambdatest.Modern, 3, "tools/call", map[string]any{"name": "whoami", "arguments": map[string]any{}}, nil)).Result(t, &res)
			if len(res.Content) != 1 || res.Content[0].Text != "you are lambdatest" {
				t.Errorf("whoami = %+v, want the client's name from _meta", res.Content)
			}
			// Before 2026-07-28 a request does not name its client.
			lambdatest.Invoke(t, h, route, lambdatest.Call(lambdatest.Legacy, 4, "tools/call", map[string]any{"name": "whoami", "arguments": map[string]any{}}, nil)).Result(t, &res)
			if len(res.Content) != 1 || res.Content[0].Text != "you are an unnamed client" {
				t.Errorf("whoami, 2025-11-25 = %+v, want an unnamed client", res.Content)
			}
		})
	}
}

// TestWhoamiNoName checks that a 2026-07-28 client whose clientInfo names
// it with nothing but blanks is an unnamed client, not "you are ".
func TestWhoamiNoName(t *testing.T) {
	h := discover.Handler(discover.New(discover.Options{}))
	for _, name := range []string{"", "  "} {
		req := lambdatest.Call(lambdatest.Modern, 1, "tools/call", map[string]any{"name": "whoami", "arguments": map[string]any{}}, nil)
		var body map[string]any
		if err := json.Unmarshal(req.Body, &body); err != nil {
			t.Fatal(err)
		}
		body["params"].(map[string]any)["_meta"].(map[string]any)["io.modelcontextprotocol/clientInfo"] = map[string]any{"name": name, "version": "1.0.0"}
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		req.Body = b
		var res struct {
			Content []struct{ Text string }
		}
		lambdatest.Invoke(t, h, lambdatest.Route{Shape: lambdamcp.ShapeURL}, req).Result(t, &res)
		if len(res.Content) != 1 || res.Content[0].Text != "you are an unnamed client" {
			t.Errorf("whoami named %q = %+v, want an unnamed client", name, res.Content)
		}
	}
}

// TestWhoamiLegacyMeta checks that whoami tells the era by the request's
// protocol version: a 2025-11-25 request is answered as an unnamed client,
// as the README says, even when its _meta carries a clientInfo as a
// 2026-07-28 request's does.
func TestWhoamiLegacyMeta(t *testing.T) {
	h := discover.Handler(discover.New(discover.Options{}))
	req := lambdatest.Call(lambdatest.Legacy, 1, "tools/call", map[string]any{"name": "whoami", "arguments": map[string]any{}},
		map[string]any{"io.modelcontextprotocol/clientInfo": map[string]any{"name": "legacy-client", "version": "1.0.0"}})
	var res struct {
		Content []struct{ Text string }
	}
	lambdatest.Invoke(t, h, lambdatest.Route{Shape: lambdamcp.ShapeURL}, req).Result(t, &res)
	if len(res.Content) != 1 || res.Content[0].Text != "you are an unnamed client" {
		t.Errorf("whoami, 2025-11-25 with clientInfo in _meta = %+v, want an unnamed client", res.Content)
	}
}

// TestDiscoverTTL checks the ttlMs that Options give: five minutes for the
// zero value, as Options and the README say, any positive value as it is,
// however short, and 0 for a negative one.
func TestDiscoverTTL(t *testing.T) {
	tests := []struct {
		name string
		opts discover.Options
		want int
	}{
		{"zero", discover.Options{}, 5 * 60 * 1000},
		{"one millisecond", discover.Options{ListTTLMs: 1}, 1},
		// The spec wants ttlMs >= 0: a negative TTL means stale at once.
		{"negative", discover.Options{ListTTLMs: -1}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := discover.Handler(discover.New(tc.opts))
			for _, method := range []string{"server/discover", "tools/list"} {
				var got struct {
					TTLMs      int    `json:"ttlMs"`
					CacheScope string `json:"cacheScope"`
				}
				lambdatest.Invoke(t, h, lambdatest.Route{Shape: lambdamcp.ShapeURL}, lambdatest.Call(lambdatest.Modern, 1, method, nil, nil)).Result(t, &got)
				if got.TTLMs != tc.want || got.CacheScope != "public" {
					t.Errorf("%s cache hints = %d %q, want %d public", method, got.TTLMs, got.CacheScope, tc.want)
				}
			}
		})
	}
}
