package lambdamcp

import (
	"context"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// serveHTTPAPI answers an API Gateway HTTP API event (payload 2.0).
//
// On a named stage reached through the API's default endpoint the raw path
// starts with the stage (/dev/mcp); the handler sees it without (/mcp), as
// on REST APIs. Through a custom domain the raw path has no stage (nor the
// API mapping's path, "Create AWS Lambda proxy integrations for HTTP APIs
// in API Gateway", Payload format differences), so it is left as it is.
func (h *Handler) serveHTTPAPI(ctx context.Context, ev *events.APIGatewayV2HTTPRequest) *responseBuffer {
	rc := ev.RequestContext
	path := withoutStage(ev.RawPath, rc.Stage, rc.DomainName, rc.APIID)
	p := v2Parts(rc.HTTP.Method, path, false, ev.RawQueryString, ev.Headers, ev.Cookies, rc.DomainName, rc.HTTP.SourceIP, ev.Body, ev.IsBase64Encoded)
	p.prefix = pathPrefix(ev.RawPath, path)
	return h.serve(ctx, &invocation{shape: ShapeHTTP, event: ev, authorizer: httpAPIAuthorizer(rc.Authorizer)}, p)
}

// withoutStage returns an HTTP API event's path without the named stage
// that its default endpoint puts in front of it, in either payload format.
func withoutStage(path, stage, domain, apiID string) string {
	if stage == "" || stage == "$default" || !defaultEndpoint(domain, apiID) {
		return path
	}
	if rest, ok := strings.CutPrefix(path, "/"+stage); ok && (rest == "" || rest[0] == '/') {
		return rest
	}
	return path
}

// defaultEndpoint reports whether domain is the default endpoint of the
// API apiID, {api-id}.execute-api.{region}.amazonaws.com, rather than a
// custom domain name.
func defaultEndpoint(domain, apiID string) bool {
	rest, ok := strings.CutPrefix(domain, apiID)
	return ok && apiID != "" && strings.HasPrefix(rest, ".execute-api.")
}

// serveURL answers a Lambda Function URL event (buffered invoke mode).
func (h *Handler) serveURL(ctx context.Context, ev *events.LambdaFunctionURLRequest) *responseBuffer {
	rc := ev.RequestContext
	return h.serve(ctx, &invocation{shape: ShapeURL, event: ev},
		v2Parts(rc.HTTP.Method, ev.RawPath, true, ev.RawQueryString, ev.Headers, ev.Cookies, rc.DomainName, rc.HTTP.SourceIP, ev.Body, ev.IsBase64Encoded))
}

// httpAPIAuthorizer flattens an HTTP API's authorizer description into the
// map AuthorizerContext returns.
func httpAPIAuthorizer(a *events.APIGatewayV2HTTPRequestContextAuthorizerDescription) map[string]any {
	switch {
	case a == nil:
		return nil
	case a.Lambda != nil:
		return a.Lambda
	case a.JWT != nil:
		m := make(map[string]any, len(a.JWT.Claims)+1)
		for k, v := range a.JWT.Claims {
			m[k] = v
		}
		if len(a.JWT.Scopes) > 0 {
			m["scopes"] = a.JWT.Scopes
		}
		return m
	case a.IAM != nil:
		i := a.IAM
		m := iamCaller(i.AccessKey, i.AccountID, i.CallerID, i.UserARN, i.UserID)
		if i.PrincipalOrgID != "" {
			m["principalOrgId"] = i.PrincipalOrgID
		}
		if c := i.CognitoIdentity; c.IdentityID != "" || c.IdentityPoolID != "" || len(c.AMR) > 0 {
			m["cognitoIdentity"] = map[string]any{"amr": c.AMR, "identityId": c.IdentityID, "identityPoolId": c.IdentityPoolID}
		}
		return m
	}
	return nil
}

// urlAuthorizer is the IAM caller of a Function URL whose auth type is
// AWS_IAM, as the event describes it; nil for one whose auth type is NONE.
func urlAuthorizer(a *events.LambdaFunctionURLRequestContextAuthorizerDescription) map[string]any {
	if a == nil || a.IAM == nil {
		return nil
	}
	i := a.IAM
	return iamCaller(i.AccessKey, i.AccountID, i.CallerID, i.UserARN, i.UserID)
}

// iamCaller is the signer of a request that AWS_IAM authorization let
// through, under the event's own names, those it left empty left out.
func iamCaller(accessKey, accountID, callerID, userARN, userID string) map[string]any {
	m := make(map[string]any, 7)
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set("accessKey", accessKey)
	set("accountId", accountID)
	set("callerId", callerID)
	set("userArn", userARN)
	set("userId", userID)
	return m
}

// v2Parts maps the fields payload 2.0 carries (HTTP API and Function URL
// alike). Header values arrive comma-joined, which is how HTTP folds
// repeated headers too; cookies arrive apart and go back into Cookie. A
// Function URL's rawPath keeps the client's percent-encoding (escaped); an
// HTTP API's arrives decoded.
func v2Parts(method, path string, escaped bool, rawQuery string, headers map[string]string, cookies []string, domain, sourceIP, body string, isBase64 bool) requestParts {
	header := make(http.Header, len(headers)+1)
	singleHeaders(header, headers)
	if len(cookies) > 0 {
		header.Set("Cookie", strings.Join(cookies, "; "))
	}
	return requestParts{
		method:     method,
		path:       path,
		escaped:    escaped,
		rawQuery:   rawQuery,
		header:     header,
		host:       domain,
		remoteAddr: sourceIP,
		body:       body,
		base64:     isBase64,
	}
}

// v2Response is the payload 2.0 response; Function URLs take the same.
func v2Response(w *responseBuffer) *events.APIGatewayV2HTTPResponse {
	body, isBase64 := w.encodedBody()
	return &events.APIGatewayV2HTTPResponse{
		StatusCode:      w.statusCode(),
		Headers:         joinedHeaders(w.header),
		Cookies:         w.header["Set-Cookie"],
		Body:            body,
		IsBase64Encoded: isBase64,
	}
}
