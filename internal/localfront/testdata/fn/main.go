// Command fn is the test function for the local front's child-process tests:
// a real bootstrap built with aws-lambda-go that reports its PID and fails on
// request.
//
// A TOKEN authorizer event is authorized when the token is "Bearer ok".
// A direct event {"action": "..."} selects: "" (echo), "exit" (os.Exit(3)),
// "panic", "error", "sleep" (for "ms" milliseconds) or "stream" (a streamed
// HTTP response in three chunks). An API Gateway or Function URL event gets
// a proxy response echoing the PID and path; the path /exit exits, /slow
// answers after a second, /held answers once the test lets it (see
// envHold), /hang waits for the invocation's deadline (and says so on
// stderr), /stream streams, /stream-hang streams a chunk and then hangs
// until killed, and /spawn starts a child process that sleeps
// and echoes its PID as child.
//
// With envOnShutdown set, it asks for the SIGTERM Lambda sends at shutdown
// and prints shutdownMark when it comes: "lambdamcp" serves an echo of the
// request through lambdamcp.Start with Options.OnShutdown, "lambda" serves
// the events above with aws-lambda-go's lambda.WithEnableSIGTERM.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/lambdamcp/lambdamcp"
)

type event struct {
	Action string `json:"action"`
	MS     int    `json:"ms"`

	Type               string `json:"type"`
	AuthorizationToken string `json:"authorizationToken"`
	MethodArn          string `json:"methodArn"`

	RequestContext json.RawMessage `json:"requestContext"`
	Path           string          `json:"path"`
	RawPath        string          `json:"rawPath"`
	// Query is a REST event's; its "do" names a behaviour in place of the
	// path's end, for a front that routes /mcp only (Config.Deploy).
	Query map[string]string `json:"queryStringParameters"`
}

type echo struct {
	PID       int               `json:"pid"`
	Child     int               `json:"child,omitempty"`
	RequestID string            `json:"requestId"`
	Path      string            `json:"path,omitempty"`
	Env       map[string]string `json:"env"`
	Deadline  bool              `json:"deadline"`
	Dir       string            `json:"dir"` // the working directory
}

var envNames = []string{
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_LOG_STREAM_NAME", "AWS_REGION", "_HANDLER", "LAMBDA_TASK_ROOT", "LANG", "EXTRA",
}

func newEcho(ctx context.Context, path string) echo {
	e := echo{PID: os.Getpid(), Path: path, Env: map[string]string{}}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		e.RequestID = lc.AwsRequestID
	}
	_, e.Deadline = ctx.Deadline()
	e.Dir, _ = os.Getwd()
	for _, k := range envNames {
		e.Env[k] = os.Getenv(k)
	}
	return e
}

func handle(ctx context.Context, ev event) (any, error) {
	if ev.Type == "TOKEN" {
		return authorize(ev)
	}
	if ev.RequestContext != nil {
		path := ev.Path + ev.RawPath
		if do := ev.Query["do"]; do != "" {
			path = "/" + do
		}
		switch {
		case strings.HasSuffix(path, "/exit"):
			os.Exit(3)
		case strings.HasSuffix(path, "/hang"):
			fmt.Fprintln(os.Stderr, hanging) // tells a test the invocation is under way
			<-ctx.Done()                     // until the invocation's deadline, or the process is killed
		case strings.HasSuffix(path, "/slow"):
			time.Sleep(time.Second) // past a short integration timeout, well within the function's
		case strings.HasSuffix(path, "/held"):
			if err := held(); err != nil {
				return nil, err
			}
		case strings.HasSuffix(path, "/stream"):
			return streamed(), nil
		case strings.HasSuffix(path, "/spawn"):
			child := exec.Command(os.Args[0])
			child.Env = append(os.Environ(), envSleep+"=1")
			if err := child.Start(); err != nil {
				return nil, err
			}
			e := newEcho(ctx, path)
			e.Child = child.Process.Pid
			body, _ := json.Marshal(e)
			return events.APIGatewayProxyResponse{StatusCode: 200, Body: string(body)}, nil
		case strings.HasSuffix(path, "/stream-hang"):
			// A first chunk, then nothing until the process is killed.
			r, w := io.Pipe()
			go fmt.Fprint(w, "chunk 0\n")
			return &events.LambdaFunctionURLStreamingResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "text/plain"}, Body: r}, nil
		case strings.HasSuffix(path, "/stream-bad-status"):
			r := streamed()
			r.StatusCode = 1000 // no HTTP status
			return r, nil
		}
		body, _ := json.Marshal(newEcho(ctx, path))
		return events.APIGatewayProxyResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "application/json"}, Body: string(body)}, nil
	}
	switch ev.Action {
	case "exit":
		os.Exit(3)
	case "panic":
		panic("panic on purpose")
	case "error":
		return nil, errors.New("failed on purpose")
	case "sleep":
		time.Sleep(time.Duration(ev.MS) * time.Millisecond)
	case "stream":
		return streamed(), nil
	}
	return newEcho(ctx, ""), nil
}

// authorize is a TOKEN authorizer: "Bearer ok" is allowed with context,
// anything else is Unauthorized.
func authorize(ev event) (any, error) {
	if ev.AuthorizationToken != "Bearer ok" {
		return nil, errors.New("Unauthorized")
	}
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: "tester",
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: []events.IAMPolicyStatement{
			{Action: []string{"execute-api:Invoke"}, Effect: "Allow", Resource: []string{ev.MethodArn}},
		}},
		Context: map[string]any{"pid": os.Getpid()},
	}, nil
}

// streamed answers with a streamed HTTP response in three chunks, as
// lambdaurl does.
func streamed() *events.LambdaFunctionURLStreamingResponse {
	r, w := io.Pipe()
	go func() {
		for i := range 3 {
			fmt.Fprintf(w, "chunk %d\n", i)
			time.Sleep(10 * time.Millisecond)
		}
		w.Close()
	}()
	return &events.LambdaFunctionURLStreamingResponse{
		StatusCode: 201,
		Headers:    map[string]string{"Content-Type": "text/plain"},
		Cookies:    []string{"a=1"},
		Body:       r,
	}
}

// hanging is what /hang writes to stderr once it has its event.
const hanging = "hanging until the deadline"

// envHold names the address /held dials: the invocation lasts until the
// test closes that connection, as long as the test needs, however slow the
// machine.
const envHold = "LOCALFRONT_TEST_HOLD"

func held() error {
	conn, err := net.Dial("tcp", os.Getenv(envHold))
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = io.Copy(io.Discard, conn) // until the test closes its end
	return err
}

// envSleep makes the binary a child that only sleeps (see /spawn).
const envSleep = "LOCALFRONT_TEST_SLEEP"

// envOnShutdown makes the function print shutdownMark at shutdown (see
// the package comment).
const envOnShutdown = "LOCALFRONT_TEST_ON_SHUTDOWN"

// shutdownMark is what the function prints at the SIGTERM of shutdown.
const shutdownMark = "shutdown hook ran"

func printMark() { fmt.Println(shutdownMark) }

func main() {
	if os.Getenv(envSleep) == "1" {
		time.Sleep(5 * time.Minute)
		return
	}
	switch os.Getenv(envOnShutdown) {
	case "lambdamcp":
		lambdamcp.Start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			json.NewEncoder(w).Encode(newEcho(r.Context(), r.URL.Path))
		}), &lambdamcp.Options{NoMetrics: true, OnShutdown: printMark})
	case "lambda":
		lambda.StartWithOptions(handle, lambda.WithEnableSIGTERM(printMark))
	}
	lambda.Start(handle)
}
