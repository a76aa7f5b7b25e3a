package stack

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2authorizers"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/jsii-runtime-go"
)

// newHTTPAPI declares an API Gateway HTTP API (v2) in front of the server: cheaper and faster
// than REST, on its $default stage so /.well-known/… is at the host root. Its authorizer is the
// HTTP API's own JWT authorizer when tokens are JWTs, else the Lambda authorizer with simple
// responses. HTTP APIs offer neither Gateway Responses nor X-Ray: their 401 carries no
// WWW-Authenticate, and clients find the metadata document at its well-known location instead.
func newHTTPAPI(ctx context.Context, st awscdk.Stack, p Props, a auth) error {
	api := awsapigatewayv2.NewHttpApi(st, jsii.String("McpHttpApi"), &awsapigatewayv2.HttpApiProps{
		Description:        jsii.String("lambdamcp: stateless MCP server on AWS Lambda"),
		CreateDefaultStage: jsii.Bool(false),
		// API Gateway answers preflights itself, before any authorizer, when CORS is configured.
		CorsPreflight: &awsapigatewayv2.CorsPreflightOptions{
			AllowOrigins:  strs(p.CORSAllowOrigins...),
			AllowHeaders:  strs(p.corsHeaders()...),
			AllowMethods:  &[]awsapigatewayv2.CorsHttpMethod{awsapigatewayv2.CorsHttpMethod_GET, awsapigatewayv2.CorsHttpMethod_POST, awsapigatewayv2.CorsHttpMethod_DELETE, awsapigatewayv2.CorsHttpMethod_OPTIONS},
			ExposeHeaders: strs(mcpExposedHeaders...),
			MaxAge:        awscdk.Duration_Hours(jsii.Number(1)),
		},
	})
	accessLogs := newLogGroup(st, "AccessLogs", nil, p)
	stage := awsapigatewayv2.NewHttpStage(st, jsii.String("DefaultStage"), &awsapigatewayv2.HttpStageProps{
		HttpApi:    api,
		StageName:  jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		Throttle: &awsapigatewayv2.ThrottleSettings{
			RateLimit:  jsii.Number(float64(p.ThrottleRate)),
			BurstLimit: jsii.Number(float64(p.ThrottleBurst)),
		},
	})
	// The L2 stage takes access log settings only as a jsii interface; the L1 property is plain data.
	// The destination is the log group's ARN in the form AWS documents for HTTP API access logs
	// (arn:…:log-group:NAME), as on the REST stage, whose API stores it so; the log group's Arn
	// attribute ends with ":*", the form IAM policies need, which drift detection would compare
	// with the stored value.
	stage.Node().DefaultChild().(awsapigatewayv2.CfnStage).SetAccessLogSettings(&awsapigatewayv2.CfnStage_AccessLogSettingsProperty{
		DestinationArn: st.FormatArn(&awscdk.ArnComponents{
			Service:      jsii.String("logs"),
			Resource:     jsii.String("log-group"),
			ResourceName: accessLogs.LogGroupName(),
			ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
		}),
		Format: jsii.String(httpAccessLogFormat()),
	})

	ep := endpoints{base: executeAPIBase(*api.ApiId())}
	server, err := newFunction(ctx, st, p, function{
		id: "Server", dir: p.ServerDir, pkg: p.ServerPackage, description: "lambdamcp MCP server", server: true,
		memoryMB: p.ServerMemoryMB, reserved: p.ServerReservedConcurrency, timeout: p.ServerTimeout,
		env: a.serverEnv(ep, p.CORSAllowOrigins),
	})
	if err != nil {
		return err
	}

	authorizer, scopes, err := newHTTPAuthorizer(ctx, st, p, a, ep)
	if err != nil {
		return err
	}
	addAlarms(st, p, server, stage.MetricServerError(alarmSum()))

	integration := awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String("Server"), server, &awsapigatewayv2integrations.HttpLambdaIntegrationProps{
		Timeout: seconds(p.integrationTimeout()),
	})
	api.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
		Path:                jsii.String("/" + mcpPath),
		Methods:             &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_GET, awsapigatewayv2.HttpMethod_POST, awsapigatewayv2.HttpMethod_DELETE},
		Integration:         integration,
		Authorizer:          authorizer,
		AuthorizationScopes: scopes,
	})
	// The metadata, read without a token, for JWTs only: static tokens come from no
	// authorization server, so the server has no document, and a route would only let anyone
	// invoke the function for a 404.
	for _, path := range metadataPaths(a) {
		api.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
			Path:        jsii.String("/" + path),
			Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_GET},
			Integration: integration,
			Authorizer:  awsapigatewayv2.NewHttpNoneAuthorizer(),
		})
	}
	ep.output(st, a)
	return nil
}

// newHTTPAuthorizer is the HTTP API's JWT authorizer (with the required scopes checked per route)
// when tokens are JWTs, else the Lambda authorizer with simple responses and a cached result.
func newHTTPAuthorizer(ctx context.Context, st awscdk.Stack, p Props, a auth, ep endpoints) (awsapigatewayv2.IHttpRouteAuthorizer, *[]*string, error) {
	identity := strs("$request.header." + authorizationHeader)
	if a.jwt != nil {
		// The authorizer matches a token's aud against these when it has one, its client_id when
		// not. A Cognito token carries aud when its client asked for a resource (RFC 8707, as MCP
		// clients do): it must name this endpoint.
		audiences := []string{a.jwt.audience}
		if a.jwt.audienceIsClient {
			audiences = append(audiences, ep.mcp())
		}
		authorizer := awsapigatewayv2authorizers.NewHttpJwtAuthorizer(jsii.String("JwtAuthorizer"), jsii.String(a.jwt.issuer), &awsapigatewayv2authorizers.HttpJwtAuthorizerProps{
			JwtAudience:    strs(audiences...),
			IdentitySource: identity,
		})
		// The routes accept a token holding any one of these (the server behind checks them
		// all): the required scopes, and the scopes that imply one of them.
		var scopes *[]*string
		if len(a.jwt.scopes) > 0 {
			scopes = strs(implying(a.jwt.scopes, a.jwt.implies)...)
		}
		return authorizer, scopes, nil
	}
	fn, err := newFunction(ctx, st, p, authorizerFunction(p, a.verify))
	if err != nil {
		return nil, nil, err
	}
	return awsapigatewayv2authorizers.NewHttpLambdaAuthorizer(jsii.String("BearerAuthorizer"), fn, &awsapigatewayv2authorizers.HttpLambdaAuthorizerProps{
		ResponseTypes:   &[]awsapigatewayv2authorizers.HttpLambdaResponseType{awsapigatewayv2authorizers.HttpLambdaResponseType_SIMPLE},
		IdentitySource:  identity,
		ResultsCacheTtl: seconds(max(p.AuthorizerCacheTTL, 0)),
	}), nil, nil
}

// httpAccessLogFormat is one JSON object per request, without header values. API Gateway's error
// message is left out for its type, as on the REST stage: AWS lists the HTTP API's response types
// but not its messages, and on REST the message of a request without a route can quote the
// Authorization header, token and all.
func httpAccessLogFormat() string {
	b, _ := json.Marshal(map[string]string{ // a string map always encodes
		"requestId":          "$context.requestId",
		"ip":                 "$context.identity.sourceIp",
		"userAgent":          "$context.identity.userAgent",
		"requestTime":        "$context.requestTime",
		"httpMethod":         "$context.httpMethod",
		"path":               "$context.path",
		"routeKey":           "$context.routeKey",
		"protocol":           "$context.protocol",
		"status":             "$context.status",
		"responseLength":     "$context.responseLength",
		"responseLatency":    "$context.responseLatency",
		"integrationLatency": "$context.integrationLatency",
		"integrationStatus":  "$context.integrationStatus",
		"integrationError":   "$context.integrationErrorMessage",
		"authorizerError":    "$context.authorizer.error",
		"errorType":          "$context.error.responseType",
	})
	return string(b)
}

// metadataPaths are the well-known paths routed to the server's metadata: none for static tokens
// or an issuer that is no URL.
func metadataPaths(a auth) []string {
	if !a.hasMetadata() {
		return nil
	}
	return []string{metadataPath, metadataPathForMCP}
}
