// Package runtimeapi serves the Lambda Runtime API (version 2018-06-01) for one
// execution environment, so a real compiled bootstrap can run locally.
//
// A [Server] is the Lambda side of the API: the runtime polls
// GET /2018-06-01/runtime/invocation/next, and answers with
// POST …/invocation/{id}/response or …/invocation/{id}/error, or reports a
// failed start with POST …/init/error. The caller side is [Server.Invoke]
// (deliver one event, get the outcome) and [Server.WaitIdle] (wait until the
// runtime asks for its next event, which is when Lambda considers an
// invocation finished).
//
// [NewConcurrentServer] serves several invocations at once, as Lambda
// Managed Instances do (AWS_LAMBDA_MAX_CONCURRENCY): the runtime keeps
// several requests for the next event open and answers each invocation by
// its request id, in any order.
//
// The Extensions API (version 2020-01-01) is served for internal extensions,
// as aws-lambda-go's lambda.WithEnableSIGTERM registers one: POST
// /2020-01-01/extension/register during the init phase, then GET
// …/event/next, which waits as long as the environment lives, since no event
// is delivered. [Server.Extensions] tells the owner that one registered, and
// so that Lambda would end the process with SIGTERM before SIGKILL.
//
// The server follows https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html,
// including response streaming (a chunked response body with the
// Lambda-Runtime-Function-Error-Type/-Body trailers on failure).
package runtimeapi

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Header names of the Runtime API.
const (
	HeaderRequestID          = "Lambda-Runtime-Aws-Request-Id"
	HeaderDeadlineMs         = "Lambda-Runtime-Deadline-Ms"
	HeaderInvokedFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	HeaderTraceID            = "Lambda-Runtime-Trace-Id"
	HeaderClientContext      = "Lambda-Runtime-Client-Context"
	HeaderCognitoIdentity    = "Lambda-Runtime-Cognito-Identity"
	HeaderFunctionErrorType  = "Lambda-Runtime-Function-Error-Type"
	HeaderFunctionErrorBody  = "Lambda-Runtime-Function-Error-Body"
	HeaderResponseMode       = "Lambda-Runtime-Function-Response-Mode"
)

// ContentTypeHTTPIntegration is the content type of a streamed HTTP response
// (a JSON prelude, eight NUL bytes, then the body), as aws-lambda-go's
// lambdaurl package writes it.
const ContentTypeHTTPIntegration = "application/vnd.awslambda.http-integration-response"

// MaxBufferedResponse is Lambda's limit on a buffered (non-streamed) response
// payload: 6 MB.
const MaxBufferedResponse = 6 * 1024 * 1024

// MaxStreamedResponse is the most a streamed response may carry: 200 MB
// ("Response streaming for Lambda functions"); the stream ends with
// Function.ResponseSizeTooLarge past it.
const MaxStreamedResponse = 200 * 1024 * 1024

// Invocation is one event delivered to the runtime.
type Invocation struct {
	RequestID       string
	Payload         []byte
	Deadline        time.Time
	FunctionARN     string
	TraceID         string
	ClientContext   string // sent only when not empty
	CognitoIdentity string // sent only when not empty

	// Stream selects the streaming invoke mode (InvokeWithResponseStream,
	// Function URLs with RESPONSE_STREAM): the response body is handed on as
	// the runtime writes it and is not limited to 6 MB.
	Stream bool
}

// Response is a function's successful answer.
type Response struct {
	// ContentType is the Content-Type the runtime posted the response with.
	ContentType string
	// Body is the payload. In stream mode it yields bytes as the runtime sends
	// them and fails with a *FunctionError if the runtime reports an error in
	// the trailers or goes away mid-stream. The caller must close it.
	Body io.ReadCloser
}

// FunctionError is an invocation that failed, as Lambda reports it: posted by
// the runtime (…/error, …/init/error, or error trailers) or decided by the
// environment (the runtime exited, the invocation timed out).
type FunctionError struct {
	Type       string          `json:"errorType"`
	Message    string          `json:"errorMessage"`
	StackTrace json.RawMessage `json:"stackTrace,omitempty"`
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("%s: %s", e.Type, e.Message)
}

// decodeFunctionError reads an error document posted by a runtime. A body that
// is not the documented JSON shape is kept as the message; the type comes from
// the body, else from the Lambda-Runtime-Function-Error-Type header.
func decodeFunctionError(headerType string, body []byte) *FunctionError {
	fe := &FunctionError{}
	if err := json.Unmarshal(body, fe); err != nil {
		fe = &FunctionError{Message: string(body)}
	}
	if fe.Type == "" {
		fe.Type = headerType
	}
	if fe.Type == "" {
		fe.Type = "Unhandled"
	}
	return fe
}
