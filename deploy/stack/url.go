package stack

import (
	"context"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
)

// newFunctionURL puts the server behind a Lambda Function URL in RESPONSE_STREAM mode: no
// gateway, no gateway timeout, streamed answers. The URL itself is open (auth type NONE), so the
// server checks bearer tokens with its in-process middleware, configured by the same variables
// the authorizer reads, and serves its 401s and the metadata document itself.
//
// MCP_RESOURCE_URL is left unset: the URL's host is generated when the URL is created, after
// the function, so the server derives the resource URL from each request, which on a Function
// URL is the URL the client used (no stage prefix, no proxy in between).
func newFunctionURL(ctx context.Context, st awscdk.Stack, p Props, a auth) error {
	env := map[string]*string{
		envAuthServers:    a.authorizationServers(),
		envAllowedOrigins: jsii.String(joinOrigins(p.CORSAllowOrigins)),
		envStream:         jsii.String("url"), // the invoke mode below; the event does not say
	}
	for k, v := range a.verify {
		env[k] = v
	}
	server, err := newFunction(ctx, st, p, function{
		id: "Server", dir: p.ServerDir, pkg: p.ServerPackage, description: "lambdamcp MCP server (Function URL)", server: true,
		memoryMB: p.ServerMemoryMB, reserved: p.ServerReservedConcurrency, timeout: p.ServerTimeout,
		env: env,
	})
	if err != nil {
		return err
	}
	methods := []awslambda.HttpMethod{awslambda.HttpMethod_GET, awslambda.HttpMethod_POST, awslambda.HttpMethod_DELETE}
	url := server.AddFunctionUrl(&awslambda.FunctionUrlOptions{
		AuthType:   awslambda.FunctionUrlAuthType_NONE,
		InvokeMode: awslambda.InvokeMode_RESPONSE_STREAM,
		Cors: &awslambda.FunctionUrlCorsOptions{
			AllowedOrigins: strs(p.CORSAllowOrigins...),
			AllowedHeaders: strs(p.corsHeaders()...),
			AllowedMethods: &methods,
			ExposedHeaders: strs(mcpExposedHeaders...),
			MaxAge:         awscdk.Duration_Hours(jsii.Number(1)),
		},
	})
	// The URL attribute ends with a slash; endpoints joins paths with one.
	base := awscdk.Fn_Select(jsii.Number(0), awscdk.Fn_Split(jsii.String("/"), url.Url(), nil)) // "https:"
	host := awscdk.Fn_Select(jsii.Number(2), awscdk.Fn_Split(jsii.String("/"), url.Url(), nil))
	ep := endpoints{base: strings.Join([]string{*base, "", *host}, "/")}
	addAlarms(st, p, server, functionURL5xx(server))
	ep.output(st, a)
	return nil
}
