package lambdamcp_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// The runtime test runs this test binary a second time as a Lambda
// function: lambdamcp.Start with the real aws-lambda-go runtime loop, which
// talks to a Runtime API served by the test. Its tool blocks on an HTTP call
// to the test, which answers only after it has read the first progress
// message from the streamed response.
const (
	envRuntimeChild = "LAMBDAMCP_TEST_RUNTIME_CHILD"
	envReleaseURL   = "LAMBDAMCP_TEST_RELEASE_URL"
	envNoMetrics    = "LAMBDAMCP_TEST_NO_METRICS"
)

// TestRuntimeChild is the function side; it only runs in the child.
func TestRuntimeChild(t *testing.T) {
	if os.Getenv(envRuntimeChild) != "1" {
		t.Skip("runs only as the child of TestStreamThroughRuntimeAPI")
	}
	release := os.Getenv(envReleaseURL)
	s := mcp.NewServer(&mcp.Implementation{Name: "runtime-test", Version: "1.0.0"}, nil)
	s.AddReceivingMiddleware(lambdamcp.Middleware()) // names the tools in metrics
	mcp.AddTool(s, &mcp.Tool{Name: "wait", Description: "Reports progress, then waits for the test."},
		func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
			req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: req.Params.GetProgressToken(), Progress: 1, Message: "started"})
			resp, err := http.Get(release)
			if err != nil {
				return nil, nil, err
			}
			resp.Body.Close()
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "released"}}}, nil, nil
		})
	mcp.AddTool(s, &mcp.Tool{Name: "procs", Description: "Reports the GOMAXPROCS the function runs with."},
		func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: strconv.Itoa(runtime.GOMAXPROCS(0))}}}, nil, nil
		})
	lambdamcp.Start(sseHandler(s), &lambdamcp.Options{
		Stream:    []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST},
		NoMetrics: os.Getenv(envNoMetrics) == "1",
	})
}

// runtimeAPI serves the Lambda Runtime API for one invocation.
type runtimeAPI struct {
	payload  []byte
	deadline time.Time          // of the invocation; zero: a minute from when it is fetched
	response chan *http.Request // the runtime's POST …/response, body still streaming
	served   chan struct{}      // closed when the test has read the response
}

func (a *runtimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == "GET" && r.URL.Path == "/2018-06-01/runtime/invocation/next":
		select {
		case <-a.served:
			<-r.Context().Done() // one invocation only
			return
		default:
		}
		w.Header().Set("Lambda-Runtime-Aws-Request-Id", "req-1")
		deadline := a.deadline
		if deadline.IsZero() {
			deadline = time.Now().Add(time.Minute)
		}
		w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(deadline.UnixMilli(), 10))
		w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:test")
		w.Write(a.payload)
	case r.Method == "POST" && r.URL.Path == "/2018-06-01/runtime/invocation/req-1/response":
		a.response <- r
		<-a.served
		w.WriteHeader(http.StatusAccepted)
	default:
		http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusNotFound)
	}
}

// TestStreamThroughRuntimeAPI drives a streamed invocation through the
// aws-lambda-go runtime loop: the response reaches the Runtime API as a
// chunked HTTP integration response whose first progress message arrives
// while the tool is still waiting.
func TestStreamThroughRuntimeAPI(t *testing.T) {
	if os.Getenv(envRuntimeChild) == "1" {
		t.Skip("parent only")
	}
	for _, shape := range streamShapes {
		t.Run(shape.name, func(t *testing.T) {
			read := make(chan struct{})
			released := make(chan struct{})
			release := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-read: // the tool blocks here until the test has read its progress
					close(released)
				case <-r.Context().Done(): // the child is gone
				}
			}))
			t.Cleanup(release.Close) // after the child stops

			post := invokeChild(t, shape.build(t, callWait(legacy)), envReleaseURL+"="+release.URL)
			if ct := post.Header.Get("Content-Type"); ct != "application/vnd.awslambda.http-integration-response" {
				t.Errorf("Content-Type = %q, want the HTTP integration response type", ct)
			}
			body := bufio.NewReader(post.Body)
			head, err := body.ReadString(0)
			if err != nil || !strings.Contains(head, `"statusCode":200`) || !strings.Contains(head, "text/event-stream") {
				t.Fatalf("prelude = %q (%v)", head, err)
			}
			body.Discard(7)
			s := &streamReader{t: t, r: body}
			if m := s.nextMessage(); kind(m) != "notifications/progress" {
				t.Fatalf("first message = %v, want progress", m)
			}
			select {
			case <-released:
				t.Fatal("the tool was released before the progress was read")
			default:
			}
			close(read)
			if m := s.nextMessage(); kind(m) != "result" {
				t.Fatalf("message = %v, want the result", m)
			}
			s.wantEnd()
			if _, err := io.Copy(io.Discard, post.Body); err != nil {
				t.Errorf("draining: %v", err)
			}
			if post.Trailer.Get("Lambda-Runtime-Function-Error-Type") != "" {
				t.Errorf("runtime reported an error: %v", fmt.Sprint(post.Trailer))
			}
		})
	}
}

// TestBufferedThroughRuntimeAPI checks that Start, streaming some shapes,
// still answers the others with one JSON response.
func TestBufferedThroughRuntimeAPI(t *testing.T) {
	if os.Getenv(envRuntimeChild) == "1" {
		t.Skip("parent only")
	}
	release := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(release.Close)
	post := invokeChild(t, httpAPIEvent(t, callWait(legacy)), envReleaseURL+"="+release.URL)
	if ct := post.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var resp lambdaResponse
	if err := json.NewDecoder(post.Body).Decode(&resp); err != nil {
		t.Fatalf("buffered response: %v", err)
	}
	s := &streamReader{t: t, r: bufio.NewReader(strings.NewReader(resp.Body))}
	if m := s.nextMessage(); kind(m) != "notifications/progress" {
		t.Errorf("first message = %v, want progress", m)
	}
	if m := s.nextMessage(); kind(m) != "result" {
		t.Errorf("message = %v, want the result", m)
	}
}

// TestStartProcs runs Start with the real runtime loop under the memory
// sizes Lambda reports, and asks the function what GOMAXPROCS it runs with:
// 1 below one vCPU's worth of memory, Go's own choice otherwise or when the
// environment sets GOMAXPROCS.
func TestStartProcs(t *testing.T) {
	if os.Getenv(envRuntimeChild) == "1" {
		t.Skip("parent only")
	}
	// Go's own choice, from a function that reports no memory size: the
	// machine's CPUs, or its container's CPU limit.
	goDefault := startProcs(t, nil)
	if goDefault == "1" {
		t.Skip("Go's own choice here is 1 already")
	}
	cases := []struct {
		name string
		env  []string
		want string
	}{
		{"128 MB", []string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128"}, "1"},
		{"1768 MB", []string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1768"}, "1"},
		{"1769 MB", []string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1769"}, goDefault},
		{"10240 MB", []string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=10240"}, goDefault},
		{"128 MB, GOMAXPROCS=3", []string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128", "GOMAXPROCS=3"}, "3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := startProcs(t, tc.env); got != tc.want {
				t.Errorf("GOMAXPROCS = %s, want %s", got, tc.want)
			}
		})
	}
}

// TestStartMetrics checks that Start writes one Embedded Metric Format
// line per tool call to standard output, where Lambda's log capture makes
// it metrics, unless Options.NoMetrics is set.
func TestStartMetrics(t *testing.T) {
	if os.Getenv(envRuntimeChild) == "1" {
		t.Skip("parent only")
	}
	call := jsonPost(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"procs","arguments":{}}}`, "MCP-Protocol-Version", legacy)
	for _, tc := range []struct {
		name string
		env  []string
		want int // metric lines
	}{
		{"default", nil, 1},
		{"NoMetrics", []string{envNoMetrics + "=1"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			post := invokeChildTo(t, httpAPIEvent(t, call), w, tc.env...)
			w.Close() // the child holds its own copy
			var resp lambdaResponse
			if err := json.NewDecoder(post.Body).Decode(&resp); err != nil || resp.StatusCode != 200 {
				t.Fatalf("response %+v (%v)", resp, err)
			}
			// The child wrote its lines before it posted the response, so
			// they are in the pipe now; a short wait reads them all.
			r.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
			out, _ := io.ReadAll(r)
			var metrics []map[string]any
			for line := range strings.Lines(string(out)) {
				var m map[string]any
				if json.Unmarshal([]byte(line), &m) == nil && m["_aws"] != nil {
					metrics = append(metrics, m)
				}
			}
			if len(metrics) != tc.want {
				t.Fatalf("%d metric lines, want %d; standard output:\n%s", len(metrics), tc.want, out)
			}
			for _, m := range metrics {
				if m["Tool"] != "procs" || m["Calls"] != float64(1) {
					t.Errorf("metric line %v, want one call of procs", m)
				}
			}
		})
	}
}

// startProcs runs the child as a Lambda function with env, invokes its
// procs tool once and returns the answer.
func startProcs(t *testing.T, env []string) string {
	t.Helper()
	call := jsonPost(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"procs","arguments":{}}}`, "MCP-Protocol-Version", legacy)
	post := invokeChild(t, httpAPIEvent(t, call), env...)
	var resp lambdaResponse
	if err := json.NewDecoder(post.Body).Decode(&resp); err != nil {
		t.Fatalf("response: %v", err)
	}
	m := (&streamReader{t: t, r: bufio.NewReader(strings.NewReader(resp.Body))}).nextMessage()
	var result struct {
		Content []struct{ Text string } `json:"content"`
	}
	raw, _ := json.Marshal(m["result"])
	if err := json.Unmarshal(raw, &result); err != nil || len(result.Content) != 1 {
		t.Fatalf("answer = %v", m)
	}
	return result.Content[0].Text
}

// invokeChild runs this test binary a second time as a Lambda function
// (TestRuntimeChild) with env added to this environment, less GOMAXPROCS and
// the memory size, delivers payload through a Runtime API served here, and
// returns the runtime's POST of the response, its body still streaming. The
// child and the Runtime API stop when the test ends.
func invokeChild(t *testing.T, payload []byte, env ...string) *http.Request {
	t.Helper()
	return invokeChildTo(t, payload, os.Stderr, env...)
}

// invokeChildTo is invokeChild with the child's standard output sent to
// stdout (its standard error still goes to the test's).
func invokeChildTo(t *testing.T, payload []byte, stdout io.Writer, env ...string) *http.Request {
	t.Helper()
	return invokeChildBy(t, payload, time.Time{}, stdout, env...)
}

// invokeChildBy is invokeChildTo with the invocation's deadline (zero: a
// minute from when the runtime fetches it).
func invokeChildBy(t *testing.T, payload []byte, deadline time.Time, stdout io.Writer, env ...string) *http.Request {
	t.Helper()
	api := &runtimeAPI{payload: payload, deadline: deadline, response: make(chan *http.Request), served: make(chan struct{})}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(api.served) })

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	child := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestRuntimeChild$")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOMAXPROCS=") && !strings.HasPrefix(kv, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=") {
			child.Env = append(child.Env, kv)
		}
	}
	child.Env = append(child.Env, envRuntimeChild+"=1", "AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(srv.URL, "http://"))
	child.Env = append(child.Env, env...)
	child.Stdout, child.Stderr = stdout, os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { child.Process.Kill(); child.Wait() })

	select {
	case post := <-api.response:
		return post
	case <-ctx.Done():
		t.Fatal("the runtime never posted a response")
		return nil
	}
}

// TestStreamPastDeadlineThroughRuntimeAPI checks that a streamed
// invocation whose deadline has passed when it arrives gets its call
// answered as a buffered one's is, with the timeout error as a JSON body,
// rather than a head with no body ended by the runtime's error trailers.
func TestStreamPastDeadlineThroughRuntimeAPI(t *testing.T) {
	if os.Getenv(envRuntimeChild) == "1" {
		t.Skip("parent only")
	}
	release := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // the tool is never released
	}))
	t.Cleanup(release.Close)
	env := []string{envReleaseURL + "=" + release.URL, envNoMetrics + "=1"}
	for _, era := range []string{legacy, modern} {
		past := time.Now().Add(-time.Second)
		post := invokeChildBy(t, httpAPIEvent(t, callWait(era)), past, os.Stderr, env...)
		var want lambdaResponse
		if err := json.NewDecoder(post.Body).Decode(&want); err != nil {
			t.Fatalf("%s: buffered response: %v", era, err)
		}
		if want.StatusCode != http.StatusOK || !strings.Contains(want.Body, `"error"`) {
			t.Fatalf("%s: buffered answer = %d %q, want the call's timeout error", era, want.StatusCode, want.Body)
		}
		for _, shape := range streamShapes {
			t.Run(shape.name+"/"+era, func(t *testing.T) {
				post := invokeChildBy(t, shape.build(t, callWait(era)), past, os.Stderr, env...)
				body := bufio.NewReader(post.Body)
				head, err := body.ReadBytes(0)
				if err != nil {
					t.Fatalf("prelude = %q (%v)", head, err)
				}
				body.Discard(7)
				var p prelude
				if err := json.Unmarshal(head[:len(head)-1], &p); err != nil {
					t.Fatalf("prelude %q: %v", head, err)
				}
				got, err := io.ReadAll(body)
				if err != nil {
					t.Errorf("reading the body: %v", err)
				}
				if p.StatusCode != want.StatusCode || p.header("Content-Type") != "application/json" || string(got) != want.Body {
					t.Errorf("streamed answer = %d %q %q, want %d application/json %q", p.StatusCode, p.header("Content-Type"), got, want.StatusCode, want.Body)
				}
				if typ := post.Trailer.Get("Lambda-Runtime-Function-Error-Type"); typ != "" {
					t.Errorf("the stream ended with an error: %s %s", typ, post.Trailer.Get("Lambda-Runtime-Function-Error-Body"))
				}
			})
		}
	}
}
