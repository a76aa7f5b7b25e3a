package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
)

// metricsNamespace is where lambdamcp.Start writes its metrics unless the server sets
// Options.MetricsNamespace (lambdamcp.DefaultMetricsNamespace).
const metricsNamespace = "lambdamcp"

// alarmPeriod is the window each alarm counts failures in.
var alarmPeriod = awscdk.Duration_Minutes(jsii.Number(5))

// alarmSum is a metric's failures in an alarm's period.
func alarmSum() *awscloudwatch.MetricOptions {
	return &awscloudwatch.MetricOptions{Period: alarmPeriod, Statistic: jsii.String("Sum")}
}

// addAlarms declares, when p.Alarms, one alarm per kind of failure, raised by a single failure
// in five minutes and cleared by five minutes without one; no data (no traffic) is no failure.
// With p.AlarmTopicARN each notifies the topic when raised and when cleared. api5xx counts the
// 5xx answers of the front: the API stage's, or the Function URL's (AWS/Lambda Url5xxCount); it
// catches what no tool call's metric line does, such as a failed initialize or tools/list.
//
// The authorizer has no alarm of its own: it refuses a token by failing its invocation (API
// Gateway's contract), so its Lambda Errors count every bad token; a token it could not check
// (keys unavailable) is answered 500 by the gateway, which api5xx counts.
func addAlarms(st awscdk.Stack, p Props, server awslambda.Function, api5xx awscloudwatch.Metric) {
	if !p.Alarms {
		return
	}
	var action awscloudwatch.IAlarmAction
	if p.AlarmTopicARN != "" {
		action = awscloudwatchactions.NewSnsAction(awssns.Topic_FromTopicArn(st, jsii.String("AlarmTopic"), jsii.String(p.AlarmTopicARN)))
	}
	add := func(id, description string, m awscloudwatch.Metric) {
		alarm := awscloudwatch.NewAlarm(st, jsii.String(id), &awscloudwatch.AlarmProps{
			Metric:             m,
			Threshold:          jsii.Number(1),
			EvaluationPeriods:  jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
			AlarmDescription:   jsii.String(description),
		})
		if action != nil {
			alarm.AddAlarmAction(action)
			alarm.AddOkAction(action)
		}
	}
	add("ServerFaultsAlarm", "MCP calls the server failed: timeouts, panics, internal errors (lambdamcp's Faults metric, "+
		"namespace "+metricsNamespace+"; not a client's mistakes or a tool's own error results)",
		awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace:     jsii.String(metricsNamespace),
			MetricName:    jsii.String("Faults"),
			DimensionsMap: &map[string]*string{"FunctionName": server.FunctionName()},
			Period:        alarmPeriod,
			Statistic:     jsii.String("Sum"),
		}))
	add("ServerErrorsAlarm", "Invocations of the MCP server function that failed: a crash, memory exhausted, Lambda's timeout",
		server.MetricErrors(alarmSum()))
	add("ServerThrottlesAlarm", "Invocations of the MCP server function that Lambda refused for want of concurrency",
		server.MetricThrottles(alarmSum()))
	add("Api5xxAlarm", "Requests answered with a 5xx: the server's, the gateway's, or an authorizer's that could not check a token",
		api5xx)
}

// functionURL5xx is the count of a Function URL's 5xx answers, which AWS/Lambda keeps per
// function.
func functionURL5xx(server awslambda.Function) awscloudwatch.Metric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String("AWS/Lambda"),
		MetricName:    jsii.String("Url5xxCount"),
		DimensionsMap: &map[string]*string{"FunctionName": server.FunctionName()},
		Period:        alarmPeriod,
		Statistic:     jsii.String("Sum"),
	})
}

// tokenized reports whether s is a CDK token (a value CloudFormation resolves at deploy time,
// such as an environment-agnostic stack's region), not a value known now.
func tokenized(s string) bool {
	return *awscdk.Token_IsUnresolved(jsii.String(s))
}
