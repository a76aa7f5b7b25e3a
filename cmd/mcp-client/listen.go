package main

import (
	"io"
	"net/http"
	"net/url"
)

// isListen reports whether r is the GET a 2025-era session opens at the
// endpoint for the messages the server sends on its own, rather than the
// resumption of a request's stream (which carries Last-Event-ID).
func isListen(r *http.Request, endpoint *url.URL) bool {
	return r.Method == http.MethodGet && r.Header.Get("Last-Event-ID") == "" && r.URL.String() == endpoint.String()
}

// listen answers r, a session's GET, at once with an event stream that
// carries the server's answer as it comes. A server may send there the
// requests a tool makes of the client (elicitation, sampling, roots): the
// TypeScript SDK does for those its tools send without naming the call
// they serve, and for all of them when it answers with JSON. Unheard, they
// would hold the call until -timeout. The go-sdk waits for the GET's
// answer before the connect returns: a server, or a proxy buffering event
// streams, that held it without one would hold the run, beyond -timeout
// and Ctrl-C, so the answer is not waited for. A refusal, a failure or the
// end of the server's stream leaves the stream open and quiet until the
// session ends (r's context): the go-sdk would open it again and again,
// and fail the session after a few tries.
func listen(base http.RoundTripper, r *http.Request) *http.Response {
	if r.Header.Get("Mcp-Session-Id") == "" {
		// A server without sessions could not tell the answers to its
		// requests from another client's: it has nothing to send there,
		// and behind Lambda each request is an invocation. Not sent: the
		// go-sdk takes 405 for a server that offers no such stream.
		return &http.Response{
			Status: "405 Method Not Allowed", StatusCode: http.StatusMethodNotAllowed,
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{}, Body: http.NoBody, Request: r,
		}
	}
	pr, pw := io.Pipe()
	go func() {
		resp, err := base.RoundTrip(r)
		if err == nil {
			if resp.StatusCode == http.StatusOK && mediaType(resp) == "text/event-stream" {
				io.Copy(pw, resp.Body)
			}
			resp.Body.Close()
		}
		<-r.Context().Done()
		pw.CloseWithError(r.Context().Err())
	}()
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"text/event-stream"}},
		Body:          pr,
		ContentLength: -1,
		Request:       r,
	}
}
