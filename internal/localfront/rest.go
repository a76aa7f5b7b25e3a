package localfront

import (
	"net"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// restResource is the proxy resource the local REST API routes every path
// through, as a deployment with a greedy {proxy+} resource does.
const restResource = "/{proxy+}"

// restEvent builds the API Gateway REST proxy integration event (payload
// 1.0): the path as the client encoded it, the proxy path parameter decoded.
func (f *Front) restEvent(req *request, authorizer map[string]any) events.APIGatewayProxyRequest {
	h := req.headers(false)
	q := req.query()
	resource, params := f.restRoute(req)
	body, b64 := req.encodedBody()
	path, contextPath := req.rawPath, f.stagePrefix()+req.rawPath
	if f.cfg.BasePath != "" {
		// Through a custom domain's mapping both name the path the client
		// sent, base path included and no stage.
		path = req.r.URL.EscapedPath()
		contextPath = path
	}
	return events.APIGatewayProxyRequest{
		Resource:                        resource,
		Path:                            path,
		HTTPMethod:                      req.r.Method,
		Headers:                         lastValues(h),
		MultiValueHeaders:               h,
		QueryStringParameters:           lastValues(q),
		MultiValueQueryStringParameters: q,
		PathParameters:                  params,
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID:         accountID,
			ResourceID:        "local0",
			Stage:             f.cfg.Stage,
			DomainName:        hostName(req.r.Host),
			DomainPrefix:      domainPrefix(req.r.Host),
			RequestID:         req.requestID,
			ExtendedRequestID: req.requestID,
			Protocol:          req.protocol(),
			Identity: events.APIGatewayRequestIdentity{
				SourceIP:  req.sourceIP,
				UserAgent: req.r.UserAgent(),
			},
			ResourcePath:     resource,
			Path:             contextPath,
			Authorizer:       authorizer,
			HTTPMethod:       req.r.Method,
			RequestTime:      req.requestTime(),
			RequestTimeEpoch: req.now.UnixMilli(),
			APIID:            f.apiID,
		},
		Body:            body,
		IsBase64Encoded: b64,
	}
}

// restRoute is the resource req was routed to and its path parameters. The
// deploy stack's API has a resource for each path it routes, without
// parameters (unrouted has refused the others), and API Gateway names the
// resource without the slash a client may add after its path, as its
// routing ignores it. Otherwise the greedy proxy resource matched every
// path but the stage's root.
func (f *Front) restRoute(req *request) (string, map[string]string) {
	switch {
	case f.cfg.Deploy != nil:
		return resourcePath(req), nil
	case req.path == "/":
		return "/", nil
	}
	return restResource, map[string]string{"proxy": strings.TrimPrefix(req.path, "/")}
}

// hostName is host without its port, as API Gateway names the domain a
// request reached in requestContext.domainName; the Host header keeps the
// port, which a client needs in the URLs it is given. An IPv6 address keeps
// its brackets, so that the name stays a URL's host.
func hostName(host string) string {
	name, _, err := net.SplitHostPort(host)
	if err != nil {
		return host
	}
	if strings.Contains(name, ":") {
		return "[" + name + "]"
	}
	return name
}

func domainPrefix(host string) string {
	prefix, _, _ := strings.Cut(host, ".")
	prefix, _, _ = strings.Cut(prefix, ":")
	return prefix
}

// restEventJSON is a REST API event as API Gateway sends it: with
// isBase64Encoded even when false, which aws-lambda-go's type leaves out.
type restEventJSON struct {
	events.APIGatewayProxyRequest
	IsBase64Encoded bool `json:"isBase64Encoded"`
}
