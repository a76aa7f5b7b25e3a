package lambdamcp

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/lambdamcp/lambdamcp/internal/httpsyntax"
)

// The header checks below hold an event's request to what net/http
// accepts of a client's, so that a request is answered alike on Lambda
// and off it: net/http refuses the request before any handler runs, and
// lambdamcp has the guard refuse it (eventError), in JSON.

// errBadHeaderName marks an event with a header name that is no RFC 9110
// token, which net/http refuses with 400.
type errBadHeaderName struct{}

func (errBadHeaderName) Error() string { return "request has a header name that is no token" }

// errBadHeaderValue marks an event with a header value holding a control
// character other than HTAB (NUL, CR, LF, DEL…), which net/http refuses
// with 400: a handler that copies the value into a header or a log line
// of its own would carry the line break on.
type errBadHeaderValue struct{}

func (errBadHeaderValue) Error() string { return "request has a header value with a control character" }

// errBadTransferEncoding marks an event whose Transfer-Encoding is other
// than one "chunked", which net/http answers with 501 (RFC 9112 6.1).
type errBadTransferEncoding struct{}

func (errBadTransferEncoding) Error() string {
	return "request has a Transfer-Encoding other than chunked"
}

// errBadContentLength marks an event whose Content-Length is no length,
// or several that differ, which net/http refuses with 400.
type errBadContentLength struct{}

func (errBadContentLength) Error() string { return "request has an invalid Content-Length" }

// checkHeaderFields reports the first name or value of h that net/http
// would refuse in a request it reads. It allocates nothing.
func checkHeaderFields(h http.Header) error {
	for k, vs := range h {
		if !httpsyntax.IsToken(k) {
			return errBadHeaderName{}
		}
		for _, v := range vs {
			if !validFieldValue(v) {
				return errBadHeaderValue{}
			}
		}
	}
	return nil
}

// validFieldValue reports whether v holds no control character but HTAB;
// obs-text (bytes from 0x80) is allowed, as net/http allows it.
func validFieldValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// validHost reports whether a Host value holds only characters RFC 3986
// (3.2.2) allows in a host and its port: letters, digits, unreserved
// and sub-delims, the % of percent-encoding (and of an IPv6 zone), the
// colon and the brackets of an IP literal. Like net/http, it checks the
// characters, not the grammar: a misplaced bracket passes.
func validHost(h string) bool {
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-._~!$&'()*+,;=%:[]", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// frameBody makes the header's body framing what net/http leaves of it for
// a request whose body is size bytes: Transfer-Encoding goes (net/http
// moves it to r.TransferEncoding; the gateway has read the chunks, so the
// handler gets the length, and no Transfer-Encoding), and Content-Length
// with it, as net/http drops it beside chunked; a Content-Length is the
// body's length, which it may not be as the event carries it, after API
// Gateway decompressed a REST API's body. A framing net/http refuses is
// refused. It allocates only to rewrite a Content-Length.
func frameBody(h http.Header, size int) error {
	if te, ok := h["Transfer-Encoding"]; ok {
		delete(h, "Transfer-Encoding")
		delete(h, "Content-Length")
		// An HTTP API or Function URL joins two with a comma, which is
		// no "chunked" either: net/http refuses two.
		if len(te) != 1 || !strings.EqualFold(te[0], "chunked") {
			return errBadTransferEncoding{}
		}
		return nil
	}
	cl, ok := h["Content-Length"]
	if !ok {
		return nil
	}
	n, ok := contentLength(cl)
	if !ok {
		return errBadContentLength{}
	}
	if len(cl) != 1 || n != uint64(size) || strings.IndexByte(cl[0], ',') >= 0 {
		h["Content-Length"] = []string{strconv.Itoa(size)}
	}
	return nil
}

// contentLength is the length the Content-Length values name: net/http
// takes several only when they agree, and RFC 9110 (8.6) a comma list of
// one length repeated, which is how an HTTP API or Function URL joins
// repeated headers.
func contentLength(values []string) (uint64, bool) {
	var n uint64
	seen := false
	for _, v := range values {
		for rest, more := v, true; more; {
			var part string
			part, rest, more = strings.Cut(rest, ",")
			m, err := strconv.ParseUint(strings.Trim(part, " \t"), 10, 63)
			if err != nil || seen && m != n {
				return 0, false
			}
			n, seen = m, true
		}
	}
	return n, seen
}
