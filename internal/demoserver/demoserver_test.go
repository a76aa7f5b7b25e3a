package demoserver_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp/internal/demoserver"
)

// connect runs the server in memory and returns a client session.
func connect(t *testing.T, opts demoserver.Options) *mcp.ClientSession {
	t.Helper()
	ctx := t.Context()
	st, ct := mcp.NewInMemoryTransports()
	if _, err := demoserver.New(opts).Connect(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func pingText(t *testing.T, cs *mcp.ClientSession, args map[string]any) (string, bool) {
	t.Helper()
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "ping", Arguments: args})
	if err != nil {
		t.Fatal(err)
	}
	return res.Content[0].(*mcp.TextContent).Text, res.IsError
}

func TestPingAlternatesAndReports(t *testing.T) {
	var waits []time.Duration
	cs := connect(t, demoserver.Options{
		LogStream: "2026/11/29/[$LATEST]abc",
		Sleep: func(_ context.Context, d time.Duration) error {
			waits = append(waits, d)
			return nil
		},
	})
	var texts []string
	for range 3 {
		text, isErr := pingText(t, cs, nil)
		if isErr {
			t.Fatalf("ping failed: %s", text)
		}
		texts = append(texts, text)
	}
	text, _ := pingText(t, cs, map[string]any{"delay_ms": 7})
	texts = append(texts, text)

	wantTexts := []string{
		"pong! logStream=2026/11/29/[$LATEST]abc v=0.1.0 d=100",
		"pong! logStream=2026/11/29/[$LATEST]abc v=0.1.0 d=50",
		"pong! logStream=2026/11/29/[$LATEST]abc v=0.1.0 d=100",
		"pong! logStream=2026/11/29/[$LATEST]abc v=0.1.0 d=7",
	}
	if diff := cmp.Diff(wantTexts, texts); diff != "" {
		t.Errorf("ping answers (-want +got):\n%s", diff)
	}
	wantWaits := []time.Duration{100 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 7 * time.Millisecond}
	if diff := cmp.Diff(wantWaits, waits); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestPingRejectsBadDelay(t *testing.T) {
	cs := connect(t, demoserver.Options{Sleep: func(context.Context, time.Duration) error { return nil }})
	for _, arg := range []any{-1, 5001, "10", 1.5, true} {
		text, isErr := pingText(t, cs, map[string]any{"delay_ms": arg})
		if !isErr {
			t.Errorf("delay_ms=%v accepted: %s", arg, text)
		}
	}
	if text, isErr := pingText(t, cs, map[string]any{"delay_ms": 5000}); isErr {
		t.Errorf("delay_ms=5000 rejected: %s", text)
	}
}

func TestPingStopsWhenCancelled(t *testing.T) {
	cs := connect(t, demoserver.Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "ping", Arguments: map[string]any{"delay_ms": 5000}})
	if err == nil {
		t.Fatal("ping of 5 s returned within a 50 ms deadline without error")
	}
	if !strings.Contains(err.Error(), "context deadline exceeded") {
		t.Errorf("error = %v, want the deadline", err)
	}
}

// TestPingSchemaBounds checks that ping's input schema, which a client reads
// to choose the arguments, states delay_ms's bounds.
func TestPingSchemaBounds(t *testing.T) {
	cs := connect(t, demoserver.Options{})
	res, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got any
	for _, tool := range res.Tools {
		if tool.Name == "ping" {
			schema, _ := tool.InputSchema.(map[string]any)
			props, _ := schema["properties"].(map[string]any)
			got = props["delay_ms"]
		}
	}
	want := map[string]any{
		"type":        "integer",
		"minimum":     0.0,
		"maximum":     float64(demoserver.MaxDelay.Milliseconds()),
		"description": "milliseconds to wait before answering (0 to 5000); without it the server waits 100 ms and 50 ms alternately",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("delay_ms schema (-want +got):\n%s", diff)
	}
}
