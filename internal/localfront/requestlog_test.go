package localfront

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/google/go-cmp/cmp"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// The request line repeats the method and path cut short: both are the
// client's, of any size, and the line's size is the front's to choose.
func TestRequestLogCutsMethodAndPath(t *testing.T) {
	longPath := "/" + strings.Repeat("p", 10<<10)
	longMethod := strings.Repeat("M", 10<<10)
	tests := []struct {
		name, method, path   string
		wantMethod, wantPath string
	}{
		{"short ones whole", http.MethodPost, "/mcp", http.MethodPost, "/mcp"},
		{"a long path", http.MethodPost, longPath, http.MethodPost, longPath[:textcut.MaxPathBytes] + "…"},
		{"a long method", longMethod, "/mcp", longMethod[:textcut.MaxMethodBytes] + "…", "/mcp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs := make(logRecords, 16)
			f := startFront(t, Config{Shape: ShapeURL, Function: respondWith(`{"statusCode": 200}`), Logger: slog.New(logs)})
			resp, _ := do(t, sent{method: tc.method, url: f.URL() + tc.path})
			resp.Body.Close()
			line := waitLog(t, logs, "request")
			got := map[string]any{"method": line["method"], "path": line["path"]}
			want := map[string]any{"method": tc.wantMethod, "path": tc.wantPath}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("request line (-want +got):\n%s", diff)
			}
		})
	}
}

// streamedFunction answers every invocation with a streamed response:
// the http-integration prelude, then body, then err (io.EOF: the stream
// ends well).
type streamedFunction struct {
	prelude, body string
	err           error
}

func (s streamedFunction) Invoke(context.Context, *runtimeapi.Invocation) (*runtimeapi.Response, error) {
	r := io.MultiReader(strings.NewReader(s.prelude+s.body), iotest.ErrReader(s.err))
	return &runtimeapi.Response{ContentType: runtimeapi.ContentTypeHTTPIntegration, Body: io.NopCloser(r)}, nil
}

func (streamedFunction) Close() error { return nil }

// Every streamed request gets its request line, one whose response failed
// after its status was sent included: it says so, and the client sees the
// body cut short.
func TestRequestLogStreamed(t *testing.T) {
	const prelude = `{"statusCode":201,"headers":{"Content-Type":"text/plain"}}` + "\x00\x00\x00\x00\x00\x00\x00\x00"
	failure := &runtimeapi.FunctionError{Type: "Runtime.StreamError", Message: "lost midway"}
	tests := []struct {
		name    string
		fn      streamedFunction
		wantCut bool           // the client's body ends in an error
		want    map[string]any // the request line's status and streamFailed
	}{
		{"a stream that ends well", streamedFunction{prelude, "part", io.EOF}, false,
			map[string]any{"status": int64(201), "streamFailed": nil}},
		{"a stream that fails midway", streamedFunction{prelude, "part", failure}, true,
			map[string]any{"status": int64(201), "streamFailed": true}},
		{"a stream that fails before its status", streamedFunction{prelude[:10], "", failure}, false,
			map[string]any{"status": int64(502), "streamFailed": nil}},
	}
	for _, shape := range []Shape{ShapeURL, ShapeREST} {
		for _, tc := range tests {
			t.Run(string(shape)+"/"+tc.name, func(t *testing.T) {
				logs := make(logRecords, 16)
				f := startFront(t, Config{Shape: shape, Stream: true, Function: tc.fn, Logger: slog.New(logs)})
				resp, err := http.Get(f.URL() + "/mcp")
				if err != nil {
					t.Fatal(err)
				}
				_, err = io.ReadAll(resp.Body)
				resp.Body.Close()
				if cut := err != nil; cut != tc.wantCut {
					t.Errorf("body read error %v, want a cut body: %t", err, tc.wantCut)
				}
				line := waitLog(t, logs, "request")
				got := map[string]any{"status": line["status"], "streamFailed": line["streamFailed"]}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("request line (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestEventTooLargeIsLogged checks that an event over Lambda's 6 MB,
// which the gateways refuse with a body that names no reason, has the
// reason logged before the request's line.
func TestEventTooLargeIsLogged(t *testing.T) {
	tests := []struct {
		shape      Shape
		wantStatus int
	}{
		{ShapeREST, http.StatusInternalServerError},
		{ShapeHTTP, http.StatusInternalServerError},
		{ShapeURL, http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		t.Run(string(tc.shape), func(t *testing.T) {
			logs := make(logRecords, 16)
			f := startFront(t, Config{Shape: tc.shape, Function: respondWith(`{"statusCode": 200}`), Logger: slog.New(logs)})
			resp, _ := do(t, sent{method: http.MethodPost, url: f.URL() + "/mcp", body: strings.Repeat("a", maxInvokePayload), contentType: "text/plain"})
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			var reasons []string
			for m := <-logs; m["msg"] != "request"; m = <-logs {
				if err, ok := m["error"].(error); ok {
					reasons = append(reasons, m["msg"].(string)+": "+err.Error())
				}
			}
			want := []string{"event too large: the event is "}
			var got []string
			for _, r := range reasons {
				got = append(got, r[:min(len(r), len(want[0]))])
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("reasons logged before the request line (-want +got):\n%s\nin full: %q", diff, reasons)
			}
		})
	}
}

// The request line repeats the path escaped, as the function's own line
// does: a bidi override or a C1 control the client put in it would
// reorder or break the line.
func TestRequestLogEscapesPath(t *testing.T) {
	logs := make(logRecords, 16)
	f := startFront(t, Config{Shape: ShapeURL, Function: respondWith(`{"statusCode": 200}`), Logger: slog.New(logs)})
	resp, _ := do(t, sent{method: http.MethodPost, url: f.URL() + "/mcp/a%E2%80%AEb%C2%85c%5Cu202e"})
	resp.Body.Close()
	line := waitLog(t, logs, "request")
	if want := `/mcp/a\u202eb\u0085c\\u202e`; line["path"] != want {
		t.Errorf("path = %q, want %q", line["path"], want)
	}
}

// The line of a function's error repeats its message escaped: a handler's
// error or panic may quote what the client sent.
func TestFunctionErrorLogEscaped(t *testing.T) {
	logs := make(logRecords, 16)
	fn := NewInProcess(lambda.NewHandler(func(json.RawMessage) (json.RawMessage, error) {
		return nil, errors.New("no tool a\u202eb\u0085c\\u202e")
	}), nil)
	f := startFront(t, Config{Shape: ShapeURL, Function: fn, Logger: slog.New(logs)})
	resp, _ := do(t, sent{method: http.MethodPost, url: f.URL() + "/mcp"})
	resp.Body.Close()
	line := waitLog(t, logs, "function error")
	if want := `no tool a\u202eb\u0085c\\u202e`; line["errorMessage"] != want {
		t.Errorf("errorMessage = %q, want %q", line["errorMessage"], want)
	}
}

// The line of a failed discovery repeats its error escaped: the error may
// quote what the issuer's server sent.
func TestDiscoveryFailureLogEscaped(t *testing.T) {
	logs := make(logRecords, 16)
	f := startFront(t, Config{Shape: ShapeURL, Function: respondWith(`{"statusCode": 200}`), Logger: slog.New(logs)})
	f.logDiscoveryFailure(errors.New("jwks_uri http://x/a\u202eb\u0085c\\u202e"), time.Second)
	line := waitLog(t, logs, "JWT authorizer: the issuer's discovery document cannot be read; requests are refused until the next try")
	if got, want := fmt.Sprint(line["error"]), `jwks_uri http://x/a\u202eb\u0085c\\u202e`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

// The request line names a gateway request id only where a gateway gave
// the event one: a REST or HTTP API's requestContext.requestId. A Function
// URL's event carries the invocation's id, the line's requestId, and an
// ALB's none: an id of the front's own there would match nothing.
func TestRequestLogGatewayIDIsTheEvents(t *testing.T) {
	for _, shape := range []Shape{ShapeREST, ShapeHTTP, ShapeURL, ShapeALB} {
		t.Run(string(shape), func(t *testing.T) {
			logs := make(logRecords, 16)
			f := startFront(t, Config{Shape: shape, Function: echoFunction(), Logger: slog.New(logs)})
			s := sample
			s.url = f.URL() + "/mcp"
			resp, body := do(t, s)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, body %s", resp.StatusCode, body)
			}
			var ev struct {
				RequestContext struct {
					RequestID string `json:"requestId"`
				} `json:"requestContext"`
			}
			if err := json.Unmarshal(body, &ev); err != nil {
				t.Fatalf("decoding the echoed event %s: %v", body, err)
			}
			line := waitLog(t, logs, "request")
			got, logged := line["gatewayRequestId"]
			switch shape {
			case ShapeREST, ShapeHTTP:
				if got != ev.RequestContext.RequestID || got == "" {
					t.Errorf("gatewayRequestId = %v, want the event's %q", got, ev.RequestContext.RequestID)
				}
			default:
				if logged {
					t.Errorf("gatewayRequestId = %v logged, want none (the event's requestId %q, the line's requestId %v)", got, ev.RequestContext.RequestID, line["requestId"])
				}
			}
		})
	}
}
