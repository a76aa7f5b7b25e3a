package lambdamcp

import (
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestHeadersDoNotShareValues checks that the header values copied out of
// an event, which share a backing array, stay apart when a handler appends
// to one of them, and that names differing only in case are merged.
func TestHeadersDoNotShareValues(t *testing.T) {
	single := http.Header{}
	singleHeaders(single, map[string]string{"a": "1", "b": "2", "c": "3"})
	multi := http.Header{}
	multiHeaders(multi, map[string][]string{"a": {"1"}, "b": {"2", "2b"}, "c": {"3"}, "x-dup": {"d1"}, "X-Dup": {"d2"}})
	for name, h := range map[string]http.Header{"single": single, "multi": multi} {
		t.Run(name, func(t *testing.T) {
			before := map[string][]string{}
			for k, vs := range h {
				before[k] = slices.Clone(vs)
			}
			for k := range before {
				h.Add(k, "appended-"+k)
			}
			for k, vs := range before {
				want := append(vs, "appended-"+k)
				if !slices.Equal(h[k], want) {
					t.Errorf("%s = %q, want %q", k, h[k], want)
				}
			}
		})
	}
	dup := slices.Clone(multi["X-Dup"])
	slices.Sort(dup)
	if !slices.Equal(dup, []string{"appended-X-Dup", "d1", "d2"}) {
		t.Errorf("X-Dup = %q, want d1 and d2 merged", multi["X-Dup"])
	}
}

// TestHeaderSpellingsDeterministic checks that an event naming one header
// in two spellings gives the same request every time (Go's map order is
// random), with both values kept, and that values lose the surrounding
// whitespace net/http strips from a field value.
func TestHeaderSpellingsDeterministic(t *testing.T) {
	for range 50 {
		single := http.Header{}
		singleHeaders(single, map[string]string{"Mcp-Param-Region": "eu-west-1", "mcp-param-region": "us-east-1", "MCP-PARAM-REGION": " ap-south-1\t", "Other": "x"})
		if want := []string{"ap-south-1", "eu-west-1", "us-east-1"}; !slices.Equal(single["Mcp-Param-Region"], want) {
			t.Fatalf("single: %q, want %q", single["Mcp-Param-Region"], want)
		}
		multi := http.Header{}
		multiHeaders(multi, map[string][]string{"Mcp-Param-Region": {"eu-west-1", " b "}, "mcp-param-region": {"us-east-1"}, "Other": {"x"}})
		if want := []string{"eu-west-1", "b", "us-east-1"}; !slices.Equal(multi["Mcp-Param-Region"], want) {
			t.Fatalf("multi: %q, want %q", multi["Mcp-Param-Region"], want)
		}
		for _, h := range []http.Header{single, multi} {
			if !slices.Equal(h["Other"], []string{"x"}) {
				t.Fatalf("Other = %q", h["Other"])
			}
		}
	}
	h := http.Header{}
	singleHeaders(h, map[string]string{"A": " 1 ", "B": "\t2"})
	if h.Get("A") != "1" || h.Get("B") != "2" {
		t.Errorf("values not trimmed: %q", h)
	}
}

// TestRequestErrorsDocumented checks that every way an event can make no
// valid request is a row of docs/errors.md's bad input table: newRequest
// refuses each of these events, and the message it answers with must be
// one that a row lists. TestErrorsDoc holds the rows to the answers; this
// holds the answers to the rows, so that a refusal cannot go unlisted.
func TestRequestErrorsDocumented(t *testing.T) {
	doc, err := os.ReadFile("docs/errors.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows []string // the rows of its tables
	for line := range strings.Lines(string(doc)) {
		if strings.HasPrefix(line, "|") {
			rows = append(rows, line)
		}
	}
	with := func(edit func(p *requestParts)) requestParts {
		p := requestParts{method: http.MethodPost, path: "/mcp", header: http.Header{"Host": {"example.com"}}, body: "{}"}
		edit(&p)
		return p
	}
	tests := []struct {
		name    string
		parts   requestParts
		message string // what the answer's message holds, as the row lists it
	}{
		{"body not the base64 it claims", with(func(p *requestParts) { p.base64 = true }), "event body is not valid base64: "},
		{"two Host headers", with(func(p *requestParts) { p.header["Host"] = []string{"a.example", "b.example"} }), "request has more than one Host header"},
		{"malformed Host", with(func(p *requestParts) { p.header["Host"] = []string{"a b"} }), "request has a malformed Host header"},
		{"path not valid percent-encoding", with(func(p *requestParts) { p.path, p.escaped = "/mcp/%zz", true }), "request path is not valid percent-encoding"},
		{"path without a leading slash", with(func(p *requestParts) { p.path = "@other.example/mcp" }), "request path does not begin with a slash"},
		{"header name no token", with(func(p *requestParts) { p.header["X Test"] = []string{"1"} }), "request has a header name that is no token"},
		{"header value with a control character", with(func(p *requestParts) { p.header["X-Test"] = []string{"a\nb"} }), "request has a header value with a control character"},
		{"Transfer-Encoding other than chunked", with(func(p *requestParts) { p.header["Transfer-Encoding"] = []string{"gzip"} }), "request has a Transfer-Encoding other than chunked"},
		{"Content-Length no length", with(func(p *requestParts) { p.header["Content-Length"] = []string{"two"} }), "request has an invalid Content-Length"},
		{"method no token", with(func(p *requestParts) { p.method = "BAD METHOD" }), "invalid method"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newRequest(t.Context(), tc.parts)
			if err == nil || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("newRequest error = %v, want one saying %q", err, tc.message)
			}
			if !slices.ContainsFunc(rows, func(row string) bool { return strings.Contains(row, "`"+tc.message) }) {
				t.Errorf("no row of docs/errors.md lists the answer %q", tc.message)
			}
		})
	}
}
