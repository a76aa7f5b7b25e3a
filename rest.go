package lambdamcp

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// serveREST answers an API Gateway REST API proxy event (payload 1.0).
//
// The path the handler sees is the event's path, without the stage: a
// resource /mcp on stage dev is served at /mcp. Headers and query strings
// come from the multi-value maps, which REST APIs always send. httpAPIv1
// marks an HTTP API's payload format 1.0 event, whose path arrives decoded
// where a REST API's keeps the client's percent-encoding, and, on a named
// stage reached through the API's default endpoint, starts with the stage
// as a payload 2.0 event's does (serveHTTPAPI). Through a custom domain
// whose mapping has a base path (tools), the path starts with it
// (/tools/mcp) in both formats; the handler sees the API's own path (/mcp)
// there too, except on an HTTP API's $default route, whose events name no
// resource to tell the base path by ("resource": "$default").
func (h *Handler) serveREST(ctx context.Context, ev *events.APIGatewayProxyRequest, httpAPIv1 bool) *responseBuffer {
	return h.serve(ctx, &invocation{shape: ShapeREST, event: ev, authorizer: ev.RequestContext.Authorizer, httpAPIv1: httpAPIv1}, restParts(ev, httpAPIv1))
}

// restResponse is a REST API's (or an HTTP API's payload 1.0) response.
func restResponse(w *responseBuffer) *events.APIGatewayProxyResponse {
	body, isBase64 := w.encodedBody()
	return &events.APIGatewayProxyResponse{
		StatusCode:        w.statusCode(),
		MultiValueHeaders: w.header,
		Body:              body,
		IsBase64Encoded:   isBase64,
	}
}

// restParts maps a REST API event's request, for buffered and streamed
// answers alike.
func restParts(ev *events.APIGatewayProxyRequest, httpAPIv1 bool) requestParts {
	header := make(http.Header, len(ev.Headers))
	if len(ev.MultiValueHeaders) > 0 {
		multiHeaders(header, ev.MultiValueHeaders)
	} else {
		singleHeaders(header, ev.Headers)
	}
	rc := ev.RequestContext
	path, prefix := ev.Path, ""
	if httpAPIv1 {
		path = withoutStage(path, rc.Stage, rc.DomainName, rc.APIID)
		prefix = pathPrefix(ev.Path, path)
	} else {
		// The stage, on the API's default endpoint: requestContext.path
		// is the URL's path ($context.path), /dev/mcp for a path /mcp.
		prefix = pathPrefix(rc.Path, path)
	}
	rest := withoutBasePath(path, !httpAPIv1, ev.Resource, ev.PathParameters)
	return requestParts{
		method:     ev.HTTPMethod,
		path:       rest,
		prefix:     prefix + pathPrefix(path, rest),
		escaped:    !httpAPIv1,
		rawQuery:   encodeQuery(ev.QueryStringParameters, ev.MultiValueQueryStringParameters),
		header:     header,
		host:       ev.RequestContext.DomainName,
		remoteAddr: ev.RequestContext.Identity.SourceIP,
		body:       ev.Body,
		base64:     ev.IsBase64Encoded,
	}
}

// withoutBasePath returns a payload 1.0 event's path without the base path
// of the custom domain mapping it came through. API Gateway puts the
// mapping's base path in front of the path it matched the resource to
// (REST APIs; HTTP APIs in payload format 1.0, "Payload format
// differences": a 2.0 event's rawPath has no mapping), so what comes
// before the resource, its path parameters filled in (and a slash after
// it, which API Gateway routes to the resource too), is the base path.
// A path that does not end in its resource so is left as it is; escaped
// says it keeps the client's percent-encoding, as a REST API's does. A
// REST API's path parameters keep it too (/mcp/a%20b gives a%20b), so the
// path is matched as it came before it is matched decoded.
func withoutBasePath(path string, escaped bool, resource string, params map[string]string) string {
	if !strings.HasPrefix(resource, "/") {
		return path // no template ("$default", or none given)
	}
	if rest, ok := cutBasePath(path, path, false, resource, params); ok {
		return rest
	}
	if !escaped || !strings.Contains(path, "%") {
		return path
	}
	decoded, err := url.PathUnescape(path)
	if err != nil {
		return path
	}
	if rest, ok := cutBasePath(path, decoded, true, resource, params); ok {
		return rest
	}
	return path
}

// cutBasePath takes the base path in front of the resource's path off
// path, matching the resource against read, which is path as it came or,
// when decoded says so, path decoded.
func cutBasePath(path, read string, decoded bool, resource string, params map[string]string) (string, bool) {
	var base string
	if resource == "/" {
		base = strings.TrimSuffix(read, "/")
	} else if b, ok := beforeResource(read, resource, params); ok {
		base = b
	} else if trimmed, slash := strings.CutSuffix(read, "/"); !slash {
		return "", false
	} else if b, ok := beforeResource(trimmed, resource, params); ok {
		// API Gateway routes /mcp/ to the resource /mcp, the slash kept in
		// the path.
		base = b
	} else {
		return "", false
	}
	if base == "" || base[0] != '/' {
		return "", false
	}
	// Cut from the path as it came, where a client may have encoded a
	// character of the base path ($ as %24), as API Gateway allows.
	n := len(base)
	if decoded {
		n = encodedLen(path, n)
	}
	rest := path[n:]
	if rest != "" && rest[0] != '/' {
		return "", false
	}
	if rest == "" {
		return "/", true
	}
	return rest, true
}

// encodedLen is the length of the start of path, validly percent-encoded,
// that decodes to n bytes.
func encodedLen(path string, n int) int {
	i := 0
	for ; n > 0; n-- {
		if path[i] == '%' {
			i += 3
		} else {
			i++
		}
	}
	return i
}

// beforeResource returns what comes before the path the resource template
// matched at the end of read: resource with its path parameters ({name},
// {name+}) filled in from params. It walks the template from its end, so
// that no path is built for every invocation.
func beforeResource(read, resource string, params map[string]string) (string, bool) {
	for resource != "" {
		var piece string
		if end := strings.LastIndexByte(resource, '}'); end == len(resource)-1 {
			open := strings.LastIndexByte(resource, '{')
			if open < 0 {
				return "", false
			}
			value, ok := params[strings.TrimSuffix(resource[open+1:end], "+")]
			if !ok {
				return "", false
			}
			piece, resource = value, resource[:open]
		} else {
			piece, resource = resource[end+1:], resource[:end+1]
		}
		var ok bool
		if read, ok = strings.CutSuffix(read, piece); !ok {
			return "", false
		}
	}
	return read, true
}
