package main

import (
	"encoding/json"
	"io"
	"net/http"
)

// An answer with a success status and no body, to a request that needs
// one (a call: a JSON-RPC request with an id), is no MCP answer. The
// go-sdk reports it in its own terms, by what it then could not do
// ("unsupported content type", "failed to decode response: … EOF", or
// "client is closing: EOF" for the request after), which tell the user
// nothing of the server. A notification's 202 without a body is as it
// should be.

// emptyAnswer is how a call was answered without a body.
type emptyAnswer struct {
	status int
	method string // the call's
}

// emptyAnswerError is a failure after a call was answered without a body.
type emptyAnswerError struct {
	emptyAnswer
	err error
}

func (e *emptyAnswerError) Error() string { return e.err.Error() }
func (e *emptyAnswerError) Unwrap() error { return e.err }

// callMethod returns the method and the id (as JSON) of the call r
// carries, or "" for a notification or a response (or a body that is no
// JSON-RPC message). The go-sdk writes id and method before params: only
// the message's start is read.
func callMethod(r *http.Request) (method, callID string) {
	if r.Method != http.MethodPost || r.GetBody == nil {
		return "", ""
	}
	body, err := r.GetBody()
	if err != nil {
		return "", ""
	}
	defer body.Close()
	dec := json.NewDecoder(body)
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", ""
	}
	hasID := false
	var id json.RawMessage
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return "", ""
		}
		var value any = new(json.RawMessage) // skipped
		switch t {
		case "id":
			value = &id
		case "method":
			value = &method
		}
		if dec.Decode(value) != nil {
			return "", ""
		}
		if t == "id" {
			hasID = string(id) != "null"
		}
		if hasID && method != "" {
			return method, string(id)
		}
	}
	return "", ""
}

// emptyWatch is a response body that calls onEmpty when it ends before a
// byte of it was read.
type emptyWatch struct {
	io.ReadCloser
	onEmpty func()
	read    bool
}

func (b *emptyWatch) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.read = true
	}
	if err == io.EOF && !b.read {
		b.read = true
		b.onEmpty()
	}
	return n, err
}
