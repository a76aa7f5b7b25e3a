package localfront

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// echoFunction answers every event with a proxy response whose body is the
// event itself.
func echoFunction() Function {
	return NewInProcess(lambda.NewHandler(func(ev json.RawMessage) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "application/json"}, Body: string(ev)}, nil
	}), nil)
}

// respondWith answers every event with the given payload.
func respondWith(payload string) Function {
	return NewInProcess(lambda.NewHandler(func(json.RawMessage) (json.RawMessage, error) {
		return json.RawMessage(payload), nil
	}), nil)
}

func startFront(t *testing.T, cfg Config) *Front {
	t.Helper()
	f, err := Start(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

type sent struct {
	method, url, body, contentType string
	header                         http.Header
}

func do(t *testing.T, s sent) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(s.method, s.url, strings.NewReader(s.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range s.header {
		req.Header[k] = v
	}
	if s.contentType != "" {
		req.Header.Set("Content-Type", s.contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", s.method, s.url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// echoed sends s through a front of the given config and decodes the event
// the function received.
func echoed[E any](t *testing.T, cfg Config, path string, s sent) E {
	t.Helper()
	cfg.Function = echoFunction()
	f := startFront(t, cfg)
	s.url = f.URL() + path
	resp, body := do(t, s)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, body %s", resp.StatusCode, body)
	}
	var ev E
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatalf("decoding the echoed event %s: %v", body, err)
	}
	return ev
}

var sample = sent{
	method:      http.MethodPost,
	body:        `{"jsonrpc":"2.0","id":1,"method":"ping"}`,
	contentType: "application/json",
	header: http.Header{
		"X-Test":     {"one", "two"},
		"Cookie":     {"c1=v1; c2=v2"},
		"User-Agent": {"front-test"},
	},
}

func TestRESTEvent(t *testing.T) {
	ev := echoed[events.APIGatewayProxyRequest](t, Config{Shape: ShapeREST}, "/mcp?a=1&a=2&b=x%20y", sample)
	got := events.APIGatewayProxyRequest{
		Resource: ev.Resource, Path: ev.Path, HTTPMethod: ev.HTTPMethod, PathParameters: ev.PathParameters,
		QueryStringParameters: ev.QueryStringParameters, MultiValueQueryStringParameters: ev.MultiValueQueryStringParameters,
		Headers:           map[string]string{"X-Test": ev.Headers["X-Test"], "Content-Type": ev.Headers["Content-Type"]},
		MultiValueHeaders: map[string][]string{"X-Test": ev.MultiValueHeaders["X-Test"]},
		Body:              ev.Body, IsBase64Encoded: ev.IsBase64Encoded,
		RequestContext: events.APIGatewayProxyRequestContext{
			Stage: ev.RequestContext.Stage, Path: ev.RequestContext.Path, ResourcePath: ev.RequestContext.ResourcePath,
			HTTPMethod: ev.RequestContext.HTTPMethod, AccountID: ev.RequestContext.AccountID,
			DomainName: ev.RequestContext.DomainName, DomainPrefix: ev.RequestContext.DomainPrefix,
			Identity: events.APIGatewayRequestIdentity{SourceIP: ev.RequestContext.Identity.SourceIP, UserAgent: ev.RequestContext.Identity.UserAgent},
		},
	}
	want := events.APIGatewayProxyRequest{
		Resource: "/{proxy+}", Path: "/mcp", HTTPMethod: "POST", PathParameters: map[string]string{"proxy": "mcp"},
		QueryStringParameters:           map[string]string{"a": "2", "b": "x y"},
		MultiValueQueryStringParameters: map[string][]string{"a": {"1", "2"}, "b": {"x y"}},
		Headers:                         map[string]string{"X-Test": "two", "Content-Type": "application/json"},
		MultiValueHeaders:               map[string][]string{"X-Test": {"one", "two"}},
		Body:                            sample.body,
		RequestContext: events.APIGatewayProxyRequestContext{
			Stage: "dev", Path: "/dev/mcp", ResourcePath: "/{proxy+}", HTTPMethod: "POST", AccountID: accountID,
			// A host name, as API Gateway sends it: the port stays in the Host header.
			DomainName: "127.0.0.1", DomainPrefix: "127",
			Identity: events.APIGatewayRequestIdentity{SourceIP: "127.0.0.1", UserAgent: "front-test"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("REST event (-want +got):\n%s", diff)
	}
	if ev.RequestContext.RequestID == "" || ev.RequestContext.RequestTimeEpoch == 0 || ev.Headers["Host"] == "" || ev.Headers["X-Forwarded-For"] != "127.0.0.1" {
		t.Errorf("REST event lacks request id, time, Host or X-Forwarded-For: %+v", ev)
	}
	if _, port, err := net.SplitHostPort(ev.Headers["Host"]); err != nil || port == "" {
		t.Errorf("Host header %q, want the front's host and port", ev.Headers["Host"])
	}
	if ev.RequestContext.Authorizer != nil {
		t.Errorf("authorizer context %v without an authorizer", ev.RequestContext.Authorizer)
	}
}

// TestRESTEventAtRoot checks the event of the stage's root: the resource
// "/", which has no proxy path parameter, not the greedy "/{proxy+}".
func TestRESTEventAtRoot(t *testing.T) {
	ev := echoed[events.APIGatewayProxyRequest](t, Config{Shape: ShapeREST}, "/", sample)
	if ev.Resource != "/" || ev.RequestContext.ResourcePath != "/" || ev.PathParameters != nil || ev.Path != "/" {
		t.Errorf("resource %q (%q), path parameters %v, path %q; want /, /, none and /", ev.Resource, ev.RequestContext.ResourcePath, ev.PathParameters, ev.Path)
	}
}

// TestHostName checks requestContext.domainName of the rest shape: the
// Host without its port, an IPv6 address still in brackets.
func TestHostName(t *testing.T) {
	for host, want := range map[string]string{
		"127.0.0.1:9000":  "127.0.0.1",
		"localhost:9000":  "localhost",
		"localhost":       "localhost",
		"[::1]:9000":      "[::1]",
		"mcp.example.com": "mcp.example.com",
	} {
		if got := hostName(host); got != want {
			t.Errorf("hostName(%q) = %q, want %q", host, got, want)
		}
	}
}

// TestDomainPrefix checks requestContext.domainPrefix: the first label of
// the host, without a port.
func TestDomainPrefix(t *testing.T) {
	for host, want := range map[string]string{
		"abc123.execute-api.us-east-1.amazonaws.com": "abc123",
		"localhost:9000": "localhost",
		"localhost":      "localhost",
	} {
		if got := domainPrefix(host); got != want {
			t.Errorf("domainPrefix(%q) = %q, want %q", host, got, want)
		}
	}
}

// TestInvokePayloadLimit checks the front's bound on the event it sends: an
// event of exactly Lambda's 6 MB invocation limit is sent, one a byte
// larger is refused (413 from a Function URL).
func TestInvokePayloadLimit(t *testing.T) {
	size := NewInProcess(lambda.NewHandler(func(ev json.RawMessage) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: strconv.Itoa(len(ev))}, nil
	}), nil)
	f := startFront(t, Config{Shape: ShapeURL, Function: size})
	post := func(n int) (*http.Response, []byte) {
		return do(t, sent{method: http.MethodPost, url: f.URL() + "/mcp", body: strings.Repeat("a", n), contentType: "text/plain"})
	}
	const probe = 1_000_000 // a Content-Length of as many digits as those below
	resp, body := post(probe)
	eventSize, err := strconv.Atoi(string(body))
	if resp.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("probe: %d %s", resp.StatusCode, body)
	}
	overhead := eventSize - probe // the event less its body; the same for each request
	tests := []struct{ event, want int }{
		{maxInvokePayload, http.StatusOK},
		{maxInvokePayload + 1, http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		resp, body := post(tc.event - overhead)
		if resp.StatusCode != tc.want {
			t.Errorf("event of %d bytes: %d %.100s, want %d", tc.event, resp.StatusCode, body, tc.want)
		}
		if tc.want == http.StatusOK && string(body) != strconv.Itoa(tc.event) {
			t.Errorf("the function got an event of %s bytes, want %d", body, tc.event)
		}
	}
}

func TestBinaryBodyIsBase64(t *testing.T) {
	binary := string([]byte{0xff, 0x00, 0xfe, 'a'})
	for _, shape := range Shapes {
		t.Run(string(shape), func(t *testing.T) {
			s := sent{method: http.MethodPost, body: binary, contentType: "application/octet-stream"}
			ev := echoed[struct {
				Body            string `json:"body"`
				IsBase64Encoded bool   `json:"isBase64Encoded"`
			}](t, Config{Shape: shape}, "/upload", s)
			if ev.Body != base64.StdEncoding.EncodeToString([]byte(binary)) || !ev.IsBase64Encoded {
				t.Errorf("binary body = %q (base64 %v), want base64 of the bytes", ev.Body, ev.IsBase64Encoded)
			}
		})
	}
}

func TestRESTOutsideStage(t *testing.T) {
	f := startFront(t, Config{Shape: ShapeREST, Function: echoFunction()})
	// /devices shares its first letters with the stage dev, not the stage.
	for _, url := range []string{strings.TrimSuffix(f.URL(), "/dev") + "/prod/mcp", f.URL() + "ices/mcp"} {
		resp, body := do(t, sent{method: http.MethodGet, url: url})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "Missing Authentication Token") {
			t.Errorf("%s, outside the stage = %d %s, want 403 Missing Authentication Token", url, resp.StatusCode, body)
		}
	}
}

// TestStageEncodedByTheClient checks that the stage is matched as the
// path's first level, decoded: a client may encode a letter of it, and the
// event's path below it keeps the client's encoding; an encoded slash
// (%2F) ends no level, so a path whose first level only decodes to the
// stage and more is outside the stage.
func TestStageEncodedByTheClient(t *testing.T) {
	type seen struct {
		Status            int
		Path, ContextPath string
		Params            map[string]string
	}
	tests := []struct {
		path string // after the host
		want seen
	}{
		{"/dev/mcp", seen{http.StatusOK, "/mcp", "/dev/mcp", map[string]string{"proxy": "mcp"}}},
		{"/%64ev/mcp", seen{http.StatusOK, "/mcp", "/dev/mcp", map[string]string{"proxy": "mcp"}}},
		{"/dev/a%2Fb", seen{http.StatusOK, "/a%2Fb", "/dev/a%2Fb", map[string]string{"proxy": "a/b"}}},
		{"/dev%2Fmcp", seen{Status: http.StatusForbidden}},
		{"/dev%2F", seen{Status: http.StatusForbidden}},
	}
	f := startFront(t, Config{Shape: ShapeREST, Function: echoFunction()})
	host := strings.TrimSuffix(f.URL(), "/dev")
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := do(t, sent{method: http.MethodGet, url: host + tc.path})
			got := seen{Status: resp.StatusCode}
			if resp.StatusCode == http.StatusOK {
				var ev events.APIGatewayProxyRequest
				if err := json.Unmarshal(body, &ev); err != nil {
					t.Fatalf("decoding the echoed event %s: %v", body, err)
				}
				got = seen{resp.StatusCode, ev.Path, ev.RequestContext.Path, ev.PathParameters}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("GET %s (-want +got):\n%s\nbody %s", tc.path, diff, body)
			}
		})
	}
}

// TestALBResponseLimit checks the ALB's bound on a function's response: a
// response of exactly 1 MB is passed on, one a byte larger is a 502.
func TestALBResponseLimit(t *testing.T) {
	tests := []struct{ size, want int }{
		{maxALBBody, http.StatusOK},
		{maxALBBody + 1, http.StatusBadGateway},
	}
	for _, tc := range tests {
		t.Run(strconv.Itoa(tc.size), func(t *testing.T) {
			const head, tail = `{"statusCode":200,"body":"`, `"}`
			payload := head + strings.Repeat("a", tc.size-len(head)-len(tail)) + tail
			f := startFront(t, Config{Shape: ShapeALB, Function: respondWith(payload)})
			if resp, body := do(t, sent{method: http.MethodGet, url: f.URL() + "/mcp"}); resp.StatusCode != tc.want {
				t.Errorf("response of %d bytes: %d %.100s, want %d", len(payload), resp.StatusCode, body, tc.want)
			}
		})
	}
}

// TestHTTPOutsideStage checks an HTTP API's answer for a path outside its
// named stage: 404 Not Found, not REST's 403.
func TestHTTPOutsideStage(t *testing.T) {
	f := startFront(t, Config{Shape: ShapeHTTP, Stage: "prod", Function: echoFunction()})
	resp, body := do(t, sent{method: http.MethodPost, url: strings.TrimSuffix(f.URL(), "/prod") + "/dev/mcp"})
	if resp.StatusCode != http.StatusNotFound || strings.TrimSpace(string(body)) != `{"message":"Not Found"}` {
		t.Errorf("path outside the stage = %d %s, want 404 {\"message\":\"Not Found\"}", resp.StatusCode, body)
	}
}

func TestHTTPEvent(t *testing.T) {
	tests := []struct {
		name, stage, path, wantRawPath, wantStage string
	}{
		{"default stage", "", "/mcp", "/mcp", "$default"},
		{"named stage", "v1", "/mcp", "/v1/mcp", "v1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := echoed[events.APIGatewayV2HTTPRequest](t, Config{Shape: ShapeHTTP, Stage: tc.stage}, tc.path+"?a=1&a=2&b=x", sample)
			got := events.APIGatewayV2HTTPRequest{
				Version: ev.Version, RouteKey: ev.RouteKey, RawPath: ev.RawPath, RawQueryString: ev.RawQueryString,
				Cookies: ev.Cookies, QueryStringParameters: ev.QueryStringParameters, Body: ev.Body,
				Headers: map[string]string{"x-test": ev.Headers["x-test"], "cookie": ev.Headers["cookie"]},
				RequestContext: events.APIGatewayV2HTTPRequestContext{
					RouteKey: ev.RequestContext.RouteKey, Stage: ev.RequestContext.Stage, HTTP: ev.RequestContext.HTTP,
					APIID: ev.RequestContext.APIID, DomainName: ev.RequestContext.DomainName, DomainPrefix: ev.RequestContext.DomainPrefix,
				},
			}
			want := events.APIGatewayV2HTTPRequest{
				Version: "2.0", RouteKey: "$default", RawPath: tc.wantRawPath, RawQueryString: "a=1&a=2&b=x",
				Cookies: []string{"c1=v1", "c2=v2"}, QueryStringParameters: map[string]string{"a": "1,2", "b": "x"}, Body: sample.body,
				Headers: map[string]string{"x-test": "one,two", "cookie": ""},
				RequestContext: events.APIGatewayV2HTTPRequestContext{
					RouteKey: "$default", Stage: tc.wantStage,
					APIID: "local0api1", DomainName: "local0api1.execute-api.us-east-1.amazonaws.com", DomainPrefix: "local0api1",
					HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: tc.wantRawPath, Protocol: "HTTP/1.1", SourceIP: "127.0.0.1", UserAgent: "front-test"},
				},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("HTTP API event (-want +got):\n%s", diff)
			}
			if ev.RequestContext.RequestID == "" || ev.RequestContext.TimeEpoch == 0 || ev.RequestContext.Authorizer != nil {
				t.Errorf("request context = %+v", ev.RequestContext)
			}
		})
	}
}

func TestURLEvent(t *testing.T) {
	ev := echoed[events.LambdaFunctionURLRequest](t, Config{Shape: ShapeURL}, "/mcp?x=1", sample)
	want := events.LambdaFunctionURLRequest{
		Version: "2.0", RawPath: "/mcp", RawQueryString: "x=1", Cookies: []string{"c1=v1", "c2=v2"},
		QueryStringParameters: map[string]string{"x": "1"}, Body: sample.body,
		RequestContext: events.LambdaFunctionURLRequestContext{
			AccountID: accountID, APIID: "local0api1", DomainPrefix: "local0api1", DomainName: "local0api1.lambda-url.us-east-1.on.aws",
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "POST", Path: "/mcp", Protocol: "HTTP/1.1", SourceIP: "127.0.0.1", UserAgent: "front-test"},
		},
	}
	ignore := cmpopts.IgnoreFields(events.LambdaFunctionURLRequestContext{}, "RequestID", "Time", "TimeEpoch")
	if diff := cmp.Diff(want, ev, ignore, cmpopts.IgnoreFields(events.LambdaFunctionURLRequest{}, "Headers")); diff != "" {
		t.Errorf("Function URL event (-want +got):\n%s", diff)
	}
	if ev.Headers["x-test"] != "one,two" || ev.Headers["content-type"] != "application/json" {
		t.Errorf("headers = %v", ev.Headers)
	}
}

func TestALBEvent(t *testing.T) {
	s := sample
	s.method = http.MethodGet
	s.body = ""
	t.Run("single-value", func(t *testing.T) {
		ev := echoed[events.ALBTargetGroupRequest](t, Config{Shape: ShapeALB}, "/mcp?q=a%20b&q=c", s)
		if ev.HTTPMethod != "GET" || ev.Path != "/mcp" || ev.Headers["x-test"] != "two" || ev.MultiValueHeaders != nil {
			t.Errorf("ALB event = %+v", ev)
		}
		if diff := cmp.Diff(map[string]string{"q": "c"}, ev.QueryStringParameters); diff != "" {
			t.Errorf("query (-want +got):\n%s", diff)
		}
		if !strings.HasPrefix(ev.RequestContext.ELB.TargetGroupArn, "arn:aws:elasticloadbalancing:") {
			t.Errorf("target group ARN = %q", ev.RequestContext.ELB.TargetGroupArn)
		}
	})
	t.Run("multi-value", func(t *testing.T) {
		ev := echoed[events.ALBTargetGroupRequest](t, Config{Shape: ShapeALB, MultiValueHeaders: true}, "/mcp?q=a%20b&q=c", s)
		if ev.Headers != nil || ev.QueryStringParameters != nil {
			t.Errorf("single-value maps set in multi-value mode: %+v", ev)
		}
		if diff := cmp.Diff(map[string][]string{"q": {"a%20b", "c"}}, ev.MultiValueQueryStringParameters); diff != "" {
			t.Errorf("undecoded query (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"one", "two"}, ev.MultiValueHeaders["x-test"]); diff != "" {
			t.Errorf("x-test (-want +got):\n%s", diff)
		}
	})
}

func TestResponses(t *testing.T) {
	tests := []struct {
		name        string
		shape       Shape
		payload     string
		wantStatus  int
		wantBody    string
		wantHeaders http.Header
	}{
		{
			name: "rest single and multi-value headers", shape: ShapeREST,
			payload:    `{"statusCode":201,"headers":{"X-One":"1"},"multiValueHeaders":{"Set-Cookie":["a=1","b=2"]},"body":"made"}`,
			wantStatus: 201, wantBody: "made", wantHeaders: http.Header{"X-One": {"1"}, "Set-Cookie": {"a=1", "b=2"}},
		},
		{
			name: "rest base64 body", shape: ShapeREST,
			payload:    `{"statusCode":200,"body":"aGVsbG8=","isBase64Encoded":true}`,
			wantStatus: 200, wantBody: "hello",
		},
		{
			name: "rest malformed", shape: ShapeREST, payload: `{"body":"no status"}`,
			wantStatus: 502, wantBody: `"message":"Internal server error"`,
		},
		{
			name: "http cookies", shape: ShapeHTTP,
			payload:    `{"statusCode":200,"headers":{"content-type":"text/plain"},"cookies":["s=1; HttpOnly"],"body":"hi"}`,
			wantStatus: 200, wantBody: "hi", wantHeaders: http.Header{"Content-Type": {"text/plain"}, "Set-Cookie": {"s=1; HttpOnly"}},
		},
		{
			name: "http without statusCode is a JSON body", shape: ShapeHTTP, payload: `{"result":42}`,
			wantStatus: 200, wantBody: `{"result":42}`, wantHeaders: http.Header{"Content-Type": {"application/json"}},
		},
		{
			name: "url response", shape: ShapeURL, payload: `{"statusCode":404,"body":"none"}`,
			wantStatus: 404, wantBody: "none",
		},
		{
			name: "url status beyond 599", shape: ShapeURL, payload: `{"statusCode":600,"body":"none"}`,
			wantStatus: 502, wantBody: `"message":"Internal server error"`,
		},
		{
			name: "alb response", shape: ShapeALB, payload: `{"statusCode":200,"statusDescription":"200 OK","headers":{"X-A":"b"},"body":"ok"}`,
			wantStatus: 200, wantBody: "ok", wantHeaders: http.Header{"X-A": {"b"}},
		},
		{
			name: "alb malformed", shape: ShapeALB, payload: `"just a string"`,
			wantStatus: 502,
		},
		{
			// Payload 2.0 takes a payload as the body only when it has no
			// statusCode; a response object with a field of the wrong type
			// is malformed.
			name: "http statusCode with a body of the wrong type", shape: ShapeHTTP, payload: `{"statusCode":201,"body":{"a":1}}`,
			wantStatus: 502,
		},
		{
			name: "url statusCode of the wrong type", shape: ShapeURL, payload: `{"statusCode":"404"}`,
			wantStatus: 502,
		},
		{
			// Payload 2.0 has no multiValueHeaders, payload 1.0 no cookies.
			name: "http multiValueHeaders ignored", shape: ShapeHTTP,
			payload:    `{"statusCode":200,"multiValueHeaders":{"Set-Cookie":["a=1","b=2"]},"body":"hi"}`,
			wantStatus: 200, wantBody: "hi", wantHeaders: http.Header{"Set-Cookie": nil},
		},
		{
			name: "rest cookies ignored", shape: ShapeREST,
			payload:    `{"statusCode":200,"cookies":["a=1"],"body":"hi"}`,
			wantStatus: 200, wantBody: "hi", wantHeaders: http.Header{"Set-Cookie": nil},
		},
		{
			name: "http several cookies", shape: ShapeHTTP,
			payload:    `{"statusCode":200,"cookies":["a=1","b=2; Secure"],"body":"hi"}`,
			wantStatus: 200, wantBody: "hi", wantHeaders: http.Header{"Set-Cookie": {"a=1", "b=2; Secure"}},
		},
		{
			// Only multiValueHeaders' values of a name both maps hold.
			name: "rest header in both maps", shape: ShapeREST,
			payload:    `{"statusCode":200,"headers":{"X-One":"1"},"multiValueHeaders":{"X-One":["2","3"]},"body":"hi"}`,
			wantStatus: 200, wantBody: "hi", wantHeaders: http.Header{"X-One": {"2", "3"}},
		},
		{
			name: "rest body that is no base64", shape: ShapeREST, payload: `{"statusCode":200,"body":"not base64!","isBase64Encoded":true}`,
			wantStatus: 502, wantBody: `"message":"Internal server error"`,
		},
		{
			name: "url status below 100", shape: ShapeURL, payload: `{"statusCode":99,"body":"none"}`,
			wantStatus: 502, wantBody: `"message":"Internal server error"`,
		},
		{
			name: "alb response over 1 MB", shape: ShapeALB, payload: `{"statusCode":200,"body":"` + strings.Repeat("x", maxALBBody) + `"}`,
			wantStatus: 502,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := startFront(t, Config{Shape: tc.shape, Function: respondWith(tc.payload)})
			resp, body := do(t, sent{method: http.MethodGet, url: f.URL() + "/x"})
			if resp.StatusCode != tc.wantStatus || !strings.Contains(string(body), tc.wantBody) {
				t.Errorf("got %d %.200q, want %d containing %q", resp.StatusCode, body, tc.wantStatus, tc.wantBody)
			}
			for k, want := range tc.wantHeaders {
				if diff := cmp.Diff(want, resp.Header.Values(k)); diff != "" {
					t.Errorf("header %s (-want +got):\n%s", k, diff)
				}
			}
		})
	}
}

func TestFunctionErrorIs502JSON(t *testing.T) {
	fn := NewInProcess(lambda.NewHandler(func() error { return errors.New("no luck") }), nil)
	f := startFront(t, Config{Shape: ShapeURL, Function: fn})
	resp, body := do(t, sent{method: http.MethodGet, url: f.URL() + "/x"})
	var got map[string]string
	if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("got %d %s, want 502 JSON", resp.StatusCode, body)
	}
	if got["errorType"] != "errorString" || got["errorMessage"] != "no luck" || got["message"] != "Internal server error" {
		t.Errorf("error body = %v", got)
	}
	if id := resp.Header.Get("x-amzn-RequestId"); id == "" || id != got["requestId"] {
		t.Errorf("x-amzn-RequestId = %q, want the Lambda request id %q", id, got["requestId"])
	}
}

// TestRequestIDHeader checks the x-amzn-RequestId header of the answers: API
// Gateway's own request id, the one the event carries as
// requestContext.requestId, for REST and HTTP APIs; none from an ALB. (A
// Function URL's, the Lambda request id, is checked by
// TestFunctionErrorIs502JSON.)
func TestRequestIDHeader(t *testing.T) {
	tests := []struct {
		shape  Shape
		fromEv bool // the header is the event's requestContext.requestId
	}{
		{ShapeREST, true},
		{ShapeHTTP, true},
		{ShapeALB, false},
	}
	for _, tc := range tests {
		t.Run(string(tc.shape), func(t *testing.T) {
			f := startFront(t, Config{Shape: tc.shape, Function: echoFunction()})
			resp, body := do(t, sent{method: http.MethodGet, url: f.URL() + "/mcp"})
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
			want := []string(nil)
			if tc.fromEv {
				if ev.RequestContext.RequestID == "" {
					t.Fatalf("event without requestContext.requestId: %s", body)
				}
				want = []string{ev.RequestContext.RequestID}
			}
			if diff := cmp.Diff(want, resp.Header.Values("x-amzn-RequestId")); diff != "" {
				t.Errorf("x-amzn-RequestId (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	fn := echoFunction()
	tests := []struct {
		name string
		cfg  Config
	}{
		{"unknown shape", Config{Shape: "soap", Function: fn}},
		{"no function", Config{Shape: ShapeREST}},
		{"authorizer on url", Config{Shape: ShapeURL, Function: fn, Authorizer: fn}},
		{"stream on http", Config{Shape: ShapeHTTP, Function: fn, Stream: true}},
		{"authorizer type without an authorizer", Config{Shape: ShapeREST, Function: fn, AuthorizerType: "token"}},
		{"multi-value headers on rest", Config{Shape: ShapeREST, Function: fn, MultiValueHeaders: true}},
		{"stage on url", Config{Shape: ShapeURL, Function: fn, Stage: "dev"}},
		{"stage on alb", Config{Shape: ShapeALB, Function: fn, Stage: "dev"}},
		{"stream on alb", Config{Shape: ShapeALB, Function: fn, Stream: true}},
		{"request authorizer on http", Config{Shape: ShapeHTTP, Function: fn, Authorizer: fn, AuthorizerType: "request"}},
		{"token authorizer on http", Config{Shape: ShapeHTTP, Function: fn, Authorizer: fn, AuthorizerType: "token"}},
		{"unknown authorizer type", Config{Shape: ShapeREST, Function: fn, Authorizer: fn, AuthorizerType: "cognito"}},
		{"base path on http", Config{Shape: ShapeHTTP, Function: fn, BasePath: "tools"}},
		{"base path on url", Config{Shape: ShapeURL, Function: fn, BasePath: "tools"}},
		{"base path API Gateway refuses", Config{Shape: ShapeREST, Function: fn, BasePath: "/tools"}},
		{"listener and address", Config{Shape: ShapeURL, Function: fn, Listener: nopListener{}, Addr: "127.0.0.1:0"}},
		{"deploy responses on http", Config{Shape: ShapeHTTP, Function: fn, Authorizer: fn, Deploy: &DeployREST{JWT: true}}},
		{"deploy responses naming a scope with a '", Config{Shape: ShapeREST, Function: fn, Authorizer: fn, Deploy: &DeployREST{JWT: true, RequiredScopes: []string{"read", "it's"}}}},
		{"JWT authorizer on rest", Config{Shape: ShapeREST, Function: fn, JWTAuthorizer: &JWTAuthorizer{Issuer: "https://i.test", Audience: []string{"a"}}}},
		{"JWT and Lambda authorizers", Config{Shape: ShapeHTTP, Function: fn, Authorizer: fn, JWTAuthorizer: &JWTAuthorizer{Issuer: "https://i.test", Audience: []string{"a"}}}},
		{"JWT authorizer without an audience", Config{Shape: ShapeHTTP, Function: fn, JWTAuthorizer: &JWTAuthorizer{Issuer: "https://i.test"}}},
		{"JWT authorizer whose issuer is read in the clear", Config{Shape: ShapeHTTP, Function: fn, JWTAuthorizer: &JWTAuthorizer{Issuer: "http://i.test", Audience: []string{"a"}}}},
		// No discovery document is read for these (auth.DiscoverJWKSURL),
		// so no request could ever pass.
		{"JWT authorizer whose issuer has a query", Config{Shape: ShapeHTTP, Function: fn, JWTAuthorizer: &JWTAuthorizer{Issuer: "https://i.test?x=1", Audience: []string{"a"}}}},
		{"JWT authorizer whose issuer has a fragment", Config{Shape: ShapeHTTP, Function: fn, JWTAuthorizer: &JWTAuthorizer{Issuer: "https://i.test#", Audience: []string{"a"}}}},
		{"JWT authorizer whose issuer names a user", Config{Shape: ShapeHTTP, Function: fn, JWTAuthorizer: &JWTAuthorizer{Issuer: "https://u@i.test", Audience: []string{"a"}}}},
		// Matched exactly, in the discovery document and in every token,
		// which write the scheme in lower case; auth.NewJWTVerifier
		// refuses it too.
		{"JWT authorizer whose issuer's scheme has capitals", Config{Shape: ShapeHTTP, Function: fn, JWTAuthorizer: &JWTAuthorizer{Issuer: "HTTPS://i.test", Audience: []string{"a"}}}},
		{"deploy responses without an authorizer", Config{Shape: ShapeREST, Function: fn, Deploy: &DeployREST{JWT: true}}},
		{"stage with a slash", Config{Shape: ShapeREST, Function: fn, Stage: "dev/"}},
		{"stage with a space", Config{Shape: ShapeHTTP, Function: fn, Stage: "my stage"}},
		{"stage $default on rest", Config{Shape: ShapeREST, Function: fn, Stage: "$default"}},
		{"stage past 128", Config{Shape: ShapeREST, Function: fn, Stage: strings.Repeat("s", 129)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg); err == nil {
				t.Error("New accepted the config")
			}
		})
	}
}

// TestStagesAccepted checks the stage names API Gateway creates, which
// checkStage must not refuse.
func TestStagesAccepted(t *testing.T) {
	fn := echoFunction()
	for _, cfg := range []Config{
		{Shape: ShapeREST, Function: fn, Stage: "prod"},
		{Shape: ShapeREST, Function: fn, Stage: "v1_beta-2"},
		{Shape: ShapeREST, Function: fn, Stage: strings.Repeat("s", 128)},
		{Shape: ShapeHTTP, Function: fn, Stage: "$default"},
		{Shape: ShapeHTTP, Function: fn, Stage: "dev"},
	} {
		if _, err := New(cfg); err != nil {
			t.Errorf("New(%s, stage %q): %v", cfg.Shape, cfg.Stage, err)
		}
	}
}

// TestChildProcessBehindFront runs the real bootstrap behind the front: warm
// reuse, a crash answered with a 502 JSON body, and a fresh process after it.
func TestChildProcessBehindFront(t *testing.T) {
	p, err := NewProcess(fnBinary, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := startFront(t, Config{Shape: ShapeREST, Function: p})
	pid := func() int {
		t.Helper()
		resp, body := do(t, sent{method: http.MethodGet, url: f.URL() + "/hello"})
		var e fnEcho
		if err := json.Unmarshal(body, &e); err != nil || resp.StatusCode != http.StatusOK || e.Path != "/hello" {
			t.Fatalf("got %d %s, want the echo of /hello", resp.StatusCode, body)
		}
		return e.PID
	}
	first := pid()
	if again := pid(); again != first {
		t.Errorf("warm request ran in pid %d, want %d", again, first)
	}
	resp, body := do(t, sent{method: http.MethodGet, url: f.URL() + "/exit"})
	var got map[string]string
	if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != http.StatusBadGateway || got["errorType"] != "Runtime.ExitError" {
		t.Errorf("crash = %d %s, want 502 JSON with Runtime.ExitError", resp.StatusCode, body)
	}
	if after := pid(); after == first {
		t.Errorf("request after the crash reused pid %d", first)
	}
}

func TestStreamingThroughFront(t *testing.T) {
	for _, tc := range []struct {
		shape Shape
		path  string
	}{{ShapeURL, "/stream"}, {ShapeREST, "/dev/stream"}} {
		t.Run(string(tc.shape), func(t *testing.T) {
			p, err := NewProcess(fnBinary, nil)
			if err != nil {
				t.Fatal(err)
			}
			f := startFront(t, Config{Shape: tc.shape, Stream: true, Function: p})
			testStreamedResponse(t, f.URL()+tc.path)
		})
	}
}

// TestStreamedTimeout checks that a streamed invocation killed at the
// function's timeout, its status and a first chunk sent, is logged as
// timed out, as a buffered one is, not as a response cut short for no
// reason, and that the client sees its body cut short.
func TestStreamedTimeout(t *testing.T) {
	p, err := NewProcess(fnBinary, &FunctionConfig{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	logs := make(logRecords, 16)
	f := startFront(t, Config{Shape: ShapeURL, Stream: true, Function: p, Logger: slog.New(logs)})
	resp, err := http.Get(f.URL() + "/stream-hang")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "chunk 0\n" || err == nil {
		t.Errorf("answer %d %q, %v; want 200, the first chunk and a cut body", resp.StatusCode, body, err)
	}
	line := waitLog(t, logs, "function response stream failed")
	var fe *runtimeapi.FunctionError
	if err, _ := line["error"].(error); !errors.As(err, &fe) || fe.Type != "Sandbox.Timedout" || !strings.Contains(fe.Message, "Task timed out after 1.00 seconds") {
		t.Errorf("logged error %v, want Sandbox.Timedout: Task timed out after 1.00 seconds", line["error"])
	}
}

// TestStreamedBadStatus checks that a streamed response whose prelude
// names no HTTP status is answered 502, as a buffered one is, rather than
// cutting the connection.
func TestStreamedBadStatus(t *testing.T) {
	p, err := NewProcess(fnBinary, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := startFront(t, Config{Shape: ShapeURL, Stream: true, Function: p})
	resp, err := http.Get(f.URL() + "/stream-bad-status")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(body), "malformed streaming response prelude") {
		t.Errorf("answer %d %s, want 502 naming the prelude", resp.StatusCode, body)
	}
}

func testStreamedResponse(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 201 || resp.Header.Get("Content-Type") != "text/plain" || resp.Header.Get("Set-Cookie") != "a=1" {
		t.Errorf("streamed head = %d %v", resp.StatusCode, resp.Header)
	}
	if len(resp.TransferEncoding) == 0 || resp.TransferEncoding[0] != "chunked" {
		t.Errorf("transfer encoding = %v, want chunked", resp.TransferEncoding)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != "chunk 0\nchunk 1\nchunk 2\n" {
		t.Errorf("streamed body = %q, %v", body, err)
	}
}

func TestRequestTooLarge(t *testing.T) {
	for _, tc := range []struct {
		shape  Shape
		size   int
		status int
	}{
		{ShapeURL, maxRequestBody + 1, http.StatusRequestEntityTooLarge},
		// Within the gateway's limit but an event past Lambda's: Lambda
		// refuses the invocation, which API Gateway answers with 500.
		{ShapeREST, 7 << 20, http.StatusInternalServerError},
		{ShapeHTTP, 7 << 20, http.StatusInternalServerError},
		{ShapeURL, 7 << 20, http.StatusRequestEntityTooLarge},
		// An ALB hands a Lambda target at most 1 MB of body.
		{ShapeALB, maxALBBody + 1, http.StatusRequestEntityTooLarge},
	} {
		f := startFront(t, Config{Shape: tc.shape, Function: echoFunction()})
		resp, err := http.Post(f.URL()+"/x", "application/json", bytes.NewReader(make([]byte, tc.size)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s, %d bytes = %d %s, want %d JSON", tc.shape, tc.size, resp.StatusCode, resp.Header.Get("Content-Type"), tc.status)
		}
	}
}

// nopListener is a listener New never serves.
type nopListener struct{ net.Listener }

// TestStartServesListener starts a front on a listener opened before it,
// as a caller does that must know the URL before the function starts.
func TestStartServesListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	want := "http://" + ln.Addr().String()
	f := startFront(t, Config{Shape: ShapeURL, Function: echoFunction(), Listener: ln})
	if got := f.URL(); got != want {
		t.Fatalf("URL() = %q, want %q", got, want)
	}
	resp, _ := do(t, sent{method: "GET", url: want + "/x"})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET on the listener: %d, want 200", resp.StatusCode)
	}
	f.Close()
	if _, err := http.Get(want + "/x"); err == nil {
		t.Error("the listener still serves after Close")
	}
}

// TestStartAddrQuotedCut checks that an Addr net.Listen refuses is quoted
// as the front's other settings are: cut, and escaped, with what the
// reason repeats of it cut too, so that an address of any size, or one
// holding a terminal's controls, makes one short line with the reason.
func TestStartAddrQuotedCut(t *testing.T) {
	addr := "\u202e\x1b[2J" + strings.Repeat("a", 10_000)
	_, err := Start(t.Context(), Config{Shape: ShapeURL, Function: echoFunction(), Addr: addr})
	if err == nil {
		t.Fatal("Start listened on an address with no port")
	}
	if msg := err.Error(); len(msg) > 2000 || !strings.Contains(msg, `listening on "\u202e\x1b[2Jaaa`) || !strings.Contains(msg, "…") ||
		!strings.Contains(msg, "missing port in address") || strings.ContainsAny(msg, "\u202e\x1b") {
		t.Errorf("Start: error of %d bytes %.300q; want the address quoted, escaped and cut, and the reason", len(msg), msg)
	}
}

func TestStartStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f, err := Start(ctx, Config{Shape: ShapeURL, Function: echoFunction()})
	if err != nil {
		t.Fatal(err)
	}
	url := f.URL()
	cancel()
	f.Close() // idempotent; nothing is in flight to wait for
	if _, err := http.Get(url + "/x"); err == nil {
		t.Error("front still serving after its context ended")
	}
}

// TestCloseLetsInvocationsFinish stops the front while an invocation runs:
// the client still gets the function's answer, as it would from a gateway.
func TestCloseLetsInvocationsFinish(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	fn := NewInProcess(lambda.NewHandler(func(json.RawMessage) (events.APIGatewayProxyResponse, error) {
		close(started)
		<-release
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: "finished"}, nil
	}), nil)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	f, err := Start(ctx, Config{Shape: ShapeURL, Function: fn})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	addr := f.ln.Addr().String()
	go func() {
		defer close(release)
		<-started
		cancel() // as Ctrl-C does to lambdamcp-local
		awaitRefused(t, addr)
	}()
	resp, body := do(t, sent{method: http.MethodGet, url: f.URL() + "/slow"})
	if resp.StatusCode != http.StatusOK || string(body) != "finished" || !resp.Close {
		t.Errorf("in-flight request = %d %q (connection closed after it: %v), want 200 finished, closing the connection as a server shutting down does",
			resp.StatusCode, body, resp.Close)
	}
	f.Close()
	if _, err := http.Get(f.URL() + "/x"); err == nil {
		t.Error("front still serving after Close")
	}
}

// TestCloseCutsHungInvocation stops the front while an invocation hangs:
// the process is killed after its two seconds of grace, and the client
// gets the 502 of a cut invocation rather than a dropped connection (the
// server used to wait out its own grace first, then cut the connection,
// then give the process its two seconds).
func TestCloseCutsHungInvocation(t *testing.T) {
	under, output := saying("hanging until the deadline")
	p, err := NewProcess(fnBinary, &FunctionConfig{Output: output})
	if err != nil {
		t.Fatal(err)
	}
	f, err := Start(t.Context(), Config{Shape: ShapeREST, Function: p})
	if err != nil {
		t.Fatal(err)
	}
	answered := getAsync(f.URL() + "/hang")
	<-under // the invocation is under way
	start := time.Now()
	f.Close()
	took := time.Since(start)
	a := <-answered
	if a.err != nil || a.status != http.StatusBadGateway {
		t.Errorf("hung request = %d, %v; want a 502", a.status, a.err)
	}
	t.Logf("Close took %v", took.Round(time.Millisecond))
}

// TestCloseWithQueuedRequest stops the front while a request waits for
// the one process another request holds. If the holder's invocation ends
// within the grace (at its 1 s deadline, where the function's answer and
// the timeout race, so its answer is not held to one), the waiting
// request is in flight too and is served; if it holds on past the grace,
// the holder gets the 502 of its cut invocation and the waiting one, never
// invoked, the 500 of an invocation refused. Every answer has a JSON body.
func TestCloseWithQueuedRequest(t *testing.T) {
	type answer struct {
		Status  int
		Message string
	}
	tests := []struct {
		name    string
		timeout time.Duration // the function's; 0: past the grace
		want    []answer      // to the holding and the queued request; a zero holder's: any
	}{
		{name: "served within the grace", timeout: time.Second,
			want: []answer{{}, {http.StatusOK, ""}}},
		{name: "refused past the grace",
			want: []answer{{http.StatusBadGateway, "Internal server error"}, {http.StatusInternalServerError, "Internal server error"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			holding, output := saying("hanging until the deadline")
			p, err := NewProcess(fnBinary, &FunctionConfig{Timeout: tc.timeout, Concurrency: 1, Output: output})
			if err != nil {
				t.Fatal(err)
			}
			echoing := make(chan struct{})
			fn := invokeWatch{Process: p, path: "/echo", invoked: echoing}
			f, err := Start(t.Context(), Config{Shape: ShapeREST, Function: fn})
			if err != nil {
				t.Fatal(err)
			}
			get := func(path string, answered chan<- answer) {
				resp, err := http.Get(f.URL() + path)
				if err != nil {
					answered <- answer{}
					return
				}
				defer resp.Body.Close()
				var body struct{ Message string }
				if resp.StatusCode != http.StatusOK {
					json.NewDecoder(resp.Body).Decode(&body)
				}
				answered <- answer{resp.StatusCode, body.Message}
			}
			hung, queued := make(chan answer, 1), make(chan answer, 1)
			go get("/hang", hung) // holds the one process
			<-holding
			go get("/echo", queued)
			select {
			case <-echoing: // the front has the request, and waits for the process
			case got := <-queued:
				t.Fatalf("queued request = %+v before the front invoked the function for it", got)
			}
			f.Close()
			got := []answer{<-hung, <-queued}
			if tc.want[0] == (answer{}) {
				got[0] = answer{}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("answers to the holding and the queued request (-want +got):\n%s", diff)
			}
		})
	}
}

// TestChildProcessAuthorizer runs the authorizer as a real bootstrap: its
// verdicts become 200 or 401, and the context it builds in its own (warm)
// process reaches the function.
func TestChildProcessAuthorizer(t *testing.T) {
	auth, err := NewProcess(fnBinary, &FunctionConfig{Name: "authorizer"})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	echo := NewInProcess(lambda.NewHandler(func(ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		seen = append(seen, ev.RequestContext.Authorizer["principalId"].(string)+" "+ev.RequestContext.Authorizer["pid"].(string))
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: "ok"}, nil
	}), nil)
	f := startFront(t, Config{Shape: ShapeREST, Function: echo, Authorizer: auth})
	checkTokens(t, f, []tokenStatus{{"Bearer ok", 200}, {"Bearer nope", 401}, {"", 401}, {"Bearer ok", 200}})
	if len(seen) != 2 || seen[0] != seen[1] || !strings.HasPrefix(seen[0], "tester ") {
		t.Errorf("function saw authorizer contexts %v, want two from one warm authorizer process", seen)
	}
}

// awaitRefused returns once nothing listens at addr any more, polling:
// a server shutting down tells nothing else of it.
func awaitRefused(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		conn.Close()
	}
	t.Errorf("%s still takes connections 10 s after the shutdown began", addr)
}

// invokeWatch is p with invoked closed when the front invokes it for a
// request to path: the request is then in flight, waiting for an
// execution environment if none is free.
type invokeWatch struct {
	*Process
	path    string
	invoked chan struct{}
}

func (w invokeWatch) Invoke(ctx context.Context, inv *runtimeapi.Invocation) (*runtimeapi.Response, error) {
	var ev struct {
		Path string `json:"path"`
	}
	if json.Unmarshal(inv.Payload, &ev) == nil && ev.Path == w.path {
		close(w.invoked)
	}
	return w.Process.Invoke(ctx, inv)
}

// saying returns a writer for a function's output and a channel closed once
// the output holds text: the function's own word that it got that far.
func saying(text string) (<-chan struct{}, io.Writer) {
	w := &sayingWriter{text: []byte(text), said: make(chan struct{})}
	return w.said, w
}

type sayingWriter struct {
	text []byte
	said chan struct{}

	mu   sync.Mutex
	seen []byte // the output until text
}

func (w *sayingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen == nil || !bytes.Contains(w.seen, w.text) {
		w.seen = append(w.seen, p...)
		if bytes.Contains(w.seen, w.text) {
			close(w.said)
		}
	}
	return len(p), nil
}

// slowToEnd is a function whose execution environment takes its time to
// end, as a process does on a loaded machine: Close returns only after
// kill, and the invocation it cuts reports its failure lag later, as the
// Runtime API's answer reaches the front.
type slowToEnd struct {
	kill, lag time.Duration
	started   chan struct{} // closed when the invocation is under way
	cut       chan struct{} // closed when Close has ended it
}

func (s *slowToEnd) Invoke(context.Context, *runtimeapi.Invocation) (*runtimeapi.Response, error) {
	close(s.started)
	<-s.cut
	time.Sleep(s.lag)
	return nil, &runtimeapi.FunctionError{Type: "Runtime.ExitError", Message: "Error: Runtime exited with error: signal: killed"}
}

func (s *slowToEnd) Close() error {
	time.Sleep(s.kill)
	close(s.cut)
	return nil
}

// TestCloseAnswersCutInvocationAfterSlowEnd stops the front while an
// invocation hangs, its environment taking longer to end than the cut's
// grace: the client still gets the 502 of the cut invocation, since the
// grace runs from the environments' end, not from the start of Close.
func TestCloseAnswersCutInvocationAfterSlowEnd(t *testing.T) {
	fn := &slowToEnd{kill: 2 * cutGrace, lag: cutGrace / 5, started: make(chan struct{}), cut: make(chan struct{})}
	f, err := Start(t.Context(), Config{Shape: ShapeREST, Function: fn})
	if err != nil {
		t.Fatal(err)
	}
	answered := getAsync(f.URL() + "/hang")
	<-fn.started
	f.Close()
	if a := <-answered; a.err != nil || a.status != http.StatusBadGateway {
		t.Errorf("cut request = %d, %v; want a 502", a.status, a.err)
	}
}

// getAnswer is what a GET got: its status, or the error that ended it.
type getAnswer struct {
	status int
	err    error
}

// getAsync sends a GET to url on a goroutine of its own, and hands over
// what it got once it has.
func getAsync(url string) <-chan getAnswer {
	answered := make(chan getAnswer, 1)
	go func() {
		resp, err := http.Get(url)
		if err != nil {
			answered <- getAnswer{err: err}
			return
		}
		resp.Body.Close()
		answered <- getAnswer{status: resp.StatusCode}
	}()
	return answered
}
