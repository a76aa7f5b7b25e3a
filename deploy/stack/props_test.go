package stack

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"
)

func TestPropsDefaults(t *testing.T) {
	for _, tc := range []struct {
		name        string
		in          Props
		wantTimeout time.Duration
		wantTTL     time.Duration
	}{
		{"rest", Props{}, DefaultBufferedTimeout, DefaultAuthorizerCacheTTL},
		{"rest stream", Props{Stream: true}, DefaultStreamingTimeout, DefaultAuthorizerCacheTTL},
		{"url", Props{Variant: VariantURL}, DefaultStreamingTimeout, DefaultAuthorizerCacheTTL},
		{"http", Props{Variant: VariantHTTP}, DefaultBufferedTimeout, DefaultAuthorizerCacheTTL},
		{"cache off", Props{AuthorizerCacheTTL: -1}, DefaultBufferedTimeout, -1},
		// API Gateway's limit, which it accepts.
		{"cache for an hour", Props{AuthorizerCacheTTL: time.Hour}, DefaultBufferedTimeout, time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.SourceDir, tc.in.BuildDir = "src", "build"
			got, err := tc.in.withDefaults()
			if err != nil {
				t.Fatal(err)
			}
			want := struct {
				Timeout, TTL time.Duration
				Stage        string
				Days, Memory int
				Origins      []string
			}{tc.wantTimeout, tc.wantTTL, "dev", 30, 512, []string{"*"}}
			gotFields := want
			gotFields.Timeout, gotFields.TTL, gotFields.Stage = got.ServerTimeout, got.AuthorizerCacheTTL, got.StageName
			gotFields.Days, gotFields.Memory, gotFields.Origins = got.LogRetentionDays, got.ServerMemoryMB, got.CORSAllowOrigins
			if diff := cmp.Diff(want, gotFields); diff != "" {
				t.Errorf("defaults (-want +got):\n%s", diff)
			}
			if got.Build == nil {
				t.Error("no default builder")
			}
		})
	}
}

func TestPropsErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Props
		want string
	}{
		{"no source", Props{BuildDir: "b"}, "SourceDir or ServerDir is required"},
		{"unknown variant", Props{Variant: "alb"}, `unknown variant "alb"`},
		{"stream on http", Props{Variant: VariantHTTP, Stream: true}, "rest variant only"},
		{"bad stage", Props{StageName: "dev/x"}, "stage name (stage)"},
		{"stage on http", Props{Variant: VariantHTTP, StageName: "prod"}, "rest variant only"},
		{"stage on url", Props{Variant: VariantURL, StageName: "prod"}, "rest variant only"},
		{"cloudwatch role on http", Props{Variant: VariantHTTP, APIGatewayCloudWatchRole: true}, "rest variant only"},
		{"detailed metrics on url", Props{Variant: VariantURL, DetailedMetrics: true}, "rest variant only"},
		{"deletable pool without cognito", Props{CognitoDeletable: true}, "applies to the Cognito user pool only"},
		{"alarm topic without alarms", Props{AlarmTopicARN: "arn:aws:sns:eu-west-1:123456789012:ops"}, "set Alarms"},
		{"alarm topic not a topic", Props{Alarms: true, AlarmTopicARN: "arn:aws:sqs:eu-west-1:123456789012:ops"}, "not a standard SNS topic's ARN"},
		{"alarm topic without account", Props{Alarms: true, AlarmTopicARN: "arn:aws:sns:eu-west-1::ops"}, "not a standard SNS topic's ARN"},
		{"alarm topic FIFO", Props{Alarms: true, AlarmTopicARN: "arn:aws:sns:eu-west-1:123456789012:ops.fifo"}, "FIFO topic"},
		{"alarm topic odd partition", Props{Alarms: true, AlarmTopicARN: "arn:awsx:sns:eu-west-1:123456789012:ops"}, "not a standard SNS topic's ARN"},
		{"alarm topic in another region", Props{Alarms: true, AlarmTopicARN: "arn:aws:sns:us-east-1:123456789012:ops",
			StackProps: awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("eu-west-1")}}}, "another region"},
		{"cognito and a JWT issuer", Props{Cognito: true, JWT: &JWT{Issuer: "https://issuer.example.com", Audience: "a"}}, "exclude each other"},
		{"cache TTL on url", Props{Variant: VariantURL, AuthorizerCacheTTL: time.Minute}, "Lambda authorizers only"},
		{"cache TTL on http with JWTs", Props{Variant: VariantHTTP, AuthorizerCacheTTL: -1, JWT: &JWT{Issuer: "https://issuer.example.com", Audience: "a"}}, "Lambda authorizers only"},
		{"cache TTL on http with cognito", Props{Variant: VariantHTTP, AuthorizerCacheTTL: time.Minute, Cognito: true}, "Lambda authorizers only"},
		{"cache over an hour", Props{AuthorizerCacheTTL: 2 * time.Hour}, "cache TTL (cacheTtl) 2h0m0s exceeds"},
		// The CDK takes whole seconds only, and its error would be a panic out of New.
		{"fractional cache TTL", Props{AuthorizerCacheTTL: 1500 * time.Millisecond}, "cache TTL (cacheTtl) 1.5s: want whole seconds"},
		{"cache TTL under a second", Props{AuthorizerCacheTTL: time.Millisecond}, "cache TTL (cacheTtl) 1ms: want whole seconds"},
		{"retention not offered", Props{LogRetentionDays: 31}, "log retention (logRetentionDays) 31 days"},
		{"retention negative, not never", Props{LogRetentionDays: -2}, "log retention (logRetentionDays) -2 days"},
		{"timeout past gateway", Props{ServerTimeout: 29 * time.Second}, "server timeout (serverTimeout) 29s: the"},
		// AWS documents 30 s, but the CDK refuses an HTTP integration timeout past 29 s.
		{"timeout past http gateway", Props{Variant: VariantHTTP, ServerTimeout: 29 * time.Second}, "server timeout (serverTimeout) 29s: the"},
		{"fractional timeout", Props{ServerTimeout: 1500 * time.Millisecond}, "server timeout (serverTimeout) 1.5s"},
		{"negative timeout", Props{ServerTimeout: -time.Second}, "server timeout (serverTimeout) -1s"},
		{"timeout past lambda on url", Props{Variant: VariantURL, ServerTimeout: 901 * time.Second}, "(serverTimeout) 15m1s exceeds Lambda's 15m0s limit"},
		{"timeout past lambda streaming", Props{Stream: true, ServerTimeout: 16 * time.Minute}, "(serverTimeout) 16m0s exceeds Lambda's 15m0s limit"},
		{"memory under lambda's", Props{ServerMemoryMB: 100}, "server memory (serverMemory) 100 MB"},
		{"memory over lambda's", Props{ServerMemoryMB: 10241}, "server memory (serverMemory) 10241 MB"},
		{"negative memory", Props{ServerMemoryMB: -1}, "server memory (serverMemory) -1 MB"},
		{"jwt without audience", Props{JWT: &JWT{Issuer: "https://i"}}, "issuer and an audience"},
		{"jwt issuer on plain http", Props{JWT: &JWT{Issuer: "http://i", Audience: "a"}}, "jwtIssuer"},
		{"jwks url on plain http", Props{JWT: &JWT{Issuer: "https://i", Audience: "a", JWKSURL: "http://i/keys"}}, "jwtJwksUrl"},
		{"throttle on url", Props{Variant: VariantURL, ThrottleRate: 5}, "serverConcurrency"},
		{"throttle burst on url", Props{Variant: VariantURL, ThrottleBurst: 5}, "serverConcurrency"},
		{"negative reserved concurrency", Props{ServerReservedConcurrency: -1}, "concurrency (serverConcurrency) -1 is negative"},
		{"negative throttle rate", Props{ThrottleRate: -1}, "throttle rate (throttleRate) -1 and burst (throttleBurst) 0: want non-negative"},
		{"negative throttle burst", Props{ThrottleRate: 10, ThrottleBurst: -1}, "throttle rate (throttleRate) 10 and burst (throttleBurst) -1: want non-negative"},
		{"cors origin with a path", Props{CORSAllowOrigins: []string{"https://b.example/app"}}, "corsOrigins"},
		{"cors origin without a scheme", Props{CORSAllowOrigins: []string{"b.example"}}, "corsOrigins"},
		{"cors origin with a space", Props{CORSAllowOrigins: []string{" https://b.example"}}, "corsOrigins"},
		{"env name Lambda refuses", Props{ServerEnv: map[string]string{"1X": "v"}}, "Lambda takes letters"},
		{"env name Lambda reserves", Props{ServerEnv: map[string]string{"AWS_REGION": "v"}}, "Lambda reserves"},
		{"env name Lambda reserves, no prefix", Props{ServerEnv: map[string]string{"TZ": "Europe/Paris"}}, "Lambda reserves"},
		{"env over Lambda's size", Props{ServerEnv: map[string]string{"BIG": strings.Repeat("x", 3<<10)}}, "Lambda allows a function 4 KB"},
		{"secret name too long", Props{ServerSecretEnv: []string{"K" + strings.Repeat("x", 200)}}, "longer than 200"},
		{"env name the stack sets", Props{ServerEnv: map[string]string{"MCP_STREAM": "url"}}, "the stack sets it"},
		{"auth env name", Props{ServerSecretEnv: []string{"MCP_AUTH_TOKEN_SHA256"}}, "the stack sets it"},
		// Names under the stack's own prefixes, which the functions may read in a later version.
		{"env name under MCP_AUTH_", Props{ServerEnv: map[string]string{"MCP_AUTH_TOKEN": "t"}}, "the stack sets it"},
		{"env name under MCP_JWT_", Props{ServerSecretEnv: []string{"MCP_JWT_LEEWAY"}}, "the stack sets it"},
		// The key that seals requestState: in ServerEnv it would be in the template and cdk.out.
		{"secret in plain env", Props{ServerEnv: map[string]string{"MCP_REQUEST_STATE_KEY": "c2VjcmV0"}}, "serverSecretEnv"},
		{"env name given twice", Props{ServerEnv: map[string]string{"KEY": "v"}, ServerSecretEnv: []string{"KEY"}}, "given twice"},
		{"secrets sharing a parameter", Props{ServerSecretEnv: []string{"API_KEY", "Api_Key"}}, "would share the parameter ServerSecretApiKey"},
		{"cors origin with a port that is no number", Props{CORSAllowOrigins: []string{"https://b.example:https"}}, "corsOrigins"},
		{"cors origin with a query", Props{CORSAllowOrigins: []string{"https://b.example?x"}}, "corsOrigins"},
		{"cors origin named in Unicode", Props{CORSAllowOrigins: []string{"https://b\u00fccher.example"}}, "xn--"},
		{"cors origin with a bad escape", Props{CORSAllowOrigins: []string{"https://b%zz.example"}}, "corsOrigins"},
		{"cors origin written as a pattern", Props{CORSAllowOrigins: []string{"https://*.b.example"}}, "is a pattern"},
		// The CDK refuses both in the REST preflight with a panic out of New.
		{"cors origins mixing * with an origin", Props{CORSAllowOrigins: []string{"*", "https://b.example"}}, "* alone"},
		{"cors origins mixing * with an origin on http", Props{Variant: VariantHTTP, CORSAllowOrigins: []string{"https://b.example", "*"}}, "* alone"},
		{"cors origins empty, not nil", Props{CORSAllowOrigins: []string{}}, "corsOrigins"},
		{"cors header that is no header name", Props{CORSAllowHeaders: []string{"Mcp-Param-A B"}}, "corsHeaders"},
		{"jwks url on http", Props{Variant: VariantHTTP, JWT: &JWT{Issuer: "https://i", Audience: "a", JWKSURL: "https://i/keys"}}, "jwtJwksUrl"},
		{"audience claim on http", Props{Variant: VariantHTTP, JWT: &JWT{Issuer: "https://i", Audience: "a", AudienceClaim: "azp", RequiredScopes: []string{"s"}}}, "jwtAudienceClaim"},
		{"audience claim client_id without a scope", Props{JWT: &JWT{Issuer: "https://i", Audience: "a", AudienceClaim: "client_id"}}, "jwtScopes"},
		{"offline_access required", Props{JWT: &JWT{Issuer: "https://i", Audience: "a", RequiredScopes: []string{"mcp", "offline_access"}}}, "offline_access"},
		{"scope implications without required scopes", Props{JWT: &JWT{Issuer: "https://i", Audience: "a", ScopeImplies: map[string][]string{"x": {"y"}}}}, "need required scopes"},
		{"scope implying nothing", Props{JWT: &JWT{Issuer: "https://i", Audience: "a", RequiredScopes: []string{"y"}, ScopeImplies: map[string][]string{"x": nil}}}, `"x" is no scope`},
		{"implied scope with a separator", Props{JWT: &JWT{Issuer: "https://i", Audience: "a", RequiredScopes: []string{"y"}, ScopeImplies: map[string][]string{"x": {"y=z"}}}}, `"y=z"`},
		{"broader scope with a space", Props{JWT: &JWT{Issuer: "https://i", Audience: "a", RequiredScopes: []string{"y"}, ScopeImplies: map[string][]string{"x y": {"y"}}}}, `"x y"`},
		{"broader scope empty", Props{JWT: &JWT{Issuer: "https://i", Audience: "a", RequiredScopes: []string{"y"}, ScopeImplies: map[string][]string{"": {"y"}}}}, `"" is no scope`},
		{"broader scope with a separator", Props{JWT: &JWT{Issuer: "https://i", Audience: "a", RequiredScopes: []string{"y"}, ScopeImplies: map[string][]string{"a=b": {"y"}}}}, `"a=b"`},
		{"implied scope empty", Props{JWT: &JWT{Issuer: "https://i", Audience: "a", RequiredScopes: []string{"y"}, ScopeImplies: map[string][]string{"x": {""}}}}, `"", implied by "x"`},
		{"implied scope with a no-break space", Props{JWT: &JWT{Issuer: "https://i", Audience: "a", RequiredScopes: []string{"y"}, ScopeImplies: map[string][]string{"x": {"y\u00a0z"}}}}, "is no scope"},
		{"domain on url", Props{Variant: VariantURL, Domain: &Domain{Name: "a", CertificateARN: "b"}}, "rest variant"},
		{"domain without certificate", Props{Domain: &Domain{Name: "a"}}, "certificate ARN"},
		{"half a zone", Props{Domain: &Domain{Name: "a", CertificateARN: "b", HostedZoneID: "Z"}}, "hosted zone"},
		{"base path with a leading slash", Props{Domain: &Domain{Name: "a", CertificateARN: "b", BasePath: "/tools"}}, "domainBasePath"},
		{"base path with a trailing slash", Props{Domain: &Domain{Name: "a", CertificateARN: "b", BasePath: "tools/"}}, "domainBasePath"},
		{"base path with an empty level", Props{Domain: &Domain{Name: "a", CertificateARN: "b", BasePath: "v1//tools"}}, "domainBasePath"},
		{"base path with a space", Props{Domain: &Domain{Name: "a", CertificateARN: "b", BasePath: "my tools"}}, "domainBasePath"},
		{"base path with a query", Props{Domain: &Domain{Name: "a", CertificateARN: "b", BasePath: "tools?x"}}, "domainBasePath"},
		{"base path only a slash", Props{Domain: &Domain{Name: "a", CertificateARN: "b", BasePath: "/"}}, "domainBasePath"},
		// API Gateway's name for the empty base path: the API would be mapped at the root, and
		// every URL the stack derives would name a /(none)/ no request reaches it by.
		{"base path (none)", Props{Domain: &Domain{Name: "a", CertificateARN: "b", BasePath: "(none)"}}, "domainBasePath"},
		// The metadata route repeats the base path, and a resource path part takes none of +!*'().
		{"jwt base path no resource takes", Props{JWT: &JWT{Issuer: "https://i", Audience: "a"}, Domain: &Domain{Name: "a", CertificateARN: "b", BasePath: "v1/(tools)"}}, "resource path"},
		{"domain name in upper case", Props{Domain: &Domain{Name: "MCP.example.com", CertificateARN: "b"}}, "domainName"},
		{"domain name with a scheme", Props{Domain: &Domain{Name: "https://mcp.example.com", CertificateARN: "b"}}, "domainName"},
		{"domain name with a path", Props{Domain: &Domain{Name: "mcp.example.com/tools", CertificateARN: "b"}}, "domainName"},
		{"domain name with a port", Props{Domain: &Domain{Name: "mcp.example.com:8443", CertificateARN: "b"}}, "domainName"},
		{"domain name with a trailing dot", Props{Domain: &Domain{Name: "mcp.example.com.", CertificateARN: "b"}}, "domainName"},
		{"domain name a wildcard", Props{Domain: &Domain{Name: "*.example.com", CertificateARN: "b"}}, "domainName"},
		{"domain name of one label", Props{Domain: &Domain{Name: "mcp", CertificateARN: "b"}}, "domainName"},
		{"domain name label ending in a hyphen", Props{Domain: &Domain{Name: "mcp-.example.com", CertificateARN: "b"}}, "domainName"},
		{"domain name label over 63", Props{Domain: &Domain{Name: strings.Repeat("m", 64) + ".example.com", CertificateARN: "b"}}, "domainName"},
		{"zone that does not hold the domain", Props{Domain: &Domain{Name: "mcp.example.com", CertificateARN: "b", HostedZoneID: "Z", HostedZoneName: "example.org"}}, "hostedZoneName"},
		{"zone that only ends the domain's name", Props{Domain: &Domain{Name: "mcp.myexample.com", CertificateARN: "b", HostedZoneID: "Z", HostedZoneName: "example.com"}}, "hostedZoneName"},
		{"zone under the domain", Props{Domain: &Domain{Name: "example.com", CertificateARN: "b", HostedZoneID: "Z", HostedZoneName: "mcp.example.com"}}, "hostedZoneName"},
		{"hosted zone ID in lower case", Props{Domain: &Domain{Name: "mcp.example.com", CertificateARN: certARN, HostedZoneID: "z0123456789abcdefghij", HostedZoneName: "example.com"}}, "hosted zone ID (hostedZoneId)"},
		{"hosted zone ID that is the zone's name", Props{Domain: &Domain{Name: "mcp.example.com", CertificateARN: certARN, HostedZoneID: "example.com", HostedZoneName: "example.com"}}, "hosted zone ID (hostedZoneId)"},
		{"hosted zone ID as an ARN", Props{Domain: &Domain{Name: "mcp.example.com", CertificateARN: certARN, HostedZoneID: "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ", HostedZoneName: "example.com"}}, "hosted zone ID (hostedZoneId)"},
		{"hosted zone ID only the prefix", Props{Domain: &Domain{Name: "mcp.example.com", CertificateARN: certARN, HostedZoneID: "/hostedzone/", HostedZoneName: "example.com"}}, "hosted zone ID (hostedZoneId)"},
		{"hosted zone ID over 32", Props{Domain: &Domain{Name: "mcp.example.com", CertificateARN: certARN, HostedZoneID: "Z" + strings.Repeat("0", 32), HostedZoneName: "example.com"}}, "hosted zone ID (hostedZoneId)"},
		{"certificate ARN not an ARN", Props{Domain: &Domain{Name: "mcp.example.com", CertificateARN: "0a1b2c3d-4e5f-6789-abcd-ef0123456789"}}, "certificateArn"},
		{"certificate ARN of IAM", Props{Domain: &Domain{Name: "mcp.example.com", CertificateARN: "arn:aws:iam::123456789012:server-certificate/mcp"}}, "certificateArn"},
		{"certificate ARN of a private CA", Props{Domain: &Domain{Name: "mcp.example.com", CertificateARN: "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/abc"}}, "certificateArn"},
		// The region edge-optimized APIs, through CloudFront, take certificates from.
		{"certificate in another region", Props{Domain: &Domain{Name: "mcp.example.com", CertificateARN: "arn:aws:acm:us-east-1:123456789012:certificate/abc"},
			StackProps: awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("eu-west-1")}}}, "another region"},
		{"cognito base path no resource takes", Props{Cognito: true, Domain: &Domain{Name: "a", CertificateARN: "b", BasePath: "tools+"}}, "resource path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.in.SourceDir == "" && tc.name != "no source" {
				tc.in.SourceDir = "src"
			}
			if tc.in.BuildDir == "" {
				tc.in.BuildDir = "build"
			}
			_, err := tc.in.withDefaults()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestTimeoutsAllowed(t *testing.T) {
	for _, tc := range []struct {
		name        string
		in          Props
		integration time.Duration // zero: no integration (url)
	}{
		{"5 min streaming rest", Props{Stream: true, ServerTimeout: 5 * time.Minute}, 5*time.Minute + time.Second},
		// Lambda's and the streaming integration's limits are both 15 min: the integration cannot
		// wait the extra second there.
		{"15 min streaming rest", Props{Stream: true, ServerTimeout: 15 * time.Minute}, 15 * time.Minute},
		{"15 min url", Props{Variant: VariantURL, ServerTimeout: 15 * time.Minute}, 0},
		{"28 s rest", Props{ServerTimeout: 28 * time.Second}, 29 * time.Second},
		{"28 s http", Props{Variant: VariantHTTP, ServerTimeout: 28 * time.Second}, 29 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.SourceDir, tc.in.BuildDir = "s", "b"
			p, err := tc.in.withDefaults()
			if err != nil {
				t.Fatal(err)
			}
			if tc.integration != 0 {
				if got := p.integrationTimeout(); got != tc.integration {
					t.Errorf("integration timeout %v, want %v", got, tc.integration)
				}
			}
		})
	}
}

func TestMemoryAllowed(t *testing.T) {
	for _, mb := range []int{128, 10240} {
		p := Props{SourceDir: "s", BuildDir: "b", ServerMemoryMB: mb}
		if _, err := p.withDefaults(); err != nil {
			t.Errorf("%d MB: %v", mb, err)
		}
	}
}

// TestEnvNamesMatchAuth holds the variable names the stack sets to the ones the auth package
// reads, so a rename there fails here rather than in a deployed function.
func TestEnvNamesMatchAuth(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "auth", "config.go"))
	if err != nil {
		t.Fatalf("reading the auth package's variable names: %v", err)
	}
	for _, name := range envNames {
		if !strings.Contains(string(src), `"`+name+`"`) {
			t.Errorf("%s is not a variable auth/config.go reads", name)
		}
	}
}

// TestSecretEnvNamesMatchLibrary holds the variables the stack takes only as secrets to the ones
// lambdamcp's packages read, so a rename there fails here rather than let a key into a template.
func TestSecretEnvNamesMatchLibrary(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "requeststate", "requeststate.go"))
	if err != nil {
		t.Fatalf("reading the requeststate package's variable name: %v", err)
	}
	for _, name := range secretEnvNames {
		if !strings.Contains(string(src), `EnvKey = "`+name+`"`) {
			t.Errorf("%s is not the variable requeststate/requeststate.go reads its key from", name)
		}
	}
}

// An issuer need not be a URL when the keys come from a JWKS URL of their own.
func TestIssuerNotURLWithJWKS(t *testing.T) {
	p := Props{SourceDir: "src", BuildDir: "build", JWT: &JWT{Issuer: "urn:example:issuer", Audience: "a", JWKSURL: "https://keys.example/jwks.json"}}
	if _, err := p.withDefaults(); err != nil {
		t.Errorf("refused: %v", err)
	}
}

// TestCORSOriginsAccepted checks the origins the server accepts pass synth too.
func TestCORSOriginsAccepted(t *testing.T) {
	for _, o := range []string{"*", "https://b.example", "http://localhost:3000/", "http://[::1]:8080", "https://b.example:8443"} {
		p := Props{SourceDir: "src", BuildDir: "build", CORSAllowOrigins: []string{o}}
		if _, err := p.withDefaults(); err != nil {
			t.Errorf("%q: %v", o, err)
		}
	}
}

// TestCORSOriginsAsBrowsersSendThem checks that corsOrigins reach the gateways, the Gateway
// Responses and the server in the form a browser's Origin takes: the gateways compare as written,
// and a browser compares Access-Control-Allow-Origin with its Origin exactly.
func TestCORSOriginsAsBrowsersSendThem(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"*", "*"},
		{"https://b.example", "https://b.example"},
		{"https://b.example/", "https://b.example"},
		{"https://b.example:443", "https://b.example"},
		{"http://localhost:80/", "http://localhost"},
		{"HTTPS://B.Example", "https://b.example"},
		{"https://b.example:8443", "https://b.example:8443"},
		{"http://b.example:443", "http://b.example:443"},
		{"http://[::1]:8080", "http://[::1]:8080"},
	} {
		in := []string{tc.in}
		p, err := Props{SourceDir: "src", BuildDir: "build", CORSAllowOrigins: in}.withDefaults()
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if diff := cmp.Diff([]string{tc.want}, p.CORSAllowOrigins); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tc.in, diff)
		}
		if in[0] != tc.in {
			t.Errorf("the caller's slice was changed to %q", in)
		}
	}
}

// TestCORSOriginsGivenTwiceKeptOnce checks that an origin given twice is kept once, * as any
// other: * twice is any origin, not * mixed with origins.
func TestCORSOriginsGivenTwiceKeptOnce(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"*", "*"}, []string{"*"}},
		{[]string{"https://b.example", "https://b.example/"}, []string{"https://b.example"}},
	} {
		p, err := Props{SourceDir: "src", BuildDir: "build", CORSAllowOrigins: tc.in}.withDefaults()
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if diff := cmp.Diff(tc.want, p.CORSAllowOrigins); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tc.in, diff)
		}
	}
}

// certARN is an ACM certificate's ARN, for tests whose subject is something else.
const certARN = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"

// TestCertificateARNsAccepted checks that ACM certificates pass synth, in the stack's region when
// it is known, and ARNs CloudFormation resolves at deploy time.
func TestCertificateARNsAccepted(t *testing.T) {
	t.Setenv("CDK_DEFAULT_REGION", "") // as when the app runs without the CDK CLI
	region := awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("eu-west-1")}}
	for _, tc := range []struct {
		arn   string
		stack awscdk.StackProps
	}{
		{certARN, awscdk.StackProps{}},
		{"arn:aws:acm:us-east-1:123456789012:certificate/abc", awscdk.StackProps{}},
		{certARN, region},
		{"arn:aws-cn:acm:cn-north-1:123456789012:certificate/abc", awscdk.StackProps{}},
		{*awscdk.Fn_ImportValue(jsii.String("McpCertificate")), region},
	} {
		p := Props{SourceDir: "src", BuildDir: "build", StackProps: tc.stack, Domain: &Domain{Name: "mcp.example.com", CertificateARN: tc.arn}}
		if _, err := p.withDefaults(); err != nil {
			t.Errorf("%s: %v", tc.arn, err)
		}
	}
}

// TestDeployRegion checks that a certificate or an alarm topic of another region than the one the
// stack is deployed to is refused at synth: the stack's region when it has one, else, for an
// environment-agnostic stack, the CDK CLI's, which the CLI deploys it to and gives the app as
// CDK_DEFAULT_REGION. Unknown, nothing is refused.
func TestDeployRegion(t *testing.T) {
	agnostic := awscdk.StackProps{}
	inRegion := func(r string) awscdk.StackProps {
		return awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String(r)}}
	}
	tokenRegion := awscdk.StackProps{Env: &awscdk.Environment{Region: awscdk.Aws_REGION()}}
	for _, tc := range []struct {
		name      string
		stack     awscdk.StackProps
		cliRegion string // CDK_DEFAULT_REGION
		arnRegion string // the certificate's and the topic's
		want      string // what the error says; "" for none
	}{
		{"agnostic, no CLI", agnostic, "", "us-east-1", ""},
		{"agnostic, the CLI's region", agnostic, "eu-west-1", "eu-west-1", ""},
		{"agnostic, another than the CLI's", agnostic, "eu-west-1", "us-east-1", "another region than the one cdk deploys the stack to (eu-west-1, CDK_DEFAULT_REGION)"},
		{"pseudo parameter, another than the CLI's", tokenRegion, "eu-west-1", "us-east-1", "(eu-west-1, CDK_DEFAULT_REGION)"},
		{"stack's region, CLI's another", inRegion("us-east-1"), "eu-west-1", "us-east-1", ""},
		{"another than the stack's, CLI's the same", inRegion("eu-west-1"), "us-east-1", "us-east-1", "another region than the stack (eu-west-1)"},
		{"another than the stack's, no CLI", inRegion("eu-west-1"), "", "us-east-1", "another region than the stack (eu-west-1)"},
		// An app of one's own may set the region from a variable that is unset.
		{"empty region, the CLI's", inRegion(""), "eu-west-1", "eu-west-1", ""},
		{"empty region, another than the CLI's", inRegion(""), "eu-west-1", "us-east-1", "(eu-west-1, CDK_DEFAULT_REGION)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CDK_DEFAULT_REGION", tc.cliRegion)
			for _, c := range []struct {
				key string
				p   Props
			}{
				{"certificateArn", Props{Domain: &Domain{Name: "mcp.example.com", CertificateARN: "arn:aws:acm:" + tc.arnRegion + ":123456789012:certificate/abc"}}},
				{"AlarmTopicARN", Props{Alarms: true, AlarmTopicARN: "arn:aws:sns:" + tc.arnRegion + ":123456789012:ops"}},
			} {
				c.p.SourceDir, c.p.BuildDir, c.p.StackProps = "src", "build", tc.stack
				_, err := c.p.withDefaults()
				switch {
				case tc.want == "" && err != nil:
					t.Errorf("%s: error %v, want none", c.key, err)
				case tc.want != "" && (err == nil || !strings.Contains(err.Error(), c.key) || !strings.Contains(err.Error(), tc.want)):
					t.Errorf("%s: error %v, want one naming %s and saying %q", c.key, err, c.key, tc.want)
				}
			}
		})
	}
}

// TestDomainNamesAccepted checks that host names API Gateway takes for a custom domain pass
// synth, an internationalized one in the ASCII form the endpoint URL needs.
func TestDomainNamesAccepted(t *testing.T) {
	label := strings.Repeat("m", 63)
	for _, name := range []string{
		"mcp.example.com", "a.b", "1-mcp.example.com", "xn--bcher-kva.example",
		label + "." + label + "." + label + "." + strings.Repeat("m", 61), // 253
	} {
		p := Props{SourceDir: "src", BuildDir: "build", Domain: &Domain{Name: name, CertificateARN: certARN}}
		if _, err := p.withDefaults(); err != nil {
			t.Errorf("%q: %v", name, err)
		}
	}
	// A name CloudFormation resolves at deploy time is not known at synth.
	p := Props{SourceDir: "src", BuildDir: "build", Domain: &Domain{Name: *awscdk.Fn_ImportValue(jsii.String("McpDomainName")), CertificateARN: certARN}}
	if _, err := p.withDefaults(); err != nil {
		t.Errorf("a name imported at deploy: %v", err)
	}
	p = Props{SourceDir: "src", BuildDir: "build", Domain: &Domain{Name: label + "." + label + "." + label + "." + strings.Repeat("m", 62), CertificateARN: certARN}}
	if _, err := p.withDefaults(); err == nil || !strings.Contains(err.Error(), "domainName") {
		t.Errorf("a 254-character name: error %v, want one naming domainName", err)
	}
}

// TestHostedZonesAccepted checks that a zone holding the custom domain passes synth, written with
// or without the trailing dot Route 53 gives zone names, and the domain at its apex too.
func TestHostedZonesAccepted(t *testing.T) {
	for _, tc := range []struct{ name, zone string }{
		{"mcp.example.com", "example.com"},
		{"mcp.example.com", "example.com."},
		{"mcp.tools.example.com", "example.com"},
		{"example.com", "example.com"},
		{"example.com", "example.com."},
		// Names CloudFormation resolves at deploy time are not known at synth.
		{*awscdk.Fn_ImportValue(jsii.String("McpDomainName")), "example.com"},
		{"mcp.example.com", *awscdk.Fn_ImportValue(jsii.String("McpZoneName"))},
	} {
		p := Props{SourceDir: "src", BuildDir: "build", Domain: &Domain{Name: tc.name, CertificateARN: certARN, HostedZoneID: "Z", HostedZoneName: tc.zone}}
		if _, err := p.withDefaults(); err != nil {
			t.Errorf("%s in zone %s: %v", tc.name, tc.zone, err)
		}
	}
}

// TestLogRetentionAccepted checks that every retention CloudWatch Logs accepts, and never, passes
// synth as given.
func TestLogRetentionAccepted(t *testing.T) {
	for _, days := range append(LogRetentionDaysAccepted(), LogRetentionNever) {
		p := Props{SourceDir: "src", BuildDir: "build", LogRetentionDays: days}
		got, err := p.withDefaults()
		if err != nil || got.LogRetentionDays != days {
			t.Errorf("%d days: %d, %v; want it taken", days, got.LogRetentionDays, err)
		}
	}
	if got := LogRetentionDaysAccepted(); len(got) == 0 || got[0] != 1 || got[len(got)-1] != 3653 || !slices.IsSorted(got) {
		t.Errorf("LogRetentionDaysAccepted() = %v, want 1 to 3653 in increasing order", got)
	}
}

// TestHostedZoneIDs checks that a Route 53 hosted zone ID passes synth in its bare form, which the
// record takes, whether given so or as the AWS CLI prints it, and that the caller's Domain keeps
// what it was given.
func TestHostedZoneIDs(t *testing.T) {
	imported := *awscdk.Fn_ImportValue(jsii.String("McpZoneId"))
	for _, tc := range []struct{ id, want string }{
		{"Z0123456789ABCDEFGHIJ", "Z0123456789ABCDEFGHIJ"},
		{"/hostedzone/Z0123456789ABCDEFGHIJ", "Z0123456789ABCDEFGHIJ"},
		{"Z1D633PJN98FT9", "Z1D633PJN98FT9"},
		{"Z" + strings.Repeat("0", 31), "Z" + strings.Repeat("0", 31)},
		// An ID CloudFormation resolves at deploy time is not known at synth.
		{imported, imported},
	} {
		d := &Domain{Name: "mcp.example.com", CertificateARN: certARN, HostedZoneID: tc.id, HostedZoneName: "example.com"}
		p := Props{SourceDir: "src", BuildDir: "build", Domain: d}
		got, err := p.withDefaults()
		if err != nil {
			t.Errorf("%s: %v", tc.id, err)
			continue
		}
		if got.Domain.HostedZoneID != tc.want {
			t.Errorf("%s: hosted zone ID %q, want %q", tc.id, got.Domain.HostedZoneID, tc.want)
		}
		if d.HostedZoneID != tc.id {
			t.Errorf("%s: the caller's Domain now holds %q", tc.id, d.HostedZoneID)
		}
	}
}

// TestBasePathsAccepted checks that the base paths API Gateway maps pass synth: with static
// tokens every character it takes, with JWTs those a resource path takes too.
func TestBasePathsAccepted(t *testing.T) {
	for _, tc := range []struct {
		path string
		jwt  *JWT
	}{
		{"tools", nil},
		{"v1/tools", nil},
		{"a$-_.+!*'()/B9", nil},
		{"v1/my-tools_$.x", &JWT{Issuer: "https://i", Audience: "a"}},
	} {
		p := Props{SourceDir: "src", BuildDir: "build", JWT: tc.jwt, Domain: &Domain{Name: "mcp.example.com", CertificateARN: certARN, BasePath: tc.path}}
		if _, err := p.withDefaults(); err != nil {
			t.Errorf("%q: %v", tc.path, err)
		}
	}
}

// TestServerEnvLambdaLets checks names Lambda lets a function set, though they start as its
// own do, pass synth.
func TestServerEnvLambdaLets(t *testing.T) {
	p := Props{SourceDir: "src", BuildDir: "build", ServerEnv: map[string]string{
		"AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR", "AWS_LAMBDA_EXEC_WRAPPER": "/opt/wrap", "AWS_MAX_ATTEMPTS": "5", "LAMBDA_STAGE": "x",
	}}
	if _, err := p.withDefaults(); err != nil {
		t.Error(err)
	}
}

// TestAudienceClaimAudNeedsNoScope checks that naming the default claim,
// aud, needs no required scope: aud names this resource, and the functions
// start with it.
func TestAudienceClaimAudNeedsNoScope(t *testing.T) {
	p := Props{SourceDir: "src", BuildDir: "build", JWT: &JWT{Issuer: "https://i", Audience: "https://mcp.example.com/mcp", AudienceClaim: "aud"}}
	if _, err := p.withDefaults(); err != nil {
		t.Errorf("refused: %v", err)
	}
}

// TestImplying checks the scopes an HTTP API route lists: the required
// ones first, then each that implies one of them, once, in a fixed order,
// so that a synth gives the same template every time.
func TestImplying(t *testing.T) {
	h := map[string][]string{"owner": {"read"}, "admin": {"read", "write"}, "root": {"owner"}, "other": {"x"}}
	want := []string{"read", "admin", "owner", "root"}
	for range 20 { // map order varies from run to run
		if got := implying([]string{"read"}, h); !slices.Equal(got, want) {
			t.Fatalf("implying(read) = %v, want %v", got, want)
		}
	}
	if got := implying([]string{"read", "write"}, map[string][]string{"admin": {"read"}}); !slices.Equal(got, []string{"read", "write", "admin"}) {
		t.Errorf("implying(read, write) = %v, want each once", got)
	}
}

// TestScopesChecked checks the scopes the stack writes into the functions'
// environment, which refuse at start-up one outside RFC 6749's grammar
// (section 3.3: printable ASCII but space, '"' and '\'), and into the rest
// variant's Gateway Responses, whose single-quoted static values have no
// escape for "'": those are refused at synth, naming the setting and the
// scope.
func TestScopesChecked(t *testing.T) {
	for _, tc := range []struct {
		name     string
		variant  Variant
		required []string
		implies  map[string][]string
		want     []string // nil: accepted
	}{
		{name: "scope-tokens", required: []string{"mcp:tools", "https://mcp.example.com/read", "a=b!~"}},
		{name: "quote on url", variant: VariantURL, required: []string{"it's"}},
		{name: "quote on http", variant: VariantHTTP, required: []string{"it's"}},
		// Only the required scopes are named in the challenges.
		{name: "quote in implications on rest", required: []string{"read"}, implies: map[string][]string{"it's": {"read"}}},
		{name: "quote on rest", required: []string{"read", "it's"}, want: []string{"jwtScopes", `"it's"`, "single-quoted"}},
		{name: "double quote", variant: VariantURL, required: []string{`a"b`}, want: []string{"jwtScopes", `"a\"b"`, "RFC 6749"}},
		{name: "backslash", variant: VariantURL, required: []string{`a\b`}, want: []string{"jwtScopes", `"a\\b"`, "RFC 6749"}},
		{name: "space", required: []string{"a b"}, want: []string{"jwtScopes", `"a b"`}},
		{name: "empty", required: []string{""}, want: []string{"jwtScopes", `""`}},
		{name: "past ASCII", required: []string{"caf\u00e9"}, want: []string{"jwtScopes", `"café"`}},
		{name: "control character", required: []string{"a\x7fb"}, want: []string{"jwtScopes", `"a\x7fb"`}},
		{name: "implied control character", required: []string{"read"}, implies: map[string][]string{"admin": {"\x1fread"}}, want: []string{"jwtScopeImplies", `"\x1fread"`}},
		{name: "broader scope with a double quote", required: []string{"read"}, implies: map[string][]string{`a"b`: {"read"}}, want: []string{"jwtScopeImplies", `"a\"b"`}},
		{name: "implied scope past ASCII", required: []string{"read"}, implies: map[string][]string{"admin": {"read", "caf\u00e9"}}, want: []string{"jwtScopeImplies", `"café"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Props{SourceDir: "src", BuildDir: "build", Variant: tc.variant,
				JWT: &JWT{Issuer: "https://i", Audience: "a", RequiredScopes: tc.required, ScopeImplies: tc.implies}}
			_, err := p.withDefaults()
			checkRefusal(t, err, tc.want)
		})
	}
}

// TestScopeImpliesRefusalCut checks that a scope of jwtScopeImplies, or of jwtScopes, that is
// refused is quoted cut: a scope of any size makes a short error.
func TestScopeImpliesRefusalCut(t *testing.T) {
	long := "caf\u00e9" + strings.Repeat("x", 10_000)
	for _, j := range []*JWT{
		{RequiredScopes: []string{"read"}, ScopeImplies: map[string][]string{long: {"read"}}},
		{RequiredScopes: []string{"read"}, ScopeImplies: map[string][]string{long + "=": {"read"}}},
		{RequiredScopes: []string{"read"}, ScopeImplies: map[string][]string{"admin": {long}}},
		{RequiredScopes: []string{"read"}, ScopeImplies: map[string][]string{long: {"x y"}}},
		{RequiredScopes: []string{long}},
		{RequiredScopes: []string{"it's" + strings.Repeat("x", 10_000)}}, // the rest variant's "'"
	} {
		j.Issuer, j.Audience = "https://i", "a"
		p := Props{SourceDir: "src", BuildDir: "build", JWT: j}
		_, err := p.withDefaults()
		if err == nil {
			t.Fatalf("%.60v accepted", j)
		}
		if msg := err.Error(); len(msg) > 600 || !strings.Contains(msg, "…") {
			t.Errorf("error of %d bytes, %.300q; want it cut (…) under 600", len(msg), msg)
		}
	}
}

// TestCORSQuotesChecked checks that a CORS origin or header holding "'", which RFC 9110 lets a
// header name hold (an x-mcp-header name of a 2026-07-28 tool, in Mcp-Param-{Name}), is refused on
// the rest variant, whose preflight and Gateway Responses write them into single-quoted static
// values with no escape for "'", and accepted where the gateways take them as lists.
func TestCORSQuotesChecked(t *testing.T) {
	for _, tc := range []struct {
		name    string
		variant Variant
		origins []string
		headers []string
		want    []string // nil: accepted
	}{
		{name: "header on http", variant: VariantHTTP, headers: []string{"Mcp-Param-It's"}},
		{name: "header on url", variant: VariantURL, headers: []string{"Mcp-Param-It's"}},
		{name: "origin on url", variant: VariantURL, origins: []string{"https://it's.example"}},
		{name: "header on rest", headers: []string{"Mcp-Param-Region", "Mcp-Param-It's"}, want: []string{"corsHeaders", `"Mcp-Param-It's"`, "single-quoted"}},
		{name: "origin on rest", origins: []string{"https://a.example", "https://it's.example"}, want: []string{"corsOrigins", `"https://it's.example"`, "single-quoted"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Props{SourceDir: "src", BuildDir: "build", Variant: tc.variant, CORSAllowOrigins: tc.origins, CORSAllowHeaders: tc.headers}
			_, err := p.withDefaults()
			checkRefusal(t, err, tc.want)
		})
	}
}

// A CORS origin, a JWT issuer or a JWKS URL whose port is beyond TCP's (1 to 65535) is refused at
// synth, naming the setting and the port, as the functions refuse it at start-up: the parser takes
// any digits, and the deployment would go well and every cold start fail, or no browser match.
// A value holding an @, which may mark a password, is not shown.
func TestPortsBeyondTCPRefused(t *testing.T) {
	for _, tc := range []struct {
		name, setting string
		in            Props
	}{
		{"cors origin port 99999", "corsOrigins", Props{CORSAllowOrigins: []string{"https://app.example:99999"}}},
		{"cors origin port 0", "corsOrigins", Props{CORSAllowOrigins: []string{"http://[::1]:0"}}},
		{"cors origin port past an int", "corsOrigins", Props{CORSAllowOrigins: []string{"https://app.example:18446744073709551617"}}},
		{"issuer port 65536", "jwtIssuer", Props{JWT: &JWT{Issuer: "https://iss.example:65536", Audience: "a"}}},
		{"issuer port 0 beside a JWKS URL", "jwtIssuer", Props{JWT: &JWT{Issuer: "https://iss.example:0", Audience: "a", JWKSURL: "https://iss.example/jwks.json"}}},
		{"jwks url port 99999", "jwtJwksUrl", Props{JWT: &JWT{Issuer: "https://iss.example", Audience: "a", JWKSURL: "https://iss.example:99999/jwks.json"}}},
		{"jwks url port 99999 on url", "jwtJwksUrl", Props{Variant: VariantURL, JWT: &JWT{Issuer: "https://iss.example", Audience: "a", JWKSURL: "https://keys.example:99999/s3cret@x/jwks.json"}}},
		{"issuer with an @ and port 0", "jwtIssuer", Props{JWT: &JWT{Issuer: "https://iss.example:0/s3cret@x", Audience: "a"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.SourceDir, tc.in.BuildDir = "src", "build"
			_, err := tc.in.withDefaults()
			if err == nil || !strings.Contains(err.Error(), "("+tc.setting+")") || !strings.Contains(err.Error(), "port") {
				t.Fatalf("error %v, want one naming %s and the port", err, tc.setting)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q shows a value holding an @", err)
			}
		})
	}
	for _, in := range []Props{
		{CORSAllowOrigins: []string{"https://app.example:65535", "http://localhost:1"}},
		{JWT: &JWT{Issuer: "https://iss.example:8443", Audience: "a", JWKSURL: "https://iss.example:443/jwks.json"}},
	} {
		in.SourceDir, in.BuildDir = "src", "build"
		if _, err := in.withDefaults(); err != nil {
			t.Errorf("%+v refused: %v", in, err)
		}
	}
}

// A CORS origin, a JWT issuer or a JWKS URL refused at synth is not shown when it holds an @,
// which may mark a password; and an issuer naming a user is refused, as the functions refuse it
// at start-up, where it stands in for the authorization server published to clients.
func TestRefusedURLHoldingAtNotShown(t *testing.T) {
	for _, tc := range []struct {
		name, setting string
		in            Props
	}{
		{"cors origin with a user", "corsOrigins", Props{CORSAllowOrigins: []string{"https://u:s3cret@app.example"}}},
		{"cors origin with an @ in its path", "corsOrigins", Props{CORSAllowOrigins: []string{"https://app.example/u:s3cret@x"}}},
		{"issuer on plain http with a user", "jwtIssuer", Props{JWT: &JWT{Issuer: "http://u:s3cret@iss.example", Audience: "a"}}},
		{"jwks url on plain http with a user", "jwtJwksUrl", Props{JWT: &JWT{Issuer: "https://iss.example", Audience: "a", JWKSURL: "http://u:s3cret@keys.example/jwks.json"}}},
		{"jwks url on http with a user", "jwtJwksUrl", Props{Variant: VariantHTTP, JWT: &JWT{Issuer: "https://iss.example", Audience: "a", JWKSURL: "https://u:s3cret@keys.example/jwks.json"}}},
		{"issuer with a user", "jwtIssuer", Props{JWT: &JWT{Issuer: "https://u:s3cret@iss.example", Audience: "a"}}},
		{"issuer with a user beside a JWKS URL", "jwtIssuer", Props{Variant: VariantURL, JWT: &JWT{Issuer: "https://u:s3cret@iss.example", Audience: "a", JWKSURL: "https://iss.example/jwks.json"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.SourceDir, tc.in.BuildDir = "src", "build"
			_, err := tc.in.withDefaults()
			if err == nil || !strings.Contains(err.Error(), "("+tc.setting+")") {
				t.Fatalf("error %v, want one naming %s", err, tc.setting)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q shows a value holding an @", err)
			}
		})
	}
}

// An issuer that is no URL has no metadata document, so nothing is routed at a path repeating the
// base path, and the base path need only be one API Gateway maps.
func TestIssuerNotURLBasePath(t *testing.T) {
	p := Props{SourceDir: "src", BuildDir: "build", JWT: &JWT{Issuer: "urn:example:issuer", Audience: "a", JWKSURL: "https://keys.example/jwks.json"},
		Domain: &Domain{Name: "mcp.example.com", CertificateARN: "arn:aws:acm:eu-west-1:123456789012:certificate/abc", BasePath: "v1/(tools)"}}
	if _, err := p.withDefaults(); err != nil {
		t.Errorf("refused: %v", err)
	}
}

// An issuer written as an http(s) URL is published as the authorization server, and the functions
// refuse one without a host (or holding white space) at every cold start (auth.ConfigFromEnv): it
// is refused at synth, with a JWKS URL of its own or without, naming the setting. A value holding
// an @, which may mark a password, is not shown.
func TestIssuerURLWithoutHostRefused(t *testing.T) {
	const jwks = "https://keys.example/jwks.json"
	for _, tc := range []struct {
		name, issuer, jwks string
		want               []string
	}{
		{"opaque", "https:foo", jwks, []string{"jwtIssuer", `"https:foo"`, "host"}},
		{"empty host", "https:///x", jwks, []string{"jwtIssuer", `"https:///x"`, "host"}},
		{"empty host, keys from it", "https:///x", "", []string{"jwtIssuer", `"https:///x"`, "host"}},
		{"port only", "https://:8443/x", "", []string{"jwtIssuer", "host"}},
		{"upper-case scheme", "HTTPS:foo", jwks, []string{"jwtIssuer", "host"}},
		{"plain http", "http:foo", jwks, []string{"jwtIssuer", "host"}},
		{"white space", "https://issuer.example/ x", jwks, []string{"jwtIssuer", "white space"}},
		{"password", "https:user:secret@", jwks, []string{"jwtIssuer", "not shown"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Props{SourceDir: "src", BuildDir: "build", JWT: &JWT{Issuer: tc.issuer, Audience: "a", JWKSURL: tc.jwks}}
			_, err := p.withDefaults()
			if err == nil {
				t.Fatalf("issuer %q accepted", tc.issuer)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
	// Neither a URN nor an http(s) URL with a host is refused.
	for _, iss := range []string{"urn:example:issuer", "https://issuer.example", "http://localhost:8080/realms/x"} {
		p := Props{SourceDir: "src", BuildDir: "build", JWT: &JWT{Issuer: iss, Audience: "a", JWKSURL: jwks}}
		if _, err := p.withDefaults(); err != nil {
			t.Errorf("%q refused: %v", iss, err)
		}
	}
}

// A Function URL takes at most 100 allowed origins, each of 1 to 253 characters, and at most 100
// allowed headers, each of up to 1024 (AWS::Lambda::Url Cors): the url variant refuses more at
// synth, naming the setting and the limit, rather than the deploy failing. The headers count the
// MCP ones the stack allows itself. The other variants, whose gateways document no such limits,
// take them.
func TestCORSFunctionURLLimits(t *testing.T) {
	origins := func(n int) []string {
		var o []string
		for i := range n {
			o = append(o, fmt.Sprintf("https://o%d.example", i))
		}
		return o
	}
	headers := func(n int) []string {
		var h []string
		for i := range n {
			h = append(h, fmt.Sprintf("Mcp-Param-P%d", i))
		}
		return h
	}
	longOrigin := "https://" + strings.Repeat("a", 241) + ".example" // 257 characters
	room := 100 - len(mcpCORSHeaders)
	for _, tc := range []struct {
		name             string
		origins, headers []string
		want             []string // nil: accepted
	}{
		{name: "100 origins", origins: origins(100)},
		// https://o0.example/ is https://o0.example, given twice, which counts once.
		{name: "100 origins, one given twice", origins: append(origins(100), "https://o0.example/")},
		{name: "101 origins", origins: origins(101), want: []string{"corsOrigins", "101", "at most 100"}},
		{name: "origin of 253", origins: []string{"https://" + strings.Repeat("a", 237) + ".example"}},
		{name: "origin of 257", origins: []string{longOrigin}, want: []string{"corsOrigins", "257 characters", "253"}},
		{name: "headers filling 100", headers: headers(room)},
		// MCP headers named again are kept once, and count once.
		{name: "headers filling 100 and an MCP one", headers: append(headers(room), "authorization")},
		{name: "headers past 100", headers: headers(room + 1), want: []string{"corsHeaders", fmt.Sprint(room + 1), fmt.Sprint(len(mcpCORSHeaders)), "at most 100"}},
		{name: "header of 1024", headers: []string{"X" + strings.Repeat("a", 1023)}},
		{name: "header of 1025", headers: []string{"X" + strings.Repeat("a", 1024)}, want: []string{"corsHeaders", "1025 characters", "1024"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range []Variant{VariantURL, VariantHTTP, VariantREST} {
				p := Props{SourceDir: "src", BuildDir: "build", Variant: v, CORSAllowOrigins: tc.origins, CORSAllowHeaders: tc.headers}
				_, err := p.withDefaults()
				if tc.want == nil || v != VariantURL {
					if err != nil {
						t.Errorf("%s: refused: %v", v, err)
					}
					continue
				}
				if err == nil {
					t.Fatalf("%s: accepted, want an error naming %q", v, tc.want)
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("%s: error %q does not say %q", v, err, w)
					}
				}
			}
		})
	}
}

// The functions fetch the signing keys from jwtJwksUrl and refuse one naming no host at every
// cold start (auth.NewJWTVerifier): it is refused at synth, naming the setting. A value holding an
// @, which may mark a password, is not shown.
func TestJWKSURLWithoutHostRefused(t *testing.T) {
	for _, tc := range []struct {
		name, jwks string
		want       []string
	}{
		{"empty host", "https:///keys", []string{"jwtJwksUrl", `"https:///keys"`, "host"}},
		{"opaque", "https:keys", []string{"jwtJwksUrl", `"https:keys"`}},
		{"port only", "https://:8443/keys", []string{"jwtJwksUrl", "host"}},
		{"unparsable", "https://keys.example/%zz", []string{"jwtJwksUrl"}},
		{"password, no host", "https://user:secret@/keys", []string{"jwtJwksUrl", "not shown"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Props{SourceDir: "src", BuildDir: "build", JWT: &JWT{Issuer: "https://issuer.example", Audience: "a", JWKSURL: tc.jwks}}
			_, err := p.withDefaults()
			if err == nil {
				t.Fatalf("JWKS URL %q accepted", tc.jwks)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
	for _, jwks := range []string{"https://keys.example/jwks.json", "https://keys.example:8443/.well-known/jwks.json"} {
		p := Props{SourceDir: "src", BuildDir: "build", JWT: &JWT{Issuer: "urn:example:issuer", Audience: "a", JWKSURL: jwks}}
		if _, err := p.withDefaults(); err != nil {
			t.Errorf("%q refused: %v", jwks, err)
		}
	}
}

// checkRefusal checks that err is nil when want is, and otherwise an error that says every
// string of want.
func checkRefusal(t *testing.T, err error, want []string) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Errorf("refused: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("accepted, want an error naming %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}

// Without jwtJwksUrl the functions find the keys from the issuer's discovery document, which only
// an https issuer without query or fragment has: any other is refused at synth, as the functions
// refuse it at every cold start; with jwtJwksUrl such an issuer is checked in tokens only.
func TestIssuerForDiscovery(t *testing.T) {
	for _, iss := range []string{"http://iss.example", "https://iss.example/?tenant=a", "https://iss.example/#a", "urn:example:issuer"} {
		p := Props{SourceDir: "src", BuildDir: "build", JWT: &JWT{Issuer: iss, Audience: "a"}}
		_, err := p.withDefaults()
		if err == nil || !strings.Contains(err.Error(), "(jwtIssuer)") || !strings.Contains(err.Error(), "discovery document") {
			t.Errorf("issuer %q without a JWKS URL: %v, want an error naming jwtIssuer and the discovery document", iss, err)
		}
		p.JWT.JWKSURL = "https://keys.example/jwks.json"
		if _, err := p.withDefaults(); err != nil && strings.Contains(err.Error(), "discovery document") {
			t.Errorf("issuer %q beside a JWKS URL: %v", iss, err)
		}
	}
}

// TestSchemeInCapitalsAccepted checks that a JWKS URL whose scheme is
// written in capitals is taken as the https URL it is, as the functions
// take it (auth.NewJWTVerifier): a URL's scheme is read without regard to
// letter case (RFC 3986 section 3.1). An issuer is no URL to fetch but a
// name every token's iss, and the issuer's discovery document, must
// match exactly, and issuers write their scheme in lower case: one in
// capitals is refused, naming why, where the functions would refuse
// every token.
func TestSchemeInCapitalsAccepted(t *testing.T) {
	for _, jwt := range []JWT{
		{Issuer: "https://iss.example", Audience: "a", JWKSURL: "HTTPS://keys.example/jwks.json"},
		{Issuer: "urn:example:issuer", Audience: "a", JWKSURL: "Https://keys.example/jwks.json"},
	} {
		p := Props{SourceDir: "src", BuildDir: "build", JWT: &jwt}
		if _, err := p.withDefaults(); err != nil {
			t.Errorf("issuer %q, JWKS URL %q: %v", jwt.Issuer, jwt.JWKSURL, err)
		}
	}
	for _, jwt := range []JWT{
		{Issuer: "HTTPS://iss.example", Audience: "a"},
		{Issuer: "Https://iss.example/pool", Audience: "a"},
		{Issuer: "HTTPS://iss.example", Audience: "a", JWKSURL: "https://keys.example/jwks.json"},
	} {
		p := Props{SourceDir: "src", BuildDir: "build", JWT: &jwt}
		if _, err := p.withDefaults(); err == nil || !strings.Contains(err.Error(), "jwtIssuer") || !strings.Contains(err.Error(), "lower case") {
			t.Errorf("issuer %q, JWKS URL %q: %v, want an error naming jwtIssuer and its scheme's letter case", jwt.Issuer, jwt.JWKSURL, err)
		}
	}
}
