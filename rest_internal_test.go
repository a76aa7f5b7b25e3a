package lambdamcp

import "testing"

// TestWithoutBasePathAllocs checks that taking a base path off allocates
// nothing, however the resource is templated: it runs for every REST
// invocation.
func TestWithoutBasePathAllocs(t *testing.T) {
	tests := []struct {
		name, resource, path, want string
		params                     map[string]string
	}{
		{"resource", "/mcp", "/tools/mcp", "/mcp", nil},
		{"greedy", "/{proxy+}", "/tools/mcp", "/mcp", map[string]string{"proxy": "mcp"}},
		{"parameter inside", "/tenants/{tenant}/mcp", "/tools/tenants/acme/mcp", "/tenants/acme/mcp", map[string]string{"tenant": "acme"}},
		{"no base path", "/{proxy+}", "/mcp", "/mcp", map[string]string{"proxy": "mcp"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			allocs := testing.AllocsPerRun(100, func() { got = withoutBasePath(tc.path, true, tc.resource, tc.params) })
			if got != tc.want || allocs != 0 {
				t.Errorf("withoutBasePath(%q) = %q with %v allocations; want %q with none", tc.path, got, allocs, tc.want)
			}
		})
	}
}
