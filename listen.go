package lambdamcp

import (
	"bytes"
	"encoding/json"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ackHoldsListen reports whether p, an event, acknowledges a subscription
// to at least one kind of notification.
func ackHoldsListen(p []byte) bool {
	for line := range bytes.Lines(p) {
		data, ok := bytes.CutPrefix(line, []byte("data:"))
		if !ok {
			continue
		}
		var ack struct {
			Method string                               `json:"method"`
			Params *mcp.SubscriptionsAcknowledgedParams `json:"params"`
		}
		if json.Unmarshal(data, &ack) != nil || ack.Method != "notifications/subscriptions/acknowledged" || ack.Params == nil {
			return false
		}
		n := ack.Params.Notifications
		return n.ToolsListChanged || n.PromptsListChanged || n.ResourcesListChanged || len(n.ResourceSubscriptions) > 0
	}
	return false
}
