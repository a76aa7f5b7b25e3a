package lambdamcp

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"strings"
)

// JSON-RPC error codes used for transport errors.
const (
	codeParseError     = -32700
	codeInvalidRequest = -32600
	codeInternalError  = -32603
)

// maxErrorText bounds how much of a plain-text error is kept.
const maxErrorText = 1 << 10

// JSONErrors wraps h so that every error response (status 400 and above)
// has a JSON body: a JSON-RPC error response with a null id. Responses that
// are already JSON pass through untouched; plain-text ones, such as the
// SDK's answers to a GET on a stateless endpoint or to a malformed body,
// keep their status and headers and have their text moved into the error
// message. A body the server could not parse becomes code -32700 (parse
// error), other client errors -32600 (invalid request), server errors
// -32603 (internal error).
//
// NewHandler applies it unless Options.RawErrors is set; local servers wrap
// their handler with it to answer the same way.
func JSONErrors(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		jw := &jsonErrorWriter{ResponseWriter: w}
		h.ServeHTTP(jw, r)
		jw.finish()
	})
}

type jsonErrorWriter struct {
	http.ResponseWriter
	wroteHeader bool
	intercept   bool
	status      int
	text        bytes.Buffer
}

func (w *jsonErrorWriter) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	if code >= http.StatusBadRequest && !isJSON(w.Header().Get("Content-Type")) {
		w.intercept = true
		w.status = code
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *jsonErrorWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.intercept {
		if room := maxErrorText - w.text.Len(); room > 0 {
			w.text.Write(p[:min(len(p), room)])
		}
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

// Flush passes through for streamed (SSE) responses.
func (w *jsonErrorWriter) Flush() {
	if w.intercept {
		return
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *jsonErrorWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *jsonErrorWriter) finish() {
	if !w.intercept {
		return
	}
	msg := strings.TrimSpace(w.text.String())
	if msg == "" {
		msg = http.StatusText(w.status)
	}
	h := w.Header()
	h.Del("Content-Length")
	h.Del("X-Content-Type-Options")
	writeJSONError(w.ResponseWriter, w.status, errorCode(w.status, msg), msg)
}

// errorCode picks the JSON-RPC code for a transport error.
func errorCode(status int, msg string) int {
	switch {
	case status >= http.StatusInternalServerError:
		return codeInternalError
	case status == http.StatusBadRequest && isParseFailure(msg):
		return codeParseError
	}
	return codeInvalidRequest
}

// isParseFailure recognises the SDK's texts for a body it could not read as
// JSON-RPC.
func isParseFailure(msg string) bool {
	for _, p := range []string{"malformed payload", "failed to read body", "POST requires a non-empty body", "event body is not valid base64"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

type jsonrpcError struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Error   struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeJSONError writes a JSON-RPC error response with a null id.
func writeJSONError(w http.ResponseWriter, status, code int, msg string) {
	e := jsonrpcError{JSONRPC: "2.0", ID: json.RawMessage("null")}
	e.Error.Code = code
	e.Error.Message = msg
	body, _ := json.Marshal(e) // cannot fail: strings and ints
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}
