package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestInitializeVersionExplained checks that a server whose answer to
// initialize names no protocol version, or one this client does not
// speak, is told apart: the first is no MCP server (a JSON-RPC route of
// another API, answering every method alike), the second speaks another
// version, which is named with those this client speaks.
func TestInitializeVersionExplained(t *testing.T) {
	answering := func(result func(method string) string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var req struct {
				ID     json.RawMessage `json:"id"`
				Method string          `json:"method"`
			}
			json.NewDecoder(r.Body).Decode(&req)
			if req.ID == nil {
				w.WriteHeader(http.StatusAccepted)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"result":%s}`, req.ID, result(req.Method))
		})
	}
	t.Run("no protocol version", func(t *testing.T) {
		for _, protocol := range []string{"2025-11-25", "2026-07-28"} {
			code, _, stderr := runAgainst(t, answering(func(string) string {
				return `{"content":[{"type":"text","text":"pong"}]}`
			}), "-protocol", protocol)
			if code != 1 || !strings.Contains(stderr, "answered with an initialize result that names no protocol version, not MCP: check that this is the MCP endpoint") {
				t.Errorf("%s: exit %d, stderr %q; want the answer named as no MCP answer", protocol, code, stderr)
			}
		}
	})
	t.Run("a version not spoken", func(t *testing.T) {
		code, _, stderr := runAgainst(t, answering(func(method string) string {
			if method == "initialize" {
				return `{"protocolVersion":"2024-10-07","capabilities":{},"serverInfo":{"name":"old","version":"1"}}`
			}
			return `{}`
		}))
		if code != 1 || !strings.Contains(stderr, `connecting: the server speaks protocol version "2024-10-07", which this client does not (it speaks 2026-07-28, 2025-11-25, `) {
			t.Errorf("exit %d, stderr %q; want the server's version named with this client's", code, stderr)
		}
	})
}
