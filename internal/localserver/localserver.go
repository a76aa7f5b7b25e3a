// Package localserver runs an MCP handler as a plain local HTTP server, as
// cmd/mcp-server and the examples do when they are not on Lambda.
package localserver

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Serve runs an HTTP server for h on ln until ctx ends, then shuts it down,
// letting requests in flight finish for up to 5 s.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Host returns the host:port a client on this machine uses to reach a
// listener at addr, and whether addr listens on every interface: a
// listener on [::] or 0.0.0.0 is reached at localhost, which names a
// loopback address of either family.
func Host(addr net.Addr) (hostPort string, everywhere bool) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return addr.String(), false
	}
	return net.JoinHostPort("localhost", strconv.Itoa(tcp.Port)), true
}
