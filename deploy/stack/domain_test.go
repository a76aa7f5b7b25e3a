package stack_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/deploy/stack"
)

// TestExecuteAPIEndpoint checks that a custom domain turns the API's default execute-api host off,
// unless kept: it would be a way in around the domain's TLS policy, at a URL that neither the
// tokens' audience nor the metadata names. The CDK's own output, the stage's execute-api URL, goes
// with it. Turning the host off or on again deploys the stage anew, without which API Gateway
// does not apply the change.
func TestExecuteAPIEndpoint(t *testing.T) {
	domain := func(keep bool) *stack.Domain {
		return &stack.Domain{Name: "mcp.example.com", CertificateARN: "arn:aws:acm:eu-west-1:123456789012:certificate/abc", KeepExecuteAPIEndpoint: keep}
	}
	deployments := map[string]string{}
	for _, tc := range []struct {
		name      string
		domain    *stack.Domain
		want      any // the API's DisableExecuteApiEndpoint
		cdkOutput bool
	}{
		{"no domain", nil, nil, true},
		{"domain", domain(false), true, false},
		{"domain keeping execute-api", domain(true), false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, doc, _ := synth(t, stack.Props{Domain: tc.domain})
			api := resources(doc, "AWS::ApiGateway::RestApi")[onlyID(t, doc, "AWS::ApiGateway::RestApi")]
			outs, _ := doc["Outputs"].(map[string]any)
			got := struct {
				Disable   any
				CDKOutput bool
			}{api["DisableExecuteApiEndpoint"], slices.ContainsFunc(slices.Collect(maps.Keys(outs)), func(name string) bool {
				return strings.HasPrefix(name, "McpApiEndpoint")
			})}
			want := got
			want.Disable, want.CDKOutput = tc.want, tc.cdkOutput
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("execute-api endpoint (-want +got):\n%s", diff)
			}
			// Whatever the host, the MCP endpoint is the domain's when there is one.
			if tc.domain != nil {
				checkOutput(t, doc, "McpServerEndpoint", "https://mcp.example.com/mcp")
			}
			deployments[tc.name] = onlyID(t, doc, "AWS::ApiGateway::Deployment")
		})
	}
	if a, b := deployments["domain"], deployments["domain keeping execute-api"]; a == b {
		t.Errorf("deployment %s kept its logical id when the execute-api host was turned back on", a)
	}
}

// TestDomainBasePath checks that a base path maps the API under it, and that every URL the stack
// derives from the domain follows: the server's resource and metadata URLs, the authorizer's
// resource URL, the challenges' resource_metadata, the outputs. The metadata URL is inside the
// mapping, where the API routes it, since the host root's well-known URL reaches no mapping of
// this API.
func TestDomainBasePath(t *testing.T) {
	jwt := &stack.JWT{Issuer: "https://issuer.example.com/", Audience: "https://mcp.example.com/tools/mcp"}
	const (
		endpoint  = "https://mcp.example.com/tools/mcp"
		metadata  = "https://mcp.example.com/tools/.well-known/oauth-protected-resource/tools/mcp"
		endpoint2 = "https://mcp.example.com/v1/tools/mcp"
		metadata2 = "https://mcp.example.com/v1/tools/.well-known/oauth-protected-resource/v1/tools/mcp"
	)
	type urls struct {
		Mappings                       []string // type and base path of each mapping
		ServerResource, ServerMetadata string
		AuthorizerResource             string
		Challenge, Denied              string
		EndpointOutput, MetadataOutput string
		MetadataMethods                map[string]string
		MetadataPermissions            []string // the paths API Gateway may invoke the server on for metadata
	}
	staticChallenge, staticDenied := `'Bearer realm="mcp"'`, `'Bearer error="insufficient_scope"'`
	for _, tc := range []struct {
		name     string
		basePath string
		jwt      *stack.JWT
		want     urls
	}{
		{"static tokens", "tools", nil, urls{
			Mappings:       []string{"AWS::ApiGateway::BasePathMapping tools"},
			ServerResource: endpoint, Challenge: staticChallenge, Denied: staticDenied, EndpointOutput: endpoint,
			MetadataMethods: map[string]string{},
		}},
		{"jwt", "tools", jwt, urls{
			Mappings:       []string{"AWS::ApiGateway::BasePathMapping tools"},
			ServerResource: endpoint, ServerMetadata: metadata, AuthorizerResource: endpoint,
			Challenge:      `'Bearer resource_metadata="` + metadata + `"'`,
			Denied:         `'Bearer error="insufficient_scope", resource_metadata="` + metadata + `"'`,
			EndpointOutput: endpoint, MetadataOutput: metadata,
			MetadataMethods: map[string]string{
				"GET /.well-known/oauth-protected-resource":               "NONE",
				"OPTIONS /.well-known/oauth-protected-resource":           "NONE",
				"GET /.well-known/oauth-protected-resource/mcp":           "NONE",
				"OPTIONS /.well-known/oauth-protected-resource/mcp":       "NONE",
				"GET /.well-known/oauth-protected-resource/tools/mcp":     "NONE",
				"OPTIONS /.well-known/oauth-protected-resource/tools/mcp": "NONE",
			},
			MetadataPermissions: []string{
				"/GET/.well-known/oauth-protected-resource",
				"/GET/.well-known/oauth-protected-resource/mcp",
				"/GET/.well-known/oauth-protected-resource/tools/mcp",
			},
		}},
		// API Gateway maps several levels only through its v2 API, which the CDK uses for them.
		{"jwt, two levels", "v1/tools", jwt, urls{
			Mappings:       []string{"AWS::ApiGatewayV2::ApiMapping v1/tools"},
			ServerResource: endpoint2, ServerMetadata: metadata2, AuthorizerResource: endpoint2,
			Challenge:      `'Bearer resource_metadata="` + metadata2 + `"'`,
			Denied:         `'Bearer error="insufficient_scope", resource_metadata="` + metadata2 + `"'`,
			EndpointOutput: endpoint2, MetadataOutput: metadata2,
			MetadataMethods: map[string]string{
				"GET /.well-known/oauth-protected-resource":                  "NONE",
				"OPTIONS /.well-known/oauth-protected-resource":              "NONE",
				"GET /.well-known/oauth-protected-resource/mcp":              "NONE",
				"OPTIONS /.well-known/oauth-protected-resource/mcp":          "NONE",
				"GET /.well-known/oauth-protected-resource/v1/tools/mcp":     "NONE",
				"OPTIONS /.well-known/oauth-protected-resource/v1/tools/mcp": "NONE",
			},
			MetadataPermissions: []string{
				"/GET/.well-known/oauth-protected-resource",
				"/GET/.well-known/oauth-protected-resource/mcp",
				"/GET/.well-known/oauth-protected-resource/v1/tools/mcp",
			},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, doc, _ := synth(t, stack.Props{JWT: tc.jwt, Domain: &stack.Domain{
				Name: "mcp.example.com", CertificateARN: "arn:aws:acm:eu-west-1:123456789012:certificate/abc", BasePath: tc.basePath,
			}})
			var got urls
			for _, m := range []struct{ typ, key string }{
				{"AWS::ApiGateway::BasePathMapping", "BasePath"},
				{"AWS::ApiGatewayV2::ApiMapping", "ApiMappingKey"},
			} {
				for _, r := range resources(doc, m.typ) {
					got.Mappings = append(got.Mappings, m.typ+" "+render(r[m.key]))
				}
			}
			server := env(t, doc, "MCP server")
			got.ServerResource, got.ServerMetadata = server["MCP_RESOURCE_URL"], server["MCP_RESOURCE_METADATA_URL"]
			got.AuthorizerResource = env(t, doc, "authorizer")["MCP_RESOURCE_URL"]
			for _, r := range resources(doc, "AWS::ApiGateway::GatewayResponse") {
				params, _ := r["ResponseParameters"].(map[string]any)
				challenge := render(params["gatewayresponse.header.WWW-Authenticate"])
				switch render(r["ResponseType"]) {
				case "UNAUTHORIZED":
					got.Challenge = challenge
				case "ACCESS_DENIED":
					got.Denied = challenge
				}
			}
			outs, _ := doc["Outputs"].(map[string]any)
			output := func(name string) string {
				if o, ok := outs[name].(map[string]any); ok {
					return render(o["Value"])
				}
				return ""
			}
			got.EndpointOutput, got.MetadataOutput = output("McpServerEndpoint"), output("ProtectedResourceMetadataUrl")
			got.MetadataMethods = map[string]string{}
			for method, auth := range restMethodPaths(doc) {
				if strings.Contains(method, "/.well-known/") {
					got.MetadataMethods[method] = auth
				}
			}
			for _, p := range permissions(doc) {
				if _, path, ok := strings.Cut(p, "}/GET/.well-known/"); ok {
					got.MetadataPermissions = append(got.MetadataPermissions, "/GET/.well-known/"+path)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("URLs behind base path %q (-want +got):\n%s", tc.basePath, diff)
			}
		})
	}
}

// TestHostedZoneID checks that the alias record goes into the zone by its bare ID, which
// AWS::Route53::RecordSet takes, also when the ID is given as the AWS CLI prints it.
func TestHostedZoneID(t *testing.T) {
	for _, tc := range []struct{ name, id string }{
		{"bare", "Z0123456789ABCDEFGHIJ"},
		{"as the AWS CLI prints it", "/hostedzone/Z0123456789ABCDEFGHIJ"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, doc, _ := synth(t, stack.Props{Domain: &stack.Domain{
				Name: "mcp.example.com", CertificateARN: "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
				HostedZoneID: tc.id, HostedZoneName: "example.com",
			}})
			var got []string
			for _, r := range resources(doc, "AWS::Route53::RecordSet") {
				got = append(got, render(r["Name"])+" in "+render(r["HostedZoneId"]))
			}
			if diff := cmp.Diff([]string{"mcp.example.com. in Z0123456789ABCDEFGHIJ"}, got); diff != "" {
				t.Errorf("alias records (-want +got):\n%s", diff)
			}
		})
	}
}
