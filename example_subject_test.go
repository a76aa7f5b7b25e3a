package lambdamcp_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// The caller's subject on each request line may be an e-mail address. A
// logger whose ReplaceAttr turns it into a keyed hash keeps one caller's
// requests together without keeping who it was; the same function
// pseudonymizes the "subject" that the auth package's decisions and
// refusals log, under the same key.
func ExampleNewLogHandler_pseudonymousSubject() {
	key := []byte("a secret of the deployment's, not in the code") // from a secret store
	pseudonymize := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == "subject" && a.Value.Kind() == slog.KindString {
			mac := hmac.New(sha256.New, key)
			mac.Write([]byte(a.Value.String()))
			return slog.String(a.Key, hex.EncodeToString(mac.Sum(nil))[:16])
		}
		return a
	}
	var logs bytes.Buffer
	logger := slog.New(lambdamcp.NewLogHandler(slog.NewJSONHandler(&logs, &slog.HandlerOptions{ReplaceAttr: pseudonymize})))

	server := mcp.NewServer(&mcp.Implementation{Name: "hello", Version: "1.0.0"}, nil)
	server.AddReceivingMiddleware(lambdamcp.Middleware())
	mcp.AddTool(server, &mcp.Tool{Name: "greet"}, greet)
	verify := func(context.Context, string, *http.Request) (*auth.TokenInfo, error) {
		return &auth.TokenInfo{UserID: "alice@example.com", Expiration: time.Now().Add(time.Hour)}, nil
	}
	h := lambdamcp.NewHandler(auth.RequireBearerToken(verify, nil)(mcp.NewStreamableHTTPHandler(
		func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true})), &lambdamcp.Options{Logger: logger})

	event := `{
	  "version": "2.0", "rawPath": "/mcp",
	  "headers": {"content-type": "application/json", "accept": "application/json, text/event-stream",
	    "authorization": "Bearer a-token", "mcp-protocol-version": "2025-11-25"},
	  "requestContext": {"domainName": "abc.lambda-url.eu-west-1.on.aws", "http": {"method": "POST", "path": "/mcp"}},
	  "body": "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"greet\",\"arguments\":{\"name\":\"Lambda\"}}}"
	}`
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "example"})
	if _, err := h.Invoke(ctx, []byte(event)); err != nil {
		fmt.Println("error:", err)
		return
	}
	var line struct {
		Tool    string `json:"tool"`
		Subject string `json:"subject"`
	}
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(line.Tool, line.Subject, bytes.Contains(logs.Bytes(), []byte("alice")))
	// Output: greet 5b9e1c89724721d4 false
}
