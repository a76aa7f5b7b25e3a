package lambdamcp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/lambdamcp/lambdamcp/internal/corsheader"
	"github.com/lambdamcp/lambdamcp/internal/httpsyntax"
)

// responseBuffer is the http.ResponseWriter for buffered shapes: it keeps
// the status, headers and body until the handler returns. The body is a
// strings.Builder, which only ever appends, so that the Lambda response
// takes it as a string without a copy of its own (encodedBody). It holds
// no more of the body than the front's limit and a byte: past that,
// dropped counts what the handler wrote, so that one that sends progress
// or log messages without end does not run the process out of memory, and
// the answer is the error of a response too large (seal), unless the
// deadline's error takes the place of what was dropped (dropUnendedEvent,
// reset).
type responseBuffer struct {
	header  http.Header
	status  int
	body    strings.Builder
	dropped int

	// Of an event stream: whether an event ended in what was dropped,
	// and the last bytes before what is dropped next, in which one may
	// have begun to end (dropUnendedEvent).
	endDropped bool
	dropTail   sseTail

	// The Lambda response (seal): the event whose shape it takes, the
	// front's limit on its size (0: none) and who sets it, and, once
	// sealed, its encoding.
	event   any
	limit   int
	front   string
	prefix  string // the request's path prefix (prefixLocation)
	head    bool   // the request is a HEAD: the response carries no body
	sealed  bool
	sealMsg string // the message of the error seal replaced the response with
	out     []byte
	err     error

	// firstLen is the body's length at the first flush, plus one; 0
	// before it: net/http guesses a type from what went out first (sniffs).
	firstLen int
}

func newResponseBuffer() *responseBuffer {
	return &responseBuffer{header: make(http.Header)}
}

func (w *responseBuffer) Header() http.Header { return w.header }

func (w *responseBuffer) WriteHeader(code int) {
	checkWriteHeaderCode(code)
	if w.status == 0 && !interim(code) {
		w.status = code
	}
}

func (w *responseBuffer) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if room := w.limit + 1 - w.body.Len(); w.limit > 0 && !w.head && len(p) > room {
		// Past the limit the response is replaced whole (seal): the
		// rest of it is only counted.
		room = max(room, 0)
		w.body.Write(p[:room])
		w.drop(p[room:])
		return len(p), nil
	}
	return w.body.Write(p)
}

// drop counts p, written past the limit, noting whether an event of an
// event stream ended in it.
func (w *responseBuffer) drop(p []byte) {
	if w.dropped == 0 {
		held := w.body.String()
		w.dropTail = sseTail{}
		w.dropTail.add([]byte(held[max(len(held)-len(w.dropTail.b), 0):]))
	}
	w.dropped += len(p)
	for !w.endDropped {
		i := bytes.IndexAny(p, "\r\n")
		if i < 0 {
			break
		}
		w.dropTail.add(p[:i+1])
		p = p[i+1:]
		w.endDropped = w.dropTail.betweenEvents()
	}
	w.dropTail.add(p)
}

// dropCutRune drops the start of a character that the limit cut in two
// at the end of the body held: text ending so is no UTF-8, and would be
// encoded as binary, in base64, a third larger than it is, so that the
// least size of the response told (seal) would be more than its size.
func (w *responseBuffer) dropCutRune() {
	held := w.body.String()
	for i := len(held) - 1; i >= max(len(held)-utf8.UTFMax, 0); i-- {
		if !utf8.RuneStart(held[i]) {
			continue
		}
		if !utf8.FullRuneInString(held[i:]) {
			w.body.Reset()
			w.body.WriteString(held[:i])
			w.dropped += len(held) - i
		}
		return
	}
}

// seal builds the Lambda response of w's event from what the handler
// wrote, and encodes it, once. A response larger than the front returns
// (Lambda's 6 MB, an ALB's 1 MB) is replaced by a JSON-RPC internal error
// answering the call id, in the same shape, where the front would fail the
// invocation or answer 502, with the status of a response that was an
// HTTP error (a 431 stays a 431, a 401 keeps its WWW-Authenticate:
// errorStatusHeaders), 200 otherwise; seal reports whether it was. The
// guard seals a buffered response before it logs the request, so that the
// log line, the metric and the span describe what the client gets. corsOrigin, if not
// "", is the allowed Origin the replacement lets read it.
func (w *responseBuffer) seal(id json.RawMessage, corsOrigin string) (replaced bool) {
	if w.sealed {
		return false
	}
	w.sealed = true
	sniff := sniffs(w.header, w.statusCode())
	wireHeader(w.header)
	prefixLocation(w.header, w.prefix)
	if sniff {
		setSniffed(w.header, w.firstPart())
	}
	if w.dropped > 0 {
		w.dropCutRune()
	}
	w.out, w.err = encodeResponse(w.lambdaResponse())
	if w.err != nil || w.limit <= 0 || len(w.out) <= w.limit && w.dropped == 0 {
		return false
	}
	msg := fmt.Sprintf("response of %d bytes exceeds the %s response limit of %d bytes", len(w.out), w.front, w.limit)
	if w.dropped > 0 {
		msg = fmt.Sprintf("response of at least %d bytes exceeds the %s response limit of %d bytes", len(w.out)+w.dropped, w.front, w.limit)
	}
	w.sealMsg = msg
	status := w.statusCode()
	var kept http.Header
	if status < http.StatusBadRequest {
		status = http.StatusOK // a JSON-RPC error, as the result would have been
	} else {
		kept = errorStatusHeader(w.header)
	}
	w.reset()
	maps.Copy(w.header, kept)
	w.header.Set("Content-Type", "application/json")
	if corsOrigin != "" {
		corsheader.Allow(w.header, corsOrigin)
	}
	w.status = status
	w.body.Write(jsonRPCErrorBody(id, codeInternalError, msg, nil))
	w.out, w.err = encodeResponse(w.lambdaResponse())
	return true
}

// errorStatusHeaders are the headers an HTTP error's status is answered
// with (RFC 9110): without them a 401 tells the client nowhere to sign in
// (WWW-Authenticate), a 405 no method to use (Allow), a 415 no coding
// (Accept-Encoding), a 429 or 503 no time to wait (Retry-After).
var errorStatusHeaders = []string{"Www-Authenticate", "Allow", "Accept-Encoding", "Retry-After"}

// errorStatusHeader is what h holds of errorStatusHeaders, for an error
// that keeps its status when its answer is replaced.
func errorStatusHeader(h http.Header) http.Header {
	kept := http.Header{}
	for _, name := range errorStatusHeaders {
		if vs := h.Values(name); len(vs) > 0 {
			kept[name] = slices.Clone(vs)
		}
	}
	return kept
}

// lambdaResponse is the response of w's event's shape.
func (w *responseBuffer) lambdaResponse() any {
	switch ev := w.event.(type) {
	case *events.APIGatewayProxyRequest:
		return restResponse(w)
	case *events.ALBTargetGroupRequest:
		return albResponse(w, ev.MultiValueHeaders != nil)
	}
	return v2Response(w) // HTTP API payload 2.0 and Function URLs
}

// dropUnendedEvent forgets the part of an event the handler began and did
// not end, at the end of its event stream. What was dropped past the limit
// is all of that part unless an event ended in it: then what is left is
// still too large.
func (w *responseBuffer) dropUnendedEvent() {
	if w.endDropped {
		return
	}
	body := w.body.String()
	if end := lastEventEnd(body); end < len(body) {
		w.body.Reset() // body keeps the old buffer
		w.body.WriteString(body[:end])
	}
	w.dropped = 0
}

// reset forgets what the handler wrote, so that an answer of lambdamcp's
// can take its place.
func (w *responseBuffer) reset() {
	clear(w.header)
	w.status = 0
	w.body.Reset()
	w.dropped, w.endDropped = 0, false
	w.firstLen = 0
}

// checkWriteHeaderCode panics, as net/http's writer does, on a status that
// is no three-digit code, and on one of 600 to 999, which net/http sends
// but RFC 9110 §15 holds invalid: a gateway answers a Lambda response
// carrying one with an error of its own (502, not JSON), where the
// handler's panic is answered as the internal error it is. So it does on
// 101: a gateway takes a Lambda response's status for the final one, and
// no protocol can be switched through it, so a handler that tries cannot
// be served there.
func checkWriteHeaderCode(code int) {
	if code < 100 || code > 599 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if code == http.StatusSwitchingProtocols {
		panic("WriteHeader(101): a Lambda response cannot switch protocols")
	}
}

// interim reports whether code is an informational status that net/http
// would send ahead of the final response (any 1xx but 101, which
// checkWriteHeaderCode refuses). No Lambda response can carry one, so the
// writers here drop them and wait for the final status.
func interim(code int) bool {
	return code >= 100 && code < 200 && code != http.StatusSwitchingProtocols
}

// bodyAllowed reports whether a response with this status may have a
// body; as net/http, Write answers http.ErrBodyNotAllowed where it may not.
func bodyAllowed(code int) bool {
	return code != http.StatusNoContent && code != http.StatusNotModified && (code < 100 || code >= 200)
}

// Flush lets handlers that stream (SSE) run unchanged; the whole body is
// sent when the handler returns. What was written before the first flush
// is what net/http sends first, and guesses a type from (sniffs).
func (w *responseBuffer) Flush() {
	if w.firstLen == 0 {
		w.firstLen = w.body.Len() + 1
	}
}

// firstPart is the start of the body that net/http sends first, as much
// of it as http.DetectContentType reads.
func (w *responseBuffer) firstPart() []byte {
	n := w.body.Len()
	if w.firstLen > 0 {
		n = w.firstLen - 1
	}
	return []byte(w.body.String()[:min(n, sniffLen)])
}

func (w *responseBuffer) statusCode() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// encodedBody returns the body as the Lambda response carries it: text as
// is, anything else base64-encoded; none for a HEAD request, as net/http
// sends none (RFC 9110 §9.3.2), though the headers are those the handler's
// body gave it.
func (w *responseBuffer) encodedBody() (body string, isBase64 bool) {
	s := w.body.String()
	if s == "" || w.head {
		return "", false
	}
	if isText(w.header.Get("Content-Type")) && utf8.ValidString(s) {
		return s, false
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), true
}

// wireHeader makes a response's headers what net/http would send of them:
// a name that is no RFC 9110 token is dropped, and a value has its CR and
// LF turned into spaces and the whitespace around it trimmed. A gateway
// writes the Lambda response's headers onto its own connection to the
// client, where a handler's CR LF would start a header line of its own,
// and a local server would have sent the same answer without it.
// Hop-by-hop headers are dropped too: they describe a connection, and the
// gateway's to the client is its own, as is the framing of the body on it,
// trailers included, which no Lambda response carries.
// So is a name without a value (nil is net/http's way to suppress Date),
// which net/http sends no line for, and AWS's formats hold no null or
// empty list for. A name the handler spelt several ways (filling the map
// itself) becomes one canonical name with all their values (spellings).
func wireHeader(h http.Header) {
	var spelt []string // names not in canonical form
	for k, vs := range h {
		name := http.CanonicalHeaderKey(k)
		if len(vs) == 0 || !httpsyntax.IsToken(k) || hopByHop(name) {
			delete(h, k)
			continue
		}
		for i, v := range vs {
			vs[i] = textproto.TrimString(newlineToSpace.Replace(v))
		}
		if name != k {
			spelt = append(spelt, k)
		}
	}
	if len(spelt) > 0 {
		spellings(h, spelt)
	}
}

// spellings puts the values of the names spelt, none canonical, under
// their canonical names. net/http sends a line for each value of each
// spelling, the spellings in sorted order, which a client reads as one
// header with the values in that order: so they are kept here, where
// AWS's formats would otherwise hold a key for each spelling and do not
// say how a front merges them, and where what reads a header (the body's
// encoding, a stream's event-stream handling) reads the canonical name.
func spellings(h http.Header, spelt []string) {
	byName := make(map[string][]string, len(spelt)) // canonical name → its spellings
	for _, k := range spelt {
		name := http.CanonicalHeaderKey(k)
		byName[name] = append(byName[name], k)
	}
	for name, ks := range byName {
		if _, ok := h[name]; ok {
			ks = append(ks, name)
		}
		slices.Sort(ks)
		var vs []string // a new slice: the handler's must not be written into
		for _, k := range ks {
			vs = append(vs, h[k]...)
			delete(h, k)
		}
		h[name] = vs
	}
}

// hopByHop reports whether a canonical header name is one that describes
// a connection or the body's framing on it.
func hopByHop(name string) bool {
	switch name {
	case "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Trailer":
		return true
	}
	return false
}

var newlineToSpace = strings.NewReplacer("\n", " ", "\r", " ")

// firstValue is the first value of the canonical header name the handler
// set under any spelling of it: the value of the spelling net/http sends
// first, which is what a client reads, and what wireHeader keeps first.
func firstValue(h http.Header, name string) string {
	v, first := "", ""
	for k, vs := range h {
		if len(vs) > 0 && len(k) == len(name) && (first == "" || k < first) && http.CanonicalHeaderKey(k) == name {
			v, first = vs[0], k
		}
	}
	return v
}

// delSpellings deletes the canonical header name from h under every
// spelling of it: net/http sends each spelling as a line of its own, and
// wireHeader gathers them all under the name.
func delSpellings(h http.Header, name string) {
	for k := range h {
		if len(k) == len(name) && http.CanonicalHeaderKey(k) == name {
			delete(h, k)
		}
	}
}

// isText reports whether a content type is text that gateways pass through
// unencoded. The type decides, as isJSON and isEventStream read it:
// parameters that do not parse ("application/json; charset") leave a JSON
// answer JSON, where a REST API without binary media types would hand the
// client a base64-encoded body.
func isText(contentType string) bool {
	if contentType == "" {
		return true // JSON-RPC bodies without a type, 202s, errors
	}
	base, _, _ := strings.Cut(contentType, ";")
	mt, _, err := mime.ParseMediaType(base)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		mt == "application/json",
		strings.HasSuffix(mt, "+json"),
		mt == "application/xml",
		strings.HasSuffix(mt, "+xml"),
		mt == "application/javascript",
		mt == "application/x-www-form-urlencoded":
		return true
	}
	return false
}

// joinedHeaders folds multi-value headers into one value each, for shapes
// whose responses carry single values. Set-Cookie is left to the caller:
// net/http sends each cookie as a header of its own, where joined with the
// others an Expires date's comma would run one cookie into the next. h
// has been through wireHeader, so every name is spelt canonically.
func joinedHeaders(h http.Header) map[string]string {
	m := make(map[string]string, len(h))
	for k, vs := range h {
		if len(vs) == 0 || k == "Set-Cookie" {
			continue
		}
		m[k] = strings.Join(vs, ", ")
	}
	return m
}
