package runtimeapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// One invocation through the Runtime API: the runtime (here a few lines of
// net/http, normally a bootstrap such as aws-lambda-go's) asks for an event
// and posts its answer.
func ExampleServer() {
	api := runtimeapi.NewServer()
	hs := httptest.NewServer(api)
	defer hs.Close()
	defer api.Close(nil)

	base := hs.URL + "/2018-06-01/runtime/invocation/"
	go func() {
		resp, err := http.Get(base + "next")
		if err != nil {
			return
		}
		event, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		id := resp.Header.Get(runtimeapi.HeaderRequestID)
		answer := bytes.ToUpper(event)
		if resp, err := http.Post(base+id+"/response", "application/json", bytes.NewReader(answer)); err == nil {
			resp.Body.Close()
		}
	}()

	resp, err := api.Invoke(context.Background(), &runtimeapi.Invocation{
		RequestID: "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
		Payload:   []byte(`"hello"`),
		Deadline:  time.Now().Add(3 * time.Second),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(string(body))
	// Output: "HELLO"
}
