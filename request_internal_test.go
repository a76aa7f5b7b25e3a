package lambdamcp

import (
	"net/http"
	"slices"
	"testing"
)

// TestHeadersDoNotShareValues checks that the header values copied out of
// an event, which share a backing array, stay apart when a handler appends
// to one of them, and that names differing only in case are merged.
func TestHeadersDoNotShareValues(t *testing.T) {
	single := http.Header{}
	singleHeaders(single, map[string]string{"a": "1", "b": "2", "c": "3"})
	multi := http.Header{}
	multiHeaders(multi, map[string][]string{"a": {"1"}, "b": {"2", "2b"}, "c": {"3"}, "x-dup": {"d1"}, "X-Dup": {"d2"}})
	for name, h := range map[string]http.Header{"single": single, "multi": multi} {
		t.Run(name, func(t *testing.T) {
			before := map[string][]string{}
			for k, vs := range h {
				before[k] = slices.Clone(vs)
			}
			for k := range before {
				h.Add(k, "appended-"+k)
			}
			for k, vs := range before {
				want := append(vs, "appended-"+k)
				if !slices.Equal(h[k], want) {
					t.Errorf("%s = %q, want %q", k, h[k], want)
				}
			}
		})
	}
	dup := slices.Clone(multi["X-Dup"])
	slices.Sort(dup)
	if !slices.Equal(dup, []string{"appended-X-Dup", "d1", "d2"}) {
		t.Errorf("X-Dup = %q, want d1 and d2 merged", multi["X-Dup"])
	}
}

// TestHeaderSpellingsDeterministic checks that an event naming one header
// in two spellings gives the same request every time (Go's map order is
// random), with both values kept, and that values lose the surrounding
// whitespace net/http strips from a field value.
func TestHeaderSpellingsDeterministic(t *testing.T) {
	for range 50 {
		single := http.Header{}
		singleHeaders(single, map[string]string{"Mcp-Param-Region": "eu-west-1", "mcp-param-region": "us-east-1", "MCP-PARAM-REGION": " ap-south-1\t", "Other": "x"})
		if want := []string{"ap-south-1", "eu-west-1", "us-east-1"}; !slices.Equal(single["Mcp-Param-Region"], want) {
			t.Fatalf("single: %q, want %q", single["Mcp-Param-Region"], want)
		}
		multi := http.Header{}
		multiHeaders(multi, map[string][]string{"Mcp-Param-Region": {"eu-west-1", " b "}, "mcp-param-region": {"us-east-1"}, "Other": {"x"}})
		if want := []string{"eu-west-1", "b", "us-east-1"}; !slices.Equal(multi["Mcp-Param-Region"], want) {
			t.Fatalf("multi: %q, want %q", multi["Mcp-Param-Region"], want)
		}
		for _, h := range []http.Header{single, multi} {
			if !slices.Equal(h["Other"], []string{"x"}) {
				t.Fatalf("Other = %q", h["Other"])
			}
		}
	}
	h := http.Header{}
	singleHeaders(h, map[string]string{"A": " 1 ", "B": "\t2"})
	if h.Get("A") != "1" || h.Get("B") != "2" {
		t.Errorf("values not trimmed: %q", h)
	}
}
