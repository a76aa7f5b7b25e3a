package lambdamcp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/awsevents"
)

// seen is what a handler observed of its request.
type seen struct {
	Method     string
	Path       string
	Query      string
	Host       string
	RemoteAddr string
	Headers    map[string][]string
	Body       string
	RequestID  string
	Shape      lambdamcp.Shape
	Authorizer map[string]any
	EventType  string
	Deadline   bool
}

// recordingHandler answers with a fixed response and records the request.
func recordingHandler(got *seen, respond func(w http.ResponseWriter)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, hasDeadline := r.Context().Deadline()
		*got = seen{
			Method:     r.Method,
			Path:       r.URL.Path,
			Query:      r.URL.RawQuery,
			Host:       r.Host,
			RemoteAddr: r.RemoteAddr,
			Headers:    r.Header,
			Body:       string(body),
			RequestID:  lambdamcp.RequestID(r.Context()),
			Shape:      lambdamcp.EventShape(r.Context()),
			Authorizer: lambdamcp.AuthorizerContext(r.Context()),
			Deadline:   hasDeadline,
		}
		switch lambdamcp.Event(r.Context()).(type) {
		case *events.APIGatewayProxyRequest:
			got.EventType = "rest"
		case *events.APIGatewayV2HTTPRequest:
			got.EventType = "http"
		case *events.LambdaFunctionURLRequest:
			got.EventType = "url"
		case *events.ALBTargetGroupRequest:
			got.EventType = "alb"
		}
		respond(w)
	})
}

func invoke(t *testing.T, h *lambdamcp.Handler, payload []byte) lambdaResponse {
	t.Helper()
	out, err := h.Invoke(invokeCtx(t), payload)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	var resp lambdaResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, out)
	}
	return resp
}

// TestRequestFromSampleEvents checks what the handler sees of AWS's sample
// events, unchanged.
func TestRequestFromSampleEvents(t *testing.T) {
	tests := []struct {
		file string
		want seen
	}{
		{
			file: "apigw-request.json",
			want: seen{
				Method: "POST", Path: "/hello/world", Query: "name=me",
				Host: "gy415nuibc.execute-api.us-east-1.amazonaws.com", RemoteAddr: "192.168.196.186",
				Body: "{\r\n\t\"a\": 1\r\n}", Shape: lambdamcp.ShapeREST, EventType: "rest",
				Authorizer: map[string]any{"principalId": "admin", "clientId": 1.0, "clientName": "Exata"},
			},
		},
		{
			file: "apigw-v2-request-lambda-authorizer.json",
			want: seen{
				Method: "GET", Path: "/my/path", Query: "parameter1=value1&parameter1=value2&parameter2=value",
				Host: "id.execute-api.us-east-1.amazonaws.com", RemoteAddr: "IP",
				Body: "{\r\n\t\"a\": 1\r\n}", Shape: lambdamcp.ShapeHTTP, EventType: "http",
				Authorizer: map[string]any{"key": "value"},
			},
		},
		{
			file: "apigw-v2-request-jwt-authorizer.json",
			want: seen{
				Method: "GET", Path: "/my/path", Query: "parameter1=value1&parameter1=value2&parameter2=value",
				Host: "id.execute-api.us-east-1.amazonaws.com", RemoteAddr: "IP",
				Body: "{\r\n\t\"a\": 1\r\n}", Shape: lambdamcp.ShapeHTTP, EventType: "http",
				Authorizer: map[string]any{"claim1": "value1", "claim2": "value2", "scopes": []string{"scope1", "scope2"}},
			},
		},
		{
			file: "apigw-v2-request-iam.json",
			want: seen{
				Method: "GET", Path: "/my/path", Query: "parameter1=value1&parameter1=value2&parameter2=value",
				Host: "id.execute-api.us-east-1.amazonaws.com", RemoteAddr: "IP",
				Body: "{\r\n\t\"a\": 1\r\n}", Shape: lambdamcp.ShapeHTTP, EventType: "http",
				Authorizer: map[string]any{
					"accessKey": "ARIA2ZJZYVUEREEIHAKY", "accountId": "1234567890", "callerId": "AROA7ZJZYVRE7C3DUXHH6:CognitoIdentityCredentials",
					"principalOrgId": "AwsOrgId", "userArn": "arn:aws:iam::1234567890:user/Admin", "userId": "AROA2ZJZYVRE7Y3TUXHH6",
					"cognitoIdentity": map[string]any{
						"amr": []string{"foo"}, "identityId": "us-east-1:3f291106-8703-466b-8f2b-3ecee1ca56ce",
						"identityPoolId": "us-east-1:4f291106-8703-466b-8f2b-3ecee1ca56ce",
					},
				},
			},
		},
		{
			file: "lambda-urls-request.json",
			want: seen{
				Method: "POST", Path: "/my/path", Query: "parameter1=value1&parameter1=value2&parameter2=value",
				Host: "<url-id>.lambda-url.us-west-2.on.aws", RemoteAddr: "123.123.123.123",
				Body: "Hello from client!", Shape: lambdamcp.ShapeURL, EventType: "url",
				Authorizer: map[string]any{
					"accessKey": "AKIA...", "accountId": "111122223333", "callerId": "AIDA...",
					"userArn": "arn:aws:iam::111122223333:user/example-user", "userId": "AIDA...",
				},
			},
		},
		{
			file: "alb-lambda-target-request-headers-only.json",
			want: seen{
				Method: "GET", Path: "/", Query: "key=hello",
				Host: "lambda-test-alb-1334523864.us-east-1.elb.amazonaws.com", RemoteAddr: "25.12.198.67",
				Shape: lambdamcp.ShapeALB, EventType: "alb",
			},
		},
		{
			file: "alb-lambda-target-request-multivalue-headers.json",
			want: seen{
				Method: "GET", Path: "/", Query: "key=hello",
				Host: "lambda-test-alb-1234567.us-east-1.elb.amazonaws.com", RemoteAddr: "72.21.198.67",
				Shape: lambdamcp.ShapeALB, EventType: "alb",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			payload := awsevents.Sample(tc.file)
			var got seen
			h := lambdamcp.NewHandler(recordingHandler(&got, func(w http.ResponseWriter) { w.WriteHeader(204) }), nil)
			resp := invoke(t, h, payload)
			if resp.StatusCode != 204 {
				t.Errorf("status = %d, want 204", resp.StatusCode)
			}
			tc.want.RequestID = "test-request-id"
			tc.want.Deadline = true
			if diff := cmp.Diff(tc.want, got, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Headers" }, cmp.Ignore())); diff != "" {
				t.Errorf("request mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestJWTAuthorizerWithoutScopes checks that an HTTP API JWT authorizer
// that granted no scopes hands on its claims without a "scopes" key.
func TestJWTAuthorizerWithoutScopes(t *testing.T) {
	var ev events.APIGatewayV2HTTPRequest
	loadEvent(t, "apigw-v2-request-jwt-authorizer.json", &ev)
	ev.RequestContext.Authorizer.JWT.Scopes = nil
	var got seen
	invoke(t, lambdamcp.NewHandler(recordingHandler(&got, func(w http.ResponseWriter) {}), nil), mustJSON(t, ev))
	if diff := cmp.Diff(map[string]any{"claim1": "value1", "claim2": "value2"}, got.Authorizer); diff != "" {
		t.Errorf("authorizer context (-want +got):\n%s", diff)
	}
}

// TestALBClientAddress checks that an ALB request's RemoteAddr is the
// address the load balancer appended to X-Forwarded-For, not an entry the
// client put before it, in both header modes.
func TestALBClientAddress(t *testing.T) {
	tests := []struct {
		file   string
		set    func(ev *events.ALBTargetGroupRequest)
		wanted string
	}{
		{"alb-lambda-target-request-headers-only.json", func(ev *events.ALBTargetGroupRequest) {
			ev.Headers["x-forwarded-for"] = "6.6.6.6, 25.12.198.67"
		}, "25.12.198.67"},
		{"alb-lambda-target-request-headers-only.json", func(ev *events.ALBTargetGroupRequest) {
			ev.Headers["x-forwarded-for"] = "6.6.6.6, 7.7.7.7, 25.12.198.67"
		}, "25.12.198.67"},
		{"alb-lambda-target-request-multivalue-headers.json", func(ev *events.ALBTargetGroupRequest) {
			ev.MultiValueHeaders["x-forwarded-for"] = []string{"6.6.6.6,72.21.198.67"}
		}, "72.21.198.67"},
		{"alb-lambda-target-request-multivalue-headers.json", func(ev *events.ALBTargetGroupRequest) {
			ev.MultiValueHeaders["x-forwarded-for"] = []string{"6.6.6.6", "7.7.7.7, 72.21.198.67"}
		}, "72.21.198.67"},
		{"alb-lambda-target-request-multivalue-headers.json", func(ev *events.ALBTargetGroupRequest) {
			delete(ev.MultiValueHeaders, "x-forwarded-for")
		}, ""},
	}
	for _, tc := range tests {
		var ev events.ALBTargetGroupRequest
		loadEvent(t, tc.file, &ev)
		tc.set(&ev)
		var got seen
		invoke(t, lambdamcp.NewHandler(recordingHandler(&got, func(w http.ResponseWriter) {}), nil), mustJSON(t, ev))
		if got.RemoteAddr != tc.wanted {
			t.Errorf("%s: RemoteAddr = %q, want %q", tc.file, got.RemoteAddr, tc.wanted)
		}
	}
}

// TestManyHostHeaders checks that a request with two Host headers is
// refused with 400 and a JSON body, as net/http refuses it: which one
// names the server is ambiguous.
func TestManyHostHeaders(t *testing.T) {
	var rest events.APIGatewayProxyRequest
	loadEvent(t, "apigw-request.json", &rest)
	rest.MultiValueHeaders["Host"] = []string{"a.example", "b.example"}
	// An HTTP API joins repeated headers with a comma.
	var v2 events.APIGatewayV2HTTPRequest
	loadEvent(t, "apigw-v2-request-lambda-authorizer.json", &v2)
	v2.Headers["host"] = "a.example,b.example"
	for name, ev := range map[string]any{"rest": rest, "http": v2} {
		called := false
		h := lambdamcp.NewHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }), nil)
		resp := invoke(t, h, mustJSON(t, ev))
		if resp.StatusCode != 400 || called || !strings.Contains(resp.Body, `"code":-32600,"message":"request has more than one Host header"`) {
			t.Errorf("%s: answer %d %s (handler called: %v), want 400, -32600 naming the Host headers", name, resp.StatusCode, resp.Body, called)
		}
	}
}

// TestHostNotInHeader checks that Host is promoted out of the header map,
// as net/http does for every request it parses.
func TestHostNotInHeader(t *testing.T) {
	for _, file := range []string{"apigw-request.json", "apigw-v2-request-lambda-authorizer.json", "lambda-urls-request.json", "alb-lambda-target-request-headers-only.json", "alb-lambda-target-request-multivalue-headers.json"} {
		var got seen
		invoke(t, lambdamcp.NewHandler(recordingHandler(&got, func(w http.ResponseWriter) {}), nil), awsevents.Sample(file))
		if got.Host == "" {
			t.Errorf("%s: no Host", file)
		}
		if v, ok := got.Headers["Host"]; ok {
			t.Errorf("%s: Host is in the header map too: %q", file, v)
		}
	}
}

// TestHeaders checks that repeated headers reach the handler, and that the
// handler's repeated headers and cookies reach each shape's response in the
// form it allows.
func TestHeaders(t *testing.T) {
	respond := func(w http.ResponseWriter) {
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		w.Header().Add("Set-Cookie", "c1=1")
		w.Header().Add("Set-Cookie", "c2=2")
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}
	t.Run("rest", func(t *testing.T) {
		var ev events.APIGatewayProxyRequest
		loadEvent(t, "apigw-request.json", &ev)
		ev.MultiValueHeaders["X-Multi"] = []string{"1", "2"}
		ev.MultiValueQueryStringParameters = map[string][]string{"q": {"a b", "c&d"}}
		var got seen
		resp := invoke(t, lambdamcp.NewHandler(recordingHandler(&got, respond), nil), mustJSON(t, ev))
		if diff := cmp.Diff([]string{"1", "2"}, got.Headers["X-Multi"]); diff != "" {
			t.Errorf("request X-Multi (-want +got):\n%s", diff)
		}
		if got.Query != "q=a+b&q=c%26d" {
			t.Errorf("query = %q, want q=a+b&q=c%%26d", got.Query)
		}
		if diff := cmp.Diff([]string{"a", "b"}, resp.MultiValueHeaders["X-Multi"]); diff != "" {
			t.Errorf("response X-Multi (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"c1=1", "c2=2"}, resp.MultiValueHeaders["Set-Cookie"]); diff != "" {
			t.Errorf("response Set-Cookie (-want +got):\n%s", diff)
		}
	})
	t.Run("http", func(t *testing.T) {
		var ev events.APIGatewayV2HTTPRequest
		loadEvent(t, "apigw-v2-request-lambda-authorizer.json", &ev)
		var got seen
		resp := invoke(t, lambdamcp.NewHandler(recordingHandler(&got, respond), nil), mustJSON(t, ev))
		if diff := cmp.Diff([]string{"cookie1; cookie2"}, got.Headers["Cookie"]); diff != "" {
			t.Errorf("request Cookie (-want +got):\n%s", diff)
		}
		if resp.Headers["X-Multi"] != "a, b" {
			t.Errorf("response X-Multi = %q, want %q", resp.Headers["X-Multi"], "a, b")
		}
		if diff := cmp.Diff([]string{"c1=1", "c2=2"}, resp.Cookies); diff != "" {
			t.Errorf("response cookies (-want +got):\n%s", diff)
		}
		if _, ok := resp.Headers["Set-Cookie"]; ok {
			t.Error("Set-Cookie in headers; payload 2.0 carries cookies apart")
		}
	})
	t.Run("alb-multi", func(t *testing.T) {
		var ev events.ALBTargetGroupRequest
		loadEvent(t, "alb-lambda-target-request-multivalue-headers.json", &ev)
		ev.MultiValueQueryStringParameters = map[string][]string{"q": {"a%20b", "c"}}
		var got seen
		resp := invoke(t, lambdamcp.NewHandler(recordingHandler(&got, respond), nil), mustJSON(t, ev))
		if got.Query != "q=a%20b&q=c" {
			t.Errorf("query = %q, want the client's encoding q=a%%20b&q=c", got.Query)
		}
		if diff := cmp.Diff([]string{"a", "b"}, resp.MultiValueHeaders["X-Multi"]); diff != "" {
			t.Errorf("response X-Multi (-want +got):\n%s", diff)
		}
		if resp.Headers != nil {
			t.Errorf("single-value headers %v in a multi-value target group's response", resp.Headers)
		}
	})
	t.Run("alb", func(t *testing.T) {
		var ev events.ALBTargetGroupRequest
		loadEvent(t, "alb-lambda-target-request-headers-only.json", &ev)
		var got seen
		resp := invoke(t, lambdamcp.NewHandler(recordingHandler(&got, respond), nil), mustJSON(t, ev))
		if resp.Headers["X-Multi"] != "a, b" {
			t.Errorf("response X-Multi = %q, want %q", resp.Headers["X-Multi"], "a, b")
		}
		if resp.MultiValueHeaders != nil {
			t.Errorf("multi-value headers %v in a single-value target group's response", resp.MultiValueHeaders)
		}
	})
}

// TestALBQueryAsSent checks that an ALB event's query parameters, which
// the load balancer passes on as the client encoded them, keys included,
// reach the handler encoded once, in either header mode: decoded by the
// handler's URL.Query, not re-encoded into %25 sequences.
func TestALBQueryAsSent(t *testing.T) {
	const want = "a%20b=c%2Bd&q=1+2"
	wantValues := url.Values{"a b": {"c+d"}, "q": {"1 2"}}
	for _, file := range []string{"alb-lambda-target-request-headers-only.json", "alb-lambda-target-request-multivalue-headers.json"} {
		var ev events.ALBTargetGroupRequest
		loadEvent(t, file, &ev)
		if ev.MultiValueHeaders != nil {
			ev.MultiValueQueryStringParameters = map[string][]string{"a%20b": {"c%2Bd"}, "q": {"1+2"}}
		} else {
			ev.QueryStringParameters = map[string]string{"a%20b": "c%2Bd", "q": "1+2"}
		}
		var got seen
		invoke(t, lambdamcp.NewHandler(recordingHandler(&got, func(w http.ResponseWriter) {}), nil), mustJSON(t, ev))
		if got.Query != want {
			t.Errorf("%s: query = %q, want %q", file, got.Query, want)
		}
		values, err := url.ParseQuery(got.Query)
		if err != nil || !cmp.Equal(values, wantValues) {
			t.Errorf("%s: query reads as %v (%v), want %v", file, values, err, wantValues)
		}
	}
}

// TestRequestCookies checks that a payload 2.0 event's cookies, which
// arrive apart from its headers, reach the handler as the one Cookie header
// a client sends, and that an event without cookies gives it none, not an
// empty one.
func TestRequestCookies(t *testing.T) {
	tests := []struct {
		name    string
		cookies []string
		want    []string // the Cookie header; nil for none
	}{
		{"none", nil, nil},
		{"empty list", []string{}, nil},
		{"one", []string{"a=1"}, []string{"a=1"}},
		{"two", []string{"a=1", "b=2"}, []string{"a=1; b=2"}},
	}
	for _, shape := range []eventShape{{"http", httpAPIEvent}, {"url", urlEvent}} {
		for _, tc := range tests {
			t.Run(shape.name+"/"+tc.name, func(t *testing.T) {
				var ev map[string]any
				if err := json.Unmarshal(shape.build(t, jsonPost(`{}`)), &ev); err != nil {
					t.Fatal(err)
				}
				if tc.cookies == nil {
					delete(ev, "cookies")
				} else {
					ev["cookies"] = tc.cookies
				}
				var got seen
				invoke(t, lambdamcp.NewHandler(recordingHandler(&got, func(w http.ResponseWriter) {}), nil), mustJSON(t, ev))
				if diff := cmp.Diff(tc.want, got.Headers["Cookie"]); diff != "" {
					t.Errorf("Cookie header (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestHTTPAPIStage checks that a named stage's prefix is taken off the path
// of a request to an HTTP API's default endpoint, in payload formats 2.0 and
// 1.0, and that $default and custom domains (whose raw path has no stage)
// leave it alone, as does a REST API, whose path never has the stage.
func TestHTTPAPIStage(t *testing.T) {
	const endpoint = "aaaaaaaaaa.execute-api.us-west-2.amazonaws.com" // the sample's, for its apiId
	tests := []struct{ domain, stage, rawPath, want string }{
		{endpoint, "$default", "/mcp", "/mcp"},
		{endpoint, "dev", "/dev/mcp", "/mcp"},
		{endpoint, "dev", "/dev", "/"},
		{endpoint, "dev", "/devices/mcp", "/devices/mcp"},
		{endpoint, "$default", "/$default/mcp", "/$default/mcp"}, // $default is in no path
		{endpoint, "v1", "/v1/mcp", "/mcp"},
		{"api.example.com", "v1", "/v1/mcp", "/v1/mcp"},
		{"api.example.com", "v1", "/mcp", "/mcp"},
		{"api.example.com", "$default", "/mcp", "/mcp"},
	}
	for _, tc := range tests {
		t.Run(tc.domain+"/"+tc.stage+tc.rawPath, func(t *testing.T) {
			var ev events.APIGatewayV2HTTPRequest
			loadEvent(t, "apigw-v2-request-no-authorizer.json", &ev)
			ev.RequestContext.Stage, ev.RawPath = tc.stage, tc.rawPath
			ev.RequestContext.DomainName, ev.Headers["host"] = tc.domain, tc.domain
			var got seen
			invoke(t, lambdamcp.NewHandler(recordingHandler(&got, func(w http.ResponseWriter) {}), nil), mustJSON(t, ev))
			if got.Path != tc.want {
				t.Errorf("path = %q, want %q", got.Path, tc.want)
			}

			// Payload format 1.0 carries the same path in path, and the
			// same stage, domain and API id in its request context; a
			// REST API's path never has the stage, so it is left alone.
			var v1 events.APIGatewayProxyRequest
			loadEvent(t, "apigw-request.json", &v1)
			v1.Path, v1.MultiValueHeaders = tc.rawPath, nil
			v1.RequestContext.Stage, v1.RequestContext.DomainName, v1.RequestContext.APIID = tc.stage, tc.domain, "aaaaaaaaaa"
			v1.Headers = map[string]string{"Host": tc.domain}
			for _, version := range []string{"1.0", ""} {
				var m map[string]any
				if err := json.Unmarshal(mustJSON(t, v1), &m); err != nil {
					t.Fatal(err)
				}
				want := tc.rawPath
				if version != "" {
					m["version"], want = version, tc.want
				}
				invoke(t, lambdamcp.NewHandler(recordingHandler(&got, func(w http.ResponseWriter) {}), nil), mustJSON(t, m))
				if got.Path != want {
					t.Errorf("version %q: path = %q, want %q", version, got.Path, want)
				}
			}
		})
	}
}

// TestCustomDomainBasePath checks that the base path of a custom domain's
// mapping, which API Gateway puts in front of a REST API event's path (and
// of an HTTP API's in payload format 1.0), is taken off, so that the
// handler sees the API's own path however the API is reached; and that a
// path that does not end in the resource's is left alone.
func TestCustomDomainBasePath(t *testing.T) {
	proxy := func(p string) map[string]string { return map[string]string{"proxy": p} }
	tests := []struct {
		name, resource string
		params         map[string]string
		path, want     string
		uri            string // the RequestURI, where it is not want
	}{
		{"resource", "/mcp", nil, "/tools/mcp", "/mcp", ""},
		{"greedy resource", "/{proxy+}", proxy("mcp"), "/tools/mcp", "/mcp", ""},
		{"base path of two segments", "/{proxy+}", proxy("mcp"), "/v1/tools/mcp", "/mcp", ""},
		{"parameter inside", "/tenants/{tenant}/mcp", map[string]string{"tenant": "acme"}, "/tools/tenants/acme/mcp", "/tenants/acme/mcp", ""},
		{"encoded", "/{proxy+}", proxy("mcp/acme corp/x"), "/tools/mcp/acme%20corp%2Fx", "/mcp/acme corp/x", "/mcp/acme%20corp%2Fx"},
		// A REST API's path parameters keep the client's encoding, as its path does.
		{"encoded parameter", "/{proxy+}", proxy("mcp/acme%20corp%2Fx"), "/tools/mcp/acme%20corp%2Fx", "/mcp/acme corp/x", "/mcp/acme%20corp%2Fx"},
		// A client may encode a character of the base path ($ as %24).
		{"base path the client encoded", "/{proxy+}", proxy("mcp/a b"), "/t%241/mcp/a%20b", "/mcp/a b", "/mcp/a%20b"},
		{"base path the client encoded, parameter as sent", "/{proxy+}", proxy("mcp/a%20b"), "/t%241/mcp/a%20b", "/mcp/a b", "/mcp/a%20b"},
		{"encoded slash in a segment", "/mcp/{id}", map[string]string{"id": "a%2Fb"}, "/tools/mcp/a%2Fb", "/mcp/a/b", "/mcp/a%2Fb"},
		{"root", "/", nil, "/tools", "/", ""},
		{"root, a slash after", "/", nil, "/tools/", "/", ""},
		{"mapped at the root", "/mcp", nil, "/mcp", "/mcp", ""},
		{"not the resource's path", "/mcp", nil, "/tools/other", "/tools/other", ""},
		// API Gateway routes /mcp/ to the resource /mcp, and passes the path on
		// as the client sent it.
		{"a slash after the resource", "/mcp", nil, "/tools/mcp/", "/mcp/", ""},
		{"a slash after a parameter", "/mcp/{id}", map[string]string{"id": "x"}, "/v1/tools/mcp/x/", "/mcp/x/", ""},
		{"a slash after, not the resource's path", "/mcp", nil, "/tools/other/", "/tools/other/", ""},
		{"a segment cut", "/{proxy+}", proxy("cp"), "/tools/mcp", "/tools/mcp", ""},
		// Decoded, it ends in the resource; what would be left of it begins
		// with no slash, as the client sent it.
		{"an encoded slash before the resource", "/mcp", nil, "/tools%2Fmcp", "/tools/mcp", "/tools%2Fmcp"},
		{"parameter missing", "/{proxy+}", nil, "/tools/mcp", "/tools/mcp", ""},
		{"no resource", "", nil, "/tools/mcp", "/tools/mcp", ""},
		// An HTTP API's $default route names no resource to cut by.
		{"$default route", "$default", nil, "/tools/mcp", "/tools/mcp", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := customDomainEvent(t, tc.resource, tc.path)
			ev.PathParameters = tc.params
			for _, version := range []string{"", "1.0"} {
				var m map[string]any
				if err := json.Unmarshal(mustJSON(t, ev), &m); err != nil {
					t.Fatal(err)
				}
				want, wantURI := tc.want, tc.uri
				if wantURI == "" {
					wantURI = want
				}
				if version != "" {
					if tc.uri != "" {
						continue // an HTTP API's path arrives decoded
					}
					m["version"] = version
				}
				var path, uri string
				h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { path, uri = r.URL.Path, r.RequestURI })
				invoke(t, lambdamcp.NewHandler(h, nil), mustJSON(t, m))
				if path != want || uri != wantURI {
					t.Errorf("version %q: URL.Path, RequestURI = %q, %q; want %q, %q", version, path, uri, want, wantURI)
				}
			}
		})
	}
}

// TestEncodedPath checks that the handler sees a path as net/http would
// parse the client's request line: decoded in URL.Path and path values, with
// the client's encoding kept in RequestURI. REST APIs, Function URLs and
// ALBs pass the path on percent-encoded; HTTP APIs decode it, in payload
// format 2.0's rawPath and 1.0's path alike.
func TestEncodedPath(t *testing.T) {
	const encoded, decoded = "/mcp/acme%20corp%2Fx", "/mcp/acme corp/x"
	withPath := func(build func(testing.TB, httpRequest) []byte, gatewayPath string) func(testing.TB) []byte {
		return func(t testing.TB) []byte { return build(t, httpRequest{method: "GET", path: gatewayPath}) }
	}
	httpAPIv1 := func(path string) func(testing.TB) []byte {
		return func(t testing.TB) []byte {
			var m map[string]any
			if err := json.Unmarshal(restEvent(t, httpRequest{method: "GET", path: path}), &m); err != nil {
				t.Fatal(err)
			}
			m["version"] = "1.0"
			return mustJSON(t, m)
		}
	}
	tests := []struct {
		name                 string
		event                func(testing.TB) []byte
		path, uri, pathValue string
	}{
		{"rest", withPath(restEvent, encoded), decoded, encoded, "acme corp/x"},
		{"url", withPath(urlEvent, encoded), decoded, encoded, "acme corp/x"},
		{"alb", withPath(albEvent, encoded), decoded, encoded, "acme corp/x"},
		{"alb-multi", withPath(albMultiEvent, encoded), decoded, encoded, "acme corp/x"},
		{"http", withPath(httpAPIEvent, decoded), decoded, "/mcp/acme%20corp/x", "acme corp/x"},
		{"http payload 1.0", httpAPIv1(decoded), decoded, "/mcp/acme%20corp/x", "acme corp/x"},
		{"http payload 1.0, a decoded %", httpAPIv1("/mcp/100%"), "/mcp/100%", "/mcp/100%25", "100%"},
		{"rest, plain", withPath(restEvent, "/mcp/plain"), "/mcp/plain", "/mcp/plain", "plain"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var path, uri, value string
			mux := http.NewServeMux()
			mux.HandleFunc("/mcp/{tenant...}", func(w http.ResponseWriter, r *http.Request) {
				path, uri, value = r.URL.Path, r.RequestURI, r.PathValue("tenant")
			})
			invoke(t, lambdamcp.NewHandler(mux, nil), tc.event(t))
			if path != tc.path || uri != tc.uri || value != tc.pathValue {
				t.Errorf("URL.Path, RequestURI, PathValue = %q, %q, %q; want %q, %q, %q", path, uri, value, tc.path, tc.uri, tc.pathValue)
			}
		})
	}

	// A path that is not valid percent-encoding is refused as net/http
	// refuses such a request line, with a JSON answer.
	for _, shape := range []eventShape{{"rest", restEvent}, {"url", urlEvent}, {"alb", albEvent}} {
		t.Run(shape.name+" invalid escape", func(t *testing.T) {
			called := false
			h := lambdamcp.NewHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }), nil)
			resp := invoke(t, h, shape.build(t, httpRequest{method: "GET", path: "/mcp/%zz"}))
			if called {
				t.Error("the handler was called")
			}
			checkAnswer(t, resp.StatusCode, resp.header("Content-Type"), resp.body(t), http.StatusBadRequest, -32600, "request path is not valid percent-encoding", "", "")
		})
	}

	// So is a path that does not begin with a slash, which no request line
	// net/http serves carries: the handler would build its URLs from it
	// after the Host, so that "@evil.example/mcp" made a challenge, a
	// redirect or a resource URL name another host.
	for _, shape := range shapes {
		for _, path := range []string{"@evil.example/mcp", "mcp", "*"} {
			t.Run(shape.name+" path "+path, func(t *testing.T) {
				called := false
				h := lambdamcp.NewHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }), nil)
				payload := shape.build(t, httpRequest{method: "GET", path: path})
				// The payload 2.0 shapes carry the path twice; the
				// HTTP API's with its stage before it.
				var ev map[string]any
				if err := json.Unmarshal(payload, &ev); err != nil {
					t.Fatal(err)
				}
				if _, ok := ev["rawPath"]; ok {
					ev["rawPath"] = path
					ev["requestContext"].(map[string]any)["http"].(map[string]any)["path"] = path
					delete(ev["requestContext"].(map[string]any), "stage")
				}
				resp := invoke(t, h, mustJSON(t, ev))
				if called {
					t.Error("the handler was called")
				}
				checkAnswer(t, resp.StatusCode, resp.header("Content-Type"), resp.body(t), http.StatusBadRequest, -32600, "request path does not begin with a slash", "", "")
			})
		}
	}
	// A REST API's path ending in its resource is refused alike: what
	// comes before the resource is no base path when it is no path.
	for _, resource := range []string{"/mcp", "/{proxy+}"} {
		t.Run("rest resource "+resource, func(t *testing.T) {
			called := false
			h := lambdamcp.NewHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }), nil)
			var ev events.APIGatewayProxyRequest
			if err := json.Unmarshal(restEvent(t, httpRequest{method: "GET", path: "@evil.example/mcp"}), &ev); err != nil {
				t.Fatal(err)
			}
			ev.Resource, ev.RequestContext.ResourcePath = resource, resource
			ev.PathParameters = map[string]string{"proxy": "mcp"}
			resp := invoke(t, h, mustJSON(t, ev))
			if called {
				t.Error("the handler was called")
			}
			checkAnswer(t, resp.StatusCode, resp.header("Content-Type"), resp.body(t), http.StatusBadRequest, -32600, "request path does not begin with a slash", "", "")
		})
	}
}

// TestBinaryResponse checks that bodies a gateway cannot carry as text go
// back base64-encoded, and text does not.
func TestBinaryResponse(t *testing.T) {
	tests := []struct {
		name, contentType string
		body              []byte
		wantBase64        bool
	}{
		{"json", "application/json", []byte(`{"a":1}`), false},
		{"sse", "text/event-stream", []byte("event: message\ndata: {}\n\n"), false},
		{"png", "image/png", []byte{0x89, 'P', 'N', 'G', 0, 1, 2}, true},
		{"invalid utf-8 text", "text/plain", []byte{0xff, 0xfe}, true},
	}
	payload := awsevents.Sample("lambda-urls-request.json")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got seen
			h := lambdamcp.NewHandler(recordingHandler(&got, func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", tc.contentType)
				w.Write(tc.body)
			}), nil)
			resp := invoke(t, h, payload)
			if resp.IsBase64Encoded != tc.wantBase64 {
				t.Errorf("isBase64Encoded = %v, want %v", resp.IsBase64Encoded, tc.wantBase64)
			}
			if !bytes.Equal(resp.body(t), tc.body) {
				t.Errorf("body = %q, want %q", resp.body(t), tc.body)
			}
		})
	}
}

// TestALBResponseLimit checks that a response an ALB would refuse (over
// 1 MB of response JSON) is answered with a JSON-RPC error for the same id,
// and that one under it goes out as written.
func TestALBResponseLimit(t *testing.T) {
	result := func(n int) []byte {
		return []byte(`{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"` + strings.Repeat("x", n) + `"}]}}`)
	}
	req := jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"big","arguments":{}}}`)
	for _, shape := range shapes {
		if !strings.HasPrefix(shape.name, "alb") {
			continue
		}
		t.Run(shape.name+"/over", func(t *testing.T) {
			h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write(result(2 << 20))
			}), nil)
			out, err := h.Invoke(invokeCtx(t), shape.build(t, req))
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if len(out) > 1_000_000 {
				t.Fatalf("response of %d bytes; an ALB takes at most 1 MB", len(out))
			}
			var resp lambdaResponse
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatalf("response is not JSON: %v", err)
			}
			var answer rpcAnswer
			if err := json.Unmarshal(resp.body(t), &answer); err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			if string(answer.ID) != "1" || answer.Error == nil || answer.Error.Code != -32603 ||
				!strings.Contains(answer.Error.Message, "exceeds the ALB response limit of 1000000 bytes") {
				t.Errorf("answer = %s, want a -32603 error for id 1 naming the ALB's limit", resp.body(t))
			}
			if resp.StatusCode != http.StatusOK || resp.StatusDescription != "200 OK" {
				t.Errorf("status = %d %q, want 200 \"200 OK\"", resp.StatusCode, resp.StatusDescription)
			}
		})
		t.Run(shape.name+"/under", func(t *testing.T) {
			body := result(900 << 10)
			h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write(body)
			}), nil)
			resp := invoke(t, h, shape.build(t, req))
			if !bytes.Equal(resp.body(t), body) {
				t.Errorf("body of %d bytes changed to %.200s", len(body), resp.body(t))
			}
		})
	}
}

// TestALBStatusDescription checks the ALB response's status line text: the
// code and its reason phrase, or the code alone where it has none.
func TestALBStatusDescription(t *testing.T) {
	for _, tc := range []struct {
		status int
		want   string
	}{
		{200, "200 OK"},
		{404, "404 Not Found"},
		{599, "599"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			var ev events.ALBTargetGroupRequest
			loadEvent(t, "alb-lambda-target-request-headers-only.json", &ev)
			var got seen
			h := lambdamcp.NewHandler(recordingHandler(&got, func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				w.Write([]byte(`{}`))
			}), &lambdamcp.Options{RawErrors: true})
			resp := invoke(t, h, mustJSON(t, ev))
			if resp.StatusCode != tc.status || resp.StatusDescription != tc.want {
				t.Errorf("status = %d %q, want %d %q", resp.StatusCode, resp.StatusDescription, tc.status, tc.want)
			}
		})
	}
}

// TestUnknownEvent checks that payloads of no known shape fail the
// invocation with ErrUnknownEvent instead of reaching the handler.
func TestUnknownEvent(t *testing.T) {
	called := false
	h := lambdamcp.NewHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }), nil)
	for _, payload := range []string{
		``, `null`, `[]`, `{}`, `"text"`, `{"requestContext":{}}`, `{"Records":[{"eventSource":"aws:sqs"}]}`,
		`{"version":"2.0","requestContext":{}}`, `{"httpMethod":`, `{"requestContext":"x","httpMethod":"GET"}`,
		// A request context's http description is payload 2.0's alone.
		`{"version":"1.0","requestContext":{"http":{"method":"POST","path":"/mcp"}}}`,
		`{"requestContext":{"http":{"method":"POST","path":"/mcp"}}}`,
	} {
		t.Run(payload, func(t *testing.T) {
			_, err := h.Invoke(invokeCtx(t), []byte(payload))
			if !errors.Is(err, lambdamcp.ErrUnknownEvent) {
				t.Errorf("Invoke(%q) error = %v, want ErrUnknownEvent", payload, err)
			}
		})
	}
	if called {
		t.Error("handler called for an unknown event")
	}
}

// TestBadPayloadLogged checks the WARN line NewHandler logs for a payload it
// cannot serve, which Lambda reports as a failed invocation: what was
// wrong, the shape for an event that does not decode as its own, and none
// of the payload's values, which may be tokens.
func TestBadPayloadLogged(t *testing.T) {
	const secret = "Bearer SECRET-TOKEN-123"
	for _, tc := range []struct {
		name, payload string
		want          map[string]any
	}{
		{
			name:    "no known shape",
			payload: `{"Records":[{"eventSource":"aws:sqs","body":"` + secret + `"}]}`,
			want:    map[string]any{"level": "WARN", "msg": "unrecognised event", "error": lambdamcp.ErrUnknownEvent.Error(), "request_id": "test-request-id"},
		},
		{
			name:    "not JSON",
			payload: `{"httpMethod":"POST","headers":{"Authorization":"` + secret + `"}`,
			want: map[string]any{"level": "WARN", "msg": "unrecognised event", "request_id": "test-request-id",
				"error": lambdamcp.ErrUnknownEvent.Error() + ": not valid JSON (at byte 74)"},
		},
		{
			name:    "undecodable as its shape",
			payload: `{"httpMethod":"POST","requestContext":{"stage":"dev"},"multiValueHeaders":{"Authorization":"` + secret + `"}}`,
			want: map[string]any{"level": "WARN", "msg": "undecodable event", "shape": "rest", "request_id": "test-request-id",
				"error": `decoding REST API event: field "/multiValueHeaders/Authorization" holds a JSON string, which it cannot`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := lambdamcp.NewHandler(http.NotFoundHandler(), &lambdamcp.Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
			if _, err := h.Invoke(invokeCtx(t), []byte(tc.payload)); err == nil {
				t.Fatal("Invoke succeeded")
			}
			if strings.Contains(logs.String(), "SECRET") {
				t.Errorf("log quotes the payload's token:\n%s", logs.String())
			}
			lines := logLines(t, logs.Bytes())
			for _, l := range lines {
				delete(l, "time")
			}
			if diff := cmp.Diff([]map[string]any{tc.want}, lines); diff != "" {
				t.Errorf("log lines (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDeadline checks that the request's context ends half the deadline
// margin before the invocation's deadline (tool calls end a whole margin
// before it; see TestSlowTool). The default margin is spelled out, as
// docs/operations.md and docs/streaming.md give it: 500 ms.
func TestDeadline(t *testing.T) {
	deadline := time.Now().Add(3 * time.Second).Truncate(time.Millisecond)
	got := deadlineSeen(t, nil, awsevents.Sample("apigw-request.json"), deadline)
	if want := deadline.Add(-250 * time.Millisecond); !got.Equal(want) {
		t.Errorf("request deadline = %v, want %v", got, want)
	}
}

// TestLogs checks the per-request log line: JSON, with the Lambda request
// id, and without the body or the headers' values.
func TestLogs(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slog.New(lambdamcp.NewLogHandler(slog.NewJSONHandler(&buf, nil))).InfoContext(r.Context(), "tool ran")
		w.WriteHeader(200)
	}), &lambdamcp.Options{Logger: logger})
	req := jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ping","secret":"s3cr3t-body"}}`,
		"Authorization", "Bearer s3cr3t-token", "Mcp-Method", "tools/call")
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-42"})
	if _, err := h.Invoke(ctx, restEvent(t, req)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, secret := range []string{"s3cr3t-body", "s3cr3t-token"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d log lines, want 2:\n%s", len(lines), out)
	}
	var tool, request map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &tool); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &request); err != nil {
		t.Fatal(err)
	}
	if tool["request_id"] != "req-42" {
		t.Errorf("tool log request_id = %v, want req-42", tool["request_id"])
	}
	delete(request, "time")
	delete(request, "duration_ms")
	want := map[string]any{
		"level": "INFO", "msg": "request", "request_id": "req-42", "shape": "rest", "gateway_request_id": "deef4878-7910-11e6-8f14-25afc3e9ae33",
		"method": "POST", "path": "/mcp", "status": 200.0, "mcp_method": "tools/call",
		"tool": "ping", "outcome": "ok",
	}
	if diff := cmp.Diff(want, request); diff != "" {
		t.Errorf("request log mismatch (-want +got):\n%s", diff)
	}
}

// TestLogsGatewayRequestID checks that the request's log line names the id
// the gateway or Function URL gave the request, the requestId of its access
// log, so that the two can be joined; an ALB event has none, and an
// invented event's id is bounded.
func TestLogsGatewayRequestID(t *testing.T) {
	long := strings.Repeat("x", 300)
	for _, tc := range []struct {
		shape string
		event func(testing.TB, httpRequest) []byte
		id    string // set in the event when not ""
		want  any
	}{
		{"rest", restEvent, "", "deef4878-7910-11e6-8f14-25afc3e9ae33"},
		{"http", httpAPIEvent, "gw-http-1", "gw-http-1"},
		{"url", urlEvent, "gw-url-1", "gw-url-1"},
		{"alb", albEvent, "", nil},
		{"rest, an invented id", restEvent, long, long[:128] + "…"},
	} {
		t.Run(tc.shape, func(t *testing.T) {
			payload := tc.event(t, jsonPost(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
			if tc.id != "" {
				var ev map[string]any
				if err := json.Unmarshal(payload, &ev); err != nil {
					t.Fatal(err)
				}
				ev["requestContext"].(map[string]any)["requestId"] = tc.id
				payload = mustJSON(t, ev)
			}
			var buf bytes.Buffer
			h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) }),
				&lambdamcp.Options{Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
			ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req-gw"})
			if _, err := h.Invoke(ctx, payload); err != nil {
				t.Fatal(err)
			}
			var line map[string]any
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("log line: %v: %s", err, buf.Bytes())
			}
			if got := line["gateway_request_id"]; got != tc.want {
				t.Errorf("gateway_request_id = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestHeaderNotUTF8 checks that a response header that is not UTF-8, name
// or value, still yields a response in every shape, with the bad bytes
// replaced as encoding/json would replace them.
func TestHeaderNotUTF8(t *testing.T) {
	respond := func(w http.ResponseWriter) {
		w.Header()["X-Bad"] = []string{"a\xffb"}
		w.Header()["X-\xfe"] = []string{"c"}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}
	for _, shape := range shapes {
		t.Run(shape.name, func(t *testing.T) {
			var got seen
			resp := invoke(t, lambdamcp.NewHandler(recordingHandler(&got, respond), nil), shape.build(t, jsonPost(`{}`)))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d: %s", resp.StatusCode, resp.Body)
			}
			value := resp.Headers["X-Bad"]
			if v := resp.MultiValueHeaders["X-Bad"]; len(v) == 1 {
				value = v[0]
			}
			if value != "a\uFFFDb" {
				t.Errorf("X-Bad = %q, want %q", value, "a\uFFFDb")
			}
		})
	}
}

// TestRESTEmptyMultiValueHeaders checks that a REST API event whose
// multi-value header map is empty, not absent, is read from its
// single-value one.
func TestRESTEmptyMultiValueHeaders(t *testing.T) {
	var ev events.APIGatewayProxyRequest
	loadEvent(t, "apigw-request.json", &ev)
	ev.Headers = map[string]string{"X-Test": "single"}
	ev.MultiValueHeaders = map[string][]string{}
	var got seen
	invoke(t, lambdamcp.NewHandler(recordingHandler(&got, func(w http.ResponseWriter) {}), nil), mustJSON(t, ev))
	if v := got.Headers["X-Test"]; len(v) != 1 || v[0] != "single" {
		t.Errorf("X-Test = %q, want the single-value map's %q", v, "single")
	}
}
