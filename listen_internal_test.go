package lambdamcp

import "testing"

// TestAckHoldsListen checks which first events of a subscriptions/listen
// answer hold the listen open: an acknowledgement agreeing to at least one
// kind of notification, resource subscriptions included. One agreeing to
// nothing, one without params, and anything that is no acknowledgement do
// not; none of them panics.
func TestAckHoldsListen(t *testing.T) {
	const ack = `{"jsonrpc":"2.0","method":"notifications/subscriptions/acknowledged"`
	tests := []struct {
		name, data string
		want       bool
	}{
		{"tools list changes", ack + `,"params":{"notifications":{"toolsListChanged":true}}}`, true},
		{"prompts list changes", ack + `,"params":{"notifications":{"promptsListChanged":true}}}`, true},
		{"resources list changes", ack + `,"params":{"notifications":{"resourcesListChanged":true}}}`, true},
		{"resource subscriptions", ack + `,"params":{"notifications":{"resourceSubscriptions":["file:///a.txt"]}}}`, true},
		{"no resource subscriptions", ack + `,"params":{"notifications":{"resourceSubscriptions":[]}}}`, false},
		{"nothing agreed", ack + `,"params":{"notifications":{}}}`, false},
		{"no params", ack + `}`, false},
		{"null params", ack + `,"params":null}`, false},
		{"another notification", `{"jsonrpc":"2.0","method":"notifications/tools/list_changed","params":{"notifications":{"toolsListChanged":true}}}`, false},
		{"a response", `{"jsonrpc":"2.0","id":7,"result":{}}`, false},
		{"not JSON", `data`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ackHoldsListen([]byte(tc.data)); got != tc.want {
				t.Errorf("ackHoldsListen(%s) = %v, want %v", tc.data, got, tc.want)
			}
		})
	}
}
