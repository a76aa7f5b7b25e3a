package lambdamcp_test

import (
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/lambdamcp/lambdamcp"
)

// envOffLambdaChild makes the test binary call Start without the Lambda
// runtime's environment, as a program run on a laptop does.
const envOffLambdaChild = "LAMBDAMCP_TEST_OFF_LAMBDA_CHILD"

// TestOffLambdaChild is the program of TestStartOffLambda; it only runs in
// the child.
func TestOffLambdaChild(t *testing.T) {
	if os.Getenv(envOffLambdaChild) != "1" {
		t.Skip("runs only as the child of TestStartOffLambda")
	}
	lambdamcp.Start(http.NotFoundHandler(), &lambdamcp.Options{NoMetrics: true})
}

// TestStartOffLambda checks that Start, run where no Lambda runtime is,
// exits with status 1 and a line that says what to run instead, rather
// than only that some variables are missing.
func TestStartOffLambda(t *testing.T) {
	if os.Getenv(envOffLambdaChild) == "1" {
		t.Skip("parent only")
	}
	child := exec.Command(os.Args[0], "-test.run=^TestOffLambdaChild$")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_LAMBDA_RUNTIME_API=") && !strings.HasPrefix(kv, "_LAMBDA_SERVER_PORT=") {
			env = append(env, kv)
		}
	}
	child.Env = append(env, envOffLambdaChild+"=1")
	out, err := child.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("Start off Lambda ended with %v, want exit status 1\n%s", err, out)
	}
	for _, want := range []string{"AWS_LAMBDA_RUNTIME_API", "serve.Run", "lambdamcp.Guard"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("Start off Lambda said %q, which does not name %s", out, want)
		}
	}
}
