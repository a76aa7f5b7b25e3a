package lambdamcp

import (
	"encoding/json"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ackHoldsListen reports whether data, an event's (its data lines joined),
// acknowledges a subscription to at least one kind of notification.
func ackHoldsListen(data []byte) bool {
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
