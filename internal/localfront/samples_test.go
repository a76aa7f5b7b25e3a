package localfront

import (
	"encoding/json"
	"github.com/lambdamcp/lambdamcp/internal/awsevents"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
)

// dataKeys hold names chosen by the client or the deployment, not by the
// event format; their contents are not compared.
var dataKeys = map[string]bool{
	"headers": true, "multiValueHeaders": true, "queryStringParameters": true,
	"multiValueQueryStringParameters": true, "pathParameters": true, "stageVariables": true,
}

// keyPaths lists the object key paths of a JSON document.
func keyPaths(prefix string, v any, out map[string]bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	for k, child := range m {
		p := prefix + k
		out[p] = true
		if !dataKeys[k] {
			keyPaths(p+".", child, out)
		}
	}
}

// TestEventsCoverAWSSamples compares the fields of the events the front
// builds with the sample events aws-lambda-go ships (captured from AWS):
// every field of a sample must be present, except the ones listed with
// the reason the front leaves them out.
func TestEventsCoverAWSSamples(t *testing.T) {
	identity := []string{ // callers the front has no notion of (IAM, Cognito, API keys)
		"requestContext.identity.accountId", "requestContext.identity.apiKey", "requestContext.identity.apiKeyId",
		"requestContext.identity.caller", "requestContext.identity.cognitoAuthenticationProvider",
		"requestContext.identity.cognitoAuthenticationType", "requestContext.identity.cognitoIdentityId",
		"requestContext.identity.cognitoIdentityPoolId", "requestContext.identity.user", "requestContext.identity.userArn",
		"requestContext.identity.accessKey",
		"requestContext.identity.clientCert", // mutual TLS
	}
	tests := []struct {
		sample string
		cfg    Config
		absent []string
	}{
		{"apigw-request.json", Config{Shape: ShapeREST}, append(identity, "stageVariables", "requestContext.authorizer", "requestContext.operationName")},
		{"apigw-v2-request-no-authorizer.json", Config{Shape: ShapeHTTP}, []string{"requestContext.authentication"}}, // mutual TLS
		{"lambda-urls-request.json", Config{Shape: ShapeURL}, []string{"requestContext.authorizer"}},                 // AWS_IAM auth
		{"alb-lambda-target-request-headers-only.json", Config{Shape: ShapeALB}, nil},
		{"alb-lambda-target-request-multivalue-headers.json", Config{Shape: ShapeALB, MultiValueHeaders: true}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.sample, func(t *testing.T) {
			raw := awsevents.Sample(tc.sample)
			var sample any
			if err := json.Unmarshal(raw, &sample); err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{}
			keyPaths("", sample, want)

			ours := echoed[any](t, tc.cfg, "/hello/world?key=hello", sent{
				method: http.MethodPost, body: `{"a":1}`, contentType: "application/json",
				header: http.Header{"Cookie": {"c=1"}, "User-Agent": {"curl/8"}},
			})
			got := map[string]bool{}
			keyPaths("", ours, got)

			var missing []string
			for p := range want {
				if !got[p] && !slices.Contains(tc.absent, p) && !hasAbsentPrefix(p, tc.absent) {
					missing = append(missing, p)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("fields of the AWS sample missing from the event: %v", missing)
			}
		})
	}
}

func hasAbsentPrefix(p string, absent []string) bool {
	for _, a := range absent {
		if strings.HasPrefix(p, a+".") {
			return true
		}
	}
	return false
}
