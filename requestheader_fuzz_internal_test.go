package lambdamcp

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRequestHeaderChecks compares the header checks an event's request
// gets (checkHeaderFields, validHost, contentLength) with net/http's own
// server, which they stand in for: a header field, a Host and a
// Content-Length are refused (400) by one exactly when by the other.
// Only what an HTTP/1.1 request can carry is compared: no line break, no
// colon in a name, no Host with white space at either end (net/http
// trims a value), one Content-Length without a comma (a gateway's join
// of several, which net/http never reads).
func FuzzRequestHeaderChecks(f *testing.F) {
	for _, tc := range [][4]string{
		{"X-Custom", "value", "example.com", "0"},
		{"X-Custom", "a\tb", "example.com:443", " 0 "},
		{"X-Custom", "caf\xc3\xa9 \xff", "[::1]:8080", "00"},
		{"X-Custom", "a\x00b", "exa mple.com", "-1"},
		{"X-Custom", "a\x7fb", "exa\x00mple.com", "+0"},
		{"X-Custom", "a\x01b", "example.com/path", "0x0"},
		{"X Custom", "v", "user@example.com", ""},
		{"X-Caf\xc3\xa9", "v", "ex%41mple.com", "9223372036854775807"},
		{"", "v", "", "9223372036854775808"},
		{"X-(", "v", "a{b}", "1_0"},
		{"X-Custom", "\x0bvalue\x0c", "a\"b", "\t0"},
	} {
		f.Add(tc[0], tc[1], tc[2], tc[3])
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	f.Cleanup(srv.Close)
	status := func(t *testing.T, fields ...string) int {
		t.Helper()
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		req := "GET / HTTP/1.1\r\nConnection: close\r\n" + strings.Join(fields, "\r\n") + "\r\n\r\n"
		if _, err := conn.Write([]byte(req)); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("request %q: %v", req, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	const host = "Host: example.com"
	f.Fuzz(func(t *testing.T, name, value, hostValue, length string) {
		switch http.CanonicalHeaderKey(name) {
		case "Host", "Content-Length", "Transfer-Encoding":
		default:
			if !strings.ContainsAny(name, ":\r\n") && !strings.ContainsAny(value, "\r\n") {
				ours := checkHeaderFields(http.Header{name: {value}}) != nil
				if theirs := status(t, host, name+": "+value) == http.StatusBadRequest; ours != theirs {
					t.Errorf("header %q: %q: refused %v, by net/http %v", name, value, ours, theirs)
				}
			}
		}
		if !strings.ContainsAny(hostValue, "\r\n") && strings.Trim(hostValue, " \t") == hostValue {
			ours := !validHost(hostValue)
			if theirs := status(t, "Host: "+hostValue) == http.StatusBadRequest; ours != theirs {
				t.Errorf("Host %q: refused %v, by net/http %v", hostValue, ours, theirs)
			}
		}
		if !strings.ContainsAny(length, ",\r\n") {
			_, ok := contentLength([]string{length})
			if theirs := status(t, host, "Content-Length: "+length) == http.StatusBadRequest; !ok != theirs {
				t.Errorf("Content-Length %q: refused %v, by net/http %v", length, !ok, theirs)
			}
		}
	})
}
