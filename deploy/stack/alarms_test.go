package stack_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/lambdamcp/lambdamcp/deploy/stack"
)

// TestAlarms checks the alarms of each variant: the server's Faults (the metric lambdamcp writes,
// per function), Lambda Errors and Throttles, and the front's 5xx answers, each raised by one
// failure in five minutes, quiet without traffic, and notifying the topic both ways.
func TestAlarms(t *testing.T) {
	const topic = "arn:aws:sns:eu-west-1:123456789012:ops"
	server := obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Server[0-9A-F]{8}$"))}
	for _, tc := range []struct {
		variant  stack.Variant
		front5xx obj
	}{
		{stack.VariantREST, obj{"Namespace": "AWS/ApiGateway", "MetricName": "5XXError", "Dimensions": assertions.Match_ArrayWith(&[]any{
			obj{"Name": "ApiName", "Value": "Test"}, obj{"Name": "Stage", "Value": assertions.Match_AnyValue()}})}},
		{stack.VariantHTTP, obj{"Namespace": "AWS/ApiGateway", "MetricName": "5xx", "Dimensions": assertions.Match_ArrayWith(&[]any{
			obj{"Name": "ApiId", "Value": assertions.Match_AnyValue()}, obj{"Name": "Stage", "Value": "$default"}})}},
		{stack.VariantURL, obj{"Namespace": "AWS/Lambda", "MetricName": "Url5xxCount", "Dimensions": []any{obj{"Name": "FunctionName", "Value": server}}}},
	} {
		t.Run(string(tc.variant), func(t *testing.T) {
			tmpl, doc, _ := synth(t, stack.Props{Variant: tc.variant, Alarms: true, AlarmTopicARN: topic})
			want := []obj{
				{"Namespace": "lambdamcp", "MetricName": "Faults", "Dimensions": []any{obj{"Name": "FunctionName", "Value": server}}},
				{"Namespace": "AWS/Lambda", "MetricName": "Errors", "Dimensions": []any{obj{"Name": "FunctionName", "Value": server}}},
				{"Namespace": "AWS/Lambda", "MetricName": "Throttles", "Dimensions": []any{obj{"Name": "FunctionName", "Value": server}}},
			}
			want = append(want, tc.front5xx)
			if got := len(resources(doc, "AWS::CloudWatch::Alarm")); got != len(want) {
				t.Errorf("%d alarms, want %d", got, len(want))
			}
			for _, metric := range want {
				props := obj{
					"Statistic": "Sum", "Period": 300, "Threshold": 1, "EvaluationPeriods": 1,
					"ComparisonOperator": "GreaterThanOrEqualToThreshold", "TreatMissingData": "notBreaching",
					"AlarmActions": []any{topic}, "OKActions": []any{topic},
				}
				for k, v := range metric {
					props[k] = v
				}
				catch(t, func() {
					tmpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), assertions.Match_ObjectLike(&props))
				})
			}
		})
	}
}

// TestNoAlarms checks that alarms, which cost per alarm and month, are made only when asked
// for, and that alarms without a topic notify no one.
func TestNoAlarms(t *testing.T) {
	tmpl, _, _ := synth(t, stack.Props{})
	catch(t, func() { tmpl.ResourceCountIs(jsii.String("AWS::CloudWatch::Alarm"), jsii.Number(0)) })
	tmpl, doc, _ := synth(t, stack.Props{Variant: stack.VariantURL, Alarms: true})
	for id, props := range resources(doc, "AWS::CloudWatch::Alarm") {
		if props["AlarmActions"] != nil || props["OKActions"] != nil {
			t.Errorf("alarm %s notifies %v %v without a topic", id, props["AlarmActions"], props["OKActions"])
		}
	}
	catch(t, func() { tmpl.ResourceCountIs(jsii.String("AWS::CloudWatch::Alarm"), jsii.Number(4)) })
}
