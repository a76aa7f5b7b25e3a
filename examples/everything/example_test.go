package everything_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/lambdamcp/lambdamcp/examples/everything"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func ExampleHandler() {
	ctx := context.Background()
	srv := httptest.NewServer(everything.Handler(everything.New(nil), nil))
	defer srv.Close()

	client := mcp.NewClient(&mcp.Implementation{Name: "example", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: srv.URL}, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer cs.Close()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "test_simple_text"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Content[0].(*mcp.TextContent).Text)
	// Output: This is a simple text response for testing.
}
