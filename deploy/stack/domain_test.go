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
