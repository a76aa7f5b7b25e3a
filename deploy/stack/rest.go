package stack

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53targets"
	"github.com/aws/jsii-runtime-go"
)

// bearerPattern lets API Gateway answer 401 itself, without calling the authorizer, when the
// Authorization header is not a bearer token (RFC 6750 b64token; the scheme is case-insensitive).
const bearerPattern = `^[Bb][Ee][Aa][Rr][Ee][Rr] [-0-9A-Za-z._~+/]+=*$`

// newRESTAPI declares the default front: an API Gateway REST API whose /mcp calls the server
// through a Lambda proxy integration after a TOKEN authorizer accepted the bearer token.
func newRESTAPI(ctx context.Context, st awscdk.Stack, p Props, a auth) error {
	api := newRESTStage(st, p)
	ep := endpoints{base: executeAPIBase(*api.RestApiId()) + "/" + p.StageName}
	if p.Domain != nil {
		ep = endpoints{base: "https://" + p.Domain.Name, basePath: p.Domain.BasePath}
		if ep.basePath != "" {
			ep.base += "/" + ep.basePath
		}
		newRESTDomain(st, p.Domain, api)
	}
	serverEnv := a.serverEnv(ep, p.CORSAllowOrigins)
	if p.Stream {
		serverEnv[envStream] = jsii.String("rest") // the transfer mode; the event does not say
	}
	server, err := newFunction(ctx, st, p, function{
		id: "Server", dir: p.ServerDir, pkg: p.ServerPackage, description: "lambdamcp MCP server", server: true,
		memoryMB: p.ServerMemoryMB, reserved: p.ServerReservedConcurrency, timeout: p.ServerTimeout,
		env: serverEnv,
	})
	if err != nil {
		return err
	}
	authorizer, err := newFunction(ctx, st, p, authorizerFunction(p, a.authorizerEnv(ep)))
	if err != nil {
		return err
	}
	addRESTMethods(st, api, server, authorizer, p, ep, a.hasMetadata())
	addGatewayResponses(api, ep, p.CORSAllowOrigins, a.requiredScopes(), a.hasMetadata())
	addAlarms(st, p, server, api.DeploymentStage().MetricServerError(alarmSum()))
	ep.output(st, a)
	return nil
}

// newRESTStage declares the API and its stage: tracing, throttling, JSON access logs, and
// execution logs at INFO. Detailed metrics, per method and resource, are billed as custom
// metrics: only when asked for, since the stage's own, which the 5xx alarm watches, come without.
func newRESTStage(st awscdk.Stack, p Props) awsapigateway.RestApi {
	accessLogs := newLogGroup(st, "AccessLogs", nil, p)
	api := awsapigateway.NewRestApi(st, jsii.String("McpApi"), &awsapigateway.RestApiProps{
		// Named after the stack, not the construct ("McpApi"): API Gateway's metrics (and so
		// the 5xx alarm) tell REST APIs apart by name, and two stacks in one account would
		// otherwise share it.
		RestApiName:    st.StackName(),
		Description:    jsii.String("lambdamcp: stateless MCP server on AWS Lambda"),
		EndpointTypes:  &[]awsapigateway.EndpointType{awsapigateway.EndpointType_REGIONAL},
		CloudWatchRole: jsii.Bool(false), // see newAPIGatewayAccountRole
		// With a custom domain, the execute-api host would be a second way in that skips the
		// domain's TLS policy and serves none of the URLs the tokens and metadata name. The
		// setting takes effect with a new deployment of the stage, which the CDK makes: the
		// deployment's logical id hashes the API's properties.
		DisableExecuteApiEndpoint: executeAPIEndpointSetting(p),
		DeployOptions: &awsapigateway.StageOptions{
			StageName:            jsii.String(p.StageName),
			TracingEnabled:       jsii.Bool(true),
			LoggingLevel:         awsapigateway.MethodLoggingLevel_INFO,
			DataTraceEnabled:     jsii.Bool(false), // would log request headers, bearer tokens included
			MetricsEnabled:       jsii.Bool(p.DetailedMetrics),
			ThrottlingRateLimit:  jsii.Number(float64(p.ThrottleRate)),
			ThrottlingBurstLimit: jsii.Number(float64(p.ThrottleBurst)),
			AccessLogDestination: awsapigateway.NewLogGroupLogDestination(accessLogs),
			AccessLogFormat:      awsapigateway.AccessLogFormat_Custom(jsii.String(restAccessLogFormat())),
		},
	})
	if p.executeAPIEndpointOff() {
		// The CDK's own output is the stage's execute-api URL, which then answers 403.
		api.Node().TryRemoveChild(jsii.String("Endpoint"))
	}
	if p.APIGatewayCloudWatchRole {
		// The stage turns on access and execution logs; in an account without a CloudWatch Logs
		// role, API Gateway refuses that, so the role must be set first.
		api.DeploymentStage().Node().AddDependency(newAPIGatewayAccountRole(st))
	}
	// API Gateway creates the execution log group on first use, without retention; owning it
	// here gives it one and removes it with the stack.
	execLogs := newLogGroup(st, "ExecutionLogs",
		jsii.String("API-Gateway-Execution-Logs_"+*api.RestApiId()+"/"+p.StageName), p)
	api.DeploymentStage().Node().AddDependency(execLogs)
	return api
}

// executeAPIEndpointSetting is the API's DisableExecuteApiEndpoint: given whenever there is a
// custom domain, so that keeping the endpoint again turns it back on; absent without one, as it
// always was.
func executeAPIEndpointSetting(p Props) *bool {
	if p.Domain == nil {
		return nil
	}
	return jsii.Bool(p.executeAPIEndpointOff())
}

// addRESTMethods routes /mcp through the authorizer to the server, and the CORS preflight and
// the metadata document around it, also at ep's metadata path when a base path puts it elsewhere.
func addRESTMethods(st awscdk.Stack, api awsapigateway.RestApi, server, authorizerFn awslambda.IFunction, p Props, ep endpoints, withMetadata bool) {
	authorizer := awsapigateway.NewTokenAuthorizer(st, jsii.String("BearerAuthorizer"), &awsapigateway.TokenAuthorizerProps{
		Handler:         authorizerFn,
		IdentitySource:  awsapigateway.IdentitySource_Header(jsii.String(authorizationHeader)),
		ResultsCacheTtl: seconds(max(p.AuthorizerCacheTTL, 0)),
		ValidationRegex: jsii.String(bearerPattern),
	})
	// A stage serves a snapshot of the API, which CloudFormation renews only when the
	// deployment's logical id changes: without the authorizer's settings in it, a changed cache
	// TTL would update the authorizer and leave the old TTL live (aws-cdk#16554).
	api.LatestDeployment().AddToLogicalId(map[string]any{
		"authorizerCacheTtl": max(p.AuthorizerCacheTTL, 0).Seconds(),
		"authorizerIdentity": authorizationHeader,
		"authorizerRegex":    bearerPattern,
	})
	transfer := awsapigateway.ResponseTransferMode_BUFFERED
	if p.Stream {
		transfer = awsapigateway.ResponseTransferMode_STREAM
	}
	integration := awsapigateway.NewLambdaIntegration(server, &awsapigateway.LambdaIntegrationOptions{
		AllowTestInvoke:      jsii.Bool(false),
		Timeout:              seconds(p.integrationTimeout()),
		ResponseTransferMode: transfer,
	})

	mcp := api.Root().AddResource(jsii.String(mcpPath), nil)
	mcp.AddMethod(jsii.String("ANY"), integration, &awsapigateway.MethodOptions{
		AuthorizationType: awsapigateway.AuthorizationType_CUSTOM,
		Authorizer:        authorizer,
	})
	// The preflight is a MOCK integration without authorizer: browsers send no credentials on it.
	preflight := &awsapigateway.CorsOptions{
		AllowOrigins:  strs(p.CORSAllowOrigins...),
		AllowHeaders:  strs(p.corsHeaders()...),
		AllowMethods:  strs("GET", "POST", "DELETE", "OPTIONS"),
		ExposeHeaders: strs(mcpExposedHeaders...),
		MaxAge:        awscdk.Duration_Hours(jsii.Number(1)),
	}
	mcp.AddCorsPreflight(preflight)
	if !withMetadata {
		// Static tokens come from no authorization server (and an issuer that is no URL names
		// none), so the server has no metadata document: a route to it would only let anyone
		// invoke the function for a 404.
		return
	}
	// The metadata too: a browser client that sends MCP-Protocol-Version on discovery is
	// preflighted there, as the http and url variants answer on every path.
	public := &awsapigateway.MethodOptions{AuthorizationType: awsapigateway.AuthorizationType_NONE}
	metadata := api.Root().ResourceForPath(jsii.String(metadataPath))
	metadata.AddMethod(jsii.String("GET"), integration, public)
	metadata.AddCorsPreflight(preflight)
	mcpMetadata := metadata.AddResource(jsii.String(mcpPath), nil)
	mcpMetadata.AddMethod(jsii.String("GET"), integration, public)
	mcpMetadata.AddCorsPreflight(preflight)
	if ep.metadataSuffix() != metadataPathForMCP {
		// Behind a base path the challenges name the metadata by the endpoint's whole path, which
		// API Gateway hands the function without the base path in front.
		named := api.Root().ResourceForPath(jsii.String(ep.metadataSuffix()))
		named.AddMethod(jsii.String("GET"), integration, public)
		named.AddCorsPreflight(preflight)
	}
}

// addGatewayResponses makes the gateway's own error answers JSON with CORS headers, and its 401
// and 403 point at the metadata document when there is one (withMetadata: tokens an
// authorization server issues; static tokens and an issuer that is no URL have none, since a
// document must name an authorization server by its URL); both also name the required scopes, if any. A
// WWW-Authenticate header set by the function is renamed by API Gateway REST (to
// x-amzn-Remapped-WWW-Authenticate), and authorizer denials never reach the function, so Gateway
// Responses are the only place for it.
func addGatewayResponses(api awsapigateway.RestApi, ep endpoints, origins []string, scopes []string, withMetadata bool) {
	cors := map[string]string{
		"Access-Control-Allow-Origin":   origins[0],
		"Access-Control-Expose-Headers": "WWW-Authenticate",
	}
	if len(origins) > 1 {
		// A gateway response has no request to match the origin against. Any origin may read it:
		// it holds an error and a challenge, nothing of the caller's, and a browser client must read
		// the 401's WWW-Authenticate to find the authorization server.
		cors["Access-Control-Allow-Origin"] = "*"
	}
	// Both name the scopes a token needs, if any (MCP authorization: the server SHOULD include
	// scope in the challenge), as the in-process middleware does.
	var params []string
	if withMetadata {
		params = append(params, `resource_metadata="`+ep.metadata()+`"`)
	}
	if len(scopes) > 0 {
		params = append(params, `scope="`+strings.Join(scopes, " ")+`"`)
	}
	// RFC 6750 section 3: the scheme is followed by at least one auth-param.
	challenge := `Bearer realm="mcp"`
	if len(params) > 0 {
		challenge = `Bearer ` + strings.Join(params, ", ")
	}
	denied := `Bearer ` + strings.Join(append([]string{`error="insufficient_scope"`}, params...), ", ")
	for _, r := range []struct {
		id        string
		typ       awsapigateway.ResponseType
		status    string
		challenge string
		body      string
	}{
		{"Unauthorized", awsapigateway.ResponseType_UNAUTHORIZED(), "401", challenge,
			errorBody("invalid_token")},
		{"AccessDenied", awsapigateway.ResponseType_ACCESS_DENIED(), "403", denied,
			errorBody("insufficient_scope")},
		// The stage's rate or burst limit, or the account's: the client should slow down, not
		// fix its request.
		{"Throttled", awsapigateway.ResponseType_THROTTLED(), "429", "", errorBody("throttled")},
		// A body over API Gateway's 10 MB payload limit.
		{"RequestTooLarge", awsapigateway.ResponseType_REQUEST_TOO_LARGE(), "413", "", errorBody("request_too_large")},
		// No method matches the request's path and method. API Gateway answers 403 "Missing
		// Authentication Token", which tells a client probing for a metadata document (RFC 9728)
		// that none is routed, or one that calls a wrong path, that it lacks credentials.
		// (A request that carries an Authorization header may be answered there otherwise:
		// reports have API Gateway take the header for a SigV4 signature and quote it back in a
		// 403, a response type that cannot be set, which DEFAULT_4XX below answers.)
		{"MissingRoute", awsapigateway.ResponseType_MISSING_AUTHENTICATION_TOKEN(), "404", "", noRoute},
		// Anything else keeps its own status. (API Gateway's usage plans, API keys, IAM
		// signatures, request validators and WAF, with response types of their own, are not
		// configured here.)
		{"Default4xx", awsapigateway.ResponseType_DEFAULT_4XX(), "", "", errorBody("bad_request")},
		{"Default5xx", awsapigateway.ResponseType_DEFAULT_5XX(), "", "", errorBody("server_error")},
	} {
		headers := map[string]*string{}
		for k, v := range cors {
			headers[k] = jsii.String(quote(v))
		}
		if r.challenge != "" {
			headers["WWW-Authenticate"] = jsii.String(quote(r.challenge))
		}
		api.AddGatewayResponse(jsii.String(r.id), &awsapigateway.GatewayResponseOptions{
			Type:            r.typ,
			StatusCode:      optional(r.status),
			ResponseHeaders: &headers,
			Templates:       &map[string]*string{"application/json": jsii.String(r.body)},
		})
	}
}

// noRoute is the body of the answers to a path or method without a route.
const noRoute = `{"error":"not_found","message":"no route for this method and path"}`

// errorBody is a Gateway Response body naming the error and carrying API Gateway's message,
// which messageString gives already quoted.
func errorBody(name string) string {
	return `{"error":"` + name + `","message":$context.error.messageString}`
}

// quote makes a static Gateway Response header value.
func quote(v string) string { return "'" + v + "'" }

// restAccessLogFormat is one JSON object per request; it names the authorizer's outcome but no
// header values, so no token reaches the logs. API Gateway's error message is left out for its
// type: a request with an Authorization header on a path without a route can be answered with a
// message that quotes the header, bearer token and all, taken for a SigV4 signature.
func restAccessLogFormat() string {
	fields := map[string]string{
		"requestId":          "$context.requestId",
		"extendedRequestId":  "$context.extendedRequestId",
		"ip":                 "$context.identity.sourceIp",
		"userAgent":          "$context.identity.userAgent",
		"requestTime":        "$context.requestTime",
		"httpMethod":         "$context.httpMethod",
		"path":               "$context.path",
		"resourcePath":       "$context.resourcePath",
		"protocol":           "$context.protocol",
		"status":             "$context.status",
		"responseLength":     "$context.responseLength",
		"responseLatency":    "$context.responseLatency",
		"integrationLatency": "$context.integration.latency",
		"integrationStatus":  "$context.integration.status",
		"integrationError":   "$context.integration.error",
		"principalId":        "$context.authorizer.principalId",
		"authorizerStatus":   "$context.authorizer.status",
		"authorizerLatency":  "$context.authorizer.latency",
		"authorizerError":    "$context.authorizer.error",
		"errorType":          "$context.error.responseType",
		"xrayTraceId":        "$context.xrayTraceId",
	}
	b, _ := json.Marshal(fields) // a string map always encodes
	return string(b)
}

// newRESTDomain maps a custom domain at the root of the API, so that /.well-known/… is at the
// host root where RFC 9728 clients look, or under d.BasePath when given (where the challenges'
// resource_metadata is the way to the metadata), and points an alias record at it when a zone is
// given. The CDK maps one level with an AWS::ApiGateway::BasePathMapping and several, which API
// Gateway maps only through its v2 API, with an AWS::ApiGatewayV2::ApiMapping.
func newRESTDomain(st awscdk.Stack, d *Domain, api awsapigateway.RestApi) {
	domain := awsapigateway.NewDomainName(st, jsii.String("CustomDomain"), &awsapigateway.DomainNameProps{
		DomainName:     jsii.String(d.Name),
		Certificate:    awscertificatemanager.Certificate_FromCertificateArn(st, jsii.String("Certificate"), jsii.String(d.CertificateARN)),
		EndpointType:   awsapigateway.EndpointType_REGIONAL,
		SecurityPolicy: awsapigateway.SecurityPolicy_TLS_1_2,
		Mapping:        api,
		BasePath:       optional(d.BasePath),
	})
	if d.HostedZoneID == "" {
		return
	}
	zone := awsroute53.HostedZone_FromHostedZoneAttributes(st, jsii.String("Zone"), &awsroute53.HostedZoneAttributes{
		HostedZoneId: jsii.String(d.HostedZoneID),
		ZoneName:     jsii.String(d.HostedZoneName),
	})
	awsroute53.NewARecord(st, jsii.String("CustomDomainAlias"), &awsroute53.ARecordProps{
		Zone:       zone,
		RecordName: jsii.String(d.Name),
		Target:     awsroute53.RecordTarget_FromAlias(awsroute53targets.NewApiGatewayDomain(domain)),
	})
}
