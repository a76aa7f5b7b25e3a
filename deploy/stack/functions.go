package stack

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// function describes one Lambda function of the stack.
type function struct {
	id          string // construct id, also the asset folder name
	dir         string // module folder the main package is built in
	pkg         string // main package, relative to dir
	description string
	memoryMB    int
	reserved    int // reserved concurrent executions; 0: none
	timeout     time.Duration
	env         map[string]*string
	server      bool // the MCP server, which gets Props.ServerEnv and ServerSecretEnv too
}

// authorizerFunction describes the Lambda authorizer, which verifies tokens as env says. It is
// built from lambdamcp's own module, or, without it, in the server's module through its
// requirement of lambdamcp.
func authorizerFunction(p Props, env map[string]*string) function {
	dir, pkg := p.SourceDir, authorizerPackage
	if dir == "" {
		dir, pkg = p.ServerDir, authorizerImportPath
	}
	return function{
		id: "Authorizer", dir: dir, pkg: pkg, description: "lambdamcp bearer token authorizer",
		memoryMB: DefaultAuthorizerMemoryMB, timeout: 10 * time.Second,
		env: env,
	}
}

// newFunction builds fn's binary and declares the function with its own log group and a role
// that may write to that log group and nothing else (plus X-Ray, see xrayStatement).
func newFunction(ctx context.Context, scope constructs.Construct, p Props, fn function) (awslambda.Function, error) {
	dir, err := buildAsset(ctx, p, fn.id, fn.dir, fn.pkg)
	if err != nil {
		return nil, err
	}
	if fn.server {
		fn.env = withServerEnv(scope, p, fn.env)
	}
	logs := newLogGroup(scope, fn.id+"Logs", nil, p)
	role := awsiam.NewRole(scope, jsii.String(fn.id+"Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Runs " + fn.id + ": writes its own log group and X-Ray traces"),
	})
	logs.GrantWrite(role)
	var reserved *float64
	if fn.reserved > 0 {
		reserved = jsii.Number(float64(fn.reserved))
	}
	return awslambda.NewFunction(scope, jsii.String(fn.id), &awslambda.FunctionProps{
		ReservedConcurrentExecutions: reserved,
		Description:                  jsii.String(fn.description),
		Runtime:                      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:                 awslambda.Architecture_ARM_64(),
		Handler:                      jsii.String("bootstrap"),
		Code:                         awslambda.Code_FromAsset(jsii.String(dir), nil),
		MemorySize:                   jsii.Number(float64(fn.memoryMB)),
		Timeout:                      seconds(fn.timeout),
		Role:                         role,
		LogGroup:                     logs,
		LoggingFormat:                awslambda.LoggingFormat_JSON,
		Tracing:                      awslambda.Tracing_ACTIVE,
		Environment:                  sortedEnv(fn.env),
	}), nil
}

// withServerEnv is env with Props.ServerEnv and, each from a NoEcho parameter,
// Props.ServerSecretEnv; withDefaults has refused names env may hold.
func withServerEnv(scope constructs.Construct, p Props, env map[string]*string) map[string]*string {
	out := maps.Clone(env)
	for k, v := range p.ServerEnv {
		out[k] = jsii.String(v)
	}
	for _, name := range p.ServerSecretEnv {
		param := awscdk.NewCfnParameter(scope, jsii.String(secretParameter(name)), &awscdk.CfnParameterProps{
			Type:        jsii.String("String"),
			NoEcho:      jsii.Bool(true),
			MinLength:   jsii.Number(1), // an empty secret would deploy and then fail the server
			Description: jsii.String("The value of the MCP server's environment variable " + name),
		})
		out[name] = param.ValueAsString()
	}
	return out
}

// sortedEnv drops unset (nil) values so optional settings leave no empty variables behind.
func sortedEnv(env map[string]*string) *map[string]*string {
	out := make(map[string]*string, len(env))
	for _, k := range slices.Sorted(maps.Keys(env)) {
		if env[k] != nil {
			out[k] = env[k]
		}
	}
	return &out
}

// newLogGroup declares a log group that keeps p.LogRetentionDays of logs and goes with the stack.
func newLogGroup(scope constructs.Construct, id string, name *string, p Props) awslogs.LogGroup {
	days, _ := retention(p.LogRetentionDays) // validated by withDefaults
	return awslogs.NewLogGroup(scope, jsii.String(id), &awslogs.LogGroupProps{
		LogGroupName:  name,
		Retention:     days,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
}

var retentionDays = map[int]awslogs.RetentionDays{
	1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS,
	5: awslogs.RetentionDays_FIVE_DAYS, 7: awslogs.RetentionDays_ONE_WEEK,
	14: awslogs.RetentionDays_TWO_WEEKS, 30: awslogs.RetentionDays_ONE_MONTH,
	60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS,
	120: awslogs.RetentionDays_FOUR_MONTHS, 150: awslogs.RetentionDays_FIVE_MONTHS,
	180: awslogs.RetentionDays_SIX_MONTHS, 365: awslogs.RetentionDays_ONE_YEAR,
	400: awslogs.RetentionDays_THIRTEEN_MONTHS, 545: awslogs.RetentionDays_EIGHTEEN_MONTHS,
	731: awslogs.RetentionDays_TWO_YEARS, 1096: awslogs.RetentionDays_THREE_YEARS,
	1827: awslogs.RetentionDays_FIVE_YEARS, 2192: awslogs.RetentionDays_SIX_YEARS,
	2557: awslogs.RetentionDays_SEVEN_YEARS, 2922: awslogs.RetentionDays_EIGHT_YEARS,
	3288: awslogs.RetentionDays_NINE_YEARS, 3653: awslogs.RetentionDays_TEN_YEARS,
}

// LogRetentionDaysAccepted are the day counts CloudWatch Logs accepts as a log group's retention,
// in increasing order.
func LogRetentionDaysAccepted() []int {
	return slices.Sorted(maps.Keys(retentionDays))
}

// retention maps a day count to one of the values CloudWatch Logs accepts, or LogRetentionNever
// to none: a log group without retention keeps its logs forever.
func retention(days int) (awslogs.RetentionDays, error) {
	if days == LogRetentionNever {
		return awslogs.RetentionDays_INFINITE, nil
	}
	r, ok := retentionDays[days]
	if !ok {
		return "", fmt.Errorf("stack: log retention (logRetentionDays) %d days: CloudWatch Logs accepts %v, or never (LogRetentionNever) to keep the logs forever", days, LogRetentionDaysAccepted())
	}
	return r, nil
}

func seconds(d time.Duration) awscdk.Duration {
	return awscdk.Duration_Seconds(jsii.Number(d.Seconds()))
}
