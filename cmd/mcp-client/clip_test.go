package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/oauth2"
)

// TestSecretSetCut checks how a piece of what a server sent is cut for a
// line: whole when short, else at the bound, at the start of a character,
// with what was left out said; a secret the cut would fall in is hidden
// whole first.
func TestSecretSetCut(t *testing.T) {
	secrets := newSecretSet("https://x.example/mcp", secretToken)
	tests := []struct {
		name     string
		secrets  *secretSet
		text     string
		limit    int
		wantHead string
		wantRest string
	}{
		{"short", secrets, "boom", 8, "boom", ""},
		{"at the bound", secrets, "12345678", 8, "12345678", ""},
		{"over the bound", secrets, "123456789abc", 8, "12345678", "… (4 more bytes not shown)"},
		{"cut inside a character", secrets, "1234567é9", 8, "1234567", "… (3 more bytes not shown)"},
		{"cut inside a secret", secrets, "12345" + secretToken + "xyz", 8, "12345[hi", "… (8 more bytes not shown)"},
		{"no secrets", nil, "12345" + secretToken, 8, "12345" + secretToken[:3], "… (14 more bytes not shown)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			head, rest := tc.secrets.cut(tc.text, tc.limit)
			if diff := cmp.Diff([]string{tc.wantHead, tc.wantRest}, []string{head, rest}); diff != "" {
				t.Errorf("cut(%q, %d) (-want +got):\n%s", tc.text, tc.limit, diff)
			}
		})
	}
}

// TestLongServerTextClipped checks that what a server says in a failure
// (a JSON-RPC error's message, a challenge's error_description, a failed
// ping's text) is shown up to a bound, with how much was left out, and
// its escape sequences escaped: an answer may hold 64 MiB, and the one
// line of the failure is for a person's terminal. The token it echoes
// where the cut falls stays hidden whole.
func TestLongServerTextClipped(t *testing.T) {
	flood := "\x1b[2J" + strings.Repeat("flood ", 100_000)
	// An answer to every request, a JSON-RPC error carrying its id.
	rpcError := func(message string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var req struct {
				ID json.RawMessage `json:"id"`
			}
			if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&req) != nil || req.ID == nil {
				w.WriteHeader(http.StatusAccepted)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "error": map[string]any{"code": -32000, "message": message}})
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/mcp"
	}
	failingPing := mcp.NewServer(&mcp.Implementation{Name: "failing", Version: "1.0.0"}, nil)
	failingPing.AddTool(&mcp.Tool{Name: "ping", InputSchema: map[string]any{"type": "object"}}, func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: flood}}}, nil
	})
	// The token begins 3 bytes before the cut.
	echo := strings.Repeat("e", maxQuoted-3) + secretToken + strings.Repeat("e", 1000)

	tests := []struct {
		name     string
		endpoint string
		want     string
	}{
		{"JSON-RPC error", rpcError(flood), "server error -32000: \\x1b[2Jflood flood "},
		{"JSON-RPC error echoing the token at the cut", rpcError(echo), "server error -32000: eeee"},
		{"error_description", refusingServer(t, http.StatusUnauthorized, `Bearer error="invalid_token", error_description="`+strings.Repeat("flood ", 100_000)+`"`),
			`the server refused the bearer token it was sent (-token or MCP_TOKEN): invalid_token (expired, revoked or malformed), "flood flood `},
		{"scope", refusingServer(t, http.StatusForbidden, `Bearer error="insufficient_scope", scope="`+strings.Repeat("mcp:tools ", 60_000)+`"`),
			`the token lacks a scope this server requires; it asks for scope "mcp:tools mcp:tools `},
		{"failed ping", serveLocally(t, failingPing), "ping #1 failed: \\x1b[2Jflood flood "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-endpoint", tc.endpoint, "-token", secretToken, "-timeout", "10s"}, noEnv, &stdout, &stderr)
			got := stderr.String()
			if code != 1 || !strings.Contains(got, tc.want) || !strings.Contains(got, " more bytes not shown") {
				t.Errorf("exit %d, stderr (%d bytes) %.2000q; want exit 1, %q and what was left out said", code, len(got), got, tc.want)
			}
			if len(got) > 2*maxQuoted+1024 || strings.Count(got, "\n") != 1 {
				t.Errorf("stderr holds %d bytes in %d lines, want one line of at most %d", len(got), strings.Count(got, "\n"), 2*maxQuoted+1024)
			}
			if strings.Contains(got, "\x1b") || strings.Contains(got, "e"+secretToken[:3]) {
				t.Errorf("stderr %.2000q holds an escape or a part of the token", got)
			}
		})
	}
}

// TestLongTokenRefusalClipped checks that the token endpoint's
// error_description is shown up to a bound, its secrets hidden.
func TestLongTokenRefusalClipped(t *testing.T) {
	secrets := newSecretSet("https://x.example/mcp", secretToken)
	for _, refresh := range []bool{false, true} {
		t.Run(fmt.Sprintf("refresh %v", refresh), func(t *testing.T) {
			e := &flowError{clientID: "c1", issuer: "https://issuer.example", refresh: refresh, err: &oauth2.RetrieveError{
				Response:         &http.Response{StatusCode: http.StatusBadRequest},
				ErrorCode:        "invalid_client",
				ErrorDescription: strings.Repeat("d", maxQuoted-3) + secretToken + strings.Repeat("d", 100_000),
			}}
			got := explainFlow("https://x.example/mcp", e, secrets)
			want := `invalid_client "` + strings.Repeat("d", maxQuoted-3) + `[hi"… (100005 more bytes not shown)`
			if !strings.Contains(got, want) || len(got) > 2*maxQuoted+1024 {
				t.Errorf("got (%d bytes) %.2000q, want %q in at most %d bytes", len(got), got, want, 2*maxQuoted+1024)
			}
		})
	}
}

// TestLongRevocationRefusalClipped checks that the revocation endpoint's
// error_description is shown up to a bound, its secrets hidden.
func TestLongRevocationRefusalClipped(t *testing.T) {
	var s *httptest.Server
	s = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/.well-known/oauth-authorization-server":
			writeJSON(w, http.StatusOK, map[string]any{
				"issuer": s.URL, "token_endpoint": s.URL + "/oauth2/token", "code_challenge_methods_supported": []string{"S256"},
				"revocation_endpoint": s.URL + "/oauth2/revoke",
			})
		case r.Method == http.MethodPost && r.URL.Path == "/oauth2/revoke":
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": strings.Repeat("d", maxQuoted-3) + secretToken + strings.Repeat("d", 50_000)})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	const endpoint = "https://mcp.example/mcp"
	out := signOut{issuer: s.URL, clientID: "c1", endpoint: endpoint, secrets: newSecretSet(endpoint, secretToken)}
	_, _, err := out.revoke(t.Context(), &keptToken{RefreshToken: "rt-0123456789"})
	want := `invalid_request "` + strings.Repeat("d", maxQuoted-3) + `[hi"… (50005 more bytes not shown)`
	if err == nil || !strings.Contains(err.Error(), want) || len(err.Error()) > 2*maxQuoted+1024 {
		t.Errorf("err %.2000v, want %q in at most %d bytes", err, want, 2*maxQuoted+1024)
	}
}

// TestClipLine checks that a whole line is bounded too, for the errors
// whose own text holds what a server said.
func TestClipLine(t *testing.T) {
	tests := []struct {
		name, line, want string
	}{
		{"short", "a short line", "a short line"},
		{"long", strings.Repeat("x", maxLine+10), strings.Repeat("x", maxLine) + "… (10 more bytes not shown)"},
		{"long, the token at the cut", strings.Repeat("x", maxLine-2) + secretToken, strings.Repeat("x", maxLine-2) + "[h… (6 more bytes not shown)"},
	}
	secrets := newSecretSet("https://x.example/mcp", secretToken)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, secrets.clipLine(tc.line)); diff != "" {
				t.Errorf("clipLine (-want +got):\n%s", diff)
			}
		})
	}
}
