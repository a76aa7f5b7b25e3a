package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/internal/awsevents"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
)

// A Function URL or an ALB runs no API Gateway authorizer: a server set to
// trust one there refuses every request, and its log line says why, not
// only that the token is invalid, which would send the operator after
// the client's token. A Function URL of auth type AWS_IAM names its
// signer as the authorizer: that counts for no more.
func TestFromAuthorizerWithoutGateway(t *testing.T) {
	var url events.LambdaFunctionURLRequest
	if err := json.Unmarshal(awsevents.Sample("lambda-urls-request.json"), &url); err != nil {
		t.Fatal(err)
	}
	url.RawPath, url.RequestContext.HTTP.Path, url.RawQueryString, url.QueryStringParameters = "/mcp", "/mcp", "", nil
	url.Headers = map[string]string{"authorization": "Bearer anything", "content-type": "application/json", "accept": "application/json, text/event-stream"}
	url.Body, url.IsBase64Encoded = `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, false
	iamURL, _ := json.Marshal(url)
	url.RequestContext.Authorizer = nil
	noneURL, _ := json.Marshal(url)

	var alb events.ALBTargetGroupRequest
	if err := json.Unmarshal(awsevents.Sample("alb-lambda-target-request-headers-only.json"), &alb); err != nil {
		t.Fatal(err)
	}
	alb.HTTPMethod, alb.Path, alb.QueryStringParameters = "POST", "/mcp", nil
	alb.Headers = map[string]string{"authorization": "Bearer anything", "content-type": "application/json", "accept": "application/json, text/event-stream",
		"x-amzn-oidc-identity": "alice", "x-forwarded-user": "alice", "host": "mcp.example.com"}
	alb.Body, alb.IsBase64Encoded = `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, false
	albEv, _ := json.Marshal(alb)

	for name, tc := range map[string]struct {
		payload []byte
		front   string
	}{
		"Function URL, AWS_IAM": {iamURL, "Function URL"},
		"Function URL, NONE":    {noneURL, "Function URL"},
		"ALB":                   {albEv, "load balancer"},
	} {
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			h, err := protect(Handler(demoserver.New(demoserver.Options{}), nil), auth.Config{FromAuthorizer: true}, slog.New(slog.NewJSONHandler(&logs, nil)))
			if err != nil {
				t.Fatal(err)
			}
			out, err := lambdamcp.NewHandler(h, nil).Invoke(context.Background(), tc.payload)
			if err != nil {
				t.Fatal(err)
			}
			var resp struct {
				StatusCode int `json:"statusCode"`
			}
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 401 {
				t.Errorf("status %d, want 401", resp.StatusCode)
			}
			var reason string
			for line := range strings.SplitSeq(logs.String(), "\n") {
				var rec struct{ Msg, Reason string }
				if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "request refused" {
					reason = rec.Reason
				}
			}
			if !strings.Contains(reason, tc.front) || !strings.Contains(reason, auth.EnvFromAuthorizer) {
				t.Errorf("refusal logged as %q, want it to name the %s and %s", reason, tc.front, auth.EnvFromAuthorizer)
			}
		})
	}
}
