package lambdamcp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// tokenDepth is the deepest nesting of valid JSON, by encoding/json.
func tokenDepth(b []byte) (int, bool) {
	if !json.Valid(b) {
		return 0, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	depth, deepest := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return deepest, true
		}
		if err != nil {
			return 0, false
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			deepest = max(deepest, depth)
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
}

// FuzzJSONDepth checks the bracket counter that guards the SDK's decoder
// against encoding/json's own reading of valid JSON: strings with brackets
// and escapes must not fool it.
func FuzzJSONDepth(f *testing.F) {
	for _, s := range []string{
		`{}`, `[[[]]]`, `{"a":"[[[["}`, `{"a":"\"[[","b":[1,{"c":[]}]}`, `"\\"`, `["\\\"]"]`,
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":[[1],[2]]}}}`,
		strings.Repeat("[", 70) + strings.Repeat("]", 70),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want, ok := tokenDepth(b)
		if !ok {
			return // the counter does not validate; the SDK's decoder does
		}
		for _, limit := range []int{1, want - 1, want, want + 1, DefaultMaxJSONDepth} {
			if limit < 1 {
				continue
			}
			if got, _ := scanJSON(b, limit); got != (want > limit) {
				t.Fatalf("scanJSON(%q, %d) deep = %v; depth is %d", b, limit, got, want)
			}
		}
	})
}

// trailingCases are bodies and whether something other than whitespace
// follows their first array or object.
var trailingCases = []struct {
	body     string
	trailing bool
}{
	{`{"jsonrpc":"2.0","id":1,"method":"ping"}`, false},
	{"{\"a\":1} \r\n\t", false},
	{`{"a":"}"}`, false},
	{`{"a":"\"}"}`, false},
	{`{"a":"\\"}`, false},
	{`[{"a":1}]`, false},
	{`{} {}`, true},
	{`{"a":1}}`, true},
	{`[1]x`, true},
	{`{"a":1} "b"`, true},
	{`{"a":[1,{"b":2}]} 0`, true},
	{`{"a":1`, false}, // unfinished: the SDK's decoder refuses it
	{`"x" {}`, false}, // no object first: the same
	{`5 6`, false},
	{"", false},
}

func TestScanJSONTrailing(t *testing.T) {
	for _, tc := range trailingCases {
		for _, limit := range []int{0, DefaultMaxJSONDepth} {
			if deep, trailing := scanJSON([]byte(tc.body), limit); deep || trailing != tc.trailing {
				t.Errorf("scanJSON(%q, %d) = %v, %v; want false, %v", tc.body, limit, deep, trailing, tc.trailing)
			}
		}
	}
}

// FuzzJSONTrailing checks scanJSON's trailing against encoding/json: when
// a body's first value is an array or an object that decodes, something
// follows it exactly when encoding/json finds more than whitespace after
// it.
func FuzzJSONTrailing(f *testing.F) {
	for _, tc := range trailingCases {
		f.Add([]byte(tc.body))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		first := bytes.TrimLeft(b, " \t\r\n")
		if len(first) == 0 || first[0] != '{' && first[0] != '[' {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		if dec.Decode(new(json.RawMessage)) != nil {
			return // scanJSON does not validate; the SDK's decoder refuses it
		}
		want := len(bytes.TrimLeft(b[dec.InputOffset():], " \t\r\n")) > 0
		for _, limit := range []int{0, 1 << 20} {
			if _, got := scanJSON(b, limit); got != want {
				t.Fatalf("scanJSON(%q, %d) trailing = %v, want %v", b, limit, got, want)
			}
		}
	})
}

// FuzzPeekRPC checks peekRPC's direct decode against reading the body as
// the go-sdk does (peekRPCWire): the two must agree on every body.
func FuzzPeekRPC(f *testing.F) {
	for _, tc := range peekCases {
		f.Add([]byte(tc.body))
	}
	for _, tc := range peekURICases {
		f.Add([]byte(tc.body))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, want := peekRPC(b), peekRPCWire(b)
		if string(got.ID) != string(want.ID) || got.Method != want.Method || got.Params.Name != want.Params.Name || got.response != want.response ||
			got.resourceURI() != want.resourceURI() {
			t.Fatalf("peekRPC(%q) = %s %q %q %q response %v; read as the go-sdk does: %s %q %q %q response %v",
				b, got.ID, got.Method, got.Params.Name, got.resourceURI(), got.response, want.ID, want.Method, want.Params.Name, want.resourceURI(), want.response)
		}
	})
}

// TestReadBody checks the body reader against bodies that match, fall short
// of and run past their declared length, and against the cap.
func TestReadBody(t *testing.T) {
	const body = `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`
	readErr := errors.New("connection reset")
	cases := []struct {
		name    string
		src     io.Reader
		length  int64
		max     int64
		want    string
		wantErr string
	}{
		{"declared length", strings.NewReader(body), int64(len(body)), 1 << 20, body, ""},
		{"unknown length", strings.NewReader(body), -1, 1 << 20, body, ""},
		{"shorter than declared", strings.NewReader(body), int64(len(body)) + 10, 1 << 20, body, ""},
		{"longer than declared", strings.NewReader(body), 5, 1 << 20, body, ""},
		{"no cap", strings.NewReader(body), 5, 0, body, ""},
		{"declared over the cap", strings.NewReader(body), int64(len(body)), 10, "", "request body exceeds 10 bytes"},
		{"runs past the cap", strings.NewReader(body), 5, 10, "", "request body exceeds 10 bytes"},
		{"exactly the cap", strings.NewReader(body), int64(len(body)), int64(len(body)), body, ""},
		{"one past the cap with EOF", iotest.DataErrReader(strings.NewReader(body[:11])), 10, 10, "", "request body exceeds 10 bytes"},
		{"at the cap with EOF", iotest.DataErrReader(strings.NewReader(body[:10])), 10, 10, body[:10], ""},
		{"read error", io.MultiReader(strings.NewReader(body[:10]), iotest.ErrReader(readErr)), int64(len(body)), 1 << 20, "", "failed to read body: connection reset"},
		{"read error past the length", io.MultiReader(strings.NewReader(body), iotest.ErrReader(readErr)), 5, 1 << 20, "", "failed to read body: connection reset"},
		// A declared length is not trusted to size a buffer beyond
		// exactReadMax: with the cap off, this one made the buffer first.
		{"huge declared length, cap off", strings.NewReader(body), 1 << 62, -1, body, ""},
		{"declared length past exactReadMax, shorter body", strings.NewReader(body), exactReadMax + 1, 1 << 20, body, ""},
		{"longer body past exactReadMax", strings.NewReader(strings.Repeat(" ", exactReadMax+10) + body), exactReadMax + 10 + int64(len(body)), 1 << 20, strings.Repeat(" ", exactReadMax+10) + body, ""},
		{"cap at the largest int64", strings.NewReader(body), int64(len(body)), math.MaxInt64, body, ""},
		{"cap at the largest int64, unknown length", strings.NewReader(body), -1, math.MaxInt64, body, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/mcp", tc.src)
			r.ContentLength = tc.length
			got, rej := Limits{MaxBodyBytes: tc.max}.readBody(r)
			if tc.wantErr != "" {
				if rej == nil || rej.msg != tc.wantErr {
					t.Fatalf("rejection = %+v, want %q", rej, tc.wantErr)
				}
				return
			}
			if rej != nil {
				t.Fatalf("rejected: %+v", rej)
			}
			if string(got) != tc.want {
				t.Errorf("body = %q, want %q", got, tc.want)
			}
		})
	}
}

// peekCases are bodies and what the guard reads of them for its logs and
// its own error answers, read as the go-sdk reads them: names matched
// exactly, a repeated name taking the last value.
var peekCases = []struct {
	body             string
	id, method, tool string
}{
	{`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"ping","arguments":{"a":[1,{"b":2}]}}}`, "7", "tools/call", "ping"},
	{`{"jsonrpc":"2.0","id":"abc","method":"tools/list"}`, `"abc"`, "tools/list", ""},
	{` 	{"id":-1.5,"method":"ping"}`, "-1.5", "ping", ""},
	{`{"id":null,"method":"ping"}`, "", "ping", ""},
	{`{"id":{"x":1},"method":"ping"}`, "", "ping", ""},
	{`{"id":1,"method":"a","method":"b"}`, "1", "b", ""},
	{"{\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"s\":\"caf\xe9\"}}}", "2", "tools/call", "echo"},
	{`{"ID":1,"Method":"ping"}`, "", "", ""},
	{`[{"id":1,"method":"ping"}]`, "", "", ""},
	{`{"id":1,"method":"ping"`, "", "", ""},
	{`{"id":1,"method":"tools/call","params":"name"}`, "1", "tools/call", ""},
	// The go-sdk reads params and method as raw values: a repeated one
	// replaces the one before, a null method is an empty one.
	{`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{}},"params":{"arguments":{}}}`, "7", "tools/call", ""},
	{`{"id":7,"method":"tools/call","params":{"name":"echo"},"params":null}`, "7", "tools/call", ""},
	{`{"id":7,"method":"tools/call","params":{"name":"a","name":"b"}}`, "7", "tools/call", "b"},
	{`{"id":1,"method":"x","method":null}`, "1", "", ""},
	// A method given as "" or null makes a call all the same, which the
	// go-sdk answers (method not found) with its id.
	{`{"jsonrpc":"2.0","id":1,"method":""}`, "1", "", ""},
	{`{"jsonrpc":"2.0","id":"a","method":null}`, `"a"`, "", ""},
	{`{"jsonrpc":"2.0","id":null,"method":""}`, "", "", ""},
	// A response's id is the server's own, not one to answer with.
	{`{"jsonrpc":"2.0","id":3,"result":{}}`, "", "", ""},
	{`{"jsonrpc":"2.0","id":3,"error":{"code":1,"message":"m"}}`, "", "", ""},
	{`{"id":1,"method":5}`, "", "", ""},
	{`{"id":1,"id":2,"method":"ping"}`, "2", "ping", ""},
	// The go-sdk serves the first value of a body and ignores the rest.
	{`{"id":3,"method":"tools/call","params":{"name":"echo"}} trailing`, "3", "tools/call", "echo"},
	{`{"id":3,"method":"ping"}{"id":4,"method":"tools/list"}`, "3", "ping", ""},
	{``, "", "", ""},
}

// TestPeekRPC checks peekRPC on peekCases.
func TestPeekRPC(t *testing.T) {
	for _, tc := range peekCases {
		p := peekRPC([]byte(tc.body))
		if string(p.ID) != tc.id || p.Method != tc.method || p.Params.Name != tc.tool {
			t.Errorf("peekRPC(%s) = id %s, method %q, tool %q; want %s, %q, %q", tc.body, p.ID, p.Method, p.Params.Name, tc.id, tc.method, tc.tool)
		}
	}
}

// peekURICases are bodies and the tool name and resource URI the guard
// reads of them, as the go-sdk reads them: the URI of a resource method
// only, a string's text; a member the method's params do not have
// ignored, whatever its type.
var peekURICases = []struct {
	name, body string
	tool, uri  string
}{
	{"read", `{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"file:///notes.txt"}}`, "", "file:///notes.txt"},
	{"subscribe", `{"jsonrpc":"2.0","id":1,"method":"resources/subscribe","params":{"uri":"file:///a"}}`, "", "file:///a"},
	{"unsubscribe", `{"jsonrpc":"2.0","id":1,"method":"resources/unsubscribe","params":{"uri":"file:///a"}}`, "", "file:///a"},
	{"params before the method", `{"jsonrpc":"2.0","params":{"uri":"file:///a"},"id":1,"method":"resources/read"}`, "", "file:///a"},
	{"escapes", `{"id":1,"method":"resources/read","params":{"uri":"file:///caf\u00e9"}}`, "", "file:///café"},
	{"invalid UTF-8", "{\"id\":1,\"method\":\"resources/read\",\"params\":{\"uri\":\"file:///caf\xe9\"}}", "", "file:///caf\uFFFD"},
	{"a repeated uri, the last", `{"id":1,"method":"resources/read","params":{"uri":"a","uri":"b"}}`, "", "b"},
	{"repeated params, the last", `{"id":1,"method":"resources/read","params":{"uri":"a"},"params":{"_meta":{}}}`, "", ""},
	{"a uri that is no string", `{"id":1,"method":"resources/read","params":{"uri":5}}`, "", ""},
	{"a null uri", `{"id":1,"method":"resources/read","params":{"uri":null}}`, "", ""},
	{"params that are no object", `{"id":1,"method":"resources/read","params":["file:///a"]}`, "", ""},
	{"a name that is no string beside the uri", `{"id":1,"method":"resources/read","params":{"name":5,"uri":"file:///a"}}`, "", "file:///a"},
	{"the uri of a method without one", `{"id":1,"method":"tools/call","params":{"name":"echo","uri":"file:///a"}}`, "echo", ""},
	{"a uri that is no string beside a tool", `{"id":1,"method":"tools/call","params":{"name":"echo","uri":5}}`, "echo", ""},
	{"a tool's arguments", `{"id":1,"method":"tools/call","params":{"name":"echo","arguments":{"uri":"file:///a"}}}`, "echo", ""},
	{"a batch", `[{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"file:///a"}}]`, "", ""},
}

// TestPeekResourceURI checks the tool name and resource URI peekRPC reads
// on peekURICases.
func TestPeekResourceURI(t *testing.T) {
	for _, tc := range peekURICases {
		t.Run(tc.name, func(t *testing.T) {
			p := peekRPC([]byte(tc.body))
			got := struct{ Tool, URI string }{p.Params.Name, p.resourceURI()}
			want := struct{ Tool, URI string }{tc.tool, tc.uri}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("peekRPC(%s) (-want +got):\n%s", tc.body, diff)
			}
		})
	}
}

// TestPeekResponse checks which bodies peekRPC reads as a JSON-RPC
// response, as the go-sdk's decoder tells one from a call: a member
// method, even "" or null, makes a call; a response needs version 2.0 and
// an id that is a string or a number.
func TestPeekResponse(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{`{"jsonrpc":"2.0","id":1,"result":{}}`, true},
		{`{"jsonrpc":"2.0","id":"a","error":{"code":-1,"message":"no"}}`, true},
		{`{"jsonrpc":"2.0","id":1}`, true}, // neither member: a response to the go-sdk all the same
		{`{"jsonrpc":"2.0","id":1,"result":{},"method":"ping"}`, false},
		{`{"jsonrpc":"2.0","id":1,"result":{},"method":""}`, false},
		{`{"jsonrpc":"2.0","id":1,"result":{},"method":null}`, false},
		{`{"jsonrpc":"2.0","id":null,"result":{}}`, false},
		{`{"jsonrpc":"2.0","result":{}}`, false},
		{`{"jsonrpc":"1.0","id":1,"result":{}}`, false},
		{`{"id":1,"result":{}}`, false},
		{`[{"jsonrpc":"2.0","id":1,"result":{}}]`, false},
		{`{"jsonrpc":"2.0","method":"notifications/initialized"}`, false},
	}
	for _, tc := range tests {
		if got := peekRPC([]byte(tc.body)).response; got != tc.want {
			t.Errorf("peekRPC(%s).response = %v, want %v", tc.body, got, tc.want)
		}
	}
}

// TestCheckHeadersCountsHost checks that Host, which net/http and
// newRequest move out of r.Header, still counts toward both header caps,
// as the header it was on the wire.
func TestCheckHeadersCountsHost(t *testing.T) {
	req := func(host string, n int) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
		r.Host = host
		r.Header = make(http.Header)
		for i := range n {
			r.Header.Set("X-Pad-"+string(rune('a'+i)), "1")
		}
		return r
	}
	tests := []struct {
		name   string
		limits Limits
		r      *http.Request
		want   string // part of the rejection's message; "" for none
	}{
		{"values at the cap", Limits{MaxHeaders: 3}, req("h.example", 2), ""},
		{"Host is the value over the cap", Limits{MaxHeaders: 2}, req("h.example", 2), "3 header values; the limit is 2"},
		{"no Host", Limits{MaxHeaders: 2}, req("", 2), ""},
		{"bytes at the cap", Limits{MaxHeaderBytes: len("Host") + 9}, req("h.example", 0), ""},
		{"Host's bytes over the cap", Limits{MaxHeaderBytes: len("Host") + 8}, req("h.example", 0), "exceed 12 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rej := tc.limits.checkHeaders(tc.r)
			switch {
			case tc.want == "" && rej != nil:
				t.Fatalf("refused: %s", rej.msg)
			case tc.want != "" && rej == nil:
				t.Fatalf("accepted; want a 431 with %q", tc.want)
			case tc.want != "" && (rej.status != http.StatusRequestHeaderFieldsTooLarge || !strings.Contains(rej.msg, tc.want)):
				t.Fatalf("got %d %q; want 431 with %q", rej.status, rej.msg, tc.want)
			}
		})
	}
}

// errReader fails every read with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// TestBodyReadError checks the answers to a body that could not be read:
// a 408 for one that stopped coming, and no connection's addresses in the
// message.
func TestBodyReadError(t *testing.T) {
	addr := &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 4567}
	timeout := &net.OpError{Op: "read", Net: "tcp", Addr: addr, Err: os.ErrDeadlineExceeded}
	reset := &net.OpError{Op: "read", Net: "tcp", Addr: addr, Err: errors.New("connection reset by peer")} // syscall.ECONNRESET, which Plan 9 has not
	tests := []struct {
		err    error
		status int
		msg    string
	}{
		{timeout, http.StatusRequestTimeout, "failed to read body: the request body did not arrive in time"},
		{reset, http.StatusBadRequest, "failed to read body: connection error"},
		{io.ErrUnexpectedEOF, http.StatusBadRequest, "failed to read body: unexpected EOF"},
	}
	for _, tc := range tests {
		for _, length := range []int64{-1, 10} { // read on, and read exactly
			r := httptest.NewRequest("POST", "/mcp", nil)
			r.Body, r.ContentLength = io.NopCloser(errReader{tc.err}), length
			_, rej := Limits{MaxBodyBytes: 100}.readBody(r)
			if rej == nil || rej.status != tc.status || rej.msg != tc.msg || strings.Contains(rej.msg, "10.1.2.3") {
				t.Errorf("%v (length %d): %+v, want %d %q", tc.err, length, rej, tc.status, tc.msg)
			}
		}
	}
}

// TestExactID checks which ids come back unchanged from the go-sdk, which
// reads numbers as float64 and answers with their int64.
func TestExactID(t *testing.T) {
	for raw, want := range map[string]bool{
		``: true, `"x"`: true, `7`: true, `-7`: true, `0`: true, `1.0`: true, `1e3`: true,
		`9007199254740991`: true, `-9007199254740991`: true,
		`9007199254740992`: false, `9007199254740993`: false, `1.5`: false, `1e30`: false, `-1e400`: false,
		`1.0000000000000001`: false, `4503599627370497.5`: false, `1e-400`: false, `0.0`: true, `-0`: true, `1E2`: true,
		`12.50e1`: true, `9007199254740991.0`: true, `90071992547409910e-1`: true, `1e999999999`: false, `1e+2`: true,
		`"\u00e9"`: true, `"\ud83d\ude00"`: true, `"\\ud800"`: true, `"\ud800"`: false, `"\ude00"`: false,
		`"a\ud83dx"`: false, `"\ud83d\u0041"`: false,
	} {
		if got := exactID(json.RawMessage(raw)); got != want {
			t.Errorf("exactID(%s) = %v, want %v", raw, got, want)
		}
	}
}

// TestLimitEdges checks the limits at their edges: one switched off leaves
// the other on, header names count toward the bytes, the depth limit is
// the deepest nesting allowed, and a body of unknown length exactly at the
// cap is read whole.
func TestLimitEdges(t *testing.T) {
	manyBytes := httptest.NewRequest("POST", "/mcp", nil)
	manyBytes.Header.Set("X-Big", strings.Repeat("a", 70_000))
	if rej := (Limits{MaxHeaders: -1}).withDefaults().checkHeaders(manyBytes); rej == nil || rej.status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("MaxHeaders off, 70 KB of headers: %+v, want 431", rej)
	}
	longName := httptest.NewRequest("POST", "/mcp", nil)
	longName.Host = ""
	longName.Header = http.Header{"X-" + strings.Repeat("n", 88): {strings.Repeat("v", 20)}}
	if rej := (Limits{MaxHeaderBytes: 100}).withDefaults().checkHeaders(longName); rej == nil {
		t.Error("a 90-byte name and a 20-byte value passed a 100-byte limit")
	}

	nest := func(n int) []byte { return []byte(strings.Repeat("[", n) + strings.Repeat("]", n)) }
	l := Limits{}.withDefaults()
	if rej := l.checkJSON(nest(DefaultMaxJSONDepth)); rej != nil {
		t.Errorf("nesting %d deep: %+v, want it let through", DefaultMaxJSONDepth, rej)
	}
	if rej := l.checkJSON(nest(DefaultMaxJSONDepth + 1)); rej == nil || rej.status != http.StatusBadRequest {
		t.Errorf("nesting %d deep: %+v, want 400", DefaultMaxJSONDepth+1, rej)
	}

	body := strings.Repeat("z", 100)
	r := httptest.NewRequest("POST", "/mcp", io.NopCloser(strings.NewReader(body)))
	r.ContentLength = -1
	got, rej := Limits{MaxBodyBytes: 100}.readBody(r)
	if rej != nil || string(got) != body {
		t.Errorf("unknown length, exactly at the cap: %d bytes, %+v; want all 100", len(got), rej)
	}
}

// TestAcceptsWeights checks Accept as RFC 9110 reads it: a range of weight
// 0 admits nothing, and the most specific range that matches decides.
func TestAcceptsWeights(t *testing.T) {
	tests := []struct {
		accept            string
		wantJSON, wantSSE bool
	}{
		{"application/json, text/event-stream", true, true},
		{"application/json;q=0, text/event-stream", false, true},
		{"application/json; q=0.000, text/event-stream", false, true},
		{"application/json;q=0.5, text/event-stream;q=1", true, true},
		{"application/json;q=0.01, text/event-stream", true, true},
		{"application/json;q=0, */*", false, true},
		{"*/*;q=0, application/json", true, false},
		{"text/*;q=0, text/event-stream, application/*", true, true},
		{"text/event-stream;q=0, text/*", false, false},
		{"Application/JSON;Q=0, text/event-stream", false, true},
		{"application/json;charset=utf-8, text/event-stream", true, true},
		{"application/json; Q = 0 , text/event-stream", false, true},
		{"application/json;q=0.0001, text/event-stream", true, true},
		{"application/json;q=00, text/event-stream", false, true},
		// Weights that are no weights are read leniently, as admitting.
		{"application/json;q=abc, text/event-stream", true, true},
		{"application/json;q=1.5, text/event-stream", true, true},
		{"application/json;q=., text/event-stream", true, true},
		{"application/json;q=, text/event-stream", true, true},
		{"application/json;q= , text/event-stream", true, true},
		// Of ranges as specific, one that admits is enough.
		{"application/json, application/json;q=0, text/event-stream", true, true},
		{"text/event-stream;q=0, application/json, text/event-stream", true, true},
	}
	for _, tc := range tests {
		if j, s := acceptRanges([]string{tc.accept}); j.ok != tc.wantJSON || s.ok != tc.wantSSE {
			t.Errorf("acceptRanges(%q) admit %v, %v; want %v, %v", tc.accept, j.ok, s.ok, tc.wantJSON, tc.wantSSE)
		}
	}
}

// TestAcceptanceNamesWeightZero checks that a 406 tells a client that
// listed a media type the server answers only with a weight of 0 why the
// type was not taken, and tells no other client so.
func TestAcceptanceNamesWeightZero(t *testing.T) {
	const (
		needJSON = "Accept must admit application/json: this server answers JSON"
		needBoth = "Accept must contain both 'application/json' and 'text/event-stream'"
	)
	tests := []struct {
		accept       string
		jsonResponse bool
		want         string
	}{
		{"application/json;q=0, text/event-stream", true, needJSON + ", and q=0 admits nothing"},
		{"application/*;q=0", true, needJSON + ", and q=0 admits nothing"},
		{"*/*;q=0", true, needJSON + ", and q=0 admits nothing"},
		{"text/html, image/png;q=0", true, needJSON},
		{"text/event-stream", true, needJSON},
		{"application/json, text/event-stream;q=0", false, needBoth + " of a weight above 0: q=0 admits nothing"},
		{"application/json;q=0, text/event-stream;q=0", false, needBoth + " of a weight above 0: q=0 admits nothing"},
		{"application/json, text/*;q=0", false, needBoth + " of a weight above 0: q=0 admits nothing"},
		{"application/json", false, needBoth},
		{"application/json, image/png;q=0", false, needBoth},
	}
	for _, tc := range tests {
		_, rej := acceptance([]string{tc.accept}, tc.jsonResponse)
		if rej == nil {
			t.Errorf("acceptance(%q, %v) took it; want a 406", tc.accept, tc.jsonResponse)
			continue
		}
		if rej.status != http.StatusNotAcceptable || rej.msg != tc.want {
			t.Errorf("acceptance(%q, %v) = %d %q; want 406 %q", tc.accept, tc.jsonResponse, rej.status, rej.msg, tc.want)
		}
	}
}
