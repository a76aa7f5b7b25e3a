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

// oddToolServer serves 2026-07-28 without sessions, listing a valid tool
// and three whose definitions a client must reject (an x-mcp-header
// annotation that is empty, on an object, or not a header name), and
// answering every call; extra tools are listed after them. called returns
// the tools called so far.
func oddToolServer(t *testing.T, extra ...any) (url string, called func() []string) {
	var mu sync.Mutex
	var calls []string
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
			result = map[string]any{"resultType": "complete", "ttlMs": 0, "cacheScope": "private", "tools": append([]any{
				map[string]any{"name": "valid", "inputSchema": prop("string", "Region")},
				map[string]any{"name": "empty_header", "inputSchema": prop("string", "")},
				map[string]any{"name": "object_header", "inputSchema": prop("object", "Data")},
				map[string]any{"name": "spaced_header", "inputSchema": prop("string", "My Header")},
			}, extra...)}
		case "tools/call":
			mu.Lock()
			calls = append(calls, req.Params.Name)
			mu.Unlock()
			result = map[string]any{"resultType": "complete", "content": []any{map[string]any{"type": "text", "text": "called " + req.Params.Name}}}
		default:
			result = map[string]any{"resultType": "complete"}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": result})
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/mcp", func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(calls)
	}
}

// TestCallRefusesRejectedTool checks that under 2026-07-28 a -call of a
// tool whose definition the client must reject (the go-sdk client leaves
// such a tool out of the list) is refused, saying why, and never sent; a
// valid tool beside it is called, and so is a tool the server does not
// list at all.
func TestCallRefusesRejectedTool(t *testing.T) {
	endpoint, called := oddToolServer(t)
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
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-endpoint", endpoint, "-protocol", "2026-07-28", "-call", tc.tool, "-args", `{"v":"x"}`}, noEnv, &stdout, &stderr)
			sent := slices.Contains(called(), tc.tool)
			if tc.refused == "" {
				if code != 0 || !sent || stdout.String() != "called "+tc.tool+"\n" {
					t.Errorf("exit %d, sent %v, stdout %q, stderr %q; want exit 0 and the call sent", code, sent, stdout.String(), stderr.String())
				}
				return
			}
			want := "mcp-client: " + endpoint + ": tool " + tc.tool + " is not called: its definition is invalid under protocol 2026-07-28 ("
			if code != 1 || sent || stdout.Len() != 0 || !strings.Contains(stderr.String(), want) || !strings.Contains(stderr.String(), tc.refused) {
				t.Errorf("exit %d, sent %v, stdout %q, stderr %q; want exit 1, no call, and stderr saying %q and %q", code, sent, stdout.String(), stderr.String(), want, tc.refused)
			}
		})
	}
}

// TestListingSaysRejectedTools checks that the tools listed leave out those
// whose definitions a client must reject, and that the listing says which
// it left out and why, rather than dropping them unsaid.
func TestListingSaysRejectedTools(t *testing.T) {
	endpoint, called := oddToolServer(t)
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"-endpoint", endpoint, "-protocol", "2026-07-28"}, noEnv, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	want := "Tools (1):\n  - valid\nLeft out (3), their definitions invalid:\n" +
		"  - empty_header: property \"v\": x-mcp-header must be a non-empty string\n" +
		"  - object_header: property \"v\": x-mcp-header can only be applied to primitive types (integer, string, boolean), got \"object\"\n" +
		"  - spaced_header: property \"v\": x-mcp-header value \"My Header\" contains invalid character ' '\n"
	if !strings.Contains(stdout.String(), want) {
		t.Errorf("stdout %q lacks %q", stdout.String(), want)
	}
	if c := called(); len(c) != 0 {
		t.Errorf("called %q", c)
	}
}

// TestRefusalClipsReason checks that the reason a -call is refused with,
// which quotes what the server wrote (here a header name of 64 KiB), is
// cut as a server's words in a failure line are, so that the line still
// says, after it, why the tool is not called.
func TestRefusalClipsReason(t *testing.T) {
	header := "My Header" + strings.Repeat("A", 64<<10)
	endpoint, called := oddToolServer(t, map[string]any{"name": "long_header", "inputSchema": map[string]any{
		"type": "object", "properties": map[string]any{"v": map[string]any{"type": "string", "x-mcp-header": header}},
	}})
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-endpoint", endpoint, "-protocol", "2026-07-28", "-call", "long_header", "-args", `{"v":"x"}`}, noEnv, &stdout, &stderr)
	if code != 1 || len(called()) != 0 {
		t.Fatalf("exit %d, called %q; want exit 1 and no call", code, called())
	}
	line := stderr.String()[strings.LastIndex(strings.TrimSuffix(stderr.String(), "\n"), "\n")+1:]
	if !strings.Contains(line, "tool long_header is not called: its definition is invalid under protocol 2026-07-28 (property \"v\": x-mcp-header value \"My HeaderAAA") ||
		!strings.Contains(line, " more bytes not shown)), and a client must leave such a tool out\n") || len(line) > maxLine {
		t.Errorf("stderr line %q (%d bytes): want the reason cut, then why the tool is not called", line, len(line))
	}
}
