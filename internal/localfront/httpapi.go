package localfront

import (
	"github.com/aws/aws-lambda-go/events"
)

// httpEvent builds the API Gateway HTTP API event (payload 2.0) for the
// route req matched (the $default route but for the JWT authorizer's), as the API's default endpoint sends it: with a named
// stage, rawPath keeps the stage prefix, and the domain name is the
// endpoint's, {api-id}.execute-api.{region}.amazonaws.com, which tells a
// function that the prefix is there (through a custom domain it is not).
// The Host header keeps the local address.
func (f *Front) httpEvent(req *request, authorizer map[string]any) events.APIGatewayV2HTTPRequest {
	h := req.headers(true)
	delete(h, "cookie")
	body, b64 := req.encodedBody()
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              f.httpRouteKey(req),
		RawPath:               req.r.URL.Path, // decoded, as HTTP APIs send it
		RawQueryString:        req.r.URL.RawQuery,
		Cookies:               req.cookies(),
		Headers:               joinedValues(h),
		QueryStringParameters: joinedValues(req.query()),
		RequestContext:        f.httpContext(req),
		Body:                  body,
		IsBase64Encoded:       b64,
	}
	switch {
	case authorizer != nil:
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: authorizer}
	case req.jwt != nil:
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: req.jwt}
	}
	return ev
}

func (f *Front) httpContext(req *request) events.APIGatewayV2HTTPRequestContext {
	return events.APIGatewayV2HTTPRequestContext{
		RouteKey:     f.httpRouteKey(req),
		AccountID:    accountID,
		Stage:        f.cfg.Stage,
		RequestID:    req.requestID,
		APIID:        f.apiID,
		DomainName:   f.apiID + ".execute-api." + f.cfg.Region + ".amazonaws.com",
		DomainPrefix: f.apiID,
		Time:         req.requestTime(),
		TimeEpoch:    req.now.UnixMilli(),
		HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
			Method:    req.r.Method,
			Path:      req.r.URL.Path,
			Protocol:  req.protocol(),
			SourceIP:  req.sourceIP,
			UserAgent: req.r.UserAgent(),
		},
	}
}

// urlEvent builds the Function URL event: payload 2.0 without routes or
// stages (urlEventAsSent adds their placeholders), the URL id in apiId and
// domainPrefix, and the URL's own domain
// (<url-id>.lambda-url.<region>.on.aws), which Function URLs always report
// and which tells their events from HTTP API ones. The Host header keeps
// the local address.
func (f *Front) urlEvent(req *request) events.LambdaFunctionURLRequest {
	h := req.headers(true)
	delete(h, "cookie")
	body, b64 := req.encodedBody()
	return events.LambdaFunctionURLRequest{
		Version:               "2.0",
		RawPath:               req.r.URL.EscapedPath(),
		RawQueryString:        req.r.URL.RawQuery,
		Cookies:               req.cookies(),
		Headers:               joinedValues(h),
		QueryStringParameters: joinedValues(req.query()),
		RequestContext: events.LambdaFunctionURLRequestContext{
			AccountID:    accountID,
			RequestID:    req.requestID,
			APIID:        f.apiID,
			DomainName:   f.apiID + ".lambda-url." + f.cfg.Region + ".on.aws",
			DomainPrefix: f.apiID,
			Time:         req.requestTime(),
			TimeEpoch:    req.now.UnixMilli(),
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{
				Method:    req.r.Method,
				Path:      req.r.URL.Path,
				Protocol:  req.protocol(),
				SourceIP:  req.sourceIP,
				UserAgent: req.r.UserAgent(),
			},
		},
		Body:            body,
		IsBase64Encoded: b64,
	}
}

// payload2Context is a payload 2.0 request context as the event carries
// it. aws-lambda-go's type writes requestContext.authentication, a mutual
// TLS client's certificate, even empty, which would tell a function that a
// client presented one; API Gateway sends it only for such a client, which
// a local front never has.
type payload2Context struct {
	events.APIGatewayV2HTTPRequestContext
	Authentication *events.APIGatewayV2HTTPRequestContextAuthentication `json:"authentication,omitempty"`
}

// httpEventJSON is an HTTP API event with its context as payload2Context.
type httpEventJSON struct {
	events.APIGatewayV2HTTPRequest
	RequestContext payload2Context `json:"requestContext"`
}

// httpAuthorizerEventJSON is an HTTP API's Lambda authorizer event with its
// context as payload2Context.
type httpAuthorizerEventJSON struct {
	events.APIGatewayV2CustomAuthorizerV2Request
	RequestContext payload2Context `json:"requestContext"`
}

// urlEventJSON is a Function URL event as Lambda sends it: with routeKey,
// requestContext.routeKey and requestContext.stage, which Function URLs do
// not use and set to "$default" as placeholders ("Invoking Lambda function
// URLs"), and which aws-lambda-go's type does not have.
type urlEventJSON struct {
	events.LambdaFunctionURLRequest
	RouteKey       string         `json:"routeKey"`
	RequestContext urlContextJSON `json:"requestContext"`
}

type urlContextJSON struct {
	events.LambdaFunctionURLRequestContext
	RouteKey string `json:"routeKey"`
	Stage    string `json:"stage"`
}

func urlEventAsSent(ev events.LambdaFunctionURLRequest) urlEventJSON {
	return urlEventJSON{LambdaFunctionURLRequest: ev, RouteKey: "$default",
		RequestContext: urlContextJSON{LambdaFunctionURLRequestContext: ev.RequestContext, RouteKey: "$default", Stage: "$default"}}
}
