package localfront

import (
	"encoding/base64"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// headers returns the request's headers as the fronts add them: Host and
// the X-Forwarded-* set included. lower selects lowercase names (HTTP API,
// Function URLs, ALB); REST keeps the names as sent (canonical in Go).
func (req *request) headers(lower bool) http.Header {
	h := req.r.Header.Clone()
	h.Set("Host", req.r.Host)
	// A chain sent on several lines is one list (RFC 9110 §5.3).
	if prior := strings.Join(h.Values("X-Forwarded-For"), ", "); prior != "" {
		h.Set("X-Forwarded-For", prior+", "+req.sourceIP)
	} else {
		h.Set("X-Forwarded-For", req.sourceIP)
	}
	h.Set("X-Forwarded-Proto", "http")
	h.Set("X-Amzn-Trace-Id", req.traceRoot)
	if _, port, err := net.SplitHostPort(req.r.Host); err == nil {
		h.Set("X-Forwarded-Port", port)
	} else {
		h.Set("X-Forwarded-Port", "80")
	}
	if !lower {
		return h
	}
	out := make(http.Header, len(h))
	for k, v := range h {
		out[strings.ToLower(k)] = v
	}
	return out
}

// lastValues keeps the last value of each name, as REST and ALB do for
// their single-value maps.
func lastValues(m map[string][]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v[len(v)-1]
	}
	return out
}

// joinedValues joins repeated values with commas, as payload 2.0 does.
func joinedValues(m map[string][]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = strings.Join(v, ",")
	}
	return out
}

// query returns the decoded query parameters, nil when there are none.
func (req *request) query() url.Values {
	q, _ := url.ParseQuery(req.r.URL.RawQuery)
	if len(q) == 0 {
		return nil
	}
	return q
}

// rawQuery splits the query without decoding it: ALB passes parameters as
// they arrived.
func (req *request) rawQuery() map[string][]string {
	if req.r.URL.RawQuery == "" {
		return nil
	}
	out := map[string][]string{}
	for part := range strings.SplitSeq(req.r.URL.RawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		out[k] = append(out[k], v)
	}
	return out
}

// cookies splits the Cookie headers into the payload 2.0 cookies list.
func (req *request) cookies() []string {
	var out []string
	for _, line := range req.r.Header.Values("Cookie") {
		for c := range strings.SplitSeq(line, ";") {
			if c = strings.TrimSpace(c); c != "" {
				out = append(out, c)
			}
		}
	}
	return out
}

// encodedBody returns the body as the event carries it: text as is, anything
// else base64-encoded with isBase64Encoded set.
func (req *request) encodedBody() (string, bool) {
	return req.encodedBodyBy(isText)
}

// encodedBodyBy is encodedBody with text telling text from the rest.
func (req *request) encodedBodyBy(text func(contentType string, body []byte) bool) (string, bool) {
	if len(req.body) == 0 {
		return "", false
	}
	if text(req.r.Header.Get("Content-Type"), req.body) {
		return string(req.body), false
	}
	return base64.StdEncoding.EncodeToString(req.body), true
}

// isText is the rule of API Gateway and Function URLs as the front reads
// it: valid UTF-8 with no content type, or a textual one, whatever its
// parameters.
func isText(contentType string, body []byte) bool {
	if !utf8.Valid(body) {
		return false
	}
	if contentType == "" {
		return true
	}
	mt := mediaType(contentType)
	if strings.HasPrefix(mt, "text/") {
		return true
	}
	for _, s := range []string{"json", "xml", "javascript", "x-www-form-urlencoded", "yaml", "graphql"} {
		if strings.Contains(mt, s) {
			return true
		}
	}
	return false
}

// isALBText is an ALB's rule, narrower than isText: the body goes as is
// for text/*, application/json, application/javascript and
// application/xml, and base64-encoded for every other type, none included
// ("Lambda functions as targets": receive events from the load balancer).
func isALBText(contentType string, body []byte) bool {
	if !utf8.Valid(body) {
		return false
	}
	mt := mediaType(contentType)
	switch mt {
	case "application/json", "application/javascript", "application/xml":
		return true
	}
	return strings.HasPrefix(mt, "text/")
}

// mediaType is the media type of contentType, lowercased, or "" when there
// is none or it is not type/subtype. The rules telling text from binary
// name types alone, so the parameters do not count, even ones that do not
// parse ("charset" without a value, or given twice), which
// mime.ParseMediaType refuses with the whole value.
func mediaType(contentType string) string {
	base, _, _ := strings.Cut(contentType, ";")
	mt, _, err := mime.ParseMediaType(base)
	if err != nil {
		return ""
	}
	return mt
}

// requestTime formats the event's time as API Gateway does.
func (req *request) requestTime() string {
	return req.now.Format("02/Jan/2006:15:04:05 -0700")
}

func (req *request) protocol() string { return req.r.Proto }
