package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestDiscoverAnswerFallsBack checks that a server of an earlier protocol
// version, which answers the 2026-07-28 server/discover it does not know
// with something other than an MCP answer (202 without a body, as it
// answers what it takes for a notification; a plain text page; JSON of
// its own), is still spoken to with the initialize handshake: the go-sdk
// falls back to it after a failed discover, but after such an answer it
// has closed the connection, and its initialize is never sent.
func TestDiscoverAnswerFallsBack(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer func(w http.ResponseWriter)
	}{
		{"202 without a body", func(w http.ResponseWriter) { w.WriteHeader(http.StatusAccepted) }},
		{"plain text", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, "unknown method")
		}},
		{"JSON that is no JSON-RPC", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"error":"unknown method"}`)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &foreignServer{text: "pong"}
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if strings.Contains(string(body), `"method":"server/discover"`) {
					tc.answer(w)
					return
				}
				r.Body = io.NopCloser(bytes.NewReader(body))
				f.ServeHTTP(w, r)
			})
			code, stdout, stderr := runAgainst(t, h)
			if code != 0 || !strings.Contains(stdout, "Connected to foreign 9 (protocol 2025-11-25)") || !strings.Contains(stdout, "ping #2: pong") {
				t.Errorf("exit %d, stdout %q, stderr %q; want the story told at 2025-11-25", code, stdout, stderr)
			}
			if !slices.Contains(f.methods, "initialize") {
				t.Errorf("methods %v; want an initialize", f.methods)
			}
		})
	}
}
