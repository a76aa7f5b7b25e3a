package lambdamcp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
	"github.com/lambdamcp/lambdamcp/internal/textcut"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Limits bounds what one request may carry and what one response may
// return. Each violation is answered with an HTTP status and a JSON-RPC
// error body (see docs/errors.md). The zero value of every field means its
// default; a negative value turns the check off.
type Limits struct {
	// MaxBodyBytes caps the request body of any method (after base64
	// decoding); only a POST's body is read as JSON. Larger
	// bodies answer 413. Zero means DefaultMaxBodyBytes, which is also the
	// go-sdk's StreamableHTTPOptions.MaxRequestBodyBytes default, so both
	// layers agree; raise both together. It sits below Lambda's 6 MB
	// synchronous payload and API Gateway's 10 MB request limits, so a too
	// large body gets this clear answer instead of a gateway's, as long as
	// the event carrying it stays within 6 MB: the event holds the body as
	// a JSON string (each quote and backslash escaped, a control
	// character six bytes), base64-encoded when it is not text, and Lambda
	// refuses a larger event before the function runs, which the client
	// then gets the gateway's error for.
	MaxBodyBytes int64

	// MaxResponseBytes caps the Lambda response payload (the whole JSON
	// the function returns, headers and encoded body included) for
	// buffered shapes. A response over it is replaced by a JSON-RPC
	// internal error for the same request id, with the status of an HTTP
	// error (4xx, 5xx) and 200 otherwise, because Lambda would
	// otherwise fail the invocation and the gateway answer 502. Zero means
	// DefaultMaxResponseBytes. For ALB events the cap is at most
	// 1,000,000 bytes, the load balancer's own limit on the response JSON
	// (1 MB, "Use Lambda functions as targets of an Application Load
	// Balancer"). It does not apply to Guard (plain HTTP).
	MaxResponseBytes int

	// MaxHeaderBytes caps the total size of the request's header names
	// and values, Host included. Zero means DefaultMaxHeaderBytes.
	// Over it: 431.
	MaxHeaderBytes int

	// MaxHeaders caps the number of header values, Host included. Zero
	// means DefaultMaxHeaders. Over it: 431.
	MaxHeaders int

	// MaxJSONDepth caps how deeply a JSON body's arrays and objects nest.
	// Zero means DefaultMaxJSONDepth. Deeper bodies answer 400 with a
	// parse error before the SDK decodes them.
	MaxJSONDepth int

	// MaxBatchMessages caps the messages of a JSON-RPC batch the go-sdk
	// serves (protocol 2025-03-26 and earlier, or no
	// MCP-Protocol-Version). Zero means DefaultMaxBatchMessages. A larger
	// batch answers 400 with one invalid-request error, without an id,
	// before the SDK decodes it: the SDK decodes and serves every message
	// of a batch, and a few thousand of them in one body take seconds and
	// more memory than a small function has.
	MaxBatchMessages int
}

// Defaults for Limits.
const (
	DefaultMaxBodyBytes     = mcp.DefaultMaxRequestBodyBytes // 4 MiB
	DefaultMaxResponseBytes = 6 << 20                        // Lambda's synchronous response limit, 6 MB
	DefaultMaxHeaderBytes   = 64 << 10
	DefaultMaxHeaders       = 200
	DefaultMaxJSONDepth     = 64
	// DefaultMaxBatchMessages is far above what clients batch (a
	// 2025-03-26 client batches the few calls it has ready at once, such
	// as an initialized notification with its first lists), and far below
	// the thousands of calls whose serving takes seconds and over 100 MB.
	DefaultMaxBatchMessages = 256
)

// albMaxResponseBytes is the most response JSON an Application Load
// Balancer takes from a Lambda function: "Use Lambda functions as targets
// of an Application Load Balancer" (Limits) gives 1 MB, read here as the
// smaller 10^6 bytes. The load balancer answers a larger response with a
// 502, so for ALB events it caps Limits.MaxResponseBytes.
const albMaxResponseBytes = 1_000_000

// withDefaults fills zero fields with their defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxBodyBytes == 0 {
		l.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if l.MaxResponseBytes == 0 {
		l.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if l.MaxHeaderBytes == 0 {
		l.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if l.MaxHeaders == 0 {
		l.MaxHeaders = DefaultMaxHeaders
	}
	if l.MaxJSONDepth == 0 {
		l.MaxJSONDepth = DefaultMaxJSONDepth
	}
	if l.MaxBatchMessages == 0 {
		l.MaxBatchMessages = DefaultMaxBatchMessages
	}
	return l
}

// codeUnsupportedVersion is the spec's UnsupportedProtocolVersionError.
const codeUnsupportedVersion = mcp.CodeUnsupportedProtocolVersion

// rejection is a request refused before it reached the handler.
type rejection struct {
	status   int
	code     int
	msg      string
	data     json.RawMessage // error data, if any
	panicked bool            // a check of the server's own (Options.CheckOrigin) panicked

	// batch are the ids of a batch's calls, each answered with the error
	// (a nil id: without one); none for a refusal of a single message,
	// answered with the request's id.
	batch []json.RawMessage

	acceptIdentity bool // answer with Accept-Encoding: identity
}

// bodyReadError answers a body that could not be read. A connection's
// errors name its addresses, which are none of the client's business: a
// body that stopped coming (the local server's ReadTimeout) is a 408, any
// other network error is told without detail.
func bodyReadError(err error) *rejection {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return reject(http.StatusRequestTimeout, codeParseError, "failed to read body: the request body did not arrive in time")
	case errors.As(err, &ne):
		return reject(http.StatusBadRequest, codeParseError, "failed to read body: connection error")
	}
	return reject(http.StatusBadRequest, codeParseError, "failed to read body: "+err.Error())
}

func reject(status, code int, msg string) *rejection {
	return &rejection{status: status, code: code, msg: msg}
}

// checkHeaders enforces the header caps. Host counts as the header it
// was on the wire, although net/http (and newRequest) move it out of
// r.Header into r.Host.
func (l Limits) checkHeaders(r *http.Request) *rejection {
	if l.MaxHeaders < 0 && l.MaxHeaderBytes < 0 {
		return nil
	}
	count, size := 0, 0
	if r.Host != "" {
		count, size = 1, len("Host")+len(r.Host)
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			count++
			size += len(k) + len(v)
		}
	}
	if l.MaxHeaders > 0 && count > l.MaxHeaders {
		return reject(http.StatusRequestHeaderFieldsTooLarge, codeInvalidRequest,
			fmt.Sprintf("request has %d header values; the limit is %d", count, l.MaxHeaders))
	}
	if l.MaxHeaderBytes > 0 && size > l.MaxHeaderBytes {
		return reject(http.StatusRequestHeaderFieldsTooLarge, codeInvalidRequest,
			fmt.Sprintf("request headers exceed %d bytes", l.MaxHeaderBytes))
	}
	return nil
}

// readBody reads the whole body, up to the cap.
func (l Limits) readBody(r *http.Request) ([]byte, *rejection) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	src := io.Reader(r.Body)
	if l.MaxBodyBytes > 0 {
		if r.ContentLength > l.MaxBodyBytes {
			return nil, tooLargeBody(l.MaxBodyBytes)
		}
		if l.MaxBodyBytes < math.MaxInt64 { // one byte more tells a body past the cap
			src = io.LimitReader(r.Body, l.MaxBodyBytes+1)
		}
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 && r.ContentLength <= exactReadMax {
		// A body of the declared length is read into a buffer of exactly
		// that size (bytes.Buffer.ReadFrom would double it to keep 512
		// bytes spare); one that runs on is read on below, and one that
		// ends early is what there is, as ReadFrom would have it. Only a
		// small declared length is trusted that far: a client could
		// otherwise declare a length it never sends and have the buffer
		// made anyway (with the cap off, one beyond memory).
		exact, err := readExactly(src, int(r.ContentLength))
		if err == io.EOF {
			if l.MaxBodyBytes > 0 && int64(len(exact)) > l.MaxBodyBytes {
				return nil, tooLargeBody(l.MaxBodyBytes) // one byte past a length at the cap
			}
			return exact, nil
		}
		if err != nil {
			return nil, bodyReadError(err)
		}
		buf.Grow(len(exact) + bytes.MinRead)
		buf.Write(exact)
	}
	if _, err := buf.ReadFrom(src); err != nil {
		return nil, bodyReadError(err)
	}
	if l.MaxBodyBytes > 0 && int64(buf.Len()) > l.MaxBodyBytes {
		return nil, tooLargeBody(l.MaxBodyBytes)
	}
	return buf.Bytes(), nil
}

// exactReadMax is the largest declared body length readBody allocates for
// before reading; JSON-RPC requests are far smaller.
const exactReadMax = 64 << 10

// readExactly reads n bytes from src and then asks for one more: it returns
// io.EOF with what it read if src ends at or before n bytes, nil if src has
// more (the n+1 bytes read are returned), or src's error.
func readExactly(src io.Reader, n int) ([]byte, error) {
	buf := make([]byte, n+1)
	read := 0
	for read < len(buf) {
		m, err := src.Read(buf[read:])
		read += m
		if err != nil {
			return buf[:read:read], err
		}
	}
	return buf, nil
}

func tooLargeBody(limit int64) *rejection {
	// The SDK's own wording, so both layers answer alike.
	return reject(http.StatusRequestEntityTooLarge, codeInvalidRequest, fmt.Sprintf("request body exceeds %d bytes", limit))
}

// checkJSON rejects a JSON body that is not UTF-8 (UTF-16 or UTF-32, with
// a byte order mark or without), begins with UTF-8's byte order mark,
// nests too deeply, or goes on after its value; RFC 8259 requires UTF-8
// and has a JSON text be one value, and the SDK would otherwise replace
// bad bytes silently, and serve the first of two messages and drop the
// second unanswered.
func (l Limits) checkJSON(body []byte) *rejection {
	if !utf8.Valid(body) {
		return reject(http.StatusBadRequest, codeParseError, "request body is not valid UTF-8")
	}
	if wideText(body) {
		return reject(http.StatusBadRequest, codeParseError, "request body is not valid UTF-8: it reads as UTF-16 or UTF-32 (a NUL byte among its first two)")
	}
	if bytes.HasPrefix(body, utf8BOM) {
		return reject(http.StatusBadRequest, codeParseError, "request body begins with a byte order mark (U+FEFF), which JSON sent over a network must not have (RFC 8259 §8.1)")
	}
	deep, trailing := scanJSON(body, l.MaxJSONDepth)
	if deep {
		return reject(http.StatusBadRequest, codeParseError, fmt.Sprintf("request body nests deeper than %d levels", l.MaxJSONDepth))
	}
	if trailing {
		return reject(http.StatusBadRequest, codeParseError, "request body goes on after its JSON value: it must be one JSON-RPC message")
	}
	return nil
}

// utf8BOM is U+FEFF in UTF-8. RFC 8259 §8.1 has no sender put it before
// a JSON text, and lets a parser refuse it; the go-sdk's decoder refuses
// it as an invalid character 'ï', which tells a client nothing.
var utf8BOM = []byte("\ufeff")

// wideText reports whether b reads as UTF-16 or UTF-32 text without a
// byte order mark: a JSON text begins with an ASCII character, which in
// those encodings has a NUL byte beside it (RFC 4627 §3), where UTF-8 JSON
// has none. Such a body is valid UTF-8 when its text is ASCII, and would
// otherwise reach the go-sdk's decoder, whose answer tells of an invalid
// character '\x00', or the trailing check, which sees the last NUL after
// the closing brace. A body of one NUL byte is refused alike: no JSON
// text holds one.
func wideText(b []byte) bool {
	return len(b) >= 1 && b[0] == 0 || len(b) >= 2 && b[1] == 0
}

// scanJSON counts the brackets of b outside strings, in one pass: deep
// reports whether arrays and objects nest deeper than max (max < 1: no
// bound), trailing whether anything but whitespace follows the first array
// or object once it has closed. A body whose first value is neither is
// left to the SDK's decoder, which refuses it; nor does scanJSON validate
// the JSON otherwise.
func scanJSON(b []byte, max int) (deep, trailing bool) {
	depth := 0
	closed := false // the first top-level array or object has ended
	inString, escaped := false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		case closed && !trailing && !jsonSpace(c):
			trailing = true
			if max < 1 {
				return false, true
			}
		}
		switch {
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if max > 0 && depth > max {
				return true, trailing
			}
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				closed = true
			}
		}
	}
	return false, trailing
}

// jsonSpace reports whether c is JSON's insignificant whitespace.
func jsonSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// acceptance decides what to do with a POST's Accept header.
//
// The spec has clients list both application/json and text/event-stream,
// and the go-sdk rejects anything less with a 400. lambdamcp is more
// liberal where that is safe: no Accept at all, which RFC 9110 reads as
// anything, is served whatever the handler answers, and when it answers
// application/json (Options.JSONResponse), so is an Accept that admits
// JSON alone (application/json, application/*); either is rewritten to the
// full pair before the SDK sees it. An Accept that admits nothing the
// handler answers gets 406 Not Acceptable, the HTTP status for exactly
// that, rather than the SDK's 400; when the type it lacks was listed with
// q=0, the answer says so, as the client may think it listed the type.
func acceptance(values []string, jsonResponse bool) (rewrite bool, rej *rejection) {
	if len(values) == 0 {
		return true, nil
	}
	jsonRange, streamRange := acceptRanges(values)
	jsonOK, streamOK := jsonRange.ok, streamRange.ok
	switch {
	case jsonOK && streamOK:
		return false, nil
	case jsonResponse && jsonOK:
		return true, nil
	case jsonResponse:
		msg := "Accept must admit application/json: this server answers JSON"
		if jsonRange.weighedOut() {
			msg += ", and q=0 admits nothing"
		}
		return false, reject(http.StatusNotAcceptable, codeInvalidRequest, msg)
	}
	msg := "Accept must contain both 'application/json' and 'text/event-stream'"
	if jsonRange.weighedOut() || streamRange.weighedOut() {
		// The client may have listed both: say why that is not enough.
		msg += " of a weight above 0: q=0 admits nothing"
	}
	return false, reject(http.StatusNotAcceptable, codeInvalidRequest, msg)
}

// streamAcceptance decides what to do with the Accept header of a GET
// that opens a session's event stream, as acceptance does with a POST's:
// no Accept admits anything, the stream too, and is rewritten to
// text/event-stream, which the go-sdk requires; one that does not admit
// text/event-stream gets 406 rather than the go-sdk's 400, and one that
// lists it with q=0 too, where the go-sdk would open the stream.
func streamAcceptance(values []string) (rewrite bool, rej *rejection) {
	if len(values) == 0 {
		return true, nil
	}
	if _, streamRange := acceptRanges(values); !streamRange.ok {
		msg := "Accept must admit text/event-stream: a GET opens the session's event stream"
		if streamRange.weighedOut() {
			msg += ", and q=0 admits nothing"
		}
		return false, reject(http.StatusNotAcceptable, codeInvalidRequest, msg)
	}
	return false, nil
}

// fullAccept is what the spec has clients send.
const fullAccept = "application/json, text/event-stream"

// acceptRanges are the most specific media ranges of Accept values that
// match application/json and text/event-stream; each range's ok says
// whether it admits its type. Values are read as the go-sdk reads them
// (wildcards included), and as RFC 9110 section 12.5.1 has them read
// besides: a media range with q=0 admits nothing, and of the ranges that
// match a type the most specific decides ("application/json;q=0, */*"
// refuses JSON).
func acceptRanges(values []string) (jsonRange, streamRange rangeMatch) {
	for _, value := range values {
		for raw := range strings.SplitSeq(value, ",") {
			base, params, _ := strings.Cut(raw, ";")
			ok := !zeroQ(params)
			switch strings.ToLower(strings.TrimSpace(base)) {
			case "application/json":
				jsonRange.see(3, ok)
			case "application/*":
				jsonRange.see(2, ok)
			case "text/event-stream":
				streamRange.see(3, ok)
			case "text/*":
				streamRange.see(2, ok)
			case "*/*":
				jsonRange.see(1, ok)
				streamRange.see(1, ok)
			}
		}
	}
	return jsonRange, streamRange
}

// rangeMatch is the most specific Accept media range seen for a type.
type rangeMatch struct {
	specificity int // 3 the type itself, 2 type/*, 1 */*; 0 none yet
	ok          bool
}

// weighedOut reports whether ranges matched the type, and the most
// specific of them all have the weight 0.
func (m rangeMatch) weighedOut() bool {
	return m.specificity > 0 && !m.ok
}

func (m *rangeMatch) see(specificity int, ok bool) {
	switch {
	case specificity > m.specificity:
		m.specificity, m.ok = specificity, ok
	case specificity == m.specificity:
		m.ok = m.ok || ok
	}
}

// zeroQ reports whether a media range's parameters give it the weight 0
// ("q=0", "q=0.0", "q=0.000"): not acceptable.
func zeroQ(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		name, value, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(name), "q") {
			value = strings.TrimSpace(value)
			return value != "" && strings.Trim(value, "0.") == "" && value[0] == '0'
		}
	}
	return false
}

// checkRepeated refuses a request that gives a header twice which MCP
// checks against the body: MCP-Protocol-Version, and from 2026-07-28
// (modern, read from the version the request names once) Mcp-Method,
// Mcp-Name and Mcp-Param-*. The go-sdk compares only the first value,
// while a proxy or gateway may route on another (an ALB without
// multi-value headers keeps the last), so a repeated one could pass the
// check with a value that says otherwise than the body. Before 2026-07-28
// nothing is mirrored into those headers and the go-sdk compares none of
// them: they are the client's own, as any other header.
func checkRepeated(h http.Header, modern bool) *rejection {
	for k, vs := range h {
		if len(vs) < 2 {
			continue
		}
		switch {
		case k == "Mcp-Protocol-Version":
			return reject(http.StatusBadRequest, codeInvalidRequest, "MCP-Protocol-Version header given more than once")
		case !modern:
		case k == "Mcp-Method", k == "Mcp-Name", strings.HasPrefix(k, "Mcp-Param-"):
			return reject(http.StatusBadRequest, mcp.CodeHeaderMismatch, textcut.Cut(k, 128)+" header given more than once")
		}
	}
	return nil
}

// checkParamValues refuses, on a 2026-07-28 tools/call, an Mcp-Param-*
// value holding anything but visible ASCII, space and HTAB: the transport
// has a client send such a value Base64-encoded, and a server reject it
// raw (Streamable HTTP, "Value Encoding", "Server Behavior for Custom
// Headers"). The go-sdk (v1.8.0) compares it raw with the body and serves
// the call when they agree. Only a tools/call has parameters mirrored
// into headers; the go-sdk ignores these headers on other methods.
func checkParamValues(h http.Header) *rejection {
	for k, vs := range h {
		if !strings.HasPrefix(k, "Mcp-Param-") {
			continue
		}
		for _, v := range vs {
			if !plainHeaderValue(v) {
				return reject(http.StatusBadRequest, mcp.CodeHeaderMismatch,
					textcut.Cut(k, 128)+" header has a character other than visible ASCII, space or tab: send it Base64-encoded (=?base64?…?=)")
			}
		}
	}
	return nil
}

// emptyParamHeaders are the Mcp-Param-* headers h gives once, empty: the
// mirror of an empty string, which the go-sdk's own client sends so. The
// go-sdk (v1.8.0) takes an empty value for no header and refuses the call
// for a header missing; the guard hands such a header on in the
// transport's Base64 form of "" (emptyBase64), which the go-sdk decodes
// to the empty string before it compares it with the body. It allocates
// only when there is one.
func emptyParamHeaders(h http.Header) []string {
	var keys []string
	for k, vs := range h {
		if strings.HasPrefix(k, "Mcp-Param-") && len(vs) == 1 && vs[0] == "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// emptyBase64 is the empty string in the transport's Base64 form.
const emptyBase64 = base64Prefix + base64Suffix

// plainHeaderValue reports whether v holds only what the transport lets
// a header value carry unencoded: 0x20-0x7E and HTAB.
func plainHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c > '~' {
			return false
		}
	}
	return true
}

// decodedName is an Mcp-Name value sent in the transport's Base64 form
// (=?base64?…?=), decoded; "" when it is not in that form or does not
// decode to UTF-8. The go-sdk v1.8.0 decodes Mcp-Param-* values so, but
// compares Mcp-Name as it comes.
func decodedName(v string) string {
	enc, ok := strings.CutPrefix(v, base64Prefix)
	if !ok {
		return ""
	}
	if enc, ok = strings.CutSuffix(enc, base64Suffix); !ok {
		return ""
	}
	b, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || !utf8.Valid(b) {
		return ""
	}
	return string(b)
}

// nameInBody is the body's value that Mcp-Name carries: params.uri of a
// resources/read, read only for it, and params.name of anything else.
func nameInBody(rec *requestRecord) string {
	if rec.rpc.Method != "resources/read" {
		return rec.rpc.Params.Name
	}
	var p struct {
		Params struct {
			URI string `json:"uri"`
		} `json:"params"`
	}
	if jsonv2.Unmarshal(rec.body, &p, peekOptions) != nil {
		return ""
	}
	return p.Params.URI
}

// The markers of a header value sent Base64-encoded.
const (
	base64Prefix = "=?base64?"
	base64Suffix = "?="
)

// checkVersion refuses an MCP-Protocol-Version that sorts after every
// version the go-sdk serves ("2026-08-01", "zzz") with the spec's
// UnsupportedProtocolVersionError. The SDK refuses such a version only
// when the body's _meta names it too; otherwise it complains about the
// missing _meta, which tells the client nothing it can act on. Every other
// version goes through: the SDK refuses an earlier unknown one itself,
// listing the versions the server serves, which a server may have narrowed
// (ServerOptions.SupportedProtocolVersions); the list here is the SDK's.
func checkVersion(v string) *rejection {
	if v == "" {
		return nil
	}
	supported := mcp.SupportedProtocolVersions()
	if slices.Contains(supported, v) || v < slices.Max(supported) {
		return nil
	}
	data, _ := json.Marshal(struct {
		Supported []string `json:"supported"`
		Requested string   `json:"requested"`
	}{supported, v})
	return &rejection{status: http.StatusBadRequest, code: codeUnsupportedVersion, msg: "Unsupported protocol version", data: data}
}

// rpcPeek is what lambdamcp reads of a JSON-RPC request body: enough to
// answer errors with the request's id, and to log, measure and trace the
// call.
type rpcPeek struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params rpcPeekParams   `json:"params"`

	// response: the message is a JSON-RPC response or error response, as
	// the go-sdk reads one: version 2.0, a valid id, no method member.
	response bool
}

// rpcPeekParams are the params lambdamcp reads: a tool's name, and the
// resource URI of a resources/read, resources/subscribe or
// resources/unsubscribe (resourceURI). The URI is kept as the client sent
// it, whatever its type, so that it never keeps the name from being read:
// the go-sdk decodes each method's params on their own, and ignores a
// member its method does not have.
type rpcPeekParams struct {
	Name string         `json:"name"`
	URI  jsontext.Value `json:"uri"`
}

// uriPeek is the member of params a resource URI is read from, when the
// name cannot be read.
type uriPeek struct {
	URI jsontext.Value `json:"uri"`
}

// resourceURIMethods are the methods whose params carry a resource URI.
var resourceURIMethods = map[string]bool{"resources/read": true, "resources/subscribe": true, "resources/unsubscribe": true}

// resourceURI is the resource URI of a resources/read, resources/subscribe
// or resources/unsubscribe the peek read, as the go-sdk decodes it: a
// string's text; "" for any other method, or a uri that is no string
// (which the go-sdk refuses).
func (p *rpcPeek) resourceURI() string {
	raw := p.Params.URI
	if !resourceURIMethods[p.Method] || len(raw) == 0 || raw[0] != '"' {
		return ""
	}
	var s string
	if jsonv2.Unmarshal(raw, &s, peekOptions) != nil {
		return ""
	}
	return s
}

// rpcWire is a JSON-RPC message as the go-sdk's jsonrpc2.DecodeMessage
// first reads it: the method and the params as raw values, decoded after.
// A repeated member is so replaced, never merged, and a null method reads
// as an empty one.
type rpcWire struct {
	Version json.RawMessage `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  json.RawMessage `json:"method"`
	Params  json.RawMessage `json:"params"`
}

// peekOptions read a JSON-RPC message as the go-sdk's decoder does.
var peekOptions = jsonv2.JoinOptions(
	jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true),
	jsonv1.MergeWithLegacySemantics(true),
)

// peekRPC reads the id, method, tool name and resource URI of a single
// JSON-RPC message; anything else (a batch, invalid JSON, a method that is
// not a string) yields a zero rpcPeek. Params the tool name cannot be read
// from leave it empty, and the id, method and URI read. Only a request's id is kept: a
// message without a method is a response, whose id is the server's own.
func peekRPC(body []byte) rpcPeek {
	if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
		return rpcPeek{}
	}
	// A body that repeats no name, holds one value, and whose method and
	// params have the expected types reads the same decoded straight into
	// rpcPeek, without the raw values in between (FuzzPeekRPC).
	var p rpcPeek
	if jsonv2.Unmarshal(body, &p, peekStrictOptions) == nil && p.Method != "" {
		if !validID(p.ID) {
			p.ID = nil
		}
		return p
	}
	// An empty method may be a missing one (a response) or one given as ""
	// or null (a call): only the raw values tell them apart.
	return peekRPCWire(body)
}

// peekStrictOptions are peekOptions refusing a repeated name.
var peekStrictOptions = jsonv2.JoinOptions(peekOptions, jsontext.AllowDuplicateNames(false))

// peekRPCWire is peekRPC for any body, read as the go-sdk reads it.
func peekRPCWire(body []byte) rpcPeek {
	// As the go-sdk reads a message: names matched exactly, a repeated
	// name taking the last value, invalid UTF-8 accepted.
	var w rpcWire
	if err := jsonv2.Unmarshal(body, &w, peekOptions); err != nil {
		// The go-sdk decodes the first value and ignores what follows it.
		w = rpcWire{}
		dec := jsontext.NewDecoder(bytes.NewReader(body), peekOptions)
		if jsonv2.UnmarshalDecode(dec, &w, peekOptions) != nil {
			return rpcPeek{}
		}
	}
	var p rpcPeek
	if len(w.Method) > 0 && jsonv2.Unmarshal(w.Method, &p.Method, peekOptions) != nil {
		return rpcPeek{}
	}
	if len(w.Params) > 0 && jsonv2.Unmarshal(w.Params, &p.Params, peekOptions) != nil {
		// A name the go-sdk would not read as a string, or params that
		// are no object: the URI is read on its own, as the go-sdk reads
		// a resource method's params.
		var u uriPeek
		if jsonv2.Unmarshal(w.Params, &u, peekOptions) != nil {
			u = uriPeek{}
		}
		p.Params = rpcPeekParams{URI: u.URI}
	}
	// A message with a method member, even "" or null, is a call: the
	// go-sdk answers it with its id. One without is a response, given
	// version 2.0.
	switch {
	case validID(w.ID) && len(w.Method) > 0:
		p.ID = w.ID
	case validID(w.ID):
		var v string
		p.response = jsonv2.Unmarshal(w.Version, &v, peekOptions) == nil && v == "2.0"
	}
	return p
}

// validID reports whether raw is a JSON-RPC id: a string or a number.
func validID(raw json.RawMessage) bool {
	if len(raw) == 0 {
		return false
	}
	switch c := raw[0]; {
	case c == '"':
		return true
	case c == '-' || c >= '0' && c <= '9':
		return true
	}
	return false
}

// maxExactID is the largest integer a float64 holds exactly, with every
// smaller one (JavaScript's Number.MAX_SAFE_INTEGER).
const maxExactID = 1<<53 - 1

// exactID reports whether an id (as validID has it, or none) comes back
// unchanged in the go-sdk's answer: a string that is valid Unicode, or a
// number whose value is an integer of at most maxExactID in magnitude (1e3
// and 1.0 are such numbers; 1.0000000000000001, which a float64 rounds to
// 1, is not). A string with a lone surrogate escape ("\ud800") is valid
// JSON, but the go-sdk's decoder replaces the surrogate with U+FFFD.
func exactID(raw json.RawMessage) bool {
	if len(raw) == 0 {
		return true
	}
	if raw[0] == '"' {
		// Raw bytes are UTF-8 (checkJSON); only an escape can be a lone
		// surrogate.
		if !bytes.Contains(raw, []byte(`\u`)) {
			return true
		}
		_, err := jsontext.AppendUnquote(nil, raw)
		return err == nil
	}
	if !bytes.ContainsAny(raw, ".eE") {
		v, err := strconv.ParseInt(string(raw), 10, 64)
		return err == nil && v >= -maxExactID && v <= maxExactID
	}
	// A fraction or an exponent: decided exactly, on a literal short
	// enough that the arithmetic stays small (an id in range needs 17
	// characters; its exponent is bounded the same way).
	if len(raw) > 64 {
		return false
	}
	if i := bytes.IndexAny(raw, "eE"); i >= 0 {
		if e, err := strconv.Atoi(string(raw[i+1:])); err != nil || e < -64 || e > 64 {
			return false
		}
	}
	v, ok := new(big.Rat).SetString(string(raw))
	return ok && v.IsInt() && v.Num().IsInt64() && max(v.Num().Int64(), -v.Num().Int64()) <= maxExactID
}

// responseLimit is the largest encoded response the front of a buffered
// invocation of shape returns, and who sets it; 0 means no limit.
func (h *Handler) responseLimit(shape Shape) (limit int, who string) {
	limit, who = h.limits.MaxResponseBytes, "Lambda"
	if shape == ShapeALB && limit > albMaxResponseBytes {
		limit, who = albMaxResponseBytes, "ALB"
	}
	return max(limit, 0), who
}
