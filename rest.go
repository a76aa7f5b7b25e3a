package lambdamcp

import (
	"context"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// serveREST answers an API Gateway REST API proxy event (payload 1.0).
//
// The path the handler sees is the event's path, without the stage: a
// resource /mcp on stage dev is served at /mcp. Headers and query strings
// come from the multi-value maps, which REST APIs always send.
func (h *Handler) serveREST(ctx context.Context, payload []byte) (any, error) {
	var ev events.APIGatewayProxyRequest
	if err := decodeEvent(payload, &ev); err != nil {
		return nil, fmt.Errorf("decoding REST API event: %w", err)
	}
	w := h.serve(ctx, &invocation{shape: ShapeREST, event: &ev, authorizer: ev.RequestContext.Authorizer}, restParts(&ev))
	body, isBase64 := w.encodedBody()
	return &events.APIGatewayProxyResponse{
		StatusCode:        w.statusCode(),
		MultiValueHeaders: w.header,
		Body:              body,
		IsBase64Encoded:   isBase64,
	}, nil
}

// restParts maps a REST API event's request, for buffered and streamed
// answers alike.
func restParts(ev *events.APIGatewayProxyRequest) requestParts {
	header := make(http.Header, len(ev.Headers))
	if len(ev.MultiValueHeaders) > 0 {
		multiHeaders(header, ev.MultiValueHeaders)
	} else {
		singleHeaders(header, ev.Headers)
	}
	return requestParts{
		method:     ev.HTTPMethod,
		path:       ev.Path,
		rawQuery:   encodeQuery(ev.QueryStringParameters, ev.MultiValueQueryStringParameters),
		header:     header,
		host:       ev.RequestContext.DomainName,
		remoteAddr: ev.RequestContext.Identity.SourceIP,
		body:       ev.Body,
		base64:     ev.IsBase64Encoded,
	}
}
