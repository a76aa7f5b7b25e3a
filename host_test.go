package lambdamcp_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp"
)

// TestMalformedHost checks that a Host holding a character no host or
// port has (RFC 3986 3.2.2: a space, a slash, an @, a byte past ASCII) is
// refused before the handler runs, with a JSON-RPC error, in every event
// shape, as net/http refuses it ("malformed Host header"); a handler
// would otherwise build URLs, such as its resource metadata's, from it.
// What net/http serves is served: any case, a trailing dot, a port, an
// underscore, an IP literal, white space around it.
func TestMalformedHost(t *testing.T) {
	tests := []struct {
		host        string
		wantMessage string // "" for a request that is served
	}{
		{"a b.example", "request has a malformed Host header"},
		{"example.com/mcp", "request has a malformed Host header"},
		{"user@example.com", "request has a malformed Host header"},
		{`a"b.example`, "request has a malformed Host header"},
		{"a<b>.example", "request has a malformed Host header"},
		{"bücher.example", "request has a malformed Host header"},
		// The forms a gateway passes on, as a client sent them.
		{"example.com:443", ""},
		{"ABC123.Execute-Api.us-east-1.amazonaws.com", ""},
		{"example.com.", ""},
		{"example.com.:8443", ""},
		{"192.0.2.1:8080", ""},
		{"[::1]:8080", ""},
		{"[fe80::1%25en0]", ""},
		{"a_b.example", ""},
		{"xn--bcher-kva.example", ""},
		// White space around it is trimmed, as net/http trims a field's
		// value, and as API Gateway and an ALB trim it before the event.
		{" example.com ", ""},
		{"\texample.com:8443\t", ""},
	}
	for _, tc := range tests {
		for _, shape := range shapes {
			t.Run(shape.name+"/"+tc.host, func(t *testing.T) {
				var called bool
				h := lambdamcp.NewHandler(okHandler(&called), nil)
				resp := invoke(t, h, withHost(t, shape.build(t, jsonPost(`{}`)), tc.host))
				got := fmt.Sprint(resp.StatusCode, " ", called)
				want := fmt.Sprint(http.StatusOK, " ", true)
				if tc.wantMessage != "" {
					var a rpcAnswer
					json.Unmarshal(resp.body(t), &a)
					if a.Error != nil {
						got += fmt.Sprint(" ", a.Error.Code, " ", a.Error.Message)
					}
					want = fmt.Sprint(http.StatusBadRequest, " ", false, " ", -32600, " ", tc.wantMessage)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("status, handler called, code, message (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// withHost is payload with its Host header, however the event spells it,
// set to host.
func withHost(t *testing.T, payload []byte, host string) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"headers", "multiValueHeaders"} {
		m, _ := ev[field].(map[string]any)
		for k := range m {
			if strings.EqualFold(k, "Host") {
				if field == "headers" {
					m[k] = host
				} else {
					m[k] = []string{host}
				}
			}
		}
	}
	return mustJSON(t, ev)
}
