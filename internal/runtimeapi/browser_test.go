package runtimeapi

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestBrowserRefused checks that a web page gets no event, and so none of
// the bearer tokens events carry: neither through DNS rebinding (its own
// name in Host) nor by a cross-site request. The event stays for the
// runtime.
func TestBrowserRefused(t *testing.T) {
	s, rt := startServer(t)
	tests := []struct {
		name   string
		header http.Header
		host   string
	}{
		{"rebound host", nil, "rebind.attacker.example"},
		{"rebound host and port", nil, "rebind.attacker.example:9001"},
		{"cross-site origin", http.Header{"Origin": {"https://attacker.example"}}, ""},
		{"fetch metadata", http.Header{"Sec-Fetch-Site": {"cross-site"}}, ""},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := fmt.Sprintf("r%d", i)
			done := invokeAsync(s, &Invocation{RequestID: id, Payload: []byte(`{"headers":{"authorization":"Bearer secret"}}`), Deadline: time.Now().Add(time.Minute)})
			req, err := http.NewRequest(http.MethodGet, rt.base+"invocation/next", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header = tc.header
			if tc.host != "" {
				req.Host = tc.host
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden || strings.Contains(string(body), "secret") {
				// Fatal: the page took the event, and the runtime would wait for it.
				t.Fatalf("GET next = %d %s, want 403 without the event", resp.StatusCode, body)
			}
			if _, body := rt.next(); !strings.Contains(string(body), "Bearer secret") {
				t.Errorf("the runtime got %s, want the event", body)
			}
			if status, _ := rt.post("invocation/"+id+"/response", strings.NewReader(`{}`), nil, nil); status != http.StatusAccepted {
				t.Errorf("answer = %d, want 202", status)
			}
			<-done
		})
	}
}
