package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/awsevents"
)

// An ALB passes on whatever Host the client sent, so that without a
// resource URL the request's own origin is any a page can name: one whose
// DNS name was rebound to the load balancer sends its own name in both
// Host and Origin. Behind an ALB only the configured origins are allowed
// then, but for a loopback host (a page served from this machine, as
// before the local front's ALB; no rebound name is one); behind the fronts
// that route by Host (a Function URL here), the request's own origin
// still is.
func TestOriginOfHostBehindALB(t *testing.T) {
	albFrom := func(host string) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			var ev events.ALBTargetGroupRequest
			if err := json.Unmarshal(awsevents.Sample("alb-lambda-target-request-headers-only.json"), &ev); err != nil {
				t.Fatal(err)
			}
			ev.HTTPMethod, ev.Path, ev.QueryStringParameters, ev.Body = "POST", "/mcp", nil, "{}"
			ev.Headers["host"] = host
			ev.Headers["origin"] = "http://" + host
			ev.Headers["x-forwarded-proto"] = "http"
			return mustMarshal(t, ev)
		}
	}
	alb := albFrom("rebound.example")
	url := func(t *testing.T) []byte {
		var ev events.LambdaFunctionURLRequest
		if err := json.Unmarshal(awsevents.Sample("lambda-urls-request.json"), &ev); err != nil {
			t.Fatal(err)
		}
		ev.RequestContext.DomainName = "abcdefghij.lambda-url.us-west-2.on.aws"
		ev.RawPath, ev.RequestContext.HTTP.Path, ev.RequestContext.HTTP.Method = "/mcp", "/mcp", "POST"
		ev.RawQueryString, ev.QueryStringParameters, ev.Body = "", nil, "{}"
		ev.Headers = map[string]string{"host": ev.RequestContext.DomainName, "origin": "https://" + ev.RequestContext.DomainName, "x-forwarded-proto": "https"}
		return mustMarshal(t, ev)
	}
	tests := []struct {
		name  string
		event func(*testing.T) []byte
		want  int
	}{
		{"alb", alb, http.StatusForbidden},
		{"alb rebound to a loopback-looking name", albFrom("127.0.0.1.rebound.example:8080"), http.StatusForbidden},
		{"alb before 127.0.0.1", albFrom("127.0.0.1:44831"), http.StatusOK},
		{"alb before localhost", albFrom("localhost:3000"), http.StatusOK},
		{"alb before ::1", albFrom("[::1]:3000"), http.StatusOK},
		{"function url", url, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := &MiddlewareOptions{}
			served := OriginProtection(opts)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
			for which, h := range map[string]*lambdamcp.Handler{
				"OriginProtection": lambdamcp.NewHandler(served, nil),
				"AllowedOrigin":    lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }), &lambdamcp.Options{CheckOrigin: AllowedOrigin(opts)}),
			} {
				ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "8f5e"})
				out, err := h.Invoke(ctx, tc.event(t))
				if err != nil {
					t.Fatal(err)
				}
				var resp struct {
					StatusCode int    `json:"statusCode"`
					Body       string `json:"body"`
				}
				if err := json.Unmarshal(out, &resp); err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != tc.want {
					t.Errorf("%s: status %d, want %d (body %s)", which, resp.StatusCode, tc.want, resp.Body)
				}
			}
		})
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
