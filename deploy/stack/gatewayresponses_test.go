package stack_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/deploy/stack"
)

// localFrontResponses is the file that holds the local front
// (internal/localfront, lambdamcp-local -like-deploy) to the Gateway
// Responses the rest variant sets.
var localFrontResponses = filepath.Join("..", "..", "internal", "localfront", "testdata", "deploy-gateway-responses.json")

// TestGatewayResponsesMatchLocalFront checks that the rest variant answers
// its refusals with the statuses, headers and bodies the local front
// emulates, from the same file, so that neither changes without the other.
// The file has every Gateway Response the stack sets, and only those.
func TestGatewayResponsesMatchLocalFront(t *testing.T) {
	b, err := os.ReadFile(localFrontResponses)
	if err != nil {
		t.Fatal(err)
	}
	type response struct {
		Type    string            `json:"type"`
		Status  string            `json:"status"` // "": the refusal's own
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
	}
	var cases []struct {
		Name        string     `json:"name"`
		MetadataURL string     `json:"metadataURL"`
		Scopes      []string   `json:"scopes"`
		CORSOrigins []string   `json:"corsOrigins"`
		Responses   []response `json:"responses"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatalf("no cases in %s", localFrontResponses)
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			// A custom domain mapped at its root makes the metadata URL a plain string.
			p := stack.Props{
				Domain:           &stack.Domain{Name: "mcp.example.com", CertificateARN: "arn:aws:acm:eu-west-1:123456789012:certificate/abc"},
				CORSAllowOrigins: tc.CORSOrigins,
			}
			if tc.MetadataURL != "" {
				p.JWT = &stack.JWT{Issuer: "https://issuer.example.com/", Audience: "https://mcp.example.com/mcp", RequiredScopes: tc.Scopes}
			}
			_, doc, _ := synth(t, p)
			if p.JWT != nil && env(t, doc, "MCP server")["MCP_RESOURCE_METADATA_URL"] != tc.MetadataURL {
				t.Fatalf("the stack's metadata URL is %q, the file's %q", env(t, doc, "MCP server")["MCP_RESOURCE_METADATA_URL"], tc.MetadataURL)
			}
			var got []response
			for _, r := range resources(doc, "AWS::ApiGateway::GatewayResponse") {
				params, _ := r["ResponseParameters"].(map[string]any)
				templates, _ := r["ResponseTemplates"].(map[string]any)
				headers := map[string]string{}
				for k, v := range params {
					name, ok := strings.CutPrefix(k, "gatewayresponse.header.")
					if !ok {
						t.Errorf("%s: parameter %s is no header", render(r["ResponseType"]), k)
						continue
					}
					headers[name] = strings.Trim(render(v), "'")
				}
				status := ""
				if r["StatusCode"] != nil {
					status = render(r["StatusCode"])
				}
				got = append(got, response{
					Type: render(r["ResponseType"]), Status: status,
					Headers: headers, Body: render(templates["application/json"]),
				})
			}
			byType := func(a, b response) int { return strings.Compare(a.Type, b.Type) }
			want := slices.SortedFunc(slices.Values(tc.Responses), byType)
			slices.SortFunc(got, byType)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("gateway responses (-local front +stack):\n%s", diff)
			}
		})
	}
}
