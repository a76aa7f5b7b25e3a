package lambdamcp

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// invocation is what lambdamcp learned from the event, carried in the
// request context.
type invocation struct {
	shape      Shape
	event      any
	authorizer map[string]any
	streamed   bool // the response goes out as a Lambda response stream
	httpAPIv1  bool // a REST-shaped event from an HTTP API (isHTTPAPIv1)
}

type invocationKey struct{}

func withInvocation(ctx context.Context, inv *invocation) context.Context {
	return context.WithValue(ctx, invocationKey{}, inv)
}

func invocationFrom(ctx context.Context) *invocation {
	inv, _ := ctx.Value(invocationKey{}).(*invocation)
	return inv
}

// RequestID returns the Lambda request id of the invocation that carries ctx,
// or "" outside Lambda.
func RequestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}

// AuthorizerContext returns what the API Gateway authorizer passed on for the
// request: for REST APIs the requestContext.authorizer map (principalId and
// the authorizer's context), for HTTP APIs the Lambda authorizer's context or,
// with a JWT authorizer, the token's claims (and "scopes"). For an HTTP API
// route or a Function URL that AWS_IAM authorization guards, it is the
// signer of the request as the event names it: userArn, accountId,
// accessKey, callerId, userId, and for an HTTP API principalOrgId and
// cognitoIdentity (amr, identityId, identityPoolId), each when the event
// holds it. It returns nil when no authorizer ran or the request did not
// come through lambdamcp.
func AuthorizerContext(ctx context.Context) map[string]any {
	inv := invocationFrom(ctx)
	if inv == nil {
		return nil
	}
	if ev, ok := inv.event.(*events.LambdaFunctionURLRequest); ok {
		// Made when asked: a Function URL's every event names its
		// signer when its auth type is AWS_IAM, and few tools ask.
		return urlAuthorizer(ev.RequestContext.Authorizer)
	}
	return inv.authorizer
}

// EventShape returns the shape of the Lambda event the request came from, or
// "" when the request did not come through lambdamcp (local HTTP).
func EventShape(ctx context.Context) Shape {
	if inv := invocationFrom(ctx); inv != nil {
		return inv.shape
	}
	return ""
}

// Event returns the decoded Lambda event the request came from:
// *events.APIGatewayProxyRequest (ShapeREST), *events.APIGatewayV2HTTPRequest
// (ShapeHTTP), *events.LambdaFunctionURLRequest (ShapeURL) or
// *events.ALBTargetGroupRequest (ShapeALB); nil outside Lambda.
func Event(ctx context.Context) any {
	if inv := invocationFrom(ctx); inv != nil {
		return inv.event
	}
	return nil
}
