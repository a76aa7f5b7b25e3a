package stack_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/deploy/stack"
)

func TestHTTPVariant(t *testing.T) {
	for _, tc := range []struct {
		name       string
		props      stack.Props
		functions  int
		authorizer obj
		auth       string // the /mcp routes' authorization
	}{
		{
			name:      "lambda authorizer",
			props:     stack.Props{Variant: stack.VariantHTTP},
			functions: 2,
			authorizer: obj{
				"AuthorizerType":                 "REQUEST",
				"EnableSimpleResponses":          true,
				"AuthorizerPayloadFormatVersion": "2.0",
				"IdentitySource":                 []any{"$request.header.Authorization"},
				"AuthorizerResultTtlInSeconds":   300,
			},
			auth: "CUSTOM",
		},
		{
			name:      "lambda authorizer, cache ttl",
			props:     stack.Props{Variant: stack.VariantHTTP, AuthorizerCacheTTL: time.Minute},
			functions: 2,
			authorizer: obj{
				"AuthorizerType":               "REQUEST",
				"IdentitySource":               []any{"$request.header.Authorization"},
				"AuthorizerResultTtlInSeconds": 60,
			},
			auth: "CUSTOM",
		},
		{
			name: "jwt authorizer",
			// The longest server timeout the http variant takes: the CDK accepts the
			// integration's 29 s.
			props: stack.Props{Variant: stack.VariantHTTP, ServerTimeout: 28 * time.Second, JWT: &stack.JWT{
				Issuer: "https://issuer.example.com", Audience: "mcp-client", RequiredScopes: []string{"mcp/tools"},
				// The gateway matches scope names: the routes accept the scopes that imply the
				// required one, through a chain too; the server behind applies the hierarchy.
				ScopeImplies: map[string][]string{"mcp/root": {"mcp/admin"}, "mcp/admin": {"mcp/tools"}, "mcp/other": {"mcp/read"}},
			}},
			functions: 1,
			authorizer: obj{
				"AuthorizerType": "JWT",
				"IdentitySource": []any{"$request.header.Authorization"},
				"JwtConfiguration": obj{
					"Issuer":   "https://issuer.example.com",
					"Audience": []any{"mcp-client"},
				},
			},
			auth: "JWT mcp/tools,mcp/admin,mcp/root",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, doc, buildDir := synth(t, tc.props)
			checkCommon(t, tmpl, doc, buildDir, 30)
			integrationMillis := 11000 // the default 10 s and one
			if tc.props.ServerTimeout > 0 {
				integrationMillis = int((tc.props.ServerTimeout + time.Second).Milliseconds())
			}
			// The metadata is routed for JWTs only: static tokens have no document, and a route
			// would let anyone invoke the function for a 404.
			jwt := tc.props.JWT != nil
			for typ, n := range map[string]int{
				"AWS::Lambda::Function":          tc.functions,
				"AWS::ApiGatewayV2::Api":         1,
				"AWS::ApiGatewayV2::Authorizer":  1,
				"AWS::ApiGatewayV2::Route":       3 + 2*b2i(jwt),
				"AWS::ApiGatewayV2::Integration": 1,
				"AWS::ApiGatewayV2::Stage":       1,
				"AWS::Logs::LogGroup":            tc.functions + 1,
			} {
				catch(t, func() { tmpl.ResourceCountIs(jsii.String(typ), jsii.Number(n)) })
			}
			catch(t, func() { tmpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Authorizer"), &tc.authorizer) })
			want := map[string]string{
				"GET /mcp":    tc.auth,
				"POST /mcp":   tc.auth,
				"DELETE /mcp": tc.auth,
			}
			if jwt {
				want["GET /.well-known/oauth-protected-resource"] = "NONE"
				want["GET /.well-known/oauth-protected-resource/mcp"] = "NONE"
			}
			if diff := cmp.Diff(want, httpRoutes(doc)); diff != "" {
				t.Errorf("routes and their authorization (-want +got):\n%s", diff)
			}
			catch(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Api"), assertions.Match_ObjectLike(&obj{
					"CorsConfiguration": assertions.Match_ObjectLike(&obj{
						"AllowHeaders": assertions.Match_ArrayWith(&[]any{"Authorization", "Mcp-Method"}),
					}),
				}))
			})
			catch(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Stage"), &obj{
					"StageName":            "$default",
					"AutoDeploy":           true,
					"DefaultRouteSettings": obj{"ThrottlingRateLimit": 50, "ThrottlingBurstLimit": 100},
					"AccessLogSettings": obj{
						"DestinationArn": assertions.Match_AnyValue(),
						"Format":         assertions.Match_StringLikeRegexp(jsii.String(`^\{.*"requestId":"\$context.requestId".*\}$`)),
					},
				})
			})
			catch(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Integration"), &obj{
					"IntegrationType":      "AWS_PROXY",
					"PayloadFormatVersion": "2.0",
					"TimeoutInMillis":      integrationMillis,
				})
			})
			api := onlyID(t, doc, "AWS::ApiGatewayV2::Api")
			base := "https://${" + api + "}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
			checkOutput(t, doc, "McpServerEndpoint", base+"/mcp")
			wantServer := map[string]string{
				"MCP_AUTH_FROM_AUTHORIZER": "1",
				"MCP_RESOURCE_URL":         base + "/mcp",
				"MCP_ALLOWED_ORIGINS":      "*",
			}
			// Static tokens: no authorization server, so no metadata document.
			if tc.props.JWT == nil {
				checkNoOutput(t, doc, "ProtectedResourceMetadataUrl")
			}
			if tc.props.JWT != nil && tc.props.JWT.ScopeImplies != nil {
				wantServer["MCP_SCOPE_IMPLIES"] = "mcp/admin=mcp/tools; mcp/other=mcp/read; mcp/root=mcp/admin"
			}
			if tc.props.JWT != nil {
				checkOutput(t, doc, "ProtectedResourceMetadataUrl", base+"/.well-known/oauth-protected-resource/mcp")
				wantServer["MCP_RESOURCE_METADATA_URL"] = base + "/.well-known/oauth-protected-resource/mcp"
				wantServer["MCP_AUTHORIZATION_SERVERS"] = tc.props.JWT.Issuer
				wantServer["MCP_REQUIRED_SCOPES"] = strings.Join(tc.props.JWT.RequiredScopes, " ")
			}
			if diff := cmp.Diff(wantServer, env(t, doc, "MCP server")); diff != "" {
				t.Errorf("server environment (-want +got):\n%s", diff)
			}
			// API Gateway may invoke the server only through this API's routes (any stage and
			// method, the CDK integration's scope: the API has one stage, and its routes are
			// lambdamcp's), and a Lambda authorizer only as this API's authorizer.
			arn := "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${" + api + "}"
			invokeServer := "${" + functionID(t, doc, "lambdamcp MCP server") + ".Arn} lambda:InvokeFunction Principal=apigateway.amazonaws.com SourceArn=" + arn
			var wantPermissions []string
			if tc.props.JWT == nil {
				wantPermissions = append(wantPermissions, "${"+functionID(t, doc, "lambdamcp bearer token authorizer")+".Arn} lambda:InvokeFunction Principal=apigateway.amazonaws.com SourceArn="+
					arn+"/authorizers/${"+onlyID(t, doc, "AWS::ApiGatewayV2::Authorizer")+"}")
			}
			if jwt {
				wantPermissions = append(wantPermissions,
					invokeServer+"/*/*/.well-known/oauth-protected-resource",
					invokeServer+"/*/*/.well-known/oauth-protected-resource/mcp")
			}
			wantPermissions = append(wantPermissions,
				invokeServer+"/*/*/mcp", invokeServer+"/*/*/mcp", invokeServer+"/*/*/mcp", // one per method's route
			)
			if diff := cmp.Diff(wantPermissions, permissions(doc)); diff != "" {
				t.Errorf("Lambda permissions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestURLVariant(t *testing.T) {
	tmpl, doc, buildDir := synth(t, stack.Props{Variant: stack.VariantURL})
	checkCommon(t, tmpl, doc, buildDir, 30)
	for typ, n := range map[string]int{
		"AWS::Lambda::Function":       1,
		"AWS::Lambda::Url":            1,
		"AWS::ApiGateway::RestApi":    0,
		"AWS::ApiGatewayV2::Api":      0,
		"AWS::Logs::LogGroup":         1,
		"AWS::IAM::Role":              1,
		"AWS::Cognito::UserPool":      0,
		"AWS::ApiGateway::Authorizer": 0,
	} {
		catch(t, func() { tmpl.ResourceCountIs(jsii.String(typ), jsii.Number(n)) })
	}
	catch(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Url"), assertions.Match_ObjectLike(&obj{
			"InvokeMode": "RESPONSE_STREAM",
			"AuthType":   "NONE",
			// The methods the gateways' preflights allow: a browser client ends its session
			// with DELETE.
			"Cors": assertions.Match_ObjectLike(&obj{"AllowMethods": []any{"GET", "POST", "DELETE"}, "MaxAge": 3600}),
		}))
	})
	catch(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), assertions.Match_ObjectLike(&obj{
			"Timeout": 60, "MemorySize": 512,
		}))
	})
	// Anyone may call the URL (auth type NONE) and so invoke the function through it, and only
	// through it: both permissions are needed for a public Function URL.
	fn := "${" + functionID(t, doc, "lambdamcp MCP server (Function URL)") + ".Arn}"
	wantPermissions := []string{
		fn + " lambda:InvokeFunction InvokedViaFunctionUrl=true Principal=*",
		fn + " lambda:InvokeFunctionUrl FunctionUrlAuthType=NONE Principal=*",
	}
	if diff := cmp.Diff(wantPermissions, permissions(doc)); diff != "" {
		t.Errorf("Lambda permissions (-want +got):\n%s", diff)
	}
	// The open URL makes the server the only gate: it must get the token hashes.
	server := env(t, doc, "MCP server")
	want := map[string]string{"MCP_AUTH_TOKEN_SHA256": "${AuthTokenSha256}", "MCP_ALLOWED_ORIGINS": "*", "MCP_STREAM": "url"}
	if diff := cmp.Diff(want, server); diff != "" {
		t.Errorf("server environment (-want +got):\n%s", diff)
	}
	// The URL attribute is https://<id>.lambda-url.<region>.on.aws/; the outputs keep its scheme
	// and host and add the paths.
	url := onlyID(t, doc, "AWS::Lambda::Url")
	outs, _ := doc["Outputs"].(map[string]any)
	// Static tokens: no authorization server, so no metadata document to publish.
	checkNoOutput(t, doc, "ProtectedResourceMetadataUrl")
	for name, path := range map[string]string{
		"McpServerEndpoint": "/mcp",
	} {
		out, _ := outs[name].(map[string]any)
		want := []any{"", []any{
			selectURL(0, url), "//", selectURL(2, url), path,
		}}
		if diff := cmp.Diff(map[string]any{"Fn::Join": want}, out["Value"]); diff != "" {
			t.Errorf("output %s (-want +got):\n%s", name, diff)
		}
	}
}

func selectURL(i float64, url string) map[string]any {
	return map[string]any{"Fn::Select": []any{i, map[string]any{"Fn::Split": []any{"/",
		map[string]any{"Fn::GetAtt": []any{url, "FunctionUrl"}}}}}}
}

func TestCognito(t *testing.T) {
	for _, variant := range []stack.Variant{stack.VariantREST, stack.VariantHTTP, stack.VariantURL} {
		t.Run(string(variant), func(t *testing.T) {
			tmpl, doc, buildDir := synth(t, stack.Props{Variant: variant, Cognito: true})
			checkCommon(t, tmpl, doc, buildDir, 30)
			for typ, n := range map[string]int{
				"AWS::Cognito::UserPool":               1,
				"AWS::Cognito::UserPoolResourceServer": 1,
				"AWS::Cognito::UserPoolClient":         1,
				"AWS::Cognito::UserPoolDomain":         1,
			} {
				catch(t, func() { tmpl.ResourceCountIs(jsii.String(typ), jsii.Number(n)) })
			}
			catch(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::Cognito::UserPoolClient"), assertions.Match_ObjectLike(&obj{
					"GenerateSecret":                  true,
					"AllowedOAuthFlows":               []any{"client_credentials"},
					"AllowedOAuthFlowsUserPoolClient": true,
					// No user signs in through the machine client: without a list, Cognito
					// allows SRP and custom sign-in, and a user's token names the client too.
					// Client credentials issue no refresh token, so refresh allows nothing.
					"ExplicitAuthFlows":          []any{"ALLOW_REFRESH_TOKEN_AUTH"},
					"PreventUserExistenceErrors": "ENABLED",
				}))
			})
			// The pool's users cannot be got back: neither a destroy nor a replacement deletes it,
			// and deletion protection stops anyone else.
			catch(t, func() {
				tmpl.HasResource(jsii.String("AWS::Cognito::UserPool"), assertions.Match_ObjectLike(&obj{
					"DeletionPolicy":      "Retain",
					"UpdateReplacePolicy": "Retain",
					"Properties":          assertions.Match_ObjectLike(&obj{"DeletionProtection": "ACTIVE"}),
				}))
			})
			if params, _ := doc["Parameters"].(map[string]any); params["AuthTokenSha256"] != nil {
				t.Errorf("the token hash parameter is declared although Cognito issues the tokens")
			}
			pool := onlyID(t, doc, "AWS::Cognito::UserPool")
			client := onlyID(t, doc, "AWS::Cognito::UserPoolClient")
			issuer := "${" + pool + ".ProviderURL}" // https://cognito-idp.<region>.amazonaws.com/<pool id>
			want := map[string]string{
				"MCP_JWT_ISSUER":         issuer,
				"MCP_JWT_JWKS_URL":       issuer + "/.well-known/jwks.json",
				"MCP_JWT_AUDIENCE":       "${" + client + "}",
				"MCP_JWT_AUDIENCE_CLAIM": "client_id",
				"MCP_REQUIRED_SCOPES":    "lambdamcp/mcp",
			}
			switch variant {
			case stack.VariantREST, stack.VariantURL:
				var got map[string]string
				if variant == stack.VariantREST {
					got = env(t, doc, "authorizer")
					// The endpoint, which an RFC 8707 token (Cognito writes aud when a client
					// asks for a resource) must name in its aud.
					want["MCP_RESOURCE_URL"] = "https://${" + onlyID(t, doc, "AWS::ApiGateway::RestApi") + "}.execute-api.${AWS::Region}.${AWS::URLSuffix}/dev/mcp"
				} else {
					got = env(t, doc, "MCP server")
					delete(got, "MCP_AUTHORIZATION_SERVERS")
					delete(got, "MCP_ALLOWED_ORIGINS")
					delete(got, "MCP_STREAM")
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("verification settings (-want +got):\n%s", diff)
				}
			case stack.VariantHTTP:
				// The gateway verifies: its JWT authorizer trusts the pool and matches the app
				// client's id (Cognito access tokens carry it as client_id, which API Gateway
				// checks when there is no aud), and the /mcp routes require the scope.
				authorizers := resources(doc, "AWS::ApiGatewayV2::Authorizer")
				if len(authorizers) != 1 {
					t.Fatalf("%d HTTP API authorizers, want 1", len(authorizers))
				}
				for _, a := range authorizers {
					got := map[string]string{"AuthorizerType": render(a["AuthorizerType"])}
					if jwt, ok := a["JwtConfiguration"].(map[string]any); ok {
						got["Issuer"], got["Audience"] = render(jwt["Issuer"]), render(jwt["Audience"])
					}
					// The app client (client_id, when a token has no aud), and the endpoint, which a
					// token bound to a resource (RFC 8707) names in its aud.
					endpoint := "https://${" + onlyID(t, doc, "AWS::ApiGatewayV2::Api") + "}.execute-api.${AWS::Region}.${AWS::URLSuffix}/mcp"
					wantAuthorizer := map[string]string{"AuthorizerType": "JWT", "Issuer": "${" + pool + ".ProviderURL}", "Audience": "${" + client + "}," + endpoint}
					if diff := cmp.Diff(wantAuthorizer, got); diff != "" {
						t.Errorf("JWT authorizer (-want +got):\n%s", diff)
					}
				}
				wantRoutes := map[string]string{
					"GET /mcp":    "JWT lambdamcp/mcp",
					"POST /mcp":   "JWT lambdamcp/mcp",
					"DELETE /mcp": "JWT lambdamcp/mcp",
					"GET /.well-known/oauth-protected-resource":     "NONE",
					"GET /.well-known/oauth-protected-resource/mcp": "NONE",
				}
				if diff := cmp.Diff(wantRoutes, httpRoutes(doc)); diff != "" {
					t.Errorf("routes and their authorization (-want +got):\n%s", diff)
				}
			}
			server := env(t, doc, "MCP server")
			if diff := cmp.Diff(issuer, server["MCP_AUTHORIZATION_SERVERS"]); diff != "" {
				t.Errorf("server MCP_AUTHORIZATION_SERVERS (-want +got):\n%s", diff)
			}
			// Whoever verifies, the server publishes the scope as scopes_supported.
			if diff := cmp.Diff("lambdamcp/mcp", server["MCP_REQUIRED_SCOPES"]); diff != "" {
				t.Errorf("server MCP_REQUIRED_SCOPES (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCognitoDeletable checks that a throwaway stack's pool goes with it: protected, it would stay
// in the account, and a protected pool with a Delete policy would make the destroy fail.
func TestCognitoDeletable(t *testing.T) {
	tmpl, _, _ := synth(t, stack.Props{Cognito: true, CognitoDeletable: true})
	catch(t, func() {
		tmpl.HasResource(jsii.String("AWS::Cognito::UserPool"), assertions.Match_ObjectLike(&obj{
			"DeletionPolicy":      "Delete",
			"UpdateReplacePolicy": "Delete",
			"Properties":          assertions.Match_ObjectLike(&obj{"DeletionProtection": "INACTIVE"}),
		}))
	})
}

// TestCORSAllowHeaders checks that headers of the server's own (the Mcp-Param-* headers of
// tools with x-mcp-header) join the MCP headers in each gateway's preflight answer.
func TestCORSAllowHeaders(t *testing.T) {
	for variant, typ := range map[stack.Variant]string{
		stack.VariantREST: "AWS::ApiGateway::Method",
		stack.VariantHTTP: "AWS::ApiGatewayV2::Api",
		stack.VariantURL:  "AWS::Lambda::Url",
	} {
		t.Run(string(variant), func(t *testing.T) {
			_, doc, _ := synth(t, stack.Props{Variant: variant, CORSAllowHeaders: []string{"Mcp-Param-Region"}})
			var found bool
			for _, r := range resources(doc, typ) {
				b, err := json.Marshal(r)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(b), "Mcp-Param-Region") {
					if !strings.Contains(string(b), "Mcp-Method") {
						t.Errorf("%s allows Mcp-Param-Region but no longer Mcp-Method: %s", typ, b)
					}
					found = true
				}
			}
			if !found {
				t.Errorf("no %s allows Mcp-Param-Region", typ)
			}
		})
	}
}

// TestCORSExposeHeaders checks that each gateway's CORS lets a browser read the headers the
// server exposes: where the gateway answers with its own CORS headers, the server's are not seen.
func TestCORSExposeHeaders(t *testing.T) {
	for variant, typ := range map[stack.Variant]string{
		stack.VariantREST: "AWS::ApiGateway::Method",
		stack.VariantHTTP: "AWS::ApiGatewayV2::Api",
		stack.VariantURL:  "AWS::Lambda::Url",
	} {
		t.Run(string(variant), func(t *testing.T) {
			_, doc, _ := synth(t, stack.Props{Variant: variant})
			var exposed []string
			for _, r := range resources(doc, typ) {
				exposed = append(exposed, exposeValues(r)...)
			}
			if len(exposed) == 0 {
				t.Fatalf("no %s exposes a header", typ)
			}
			for _, e := range exposed {
				for _, want := range []string{"WWW-Authenticate", "Mcp-Session-Id", "MCP-Protocol-Version", "Retry-After"} {
					if !strings.Contains(e, want) {
						t.Errorf("%s exposes %s, not %s", typ, e, want)
					}
				}
			}
		})
	}
}

// exposeValues are the values under every key of v that names exposed headers, each list joined.
func exposeValues(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if _, declared := e.(bool); strings.Contains(k, "Expose") && !declared { // a method response declares it: true
				b, _ := json.Marshal(e)
				out = append(out, string(b))
				continue
			}
			out = append(out, exposeValues(e)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, exposeValues(e)...)
		}
	}
	return out
}

// TestServerReservedConcurrency checks that the server function reserves the concurrency asked
// for, the url variant's only limit on callers, and the authorizer none.
func TestServerReservedConcurrency(t *testing.T) {
	for _, variant := range []stack.Variant{stack.VariantURL, stack.VariantREST, stack.VariantHTTP} {
		t.Run(string(variant), func(t *testing.T) {
			_, doc, _ := synth(t, stack.Props{Variant: variant, ServerReservedConcurrency: 10})
			reserved := map[string]any{}
			for _, fn := range resources(doc, "AWS::Lambda::Function") {
				reserved[render(fn["Description"])] = fn["ReservedConcurrentExecutions"]
			}
			for desc, n := range reserved {
				want := any(nil)
				if strings.Contains(desc, "MCP server") {
					want = 10.0
				}
				if n != want {
					t.Errorf("%s: ReservedConcurrentExecutions = %v, want %v", desc, n, want)
				}
			}
		})
	}
}

// TestServerEnv checks that a server of one's own gets its plain settings as given and its
// secrets from NoEcho parameters, and that the authorizer gets neither.
func TestServerEnv(t *testing.T) {
	tmpl, doc, _ := synth(t, stack.Props{
		ServerEnv:       map[string]string{"GREETING": "hello there"},
		ServerSecretEnv: []string{"MCP_REQUEST_STATE_KEY"},
	})
	server := env(t, doc, "lambdamcp MCP server")
	for k, want := range map[string]string{"GREETING": "hello there", "MCP_REQUEST_STATE_KEY": "${ServerSecretMcpRequestStateKey}", "MCP_AUTH_FROM_AUTHORIZER": "1"} {
		if server[k] != want {
			t.Errorf("server %s = %q, want %q (environment %v)", k, server[k], want, server)
		}
	}
	catch(t, func() {
		tmpl.HasParameter(jsii.String("ServerSecretMcpRequestStateKey"), &obj{"NoEcho": true, "Type": "String", "MinLength": 1})
	})
	for k := range env(t, doc, "authorizer") {
		if k == "GREETING" || k == "MCP_REQUEST_STATE_KEY" {
			t.Errorf("the authorizer got the server's %s", k)
		}
	}
}
