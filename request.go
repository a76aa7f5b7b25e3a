package lambdamcp

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"iter"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/lambdamcp/lambdamcp/internal/httpsyntax"
)

// requestParts is what every event shape says about its HTTP request.
type requestParts struct {
	method     string
	path       string // the event's path
	prefix     string // what the front put before path: a stage, a base path
	escaped    bool   // path is percent-encoded, as the client sent it
	rawQuery   string // already encoded
	header     http.Header
	host       string // used when the headers carry no Host
	remoteAddr string
	body       string
	base64     bool
}

// pathPrefix is what a front put before the path rest it left of path: a
// stage, a custom domain's base path; "" when it took nothing off.
func pathPrefix(path, rest string) string {
	if p, ok := strings.CutSuffix(path, rest); ok {
		return p
	}
	if rest == "/" { // the prefix alone, which leaves the root
		return path
	}
	return ""
}

// prefixLocation puts prefix before a Location the handler answered with
// an absolute path (/mcp, as http.ServeMux and http.Redirect write one):
// the handler's paths are below the stage or base path the front took off,
// and the client resolves a Location against the URL it sent. A URL, one
// without a scheme (//host, /\host, which browsers read alike) and a
// relative path are left as they are. So is every Location when the
// prefix, which comes from the path the client sent, does not begin as a
// path does (/, then neither a slash nor a backslash, and no tab or line
// break, which browsers drop from a URL): prefixed, the Location would
// name another host (//host/mcp).
func prefixLocation(h http.Header, prefix string) {
	if len(prefix) < 2 || prefix[0] != '/' || prefix[1] == '/' || prefix[1] == '\\' || strings.ContainsAny(prefix, "\t\n\r") {
		return
	}
	for i, v := range h["Location"] {
		if strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//") && !strings.HasPrefix(v, `/\`) {
			h["Location"][i] = prefix + v
		}
	}
}

// errBadBody marks an event whose body is not the base64 it claims to be.
type errBadBody struct{ err error }

func (e errBadBody) Error() string { return "event body is not valid base64: " + e.err.Error() }

// errManyHosts marks an event with more than one Host header, which
// net/http answers 400 as well: which one names the server is ambiguous.
// An HTTP API or Function URL joins them with a comma, which no DNS name
// holds.
type errManyHosts struct{}

func (errManyHosts) Error() string { return "request has more than one Host header" }

// errBadHost marks an event whose Host holds a character no host or port
// has, which net/http answers 400 as well ("malformed Host header"): a
// handler builds URLs from it, as its resource metadata's.
type errBadHost struct{}

func (errBadHost) Error() string { return "request has a malformed Host header" }

// errBadPath marks an event whose path is not valid percent-encoding.
type errBadPath struct{}

func (errBadPath) Error() string { return "request path is not valid percent-encoding" }

// errRelativePath marks an event whose path does not begin with a slash,
// which net/http answers 400 as well ("invalid URI for request"; an
// asterisk it answers itself, or 400 through http.ServeMux): put after
// the Host in a URL built from the request (a challenge's metadata URL, a
// resource URL), "@other.example/mcp" would name another host.
type errRelativePath struct{}

func (errRelativePath) Error() string { return "request path does not begin with a slash" }

// newRequest builds the http.Request the handler sees. An event that
// makes no valid request (a body that is not the base64 it claims, a path
// that is not valid percent-encoding, two Host headers or a malformed
// one, a header or a body framing that net/http would refuse) yields the
// error and, beside it, the request as near as it can be built (no body,
// the path as sent, the first Host), for the guard to refuse and log as
// it refuses any request (eventError); only a request that cannot be
// built at all comes back nil.
func newRequest(ctx context.Context, p requestParts) (*http.Request, error) {
	var bad error
	// The body is read from the event's string, not copied out of it; only
	// a base64 body needs a buffer of its own.
	var body io.Reader
	size := len(p.body)
	if p.base64 {
		decoded, err := base64.StdEncoding.DecodeString(p.body)
		if err != nil {
			bad, decoded = errBadBody{err}, nil
		}
		body, size = bytes.NewReader(decoded), len(decoded)
	} else {
		body = strings.NewReader(p.body)
	}
	u := &url.URL{Path: p.path, RawQuery: p.rawQuery}
	if p.path != "" && p.path[0] != '/' && bad == nil {
		bad = errRelativePath{}
	}
	if p.escaped && strings.IndexByte(p.path, '%') >= 0 {
		// As net/http parses a request line: the handler sees the path
		// decoded, and RequestURI and EscapedPath keep the client's encoding.
		if path, err := url.PathUnescape(p.path); err != nil && bad == nil {
			bad = errBadPath{}
		} else if err == nil {
			u.Path, u.RawPath = path, p.path
		}
	}
	if u.Path == "" {
		u.Path = "/"
	}
	r, err := http.NewRequestWithContext(ctx, p.method, "", body)
	if err != nil {
		return nil, fmt.Errorf("building request: %w", err)
	}
	r.URL = u
	r.RequestURI = u.RequestURI()
	r.Header = p.header
	if hosts := p.header["Host"]; bad == nil {
		switch {
		case len(hosts) > 1 || len(hosts) == 1 && strings.Contains(hosts[0], ","):
			bad = errManyHosts{}
		case len(hosts) == 1 && !validHost(hosts[0]):
			bad = errBadHost{}
		}
	}
	if err := checkHeaderFields(p.header); err != nil && bad == nil {
		bad = err
	}
	if err := frameBody(p.header, size); err != nil && bad == nil {
		bad = err
	}
	r.Host = p.header.Get("Host")
	delete(p.header, "Host") // as net/http promotes it out of the map
	if r.Host == "" {
		r.Host = p.host
	}
	u.Host = r.Host
	u.Scheme = "https"
	if httpsyntax.ForwardedProto(p.header.Get("X-Forwarded-Proto")) == "http" {
		u.Scheme = "http"
	}
	r.RemoteAddr = p.remoteAddr
	r.ContentLength = int64(size)
	if size == 0 {
		r.Body = http.NoBody
	}
	if bad != nil {
		return r.WithContext(context.WithValue(ctx, eventErrorKey{}, bad)), bad
	}
	return r, nil
}

type eventErrorKey struct{}

// eventError is why the event of r's invocation makes no valid request,
// if it does not: the guard refuses such a request before anything else
// but the Origin check, and logs it as any.
func eventError(ctx context.Context) error {
	err, _ := ctx.Value(eventErrorKey{}).(error)
	return err
}

// singleHeaders copies a single-value header map into h, an empty one,
// canonicalising names and trimming the whitespace around each value, as
// net/http does. The values share one backing array, each capped at its
// own length so that a handler's append copies instead of overwriting the
// next (as net/textproto does for parsed headers). Names that canonicalise
// alike are merged, in the order of their spellings (mergeHeaders).
func singleHeaders(h http.Header, m map[string]string) {
	vals := make([]string, 0, len(m))
	for k, v := range m {
		vals = append(vals, fieldValue(v))
		h[http.CanonicalHeaderKey(k)] = vals[len(vals)-1 : len(vals) : len(vals)]
	}
	if len(h) != len(m) { // spellings of one name overwrote each other
		mergeHeaders(h, len(m), func(yield func(string, []string) bool) {
			for k, v := range m {
				if !yield(k, []string{v}) {
					return
				}
			}
		})
	}
}

// multiHeaders copies a multi-value header map into h, an empty one, as
// singleHeaders copies a single-value one.
func multiHeaders(h http.Header, m map[string][]string) {
	n := 0
	for _, vs := range m {
		n += len(vs)
	}
	vals := make([]string, 0, n)
	for k, vs := range m {
		start := len(vals)
		for _, v := range vs {
			vals = append(vals, fieldValue(v))
		}
		h[http.CanonicalHeaderKey(k)] = vals[start:len(vals):len(vals)]
	}
	if len(h) != len(m) { // spellings of one name overwrote each other
		mergeHeaders(h, n, maps.All(m))
	}
}

// mergeHeaders fills h afresh from an event's headers of which several
// spellings name one header (an event may carry "Mcp-Name" and
// "mcp-name"). Map order is random, so the spellings are taken in sorted
// order: the same event always makes the same request.
func mergeHeaders(h http.Header, n int, all iter.Seq2[string, []string]) {
	clear(h)
	m := maps.Collect(all)
	vals := make([]string, 0, n)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		ck := http.CanonicalHeaderKey(k)
		start := len(vals)
		vals = append(vals, h[ck]...)
		for _, v := range m[k] {
			vals = append(vals, fieldValue(v))
		}
		h[ck] = vals[start:len(vals):len(vals)]
	}
}

// fieldValue is a header value without the whitespace around it, which
// RFC 9110 (5.5) leaves out of a field value.
func fieldValue(v string) string { return strings.Trim(v, " \t") }

// encodeQuery encodes decoded query parameters, preferring the multi-value
// form when the event carries it.
func encodeQuery(single map[string]string, multi map[string][]string) string {
	if len(multi) == 0 && len(single) == 0 {
		return ""
	}
	v := url.Values{}
	if len(multi) > 0 {
		for k, vs := range multi {
			v[k] = vs
		}
	} else {
		for k, s := range single {
			v.Set(k, s)
		}
	}
	return v.Encode()
}

// rawQuery joins query parameters that are still encoded as the client sent
// them (ALB does not decode them).
func rawQuery(single map[string]string, multi map[string][]string) string {
	var b strings.Builder
	add := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
	}
	if len(multi) > 0 {
		for _, k := range slices.Sorted(maps.Keys(multi)) {
			for _, v := range multi[k] {
				add(k, v)
			}
		}
	} else {
		for _, k := range slices.Sorted(maps.Keys(single)) {
			add(k, single[k])
		}
	}
	return b.String()
}
