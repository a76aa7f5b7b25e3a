package lambdamcp

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// baseResources are REST API resources for FuzzBasePath: the root, a
// plain path, a greedy parameter, and parameters within and at the end.
var baseResources = []string{"/", "/mcp", "/{proxy+}", "/mcp/{id}", "/tenants/{tenant}/mcp", "/{a}/x/{b+}"}

var templateParam = regexp.MustCompile(`\{([^{}]+?)(\+?)\}`)

// filled is resource with each parameter replaced by value, percent-encoded
// as a client sends it when encoded says so: a greedy parameter's slashes
// stay slashes, a segment's are encoded.
func filled(resource, value string, encoded bool) string {
	return templateParam.ReplaceAllStringFunc(resource, func(p string) string {
		greedy := strings.HasSuffix(p, "+}")
		if !encoded {
			return value
		}
		if !greedy {
			return url.PathEscape(value)
		}
		segs := strings.Split(value, "/")
		for i, s := range segs {
			segs[i] = url.PathEscape(s)
		}
		return strings.Join(segs, "/")
	})
}

// paramsOf is the path parameters API Gateway gives for resource, each
// value, encoded as filled encodes it when encoded says so.
func paramsOf(resource, value string, encoded bool) map[string]string {
	params := map[string]string{}
	for _, m := range templateParam.FindAllStringSubmatch(resource, -1) {
		params[m[1]] = filled(m[0], value, encoded)
	}
	return params
}

// validBase is base as an API mapping could name it: levels of letters,
// digits and $-_.+!*'(), one slash between two; "" for none.
func validBase(base string) string {
	var levels []string
	for level := range strings.SplitSeq(base, "/") {
		level = strings.Map(func(c rune) rune {
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.ContainsRune("$-_.+!*'()", c) {
				return c
			}
			return -1
		}, level)
		if level != "" {
			levels = append(levels, level)
		}
	}
	return strings.Join(levels, "/")
}

// encodeAll is s with every character but letters, digits and slashes
// percent-encoded, as a client may send a base path.
func encodeAll(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '/' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// FuzzBasePath checks withoutBasePath on REST events (paths as the client
// encoded them): whatever the path, what it takes off is only what comes
// before the resource's path, its parameters filled in (and a slash after
// it); and a path built from a base path API Gateway takes, spelt as a
// client may spell it, and the resource's filled-in path loses exactly the
// base path.
func FuzzBasePath(f *testing.F) {
	for i := range baseResources {
		f.Add("/tools/mcp", "tools", uint8(i), "mcp", false, false, false)
		f.Add("/v1/tools/mcp/x/", "v1/tools", uint8(i), "a b/c", true, true, false)
		f.Add("/t%241/mcp/a%20b", "t$1", uint8(i), "mcp/a b", true, false, true)
	}
	f.Add("/mcp/mcp", "mcp", uint8(1), "mcp", false, false, false)
	f.Add("/tools/mcp/100%", "(x)", uint8(2), "100%", true, false, true)
	f.Fuzz(func(t *testing.T, path, base string, which uint8, value string, decodedParams, slash, encodeBase bool) {
		resource := baseResources[int(which)%len(baseResources)]
		params := paramsOf(resource, value, false)

		// Any path: the part kept is the resource's path, as it came or
		// decoded, with perhaps a slash after it, and what goes is a
		// path of its own.
		if got := withoutBasePath(path, true, resource, params); got != path {
			cut, ok := strings.CutSuffix(path, got)
			if resource == "/" && got == "/" && !ok {
				cut, ok = path, true // the root, reached as /tools
			}
			if !ok || !strings.HasPrefix(got, "/") || !strings.HasPrefix(cut, "/") {
				t.Fatalf("withoutBasePath(%q, %q, %q) = %q: not a path at the end of the path, after one", path, resource, params, got)
			}
			want := filled(resource, value, false)
			read := got
			if decoded, err := url.PathUnescape(got); err == nil && read != want && read != want+"/" {
				read = decoded
			}
			if read != want && (resource == "/" || read != want+"/") {
				t.Fatalf("withoutBasePath(%q, %q, %q) = %q, which is not the resource's path %q", path, resource, params, got, want)
			}
		}

		// A path through a base path.
		if value == "" || strings.Contains(value, "\x00") {
			return
		}
		if resource != "/{proxy+}" && resource != "/{a}/x/{b+}" && strings.Contains(value, "/") {
			return // a segment's parameter
		}
		if strings.HasPrefix(value, "/") || strings.HasSuffix(value, "/") || strings.Contains(value, "//") {
			return // a greedy parameter's path starts with a segment
		}
		b := validBase(base)
		if b == "" {
			return
		}
		sent := "/" + b
		if encodeBase {
			sent = "/" + encodeAll(b)
		}
		want := filled(resource, value, true)
		if slash && resource != "/" {
			want += "/"
		}
		sent += want
		params = paramsOf(resource, value, !decodedParams)
		if got := withoutBasePath(sent, true, resource, params); got != want {
			t.Errorf("withoutBasePath(%q, %q, %q) = %q, want %q (base path %q)", sent, resource, params, got, want, b)
		}
	})
}
