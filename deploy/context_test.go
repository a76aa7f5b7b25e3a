package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lambdamcp/lambdamcp/deploy/stack"
)

func TestPropsFromContext(t *testing.T) {
	for _, tc := range []struct {
		name      string
		ctx       map[string]string
		want      stack.Props
		wantStack string
	}{
		{"empty", nil, stack.Props{}, "LambdaMcp"},
		{
			"rest streaming",
			map[string]string{"variant": "rest", "stream": "true", "stage": "prod", "cacheTtl": "60", "stackName": "Mcp2"},
			stack.Props{Variant: stack.VariantREST, Stream: true, StageName: "prod", AuthorizerCacheTTL: time.Minute},
			"Mcp2",
		},
		{"cache off", map[string]string{"cacheTtl": "0"}, stack.Props{AuthorizerCacheTTL: -1}, "LambdaMcp"},
		{"cache blank", map[string]string{"cacheTtl": " "}, stack.Props{}, "LambdaMcp"},
		{"logs kept forever", map[string]string{"logRetentionDays": "never"}, stack.Props{LogRetentionDays: stack.LogRetentionNever}, "LambdaMcp"},
		{"logs kept forever, in capitals", map[string]string{"logRetentionDays": " Never "}, stack.Props{LogRetentionDays: stack.LogRetentionNever}, "LambdaMcp"},
		{"logs kept ten years", map[string]string{"logRetentionDays": "3653"}, stack.Props{LogRetentionDays: 3653}, "LambdaMcp"},
		{"log retention blank", map[string]string{"logRetentionDays": " "}, stack.Props{}, "LambdaMcp"},
		{
			"own server",
			map[string]string{"serverDir": "../../hello", "serverPackage": " ./cmd/hello ",
				"serverEnv": "GREETING=hello there, MODE=a=b", "serverSecretEnv": "MCP_REQUEST_STATE_KEY, API_KEY"},
			stack.Props{ServerDir: "../../hello", ServerPackage: "./cmd/hello",
				ServerEnv:       map[string]string{"GREETING": "hello there", "MODE": "a=b"},
				ServerSecretEnv: []string{"MCP_REQUEST_STATE_KEY", "API_KEY"}},
			"LambdaMcp",
		},
		{
			"http jwt",
			map[string]string{"variant": "http", "jwtIssuer": "https://i", "jwtAudience": "a", "jwtScopes": "s1 s2", "corsOrigins": "https://x, https://y",
				"corsHeaders": "Mcp-Param-Region, Mcp-Param-Tenant", "jwtScopeImplies": " admin=s1 s2 ; root=admin;"},
			stack.Props{Variant: stack.VariantHTTP, CORSAllowOrigins: []string{"https://x", "https://y"}, CORSAllowHeaders: []string{"Mcp-Param-Region", "Mcp-Param-Tenant"},
				JWT: &stack.JWT{Issuer: "https://i", Audience: "a", RequiredScopes: []string{"s1", "s2"},
					ScopeImplies: map[string][]string{"admin": {"s1", "s2"}, "root": {"admin"}}}},
			"LambdaMcp",
		},
		{
			"domain and sizes",
			map[string]string{"domainName": "mcp.example.com", "certificateArn": "arn:c", "serverMemory": "1024", "serverConcurrency": "20",
				"serverTimeout": "20", "logRetentionDays": "7", "cognito": "true", "cloudWatchRole": "true",
				"detailedMetrics": "true"},
			stack.Props{Domain: &stack.Domain{Name: "mcp.example.com", CertificateARN: "arn:c"}, ServerMemoryMB: 1024, ServerReservedConcurrency: 20,
				ServerTimeout: 20 * time.Second, LogRetentionDays: 7, Cognito: true, APIGatewayCloudWatchRole: true,
				DetailedMetrics: true},
			"LambdaMcp",
		},
		{
			"domain keeping execute-api",
			map[string]string{"domainName": "mcp.example.com", "certificateArn": "arn:c", "executeApiEndpoint": "true"},
			stack.Props{Domain: &stack.Domain{Name: "mcp.example.com", CertificateARN: "arn:c", KeepExecuteAPIEndpoint: true}},
			"LambdaMcp",
		},
		{
			"domain under a base path",
			map[string]string{"domainName": "mcp.example.com", "certificateArn": "arn:c", "domainBasePath": " v1/tools "},
			stack.Props{Domain: &stack.Domain{Name: "mcp.example.com", CertificateARN: "arn:c", BasePath: "v1/tools"}},
			"LambdaMcp",
		},
		{"cognito protected", map[string]string{"cognito": "true", "cognitoDeletionProtection": "true"}, stack.Props{Cognito: true}, "LambdaMcp"},
		{"cognito protected, blank", map[string]string{"cognito": "true", "cognitoDeletionProtection": " "}, stack.Props{Cognito: true}, "LambdaMcp"},
		{
			"cognito deletable",
			map[string]string{"cognito": "true", "cognitoDeletionProtection": "false"},
			stack.Props{Cognito: true, CognitoDeletable: true},
			"LambdaMcp",
		},
		{
			"alarms",
			map[string]string{"alarms": "true", "alarmTopicArn": " arn:aws:sns:eu-west-1:123456789012:ops "},
			stack.Props{Alarms: true, AlarmTopicARN: "arn:aws:sns:eu-west-1:123456789012:ops"},
			"LambdaMcp",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, name, err := propsFromContext(lookup(tc.ctx))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(stack.Props{}, "StackProps", "Build")); diff != "" {
				t.Errorf("props (-want +got):\n%s", diff)
			}
			if name != tc.wantStack {
				t.Errorf("stack name %q, want %q", name, tc.wantStack)
			}
		})
	}
}

// TestScopeImpliesRepeated checks that a broader scope named twice implies
// what both entries list, as the functions read MCP_SCOPE_IMPLIES.
func TestScopeImpliesRepeated(t *testing.T) {
	h, err := scopeImplies("admin=read; admin=write")
	if err != nil || !slices.Equal(h["admin"], []string{"read", "write"}) {
		t.Errorf("scopeImplies = %v, %v; want admin implying read and write", h, err)
	}
}

// TestJWTSettingsNeedIssuer checks that a jwt* setting without jwtIssuer is
// an error, not a setting that silently changes nothing.
func TestJWTSettingsNeedIssuer(t *testing.T) {
	for _, key := range []string{"jwtAudience", "jwtJwksUrl", "jwtAudienceClaim", "jwtScopes", "jwtScopeImplies"} {
		for _, ctx := range []map[string]string{{key: "x=y"}, {key: "x=y", "cognito": "true"}} {
			if _, _, err := propsFromContext(lookup(ctx)); err == nil || !strings.Contains(err.Error(), key) {
				t.Errorf("%v: error %v, want one naming %s", ctx, err, key)
			}
		}
	}
}

func TestPropsFromContextErrors(t *testing.T) {
	_, _, err := propsFromContext(lookup(map[string]string{"stream": "yes please", "cacheTtl": "-5", "serverMemory": "big", "serverEnv": "GREETING",
		"jwtIssuer": "https://i", "jwtScopeImplies": "admin"}))
	if err == nil {
		t.Fatal("no error for bad context values")
	}
	for _, key := range []string{"stream", "cacheTtl", "serverMemory", "serverEnv", "jwtScopeImplies"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error %q does not name %s", err, key)
		}
	}
}

// TestLogRetentionRefused checks that a retention CloudWatch Logs does not keep is refused with
// the ones it does and never: 0 above all, which would otherwise be taken for the default 30 days
// by whoever meant logs that never expire.
func TestLogRetentionRefused(t *testing.T) {
	for _, v := range []string{"0", "31", "-1", "1.5", "forever", "30 days"} {
		_, _, err := propsFromContext(lookup(map[string]string{"logRetentionDays": v}))
		if err == nil {
			t.Errorf("logRetentionDays=%s: no error", v)
			continue
		}
		for _, want := range []string{"logRetentionDays", "never", "[1 3 5 7 14 30 60 90 120 150 180 365 400 545 731 1096 1827 2192 2557 2922 3288 3653]"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("logRetentionDays=%s: error %q does not say %s", v, err, want)
			}
		}
	}
}

// TestThrottleZeroRefused checks that a throttle limit of 0 is refused, naming the setting and
// the default a blank value gives, rather than taken for the default by whoever meant no requests
// at all, or no limit; a blank value is the default. The url variant takes no throttle setting,
// 0 or another: its refusal says so, and offers no default it has not.
func TestThrottleZeroRefused(t *testing.T) {
	for _, tc := range []struct{ key, dflt string }{{"throttleRate", "50"}, {"throttleBurst", "100"}} {
		for _, variant := range []string{"", "rest", "http"} {
			_, _, err := propsFromContext(lookup(map[string]string{tc.key: " 0 ", "variant": variant}))
			if err == nil || !strings.Contains(err.Error(), tc.key) || !strings.Contains(err.Error(), tc.dflt) {
				t.Errorf("%s=0 (variant %q): error %v, want one naming it and the default %s", tc.key, variant, err, tc.dflt)
			}
		}
		_, _, err := propsFromContext(lookup(map[string]string{tc.key: " 0 ", "variant": "url"}))
		if err == nil || !strings.Contains(err.Error(), tc.key) || !strings.Contains(err.Error(), "serverConcurrency") ||
			strings.Contains(err.Error(), "default") {
			t.Errorf("%s=0 (variant url): error %v, want one naming it, saying the url variant takes no throttle setting", tc.key, err)
		}
		p, _, err := propsFromContext(lookup(map[string]string{tc.key: " "}))
		if err != nil || p.ThrottleRate != 0 || p.ThrottleBurst != 0 {
			t.Errorf("%s blank: %+v, %v; want the default", tc.key, p, err)
		}
	}
}

// TestSecondsPastADuration checks that a number of seconds too large for a time.Duration is
// refused, not wrapped around into another duration the stack would check as any other.
func TestSecondsPastADuration(t *testing.T) {
	for _, key := range []string{"cacheTtl", "serverTimeout"} {
		for _, v := range []string{"9223372037", "18446744074", "36893488147"} {
			_, _, err := propsFromContext(lookup(map[string]string{key: v}))
			if err == nil || !strings.Contains(err.Error(), key) {
				t.Errorf("%s=%s: error %v, want one naming %s", key, v, err, key)
			}
		}
		// Past what an int holds the number is refused once, as no whole number, not also
		// as too many seconds.
		_, _, err := propsFromContext(lookup(map[string]string{key: "99999999999999999999"}))
		if err == nil || strings.Count(err.Error(), key+"=") != 1 {
			t.Errorf("%s=99999999999999999999: error %v, want one naming %s once", key, err, key)
		}
	}
}

// TestCognitoDeletionProtectionNeedsCognito checks that the pool's setting without a pool is an
// error, not a setting that silently changes nothing.
func TestCognitoDeletionProtectionNeedsCognito(t *testing.T) {
	for _, v := range []string{"true", "false"} {
		ctx := map[string]string{"cognitoDeletionProtection": v}
		if _, _, err := propsFromContext(lookup(ctx)); err == nil || !strings.Contains(err.Error(), "cognitoDeletionProtection") {
			t.Errorf("%v: error %v, want one naming cognitoDeletionProtection", ctx, err)
		}
	}
}

// TestExecuteAPIEndpointNeedsDomain checks that executeApiEndpoint without a custom domain is an
// error: without one, the execute-api host is the endpoint, and is always on.
func TestExecuteAPIEndpointNeedsDomain(t *testing.T) {
	for _, v := range []string{"true", "false"} {
		ctx := map[string]string{"executeApiEndpoint": v}
		if _, _, err := propsFromContext(lookup(ctx)); err == nil || !strings.Contains(err.Error(), "executeApiEndpoint") {
			t.Errorf("%v: error %v, want one naming executeApiEndpoint", ctx, err)
		}
	}
}

// TestDomainBasePathNeedsDomain checks that domainBasePath without a custom domain is an error,
// not a setting silently dropped: the execute-api host has no base path to map.
func TestDomainBasePathNeedsDomain(t *testing.T) {
	ctx := map[string]string{"domainBasePath": "tools"}
	if _, _, err := propsFromContext(lookup(ctx)); err == nil || !strings.Contains(err.Error(), "domainBasePath") {
		t.Errorf("%v: error %v, want one naming domainBasePath", ctx, err)
	}
}

// TestDomainPartsNeedDomain checks that the certificate and the hosted zone without domainName are
// an error naming each, not settings silently dropped, and the stack deployed without a domain.
func TestDomainPartsNeedDomain(t *testing.T) {
	for _, tc := range []struct {
		name string
		ctx  map[string]string
		want []string
	}{
		{"certificate", map[string]string{"certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc"}, []string{"certificateArn"}},
		{"hosted zone", map[string]string{"hostedZoneId": "Z0123456789ABCDEFGHIJ", "hostedZoneName": "example.com"}, []string{"hostedZoneId", "hostedZoneName"}},
		{"all, name blank", map[string]string{"domainName": " ", "certificateArn": "arn:c", "hostedZoneId": "Z1", "hostedZoneName": "example.com"},
			[]string{"certificateArn", "hostedZoneId", "hostedZoneName"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := propsFromContext(lookup(tc.ctx))
			if err == nil {
				t.Fatalf("%v: no error, want one naming %v", tc.ctx, tc.want)
			}
			for _, key := range append(tc.want, "only with domainName") {
				if !strings.Contains(err.Error(), key) {
					t.Errorf("%v: error %q does not say %s", tc.ctx, err, key)
				}
			}
		})
	}
}

// TestServerEnvGivenTwice checks that a name given twice in serverEnv is an error, not a value
// lost.
func TestServerEnvGivenTwice(t *testing.T) {
	if _, _, err := propsFromContext(lookup(map[string]string{"serverEnv": "A1=1,A1=2"})); err == nil || !strings.Contains(err.Error(), `"A1" given twice`) {
		t.Errorf("serverEnv A1=1,A1=2: error %v, want one naming A1 as given twice", err)
	}
}

// TestServerEnvErrorShowsNoValue checks that a serverEnv entry refused is named by its name or
// its position, never with the value: a key list that rotates (new,old) splits at its comma, and
// a value may be a secret, which an error shows in the terminal and the CI's log.
func TestServerEnvErrorShowsNoValue(t *testing.T) {
	for _, tc := range []struct{ env, want string }{
		{"MCP_REQUEST_STATE_KEY=c2VjcmV0LW5ldw,c2VjcmV0LW9sZA", "entry 2"},
		{"TOKEN=c2VjcmV0LW5ldw,TOKEN=c2VjcmV0LW9sZA", `"TOKEN" given twice`},
		{"=c2VjcmV0LW9sZA", "entry 1"},
	} {
		_, _, err := propsFromContext(lookup(map[string]string{"serverEnv": tc.env}))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "c2VjcmV0") {
			t.Errorf("serverEnv %s: error %v, want one saying %q without a value", tc.env, err, tc.want)
		}
	}
}

// TestServerEnvNameLambdaRefuses checks that a serverEnv name Lambda would refuse (a space kept
// before the =, a character outside letters, digits and _, a single letter) is an error naming
// the entry's position, not a name that stands beside another it was meant to be, and without
// the name, which may be part of a value split at a comma it holds.
func TestServerEnvNameLambdaRefuses(t *testing.T) {
	for _, tc := range []struct{ env, want string }{
		{"AB=1,AB =2", "entry 2"},
		{"AB =1", "entry 1"},
		{"GREETING=hi,MODE\t=a", "entry 2"},
		{"API_KEYS=bmV3,b2xk+a2V5=", "entry 2"},
		{"GREETING=hi,X=1", "entry 2"},
		{"GREETING=hi,1X=1", "entry 2"},
		{"GREETING=hi,MODE-X=1", "entry 2"},
		{"GRÜSSE=hi", "entry 1"},
	} {
		_, _, err := propsFromContext(lookup(map[string]string{"serverEnv": tc.env}))
		if err == nil || !strings.Contains(err.Error(), "context serverEnv: "+tc.want) || !strings.Contains(err.Error(), "Lambda") ||
			strings.Contains(err.Error(), "b2xk") || strings.Contains(err.Error(), "MODE") {
			t.Errorf("serverEnv %q: error %v, want one naming %s as a name Lambda refuses, without the name", tc.env, err, tc.want)
		}
	}
	for _, env := range []string{"AB=1", " AB=1 , CD_2=x", "a_b=1", "Ab9=", "MODE=a =b"} {
		if _, _, err := propsFromContext(lookup(map[string]string{"serverEnv": env})); err != nil {
			t.Errorf("serverEnv %q: %v", env, err)
		}
	}
}

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// TestStackNameRefused checks that a stack name CloudFormation would refuse is an error naming
// the key, not a panic of the CDK in the middle of the synth.
func TestStackNameRefused(t *testing.T) {
	for _, name := range []string{"my_stack", "1stack", "Mcp.Prod", "-mcp", "M" + strings.Repeat("x", 128)} {
		t.Run(name[:min(len(name), 10)], func(t *testing.T) {
			_, _, err := propsFromContext(lookup(map[string]string{"stackName": name}))
			if err == nil || !strings.Contains(err.Error(), "stackName") {
				t.Errorf("stackName=%q: error %v, want one naming stackName", name, err)
			}
		})
	}
	if _, got, err := propsFromContext(lookup(map[string]string{"stackName": "M" + strings.Repeat("x", 127)})); err != nil || len(got) != 128 {
		t.Errorf("a 128-character stack name: %q, %v; want it taken", got, err)
	}
}

// TestContextKeysRead holds contextKeys to the keys propsFromContext reads, so that a new
// setting is not refused as misspelled, nor a removed one taken silently.
func TestContextKeysRead(t *testing.T) {
	read := map[string]bool{}
	propsFromContext(func(key string) (string, bool) { read[key] = true; return "1", true })
	if diff := cmp.Diff(slices.Sorted(slices.Values(contextKeys)), slices.Sorted(maps.Keys(read))); diff != "" {
		t.Errorf("context keys (-listed +read):\n%s", diff)
	}
}

func TestCheckContextKeys(t *testing.T) {
	// What cdk synth passes the app besides the user's values (CLI 2.1148), and cdk.json's.
	cdk := []string{"cli-telemetry", "aws:cdk:enable-path-metadata", "aws:cdk:enable-asset-metadata",
		"aws:cdk:disable-version-reporting", "aws:cdk:bundling-stacks", "@aws-cdk/core:failSynthOnValidationErrors",
		"acknowledged-issue-numbers", "availability-zones:account=123456789012:region=eu-west-1"}
	for _, tc := range []struct {
		name string
		keys []string
		want []string // what the error names; none: no error
	}{
		{"the CDK's own", cdk, nil},
		{"every setting", contextKeys, nil},
		{"misspelled", append([]string{"serverMemroy", "variant"}, cdk...), []string{"context serverMemroy: no such setting; did you mean serverMemory?"}},
		{"misspelled in another case too", []string{"jwtAudienceClam", "cachettl", "strem", "CognitoDeletonProtection"},
			[]string{"jwtAudienceClam: no such setting; did you mean jwtAudienceClaim?", "cachettl: no such setting; did you mean cacheTtl?",
				"strem: no such setting; did you mean stream?", "CognitoDeletonProtection: no such setting; did you mean cognitoDeletionProtection?"}},
		// Too far from any setting to be meant for one: nothing suggested.
		{"far from every setting", []string{"memory", "region", "domain"}, []string{"context domain: no such setting (deploy/README.md lists them)",
			"context memory: no such setting (deploy/README.md lists them)", "context region: no such setting (deploy/README.md lists them)"}},
		{"in another case", []string{"cacheTTL", "StackName"}, []string{"cacheTTL", "did you mean cacheTtl?", "StackName", "did you mean stackName?"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkContextKeys(tc.keys)
			if tc.want == nil {
				if err != nil {
					t.Errorf("error %v, want none", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one naming %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestScopesSplitOnASCIISpace checks that jwtScopes and jwtScopeImplies
// separate scopes at ASCII white space only, as the functions read
// MCP_REQUIRED_SCOPES: a scope holding another space is kept whole, for
// the stack to refuse, rather than read as two scopes no one meant.
func TestScopesSplitOnASCIISpace(t *testing.T) {
	p, _, err := propsFromContext(lookup(map[string]string{"jwtIssuer": "https://i", "jwtAudience": "a",
		"jwtScopes": " read\ta\u00a0b ", "jwtScopeImplies": "admin=read x\u2003y"}))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"read", "a\u00a0b"}, p.JWT.RequiredScopes); diff != "" {
		t.Errorf("required scopes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string][]string{"admin": {"read", "x\u2003y"}}, p.JWT.ScopeImplies); diff != "" {
		t.Errorf("scope implications (-want +got):\n%s", diff)
	}
}

// TestScopesTrimmedOfASCIISpaceOnly checks that a space other than ASCII's
// at the edge of a scope, the broader one of jwtScopeImplies included, is
// kept for the stack to refuse (checkRequiredScopes, checkScopeImplies), as
// the functions refuse it, rather than dropped.
func TestScopesTrimmedOfASCIISpaceOnly(t *testing.T) {
	for _, tc := range []struct {
		name, scopes, implies string
		wantScopes            []string
		wantImplies           map[string][]string
	}{
		{"no-break space before the broader scope", "read", "\u00a0admin=read",
			[]string{"read"}, map[string][]string{"\u00a0admin": {"read"}}},
		{"no-break space after the broader scope", "read", " admin\u00a0 =read; root=admin\t",
			[]string{"read"}, map[string][]string{"admin\u00a0": {"read"}, "root": {"admin"}}},
		{"em space around the required scopes", "\u2003read write\u00a0", "",
			[]string{"\u2003read", "write\u00a0"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := map[string]string{"jwtIssuer": "https://i", "jwtAudience": "a", "jwtScopes": tc.scopes}
			if tc.implies != "" {
				ctx["jwtScopeImplies"] = tc.implies
			}
			p, _, err := propsFromContext(lookup(ctx))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantScopes, p.JWT.RequiredScopes); diff != "" {
				t.Errorf("required scopes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantImplies, p.JWT.ScopeImplies); diff != "" {
				t.Errorf("scope implications (-want +got):\n%s", diff)
			}
		})
	}
}

// TestScopesSplitOnEachASCIISpace checks each ASCII white space the
// functions split MCP_REQUIRED_SCOPES at: a list written over lines, or
// with tabs or form feeds, names each scope alone.
func TestScopesSplitOnEachASCIISpace(t *testing.T) {
	for _, sep := range []string{" ", "\t", "\n", "\r\n", "\v", "\f"} {
		t.Run(fmt.Sprintf("%q", sep), func(t *testing.T) {
			list := "read" + sep + "write"
			p, _, err := propsFromContext(lookup(map[string]string{"jwtIssuer": "https://i", "jwtAudience": "a",
				"jwtScopes": list, "jwtScopeImplies": "admin=" + list}))
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"read", "write"}
			if diff := cmp.Diff(want, p.JWT.RequiredScopes); diff != "" {
				t.Errorf("required scopes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(map[string][]string{"admin": want}, p.JWT.ScopeImplies); diff != "" {
				t.Errorf("scope implications (-want +got):\n%s", diff)
			}
		})
	}
}

// TestContextJSONAsTyped checks that settings written in cdk.json as JSON, numbers, booleans and
// lists as arrays, give the stack what the same settings typed on the command line give: a list
// read as one string would deploy "[read" and "write]" as the required scopes.
func TestContextJSONAsTyped(t *testing.T) {
	for _, tc := range []struct {
		name  string
		json  string // cdk.json's context
		typed map[string]string
	}{
		{"numbers and booleans", `{"serverMemory": 1024, "throttleRate": 1000000, "throttleBurst": 2e6, "cacheTtl": 60, "stream": true, "alarms": false}`,
			map[string]string{"serverMemory": "1024", "throttleRate": "1000000", "throttleBurst": "2000000", "cacheTtl": "60", "stream": "true", "alarms": "false"}},
		{"lists", `{"jwtIssuer": "https://i", "jwtAudience": "a", "jwtScopes": ["mcp:read", "mcp:write"],
			"corsOrigins": ["https://a.example.com", "https://b.example.com"], "corsHeaders": ["Mcp-Param-Region"],
			"serverEnv": ["GREETING=hello there", "MODE=a=b"], "serverSecretEnv": ["API_KEY", "MCP_REQUEST_STATE_KEY"]}`,
			map[string]string{"jwtIssuer": "https://i", "jwtAudience": "a", "jwtScopes": "mcp:read mcp:write",
				"corsOrigins": "https://a.example.com,https://b.example.com", "corsHeaders": "Mcp-Param-Region",
				"serverEnv": "GREETING=hello there,MODE=a=b", "serverSecretEnv": "API_KEY,MCP_REQUEST_STATE_KEY"}},
		{"null is unset", `{"serverMemory": null, "stackName": "Mcp2"}`, map[string]string{"stackName": "Mcp2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var all map[string]any
			if err := json.Unmarshal([]byte(tc.json), &all); err != nil {
				t.Fatal(err)
			}
			values, err := contextStrings(all)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.typed, values); diff != "" {
				t.Errorf("values (-typed +cdk.json):\n%s", diff)
			}
			want, wantName, err := propsFromContext(lookup(tc.typed))
			if err != nil {
				t.Fatal(err)
			}
			got, name, err := propsFromContext(lookup(values))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(stack.Props{}, "StackProps", "Build")); diff != "" {
				t.Errorf("props (-typed +cdk.json):\n%s", diff)
			}
			if name != wantName {
				t.Errorf("stack name %q, want %q", name, wantName)
			}
		})
	}
}

// TestContextJSONElementCut checks that an element refused in a list is quoted cut short, the
// rest of the message after it: a value of kilobytes fills the terminal otherwise.
func TestContextJSONElementCut(t *testing.T) {
	long := strings.Repeat("é", 5000)
	_, err := contextStrings(map[string]any{"corsOrigins": []any{"https://a.example.com", long + "," + long}})
	if err == nil {
		t.Fatal("no error")
	}
	if msg := err.Error(); len(msg) > 400 || !strings.Contains(msg, "element 2 of the JSON array (\"éé") || !strings.Contains(msg, "…)") || !strings.HasSuffix(msg, "separates the list's items") {
		t.Errorf("error %.300q… (%d bytes), want element 2 quoted cut short, within 400 bytes", msg, len(msg))
	}
}

// TestContextJSONRefused checks that a JSON value no setting reads as it stands is an error
// naming the key, not a Go rendering of it (map[…], […]) read as the setting's string.
func TestContextJSONRefused(t *testing.T) {
	for _, tc := range []struct {
		name, json string
		want       []string
	}{
		{"array for one value", `{"serverMemory": [1024]}`, []string{"serverMemory", "JSON array"}},
		{"object", `{"serverEnv": {"GREETING": "hi"}}`, []string{"serverEnv", "JSON object"}},
		{"number in a list", `{"serverSecretEnv": ["A1", 2]}`, []string{"serverSecretEnv", "element 2 of the JSON array (2)"}},
		{"element named by its position", `{"corsHeaders": ["A", " ", "B", " "]}`, []string{"corsHeaders", "element 2 of the JSON array (\" \")"}},
		{"separator in an element", `{"corsOrigins": ["https://a.example.com,https://b.example.com"]}`, []string{"corsOrigins", `","`}},
		{"space in a scope", `{"jwtScopes": ["mcp:read mcp:write"]}`, []string{"jwtScopes", `"mcp:read mcp:write"`}},
		{"tab in a scope", `{"jwtScopes": ["mcp:read\tmcp:write"]}`, []string{"jwtScopes"}},
		{"blank element", `{"corsHeaders": ["Mcp-Param-A", " "]}`, []string{"corsHeaders", `" "`}},
		{"each key named", `{"stage": ["dev"], "cognito": {}}`, []string{"stage", "cognito"}},
		// JSON has no bound on a number's digits; the CDK reads one as a
		// float64, which keeps only 2^53 exactly: 123456789012345678
		// would deploy as the audience 123456789012345680.
		{"number past 2^53", `{"jwtAudience": 123456789012345678}`, []string{"jwtAudience", "2^53", "as a string"}},
		{"negative number past 2^53", `{"serverMemory": -1e300}`, []string{"serverMemory", "2^53"}},
		// 2^53+1 reads as 2^53, the float64 nearest it: a number that reads as 2^53 may have
		// been written otherwise.
		{"number read as 2^53", `{"jwtAudience": 9007199254740993}`, []string{"jwtAudience", "2^53", "as a string"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var all map[string]any
			if err := json.Unmarshal([]byte(tc.json), &all); err != nil {
				t.Fatal(err)
			}
			values, err := contextStrings(all)
			if err == nil {
				t.Fatalf("%s: no error, read as %q", tc.json, values)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %s", err, w)
				}
			}
		})
	}
}

// TestScopeImpliesRefusalCut checks that a jwtScopeImplies entry that is refused is quoted cut
// and escaped: an entry of any size, or holding controls, makes a short error.
func TestScopeImpliesRefusalCut(t *testing.T) {
	_, err := scopeImplies("admin\x1b[31m" + strings.Repeat("x", 10_000))
	if err == nil {
		t.Fatal("accepted")
	}
	if msg := err.Error(); len(msg) > 300 || !strings.Contains(msg, "…") || strings.Contains(msg, "\x1b") || !strings.Contains(msg, `"admin\x1b[31mxxx`) {
		t.Errorf("error of %d bytes, %.300q; want it cut (…) under 300, escaped", len(msg), msg)
	}
}
