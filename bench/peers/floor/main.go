// Command floor is the floor of cmd/lambdamcp-bench: a plain net/http
// handler that decodes the JSON-RPC request and encodes the answer ping
// would give, with no MCP library. What it costs is what any Go server on
// this machine costs; the MCP servers are compared with it.
//
//	go run ./bench/peers/floor -addr 127.0.0.1:0   # prints "listening http://ADDR/mcp"
package main

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/lambdamcp/lambdamcp/bench/peers/internal/peerhttp"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /mcp", answer)
	peerhttp.Main("floor", mux)
}

type request struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  struct {
		Name      string `json:"name"`
		Arguments struct {
			DelayMS int `json:"delay_ms"`
		} `json:"arguments"`
	} `json:"params"`
}

type content struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type response struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  struct {
		Content []content `json:"content"`
	} `json:"result"`
}

func answer(w http.ResponseWriter, r *http.Request) {
	var req request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}`, http.StatusBadRequest)
		return
	}
	resp := response{JSONRPC: "2.0", ID: req.ID}
	resp.Result.Content = []content{{Type: "text", Text: fmt.Sprintf("pong! logStream=unknown v=0.1.0 d=%d", req.Params.Arguments.DelayMS)}}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}
