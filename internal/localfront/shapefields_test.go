package localfront

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

// echoedJSON sends s through a front of the given config and returns the
// event the function received as JSON members, so that a test can tell a
// missing member from an empty one, and the front's response.
func echoedJSON(t *testing.T, cfg Config, path string, s sent) (map[string]any, *http.Response) {
	t.Helper()
	cfg.Function = echoFunction()
	f := startFront(t, cfg)
	s.url = f.URL() + path
	resp, body := do(t, s)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, body %s", resp.StatusCode, body)
	}
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatalf("decoding the echoed event %s: %v", body, err)
	}
	return ev, resp
}

// A Function URL's event carries the invocation's request id, the one its
// response names in x-amzn-RequestId and the function's context holds
// ("Invoking Lambda function URLs", requestContext.requestId: "The ID of
// the invocation request").
func TestURLEventRequestIDIsTheInvocations(t *testing.T) {
	ev, resp := echoedJSON(t, Config{Shape: ShapeURL}, "/mcp", sample)
	rc, _ := ev["requestContext"].(map[string]any)
	if got, want := rc["requestId"], resp.Header.Get("x-amzn-RequestId"); got != want || want == "" {
		t.Errorf("requestContext.requestId = %v, want the invocation's %q", got, want)
	}
}

// requestContext.authentication is a mutual TLS client's certificate: a
// payload 2.0 event without one has no such member, rather than one with
// an empty certificate that tells a function a client presented one.
func TestPayload2EventWithoutClientCertificate(t *testing.T) {
	for _, shape := range []Shape{ShapeHTTP, ShapeURL} {
		t.Run(string(shape), func(t *testing.T) {
			ev, _ := echoedJSON(t, Config{Shape: shape}, "/mcp", sample)
			rc, _ := ev["requestContext"].(map[string]any)
			if a, ok := rc["authentication"]; ok {
				t.Errorf("requestContext.authentication = %v, want no such member", a)
			}
			if rc["http"] == nil {
				t.Errorf("requestContext = %v, without http", rc)
			}
		})
	}
}

// The same holds for the HTTP API's Lambda authorizer's event.
func TestHTTPAuthorizerEventWithoutClientCertificate(t *testing.T) {
	var auth counter
	allow := auth.wrap(func(context.Context, []byte) ([]byte, error) { return []byte(`{"isAuthorized":true}`), nil })
	f := startFront(t, Config{Shape: ShapeHTTP, Function: echoFunction(), Authorizer: allow})
	s := sample
	s.url = f.URL() + "/mcp"
	s.header = sample.header.Clone()
	s.header.Set("Authorization", "Bearer good")
	if resp, body := do(t, s); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d (%s), want 200", resp.StatusCode, body)
	}
	_, payload := auth.state()
	var ev struct {
		RequestContext map[string]any `json:"requestContext"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	if a, ok := ev.RequestContext["authentication"]; ok {
		t.Errorf("requestContext.authentication = %v, want no such member", a)
	}
	if ev.RequestContext["http"] == nil {
		t.Errorf("requestContext = %v, without http", ev.RequestContext)
	}
}

// Function URLs use neither routes nor stages, and set routeKey,
// requestContext.routeKey and requestContext.stage to "$default" as
// placeholders ("Invoking Lambda function URLs", request payload format).
func TestURLEventPlaceholders(t *testing.T) {
	ev, _ := echoedJSON(t, Config{Shape: ShapeURL}, "/mcp", sample)
	rc, _ := ev["requestContext"].(map[string]any)
	got := map[string]any{"routeKey": ev["routeKey"], "requestContext.routeKey": rc["routeKey"], "requestContext.stage": rc["stage"]}
	for k, v := range got {
		if v != "$default" {
			t.Errorf("%s = %v, want $default", k, v)
		}
	}
}

// An ALB sends a body as is only for text/*, application/json,
// application/javascript and application/xml, and base64-encodes it for
// every other type ("Lambda functions as targets", receive events from the
// load balancer).
func TestALBEventBase64ByContentType(t *testing.T) {
	tests := []struct {
		contentType string
		want        bool
	}{
		{"text/plain", false},
		{"text/html; charset=utf-8", false},
		{"application/json", false},
		{"application/json; charset=utf-8", false},
		// The type decides, whatever its letter case and parameters.
		{"application/json;charset=UTF-8", false},
		{"Application/JSON", false},
		{"TEXT/Event-Stream; Charset=UTF-8", false},
		{"text/plain ; charset=utf-8", false},
		{"application/json; charset", false},                      // a parameter without a value
		{"application/json; charset=utf-8; charset=ascii", false}, // a parameter given twice
		{"application/octet-stream; charset", true},
		{"application/xml; charset=\"utf-8\"", false},
		{"application/octet-stream; charset=utf-8", true},
		{"text", true},
		{"application/javascript", false},
		{"application/xml", false},
		{"application/x-www-form-urlencoded", true},
		{"application/yaml", true},
		{"application/vnd.api+json", true},
		{"application/octet-stream", true},
		{"", true},
	}
	for _, tc := range tests {
		t.Run(tc.contentType, func(t *testing.T) {
			s := sent{method: http.MethodPost, body: "a=b", contentType: tc.contentType}
			ev := echoed[events.ALBTargetGroupRequest](t, Config{Shape: ShapeALB}, "/mcp", s)
			want := "a=b"
			if tc.want {
				want = base64.StdEncoding.EncodeToString([]byte("a=b"))
			}
			if ev.IsBase64Encoded != tc.want || ev.Body != want {
				t.Errorf("body %q, isBase64Encoded %v; want %q, %v", ev.Body, ev.IsBase64Encoded, want, tc.want)
			}
		})
	}
}

// A target group's responses carry their headers in multiValueHeaders
// with multi-value headers enabled and in headers otherwise ("Lambda
// functions as targets", responses with multi-value headers): the other
// map is not the load balancer's.
func TestALBResponseHeadersByMode(t *testing.T) {
	const payload = `{"statusCode":200,"statusDescription":"200 OK","headers":{"X-One":"1"},"multiValueHeaders":{"X-Two":["2","3"]},"body":"ok"}`
	tests := []struct {
		multi    bool
		one, two []string
	}{
		{multi: false, one: []string{"1"}},
		{multi: true, two: []string{"2", "3"}},
	}
	for _, tc := range tests {
		f := startFront(t, Config{Shape: ShapeALB, MultiValueHeaders: tc.multi, Function: respondWith(payload)})
		resp, body := do(t, sent{method: http.MethodGet, url: f.URL() + "/x"})
		if resp.StatusCode != http.StatusOK || string(body) != "ok" {
			t.Fatalf("multi-value %v: %d %q", tc.multi, resp.StatusCode, body)
		}
		if diff := cmp.Diff(tc.one, resp.Header.Values("X-One")); diff != "" {
			t.Errorf("multi-value %v: X-One (-want +got):\n%s", tc.multi, diff)
		}
		if diff := cmp.Diff(tc.two, resp.Header.Values("X-Two")); diff != "" {
			t.Errorf("multi-value %v: X-Two (-want +got):\n%s", tc.multi, diff)
		}
	}
}

// A REST API's event always has isBase64Encoded, false for a text body
// ("Set up Lambda proxy integrations in API Gateway", input format), which
// aws-lambda-go's type leaves out when false.
func TestRESTEventHasIsBase64Encoded(t *testing.T) {
	ev, _ := echoedJSON(t, Config{Shape: ShapeREST}, "/dev/mcp", sample)
	if got, ok := ev["isBase64Encoded"]; !ok || got != false {
		t.Errorf("isBase64Encoded = %v (present %v), want false", got, ok)
	}
}

// Without a query string, an ALB's event has an empty queryStringParameters
// object, not none ("Lambda functions as targets", the health check event).
func TestALBEventEmptyQuery(t *testing.T) {
	s := sent{method: http.MethodGet}
	ev, _ := echoedJSON(t, Config{Shape: ShapeALB}, "/mcp", s)
	q, ok := ev["queryStringParameters"].(map[string]any)
	if !ok || len(q) != 0 {
		t.Errorf("queryStringParameters = %#v, want {}", ev["queryStringParameters"])
	}
}
