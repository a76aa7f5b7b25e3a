package localfront

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// BenchmarkProcessWarmInvoke measures one warm invocation of the real test
// bootstrap through the Runtime API (the cold start happens before the timer).
func BenchmarkProcessWarmInvoke(b *testing.B) {
	p, err := NewProcess(fnBinary, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	invoke := func() {
		resp, err := p.Invoke(context.Background(), &runtimeapi.Invocation{Payload: []byte(`{}`)})
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	invoke()
	b.ReportAllocs()
	for b.Loop() {
		invoke()
	}
}

// BenchmarkFrontREST measures a request through the REST front into the
// real bootstrap: event building, invocation and response conversion.
func BenchmarkFrontREST(b *testing.B) {
	p, err := NewProcess(fnBinary, nil)
	if err != nil {
		b.Fatal(err)
	}
	f, err := Start(context.Background(), Config{Shape: ShapeREST, Function: p})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	url := f.URL() + "/mcp"
	post := func() {
		resp, err := http.Post(url, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	post()
	b.ReportAllocs()
	for b.Loop() {
		post()
	}
}
