package localfront

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/google/go-cmp/cmp"
)

// testAuthorizer follows cmd/authorizer's contract: no valid token fails with
// "Unauthorized", a token without the scope gets a Deny policy, a good one an
// Allow policy with context. It also answers the HTTP API simple format.
func testAuthorizer(seen *[]string) Function {
	return NewInProcess(lambda.NewHandler(func(ev json.RawMessage) (any, error) {
		var in struct {
			Type               string            `json:"type"`
			AuthorizationToken string            `json:"authorizationToken"`
			MethodArn          string            `json:"methodArn"`
			RouteArn           string            `json:"routeArn"`
			IdentitySource     []string          `json:"identitySource"`
			Version            string            `json:"version"`
			Headers            map[string]string `json:"headers"`
			Path               string            `json:"path"`
		}
		if err := json.Unmarshal(ev, &in); err != nil {
			return nil, err
		}
		token, arn := in.AuthorizationToken, in.MethodArn
		switch {
		case in.Type == "REQUEST" && in.Version == "2.0":
			token, arn = in.IdentitySource[0], in.RouteArn
		case in.Type == "REQUEST":
			token = in.Headers["Authorization"]
			arn += " " + in.Path
		}
		*seen = append(*seen, in.Type+" "+arn)
		policy := func(effect, resource string) events.APIGatewayCustomAuthorizerResponse {
			return events.APIGatewayCustomAuthorizerResponse{
				PrincipalID: "u1",
				PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: []events.IAMPolicyStatement{
					{Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: []string{resource}},
				}},
				Context: map[string]any{"sub": "u1", "scope": "mcp", "n": 3, "b": true},
			}
		}
		switch token {
		case "Bearer good":
			return policy("Allow", "arn:aws:execute-api:*:*:*/*/*"), nil
		case "Bearer noscope":
			return policy("Deny", arn), nil
		case "Bearer exact":
			return policy("Allow", arn), nil // this method and path only
		case "Bearer nested":
			p := policy("Allow", arn)
			p.Context = map[string]any{"claims": map[string]any{"sub": "u1"}} // REST passes on no object
			return p, nil
		case "Bearer lowercase":
			return policy("allow", "arn:aws:execute-api:*:*:*/*/*"), nil
		case "Bearer lowercase-deny":
			p := policy("Allow", "arn:aws:execute-api:*:*:*/*/*")
			p.PolicyDocument.Statement = append(p.PolicyDocument.Statement, events.IAMPolicyStatement{
				Action: []string{"execute-api:Invoke"}, Effect: "deny", Resource: []string{"arn:aws:execute-api:*:*:other/*"}})
			return p, nil
		case "Bearer elsewhere":
			return policy("Allow", "arn:aws:execute-api:us-east-1:123456789012:other/*"), nil
		case "Bearer simple-yes":
			return map[string]any{"isAuthorized": true, "context": map[string]any{"sub": "u2", "n": 3}}, nil
		case "Bearer simple-no":
			return map[string]any{"isAuthorized": false}, nil
		case "Bearer boom":
			return nil, errors.New("database down")
		}
		return nil, errors.New("Unauthorized")
	}), nil)
}

func TestAuthorizer(t *testing.T) {
	tests := []struct {
		shape      Shape
		token      string
		wantStatus int
		wantBody   string
		wantAuth   map[string]any // the authorizer context the function sees
	}{
		{ShapeREST, "", 401, `{"message":"Unauthorized"}`, nil},
		{ShapeREST, "Bearer bad", 401, `{"message":"Unauthorized"}`, nil},
		{ShapeREST, "Bearer noscope", 403, `{"message":"User is not authorized to access this resource with an explicit deny"}`, nil},
		{ShapeREST, "Bearer elsewhere", 403, `{"message":"User is not authorized to access this resource"}`, nil},
		{ShapeREST, "Bearer boom", 500, `{"message":null}`, nil},
		{ShapeREST, "Bearer good", 200, "", map[string]any{"principalId": "u1", "sub": "u1", "scope": "mcp", "n": "3", "b": "true"}},
		// IAM reads an Effect in its letter case alone: "allow" is no
		// Allow, and a policy holding it, even in a statement about
		// another API, is malformed.
		{ShapeREST, "Bearer lowercase", 500, `{"message":null}`, nil},
		{ShapeREST, "Bearer lowercase-deny", 500, `{"message":null}`, nil},
		// A REST API reads a policy, not an HTTP API's simple response:
		// isAuthorized, true or false, is no Allow.
		{ShapeREST, "Bearer simple-yes", 403, `{"message":"User is not authorized to access this resource"}`, nil},
		{ShapeREST, "Bearer simple-no", 403, `{"message":"User is not authorized to access this resource"}`, nil},
		{ShapeHTTP, "", 401, `{"message":"Unauthorized"}`, nil},
		{ShapeHTTP, "Bearer bad", 401, `{"message":"Unauthorized"}`, nil},
		{ShapeHTTP, "Bearer noscope", 403, `{"message":"User is not authorized to access this resource with an explicit deny"}`, nil},
		{ShapeHTTP, "Bearer simple-no", 403, `{"message":"Forbidden"}`, nil},
		{ShapeHTTP, "Bearer boom", 500, `{"message":"Internal Server Error"}`, nil},
		{ShapeHTTP, "Bearer lowercase", 500, `{"message":"Internal Server Error"}`, nil},
		{ShapeHTTP, "Bearer good", 200, "", map[string]any{"sub": "u1", "scope": "mcp", "n": 3.0, "b": true}},
		{ShapeHTTP, "Bearer simple-yes", 200, "", map[string]any{"sub": "u2", "n": 3.0}},
	}
	for _, tc := range tests {
		t.Run(string(tc.shape)+" "+tc.token, func(t *testing.T) {
			var seen []string
			f := startFront(t, Config{Shape: tc.shape, Function: echoFunction(), Authorizer: testAuthorizer(&seen)})
			s := sent{method: http.MethodPost, url: f.URL() + "/mcp", body: `{}`}
			if tc.token != "" {
				s.header = http.Header{"Authorization": {tc.token}}
			}
			resp, body := do(t, s)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tc.wantStatus)
			}
			if tc.token == "" && len(seen) != 0 {
				t.Errorf("authorizer called without an identity source: %v", seen)
			}
			if tc.wantStatus != 200 {
				if got := strings.TrimSpace(string(body)); got != tc.wantBody {
					t.Errorf("body = %s, want %s", got, tc.wantBody)
				}
				return
			}
			got, _ := echoedAuthorizer(t, tc.shape, body)
			if diff := cmp.Diff(tc.wantAuth, got); diff != "" {
				t.Errorf("authorizer context (-want +got):\n%s", diff)
			}
			wantArn := map[Shape]string{
				ShapeREST: "TOKEN arn:aws:execute-api:us-east-1:123456789012:local0api1/dev/POST/mcp",
				ShapeHTTP: "REQUEST arn:aws:execute-api:us-east-1:123456789012:local0api1/$default/POST/mcp",
			}[tc.shape]
			if diff := cmp.Diff([]string{wantArn}, seen); diff != "" {
				t.Errorf("authorizer calls (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAuthorizerContextNumbers checks the numbers of an authorizer's
// context as the function gets them: REST stringifies each value ("the
// stringified value", $context.authorizer.key), an integer with every
// digit as written, one past 2^53 too, where a float64 would round it into
// another id, and any other number in decimal; an HTTP API passes the
// context on as the authorizer wrote it.
func TestAuthorizerContextNumbers(t *testing.T) {
	const contextJSON = `{"int": 3, "big": 1234567890123456789, "huge": 123456789012345678901234567890,
		"negative": -42, "zero": 0, "fraction": 1.5, "exponent": 1.5e3, "small": 1E-7, "million": 1000000,
		"yes": true, "no": false, "text": "x"}`
	policy := `{"principalId": "u1", "policyDocument": {"Version": "2012-10-17", "Statement": [
		{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}]}, "context": ` + contextJSON + `}`
	t.Run("rest", func(t *testing.T) {
		f := startFront(t, Config{Shape: ShapeREST, Function: echoFunction(), Authorizer: respondWith(policy)})
		resp, body := do(t, sent{method: http.MethodPost, url: f.URL() + "/mcp", body: `{}`, header: http.Header{"Authorization": {"Bearer t"}}})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d (%s), want 200", resp.StatusCode, body)
		}
		got, _ := echoedAuthorizer(t, ShapeREST, body)
		want := map[string]any{"principalId": "u1", "int": "3", "big": "1234567890123456789", "huge": "123456789012345678901234567890",
			"negative": "-42", "zero": "0", "fraction": "1.5", "exponent": "1500", "small": "0.0000001", "million": "1000000",
			"yes": "true", "no": "false", "text": "x"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("authorizer context (-want +got):\n%s", diff)
		}
	})
	t.Run("http", func(t *testing.T) {
		f := startFront(t, Config{Shape: ShapeHTTP, Function: echoFunction(), Authorizer: respondWith(policy)})
		resp, body := do(t, sent{method: http.MethodPost, url: f.URL() + "/mcp", body: `{}`, header: http.Header{"Authorization": {"Bearer t"}}})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d (%s), want 200", resp.StatusCode, body)
		}
		var ev struct {
			RequestContext struct {
				Authorizer struct {
					Lambda map[string]json.RawMessage `json:"lambda"`
				} `json:"authorizer"`
			} `json:"requestContext"`
		}
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for k, v := range ev.RequestContext.Authorizer.Lambda {
			got[k] = string(v)
		}
		want := map[string]string{"int": "3", "big": "1234567890123456789", "huge": "123456789012345678901234567890",
			"negative": "-42", "zero": "0", "fraction": "1.5", "exponent": "1.5e3", "small": "1E-7", "million": "1000000",
			"yes": "true", "no": "false", "text": `"x"`}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("authorizer context as the event carries it (-want +got):\n%s", diff)
		}
	})
}

// TestRESTAuthorizerContextRefused checks the context values REST cannot
// stringify: an object, an array, null, and a number past float64's
// range, which the decoder keeps as written. Any of them makes the
// answer malformed, a 500, and the function does not run.
func TestRESTAuthorizerContextRefused(t *testing.T) {
	for _, value := range []string{`{"b":1}`, `[1]`, `null`, `1e400`, `-1e400`} {
		t.Run(value, func(t *testing.T) {
			policy := `{"principalId": "u1", "policyDocument": {"Version": "2012-10-17", "Statement": [
				{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}]}, "context": {"a": ` + value + `}}`
			f := startFront(t, Config{Shape: ShapeREST, Function: echoFunction(), Authorizer: respondWith(policy)})
			resp, body := do(t, sent{method: http.MethodPost, url: f.URL() + "/mcp", body: `{}`, header: http.Header{"Authorization": {"Bearer t"}}})
			if resp.StatusCode != http.StatusInternalServerError || strings.TrimSpace(string(body)) != `{"message":null}` {
				t.Errorf("status %d (%s), want 500 {\"message\":null}", resp.StatusCode, body)
			}
		})
	}
}

// TestDecodeAuthorizerResponse checks that an authorizer's answer is read
// as json.Unmarshal reads it, numbers aside: one JSON object, white space
// around it and nothing else.
func TestDecodeAuthorizerResponse(t *testing.T) {
	for payload, ok := range map[string]bool{
		`{"isAuthorized":true}`: true, " {\"isAuthorized\":true}\n": true,
		`{"isAuthorized":true}x`: false, `{}{}`: false, `{}]`: false, `[]`: false, ``: false,
	} {
		var ar authorizerResponse
		err := decodeAuthorizerResponse([]byte(payload), &ar)
		if (err == nil) != ok || (json.Unmarshal([]byte(payload), new(map[string]any)) == nil) != ok {
			t.Errorf("decodeAuthorizerResponse(%q) = %v, want ok %v as json.Unmarshal has it", payload, err, ok)
		}
	}
}

// FuzzDecodeAuthorizerResponse feeds arbitrary authorizer output to the
// decoder: it accepts what json.Unmarshal accepts, numbers aside (a context
// number past float64's range is kept as written, not refused), reads the
// same fields, keeps each context value as the authorizer wrote it, and
// what it accepts the gateway decides on without a panic, a REST context
// all strings.
func FuzzDecodeAuthorizerResponse(f *testing.F) {
	for _, seed := range []string{
		`{"principalId":"u1","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]},"context":{"n":3,"big":1234567890123456789,"f":1.5e3,"b":true,"s":"x"}}`,
		`{"isAuthorized":true,"context":{"n":-0,"huge":1e400,"deep":{"a":[1,2.5,null]},"null":null}}`,
		`{"policyDocument":{"Statement":[{"Action":["execute-api:*"],"Effect":"allow","Resource":["arn:*"]}]}}`,
		`{"isAuthorized":"yes"}`, `{"context":[]}`, `{"principalId":5}`, `{}{}`, `{} x`, ` {}` + "\n", `null`, `[]`, ``,
	} {
		f.Add([]byte(seed))
	}
	rest, err := New(Config{Shape: ShapeREST, Function: echoFunction()})
	if err != nil {
		f.Fatal(err)
	}
	httpAPI, err := New(Config{Shape: ShapeHTTP, Function: echoFunction()})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, out []byte) {
		var ar authorizerResponse
		err := decodeAuthorizerResponse(out, &ar)
		// The same response with its context values left undecoded:
		// json.Unmarshal's verdict on all but the numbers.
		var want struct {
			PrincipalID    string                     `json:"principalId"`
			PolicyDocument policyDocument             `json:"policyDocument"`
			Context        map[string]json.RawMessage `json:"context"`
			IsAuthorized   *bool                      `json:"isAuthorized"`
		}
		wantErr := json.Unmarshal(out, &want)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("decodeAuthorizerResponse(%q): %v, json.Unmarshal: %v", out, err, wantErr)
		}
		if err != nil {
			return
		}
		if ar.PrincipalID != want.PrincipalID || !cmp.Equal(ar.IsAuthorized, want.IsAuthorized) {
			t.Errorf("principalId %q, isAuthorized %v; json.Unmarshal reads %q, %v", ar.PrincipalID, ar.IsAuthorized, want.PrincipalID, want.IsAuthorized)
		}
		if diff := cmp.Diff(want.PolicyDocument, ar.PolicyDocument); diff != "" {
			t.Errorf("policy document (-json.Unmarshal +decoded):\n%s", diff)
		}
		if len(ar.Context) != len(want.Context) || (ar.Context == nil) != (want.Context == nil) {
			t.Fatalf("context %v, json.Unmarshal reads %q", ar.Context, want.Context)
		}
		for k, raw := range want.Context {
			dec := json.NewDecoder(strings.NewReader(string(raw)))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("context value %q: %v", raw, err)
			}
			if !cmp.Equal(v, ar.Context[k]) {
				t.Errorf("context value of %q: %#v, written %s", k, ar.Context[k], raw)
			}
		}
		const arn = "arn:aws:execute-api:us-east-1:123456789012:api/stage/POST/mcp"
		if authCtx, refused := rest.authorized(ar, arn, 0, errRESTAuthorizerFail); refused == nil {
			for k, v := range authCtx {
				if _, ok := v.(string); !ok && k != "integrationLatency" {
					t.Errorf("rest context value of %q: %#v, not a string", k, v)
				}
			}
		}
		httpAPI.authorized(ar, arn, 0, errHTTPAuthorizerFail)
	})
}

// TestHTTPAuthorizerEvent checks the payload 2.0 event an HTTP API's
// Lambda authorizer gets: the request's cookies in cookies and not as a
// cookie header, as in the function's event, beside its other headers,
// the raw path and query, the route and the identity source.
func TestHTTPAuthorizerEvent(t *testing.T) {
	var auth counter
	allow := auth.wrap(func(context.Context, []byte) ([]byte, error) { return []byte(`{"isAuthorized":true}`), nil })
	f := startFront(t, Config{Shape: ShapeHTTP, Function: echoFunction(), Authorizer: allow})
	s := sample
	s.url = f.URL() + "/mcp?a=1&a=2"
	s.header = sample.header.Clone()
	s.header.Set("Authorization", "Bearer good")
	if resp, body := do(t, s); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d (%s), want 200", resp.StatusCode, body)
	}
	_, payload := auth.state()
	var ev events.APIGatewayV2CustomAuthorizerV2Request
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	got := events.APIGatewayV2CustomAuthorizerV2Request{
		Version: ev.Version, Type: ev.Type, RouteArn: ev.RouteArn, IdentitySource: ev.IdentitySource,
		RouteKey: ev.RouteKey, RawPath: ev.RawPath, RawQueryString: ev.RawQueryString, Cookies: ev.Cookies,
		Headers: map[string]string{"x-test": ev.Headers["x-test"], "cookie": ev.Headers["cookie"]},
	}
	want := events.APIGatewayV2CustomAuthorizerV2Request{
		Version: "2.0", Type: "REQUEST", RouteArn: "arn:aws:execute-api:us-east-1:123456789012:local0api1/$default/POST/mcp",
		IdentitySource: []string{"Bearer good"}, RouteKey: "$default", RawPath: "/mcp", RawQueryString: "a=1&a=2",
		Cookies: []string{"c1=v1", "c2=v2"}, Headers: map[string]string{"x-test": "one,two", "cookie": ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("authorizer event (-want +got):\n%s", diff)
	}
}

func TestRESTRequestAuthorizer(t *testing.T) {
	var seen []string
	f := startFront(t, Config{Shape: ShapeREST, Function: echoFunction(), Authorizer: testAuthorizer(&seen), AuthorizerType: "request"})
	checkTokens(t, f, []tokenStatus{{"", 401}, {"Bearer bad", 401}, {"Bearer noscope", 403}, {"Bearer good", 200}})
	want := "REQUEST arn:aws:execute-api:us-east-1:123456789012:local0api1/dev/GET/mcp /mcp"
	if len(seen) != 3 || seen[0] != want {
		t.Errorf("authorizer calls = %v, want 3 like %q", seen, want)
	}
}

func TestPolicyDecide(t *testing.T) {
	arn := "arn:aws:execute-api:us-east-1:123456789012:api/dev/POST/mcp"
	tests := []struct {
		name   string
		policy string
		want   effect
	}{
		{"allow exact, string fields", `{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"` + arn + `"}]}`, effectAllow},
		{"allow wildcard across slashes", `{"Statement":[{"Effect":"Allow","Action":["execute-api:*"],"Resource":["arn:aws:execute-api:*:*:api/*"]}]}`, effectAllow},
		{"deny wins", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"execute-api:invoke","Resource":"*"}]}`, effectDeny},
		{"deny wins before an allow", `{"Statement":[{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"}]}`, effectDeny},
		{"other resource", `{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:api/dev/GET/*"}]}`, effectNone},
		{"other action", `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, effectNone},
		// [ is no character class in IAM: it matches itself alone.
		{"brackets are literal", `{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:api/dev/POST/[m]cp"}]}`, effectNone},
		// Nor is \ an escape: it matches a backslash alone.
		{"backslashes are literal", `{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:api/dev/POST/\\mcp"}]}`, effectNone},
		{"empty", `{}`, effectNone},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d policyDocument
			if err := json.Unmarshal([]byte(tc.policy), &d); err != nil {
				t.Fatal(err)
			}
			if got := d.decide(arn); got != tc.want {
				t.Errorf("decide = %v, want %v", got, tc.want)
			}
		})
	}
}

// tokenStatus is a bearer token ("" for none) and the status the front
// answers a GET /mcp carrying it with.
type tokenStatus struct {
	token string
	want  int
}

// checkTokens sends a GET /mcp with each token, in order, and checks the
// status.
func checkTokens(t *testing.T, f *Front, cases []tokenStatus) {
	t.Helper()
	for _, tc := range cases {
		s := sent{method: http.MethodGet, url: f.URL() + "/mcp"}
		if tc.token != "" {
			s.header = http.Header{"Authorization": {tc.token}}
		}
		if resp, body := do(t, s); resp.StatusCode != tc.want {
			t.Errorf("token %q: %d %s, want %d", tc.token, resp.StatusCode, body, tc.want)
		}
	}
}

// echoedAuthorizer reads, from the event echoFunction answers with, the
// authorizer's context as the function gets it on shape: REST's beside
// the gateway's own integrationLatency, which it returns apart (nil if
// absent), and the HTTP API's under "lambda".
func echoedAuthorizer(t *testing.T, shape Shape, body []byte) (authCtx map[string]any, latency any) {
	t.Helper()
	var ev struct {
		RequestContext struct {
			Authorizer map[string]any `json:"authorizer"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	got := ev.RequestContext.Authorizer
	if shape == ShapeHTTP {
		got, _ = got["lambda"].(map[string]any)
		return got, nil
	}
	latency = got["integrationLatency"]
	delete(got, "integrationLatency")
	return got, latency
}
