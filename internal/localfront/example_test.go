package localfront_test

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/localfront"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// A handler served in process behind a local REST API: the request arrives
// as an API Gateway event and the handler sees its shape and its path below
// the stage.
func ExampleStart() {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s via %s", r.Method, r.URL.Path, lambdamcp.EventShape(r.Context()))
	})
	front, err := localfront.Start(context.Background(), localfront.Config{
		Shape:    localfront.ShapeREST,
		Stage:    "dev",
		Function: localfront.NewInProcessHTTP(h, nil),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer front.Close()

	resp, err := http.Post(front.URL()+"/mcp", "application/json", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output: 200 POST /mcp via rest
}

// A compiled bootstrap run as Lambda runs it: a cold start, then warm
// invocations of the same process. FnBinary is the test function built
// from testdata/fn.
func ExampleNewProcess() {
	var cold []bool
	fn, err := localfront.NewProcess(localfront.FnBinary(), &localfront.FunctionConfig{
		Name:     "example",
		OnReport: func(r localfront.Report) { cold = append(cold, r.ColdStart) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, payload := range []string{`{"action":"error"}`, `{"action":"error"}`} {
		_, err := fn.Invoke(context.Background(), &runtimeapi.Invocation{Payload: []byte(payload)})
		fmt.Println(err)
	}
	fn.Close() // lets the invocations finish and be reported
	fmt.Println("cold starts:", cold)
	// Output:
	// errorString: failed on purpose
	// errorString: failed on purpose
	// cold starts: [true false]
}
