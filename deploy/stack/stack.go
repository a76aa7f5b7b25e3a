// Package stack declares the AWS infrastructure that runs the lambdamcp reference server: a CDK
// stack with the server function, its front door (API Gateway REST or HTTP API, or a Function
// URL), bearer-token authorization, logs and tracing.
package stack

import (
	"context"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Paths served by the stack. The metadata document (RFC 9728) is published at the root location
// and at the location suffixed with the MCP path, which is where clients look for /mcp.
const (
	mcpPath            = "mcp"
	metadataPath       = ".well-known/oauth-protected-resource"
	metadataPathForMCP = metadataPath + "/" + mcpPath
	defaultServer      = "./cmd/mcp-server"
	authorizerPackage  = "./cmd/authorizer"
	// authorizerImportPath is the authorizer as a module that requires lambdamcp names it.
	authorizerImportPath = "github.com/lambdamcp/lambdamcp/cmd/authorizer"
	tokenHashParameter   = "AuthTokenSha256"
	outputEndpoint       = "McpServerEndpoint"
	outputMetadata       = "ProtectedResourceMetadataUrl"
	authorizationHeader  = "Authorization"
)

// New declares the stack in scope, compiling the functions' binaries first (the server in
// p.ServerDir, the authorizer in p.SourceDir or, without it, in p.ServerDir).
func New(ctx context.Context, scope constructs.Construct, id string, p Props) (awscdk.Stack, error) {
	p, err := p.withDefaults()
	if err != nil {
		return nil, err
	}
	st := awscdk.NewStack(scope, jsii.String(id), &p.StackProps)
	// Set on the stack, before its first child, so that the app's context (cdk.json sets no
	// flags) cannot leave the stack built otherwise than the tests check.
	for flag, v := range featureFlags {
		st.Node().SetContext(jsii.String(flag), v)
	}
	auth := newAuth(st, p)
	switch p.Variant {
	case VariantHTTP:
		err = newHTTPAPI(ctx, st, p, auth)
	case VariantURL:
		err = newFunctionURL(ctx, st, p, auth)
	default:
		err = newRESTAPI(ctx, st, p, auth)
	}
	if err != nil {
		return nil, err
	}
	return st, nil
}

// featureFlags are the CDK feature flags the stack is built with.
var featureFlags = map[string]any{
	// The REST stage's access log destination is written as API Gateway stores it, without
	// the trailing ":*" of the log group's Arn attribute, which drift detection would otherwise
	// report as a change on every run (aws-cdk-lib 2.274.0 and newer).
	"@aws-cdk/aws-apigateway:logGroupDestinationArnWithoutWildcard": true,
}

// endpoints are the public URLs of a deployed stack, as CloudFormation-resolved strings.
type endpoints struct {
	base string // no trailing slash
	// basePath is the custom domain mapping's base path, if any, which base ends with.
	basePath string
}

func (e endpoints) mcp() string { return e.base + "/" + mcpPath }

// metadata is the endpoint's RFC 9728 metadata URL inside the API: behind a base path, the
// path-suffixed form (metadataSuffix) inside the mapping, since the host root's well-known URL
// reaches no mapping of this API.
func (e endpoints) metadata() string { return e.base + "/" + e.metadataSuffix() }

// metadataSuffix is the path, in the API, of the endpoint's metadata.
func (e endpoints) metadataSuffix() string {
	if e.basePath == "" {
		return metadataPathForMCP
	}
	return metadataPath + "/" + e.basePath + "/" + mcpPath
}

// output publishes the endpoint and, when the tokens come from an authorization server, the
// metadata URL.
func (e endpoints) output(st awscdk.Stack, a auth) {
	awscdk.NewCfnOutput(st, jsii.String(outputEndpoint), &awscdk.CfnOutputProps{
		Value:       jsii.String(e.mcp()),
		Description: jsii.String("MCP endpoint: go run ./cmd/mcp-client -endpoint <this URL>"),
	})
	if a.metadataURL(e) == nil {
		return
	}
	awscdk.NewCfnOutput(st, jsii.String(outputMetadata), &awscdk.CfnOutputProps{
		Value:       a.metadataURL(e),
		Description: jsii.String("OAuth protected resource metadata (RFC 9728) of the endpoint"),
	})
}

// executeAPIBase is the default execute-api host of an API, built from its id rather than from
// the stage's URL attribute: the functions' environment refers to it, and the stage depends on
// the functions, so the attribute would make a cycle.
func executeAPIBase(apiID string) string {
	return "https://" + apiID + ".execute-api." + *awscdk.Aws_REGION() + "." + *awscdk.Aws_URL_SUFFIX()
}

// mcpCORSHeaders are the request headers an MCP client sends (both protocol eras).
var mcpCORSHeaders = []string{
	"Authorization", "Content-Type", "Accept", "Mcp-Session-Id", "MCP-Protocol-Version",
	"Mcp-Method", "Mcp-Name", "Last-Event-ID",
}

// mcpExposedHeaders are the response headers a browser client reads, as the server itself
// exposes them (internal/corsheader, which this module does not import): the challenge, the
// session and version, and Retry-After on a 429 or 503.
var mcpExposedHeaders = []string{"WWW-Authenticate", "Mcp-Session-Id", "MCP-Protocol-Version", "Retry-After"}

func strs(ss ...string) *[]*string { return jsii.Strings(ss...) }

func joinOrigins(origins []string) string { return strings.Join(origins, ",") }
