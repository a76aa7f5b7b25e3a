package stack_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/lambdamcp/lambdamcp/deploy/stack"
)

// The Function URL variant: one function, its URL, its log group and role.
func ExampleNew() {
	buildDir, err := os.MkdirTemp("", "lambdamcp-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(buildDir)

	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(buildDir + "/cdk.out")})
	st, err := stack.New(context.Background(), app, "LambdaMcp", stack.Props{
		SourceDir: "../..", // the lambdamcp module: ./cmd/mcp-server is compiled for arm64
		BuildDir:  buildDir,
		Variant:   stack.VariantURL,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	doc := *assertions.Template_FromStack(st, nil).ToJSON()
	counts := map[string]int{}
	for _, r := range doc["Resources"].(map[string]any) {
		counts[r.(map[string]any)["Type"].(string)]++
	}
	for _, typ := range slices.Sorted(maps.Keys(counts)) {
		fmt.Println(typ, counts[typ])
	}
	// Output:
	// AWS::IAM::Policy 1
	// AWS::IAM::Role 1
	// AWS::Lambda::Function 1
	// AWS::Lambda::Permission 2
	// AWS::Lambda::Url 1
	// AWS::Logs::LogGroup 1
}
