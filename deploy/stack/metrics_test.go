package stack_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/deploy/stack"
)

// TestDetailedMetrics checks that the REST stage's detailed metrics, which CloudWatch bills per
// metric, are on only when asked for, and that the 5xx alarm watches the stage's own metric,
// which API Gateway sends either way.
func TestDetailedMetrics(t *testing.T) {
	for _, tc := range []struct {
		name  string
		props stack.Props
		want  bool
	}{
		{"default", stack.Props{Alarms: true}, false},
		{"asked for", stack.Props{Alarms: true, DetailedMetrics: true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, doc, _ := synth(t, tc.props)
			catch(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), &obj{
					"MethodSettings": []any{assertions.Match_ObjectLike(&obj{
						"HttpMethod": "*", "ResourcePath": "/*", "MetricsEnabled": tc.want,
					})},
				})
			})
			var dims [][]string
			for _, props := range resources(doc, "AWS::CloudWatch::Alarm") {
				if props["Namespace"] != "AWS/ApiGateway" {
					continue
				}
				var names []string
				list, _ := props["Dimensions"].([]any)
				for _, d := range list {
					dim, _ := d.(map[string]any)
					names = append(names, dim["Name"].(string))
				}
				dims = append(dims, names)
			}
			if diff := cmp.Diff([][]string{{"ApiName", "Stage"}}, dims); diff != "" {
				t.Errorf("dimensions of the API Gateway alarms (-want +got):\n%s", diff)
			}
		})
	}
}
