// Command lambdafloor is the Runtime API floor of cmd/lambdamcp-bench: a
// Lambda bootstrap that answers every invocation with the same Function URL
// response, a JSON-RPC result, without decoding the event. What it costs is
// what the Runtime API round trip and the Go runtime cost; the reference
// server's cold start and warm latency are compared with it.
//
//	GOOS=linux CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap ./bench/peers/lambdafloor
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

var answer = []byte(`{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[]}}"}`)

type fixed struct{}

func (fixed) Invoke(context.Context, []byte) ([]byte, error) { return answer, nil }

func main() { lambda.Start(fixed{}) } // a lambda.Handler is served as is
