// Command deploy is the CDK app that puts the lambdamcp reference server on AWS:
//
//	cd deploy && npm ci && npx cdk deploy --parameters AuthTokenSha256=<hash>
//
// It compiles ../cmd/mcp-server (or a server of your own) and ../cmd/authorizer for Lambda
// (linux/arm64) and declares the stack of package stack. Context values (cdk deploy -c key=value)
// choose the variant:
//
//	variant     rest (default), http or url
//	serverPackage  the server's main package, as go build names it from serverDir
//	            (default ./cmd/mcp-server); it should run with package
//	            github.com/lambdamcp/lambdamcp/serve, which reads the environment the stack sets
//	serverDir   the Go module folder serverPackage is built in (default: this repository's root;
//	            a relative folder is taken from deploy/, where cdk runs the app)
//	stream      true: REST response streaming
//	stage       REST stage name (default dev)
//	cacheTtl    authorizer cache TTL in seconds (default 300, 0 turns caching off)
//	logRetentionDays  days the logs are kept (default 30; one of the counts CloudWatch Logs
//	            accepts), or never
//	serverMemory (MB), serverTimeout (seconds), throttleRate, throttleBurst
//	corsOrigins comma-separated allowed origins (default *)
//	corsHeaders comma-separated request headers browsers may send besides the MCP ones
//	serverConcurrency  reserved concurrency of the server function
//	serverEnv   comma-separated NAME=value environment variables for the server
//	serverSecretEnv  comma-separated names of secret variables for the server, each given at
//	            deploy as the NoEcho parameter ServerSecret<Name> (see the README)
//	cloudWatchRole true: create API Gateway's account-wide CloudWatch Logs role (REST)
//	detailedMetrics true: per-method metrics of the REST stage, billed as custom metrics
//	jwtIssuer, jwtAudience, jwtJwksUrl, jwtAudienceClaim, jwtScopes (space-separated, not
//	            comma-separated: a comma is part of a scope): verify JWTs
//	            (jwtJwksUrl and jwtAudienceClaim: rest and url only; without jwtJwksUrl the
//	            keys are the jwks_uri of the issuer's OpenID discovery document); jwtScopeImplies
//	            ("mcp:admin=mcp:tools mcp:read; …"): scopes that imply others
//	cognito     true: create a Cognito user pool and verify its client-credentials tokens
//	cognitoDeletionProtection  false: the pool is deleted with the stack (default: kept)
//	domainName, certificateArn, hostedZoneId, hostedZoneName: custom domain (REST); the zone's
//	            ID bare (Z…) or as the AWS CLI prints it (/hostedzone/Z…)
//	executeApiEndpoint  true: keep the execute-api host beside the custom domain
//	domainBasePath  map the API under this base path of the custom domain (default: the root)
//	alarms      true: CloudWatch alarms on the server's faults, errors, throttles and 5xx answers
//	alarmTopicArn  an SNS topic the alarms notify (with alarms=true)
//	stackName   default LambdaMcp
//
// A key of letters and digits only that is none of these is refused as misspelled. In cdk.json,
// numbers and booleans may be JSON's, and the lists JSON arrays of strings.
package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/lambdamcp/lambdamcp/deploy/stack"
)

func main() {
	err := run(context.Background())
	jsii.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "deploy:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	app := awscdk.NewApp(nil)
	all, _ := app.Node().GetAllContext(nil).(map[string]any)
	if err := checkContextKeys(slices.Collect(maps.Keys(all))); err != nil {
		return err
	}
	values, err := contextStrings(all)
	if err != nil {
		return err
	}
	p, name, err := propsFromContext(func(key string) (string, bool) { v, ok := values[key]; return v, ok })
	if err != nil {
		return err
	}
	// cdk runs the app from deploy/; the repository root is one level up.
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	p.SourceDir = filepath.Dir(wd)
	p.BuildDir = filepath.Join(wd, "build")
	// No Env: the stack uses pseudo parameters for account and region, so one template fits all.
	p.StackProps = awscdk.StackProps{
		Description: jsii.String("lambdamcp: stateless MCP server on AWS Lambda"),
	}
	if _, err := stack.New(ctx, app, name, p); err != nil {
		return err
	}
	app.Synth(nil)
	return nil
}
