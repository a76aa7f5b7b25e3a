package lambdamcp_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdamcp/lambdamcp"
)

// authorizedRESTEvent is an API Gateway REST API proxy event for POST /mcp, with the
// context a Lambda authorizer passed on.
const authorizedRESTEvent = `{
  "resource": "/mcp", "path": "/mcp", "httpMethod": "POST",
  "headers": {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"},
  "requestContext": {"stage": "prod", "requestId": "c6af9ac6", "httpMethod": "POST",
    "authorizer": {"principalId": "user-1", "sub": "user-1", "scope": "mcp:tools mcp:read"}},
  "body": "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"
}`

// A handler, and the tools under it, learn from the request's context which
// invocation and event the request came from. Outside Lambda (a local
// server, a test) they learn nothing.
func ExampleRequestID() {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		fmt.Printf("request id %q, shape %q, event %T\n",
			lambdamcp.RequestID(ctx), lambdamcp.EventShape(ctx), lambdamcp.Event(ctx))
	})

	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "8f5e"})
	if _, err := lambdamcp.NewHandler(handler, nil).Invoke(ctx, []byte(authorizedRESTEvent)); err != nil {
		fmt.Println("error:", err)
	}
	handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/mcp", nil))
	// Output:
	// request id "8f5e", shape "rest", event *events.APIGatewayProxyRequest
	// request id "", shape "", event <nil>
}

// Behind an API Gateway Lambda authorizer, what it checked reaches the
// handler; auth.AuthorizerVerifier turns it into the caller's identity.
func ExampleAuthorizerContext() {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims := lambdamcp.AuthorizerContext(r.Context())
		fmt.Println(claims["principalId"], claims["scope"])
	})
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "8f5e"})
	if _, err := lambdamcp.NewHandler(handler, nil).Invoke(ctx, []byte(authorizedRESTEvent)); err != nil {
		fmt.Println("error:", err)
	}
	// Output: user-1 mcp:tools mcp:read
}

// A deployment names the shapes that reach it through response streaming
// in its configuration (the reference server reads MCP_STREAM); only
// Function URLs and REST APIs can stream.
func ExampleParseStreamShapes() {
	for _, list := range []string{"url", "url, rest", "", "alb"} {
		shapes, err := lambdamcp.ParseStreamShapes(list)
		fmt.Printf("%q: %q %v\n", list, shapes, err)
	}
	// Output:
	// "url": ["url"] <nil>
	// "url, rest": ["url" "rest"] <nil>
	// "": [] <nil>
	// "alb": [] "alb" cannot stream: name url, rest or both
}

// withoutTime drops the time from log records, so that the lines below
// are the same on every run.
func withoutTime(groups []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey && len(groups) == 0 {
		return slog.Attr{}
	}
	return a
}

// Every record logged with a request's context carries the Lambda request
// id, at the top level even when the logger has a group.
func ExampleNewLogHandler() {
	var logs bytes.Buffer
	logger := slog.New(lambdamcp.NewLogHandler(slog.NewJSONHandler(&logs, &slog.HandlerOptions{ReplaceAttr: withoutTime})))

	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "8f5e"})
	logger.WithGroup("cache").InfoContext(ctx, "miss", "key", "flights/LHR")
	logger.InfoContext(context.Background(), "no invocation") // no request id to give
	fmt.Print(logs.String())
	// Output:
	// {"level":"INFO","msg":"miss","request_id":"8f5e","cache":{"key":"flights/LHR"}}
	// {"level":"INFO","msg":"no invocation"}
}

// The go-sdk logs without the request's context; a logger of
// NewSDKLogHandler still gives its lines the id of the invocation in flight.
func ExampleNewSDKLogHandler() {
	var logs bytes.Buffer
	sdkLogger := slog.New(lambdamcp.NewSDKLogHandler(slog.NewJSONHandler(&logs, &slog.HandlerOptions{ReplaceAttr: withoutTime})))
	// Stands in for the go-sdk's handler, given sdkLogger as
	// mcp.StreamableHTTPOptions.Logger.
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sdkLogger.Warn("session not found")
		http.Error(w, "not found", http.StatusNotFound)
	})

	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "8f5e"})
	if _, err := lambdamcp.NewHandler(handler, nil).Invoke(ctx, []byte(authorizedRESTEvent)); err != nil {
		fmt.Println("error:", err)
	}
	sdkLogger.Info("between invocations")
	fmt.Print(logs.String())
	// Output:
	// {"level":"WARN","msg":"session not found","request_id":"8f5e"}
	// {"level":"INFO","msg":"between invocations"}
}
