package localfront

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestForwardedHeaders checks the headers the front adds as an AWS front
// end does: the client's address appended to a chain the client sent, the
// scheme it was reached over, the port, 80 when the Host names none, and the
// X-Ray trace header with the request's Root.
func TestForwardedHeaders(t *testing.T) {
	const traceRoot = "Root=1-5759e988-bd862e3fe1be46a994272793"
	tests := []struct {
		name, host string
		prior      []string // the client's X-Forwarded-For lines
		want       map[string]string
	}{
		{"no chain, port in Host", "127.0.0.1:9000", nil,
			map[string]string{"X-Forwarded-For": "10.1.2.3", "X-Forwarded-Proto": "http", "X-Forwarded-Port": "9000", "X-Amzn-Trace-Id": traceRoot}},
		{"a chain the client sent, no port", "localhost", []string{"192.0.2.7"},
			map[string]string{"X-Forwarded-For": "192.0.2.7, 10.1.2.3", "X-Forwarded-Proto": "http", "X-Forwarded-Port": "80", "X-Amzn-Trace-Id": traceRoot}},
		{"a chain sent on two lines", "localhost", []string{"192.0.2.7", "198.51.100.9"},
			map[string]string{"X-Forwarded-For": "192.0.2.7, 198.51.100.9, 10.1.2.3", "X-Forwarded-Proto": "http", "X-Forwarded-Port": "80", "X-Amzn-Trace-Id": traceRoot}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/mcp", nil)
			r.Host = tc.host
			if tc.prior != nil {
				r.Header["X-Forwarded-For"] = tc.prior
			}
			h := (&request{r: r, sourceIP: "10.1.2.3", traceRoot: traceRoot}).headers(false)
			got := map[string]string{}
			for k := range tc.want {
				got[k] = h.Get(k)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRawQueryEmptyParts checks that an ALB event's undecoded query skips
// the empty parameters of "a=1&&b=2", as it has no name to give them.
func TestRawQueryEmptyParts(t *testing.T) {
	req := &request{r: httptest.NewRequest("GET", "/mcp?a=1&&b=2&a=3&", nil)}
	want := map[string][]string{"a": {"1", "3"}, "b": {"2"}}
	if diff := cmp.Diff(want, req.rawQuery()); diff != "" {
		t.Errorf("rawQuery (-want +got):\n%s", diff)
	}
}

// TestCookies checks the payload 2.0 cookies list: the cookie-pairs of
// every Cookie line, and no entry for the empty pieces of a line such as
// "a=1; ;b=2", which name no cookie (RFC 6265 §4.2.1).
func TestCookies(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  []string
	}{
		{"none", nil, nil},
		{"one line", []string{"c1=v1; c2=v2"}, []string{"c1=v1", "c2=v2"}},
		{"two lines", []string{"c1=v1", "c2=v2; c3=v3"}, []string{"c1=v1", "c2=v2", "c3=v3"}},
		{"no space after the semicolon", []string{"c1=v1;c2=v2"}, []string{"c1=v1", "c2=v2"}},
		{"empty pieces", []string{"a=1; ;b=2;", "; "}, []string{"a=1", "b=2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/mcp", nil)
			if tc.lines != nil {
				r.Header["Cookie"] = tc.lines
			}
			if diff := cmp.Diff(tc.want, (&request{r: r}).cookies()); diff != "" {
				t.Errorf("cookies (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEncodedBody checks the body an event carries: text as sent, other
// bytes base64-encoded with isBase64Encoded set, and no body at all as an
// empty, unencoded one whatever its Content-Type, as AWS sends a request
// without a body.
func TestEncodedBody(t *testing.T) {
	type encoded struct {
		Body   string
		Base64 bool
	}
	tests := []struct {
		name, contentType, body string
		want                    encoded
	}{
		{"text", "application/json", `{}`, encoded{`{}`, false}},
		{"binary", "application/octet-stream", "\xff\x00", encoded{"/wA=", true}},
		{"empty, binary type", "application/octet-stream", "", encoded{"", false}},
		{"empty, image type", "image/png", "", encoded{"", false}},
		{"empty, no type", "", "", encoded{"", false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/mcp", nil)
			if tc.contentType != "" {
				r.Header.Set("Content-Type", tc.contentType)
			}
			var got encoded
			got.Body, got.Base64 = (&request{r: r, body: []byte(tc.body)}).encodedBody()
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("encodedBody (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRequestBodyIsText checks which request bodies an event carries as
// text: valid UTF-8 of a textual media type, YAML and GraphQL among them,
// whatever the type's parameters.
func TestRequestBodyIsText(t *testing.T) {
	tests := []struct {
		contentType, body string
		want              bool
	}{
		{"", "x", true},
		{"text/csv", "a,b", true},
		{"application/json", `{}`, true},
		{"application/json", "\xff", false},
		{"application/yaml", "a: 1", true},
		{"application/graphql", "{ a }", true},
		{"application/x-www-form-urlencoded", "a=1", true},
		{"application/octet-stream", "x", false},
		// The type decides, in any letter case, whatever its parameters,
		// even ones that do not parse, as on alb.
		{"Application/JSON; Charset=UTF-8", `{}`, true},
		{"application/json; charset", `{}`, true},
		{"text/plain; charset=utf-8; charset=ascii", "x", true},
		{"application/octet-stream; charset", "x", false},
		{"text", "x", false},
	}
	for _, tc := range tests {
		if got := isText(tc.contentType, []byte(tc.body)); got != tc.want {
			t.Errorf("isText(%q, %q) = %v, want %v", tc.contentType, tc.body, got, tc.want)
		}
	}
}

// TestEventTime checks the request time the events carry, as API Gateway
// and Function URLs write it: "09/Apr/2015:12:34:56 +0000", and the epoch
// in milliseconds.
func TestEventTime(t *testing.T) {
	now := time.Date(2015, time.April, 9, 12, 34, 56, 789_000_000, time.UTC)
	type seen struct {
		Time  string
		Epoch int64
	}
	want := seen{"09/Apr/2015:12:34:56 +0000", 1428582896789}
	for _, shape := range []Shape{ShapeREST, ShapeHTTP, ShapeURL} {
		t.Run(string(shape), func(t *testing.T) {
			f, err := New(Config{Shape: shape, Function: echoFunction()})
			if err != nil {
				t.Fatal(err)
			}
			req := &request{r: httptest.NewRequest("POST", "/mcp", nil), path: "/mcp", rawPath: "/mcp", now: now}
			var got seen
			switch shape {
			case ShapeREST:
				ev := f.restEvent(req, nil)
				got = seen{ev.RequestContext.RequestTime, ev.RequestContext.RequestTimeEpoch}
			case ShapeHTTP:
				ev := f.httpEvent(req, nil)
				got = seen{ev.RequestContext.Time, ev.RequestContext.TimeEpoch}
			default:
				ev := f.urlEvent(req)
				got = seen{ev.RequestContext.Time, ev.RequestContext.TimeEpoch}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("request time (-want +got):\n%s", diff)
			}
		})
	}
}
