package localfront

import (
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// A REST event's request context carries what aws-lambda-go's
// apigw-request.json (captured from API Gateway) does beside the fields
// TestRESTEvent compares: a resource id ("roq9wj"), an extended request
// id ("TWegAcC4EowCHnA="), the protocol ("HTTP/1.1") and the API's id,
// the front's own.
func TestRESTEventContextValues(t *testing.T) {
	ev := echoed[events.APIGatewayProxyRequest](t, Config{Shape: ShapeREST}, "/mcp", sample)
	rc := ev.RequestContext
	if rc.ResourceID == "" || rc.ExtendedRequestID == "" {
		t.Errorf("resourceId %q, extendedRequestId %q: want both set", rc.ResourceID, rc.ExtendedRequestID)
	}
	if rc.Protocol != "HTTP/1.1" {
		t.Errorf("protocol = %q, want HTTP/1.1", rc.Protocol)
	}
	if rc.APIID != "local0api1" {
		t.Errorf("apiId = %q, want the front's local0api1", rc.APIID)
	}
}

// An HTTP API event names the path twice, in rawPath and in
// requestContext.http.path, the same path in the AWS example of payload
// 2.0 ("Create AWS Lambda proxy integrations for HTTP APIs": both
// "/my/path"): both decoded, as HTTP APIs send the path (see
// TestShapesThroughLambdaMCP), so a client's %20 is a space in each.
func TestHTTPEventContextPathDecoded(t *testing.T) {
	ev := echoed[events.APIGatewayV2HTTPRequest](t, Config{Shape: ShapeHTTP}, "/mcp/a%20b", sample)
	if ev.RawPath != "/mcp/a b" || ev.RequestContext.HTTP.Path != ev.RawPath {
		t.Errorf("rawPath %q, requestContext.http.path %q; want both /mcp/a b", ev.RawPath, ev.RequestContext.HTTP.Path)
	}
}
