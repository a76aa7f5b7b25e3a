package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
)

// newAPIGatewayAccountRole sets the role API Gateway REST uses to write execution and access
// logs. The setting is one per account and region, shared by every REST API there, so the role
// may write any log group of this account and region (not only this stack's), and it outlives the
// stack: removing it would silence the other APIs. It replaces the CDK's own version, which
// attaches the AWS-managed AmazonAPIGatewayPushToCloudWatchLogs policy ("Resource": "*").
//
// It returns the account settings resource: a stage that enables logging must depend on it, since
// API Gateway refuses to enable logging while the account has no CloudWatch Logs role, and
// nothing else orders the two (the CDK adds that dependency only for the role it creates itself).
func newAPIGatewayAccountRole(st awscdk.Stack) awsapigateway.CfnAccount {
	logs := "arn:" + *awscdk.Aws_PARTITION() + ":logs:" + *awscdk.Aws_REGION() + ":" + *awscdk.Aws_ACCOUNT_ID() + ":log-group:*"
	role := awsiam.NewRole(st, jsii.String("ApiGatewayCloudWatchRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("apigateway.amazonaws.com"), nil),
		Description: jsii.String("Lets API Gateway REST APIs of this account and region write CloudWatch Logs"),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"WriteLogs": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
				Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Actions: strs("logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups",
						"logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents"),
					Resources: strs(logs),
				})},
			}),
		},
	})
	role.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN)
	account := awsapigateway.NewCfnAccount(st, jsii.String("ApiGatewayAccount"), &awsapigateway.CfnAccountProps{
		CloudWatchRoleArn: role.RoleArn(),
	})
	account.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	return account
}
