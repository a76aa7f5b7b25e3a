package localfront

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/google/go-cmp/cmp"
)

// refusal is a gateway's refusal as a client sees it.
type refusal struct {
	Status  int
	Headers map[string]string // of refusalHeaders, those present
	Body    string            // trimmed; the function's request id as {id}
}

// refusalHeaders are the headers a Gateway Response may set or keep.
var refusalHeaders = []string{"Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "WWW-Authenticate", "x-amzn-ErrorType", "Content-Type"}

var requestIDField = regexp.MustCompile(`"requestId":"[^"]*"`)

// refused is the refusal rec holds.
func refused(rec *httptest.ResponseRecorder) refusal {
	got := refusal{Status: rec.Code, Headers: map[string]string{}}
	for _, h := range refusalHeaders {
		if v := rec.Header().Get(h); v != "" {
			got.Headers[h] = v
		}
	}
	got.Body = requestIDField.ReplaceAllString(strings.TrimSpace(rec.Body.String()), `"requestId":"{id}"`)
	return got
}

// zeros gives bodies of n zero bytes.
func zeros(n int) func() io.Reader {
	return func() io.Reader { return bytes.NewReader(make([]byte, n)) }
}

// gzippedZeros gives gzip bodies of n zero bytes.
func gzippedZeros(n int) func() io.Reader {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(make([]byte, n))
	zw.Close()
	return func() io.Reader { return bytes.NewReader(buf.Bytes()) }
}

// failingReader fails as a client that breaks off its body.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// TestRefusalsLikeDeploy checks each refusal the rest front gives itself,
// as API Gateway's default and as the deploy stack's Gateway Response for
// its type (DEFAULT_4XX or DEFAULT_5XX for those without one of their own).
func TestRefusalsLikeDeploy(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	failing := NewInProcess(lambda.NewHandler(func() error { return errors.New("no luck") }), nil)
	slow := NewInProcess(lambda.NewHandler(func() error { <-release; return nil }), nil)
	json := map[string]string{"Content-Type": "application/json"}
	cors := func(more map[string]string) map[string]string {
		h := map[string]string{"Content-Type": "application/json",
			"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Expose-Headers": "WWW-Authenticate"}
		for k, v := range more {
			h[k] = v
		}
		return h
	}
	const metadata = `resource_metadata="http://example.com/dev/.well-known/oauth-protected-resource/mcp", scope="mcp:tools"`
	good := map[string]string{"Authorization": "Bearer good"}
	tests := []struct {
		name     string
		cfg      Config // Shape, Authorizer and Deploy are set
		method   string
		path     string
		target   string           // the request target when it is no path; "": the path
		body     func() io.Reader // a fresh one for each request; nil: none
		header   map[string]string
		foreign  bool // the request reaches the loopback front by another name
		off      refusal
		deployed refusal
	}{
		{name: "body too large", method: "POST", path: "/dev/mcp", body: zeros(maxRequestBody + 1),
			off:      refusal{413, json, `{"message":"Request Too Long"}`},
			deployed: refusal{413, cors(nil), `{"error":"request_too_large","message":"Request Too Long"}`}},
		{name: "body read error", method: "POST", path: "/dev/mcp", body: func() io.Reader { return failingReader{} },
			off:      refusal{400, json, `{"message":"reading the request body: connection reset"}`},
			deployed: refusal{400, cors(nil), `{"error":"bad_request","message":"reading the request body: connection reset"}`}},
		// The gateway decompresses a body before the authorizer runs.
		{name: "undecodable body", method: "POST", path: "/dev/mcp", body: func() io.Reader { return strings.NewReader("{}") }, header: map[string]string{"Content-Encoding": "br"},
			off:      refusal{415, json, `{"message":"Unsupported Media Type"}`},
			deployed: refusal{415, cors(nil), `{"error":"bad_request","message":"Unsupported Media Type"}`}},
		{name: "body that decodes too large", method: "POST", path: "/dev/mcp", body: gzippedZeros(maxRequestBody + 1), header: map[string]string{"Content-Encoding": "gzip"},
			off:      refusal{413, json, `{"message":"Request Too Long"}`},
			deployed: refusal{413, cors(nil), `{"error":"request_too_large","message":"Request Too Long"}`}},
		{name: "target that is no path", method: "OPTIONS", target: "*",
			off:      refusal{400, json, `{"message":"Bad Request: the request target is not a path"}`},
			deployed: refusal{400, cors(nil), `{"error":"bad_request","message":"Bad Request: the request target is not a path"}`}},
		{name: "path outside the stage", method: "GET", path: "/prod/mcp",
			off:      refusal{403, json, `{"message":"Missing Authentication Token"}`},
			deployed: refusal{404, cors(nil), `{"error":"not_found","message":"no route for this method and path"}`}},
		{name: "no token", method: "POST", path: "/dev/mcp",
			off:      refusal{401, json, `{"message":"Unauthorized"}`},
			deployed: refusal{401, cors(map[string]string{"WWW-Authenticate": "Bearer " + metadata}), `{"error":"invalid_token","message":"Unauthorized"}`}},
		{name: "explicit deny", method: "POST", path: "/dev/mcp", header: map[string]string{"Authorization": "Bearer noscope"},
			off: refusal{403, json, `{"message":"User is not authorized to access this resource with an explicit deny"}`},
			deployed: refusal{403, cors(map[string]string{"WWW-Authenticate": `Bearer error="insufficient_scope", ` + metadata}),
				`{"error":"insufficient_scope","message":"User is not authorized to access this resource with an explicit deny"}`}},
		{name: "authorizer failure", method: "POST", path: "/dev/mcp", header: map[string]string{"Authorization": "Bearer boom"},
			off:      refusal{500, map[string]string{"Content-Type": "application/json", "x-amzn-ErrorType": "AuthorizerConfigurationException"}, `{"message":null}`},
			deployed: refusal{500, cors(map[string]string{"x-amzn-ErrorType": "AuthorizerConfigurationException"}), `{"error":"server_error","message":null}`}},
		{name: "event past Lambda's limit", method: "POST", path: "/dev/mcp", header: good, body: zeros(7 << 20),
			off:      refusal{500, json, `{"message":"Internal server error"}`},
			deployed: refusal{500, cors(nil), `{"error":"server_error","message":"Internal server error"}`}},
		{name: "function error", cfg: Config{Function: failing}, method: "POST", path: "/dev/mcp", header: good,
			off:      refusal{502, json, `{"errorMessage":"no luck","errorType":"errorString","message":"Internal server error","requestId":"{id}"}`},
			deployed: refusal{502, cors(nil), `{"error":"server_error","message":"Internal server error"}`}},
		{name: "malformed function response", cfg: Config{Function: respondWith(`"no status"`)}, method: "POST", path: "/dev/mcp", header: good,
			off: refusal{502, json,
				`{"error":"malformed Lambda proxy response: json: cannot unmarshal string into Go value of type localfront.proxyResponse","message":"Internal server error","requestId":"{id}"}`},
			deployed: refusal{502, cors(nil), `{"error":"server_error","message":"Internal server error"}`}},
		{name: "integration timeout", cfg: Config{Function: slow, IntegrationTimeout: minIntegrationTimeout}, method: "POST", path: "/dev/mcp", header: good,
			off:      refusal{504, json, `{"message": "Endpoint request timed out"}`},
			deployed: refusal{504, cors(nil), `{"error":"server_error","message":"Endpoint request timed out"}`}},
		// The domain answers these before any API is chosen: no API's
		// Gateway Responses apply.
		{name: "foreign host", method: "POST", path: "/dev/mcp", foreign: true,
			off:      refusal{403, json, `{"message":"Forbidden"}`},
			deployed: refusal{403, json, `{"message":"Forbidden"}`}},
		{name: "path outside the base path", cfg: Config{BasePath: "tools"}, method: "POST", path: "/dev/mcp",
			off:      refusal{403, json, `{"message":"Forbidden"}`},
			deployed: refusal{403, json, `{"message":"Forbidden"}`}},
	}
	deploy := &DeployREST{JWT: true, RequiredScopes: []string{"mcp:tools"}, CORSAllowOrigins: []string{"https://app.example.com"}}
	for _, tc := range tests {
		for _, d := range []*DeployREST{nil, deploy} {
			name, want := tc.name+"/off", tc.off
			if d != nil {
				name, want = tc.name+"/deployed", tc.deployed
			}
			t.Run(name, func(t *testing.T) {
				var seen []string
				cfg := tc.cfg
				cfg.Shape, cfg.Authorizer, cfg.Deploy = ShapeREST, testAuthorizer(&seen), d
				if cfg.Function == nil {
					cfg.Function = echoFunction()
				}
				f, err := New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { f.Close() })
				var body io.Reader
				if tc.body != nil {
					body = tc.body()
				}
				target := "http://example.com" + tc.path
				if tc.target != "" {
					target = tc.target
				}
				req := httptest.NewRequest(tc.method, target, body)
				for k, v := range tc.header {
					req.Header.Set(k, v)
				}
				if tc.foreign {
					local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9000}
					req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, net.Addr(local)))
				}
				rec := httptest.NewRecorder()
				f.ServeHTTP(rec, req)
				if diff := cmp.Diff(want, refused(rec)); diff != "" {
					t.Errorf("refusal (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestStreamedRefusalLikeDeploy checks a refusal of a streamed response,
// whose prelude names no status, as the stack answers it.
func TestStreamedRefusalLikeDeploy(t *testing.T) {
	p, err := NewProcess(fnBinary, nil)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	f, err := New(Config{Shape: ShapeREST, Stream: true, Function: p, Authorizer: testAuthorizer(&seen), Deploy: &DeployREST{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	req := httptest.NewRequest("GET", "http://example.com/dev/mcp?do=stream-bad-status", nil)
	req.Header.Set("Authorization", "Bearer good")
	rec := httptest.NewRecorder()
	f.ServeHTTP(rec, req)
	want := refusal{502, map[string]string{"Content-Type": "application/json", "Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "WWW-Authenticate"},
		`{"error":"server_error","message":"Internal server error"}`}
	if diff := cmp.Diff(want, refused(rec)); diff != "" {
		t.Errorf("refusal (-want +got):\n%s", diff)
	}
}
