package lambdamcp

import "context"

// AuthorizerContext returns the API Gateway authorizer context of the request
// in ctx, or nil if there is none.
//
// Temporary stand-in so package auth compiles before the event adapter
// lands; it knows no events yet and always returns nil.
func AuthorizerContext(ctx context.Context) map[string]any { return nil }
