package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"time"
)

// A server of the HTTP+SSE transport of protocol 2024-11-05 (deprecated
// since 2025-03-26) refuses the POST of Streamable HTTP with a status and
// no JSON-RPC error: "Bad Request" alone would not tell the user why.
// The spec's backward compatibility section has clients find such a
// server by a GET whose event stream opens with an "endpoint" event.

// httpSSEError is a failure to connect to an HTTP+SSE server.
type httpSSEError struct{ err error }

func (e *httpSSEError) Error() string { return e.err.Error() }
func (e *httpSSEError) Unwrap() error { return e.err }

// httpSSEProbe is how long the GET that looks for an HTTP+SSE server may
// take.
const httpSSEProbe = 5 * time.Second

// servesHTTPSSE reports whether the endpoint, whose last POST c's
// recorder saw refused with 400, 404 or 405 and no JSON-RPC error, serves
// the HTTP+SSE transport. The GET carries no token: it only looks.
func servesHTTPSSE(ctx context.Context, c *http.Client, endpoint string) bool {
	rec, ok := c.Transport.(*statusRecorder)
	if !ok || ctx.Err() != nil {
		return false
	}
	rec.mu.Lock()
	status, rpcError := rec.last, rec.rpcError
	rec.mu.Unlock()
	if status != http.StatusBadRequest && status != http.StatusNotFound && status != http.StatusMethodNotAllowed || rpcError != "" {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, httpSSEProbe)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return false
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := (&http.Client{Transport: rec.base, CheckRedirect: c.CheckRedirect}).Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || mediaType(resp) != "text/event-stream" {
		return false
	}
	lines := bufio.NewScanner(io.LimitReader(resp.Body, maxPeek))
	for lines.Scan() {
		line := lines.Text()
		if line == "" {
			return false // the first event ended unnamed
		}
		if name, ok := strings.CutPrefix(line, "event:"); ok {
			return strings.TrimSpace(name) == "endpoint"
		}
	}
	return false
}
