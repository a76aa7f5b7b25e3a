package stack_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/deploy/stack"
)

// localFrontResponses is the file that holds the local front
// (internal/localfront, lambdamcp-local -like-deploy) to the Gateway
// Responses the rest variant sets for the authorizer's refusals.
var localFrontResponses = filepath.Join("..", "..", "internal", "localfront", "testdata", "deploy-gateway-responses.json")

// TestGatewayResponsesMatchLocalFront checks that the rest variant answers
// the authorizer's refusals with the challenges and bodies the local front
// emulates, from the same file, so that neither changes without the other.
func TestGatewayResponsesMatchLocalFront(t *testing.T) {
	b, err := os.ReadFile(localFrontResponses)
	if err != nil {
		t.Fatal(err)
	}
	type response struct {
		Type            string `json:"type"`
		Status          int    `json:"status"`
		WWWAuthenticate string `json:"wwwAuthenticate"`
		Body            string `json:"body"`
	}
	var cases []struct {
		Name        string     `json:"name"`
		MetadataURL string     `json:"metadataURL"`
		Scopes      []string   `json:"scopes"`
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
			p := stack.Props{Domain: &stack.Domain{Name: "mcp.example.com", CertificateARN: "arn:aws:acm:eu-west-1:123456789012:certificate/abc"}}
			if tc.MetadataURL != "" {
				p.JWT = &stack.JWT{Issuer: "https://issuer.example.com/", Audience: "https://mcp.example.com/mcp", RequiredScopes: tc.Scopes}
			}
			_, doc, _ := synth(t, p)
			if p.JWT != nil && env(t, doc, "MCP server")["MCP_RESOURCE_METADATA_URL"] != tc.MetadataURL {
				t.Fatalf("the stack's metadata URL is %q, the file's %q", env(t, doc, "MCP server")["MCP_RESOURCE_METADATA_URL"], tc.MetadataURL)
			}
			byType := map[string]response{}
			for _, r := range resources(doc, "AWS::ApiGateway::GatewayResponse") {
				params, _ := r["ResponseParameters"].(map[string]any)
				templates, _ := r["ResponseTemplates"].(map[string]any)
				status, _ := strconv.Atoi(render(r["StatusCode"]))
				typ := render(r["ResponseType"])
				byType[typ] = response{
					Type: typ, Status: status,
					WWWAuthenticate: strings.Trim(render(params["gatewayresponse.header.WWW-Authenticate"]), "'"),
					Body:            render(templates["application/json"]),
				}
			}
			var got []response
			for _, want := range tc.Responses {
				got = append(got, byType[want.Type])
			}
			if diff := cmp.Diff(tc.Responses, got); diff != "" {
				t.Errorf("gateway responses (-local front +stack):\n%s", diff)
			}
		})
	}
}
