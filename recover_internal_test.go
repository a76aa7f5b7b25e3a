package lambdamcp

import (
	"errors"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

// TestResourceNotFoundBothWays checks that an unknown resource gets its
// era's code whichever the go-sdk chose (-32602 by default, -32002 with
// MCPGODEBUG=customresnotfounderrcode=1), and that other errors pass.
func TestResourceNotFoundBothWays(t *testing.T) {
	notFound := func(code int64) error { return &jsonrpc.Error{Code: code, Message: "Resource not found"} }
	for _, tc := range []struct {
		method, version string
		err             error
		want            int64
	}{
		{"resources/read", "2025-11-25", notFound(-32602), -32002},
		{"resources/read", "", notFound(-32602), -32002},
		{"resources/read", "2026-07-28", notFound(-32002), -32602},
		{"resources/read", "2026-07-28", notFound(-32602), -32602},
		{"resources/read", "2025-11-25", &jsonrpc.Error{Code: -32602, Message: "bad uri"}, -32602},
		{"prompts/get", "2025-11-25", notFound(-32602), -32602},
	} {
		var e *jsonrpc.Error
		if !errors.As(resourceNotFound(tc.method, tc.version, tc.err), &e) || e.Code != tc.want {
			t.Errorf("%s %q %v: code %v, want %d", tc.method, tc.version, tc.err, e, tc.want)
		}
	}
}
