package lambdamcp

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// FuzzPrefixLocation checks the prefix a REST or HTTP API event's path
// leaves (a stage, a custom domain's base path) put before a handler's
// Location: only a Location with an absolute path gets it, and what the
// client is sent, read as a browser reads it (tabs and line breaks
// dropped), is still an absolute path, never a URL without a scheme
// (//host, /\host) naming another host.
func FuzzPrefixLocation(f *testing.F) {
	for i := range baseResources {
		f.Add("/tools/mcp", "/tools/mcp", uint8(i), "mcp", "dev", uint8(0), "/mcp")
	}
	for _, tc := range []struct{ path, rcPath, value, stage, loc string }{
		{"/mcp", "/dev/mcp", "mcp", "dev", "/mcp"},
		{"//", "/dev//", "", "dev", "/mcp"},
		{"//evil.example/", "//evil.example/", "x", "", "/mcp"},
		{"//evil.example/mcp", "//evil.example/mcp", "mcp", "", "/mcp"},
		{`/\evil.example/mcp`, `/\evil.example/mcp`, "mcp", "", "/mcp"},
		{"/\t/evil.example/mcp", "/\t/evil.example/mcp", "mcp", "", "/mcp"},
		{"/tools//", "/tools//", "", "", "/mcp"},
		{"/dev//evil.example/mcp", "/dev//evil.example/mcp", "mcp", "dev", "/mcp"},
		{"/dev", "/dev", "", "dev", "/"},
		{"", "", "", "", "/mcp"},
		{"/mcp", "/dev/mcp", "mcp", "dev", "//evil.example/"},
		{"/mcp", "/dev/mcp", "mcp", "dev", `/\evil.example/`},
		{"/mcp", "/dev/mcp", "mcp", "dev", "mcp"},
		{"/mcp", "/dev/mcp", "mcp", "dev", "https://example.com/mcp"},
	} {
		for shape := range uint8(3) {
			f.Add(tc.path, tc.rcPath, uint8(1), tc.value, tc.stage, shape, tc.loc)
			f.Add(tc.path, tc.rcPath, uint8(0), tc.value, tc.stage, shape, tc.loc)
		}
	}
	f.Fuzz(func(t *testing.T, path, rcPath string, which uint8, value, stage string, shape uint8, loc string) {
		resource := baseResources[int(which)%len(baseResources)]
		var prefix string
		switch shape % 3 {
		case 0, 1: // REST, HTTP API payload 1.0
			ev := &events.APIGatewayProxyRequest{Path: path, Resource: resource, PathParameters: paramsOf(resource, value, false)}
			ev.RequestContext.Path = rcPath
			ev.RequestContext.Stage = stage
			ev.RequestContext.APIID = "abc"
			ev.RequestContext.DomainName = "abc.execute-api.eu-west-1.amazonaws.com"
			prefix = restParts(ev, shape%3 == 1).prefix
		case 2: // HTTP API payload 2.0
			prefix = pathPrefix(path, withoutStage(path, stage, "abc.execute-api.eu-west-1.amazonaws.com", "abc"))
		}
		h := http.Header{"Location": {loc}}
		prefixLocation(h, prefix)
		got := h["Location"][0]
		if got == loc {
			return
		}
		if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, `/\`) {
			t.Fatalf("prefix %q put before Location %q, which is no absolute path: %q", prefix, loc, got)
		}
		if !strings.HasSuffix(got, loc) {
			t.Fatalf("prefix %q put before Location %q gives %q, which does not end with it", prefix, loc, got)
		}
		read := strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, got)
		if !strings.HasPrefix(read, "/") || strings.HasPrefix(read, "//") || strings.HasPrefix(read, `/\`) {
			t.Fatalf("prefix %q put before Location %q gives %q, which is no absolute path", prefix, loc, got)
		}
	})
}
