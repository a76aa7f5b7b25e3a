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
