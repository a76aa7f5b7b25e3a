package lambdamcp_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
)

// BenchmarkStreamedCall measures a tools/call with two messages (progress,
// log) and the result, answered as an event stream: buffered through a
// Function URL event, and streamed through the Function URL and REST
// streaming paths.
func BenchmarkStreamedCall(b *testing.B) {
	tool := newWaitTool()
	close(tool.release)
	handler := sseHandler(tool.server())
	req := callWait(legacy)
	header := http.Header{}
	for k, v := range req.header {
		header.Set(k, v)
	}
	call := lambdatest.Request{Header: header, Body: []byte(req.body)}
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "bench"})
	for _, bc := range []struct {
		name   string
		shape  lambdamcp.Shape
		stream bool
	}{
		{"url-buffered", lambdamcp.ShapeURL, false},
		{"url-stream", lambdamcp.ShapeURL, true},
		{"rest-stream", lambdamcp.ShapeREST, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			opts := &lambdamcp.Options{}
			if bc.stream {
				opts.Stream = []lambdamcp.Shape{bc.shape}
			}
			h := lambdamcp.NewHandler(handler, opts)
			payload := lambdatest.Event(bc.shape, call)
			b.ReportAllocs()
			for b.Loop() {
				if !bc.stream {
					if _, err := h.Invoke(ctx, payload); err != nil {
						b.Fatal(err)
					}
					continue
				}
				r, err := h.InvokeStream(ctx, payload)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
