package lambdamcp

import (
	"context"
	"net/http"

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
// as a payload 2.0 event's does (serveHTTPAPI).
func (h *Handler) serveREST(ctx context.Context, ev *events.APIGatewayProxyRequest, httpAPIv1 bool) *responseBuffer {
	return h.serve(ctx, &invocation{shape: ShapeREST, event: ev, authorizer: ev.RequestContext.Authorizer}, restParts(ev, httpAPIv1))
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
	path := ev.Path
	if httpAPIv1 {
		rc := ev.RequestContext
		path = withoutStage(path, rc.Stage, rc.DomainName, rc.APIID)
	}
	return requestParts{
		method:     ev.HTTPMethod,
		path:       path,
		escaped:    !httpAPIv1,
		rawQuery:   encodeQuery(ev.QueryStringParameters, ev.MultiValueQueryStringParameters),
		header:     header,
		host:       ev.RequestContext.DomainName,
		remoteAddr: ev.RequestContext.Identity.SourceIP,
		body:       ev.Body,
		base64:     ev.IsBase64Encoded,
	}
}
