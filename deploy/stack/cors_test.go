package stack_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/deploy/stack"
)

// localFrontCORS is the file that holds the local front (internal/localfront,
// lambdamcp-local -like-deploy) to the CORS the rest and http variants
// configure.
var localFrontCORS = filepath.Join("..", "..", "internal", "localfront", "testdata", "deploy-cors.json")

// preflightResponse is what a REST preflight method answers: its integration
// response's status and static headers, and the origins its response template
// echoes in Access-Control-Allow-Origin.
type preflightResponse struct {
	Status        string            `json:"status"`
	Headers       map[string]string `json:"headers"`
	EchoedOrigins []string          `json:"echoedOrigins"`
}

// corsConfiguration is an HTTP API's CorsConfiguration; the template's keys
// (AllowOrigins…) decode into it, and a key it does not name fails the test.
type corsConfiguration struct {
	AllowOrigins  []string `json:"allowOrigins"`
	AllowHeaders  []string `json:"allowHeaders"`
	AllowMethods  []string `json:"allowMethods"`
	ExposeHeaders []string `json:"exposeHeaders"`
	MaxAge        int      `json:"maxAge"`
}

// TestCORSMatchesLocalFront checks that the rest variant's preflight methods,
// every one of them, and the http variant's CORS configuration, with JWTs
// and with static tokens, answer with
// the values the local front emulates, from the same file, so that neither
// changes without the other.
func TestCORSMatchesLocalFront(t *testing.T) {
	b, err := os.ReadFile(localFrontCORS)
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name          string            `json:"name"`
		CORSOrigins   []string          `json:"corsOrigins"`
		RESTPreflight preflightResponse `json:"restPreflight"`
		HTTPCORS      corsConfiguration `json:"httpCors"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatalf("no cases in %s", localFrontCORS)
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			// With JWTs the metadata paths have preflight methods too.
			jwt := &stack.JWT{Issuer: "https://issuer.example.com/", Audience: "app"}
			_, doc, _ := synth(t, stack.Props{CORSAllowOrigins: tc.CORSOrigins, JWT: jwt})
			n := 0
			for id, m := range resources(doc, "AWS::ApiGateway::Method") {
				if render(m["HttpMethod"]) != "OPTIONS" {
					continue
				}
				n++
				if diff := cmp.Diff(tc.RESTPreflight, restPreflight(t, m)); diff != "" {
					t.Errorf("%s (-local front +stack):\n%s", id, diff)
				}
			}
			if n == 0 {
				t.Error("the rest variant has no preflight method")
			}
			// The http variant has the same CORS configuration whatever
			// checks its tokens, and the front emulates it for both.
			for _, tokens := range []struct {
				name string
				jwt  *stack.JWT
			}{{"jwt", jwt}, {"static tokens", nil}} {
				_, doc, _ = synth(t, stack.Props{Variant: stack.VariantHTTP, CORSAllowOrigins: tc.CORSOrigins, JWT: tokens.jwt})
				apis := resources(doc, "AWS::ApiGatewayV2::Api")
				if len(apis) != 1 {
					t.Fatalf("%s: %d HTTP APIs, want 1", tokens.name, len(apis))
				}
				for _, api := range apis {
					if diff := cmp.Diff(tc.HTTPCORS, httpCORS(t, api)); diff != "" {
						t.Errorf("%s: http CorsConfiguration (-local front +stack):\n%s", tokens.name, diff)
					}
				}
			}
		})
	}
}

// echoedOrigin matches an origin the CDK's preflight template compares the
// request's Origin with (its comparison with "" reads a lowercase origin).
var echoedOrigin = regexp.MustCompile(`#if\(\$origin == "([^"]+)"\)`)

// restPreflight reads what the preflight method m answers.
func restPreflight(t *testing.T, m map[string]any) preflightResponse {
	t.Helper()
	integration, _ := m["Integration"].(map[string]any)
	if got := render(integration["Type"]); got != "MOCK" {
		t.Errorf("integration %s, want MOCK", got)
	}
	responses := list(integration["IntegrationResponses"])
	if len(responses) != 1 {
		t.Fatalf("%d integration responses, want 1", len(responses))
	}
	r, _ := responses[0].(map[string]any)
	params, _ := r["ResponseParameters"].(map[string]any)
	p := preflightResponse{Status: render(r["StatusCode"]), Headers: map[string]string{}}
	for k, v := range params {
		name, ok := strings.CutPrefix(k, "method.response.header.")
		if !ok {
			t.Errorf("parameter %s is no header", k)
			continue
		}
		p.Headers[name] = strings.Trim(render(v), "'")
	}
	templates, _ := r["ResponseTemplates"].(map[string]any)
	tmpl := render(templates["application/json"])
	for _, m := range echoedOrigin.FindAllStringSubmatch(tmpl, -1) {
		p.EchoedOrigins = append(p.EchoedOrigins, m[1])
	}
	if p.EchoedOrigins != nil && !strings.Contains(tmpl, "#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)") {
		t.Errorf("the template compares origins but does not echo them:\n%s", tmpl)
	}
	return p
}

// httpCORS reads the CorsConfiguration of the HTTP API api.
func httpCORS(t *testing.T, api map[string]any) corsConfiguration {
	t.Helper()
	b, err := json.Marshal(api["CorsConfiguration"])
	if err != nil {
		t.Fatal(err)
	}
	var c corsConfiguration
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&c); err != nil {
		t.Fatalf("CorsConfiguration %s: %v", b, err)
	}
	return c
}

// TestCORSListsHoldNoDuplicates checks that an origin given twice in corsOrigins (the same once
// put in the form a browser sends) and a corsHeaders entry repeating an MCP header, or another
// entry, in another case, reach the Function URL's and the HTTP API's CORS lists and the server's
// allowed origins once: the gateways take lists of distinct items, and the Function URL's
// CORS holds at most 100 of each.
func TestCORSListsHoldNoDuplicates(t *testing.T) {
	origins := []string{"https://app.example", "HTTPS://App.Example/", "https://app.example:443", "http://localhost:5173"}
	headers := []string{"Mcp-Param-Region", "authorization", "MCP-SESSION-ID", "mcp-param-region"}
	wantOrigins := []string{"https://app.example", "http://localhost:5173"}
	wantHeaders := []string{"Authorization", "Content-Type", "Accept", "Mcp-Session-Id", "MCP-Protocol-Version",
		"Mcp-Method", "Mcp-Name", "Last-Event-ID", "Mcp-Param-Region"}
	strings := func(v any) []string {
		var out []string
		for _, s := range list(v) {
			out = append(out, render(s))
		}
		return out
	}
	_, doc, _ := synth(t, stack.Props{Variant: stack.VariantURL, CORSAllowOrigins: origins, CORSAllowHeaders: headers})
	urls := resources(doc, "AWS::Lambda::Url")
	if len(urls) != 1 {
		t.Fatalf("%d function URLs, want 1", len(urls))
	}
	for _, u := range urls {
		cors, _ := u["Cors"].(map[string]any)
		if diff := cmp.Diff(wantOrigins, strings(cors["AllowOrigins"])); diff != "" {
			t.Errorf("url AllowOrigins (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantHeaders, strings(cors["AllowHeaders"])); diff != "" {
			t.Errorf("url AllowHeaders (-want +got):\n%s", diff)
		}
	}
	env, _ := serverFunction(t, doc)["Environment"].(map[string]any)
	vars, _ := env["Variables"].(map[string]any)
	if got := render(vars["MCP_ALLOWED_ORIGINS"]); got != "https://app.example,http://localhost:5173" {
		t.Errorf("server MCP_ALLOWED_ORIGINS=%q, want each origin once", got)
	}
	_, doc, _ = synth(t, stack.Props{Variant: stack.VariantHTTP, CORSAllowOrigins: origins, CORSAllowHeaders: headers})
	for _, api := range resources(doc, "AWS::ApiGatewayV2::Api") {
		c := httpCORS(t, api)
		if diff := cmp.Diff(wantOrigins, c.AllowOrigins); diff != "" {
			t.Errorf("http AllowOrigins (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantHeaders, c.AllowHeaders); diff != "" {
			t.Errorf("http AllowHeaders (-want +got):\n%s", diff)
		}
	}
}
