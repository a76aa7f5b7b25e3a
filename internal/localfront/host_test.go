package localfront_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lambdamcp/lambdamcp/internal/localfront"
)

func TestFrontRefusesForeignHosts(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	for _, shape := range []localfront.Shape{localfront.ShapeURL, localfront.ShapeHTTP} {
		front, err := localfront.Start(context.Background(), localfront.Config{Shape: shape, Function: localfront.NewInProcessHTTP(h, nil)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { front.Close() })
		port := strings.TrimPrefix(front.URL(), "http://127.0.0.1:")
		tests := []struct {
			host       string
			wantStatus int
		}{
			{"127.0.0.1:" + port, http.StatusOK},
			{"localhost:" + port, http.StatusOK},
			{"[::1]:" + port, http.StatusOK},
			{"localhost", http.StatusOK},
			{"[::1]", http.StatusOK},
			{"evil.example.com", http.StatusForbidden},
			{"evil.example.com:" + port, http.StatusForbidden},
			{"10.0.0.1:" + port, http.StatusForbidden},
		}
		for _, tc := range tests {
			t.Run(string(shape)+"/"+tc.host, func(t *testing.T) {
				req, err := http.NewRequest(http.MethodPost, front.URL()+"/mcp", strings.NewReader("{}"))
				if err != nil {
					t.Fatal(err)
				}
				req.Host = tc.host
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				if resp.StatusCode != tc.wantStatus {
					t.Fatalf("status %d, want %d", resp.StatusCode, tc.wantStatus)
				}
				if tc.wantStatus == http.StatusForbidden {
					var body map[string]any
					if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
						t.Fatalf("refusal is not JSON: %v", err)
					}
					if diff := cmp.Diff(map[string]any{"message": "Forbidden"}, body); diff != "" {
						t.Errorf("refusal body (-want +got):\n%s", diff)
					}
				}
			})
		}
	}
}

// A front served by a server of one's own, not on loopback, leaves the Host alone.
func TestFrontServedElsewhereKeepsHosts(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	front, err := localfront.New(localfront.Config{Shape: localfront.ShapeURL, Function: localfront.NewInProcessHTTP(h, nil)})
	if err != nil {
		t.Fatal(err)
	}
	for _, local := range []net.Addr{nil, &net.TCPAddr{IP: net.IPv4(10, 0, 0, 5), Port: 443}} {
		req := httptest.NewRequest(http.MethodPost, "http://api.example.com/mcp", strings.NewReader("{}"))
		if local != nil {
			req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, local))
		}
		rec := httptest.NewRecorder()
		front.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Errorf("served at %v: status %d, want 200; body %s", local, rec.Code, rec.Body)
		}
	}
}
