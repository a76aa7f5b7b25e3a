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

// albEventJSON is an ALB event as the load balancer sends it: in the
// default mode with queryStringParameters even when there are none, an
// empty object, as its health check event shows ("Lambda functions as
// targets"); aws-lambda-go's type leaves an empty map out.
type albEventJSON struct {
	events.ALBTargetGroupRequest
	QueryStringParameters *map[string]string `json:"queryStringParameters,omitempty"`
}

func albEventAsSent(ev events.ALBTargetGroupRequest, multiValue bool) albEventJSON {
	out := albEventJSON{ALBTargetGroupRequest: ev}
	if !multiValue {
		q := ev.QueryStringParameters
		if q == nil {
			q = map[string]string{}
		}
		out.QueryStringParameters = &q
	}
	return out
}
