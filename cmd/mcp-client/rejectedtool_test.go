package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestCallRefusesRejectedTool checks that under 2026-07-28 a -call of a
// tool whose definition the client must reject (an x-mcp-header annotation
// that is empty, on an object, or not a header name: the go-sdk client
// leaves such a tool out of the list) is refused, saying why, and never
// sent; a valid tool beside it is called, and so is a tool the server does
// not list at all.
func TestCallRefusesRejectedTool(t *testing.T) {
	var mu sync.Mutex
	var called []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
			Params struct {
				Name string `json:"name"`
			} `json:"params"`
		}
		if json.NewDecoder(r.Body).Decode(&req) != nil || req.ID == nil {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		var result any
		switch req.Method {
		case "server/discover":
			result = map[string]any{"resultType": "complete", "ttlMs": 0, "cacheScope": "private",
				"supportedVersions": []string{"2026-07-28"}, "capabilities": map[string]any{"tools": map[string]any{}},
				"serverInfo": map[string]any{"name": "odd", "version": "1.0.0"}}
		case "tools/list":
			prop := func(typ, header string) map[string]any {
				return map[string]any{"type": "object", "properties": map[string]any{"v": map[string]any{"type": typ, "x-mcp-header": header}}}
			}
			result = map[string]any{"resultType": "complete", "ttlMs": 0, "cacheScope": "private", "tools": []any{
				map[string]any{"name": "valid", "inputSchema": prop("string", "Region")},
				map[string]any{"name": "empty_header", "inputSchema": prop("string", "")},
				map[string]any{"name": "object_header", "inputSchema": prop("object", "Data")},
				map[string]any{"name": "spaced_header", "inputSchema": prop("string", "My Header")},
			}}
		case "tools/call":
			mu.Lock()
			called = append(called, req.Params.Name)
			mu.Unlock()
			result = map[string]any{"resultType": "complete", "content": []any{map[string]any{"type": "text", "text": "called " + req.Params.Name}}}
		default:
			result = map[string]any{"resultType": "complete"}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": result})
	}))
	defer srv.Close()
	for _, tc := range []struct {
		tool, refused string // refused: what the line says, "" if the call goes
	}{
		{"valid", ""},
		{"unlisted", ""},
		{"empty_header", "x-mcp-header must be a non-empty string"},
		{"object_header", "x-mcp-header can only be applied to primitive types"},
		{"spaced_header", `contains invalid character ' '`},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			mu.Lock()
			called = nil
			mu.Unlock()
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-endpoint", srv.URL + "/mcp", "-protocol", "2026-07-28", "-call", tc.tool, "-args", `{"v":"x"}`}, noEnv, &stdout, &stderr)
			mu.Lock()
			sent := slices.Contains(called, tc.tool)
			mu.Unlock()
			if tc.refused == "" {
				if code != 0 || !sent || stdout.String() != "called "+tc.tool+"\n" {
					t.Errorf("exit %d, sent %v, stdout %q, stderr %q; want exit 0 and the call sent", code, sent, stdout.String(), stderr.String())
				}
				return
			}
			want := "mcp-client: " + srv.URL + "/mcp: tool " + tc.tool + " is not called: its definition is invalid under protocol 2026-07-28 ("
			if code != 1 || sent || stdout.Len() != 0 || !strings.Contains(stderr.String(), want) || !strings.Contains(stderr.String(), tc.refused) {
				t.Errorf("exit %d, sent %v, stdout %q, stderr %q; want exit 1, no call, and stderr saying %q and %q", code, sent, stdout.String(), stderr.String(), want, tc.refused)
			}
		})
	}
}
