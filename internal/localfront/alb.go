package localfront

import (
	"github.com/aws/aws-lambda-go/events"
)

// albEvent builds the Application Load Balancer target group event. Header
// names are lowercase, the path and query parameters are passed as the
// client encoded them, and the body is base64-encoded unless of one of the
// load balancer's text types; in multi-value mode only the multi-value maps
// are filled.
func (f *Front) albEvent(req *request) events.ALBTargetGroupRequest {
	h := req.headers(true)
	q := req.rawQuery()
	body, b64 := req.encodedBodyBy(isALBText)
	ev := events.ALBTargetGroupRequest{
		HTTPMethod: req.r.Method,
		Path:       req.rawPath,
		RequestContext: events.ALBTargetGroupRequestContext{
			ELB: events.ELBContext{TargetGroupArn: "arn:aws:elasticloadbalancing:" + f.cfg.Region + ":" + accountID + ":targetgroup/local/0123456789abcdef"},
		},
		Body:            body,
		IsBase64Encoded: b64,
	}
	if f.cfg.MultiValueHeaders {
		ev.MultiValueHeaders = h
		ev.MultiValueQueryStringParameters = q
	} else {
		ev.Headers = lastValues(h)
		ev.QueryStringParameters = lastValues(q)
	}
	return ev
}
