package lambdamcp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp/internal/corsheader"
)

// JSON-RPC error codes used for transport errors.
const (
	codeParseError     = -32700
	codeInvalidRequest = -32600
	codeMethodNotFound = -32601
	codeInvalidParams  = -32602
	codeInternalError  = -32603
)

// maxErrorText bounds how much of a plain-text error is kept.
const maxErrorText = 1 << 10

// JSONErrors wraps h so that every error response (status 400 and above)
// has a JSON body: a JSON-RPC error response, with the request's id when
// Guard or NewHandler read it, else without an id member. Responses that
// are already JSON pass through untouched; plain-text ones, such as the
// SDK's answers to a GET on a stateless endpoint or to a malformed body,
// keep their headers and have their text moved into the error message. A
// body the server could not parse becomes code -32700 (parse error) — or
// -32600 when Guard or NewHandler read it as JSON that is no JSON-RPC
// request —, a method the server does not serve -32601, a request without
// the params its method requires -32602, other client errors -32600
// (invalid request), server errors -32603 (internal error). They keep
// their status, save one case: where Guard or NewHandler read the
// request's id and its protocol version is before 2026-07-28, the -32601
// and -32602 answers to a request are 200, as that era's transport
// answers a request. The SDK's refusal of an unsupported
// MCP-Protocol-Version becomes the spec's UnsupportedProtocolVersionError
// (code -32022, data {supported, requested}), which 2026-07-28 clients
// read to pick another version, and its HeaderMismatch (-32020) for params
// it could not decode becomes the invalid-params error (-32602) it is.
// Under NewHandler and Guard, a plain-text error set after an event stream
// began (http.Error once events went out) is answered so too: as the error
// event of each call not answered yet, or in the stream's place where it
// is still held (lateTextError).
//
// NewHandler and Guard apply it unless Options.RawErrors is set.
func JSONErrors(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		jw := &jsonErrorWriter{ResponseWriter: w, req: r}
		h.ServeHTTP(jw, r)
		jw.finish()
	})
}

type jsonErrorWriter struct {
	http.ResponseWriter
	req         *http.Request
	wroteHeader bool
	intercept   bool // a plain-text error, rewritten as JSON
	hold        bool // a JSON 400, held until the end to be read (and maybe recoded)
	peek        bool // a JSON answer, passed through and read for its error code (observed requests)
	late        bool // a status set after an event-stream head: what follows is held in text, to be read so
	lateText    bool // a plain-text error after an event-stream head, held (intercept) to be answered as the call's error
	sse         bool // the head was an event stream's
	heldHeader  http.Header
	events      *sseScan // an event-stream answer, passed through and read so (observed requests); nil if not
	status      int      // the status held, rewritten, or (events) sent
	text        bytes.Buffer
}

func (w *jsonErrorWriter) WriteHeader(code int) {
	if w.wroteHeader {
		if w.lateTextError(code) {
			return
		}
		if !w.intercept && !w.hold {
			// A status after the head (the go-sdk's for an error after
			// its event stream began): the writer below decides.
			w.ResponseWriter.WriteHeader(code)
		}
		if w.events != nil && code != w.status {
			// The go-sdk's answer follows as plain JSON, which the
			// writers below frame as an event or put in the stream's
			// place: its code is read from the JSON as written.
			w.late = true
		}
		return
	}
	if interim(code) {
		w.ResponseWriter.WriteHeader(code) // ahead of the final status, which is still to come
		return
	}
	w.wroteHeader = true
	w.sse = isEventStream(firstValue(w.Header(), "Content-Type"))
	// The type a client reads first, under whichever spelling the handler
	// set it: a JSON answer passes through however its name is written.
	if code >= http.StatusBadRequest && !isJSON(firstValue(w.Header(), "Content-Type")) {
		w.intercept = true
		w.status = code
		return
	}
	if code == http.StatusBadRequest {
		w.hold = true
		w.status = code
		// What goes out is the header as of now, as net/http would send
		// it: changes the handler makes later are not part of the answer.
		w.heldHeader = w.Header().Clone()
		return
	}
	if rec := recordFrom(w.req.Context()); rec != nil && rec.observed {
		// Middleware has seen the answer of a call it ran, before the
		// go-sdk writes it: only the go-sdk's own answers need reading.
		switch ct := w.Header().Get("Content-Type"); {
		case isJSON(ct):
			w.peek = !rec.answerSeen()
		case isEventStream(ct) && !rec.answerSeen():
			// Its response event, read across writes as a client reads
			// it, without holding any of it back.
			w.events = &sseScan{answer: true}
			w.status = code
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

// lateAnswerer is the writer below JSONErrors in NewHandler and Guard,
// which answers a plain-text error set after its event stream began as the
// error of the call it has not answered.
type lateAnswerer interface {
	answerLateError(call json.RawMessage, code int, msg string)
}

// lateTextError takes code, a status set after the head, and reports
// whether it is an error in plain text (http.Error's) that follows an
// event stream: its text is then held, as an error's before the head is,
// and answered as a JSON-RPC error by the writer below (finishLateText),
// which knows whether the call is answered yet. Framed as it came, the text would be an event no
// client parses. The go-sdk's own error after its stream began is JSON,
// and passes. Without such a writer (JSONErrors on its own), the text
// passes too: the call's id is not known here.
func (w *jsonErrorWriter) lateTextError(code int) bool {
	ct := firstValue(w.Header(), "Content-Type")
	if !w.sse || w.intercept || w.hold || code < http.StatusBadRequest || isJSON(ct) || isEventStream(ct) {
		return false
	}
	if _, ok := w.ResponseWriter.(lateAnswerer); !ok {
		return false
	}
	w.intercept, w.lateText, w.status = true, true, code
	// Where the stream is still held, the answer takes its place with this
	// head: a JSON one.
	h := w.Header()
	delSpellings(h, "Content-Length")
	delSpellings(h, "X-Content-Type-Options")
	delSpellings(h, "Content-Type")
	h.Set("Content-Type", "application/json")
	w.ResponseWriter.WriteHeader(code)
	return true
}

// finishLateText answers the plain-text error held by lateTextError.
func (w *jsonErrorWriter) finishLateText() {
	msg := strings.TrimSpace(w.text.String())
	if msg == "" {
		msg = http.StatusText(w.status)
	}
	code := errorCode(w.status, msg)
	var id json.RawMessage
	rec := recordFrom(w.req.Context())
	if rec != nil {
		id = rec.rpc.ID
	}
	// The handler failed, whether or not its call was answered before:
	// the request's log line and span say so.
	rec.noteError(code, msg)
	rec.noteOutcome(OutcomeError)
	w.ResponseWriter.(lateAnswerer).answerLateError(id, code, msg)
}

// release ends holding: the status and what was held go out, and the rest
// passes through.
func (w *jsonErrorWriter) release() {
	w.hold = false
	w.restoreHeader()
	w.ResponseWriter.WriteHeader(w.status)
	w.ResponseWriter.Write(w.text.Bytes())
	w.text.Reset()
}

func (w *jsonErrorWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.hold {
		if w.text.Len()+len(p) <= maxErrorText {
			w.text.Write(p)
			return len(p), nil
		}
		w.release() // too long to be one of the go-sdk's refusals
	}
	if w.intercept || w.peek {
		if room := maxErrorText - w.text.Len(); room > 0 {
			w.text.Write(p[:min(len(p), room)])
		}
	}
	if w.intercept {
		return len(p), nil
	}
	n, err := w.ResponseWriter.Write(p)
	switch {
	case w.late:
		// Bounded as the writers below bound a value written in pieces:
		// one cut there is an answer no client reads.
		if room := maxLateAnswer - w.text.Len(); room > 0 {
			w.text.Write(p[:min(n, room)])
		}
	case w.events != nil:
		w.events.add(p[:n])
	}
	return n, err
}

// Flush passes through for streamed (SSE) responses.
func (w *jsonErrorWriter) Flush() {
	if w.intercept || w.hold {
		return
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *jsonErrorWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *jsonErrorWriter) finish() {
	if w.hold {
		w.finishHeld()
		return
	}
	if w.lateText {
		w.finishLateText()
		return
	}
	if w.peek {
		// The JSON-RPC errors the go-sdk answers before its middleware
		// (HeaderMismatch, parameters that do not decode), which
		// Middleware did not see.
		noteUnseenAnswer(w.req, w.text.Bytes())
		return
	}
	if w.events != nil {
		// The same, in the event that answers the call: the go-sdk's
		// answer when the client accepts an event stream and the server
		// does not answer JSON. None if the stream holds no response, or
		// one whose data runs past maxHeldEventData. After a late status
		// the go-sdk answers in plain JSON: its first value.
		answer := w.events.first
		if answer == nil && w.late {
			answer = firstJSONValue(w.text.Bytes())
		}
		noteUnseenAnswer(w.req, answer)
		return
	}
	if !w.intercept {
		return
	}
	msg := strings.TrimSpace(w.text.String())
	if msg == "" {
		msg = http.StatusText(w.status)
	}
	h := w.Header()
	delSpellings(h, "Content-Length")
	delSpellings(h, "X-Content-Type-Options")
	var id json.RawMessage
	rec := recordFrom(w.req.Context())
	if rec != nil {
		id = rec.rpc.ID
		if rec.corsOrigin != "" {
			// This JSON answer is lambdamcp's, and the page whose Origin
			// the guard allowed must be able to read it: a plain-text
			// error written before the handler's own Origin check (the
			// 404 serve.Routes gives a path it has no route for) has no
			// CORS headers, and a browser would show a network error.
			corsheader.Allow(h, rec.corsOrigin)
		}
	}
	if w.status == http.StatusBadRequest {
		if supported, ok := unsupportedVersion(msg); ok {
			data, _ := json.Marshal(struct {
				Supported []string `json:"supported"`
				Requested string   `json:"requested"`
			}{supported, w.req.Header.Get("MCP-Protocol-Version")})
			rec.noteError(codeUnsupportedVersion, "Unsupported protocol version")
			writeRPCError(w.ResponseWriter, w.status, id, codeUnsupportedVersion, "Unsupported protocol version", data)
			return
		}
	}
	code := errorCode(w.status, msg)
	if code == codeParseError && rec != nil && firstValueIsJSON(rec.body) {
		// The go-sdk says "malformed payload" of JSON that is no JSON-RPC
		// request too: that is an invalid request, not a parse error.
		code = codeInvalidRequest
	}
	status := w.status
	// A request's id is read from a single JSON-RPC object only, never a
	// batch, which the go-sdk refuses or answers as a whole.
	if status == http.StatusBadRequest && rec != nil && rec.version < statelessEra && len(id) > 0 &&
		(code == codeMethodNotFound || code == codeInvalidParams) {
		// Before 2026-07-28 the transport has a request answered with a
		// JSON-RPC response, which clients read from a 2xx: an HTTP error
		// is a transport failure to them, and the -32601 a client probes
		// for would never reach it. From 2026-07-28 on, the transport
		// answers such errors 400 (and 404) itself.
		status = http.StatusOK
		rec.noteOutcome(OutcomeError) // answered, with an error: not "ok"
	}
	rec.noteError(code, msg)
	writeRPCError(w.ResponseWriter, status, id, code, msg, nil)
}

// noteUnseenAnswer records the code and message of answer, the go-sdk's
// JSON-RPC response to r, if it is an error; of a batch's answer (an
// array), those of its first error.
func noteUnseenAnswer(r *http.Request, answer []byte) {
	type response struct {
		Error *struct {
			Code    *int   `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	var resp response
	if json.Unmarshal(answer, &resp) == nil && resp.Error != nil && resp.Error.Code != nil {
		recordFrom(r.Context()).noteUnseenError(*resp.Error.Code, resp.Error.Message)
		return
	}
	var batch []response
	if trimmed := bytes.TrimLeft(answer, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '[' || json.Unmarshal(answer, &batch) != nil {
		return
	}
	for _, resp := range batch {
		if resp.Error != nil && resp.Error.Code != nil {
			recordFrom(r.Context()).noteUnseenError(*resp.Error.Code, resp.Error.Message)
			return
		}
	}
}

// firstJSONValue is the first whole JSON value in b, as a client reads
// the event the writers below frame it as; nil if there is none.
func firstJSONValue(b []byte) json.RawMessage {
	var v json.RawMessage
	if json.NewDecoder(bytes.NewReader(b)).Decode(&v) != nil {
		return nil
	}
	return v
}

// restoreHeader puts back the header as it was when the held status was
// written.
func (w *jsonErrorWriter) restoreHeader() {
	h := w.ResponseWriter.Header()
	clear(h)
	maps.Copy(h, w.heldHeader)
}

// finishHeld sends a JSON 400 held to the end. The go-sdk (v1.8.0) refuses
// a 2026-07-28 tools/call, prompts/get or resources/read whose params it
// cannot decode as a HeaderMismatch (-32020), a code the spec reserves for
// headers that disagree with the body: it is an invalid-params error
// (-32602), and answered as one.
func (w *jsonErrorWriter) finishHeld() {
	rec := recordFrom(w.req.Context())
	var answer jsonrpcError
	if json.Unmarshal(w.text.Bytes(), &answer) != nil || answer.Error.Code == 0 {
		w.release()
		return
	}
	if answer.Error.Code == mcp.CodeHeaderMismatch && strings.HasPrefix(answer.Error.Message, "failed to extract name from parameters") {
		rec.noteError(codeInvalidParams, answer.Error.Message)
		w.restoreHeader()
		writeRPCError(w.ResponseWriter, w.status, answer.ID, codeInvalidParams, answer.Error.Message, answer.Error.Data)
		return
	}
	rec.noteUnseenError(answer.Error.Code, answer.Error.Message)
	w.release()
}

// firstValueIsJSON reports whether body starts with a whole JSON value, as
// the go-sdk reads a message: the first value, whatever follows it.
func firstValueIsJSON(body []byte) bool {
	return len(body) > 0 && json.NewDecoder(bytes.NewReader(body)).Decode(new(json.RawMessage)) == nil
}

// unsupportedVersion recognises the SDK's text for an MCP-Protocol-Version
// it does not serve and returns the versions it lists.
func unsupportedVersion(msg string) ([]string, bool) {
	rest, ok := strings.CutPrefix(msg, "Bad Request: Unsupported protocol version")
	if !ok {
		return nil, false
	}
	_, list, _ := strings.Cut(rest, "supported versions: ")
	list, _, _ = strings.Cut(list, ")")
	supported := []string{}
	for v := range strings.SplitSeq(list, ",") {
		if v = strings.TrimSpace(v); v != "" {
			supported = append(supported, v)
		}
	}
	return supported, true
}

// errorCode picks the JSON-RPC code for a transport error.
func errorCode(status int, msg string) int {
	switch {
	case status >= http.StatusInternalServerError:
		return codeInternalError
	case status == http.StatusBadRequest && isParseFailure(msg):
		return codeParseError
	case status == http.StatusBadRequest && strings.HasPrefix(msg, "JSON RPC not handled"):
		// The go-sdk's refusal of a method it does not serve, before
		// 2026-07-28 (from then on it answers -32601 itself).
		return codeMethodNotFound
	case status == http.StatusBadRequest && strings.HasPrefix(msg, `invalid request: missing required "params"`):
		// Params missing are invalid params, in every era.
		return codeInvalidParams
	}
	return codeInvalidRequest
}

// isParseFailure recognises the SDK's texts for a body it could not read as
// JSON-RPC.
func isParseFailure(msg string) bool {
	for _, p := range []string{"malformed payload", "failed to read body", "POST requires a non-empty body"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

type jsonrpcError struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Error   struct {
		Code    int             `json:"code"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data,omitempty"`
	} `json:"error"`
}

// writeJSONError writes a JSON-RPC error response without an id.
func writeJSONError(w http.ResponseWriter, status, code int, msg string) {
	writeRPCError(w, status, nil, code, msg, nil)
}

// writeRPCError writes a JSON-RPC error response; a nil id is left out,
// as the MCP transport has it for an error about no particular request
// (and as the go-sdk writes one).
func writeRPCError(w http.ResponseWriter, status int, id json.RawMessage, code int, msg string, data json.RawMessage) {
	writeJSONBody(w, status, jsonRPCErrorBody(id, code, msg, data))
}

// writeJSONBody writes body, JSON of lambdamcp's own, with status, in
// place of whatever type and length the handler set.
func writeJSONBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	// Under every spelling: the handler's would go out beside these.
	delSpellings(h, "Content-Length")
	delSpellings(h, "Content-Type")
	h.Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// rpcErrorBodies returns an error response for each of a batch's calls,
// by the call's id (nil: without one), the message of the i-th msgOf(i);
// ok is false, and the list nil, where as an array (rpcErrorArray) they
// would run past maxBatchRefusalBytes.
func rpcErrorBodies(ids []json.RawMessage, code int, msgOf func(i int) string) (errs [][]byte, ok bool) {
	size := len("[")
	for i, id := range ids {
		if i > 0 {
			size += len(",")
		}
		b := jsonRPCErrorBody(id, code, msgOf(i), nil)
		if size += len(b); size >= maxBatchRefusalBytes {
			return nil, false
		}
		errs = append(errs, b)
	}
	return errs, true
}

// rpcErrorArray is a batch's answer holding the responses errs.
func rpcErrorArray(errs [][]byte) []byte {
	body := append([]byte{'['}, bytes.Join(errs, []byte{','})...)
	return append(body, ']')
}

// tooManyToAnswer is the message of the single error without an id that
// answers a batch of n calls too large to answer each: whole, saying so.
func tooManyToAnswer(whole string, n int) string {
	return fmt.Sprintf("%s (the batch holds %d requests, too many to answer each)", whole, n)
}

// maxBatchRefusalBytes bounds the body of a batch's refusal, which
// answers each of the batch's calls: a batch of many small calls would
// otherwise be answered with several times its size.
const maxBatchRefusalBytes = 64 << 10

// writeRPCErrors writes the refusal of a batch: as JSON-RPC 2.0 answers a
// batch, an array holding an error response for each of its calls, by
// the call's id (nil: without one). One that would run past
// maxBatchRefusalBytes is written as a single error response without an
// id, saying so.
func writeRPCErrors(w http.ResponseWriter, status int, ids []json.RawMessage, code int, msg string) {
	errs, ok := rpcErrorBodies(ids, code, func(int) string { return msg })
	if !ok {
		writeRPCError(w, status, nil, code, tooManyToAnswer(msg, len(ids)), nil)
		return
	}
	writeJSONBody(w, status, rpcErrorArray(errs))
}

// jsonRPCErrorBody is the JSON of a JSON-RPC error response.
func jsonRPCErrorBody(id json.RawMessage, code int, msg string, data json.RawMessage) []byte {
	e := jsonrpcError{JSONRPC: "2.0", ID: id}
	e.Error.Code = code
	e.Error.Message = msg
	e.Error.Data = data
	body, err := marshalUnescaped(e)
	if err != nil { // id or data not JSON: answer without them
		e.ID, e.Error.Data = nil, nil
		body, _ = marshalUnescaped(e)
	}
	return body
}

// marshalUnescaped is json.Marshal without its HTML escaping, which would
// rewrite a "<" in the id the client sent as "\u003c": the same string to
// a JSON decoder, but not the bytes the client wrote (as the go-sdk,
// which escapes nothing, answers them).
func marshalUnescaped(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// isJSON reports whether a Content-Type is application/json or a JSON
// type of its own (…+json), in any letter case, without the allocations of
// a full parse: it is read on every answer.
func isJSON(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.TrimSpace(mt)
	return strings.EqualFold(mt, "application/json") ||
		len(mt) > len("+json") && strings.EqualFold(mt[len(mt)-len("+json"):], "+json")
}
