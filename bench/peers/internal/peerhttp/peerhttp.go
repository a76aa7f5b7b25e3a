// Package peerhttp serves a Go peer of cmd/lambdamcp-bench the way the
// bench starts every HTTP server under test: on the -addr flag's address
// (127.0.0.1:0, a free port, by default), printing "listening
// http://ADDR/mcp" once its listener is open.
package peerhttp

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

// Main parses the flags, listens and serves handler until the process is
// killed; name prefixes what it says on stderr when it cannot.
func Main(name string, handler http.Handler) {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
	fmt.Printf("listening http://%s/mcp\n", ln.Addr())
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}
