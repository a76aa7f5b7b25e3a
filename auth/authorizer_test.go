package auth

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

// The authorizer's three outcomes, in full: Allow with the identity in the
// context, Unauthorized (401) for a missing, invalid or expired token, and
// Deny (403) for a valid token without the required scope.
func TestAuthorizerThreeOutcomes(t *testing.T) {
	key := newRSAKey(t, "k")
	srv := newJWKSServer(t, key)
	a := NewAuthorizer(newTestJWTVerifier(t, srv.url(), nil), &AuthorizerOptions{Scopes: []string{testScope}})
	const arn = "arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/test/*"
	good := key.sign(t, claims{scope: testScope + " other"})
	statement := func(effect string) events.APIGatewayCustomAuthorizerPolicy {
		return events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: []events.IAMPolicyStatement{
			{Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: []string{arn}},
		}}
	}
	var goodExp string
	{
		id, err := newTestJWTVerifier(t, srv.url(), nil).Verify(context.Background(), good)
		if err != nil {
			t.Fatal(err)
		}
		goodExp = identityContext(id)["exp"].(string)
	}
	tests := []struct {
		name    string
		header  string
		want    *events.APIGatewayCustomAuthorizerResponse
		wantErr string
	}{
		{"allow", "Bearer " + good, &events.APIGatewayCustomAuthorizerResponse{
			PrincipalID:    "user-123",
			PolicyDocument: statement("Allow"),
			Context: map[string]any{
				"sub": "user-123", "client_id": "client-abc", "scope": "mcp:tools other", "iss": testIssuer,
				"exp": goodExp, "auth_method": "jwt",
			},
		}, ""},
		{"missing token", "", nil, "Unauthorized"},
		{"invalid token", "Bearer " + tamper(good), nil, "Unauthorized"},
		{"expired token", "Bearer " + key.sign(t, claims{scope: testScope, exp: -time.Hour}), nil, "Unauthorized"},
		{"valid token without the scope", "Bearer " + key.sign(t, claims{scope: "other"}), &events.APIGatewayCustomAuthorizerResponse{
			PrincipalID:    "user-123",
			PolicyDocument: statement("Deny"),
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := withField(t, requestEventJSON, func(m map[string]any) {
				if tc.header != "" {
					m["headers"].(map[string]any)["Authorization"] = tc.header
				}
			})
			out, err := a.Invoke(context.Background(), ev)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("Invoke = (%s, %v), want error %q", out, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := new(events.APIGatewayCustomAuthorizerResponse)
			if err := json.Unmarshal(out, got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("response mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// The policy must cover the method ARN that triggered it and every other
// route of the stage, whatever the shape of the ARN: a REST method and path,
// or an HTTP API's $default route, which has no method segment.
func TestAuthorizerPolicyCoversStage(t *testing.T) {
	v, err := NewStaticVerifier([]string{HashToken(staticToken)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := NewAuthorizer(v, nil)
	const prefix = "arn:aws:execute-api:us-east-1:123456789012:"
	tests := []struct {
		methodArn string
		others    []string // other ARNs of the same stage
		outside   []string // ARNs the policy must not cover
	}{
		{"abcdef123/$default/$default",
			[]string{"abcdef123/$default/POST/mcp", "abcdef123/$default/GET/.well-known/oauth-protected-resource/mcp"},
			[]string{"abcdef123/prod/$default", "other123/$default/$default"}},
		{"abcdef123/$default/POST/mcp", []string{"abcdef123/$default/$default"}, nil},
		{"s4x3opwd6i/prod/POST/mcp",
			[]string{"s4x3opwd6i/prod/GET/mcp", "s4x3opwd6i/prod/DELETE/mcp/extra"},
			[]string{"s4x3opwd6i/test/POST/mcp"}},
		{"s4x3opwd6i/prod/POST/", []string{"s4x3opwd6i/prod/GET/mcp"}, nil},
		// The path is the client's: a colon in it is no field of the ARN,
		// and a wildcard or an escape in it names no other API.
		{"s4x3opwd6i/prod/GET/counters/2021-08-01T00:00:00Z", []string{"s4x3opwd6i/prod/POST/mcp"}, []string{"s4x3opwd6i/test/POST/mcp"}},
		{"s4x3opwd6i/prod/GET/mcp/*/a?b/%2F/a b/\u00e9", []string{"s4x3opwd6i/prod/POST/mcp"}, []string{"s4x3opwd6i/test/POST/mcp", "other/prod/POST/mcp"}},
		// A test invocation's stage, "*", stays within the API.
		{"abcdef123/*/GET/", []string{"abcdef123/prod/POST/mcp"}, []string{"other123/prod/POST/mcp"}},
	}
	for _, tc := range tests {
		t.Run(tc.methodArn, func(t *testing.T) {
			ev := withField(t, tokenEventJSON, func(m map[string]any) {
				m["authorizationToken"] = "Bearer " + staticToken
				m["methodArn"] = prefix + tc.methodArn
			})
			out, err := a.Invoke(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			var resp events.APIGatewayCustomAuthorizerResponse
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			st := resp.PolicyDocument.Statement
			if len(st) != 1 || st[0].Effect != "Allow" || len(st[0].Resource) != 1 {
				t.Fatalf("policy %s: want one Allow statement on one resource", out)
			}
			resource := st[0].Resource[0]
			for _, arn := range append([]string{tc.methodArn}, tc.others...) {
				if !iamMatch(resource, prefix+arn) {
					t.Errorf("resource %s does not cover %s", resource, prefix+arn)
				}
			}
			for _, arn := range tc.outside {
				if iamMatch(resource, prefix+arn) {
					t.Errorf("resource %s covers %s, outside the stage", resource, prefix+arn)
				}
			}
		})
	}
}

// iamMatch matches an ARN against an IAM resource pattern, in which "*"
// stands for any run of characters, "/" included, and "?" for any one.
func iamMatch(pattern, arn string) bool {
	var b strings.Builder
	b.WriteString("^")
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String()).MatchString(arn)
}

// A method ARN naming no one API (a wildcard where API Gateway writes its
// own ids) gets no policy: an Allow built from it, cached for the token,
// would cover other APIs, accounts or regions.
func TestAuthorizerRefusesWildcardARN(t *testing.T) {
	v, err := NewStaticVerifier([]string{HashToken(staticToken)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := NewAuthorizer(v, nil)
	tests := []struct{ name, methodArn string }{
		{"API", "arn:aws:execute-api:us-east-1:123456789012:*/prod/POST/mcp"},
		{"API with a wildcard inside", "arn:aws:execute-api:us-east-1:123456789012:abc*/prod/POST/mcp"},
		{"API with one unknown character", "arn:aws:execute-api:us-east-1:123456789012:abcdef12?/prod/POST/mcp"},
		{"account", "arn:aws:execute-api:us-east-1:*:abcdef123/prod/POST/mcp"},
		{"region", "arn:aws:execute-api:*:123456789012:abcdef123/prod/POST/mcp"},
		{"partition", "arn:*:execute-api:us-east-1:123456789012:abcdef123/prod/POST/mcp"},
	}
	for _, tc := range tests {
		for _, kind := range []string{"TOKEN", "REQUEST"} {
			t.Run(kind+" "+tc.name, func(t *testing.T) {
				base := tokenEventJSON
				if kind == "REQUEST" {
					base = requestEventJSON
				}
				ev := withField(t, base, func(m map[string]any) {
					m["authorizationToken"] = "Bearer " + staticToken
					m["headers"] = map[string]any{"Authorization": "Bearer " + staticToken}
					m["multiValueHeaders"] = map[string]any{"Authorization": []any{"Bearer " + staticToken}}
					m["methodArn"] = tc.methodArn
				})
				out, err := a.Invoke(context.Background(), ev)
				if err == nil || err.Error() == ErrUnauthorized.Error() || !strings.Contains(err.Error(), "method ARN") {
					t.Fatalf("Invoke = (%s, %v), want an error about the method ARN", out, err)
				}
			})
		}
	}
}

// A refused method ARN is quoted cut short: aws-lambda-go logs the error
// whole as the invocation's failure, and the path in the ARN is the
// client's. The bound allows for %q writing a control byte in four.
func TestAuthorizerARNErrorBounded(t *testing.T) {
	v, err := NewStaticVerifier([]string{HashToken(staticToken)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := NewAuthorizer(v, nil)
	long := strings.Repeat("a", 10<<10)
	binary := strings.Repeat("\x01", 10<<10)
	tests := []struct{ name, methodArn string }{
		{"not an execute-api ARN", "arn:aws:s3:::bucket/" + long},
		{"no stage", "arn:aws:execute-api:us-east-1:123456789012:abc123//POST/" + long},
		{"no one API", "arn:aws:execute-api:us-east-1:123456789012:*/prod/POST/" + long},
		{"control bytes in the path", "arn:aws:execute-api:us-east-1:123456789012:*/prod/POST/" + binary},
	}
	const bound = 4*maxQuotedARNBytes + 128
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := withField(t, tokenEventJSON, func(m map[string]any) {
				m["authorizationToken"] = "Bearer " + staticToken
				m["methodArn"] = tc.methodArn
			})
			_, err := a.Invoke(context.Background(), ev)
			if err == nil || !strings.Contains(err.Error(), "method ARN") {
				t.Fatalf("Invoke error = %v, want one about the method ARN", err)
			}
			if n := len(err.Error()); n > bound {
				t.Errorf("error is %d bytes, want at most %d", n, bound)
			}
		})
	}
}
