package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/serve"
)

// inProcess is what a warm invocation costs in-process: Handler.Invoke,
// event JSON in, response JSON out, with the reference server.
type inProcess struct {
	latency      summary
	bytesPerCall float64
}

// warmUpCalls is how many untimed calls at most, of the kind about to be
// timed, go before the timed ones, in-process and through the Runtime API.
const warmUpCalls = 1000

// measureInProcess invokes a lambdamcp Handler with the reference server n
// times with the Function URL event of call, after a warm-up, and measures
// each invocation and the bytes allocated per invocation. The handler is
// set up as cmd/mcp-server sets it up on Lambda (a JSON log line per
// request, here to io.Discard; JSON answers), and each invocation has what
// the Lambda runtime gives it: a deadline and a request id. With a gap, it
// idles that long before each invocation, as a function does between
// invocations: caches cool and the runtime parks its threads.
func measureInProcess(ctx context.Context, call mcpCall, n int, gap time.Duration) (inProcess, error) {
	logger := slog.New(lambdamcp.NewLogHandler(slog.NewJSONHandler(io.Discard, nil)))
	h := lambdamcp.NewHandler(serve.Routes(serve.Handler(demoserver.New(demoserver.Options{}), nil)),
		&lambdamcp.Options{Logger: logger, JSONResponse: true})
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "bench-in-process"})
	ctx, cancel := context.WithTimeout(ctx, time.Hour)
	defer cancel()
	payload := urlEvent(call)
	for range min(n, warmUpCalls) {
		out, err := h.Invoke(ctx, payload)
		if err != nil {
			return inProcess{}, err
		}
		if err := checkURLResponse(out); err != nil {
			return inProcess{}, err
		}
	}
	return timeCalls(n, gap, nil, func() error {
		_, err := h.Invoke(ctx, payload)
		return err
	})
}

// measureSDK times the go-sdk's handler alone with the same server and
// request, as an HTTP server would call it: the share of measureInProcess
// that lambdamcp does not control.
func measureSDK(ctx context.Context, call mcpCall, n int) (inProcess, error) {
	sdk := serve.Routes(serve.Handler(demoserver.New(demoserver.Options{}), nil))
	newReq := func() *http.Request {
		r := httptest.NewRequestWithContext(ctx, http.MethodPost, "/mcp", bytes.NewReader(call.body))
		r.Header = call.header.Clone()
		return r
	}
	// The timed calls reuse one request, its body rewound before each, so
	// that what building a request costs (an HTTP server's share, 5.8 KB
	// with httptest) is not counted as the SDK's.
	body := bytes.NewReader(call.body)
	r := newReq()
	rc := io.NopCloser(body)
	w := newDiscardWriter()
	for range min(n, warmUpCalls) {
		w := httptest.NewRecorder()
		sdk.ServeHTTP(w, newReq())
		if w.Code != http.StatusOK || !bytes.Contains(w.Body.Bytes(), []byte(`"result"`)) {
			return inProcess{}, fmt.Errorf("go-sdk alone: status %d: %.200s", w.Code, w.Body)
		}
	}
	return timeCalls(n, 0, func() {
		body.Reset(call.body)
		r.Body = rc // the SDK wraps it in a MaxBytesReader
		clear(w.header)
	}, func() error {
		sdk.ServeHTTP(w, r)
		return nil
	})
}

// timeCalls runs call n times after a collection, idling gap and then
// running prepare (if any, untimed) before each, and returns the latency of
// each call and the bytes allocated per call, prepare's included: prepare
// should allocate nothing.
func timeCalls(n int, gap time.Duration, prepare func(), call func() error) (inProcess, error) {
	lat := make([]time.Duration, n)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range n {
		if gap > 0 {
			sleep(gap)
		}
		if prepare != nil {
			prepare()
		}
		t0 := now()
		if err := call(); err != nil {
			return inProcess{}, err
		}
		lat[i] = now().Sub(t0)
	}
	runtime.ReadMemStats(&after)
	return inProcess{
		latency:      summarize(lat),
		bytesPerCall: float64(after.TotalAlloc-before.TotalAlloc) / float64(n),
	}, nil
}

// discardWriter is the cheapest http.ResponseWriter, so that what the SDK
// costs is measured, not a recorder's copies. Its one header map, cleared
// between calls, is the server's share, as the request is: a new map on
// every Header call would count a map and its growth for each header the
// SDK sets, and lose the headers it reads back.
type discardWriter struct{ header http.Header }

func newDiscardWriter() discardWriter { return discardWriter{header: http.Header{}} }

func (w discardWriter) Header() http.Header       { return w.header }
func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (discardWriter) WriteHeader(int)             {}

// checkURLResponse checks that a Function URL response is HTTP 200 with a
// JSON body holding a JSON-RPC result that is no tool error.
func checkURLResponse(body []byte) error {
	var out events.LambdaFunctionURLResponse
	if err := json.Unmarshal(body, &out); err != nil {
		return fmt.Errorf("response is not a Function URL response: %w", err)
	}
	if out.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %.200s", out.StatusCode, out.Body)
	}
	var ct string
	for k, v := range out.Headers {
		if strings.EqualFold(k, "Content-Type") {
			ct = v
		}
	}
	return checkResult(ct, []byte(out.Body), "")
}

// checkResult checks that an answer is JSON (not an event stream) holding
// a JSON-RPC result that is no tool error, whose first text, if want is
// set, starts with want: a server that fails fast, or answers otherwise
// than the others, must not look fast.
func checkResult(contentType string, body []byte, want string) error {
	if mt, _, _ := mime.ParseMediaType(contentType); mt != "application/json" {
		return fmt.Errorf("Content-Type %q, want application/json: %.200s", contentType, body)
	}
	var rpc struct {
		Result *struct {
			IsError bool `json:"isError"`
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"result"`
	}
	if err := json.Unmarshal(body, &rpc); err != nil || rpc.Result == nil {
		return fmt.Errorf("no result: %.200s", body)
	}
	if rpc.Result.IsError {
		return fmt.Errorf("tool error: %.200s", body)
	}
	if want != "" && (len(rpc.Result.Content) == 0 || !strings.HasPrefix(rpc.Result.Content[0].Text, want)) {
		return fmt.Errorf("answer is not %q: %.200s", want, body)
	}
	return nil
}
