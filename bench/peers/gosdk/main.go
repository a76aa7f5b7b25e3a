// Command gosdk is a peer of cmd/lambdamcp-bench: the reference server's
// go-sdk handler (internal/demoserver: the same tools, stateless, JSON
// answers, the same routes) served by net/http with nothing of lambdamcp's
// around it: no guard, no limits, no log line. What lambdamcp's server
// does beside it is what lambdamcp adds over HTTP.
//
//	go run ./bench/peers/gosdk -addr 127.0.0.1:0   # prints "listening http://ADDR/mcp"
package main

import (
	"github.com/lambdamcp/lambdamcp/bench/peers/internal/peerhttp"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/serve"
)

func main() {
	peerhttp.Main("gosdk", serve.Routes(serve.Handler(demoserver.New(demoserver.Options{}), nil)))
}
