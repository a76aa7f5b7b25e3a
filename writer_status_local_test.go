package lambdamcp_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lambdamcp/lambdamcp"
)

// TestInvalidStatusLocal checks that the local server answers a status
// that is no three-digit code, or a 101, as the function does
// (TestInvalidStatus): with an internal error, where net/http's panic
// would otherwise find the answer begun and cut the connection.
func TestInvalidStatusLocal(t *testing.T) {
	for _, code := range []int{0, 99, 101, 600, 999, 1000} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(code)
				io.WriteString(w, `{"ok":true}`)
			})
			srv := httptest.NewServer(lambdamcp.Guard(h, nil))
			defer srv.Close()
			r, err := http.Post(srv.URL+"/mcp", "application/json", strings.NewReader(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(r.Body)
			r.Body.Close()
			var a rpcAnswer
			if err != nil || json.Unmarshal(body, &a) != nil || r.StatusCode != 500 || a.Error == nil || a.Error.Code != -32603 {
				t.Errorf("answer = %d %s (%v), want 500 with an internal error", r.StatusCode, body, err)
			}
		})
	}
}
