package lambdamcp_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/awsevents"
)

// The event templates are AWS's own samples (internal/awsevents); each test
// request is written into a copy.

// httpRequest is what a client sent, before a gateway made it an event.
type httpRequest struct {
	method string
	path   string
	header map[string]string
	body   string
	base64 bool // the gateway delivers the body base64-encoded
}

func (r httpRequest) encodedBody() string {
	if r.base64 {
		return base64.StdEncoding.EncodeToString([]byte(r.body))
	}
	return r.body
}

// eventShape builds a Lambda event of one shape for a request.
type eventShape struct {
	name  string
	build func(t testing.TB, r httpRequest) []byte
}

// shapes are the event shapes every protocol case goes through.
var shapes = []eventShape{
	{"rest", restEvent},
	{"http", httpAPIEvent},
	{"url", urlEvent},
	{"alb", albEvent},
	{"alb-multi", albMultiEvent},
}

func loadEvent(t testing.TB, name string, v any) {
	t.Helper()
	if err := json.Unmarshal(awsevents.Sample(name), v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// restEvent is an API Gateway REST API proxy event on stage testStage.
func restEvent(t testing.TB, r httpRequest) []byte {
	var ev events.APIGatewayProxyRequest
	loadEvent(t, "apigw-request.json", &ev)
	ev.HTTPMethod, ev.Path, ev.Resource = r.method, r.path, r.path
	ev.RequestContext.HTTPMethod = r.method
	ev.RequestContext.Path = "/" + ev.RequestContext.Stage + r.path
	ev.RequestContext.ResourcePath = r.path
	ev.PathParameters = nil
	ev.QueryStringParameters, ev.MultiValueQueryStringParameters = nil, nil
	for k, v := range r.header {
		ev.Headers[k] = v
		ev.MultiValueHeaders[k] = []string{v}
	}
	delete(ev.Headers, "Accept")
	delete(ev.MultiValueHeaders, "Accept")
	if a, ok := r.header["Accept"]; ok {
		ev.Headers["Accept"] = a
		ev.MultiValueHeaders["Accept"] = []string{a}
	}
	ev.Body, ev.IsBase64Encoded = r.encodedBody(), r.base64
	return mustJSON(t, ev)
}

// httpAPIv1Event is an HTTP API event in payload format 1.0: a REST one
// with "version": "1.0".
func httpAPIv1Event(t testing.TB, r httpRequest) []byte {
	var m map[string]any
	if err := json.Unmarshal(restEvent(t, r), &m); err != nil {
		t.Fatal(err)
	}
	m["version"] = "1.0"
	return mustJSON(t, m)
}

// httpAPIEvent is an HTTP API event on the named stage "dev", reached
// through the API's default endpoint, whose raw path starts with the stage.
func httpAPIEvent(t testing.TB, r httpRequest) []byte {
	var ev events.APIGatewayV2HTTPRequest
	loadEvent(t, "apigw-v2-request-lambda-authorizer.json", &ev)
	ev.RouteKey = "ANY /mcp"
	ev.RequestContext.RouteKey = ev.RouteKey
	ev.RequestContext.Stage = "dev"
	// The sample's placeholders disagree; AWS names the API in its
	// endpoint's domain, <apiId>.execute-api.<region>.amazonaws.com.
	ev.RequestContext.APIID, _, _ = strings.Cut(ev.RequestContext.DomainName, ".")
	ev.RawPath = "/dev" + r.path
	ev.RequestContext.HTTP.Method, ev.RequestContext.HTTP.Path = r.method, ev.RawPath
	ev.RawQueryString, ev.QueryStringParameters, ev.PathParameters = "", nil, nil
	ev.Headers = map[string]string{"host": ev.RequestContext.DomainName}
	for k, v := range r.header {
		ev.Headers[k] = v
	}
	ev.Body, ev.IsBase64Encoded = r.encodedBody(), r.base64
	return mustJSON(t, ev)
}

// urlEvent is a Function URL event.
func urlEvent(t testing.TB, r httpRequest) []byte {
	var ev events.LambdaFunctionURLRequest
	loadEvent(t, "lambda-urls-request.json", &ev)
	ev.RequestContext.DomainName = "abcdefghij.lambda-url.us-west-2.on.aws"
	ev.RawPath = r.path
	ev.RequestContext.HTTP.Method, ev.RequestContext.HTTP.Path = r.method, r.path
	ev.RawQueryString, ev.QueryStringParameters = "", nil
	ev.Headers = map[string]string{"host": ev.RequestContext.DomainName}
	for k, v := range r.header {
		ev.Headers[k] = v
	}
	ev.Body, ev.IsBase64Encoded = r.encodedBody(), r.base64
	return mustJSON(t, ev)
}

// albEvent is an ALB event from a target group with single-value headers.
func albEvent(t testing.TB, r httpRequest) []byte {
	var ev events.ALBTargetGroupRequest
	loadEvent(t, "alb-lambda-target-request-headers-only.json", &ev)
	ev.HTTPMethod, ev.Path = r.method, r.path
	ev.QueryStringParameters = nil
	for k, v := range r.header {
		ev.Headers[k] = v
	}
	delete(ev.Headers, "accept")
	if a, ok := r.header["Accept"]; ok {
		ev.Headers["Accept"] = a
	}
	ev.Body, ev.IsBase64Encoded = r.encodedBody(), r.base64
	return mustJSON(t, ev)
}

// albMultiEvent is an ALB event from a target group with multi-value
// headers enabled.
func albMultiEvent(t testing.TB, r httpRequest) []byte {
	var ev events.ALBTargetGroupRequest
	loadEvent(t, "alb-lambda-target-request-multivalue-headers.json", &ev)
	ev.HTTPMethod, ev.Path = r.method, r.path
	ev.MultiValueQueryStringParameters = nil
	for k, v := range r.header {
		ev.MultiValueHeaders[k] = []string{v}
	}
	delete(ev.MultiValueHeaders, "accept")
	if a, ok := r.header["Accept"]; ok {
		ev.MultiValueHeaders["Accept"] = []string{a}
	}
	ev.Body, ev.IsBase64Encoded = r.encodedBody(), r.base64
	return mustJSON(t, ev)
}

// lambdaResponse holds the fields of every shape's response.
type lambdaResponse struct {
	StatusCode        int                 `json:"statusCode"`
	StatusDescription string              `json:"statusDescription"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Cookies           []string            `json:"cookies"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

// header returns a response header whichever map the shape uses.
func (r *lambdaResponse) header(name string) string {
	name = http.CanonicalHeaderKey(name)
	for k, v := range r.Headers {
		if http.CanonicalHeaderKey(k) == name {
			return v
		}
	}
	for k, vs := range r.MultiValueHeaders {
		if http.CanonicalHeaderKey(k) == name && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// values returns all of a response header's values whichever map the
// shape uses; a single-value map holds them joined.
func (r *lambdaResponse) values(name string) []string {
	name = http.CanonicalHeaderKey(name)
	for k, vs := range r.MultiValueHeaders {
		if http.CanonicalHeaderKey(k) == name {
			return vs
		}
	}
	for k, v := range r.Headers {
		if http.CanonicalHeaderKey(k) == name {
			return []string{v}
		}
	}
	return nil
}

func (r *lambdaResponse) body(t testing.TB) []byte {
	t.Helper()
	if !r.IsBase64Encoded {
		return []byte(r.Body)
	}
	b, err := base64.StdEncoding.DecodeString(r.Body)
	if err != nil {
		t.Fatalf("response body is not base64: %v", err)
	}
	return b
}

// serveLocal serves one request with h behind Guard on a local net/http
// server, within ctx, and returns the answer as a client reads it off the
// wire: the response (its body read and closed) and its body.
func serveLocal(t *testing.T, ctx context.Context, h http.Handler, req httpRequest) (*http.Response, string) {
	t.Helper()
	srv := httptest.NewServer(lambdamcp.Guard(h, nil))
	defer srv.Close()
	r, err := http.NewRequestWithContext(ctx, req.method, srv.URL+req.path, strings.NewReader(req.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range req.header {
		r.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	return resp, string(b)
}
