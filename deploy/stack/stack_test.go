package stack_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/deploy/stack"
)

type obj = map[string]any

// onlyID returns the logical id of the single resource of type typ.
func onlyID(t *testing.T, doc map[string]any, typ string) string {
	t.Helper()
	res := resources(doc, typ)
	if len(res) != 1 {
		t.Fatalf("%d resources of type %s, want 1", len(res), typ)
	}
	for id := range res {
		return id
	}
	return ""
}

// checkCommon holds for every variant: the functions, their logs and roles, and the output.
func checkCommon(t *testing.T, tmpl assertions.Template, doc map[string]any, buildDir string, retentionDays int) {
	t.Helper()
	catch(t, func() {
		tmpl.AllResourcesProperties(jsii.String("AWS::Lambda::Function"), assertions.Match_ObjectLike(&obj{
			"Runtime":       "provided.al2023",
			"Architectures": []any{"arm64"},
			"Handler":       "bootstrap",
			"TracingConfig": obj{"Mode": "Active"},
			"LoggingConfig": assertions.Match_ObjectLike(&obj{"LogFormat": "JSON", "LogGroup": assertions.Match_AnyValue()}),
		}))
	})
	catch(t, func() {
		tmpl.AllResourcesProperties(jsii.String("AWS::Logs::LogGroup"), assertions.Match_ObjectLike(&obj{
			"RetentionInDays": retentionDays,
		}))
	})
	catch(t, func() {
		tmpl.AllResources(jsii.String("AWS::Logs::LogGroup"), assertions.Match_ObjectLike(&obj{
			"DeletionPolicy":      "Delete",
			"UpdateReplacePolicy": "Delete",
		}))
	})
	catch(t, func() { tmpl.HasOutput(jsii.String("McpServerEndpoint"), assertions.Match_AnyValue()) })
	checkLeastPrivilege(t, doc)
	checkLogWrite(t, doc)
	checkArm64(t, buildDir)
}

func TestRESTVariant(t *testing.T) {
	for _, tc := range []struct {
		name       string
		props      stack.Props
		functions  int
		logGroups  int
		ttl        int
		timeout    int // function timeout in seconds; the integration waits 1 s more
		stream     bool
		stage      string
		wantBase   func(apiID string) string
		authorizer map[string]string // authorizer function environment
	}{
		{
			name:      "default",
			props:     stack.Props{},
			functions: 2, logGroups: 4, ttl: 300, timeout: 10, stage: "dev",
			wantBase: func(api string) string {
				return "https://${" + api + "}.execute-api.${AWS::Region}.${AWS::URLSuffix}/dev"
			},
			authorizer: map[string]string{"MCP_AUTH_TOKEN_SHA256": "${AuthTokenSha256}"},
		},
		{
			name:      "stream",
			props:     stack.Props{Stream: true, StageName: "prod", AuthorizerCacheTTL: -1, LogRetentionDays: 7, APIGatewayCloudWatchRole: true},
			functions: 2, logGroups: 4, ttl: 0, timeout: 60, stream: true, stage: "prod",
			wantBase: func(api string) string {
				return "https://${" + api + "}.execute-api.${AWS::Region}.${AWS::URLSuffix}/prod"
			},
			authorizer: map[string]string{"MCP_AUTH_TOKEN_SHA256": "${AuthTokenSha256}"},
		},
		{
			name: "jwt and custom domain",
			props: stack.Props{
				AuthorizerCacheTTL: 60 * time.Second,
				JWT: &stack.JWT{Issuer: "https://issuer.example.com/", Audience: "https://mcp.example.com/mcp",
					RequiredScopes: []string{"mcp:tools", "mcp:read"}, ScopeImplies: map[string][]string{"mcp:admin": {"mcp:tools", "mcp:read"}}},
				Domain: &stack.Domain{Name: "mcp.example.com", CertificateARN: "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
					HostedZoneID: "Z123", HostedZoneName: "example.com"},
			},
			functions: 2, logGroups: 4, ttl: 60, timeout: 10, stage: "dev",
			wantBase: func(string) string { return "https://mcp.example.com" },
			authorizer: map[string]string{
				// No MCP_JWT_JWKS_URL: the issuer's discovery document names the keys.
				"MCP_JWT_ISSUER":      "https://issuer.example.com/",
				"MCP_JWT_AUDIENCE":    "https://mcp.example.com/mcp",
				"MCP_REQUIRED_SCOPES": "mcp:tools mcp:read",
				"MCP_SCOPE_IMPLIES":   "mcp:admin=mcp:tools mcp:read",
				// What a token with its audience in client_id must name in its aud.
				"MCP_RESOURCE_URL": "https://mcp.example.com/mcp",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, doc, buildDir := synth(t, tc.props)
			retention := tc.props.LogRetentionDays
			if retention == 0 {
				retention = 30
			}
			checkCommon(t, tmpl, doc, buildDir, retention)
			// The metadata is routed for JWTs only: static tokens have no document, and a route
			// would let anyone invoke the function for a 404.
			jwt := tc.props.JWT != nil
			for typ, n := range map[string]int{
				"AWS::Lambda::Function":            tc.functions,
				"AWS::Logs::LogGroup":              tc.logGroups,
				"AWS::ApiGateway::RestApi":         1,
				"AWS::ApiGateway::Authorizer":      1,
				"AWS::ApiGateway::Method":          2 + 4*b2i(jwt),
				"AWS::ApiGateway::GatewayResponse": 7,
				"AWS::ApiGateway::Stage":           1,
				"AWS::ApiGateway::Account":         b2i(tc.props.APIGatewayCloudWatchRole),
				"AWS::IAM::Role":                   tc.functions + b2i(tc.props.APIGatewayCloudWatchRole),
			} {
				catch(t, func() { tmpl.ResourceCountIs(jsii.String(typ), jsii.Number(n)) })
			}

			wantMethods := map[string]string{
				"ANY /mcp":     "CUSTOM",
				"OPTIONS /mcp": "NONE",
			}
			if jwt {
				wantMethods["GET /.well-known/oauth-protected-resource"] = "NONE"
				wantMethods["GET /.well-known/oauth-protected-resource/mcp"] = "NONE"
				wantMethods["OPTIONS /.well-known/oauth-protected-resource"] = "NONE"
				wantMethods["OPTIONS /.well-known/oauth-protected-resource/mcp"] = "NONE"
			}
			if diff := cmp.Diff(wantMethods, restMethodPaths(doc)); diff != "" {
				t.Errorf("methods and their authorization (-want +got):\n%s", diff)
			}

			catch(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Authorizer"), &obj{
					"Type":                         "TOKEN",
					"IdentitySource":               "method.request.header.Authorization",
					"AuthorizerResultTtlInSeconds": tc.ttl,
					"IdentityValidationExpression": assertions.Match_AnyValue(),
				})
			})
			integration := obj{
				"Type":            "AWS_PROXY",
				"TimeoutInMillis": (tc.timeout + 1) * 1000,
			}
			if tc.stream {
				integration["ResponseTransferMode"] = "STREAM"
				integration["Uri"] = assertions.Match_ObjectLike(&obj{"Fn::Join": assertions.Match_ArrayWith(&[]any{
					assertions.Match_ArrayWith(&[]any{assertions.Match_StringLikeRegexp(jsii.String("response-streaming-invocations"))}),
				})})
			}
			catch(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), &obj{
					"HttpMethod":  "ANY",
					"Integration": assertions.Match_ObjectLike(&integration),
				})
			})
			catch(t, func() {
				tmpl.AllResourcesProperties(jsii.String("AWS::Lambda::Function"), assertions.Match_ObjectLike(&obj{
					"Timeout": assertions.Match_AnyValue(),
				}))
			})
			catch(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), &obj{
					"StageName":      tc.stage,
					"TracingEnabled": true,
					"AccessLogSetting": assertions.Match_ObjectLike(&obj{
						"Format": assertions.Match_StringLikeRegexp(jsii.String(`^\{.*"requestId":"\$context.requestId".*\}$`)),
					}),
					"MethodSettings": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&obj{
						"ThrottlingRateLimit": 50, "ThrottlingBurstLimit": 100, "DataTraceEnabled": false,
						"LoggingLevel": "INFO",
					})}),
				})
			})
			catch(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::RestApi"), &obj{
					"EndpointConfiguration": obj{"Types": []any{"REGIONAL"}},
				})
			})
			// API Gateway writes execution logs to a group of this name, and creates it, without
			// retention, if the stage logs before the stack's exists.
			execLogs := ""
			for id, g := range resources(doc, "AWS::Logs::LogGroup") {
				if render(g["LogGroupName"]) == "API-Gateway-Execution-Logs_${"+onlyID(t, doc, "AWS::ApiGateway::RestApi")+"}/"+tc.stage {
					execLogs = id
				}
			}
			if execLogs == "" {
				t.Errorf("no log group named for the stage's execution logs")
			} else if deps := dependsOn(doc, onlyID(t, doc, "AWS::ApiGateway::Stage")); !slices.Contains(deps, execLogs) {
				t.Errorf("stage depends on %v, not on its execution log group %s", deps, execLogs)
			}

			api := onlyID(t, doc, "AWS::ApiGateway::RestApi")
			base := tc.wantBase(api)
			metadata := base + "/.well-known/oauth-protected-resource/mcp"
			checkOutput(t, doc, "McpServerEndpoint", base+"/mcp")

			server := env(t, doc, "MCP server")
			wantServer := map[string]string{
				"MCP_AUTH_FROM_AUTHORIZER": "1",
				"MCP_RESOURCE_URL":         base + "/mcp",
				"MCP_ALLOWED_ORIGINS":      "*",
			}
			// Static tokens come from no authorization server, and a metadata document must
			// name one: there is none to publish or point at.
			if tc.props.JWT == nil {
				checkNoOutput(t, doc, "ProtectedResourceMetadataUrl")
			}
			if tc.props.JWT != nil {
				checkOutput(t, doc, "ProtectedResourceMetadataUrl", metadata)
				wantServer["MCP_RESOURCE_METADATA_URL"] = metadata // the default would put the stage after /.well-known/…
				wantServer["MCP_AUTHORIZATION_SERVERS"] = tc.props.JWT.Issuer
				// Published as scopes_supported in the metadata document.
				wantServer["MCP_REQUIRED_SCOPES"] = strings.Join(tc.props.JWT.RequiredScopes, " ")
				if tc.props.JWT.ScopeImplies != nil {
					wantServer["MCP_SCOPE_IMPLIES"] = "mcp:admin=mcp:tools mcp:read" // the server behind checks them too
				}
			}
			if tc.stream {
				wantServer["MCP_STREAM"] = "rest"
			}
			if diff := cmp.Diff(wantServer, server); diff != "" {
				t.Errorf("server environment (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.authorizer, env(t, doc, "authorizer")); diff != "" {
				t.Errorf("authorizer environment (-want +got):\n%s", diff)
			}
			for _, fn := range resources(doc, "AWS::Lambda::Function") {
				want, wantMemory := float64(10), float64(256)
				if render(fn["Description"]) == "lambdamcp MCP server" {
					want, wantMemory = float64(tc.timeout), 512
				}
				if got := fn["Timeout"]; got != want {
					t.Errorf("%s: timeout %v, want %v", render(fn["Description"]), got, want)
				}
				if got := fn["MemorySize"]; got != wantMemory {
					t.Errorf("%s: memory %v MB, want %v", render(fn["Description"]), got, wantMemory)
				}
			}

			// API Gateway may invoke the server only through the stage's methods, and the authorizer
			// only as this API's authorizer.
			invokeServer := "${" + functionID(t, doc, "lambdamcp MCP server") + ".Arn} lambda:InvokeFunction Principal=apigateway.amazonaws.com"
			invokeAuthorizer := "${" + functionID(t, doc, "lambdamcp bearer token authorizer") + ".Arn} lambda:InvokeFunction Principal=apigateway.amazonaws.com"
			arn := "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${" + api + "}"
			stage := arn + "/${" + onlyID(t, doc, "AWS::ApiGateway::Stage") + "}"
			wantPermissions := []string{
				invokeAuthorizer + " SourceArn=" + arn + "/authorizers/${" + onlyID(t, doc, "AWS::ApiGateway::Authorizer") + "}",
				invokeServer + " SourceArn=" + stage + "/*/mcp",
			}
			if jwt {
				wantPermissions = append(wantPermissions,
					invokeServer+" SourceArn="+stage+"/GET/.well-known/oauth-protected-resource",
					invokeServer+" SourceArn="+stage+"/GET/.well-known/oauth-protected-resource/mcp")
			}
			slices.Sort(wantPermissions)
			if diff := cmp.Diff(wantPermissions, permissions(doc)); diff != "" {
				t.Errorf("Lambda permissions (-want +got):\n%s", diff)
			}

			responses := map[string]map[string]string{}
			for _, r := range resources(doc, "AWS::ApiGateway::GatewayResponse") {
				headers := map[string]string{}
				params, _ := r["ResponseParameters"].(map[string]any)
				for k, v := range params {
					headers[k] = render(v)
				}
				templ, _ := r["ResponseTemplates"].(map[string]any)
				headers["body"] = render(templ["application/json"])
				status, _ := r["StatusCode"].(string)
				responses[render(r["ResponseType"])+" "+status] = headers
			}
			cors := func(h map[string]string) map[string]string {
				h["gatewayresponse.header.Access-Control-Allow-Origin"] = "'*'"
				h["gatewayresponse.header.Access-Control-Expose-Headers"] = "'WWW-Authenticate'"
				return h
			}
			// Both challenges name the required scopes, if any, and the metadata when tokens come
			// from an authorization server: static tokens have no metadata document, which
			// would have to name one.
			challenge, denied := `'Bearer realm="mcp"'`, `'Bearer error="insufficient_scope"'`
			if tc.props.JWT != nil {
				challenge = `'Bearer resource_metadata="` + metadata + `"'`
				denied = `'Bearer error="insufficient_scope", resource_metadata="` + metadata + `"'`
			}
			if tc.props.JWT != nil {
				scope := `, scope="` + strings.Join(tc.props.JWT.RequiredScopes, " ") + `"'`
				challenge = strings.TrimSuffix(challenge, "'") + scope
				denied = strings.TrimSuffix(denied, "'") + scope
			}
			// Each body names its cause; the message is API Gateway's own, which messageString
			// gives as an escaped JSON string.
			body := func(name string) string {
				return `{"error":"` + name + `","message":$context.error.messageString}`
			}
			wantResponses := map[string]map[string]string{
				"UNAUTHORIZED 401": cors(map[string]string{
					"gatewayresponse.header.WWW-Authenticate": challenge,
					"body": body("invalid_token"),
				}),
				"ACCESS_DENIED 403": cors(map[string]string{
					"gatewayresponse.header.WWW-Authenticate": denied,
					"body": body("insufficient_scope"),
				}),
				"THROTTLED 429":         cors(map[string]string{"body": body("throttled")}),
				"REQUEST_TOO_LARGE 413": cors(map[string]string{"body": body("request_too_large")}),
				// API Gateway's own 403 "Missing Authentication Token" for a path or method
				// without a route would send a client after credentials.
				"MISSING_AUTHENTICATION_TOKEN 404": cors(map[string]string{
					"body": `{"error":"not_found","message":"no route for this method and path"}`,
				}),
				"DEFAULT_4XX ": cors(map[string]string{"body": body("bad_request")}),
				"DEFAULT_5XX ": cors(map[string]string{"body": body("server_error")}),
			}
			if diff := cmp.Diff(wantResponses, responses); diff != "" {
				t.Errorf("gateway responses (-want +got):\n%s", diff)
			}

			if tc.props.APIGatewayCloudWatchRole {
				// Shared by every REST API of the account and region: it stays when the stack goes.
				catch(t, func() {
					tmpl.HasResource(jsii.String("AWS::ApiGateway::Account"), assertions.Match_ObjectLike(&obj{
						"DeletionPolicy": "Retain",
						"Properties":     obj{"CloudWatchRoleArn": assertions.Match_AnyValue()},
					}))
				})
				// The stage turns logging on, which API Gateway refuses until the account has the role.
				account := onlyID(t, doc, "AWS::ApiGateway::Account")
				stage := onlyID(t, doc, "AWS::ApiGateway::Stage")
				if deps := dependsOn(doc, stage); !slices.Contains(deps, account) {
					t.Errorf("stage %s depends on %v, not on the account settings %s", stage, deps, account)
				}
			}
			if tc.props.JWT == nil {
				catch(t, func() {
					tmpl.HasParameter(jsii.String("AuthTokenSha256"), &obj{"NoEcho": true, "AllowedPattern": assertions.Match_AnyValue()})
				})
				checkTokenHashPattern(t, doc)
			}
			if tc.props.Domain != nil {
				catch(t, func() {
					tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::DomainName"), &obj{
						"DomainName": "mcp.example.com",
						// A regional domain takes a certificate of the API's region (an edge-optimized
						// one, through CloudFront, one of us-east-1), which withDefaults checks.
						"EndpointConfiguration":  obj{"Types": []any{"REGIONAL"}},
						"RegionalCertificateArn": tc.props.Domain.CertificateARN,
						"SecurityPolicy":         "TLS_1_2",
					})
				})
				catch(t, func() {
					tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::BasePathMapping"), assertions.Match_ObjectLike(&obj{
						"BasePath": assertions.Match_Absent(),
					}))
				})
				catch(t, func() {
					tmpl.HasResourceProperties(jsii.String("AWS::Route53::RecordSet"), assertions.Match_ObjectLike(&obj{
						"Name": "mcp.example.com.", "Type": "A",
					}))
				})
			}
		})
	}
}

// checkTokenHashPattern checks that the token hash parameter takes what the README has users
// give, one hash as sha256sum prints it or several separated by commas, and refuses at deploy a
// value the functions could not use, such as the token itself.
func checkTokenHashPattern(t *testing.T, doc map[string]any) {
	t.Helper()
	params, _ := doc["Parameters"].(map[string]any)
	param, _ := params["AuthTokenSha256"].(map[string]any)
	pattern, err := regexp.Compile(render(param["AllowedPattern"]))
	if err != nil {
		t.Fatalf("AuthTokenSha256 AllowedPattern: %v", err)
	}
	hash := strings.Repeat("0123456789abcdef", 4)
	for _, tc := range []struct {
		value string
		want  bool
	}{
		{hash, true},
		{hash + "," + hash, true},
		{hash + "," + hash + "," + hash, true},
		{"", false},
		{hash[:63], false},
		{hash + ",", false},
		{"0c5b0f0e-token-itself", false},
	} {
		if got := pattern.MatchString(tc.value); got != tc.want {
			t.Errorf("AuthTokenSha256 AllowedPattern %s matches %q: %v, want %v", pattern, tc.value, got, tc.want)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestStreamingAtLambdaLimit: a streamed REST integration may wait as long as the function may
// run, 15 minutes, which is also the longest API Gateway streams a response.
func TestStreamingAtLambdaLimit(t *testing.T) {
	tmpl, _, _ := synth(t, stack.Props{Stream: true, ServerTimeout: 15 * time.Minute})
	catch(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), &obj{
			"HttpMethod": "ANY",
			"Integration": assertions.Match_ObjectLike(&obj{
				"ResponseTransferMode": "STREAM",
				"TimeoutInMillis":      900000,
			}),
		})
	})
	catch(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), assertions.Match_ObjectLike(&obj{
			"Description": "lambdamcp MCP server",
			"Timeout":     900,
		}))
	})
}

// TestRESTRedeploysOnAuthorizerChange checks that changing the authorizer's cache TTL changes the
// deployment's logical id, so that CloudFormation deploys the stage anew: a stage serves a
// snapshot, and the old TTL would otherwise stay live. It also checks that with several CORS
// origins the gateway's own answers (401, 403, 4XX, 5XX) may be read by any of them.
func TestRESTRedeploysOnAuthorizerChange(t *testing.T) {
	_, before, _ := synth(t, stack.Props{})
	_, after, _ := synth(t, stack.Props{AuthorizerCacheTTL: time.Minute})
	if a, b := onlyID(t, before, "AWS::ApiGateway::Deployment"), onlyID(t, after, "AWS::ApiGateway::Deployment"); a == b {
		t.Errorf("deployment %s kept its logical id across a cache TTL change", a)
	}
	_, origins, _ := synth(t, stack.Props{CORSAllowOrigins: []string{"https://a.example", "https://b.example"}})
	for _, r := range resources(origins, "AWS::ApiGateway::GatewayResponse") {
		params, _ := r["ResponseParameters"].(map[string]any)
		if got := render(params["gatewayresponse.header.Access-Control-Allow-Origin"]); got != "'*'" {
			t.Errorf("%s: Access-Control-Allow-Origin %s, want '*'", render(r["ResponseType"]), got)
		}
	}
}

// TestLogRetention checks that every log group of the stack keeps its logs as long as asked:
// the days given, or, with LogRetentionNever, forever, which CloudFormation writes as a log
// group without RetentionInDays.
func TestLogRetention(t *testing.T) {
	for _, tc := range []struct {
		name  string
		props stack.Props
		want  string // each log group's RetentionInDays; "" for none
	}{
		{"rest, default", stack.Props{}, "30"},
		{"rest, never", stack.Props{LogRetentionDays: stack.LogRetentionNever}, ""},
		{"url, ten years", stack.Props{Variant: stack.VariantURL, LogRetentionDays: 3653}, "3653"},
		{"url, never", stack.Props{Variant: stack.VariantURL, LogRetentionDays: stack.LogRetentionNever}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, doc, _ := synth(t, tc.props)
			groups := resources(doc, "AWS::Logs::LogGroup")
			if len(groups) == 0 {
				t.Fatal("no log groups")
			}
			want, got := map[string]string{}, map[string]string{}
			for id, r := range groups {
				want[id] = tc.want
				if v, ok := r["RetentionInDays"]; ok {
					got[id] = render(v)
				} else {
					got[id] = ""
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("log groups' RetentionInDays (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAccessLogDestination checks that an API stage's access log destination is the log group's
// ARN in the form AWS documents for it (arn:…:log-group:NAME), without the ":*" of the log
// group's Arn attribute: API Gateway REST stores the ARN without it, so CloudFormation drift
// detection would report the stage as modified on every run, and the HTTP API's logging page
// names the same form.
func TestAccessLogDestination(t *testing.T) {
	for _, tc := range []struct {
		name     string
		props    stack.Props
		stage    string // resource type
		settings string // its access log property
	}{
		{"rest", stack.Props{}, "AWS::ApiGateway::Stage", "AccessLogSetting"},
		{"http", stack.Props{Variant: stack.VariantHTTP}, "AWS::ApiGatewayV2::Stage", "AccessLogSettings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, doc, _ := synth(t, tc.props)
			stage := resources(doc, tc.stage)[onlyID(t, doc, tc.stage)]
			setting, _ := stage[tc.settings].(map[string]any)
			var logs []string
			for id := range resources(doc, "AWS::Logs::LogGroup") {
				if strings.HasPrefix(id, "AccessLogs") {
					logs = append(logs, id)
				}
			}
			if len(logs) != 1 {
				t.Fatalf("access log groups %v, want one", logs)
			}
			want := "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${" + logs[0] + "}"
			if diff := cmp.Diff(want, render(setting["DestinationArn"])); diff != "" {
				t.Errorf("access log destination (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAccessLogHoldsNoToken checks that no field of an API stage's access log (REST, HTTP API)
// can carry the bearer token: the log group is readable by whoever may read the account's logs,
// for as long as its retention. API Gateway's error message is left out on both for its type.
func TestAccessLogHoldsNoToken(t *testing.T) {
	for _, tc := range []struct {
		name     string
		props    stack.Props
		stage    string // resource type
		settings string // its access log property
	}{
		{"rest", stack.Props{}, "AWS::ApiGateway::Stage", "AccessLogSetting"},
		{"http", stack.Props{Variant: stack.VariantHTTP}, "AWS::ApiGatewayV2::Stage", "AccessLogSettings"},
		{"http jwt", stack.Props{Variant: stack.VariantHTTP, JWT: &stack.JWT{Issuer: "https://issuer.example.com/", Audience: "mcp"}},
			"AWS::ApiGatewayV2::Stage", "AccessLogSettings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, doc, _ := synth(t, tc.props)
			stage := resources(doc, tc.stage)[onlyID(t, doc, tc.stage)]
			setting, _ := stage[tc.settings].(map[string]any)
			var fields map[string]string
			if err := json.Unmarshal([]byte(render(setting["Format"])), &fields); err != nil {
				t.Fatalf("access log format is not a JSON object of strings: %v", err)
			}
			for _, banned := range []struct {
				variable string
				why      string
			}{
				{"$context.error.message", "can quote an Authorization header (on REST, taken for a SigV4 signature)"},
				{"$context.error.messageString", "the same message, quoted"},
				{"$input.", "the request's headers and body"},
				{"$method.request.", "the request's headers"},
				{"$request.", "the request's headers, query and body"},
				{"$context.authorizer.claims", "a JWT's or Cognito user pool's claims"},
			} {
				for name, value := range fields {
					if strings.Contains(value, banned.variable) {
						t.Errorf("access log field %s = %s: %s %s", name, value, banned.variable, banned.why)
					}
				}
			}
			if diff := cmp.Diff("$context.error.responseType", fields["errorType"]); diff != "" {
				t.Errorf("access log errorType (-want +got):\n%s", diff)
			}
		})
	}
}
