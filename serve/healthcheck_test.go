package serve

import (
	"encoding/json"
	"testing"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
)

// TestALBHealthCheck sends the event an ALB's health check sends a Lambda
// target ("Lambda functions as targets", Health checks: a GET of the
// configured path, no Host, user-agent ELB-HealthChecker/2.0), in both
// header modes: /healthz answers 200, and the ALB's default path, /, is a
// JSON 404, as the README says.
func TestALBHealthCheck(t *testing.T) {
	h := lambdamcp.NewHandler(Routes(Handler(demoserver.New(demoserver.Options{}), nil)), nil)
	for _, tc := range []struct {
		name, path string
		multi      bool
		status     int
		body       string
	}{
		{"single-value headers", "/healthz", false, 200, "{\"status\":\"ok\"}\n"},
		{"multi-value headers", "/healthz", true, 200, "{\"status\":\"ok\"}\n"},
		{"the default path", "/", false, 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			headers := `"headers":{"user-agent":"ELB-HealthChecker/2.0"},"queryStringParameters":{}`
			if tc.multi {
				headers = `"multiValueHeaders":{"user-agent":["ELB-HealthChecker/2.0"]},"multiValueQueryStringParameters":{}`
			}
			event := `{"requestContext":{"elb":{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/lambda-target/abcdef1234567890"}},` +
				`"httpMethod":"GET","path":"` + tc.path + `",` + headers + `,"body":"","isBase64Encoded":false}`
			out, err := h.Invoke(t.Context(), []byte(event))
			if err != nil {
				t.Fatal(err)
			}
			var resp struct {
				StatusCode        int    `json:"statusCode"`
				StatusDescription string `json:"statusDescription"`
				Body              string `json:"body"`
			}
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || (tc.body != "" && resp.Body != tc.body) || (tc.body == "" && !json.Valid([]byte(resp.Body))) {
				t.Errorf("%s: %d %q %q; want %d %q", tc.path, resp.StatusCode, resp.StatusDescription, resp.Body, tc.status, tc.body)
			}
		})
	}
}
