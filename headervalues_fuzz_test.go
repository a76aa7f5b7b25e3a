package lambdamcp_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lambdamcp/lambdamcp"
)

// sentinelValue is a header value in the transport's Base64 form
// (=?base64?…?=, Streamable HTTP, "Value Encoding") decoded: ok is false
// when it is not in that form or does not decode.
func sentinelValue(v string) (decoded string, form, ok bool) {
	enc, found := strings.CutPrefix(v, "=?base64?")
	if !found {
		return "", false, false
	}
	if enc, found = strings.CutSuffix(enc, "?="); !found {
		return "", false, false
	}
	b, err := base64.StdEncoding.DecodeString(enc)
	return string(b), true, err == nil
}

// visibleASCII reports whether v holds only what the transport lets a
// header value carry unencoded: 0x20-0x7E and HTAB.
func visibleASCII(v string) bool {
	for _, c := range []byte(v) {
		if (c < ' ' && c != '\t') || c > '~' {
			return false
		}
	}
	return true
}

// headerValuesServed is whether a 2026-07-28 request with the body name
// (params.name, or a resources/read's params.uri) and, on tools/call,
// the argument region, is served with Mcp-Name nameHeader and
// Mcp-Param-Region regionHeader, as the transport reads them (Streamable
// HTTP, "Value Encoding", "Server Behavior for Custom Headers", "Server
// Validation"): a header value is what HTTP delivers of it, without the
// white space around it; one with a control character other than HTAB is
// no header value. Mcp-Name matches when it equals the name, or decodes
// from the Base64 form to it; the go-sdk's own client sends every name
// raw, one that looks encoded too, so a raw match is served. On a
// tools/call, an Mcp-Param-* value past visible ASCII is refused; on a
// call of sql (regionServer), whose region is mirrored into
// Mcp-Param-Region, the value matches when, in the Base64 form, it
// decodes to the argument, or otherwise equals it.
func headerValuesServed(method, name, nameHeader, region, regionHeader string) bool {
	nameHeader, regionHeader = strings.Trim(nameHeader, " \t"), strings.Trim(regionHeader, " \t")
	if !validHeaderValue(nameHeader) || !validHeaderValue(regionHeader) {
		return false
	}
	if d, _, ok := sentinelValue(nameHeader); nameHeader != name && (!ok || d != name) {
		return false
	}
	if method != "tools/call" {
		return true
	}
	if !visibleASCII(regionHeader) {
		return false
	}
	if name != "sql" {
		return true // no tool of that name mirrors anything
	}
	if d, form, ok := sentinelValue(regionHeader); form {
		return ok && d == region
	}
	return regionHeader == region
}

// FuzzHeaderValues sends 2026-07-28 tools/call, prompts/get and
// resources/read requests whose Mcp-Name and Mcp-Param-Region headers
// may or may not match the body, raw or Base64-encoded, through each event
// shape to regionServer, and checks that each is served or refused for
// its headers as headerValuesServed has it.
func FuzzHeaderValues(f *testing.F) {
	b64 := func(s string) string { return "=?base64?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?=" }
	for i, tc := range [][4]string{
		{"sql", "sql", "eu", "eu"},
		{"sql", b64("sql"), "eu", b64("eu")},
		{"sql", "sql", "eu", "us"},
		{"sql", "sql", "café", "café"},
		{"sql", "sql", "café", b64("café")},
		{"sql", "sql", " eu ", " eu "},
		{"sql", "sql", " eu ", b64(" eu ")},
		{"sql", "sql", "", ""},
		{"sql", "sql", "", b64("")},
		{"sql", "sql", "eu", ""},
		{"sql", "sql", "=?base64?ZXU=?=", "=?base64?ZXU=?="},
		{"sql", "sql", "eu", "=?base64?ZXU?="},
		{"sql", "sql", "a\nb", b64("a\nb")},
		{"sql", "sql\x00", "eu", "eu"},
		{"sql", "SQL", "eu", "eu"},
		{"sql", "=?base64?c3Fs?=", "eu", "eu\x7f"},
		{"echo", "echo", "eu", "eu"},
		{"café", "café", "eu", "é"},
		{"café", b64("café"), "", ""},
		{"=?base64?ZWNobw==?=", "=?base64?ZWNobw==?=", "", ""},
		{"=?base64?ZWNobw==?=", b64("=?base64?ZWNobw==?="), "", ""},
		{"echo", b64("echo\x00"), "", ""},
		{"echo", "=?base64?ZWNobw?=", "", ""},
		{"file:///a b", "file:///a b", "", ""},
		{"file:///a b", b64("file:///a b"), "", ""},
		{" x", " x", "", ""},
		{" x", b64(" x"), "", ""},
	} {
		for m := range 3 {
			f.Add(uint8(i), uint8(m), tc[0], tc[1], tc[2], tc[3])
		}
	}
	h := lambdamcp.NewHandler(streamable(regionServer()), &lambdamcp.Options{
		JSONResponse: true,
		Logger:       slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	methods := [...]string{"tools/call", "prompts/get", "resources/read"}
	f.Fuzz(func(t *testing.T, shape, method uint8, name, nameHeader, region, regionHeader string) {
		if name == "" || !utf8.ValidString(name) || !utf8.ValidString(region) || !utf8.ValidString(nameHeader) || !utf8.ValidString(regionHeader) {
			return // an event is JSON: it carries no invalid UTF-8, and the go-sdk takes no empty Mcp-Name
		}
		m := methods[int(method)%len(methods)]
		quote := func(s string) string {
			b, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		var params string
		switch m {
		case "tools/call":
			params = `"name":` + quote(name) + `,"arguments":{"region":` + quote(region) + `}`
		case "prompts/get":
			params = `"name":` + quote(name) + `,"arguments":{}`
		default:
			params = `"uri":` + quote(name)
		}
		req := jsonPost(`{"jsonrpc":"2.0","id":1,"method":"`+m+`","params":{`+params+`,`+modernMeta+`}}`,
			"MCP-Protocol-Version", modern, "Mcp-Method", m, "Mcp-Name", nameHeader, "Mcp-Param-Region", regionHeader)
		s := shapes[int(shape)%len(shapes)]
		out, err := invokeBounded(t, h, s.build(t, req))
		if err != nil {
			t.Fatalf("Invoke: %v", err)
		}
		a := checkInvocation(t, out)
		var e struct {
			Error struct {
				Code int `json:"code"`
			} `json:"error"`
		}
		if a.status != http.StatusOK && json.Unmarshal(a.body, &e) != nil {
			t.Fatalf("%s %s: %d %s; want a JSON-RPC error", s.name, m, a.status, a.body)
		}
		// Refused for its headers: 400 with -32020 (HeaderMismatch) or,
		// for a header HTTP does not carry, -32600. Anything else (a
		// result, an unknown tool) is the server's answer to the request.
		refused := a.status == http.StatusBadRequest && (e.Error.Code == -32020 || e.Error.Code == -32600)
		if want := headerValuesServed(m, name, nameHeader, region, regionHeader); refused == want {
			t.Errorf("%s %s of %q, region %q with Mcp-Name %q, Mcp-Param-Region %q: %d %s; want served: %v", s.name, m, name, region, nameHeader, regionHeader, a.status, a.body, want)
		}
	})
}
