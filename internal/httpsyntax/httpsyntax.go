// Package httpsyntax holds the few rules of HTTP's syntax that more than
// one package here applies and net/http does not export.
package httpsyntax

import (
	"net"
	"strings"
)

// IsToken reports whether s is an RFC 9110 token, as a header name is.
func IsToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return s != ""
}

// SerializedOrigin is the origin o as a browser writes it in an Origin
// header: scheme and host in lower case, no trailing slash, and no port
// when it is the scheme's default. A browser on https://app.example:443
// sends "https://app.example", which a configured
// "https://app.example:443" must match.
func SerializedOrigin(o string) string {
	o = strings.ToLower(strings.TrimSuffix(o, "/"))
	for _, scheme := range [...]struct{ prefix, port string }{{"https://", ":443"}, {"http://", ":80"}} {
		if strings.HasPrefix(o, scheme.prefix) {
			return strings.TrimSuffix(o, scheme.port)
		}
	}
	return o
}

// Loopback reports whether hostport (with or without a port) names a
// loopback address or localhost.
func Loopback(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ForwardedProto is the scheme X-Forwarded-Proto names, "http" or
// "https", or "" when it names neither. A scheme is case-insensitive
// (RFC 3986), and a proxy chain's list ("https, http") names the scheme
// the client used first, as X-Forwarded-For names the client first.
// value is one header line: of several, callers pass the first
// (http.Header.Get).
func ForwardedProto(value string) string {
	first, _, _ := strings.Cut(value, ",")
	switch p := strings.ToLower(strings.TrimSpace(first)); p {
	case "http", "https":
		return p
	}
	return ""
}
