// Command gosdk is a peer of cmd/lambdamcp-bench: the reference server's
// go-sdk handler (internal/demoserver: the same tools, stateless, JSON
// answers, the same routes) served by net/http with nothing of lambdamcp's
// around it: no guard, no limits, no log line. What lambdamcp's server
// does beside it is what lambdamcp adds over HTTP.
//
//	go run ./bench/peers/gosdk -addr 127.0.0.1:0   # prints "listening http://ADDR/mcp"
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/demoserver"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gosdk:", err)
		os.Exit(1)
	}
	fmt.Printf("listening http://%s/mcp\n", ln.Addr())
	handler := demoserver.Mux(demoserver.Handler(demoserver.New(demoserver.Options{}), nil))
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "gosdk:", err)
		os.Exit(1)
	}
}
