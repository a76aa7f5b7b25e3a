package lambdamcp

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// serveALB answers an Application Load Balancer target group event.
//
// A target group either sends single-value headers or, with multi-value
// headers enabled, multi-value ones, and expects the response in the same
// form. Query strings arrive as the client encoded them.
func (h *Handler) serveALB(ctx context.Context, ev *events.ALBTargetGroupRequest) *responseBuffer {
	header := make(http.Header, len(ev.Headers)+len(ev.MultiValueHeaders))
	if ev.MultiValueHeaders != nil {
		multiHeaders(header, ev.MultiValueHeaders)
	} else {
		singleHeaders(header, ev.Headers)
	}
	return h.serve(ctx, &invocation{shape: ShapeALB, event: ev}, requestParts{
		method:     ev.HTTPMethod,
		path:       ev.Path,
		escaped:    true,
		rawQuery:   rawQuery(ev.QueryStringParameters, ev.MultiValueQueryStringParameters),
		header:     header,
		remoteAddr: forwardedClient(header),
		body:       ev.Body,
		base64:     ev.IsBase64Encoded,
	})
}

// albResponse is a target group's response, with multi-value headers when
// its requests have them.
func albResponse(w *responseBuffer, multi bool) *events.ALBTargetGroupResponse {
	body, isBase64 := w.encodedBody()
	resp := &events.ALBTargetGroupResponse{
		StatusCode:        w.statusCode(),
		StatusDescription: statusDescription(w.statusCode()),
		Body:              body,
		IsBase64Encoded:   isBase64,
	}
	if multi {
		resp.MultiValueHeaders = w.header
	} else {
		resp.Headers = joinedHeaders(w.header)
		if c := w.header["Set-Cookie"]; len(c) > 0 {
			resp.Headers["Set-Cookie"] = c[len(c)-1] // one value is all this mode can carry
		}
	}
	return resp
}

// forwardedClient is the client's address as a load balancer reports it:
// the last entry of X-Forwarded-For. An ALB appends the address it was
// connected from to whatever X-Forwarded-For the client sent (its default
// processing mode, "append"), so the entries before the last are the
// client's to choose.
func forwardedClient(h http.Header) string {
	vs := h.Values("X-Forwarded-For")
	if len(vs) == 0 {
		return ""
	}
	last := vs[len(vs)-1]
	if i := strings.LastIndexByte(last, ','); i >= 0 {
		last = last[i+1:]
	}
	return strings.TrimSpace(last)
}

// statusDescription is an ALB response's statusDescription, as "200 OK" in
// "Use Lambda functions as targets of an Application Load Balancer"
// (Respond to the load balancer): the code and its reason phrase, or the
// code alone, with no trailing space, for a code that has none.
func statusDescription(code int) string {
	if text := http.StatusText(code); text != "" {
		return strconv.Itoa(code) + " " + text
	}
	return strconv.Itoa(code)
}
