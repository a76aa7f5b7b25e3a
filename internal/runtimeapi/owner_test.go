package runtimeapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestOtherUsersRefused checks that a connection of another user of the
// machine gets no event, and so none of the bearer tokens events carry,
// while the server's own user's does. The server is given another user
// than the test's to play the other side.
func TestOtherUsersRefused(t *testing.T) {
	if _, err := os.ReadFile(procTCPTables[0]); err != nil {
		t.Skipf("the system does not list sockets' owners: %v", err)
	}
	tests := []struct {
		name       string
		uid        int
		wantStatus int
	}{
		{"own user", os.Getuid(), http.StatusOK},
		{"another user", os.Getuid() + 1, http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewServer()
			s.uid = tc.uid
			hs := httptest.NewUnstartedServer(s)
			hs.Config.ConnContext = s.ConnContext
			hs.Start()
			t.Cleanup(hs.Close)
			done := invokeAsync(s, &Invocation{RequestID: "r1", Payload: []byte(`{"headers":{"authorization":"Bearer secret"}}`), Deadline: time.Now().Add(time.Minute)})
			resp, err := http.Get(hs.URL + "/2018-06-01/runtime/invocation/next")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("GET next = %d %s, want %d", resp.StatusCode, body, tc.wantStatus)
			}
			if tc.wantStatus == http.StatusForbidden {
				if strings.Contains(string(body), "secret") || resp.Header.Get("Content-Type") != "application/json" {
					t.Errorf("refusal = %s (%s), want JSON without the event", body, resp.Header.Get("Content-Type"))
				}
				s.Close(nil)
			} else if status, _ := (&runtimeClient{t: t, base: hs.URL + "/2018-06-01/runtime/"}).post("invocation/r1/response", strings.NewReader(`{}`), nil, nil); status != http.StatusAccepted {
				t.Errorf("answer = %d, want 202", status)
			}
			<-done
		})
	}
}

func TestSocketOwner(t *testing.T) {
	client := netip.MustParseAddrPort("127.0.0.1:40000")
	server := netip.MustParseAddrPort("127.0.0.1:9001")
	row := func(local, remote netip.AddrPort, state, uid string) string {
		return "   0: " + procAddr(local, false) + " " + procAddr(remote, false) + " " + state +
			" 00000000:00000000 00:00000000 00000000 " + uid + " 0 1234 1 0000000000000000 20 4 30 10 -1\n"
	}
	header := "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	type result struct {
		UID int
		OK  bool
	}
	tests := []struct {
		name  string
		table string
		want  result
	}{
		{"established", header + row(client, server, "01", "1000"), result{1000, true}},
		{"the server's end is passed over", header + row(server, client, "01", "0") + row(client, server, "01", "1000"), result{1000, true}},
		{"time wait is no one's", header + row(client, server, "06", "0"), result{}},
		{"not listed", header + row(client, netip.MustParseAddrPort("127.0.0.1:9002"), "01", "1000"), result{}},
		{"empty", "", result{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			uid, ok := socketOwner(tc.table, client, server, false)
			if diff := cmp.Diff(tc.want, result{uid, ok}); diff != "" {
				t.Errorf("socketOwner (-want +got):\n%s", diff)
			}
		})
	}
}
