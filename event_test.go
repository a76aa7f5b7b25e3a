package lambdamcp

import (
	stdjson "encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/internal/awsevents"
)

// sampleEvents returns AWS's sample request events by file name.
func sampleEvents(tb testing.TB) map[string][]byte {
	tb.Helper()
	out := make(map[string][]byte)
	for _, name := range awsevents.Requests {
		out[name] = awsevents.Sample(name)
	}
	return out
}

// TestParseEventMatchesDirectDecode checks that the one-pass decode yields
// what decoding each AWS sample as its shape alone yields.
func TestParseEventMatchesDirectDecode(t *testing.T) {
	want := map[string]Shape{
		"alb-lambda-target-request-headers-only.json":       ShapeALB,
		"alb-lambda-target-request-multivalue-headers.json": ShapeALB,
		"apigw-request.json":                                ShapeREST,
		"apigw-v2-request-iam.json":                         ShapeHTTP,
		"apigw-v2-request-jwt-authorizer.json":              ShapeHTTP,
		"apigw-v2-request-lambda-authorizer.json":           ShapeHTTP,
		"apigw-v2-request-no-authorizer.json":               ShapeHTTP,
		"lambda-urls-request.json":                          ShapeURL,
	}
	for name, payload := range sampleEvents(t) {
		t.Run(name, func(t *testing.T) {
			shape, got, _, err := parseEvent(payload)
			if err != nil {
				t.Fatal(err)
			}
			if shape != want[name] {
				t.Errorf("shape = %q, want %q", shape, want[name])
			}
			direct, err := decodeAs(payload, shape)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(direct, got); diff != "" {
				t.Errorf("one-pass decode differs from the direct one (-want +got):\n%s", diff)
			}
		})
	}
}

// TestShapeOfDomain checks that only a Function URL's own domain,
// <url-id>.lambda-url.<region>.<suffix> with the URL's id as apiId, makes a
// payload 2.0 event a Function URL's: an HTTP API's custom domain may hold
// "lambda-url" in a name of its own, even as a label of its own.
func TestShapeOfDomain(t *testing.T) {
	tests := []struct {
		name   string
		domain string
		apiID  string
		want   Shape
	}{
		{"url", "abc123.lambda-url.us-east-1.on.aws", "", ShapeURL},
		{"url with its id", "abc123.lambda-url.us-east-1.on.aws", "abc123", ShapeURL},
		{"url of a real id", "ug3qegb5zl4kdnzyluc7heyxgu0uthrt.lambda-url.eu-west-1.on.aws", "ug3qegb5zl4kdnzyluc7heyxgu0uthrt", ShapeURL},
		{"url in China", "abc123.lambda-url.cn-north-1.on.aws", "abc123", ShapeURL},
		{"url in GovCloud", "abc123.lambda-url.us-gov-west-1.on.aws", "abc123", ShapeURL},
		{"url in an ISO partition", "abc123.lambda-url.eu-isoe-west-1.on.aws", "abc123", ShapeURL},
		{"url in the sovereign cloud", "abc123.lambda-url.eusc-de-east-1.on.aws", "abc123", ShapeURL},
		{"url in upper case", "ABC123.LAMBDA-URL.US-EAST-1.ON.AWS", "abc123", ShapeURL},
		{"url with its id in upper case", "abc123.lambda-url.us-east-1.on.aws", "ABC123", ShapeURL},
		{"url with a placeholder id", "<url-id>.lambda-url.us-west-2.on.aws", "<urlid>", ShapeURL},
		{"url of another id", "abc123.lambda-url.us-east-1.on.aws", "def456", ShapeHTTP},
		{"http api", "abc123.execute-api.us-east-1.amazonaws.com", "abc123", ShapeHTTP},
		{"custom domain holding the word", "my-lambda-url.example.com", "abc123defg", ShapeHTTP},
		{"custom domain holding the label", "mcp.lambda-url.example.com", "abc123defg", ShapeHTTP},
		{"custom domain holding the label, no apiId", "api.lambda-url.mycorp.dev", "", ShapeHTTP},
		{"custom domain holding label and region", "mcp.lambda-url.us-east-1.example.com", "abc123defg", ShapeHTTP},
		// Every letter and digit is an id's, the first and last of each
		// range too: this apiId names another API than the domain.
		{"custom domain holding label and region, an id of z, Z, 0 and 9", "mcp.lambda-url.us-east-1.example.com", "zZ09", ShapeHTTP},
		{"label second to last", "mcp.lambda-url.com", "", ShapeHTTP},
		{"label deeper", "a.b.lambda-url.us-east-1.on.aws", "", ShapeHTTP},
		{"label first", "lambda-url.us-east-1.on.aws", "", ShapeHTTP},
		{"no first label", ".lambda-url.us-east-1.on.aws", "", ShapeHTTP},
		{"nothing after the region", "abc123.lambda-url.us-east-1", "abc123", ShapeHTTP},
		{"region of one word", "abc123.lambda-url.local-1.on.aws", "abc123", ShapeHTTP},
		{"region without a number", "abc123.lambda-url.us-east.on.aws", "abc123", ShapeHTTP},
		{"region ending in a letter", "abc123.lambda-url.us-east-1a.on.aws", "abc123", ShapeHTTP},
		{"region with an empty word", "abc123.lambda-url.us--1.on.aws", "abc123", ShapeHTTP},
		{"region without its number", "abc123.lambda-url.us-east-.on.aws", "abc123", ShapeHTTP},
		{"no domain", "", "", ShapeHTTP},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := shapeOf("2.0", "", false, true, tc.domain, tc.apiID)
			if err != nil || got != tc.want {
				t.Errorf("shapeOf(domain %q, apiId %q) = (%q, %v), want %q", tc.domain, tc.apiID, got, err, tc.want)
			}
			// Both decodes must tell the shape alike.
			payload := []byte(`{"version":"2.0","requestContext":{"http":{"method":"POST"},"domainName":` + strconv.Quote(tc.domain) + `,"apiId":` + strconv.Quote(tc.apiID) + `}}`)
			shape, _, _, err := parseEvent(payload)
			if err != nil || shape != tc.want {
				t.Errorf("parseEvent = (%q, %v), want %q", shape, err, tc.want)
			}
			if shape, _, err := probeShape(payload); err != nil || shape != tc.want {
				t.Errorf("probeShape = (%q, %v), want %q", shape, err, tc.want)
			}
		})
	}
}

// TestLambdaEventCoversEveryField checks that lambdaEvent and eventContext
// have a field for every JSON field of the four event types and their
// request contexts, so that an aws-lambda-go upgrade cannot silently drop one.
func TestLambdaEventCoversEveryField(t *testing.T) {
	have := jsonFields(reflect.TypeFor[lambdaEvent]())
	haveContext := jsonFields(reflect.TypeFor[eventContext]())
	for _, typ := range []reflect.Type{
		reflect.TypeFor[events.APIGatewayProxyRequest](),
		reflect.TypeFor[events.APIGatewayV2HTTPRequest](),
		reflect.TypeFor[events.LambdaFunctionURLRequest](),
		reflect.TypeFor[events.ALBTargetGroupRequest](),
	} {
		for name, f := range jsonFields(typ) {
			if _, ok := have[name]; !ok {
				t.Errorf("%v.%s (%q) has no field in lambdaEvent", typ, f.Name, name)
			}
			if name != "requestContext" {
				continue
			}
			for cname, cf := range jsonFields(f.Type) {
				if _, ok := haveContext[cname]; !ok {
					t.Errorf("%v.%s (%q) has no field in eventContext", f.Type, cf.Name, cname)
				}
			}
		}
	}
}

// TestHTTPAPIAuthorizerCoversEveryField does the same for the HTTP API
// authorizer description, decoded with sized maps.
func TestHTTPAPIAuthorizerCoversEveryField(t *testing.T) {
	covers := func(want, have reflect.Type) {
		t.Helper()
		h := jsonFields(have)
		for name, f := range jsonFields(want) {
			if _, ok := h[name]; !ok {
				t.Errorf("%v.%s (%q) has no field in %v", want, f.Name, name, have)
			}
		}
	}
	ours := reflect.TypeFor[httpAPIAuthorizerJSON]()
	covers(reflect.TypeFor[events.APIGatewayV2HTTPRequestContextAuthorizerDescription](), ours)
	jwt, _ := ours.FieldByName("JWT")
	covers(reflect.TypeFor[events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription](), jwt.Type.Elem())
}

func jsonFields(t reflect.Type) map[string]reflect.StructField {
	out := make(map[string]reflect.StructField)
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			name = f.Name
		}
		out[name] = f
	}
	return out
}

// TestParseEventFallback covers payloads that one shape accepts although a
// field it ignores does not fit the field of that name in another shape,
// and payloads of a known shape that do not decode as it.
func TestParseEventFallback(t *testing.T) {
	tests := []struct {
		name      string
		payload   string
		shape     Shape
		wantErr   string // "" for none
		isUnknown bool
	}{
		{
			name:    "REST event with cookies that are no list",
			payload: `{"httpMethod":"POST","path":"/mcp","cookies":"ignored","requestContext":{"stage":"dev"}}`,
			shape:   ShapeREST,
		},
		{
			name:    "ALB event with a raw path that is no string",
			payload: `{"httpMethod":"POST","path":"/mcp","rawPath":2,"requestContext":{"elb":{"targetGroupArn":"arn"}}}`,
			shape:   ShapeALB,
		},
		{
			// The fields that tell the shapes apart must have their types.
			name:      "REST event with a request context http field that is no object",
			payload:   `{"httpMethod":"POST","path":"/mcp","requestContext":{"stage":"dev","http":"x"}}`,
			isUnknown: true,
		},
		{
			name:    "REST event whose headers are no object",
			payload: `{"httpMethod":"POST","headers":5,"requestContext":{}}`,
			shape:   ShapeREST,
			wantErr: "decoding REST API event",
		},
		{
			name:    "HTTP API event whose authorizer is no object",
			payload: `{"version":"2.0","requestContext":{"http":{"method":"POST"},"authorizer":7}}`,
			shape:   ShapeHTTP,
			wantErr: "decoding HTTP API event",
		},
		{
			name:      "no request context",
			payload:   `{"httpMethod":"POST"}`,
			isUnknown: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			shape, ev, _, err := parseEvent([]byte(tc.payload))
			if got := errors.Is(err, ErrUnknownEvent); got != tc.isUnknown {
				t.Fatalf("error %v: ErrUnknownEvent = %v, want %v", err, got, tc.isUnknown)
			}
			if tc.isUnknown {
				return
			}
			if shape != tc.shape {
				t.Errorf("shape = %q, want %q", shape, tc.shape)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			direct, err := decodeAs([]byte(tc.payload), shape)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(direct, ev); diff != "" {
				t.Errorf("event (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseEventHTTPAPIv1 checks that an HTTP API's payload format 1.0
// event, a REST one with "version": "1.0", is told from a REST API's, in
// the one-pass decode and in the fallback alike.
func TestParseEventHTTPAPIv1(t *testing.T) {
	var rest map[string]any
	if err := stdjson.Unmarshal(awsevents.Sample("apigw-request.json"), &rest); err != nil {
		t.Fatal(err)
	}
	v1 := make(map[string]any, len(rest)+1)
	for k, v := range rest {
		v1[k] = v
	}
	v1["version"] = "1.0"
	// A field REST events ignore, of a type another shape's field of that
	// name refuses, sends the decode to the fallback.
	fallback := make(map[string]any, len(v1)+1)
	for k, v := range v1 {
		fallback[k] = v
	}
	fallback["cookies"] = "ignored"
	for _, tc := range []struct {
		name  string
		event map[string]any
		want  bool
	}{
		{"REST API", rest, false},
		{"HTTP API payload 1.0", v1, true},
		{"HTTP API payload 1.0, fallback", fallback, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			payload, err := stdjson.Marshal(tc.event)
			if err != nil {
				t.Fatal(err)
			}
			shape, _, httpAPIv1, err := parseEvent(payload)
			if err != nil {
				t.Fatal(err)
			}
			if shape != ShapeREST || httpAPIv1 != tc.want {
				t.Errorf("shape %q, HTTP API payload 1.0 %v; want %q, %v", shape, httpAPIv1, ShapeREST, tc.want)
			}
		})
	}
}

// nullBetweenRepeats are events whose request context, or its http or elb
// member, is given twice with a null in between. aws-lambda-go's types hold
// them as struct values, which encoding/json leaves as they are on a null,
// so the occurrences on either side of it are merged.
var nullBetweenRepeats = []string{
	`{"httpMethod":"POST","requestContext":{"stage":"dev"},"requestContext":null,"requestContext":{"apiId":"a"}}`,
	`{"httpMethod":"POST","requestContext":{"stage":"dev"},"requestContext":null}`,
	`{"version":"2.0","requestContext":{"http":{"method":"POST"},"http":null,"http":{"path":"/mcp"}}}`,
	`{"version":"2.0","requestContext":{"http":{"method":"POST"},"http":null}}`,
	`{"version":"2.0","requestContext":{"domainName":"x.lambda-url.us-east-1.on.aws","http":{"method":"POST"},"http":null,"http":{"path":"/mcp"}}}`,
	`{"httpMethod":"POST","requestContext":{"elb":{"targetGroupArn":"arn"},"elb":null,"elb":{}}}`,
	`{"httpMethod":"POST","requestContext":{"elb":{"targetGroupArn":"arn"},"elb":null}}`,
	`{"httpMethod":"POST","requestContext":{"elb":{"targetGroupArn":"arn"}},"requestContext":null,"requestContext":{"elb":null}}`,
}

// TestParseEventNullBetweenRepeats checks that those events decode as
// encoding/json decodes them.
func TestParseEventNullBetweenRepeats(t *testing.T) {
	for _, payload := range nullBetweenRepeats {
		t.Run(payload, func(t *testing.T) {
			shape, ev, _, err := parseEvent([]byte(payload))
			if err != nil {
				t.Fatal(err)
			}
			if probed, _, err := probeShape([]byte(payload)); err != nil || probed != shape {
				t.Errorf("probeShape = %q, %v; the one-pass decode says %q", probed, err, shape)
			}
			std := stdDecode(shape, []byte(payload))
			if std == nil {
				t.Fatalf("encoding/json refuses this %s event", shape)
			}
			if diff := cmp.Diff(std, ev); diff != "" {
				t.Errorf("decode differs from encoding/json's (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzParseEvent checks that any payload the one-pass decode accepts is
// decoded as decoding it as its shape alone would, and that none panics.
func FuzzParseEvent(f *testing.F) {
	for _, payload := range sampleEvents(f) {
		f.Add(payload)
	}
	f.Add([]byte(`{"httpMethod":"GET","requestContext":{"authorizer":null}}`))
	for _, payload := range nullBetweenRepeats {
		f.Add([]byte(payload))
	}
	// HTTP API payload 1.0: a REST event with a version, however spelt.
	f.Add([]byte(`{"version":"1.0","httpMethod":"POST","requestContext":{}}`))
	f.Add([]byte(`{"Version":"1.0","httpMethod":"POST","version":null,"requestContext":{}}`))
	f.Add([]byte(`{"version":"1.0","httpMethod":"POST","cookies":"ignored","requestContext":{}}`))
	// Where encoding/json/v2's own defaults read differently from
	// encoding/json: delimiters in case-insensitive names, merging a
	// repeated name, null over a value.
	f.Add([]byte(`{"httpMethod":"POST","is_base64_encoded":true,"body":"e30=","requestContext":{}}`))
	f.Add([]byte(`{"httpMethod":"POST","http_method":"GET","requestContext":{}}`))
	f.Add([]byte(`{"httpMethod":"POST","requestContext":{"authorizer":{"a":{"x":1},"a":{"y":2}}}}`))
	f.Add([]byte(`{"httpMethod":"POST","httpMethod":null,"requestContext":{}}`))
	f.Add([]byte(`{"version":"2.0","headers":{"a":"1"},"headers":{"b":"2"},"requestContext":{"http":{"method":"POST"}}}`))
	// A repeated authorizer, or request context, is merged, not replaced;
	// a null in between resets it.
	f.Add([]byte(`{"httpMethod":"POST","requestContext":{"authorizer":{"a":1}},"requestContext":{"authorizer":{"b":1}}}`))
	f.Add([]byte(`{"httpMethod":"POST","requestContext":{"authorizer":{"a":1},"Authorizer":{"b":1}}}`))
	f.Add([]byte(`{"httpMethod":"POST","requestContext":{"authorizer":{"a":1},"authorizer":null,"authorizer":{"b":1}}}`))
	f.Add([]byte(`{"httpMethod":"POST","requestContext":{"authorizer":{"a":1},"authorizer":null}}`))
	f.Add([]byte(`{"version":"2.0","requestContext":{"http":{"method":"POST"},"authorizer":{"jwt":{"claims":{"a":"1"}}},"authorizer":{"jwt":{"scopes":["s"]}}}}`))
	f.Add([]byte(`{"version":"2.0","requestContext":{"http":{"method":"POST"},"domainName":"x.lambda-url.us-east-1.on.aws","authorizer":{"iam":{"accessKey":"k"}},"authorizer":{"iam":{"accountId":"1"}}}}`))
	// An HTTP API behind a custom domain whose name has a Function URL's
	// labels; a URL's domain in upper case and its id as apiId.
	f.Add([]byte(`{"version":"2.0","requestContext":{"http":{"method":"POST"},"apiId":"abc123defg","domainName":"mcp.lambda-url.us-east-1.example.com","authorizer":{"jwt":{"claims":{"sub":"u"}}}}}`))
	f.Add([]byte(`{"version":"2.0","requestContext":{"http":{"method":"POST"},"apiId":"abc123","apiId":null,"domainName":"ABC123.LAMBDA-URL.US-EAST-1.ON.AWS"}}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		shape, ev, httpAPIv1, err := parseEvent(payload)
		if err != nil {
			// What aws-lambda-go's runtime (encoding/json) decodes as a
			// shape, lambdamcp must decode too.
			if shape, _, serr := probeShape(payload); serr == nil {
				if std := stdDecode(shape, payload); std != nil {
					t.Fatalf("encoding/json decodes this %s event, lambdamcp refuses it: %v", shape, err)
				}
			}
			return
		}
		direct, err := decodeAs(payload, shape)
		if err != nil {
			t.Fatalf("parseEvent accepted a %s event that does not decode as one: %v", shape, err)
		}
		if diff := cmp.Diff(direct, ev); diff != "" {
			t.Errorf("one-pass decode differs from the direct one (-want +got):\n%s", diff)
		}
		std := stdDecode(shape, payload)
		if std == nil {
			t.Fatalf("lambdamcp decodes a %s event that encoding/json refuses", shape)
		}
		if diff := cmp.Diff(std, ev); diff != "" {
			t.Errorf("decode differs from encoding/json's (-want +got):\n%s", diff)
		}
		var v struct{ Version string }
		if err := stdjson.Unmarshal(payload, &v); err == nil && httpAPIv1 != (shape == ShapeREST && v.Version == "1.0") {
			t.Errorf("HTTP API payload 1.0 = %v for a %s event of version %q", httpAPIv1, shape, v.Version)
		}
	})
}

// stdDecode decodes payload as shape with encoding/json, as aws-lambda-go's
// runtime would; nil if it does not decode.
func stdDecode(shape Shape, payload []byte) any {
	var ev any
	switch shape {
	case ShapeREST:
		ev = new(events.APIGatewayProxyRequest)
	case ShapeHTTP:
		ev = new(events.APIGatewayV2HTTPRequest)
	case ShapeURL:
		ev = new(events.LambdaFunctionURLRequest)
	case ShapeALB:
		ev = new(events.ALBTargetGroupRequest)
	default:
		return nil
	}
	if stdjson.Unmarshal(payload, ev) != nil {
		return nil
	}
	return ev
}

// BenchmarkParseEvent compares the one-pass decode with telling the shape
// first and decoding as it second, and with encoding/json decoding the
// event as its shape (as aws-lambda-go's runtime would), on AWS's samples.
func BenchmarkParseEvent(b *testing.B) {
	for name, payload := range sampleEvents(b) {
		b.Run(strings.TrimSuffix(name, ".json")+"/encoding-json", func(b *testing.B) {
			shape, _, err := probeShape(payload)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if stdDecode(shape, payload) == nil {
					b.Fatal("encoding/json refused the sample")
				}
			}
		})
		b.Run(strings.TrimSuffix(name, ".json")+"/one-pass", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, _, err := parseEvent(payload); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(strings.TrimSuffix(name, ".json")+"/probe-then-decode", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				shape, _, err := probeShape(payload)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := decodeAs(payload, shape); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestParseEventNullMembers checks that a member whose value is null is
// taken for absent when telling the shapes apart: a REST event with
// "elb": null in its requestContext is still a REST event, and an event
// whose requestContext is null is none at all.
func TestParseEventNullMembers(t *testing.T) {
	rest := `{"resource":"/mcp","path":"/mcp","httpMethod":"POST","headers":{},"requestContext":{"elb":null,"stage":"dev","requestId":"r"},"body":"{}"}`
	if shape, _, _, err := parseEvent([]byte(rest)); err != nil || shape != ShapeREST {
		t.Errorf(`REST event with "elb": null: %q, %v; want %q`, shape, err, ShapeREST)
	}
	if _, _, _, err := parseEvent([]byte(`{"httpMethod":"POST","requestContext":null}`)); !errors.Is(err, ErrUnknownEvent) {
		t.Errorf("requestContext null: %v, want ErrUnknownEvent", err)
	}
}
