package stack_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/lambdamcp/lambdamcp/deploy/stack"
)

// An issuer that is no http(s) URL (a URN, the keys at a JWKS URL of their own) is no OAuth
// issuer identifier that an RFC 9728 document may name: the server is told of no authorization
// server and no metadata document, which it would refuse the URN as, and nothing points at one.
func TestIssuerNotURLPublishesNoMetadata(t *testing.T) {
	jwt := &stack.JWT{Issuer: "urn:example:issuer", Audience: "a", JWKSURL: "https://keys.example/jwks.json", RequiredScopes: []string{"mcp:tools"}}
	for _, v := range []stack.Variant{stack.VariantREST, stack.VariantURL} {
		t.Run(string(v), func(t *testing.T) {
			_, doc, _ := synth(t, stack.Props{Variant: v, JWT: jwt})
			server := env(t, doc, "MCP server")
			for _, name := range []string{"MCP_AUTHORIZATION_SERVERS", "MCP_RESOURCE_METADATA_URL"} {
				if val, ok := server[name]; ok {
					t.Errorf("server environment sets %s=%s", name, val)
				}
			}
			checkNoOutput(t, doc, "ProtectedResourceMetadataUrl")
			for id, m := range resources(doc, "AWS::ApiGateway::Resource") {
				if p := render(m["PathPart"]); strings.Contains(p, "well-known") {
					t.Errorf("resource %s routes %s", id, p)
				}
			}
			for id, r := range resources(doc, "AWS::ApiGateway::GatewayResponse") {
				if b, _ := json.Marshal(r["ResponseParameters"]); strings.Contains(string(b), "resource_metadata") {
					t.Errorf("gateway response %s names a metadata document: %s", id, b)
				}
			}
			// The required scopes are still named, each challenge's parameters after the scheme.
			want := map[string]string{
				"UNAUTHORIZED":  `'Bearer scope="mcp:tools"'`,
				"ACCESS_DENIED": `'Bearer error="insufficient_scope", scope="mcp:tools"'`,
			}
			for id, r := range resources(doc, "AWS::ApiGateway::GatewayResponse") {
				typ := render(r["ResponseType"])
				if w, ok := want[typ]; ok {
					params, _ := r["ResponseParameters"].(map[string]any)
					if got := render(params["gatewayresponse.header.WWW-Authenticate"]); got != w {
						t.Errorf("gateway response %s (%s) challenges %s, want %s", id, typ, got, w)
					}
					delete(want, typ)
				}
			}
			if v == stack.VariantREST && len(want) > 0 {
				t.Errorf("no gateway responses for %v", want)
			}
		})
	}
	// The http variant's JWT authorizer reads the issuer's discovery document: it takes no URN.
	t.Run("http", func(t *testing.T) {
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
		_, err := stack.New(t.Context(), app, "Test", stack.Props{Variant: stack.VariantHTTP, JWT: jwt, SourceDir: t.TempDir(), BuildDir: t.TempDir()})
		if err == nil {
			t.Error("a URN issuer on the http variant was not refused")
		}
	})
}
