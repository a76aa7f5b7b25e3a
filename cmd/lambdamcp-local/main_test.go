package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/internal/localfront"
)

func TestRunServesTheBuiltFunction(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdoutR, stdoutW := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-shape", "http", "-addr", "127.0.0.1:0", "-build", "../../internal/localfront/testdata/fn", "-env", "EXTRA=from-flag"}, stdoutW, &lockedWriter{w: &stderr})
		stdoutW.Close()
	}()
	line, err := bufio.NewReader(stdoutR).ReadString('\n')
	if err != nil {
		t.Fatalf("no URL printed: %v (exit %v)", err, <-done)
	}
	go io.Copy(io.Discard, stdoutR)
	resp, err := http.Get(strings.TrimSpace(line) + "/hello")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var echo struct {
		Path string            `json:"path"`
		Env  map[string]string `json:"env"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&echo); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /hello = %d, %v", resp.StatusCode, err)
	}
	if echo.Path != "/hello" || echo.Env["EXTRA"] != "from-flag" || echo.Env["AWS_LAMBDA_FUNCTION_NAME"] != "lambdamcp" {
		t.Errorf("function saw %+v", echo)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

// TestRunBasePath runs a REST front through a custom domain's base path
// mapping: the printed URL ends in the base path, the function sees the
// path with it, and a path outside the mapping is refused.
func TestRunBasePath(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdoutR, stdoutW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-base-path", "v1/tools", "-build", "../../internal/localfront/testdata/fn"}, stdoutW, io.Discard)
		stdoutW.Close()
	}()
	line, err := bufio.NewReader(stdoutR).ReadString('\n')
	if err != nil {
		t.Fatalf("no URL printed: %v (exit %v)", err, <-done)
	}
	go io.Copy(io.Discard, stdoutR)
	base := strings.TrimSpace(line)
	if !strings.HasSuffix(base, "/v1/tools") {
		t.Fatalf("URL %q, want it to end in the base path /v1/tools", base)
	}
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if status, body := get(base + "/hello"); status != 200 || !strings.Contains(body, `"path":"/v1/tools/hello"`) {
		t.Errorf("GET %s/hello = %d %s, want the function to see /v1/tools/hello", base, status, body)
	}
	outside := strings.TrimSuffix(base, "/v1/tools") + "/dev/hello"
	if status, body := get(outside); status != http.StatusForbidden || strings.TrimSpace(body) != `{"message":"Forbidden"}` {
		t.Errorf("GET %s = %d %s, want 403 Forbidden", outside, status, body)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

// TestRunIntegrationTimeout runs a REST front whose integration timeout
// is shorter than the function takes: the client gets API Gateway's 504.
func TestRunIntegrationTimeout(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdoutR, stdoutW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-build", "../../internal/localfront/testdata/fn", "-integration-timeout", "300ms"}, stdoutW, io.Discard)
		stdoutW.Close()
	}()
	line, err := bufio.NewReader(stdoutR).ReadString('\n')
	if err != nil {
		t.Fatalf("no URL printed: %v (exit %v)", err, <-done)
	}
	go io.Copy(io.Discard, stdoutR)
	resp, err := http.Get(strings.TrimSpace(line) + "/slow") // the function answers after a second
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `{"message": "Endpoint request timed out"}`; resp.StatusCode != http.StatusGatewayTimeout || string(body) != want {
		t.Errorf("GET /slow = %d %s, want 504 %s", resp.StatusCode, body, want)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no function", nil, "exactly one of -function and -build"},
		{"both", []string{"-function", "x", "-build", "y"}, "exactly one of -function and -build"},
		{"bad env", []string{"-function", "x", "-env", "novalue"}, "not KEY=VALUE"},
		{"stray argument", []string{"-function", "x", "extra"}, `unexpected argument "extra"`},
		{"unknown shape", []string{"-shape", "soap", "-function", "x"}, "unknown shape"},
		{"authorizer on url", []string{"-shape", "url", "-function", "x", "-authorizer", "y"}, "no Lambda authorizers"},
		{"stream on http", []string{"-shape", "http", "-function", "x", "-stream"}, "response streaming is a Function URL or REST API mode"},
		{"multi-value headers on rest", []string{"-function", "x", "-alb-multi-value"}, "an ALB target group mode"},
		{"stage on url", []string{"-shape", "url", "-function", "x", "-stage", "prod"}, "shape url has no stages"},
		{"authorizer type without an authorizer", []string{"-function", "x", "-authorizer-type", "request"}, "without an authorizer"},
		{"authorizer env without an authorizer", []string{"-function", "x", "-authorizer-env", "AB=1"}, "no authorizer to give it to"},
		{"unknown authorizer type", []string{"-function", "x", "-authorizer", "y", "-authorizer-type", "cognito"}, "unknown authorizer type"},
		{"negative timeout", []string{"-function", "x", "-timeout", "-1s"}, "-timeout -1s"},
		{"zero timeout", []string{"-function", "x", "-timeout", "0"}, "whole seconds from 1s to 15m0s"},
		{"fractional timeout", []string{"-function", "x", "-timeout", "1500ms"}, "whole seconds"},
		{"timeout past Lambda's", []string{"-function", "x", "-timeout", "16m"}, "1s to 15m0s"},
		{"negative memory", []string{"-function", "x", "-memory", "-5"}, "-memory -5"},
		{"memory past Lambda's", []string{"-function", "x", "-memory", "20000"}, "128 to 10240 MB"},
		{"memory under Lambda's", []string{"-function", "x", "-memory", "127"}, "-memory 127"},
		{"memory one past Lambda's", []string{"-function", "x", "-memory", "10241"}, "-memory 10241"},
		{"two authorizers", []string{"-function", "x", "-authorizer", "y", "-build-authorizer", "z"}, "at most one of -authorizer and -build-authorizer"},
		{"no process", []string{"-function", "x", "-concurrency", "0"}, "-concurrency 0"},
		{"empty function name", []string{"-function", "x", "-name", ""}, `-name ""`},
		{"function name with a slash", []string{"-function", "x", "-name", "my/fn"}, `-name "my/fn": Lambda takes letters, digits, hyphens and underscores, up to 64`},
		{"function name past Lambda's", []string{"-function", "x", "-name", strings.Repeat("f", 65)}, "up to 64"},
		{"integration timeout on url", []string{"-shape", "url", "-function", "x", "-integration-timeout", "5s"}, "shape url has no integration timeout"},
		{"integration timeout on alb", []string{"-shape", "alb", "-function", "x", "-integration-timeout", "5s"}, "shape alb has no integration timeout"},
		{"integration timeout on streamed rest", []string{"-function", "x", "-stream", "-integration-timeout", "5s"}, "a streamed response has no integration timeout"},
		{"integration timeout past the HTTP API's", []string{"-shape", "http", "-function", "x", "-integration-timeout", "31s"}, "an HTTP API waits at most 30s"},
		{"request authorizer on http", []string{"-shape", "http", "-function", "x", "-authorizer", "y", "-authorizer-type", "request"}, "-authorizer-type request with -shape http"},
		{"token authorizer on http", []string{"-shape", "http", "-function", "x", "-authorizer", "y", "-authorizer-type", "token"}, "-authorizer-type token with -shape http: an HTTP API has no TOKEN authorizers"},
		{"token authorizer on http, none given", []string{"-shape", "http", "-authorizer-type", "token"}, "-authorizer-type token with -shape http"},
		{"token authorizer on http like the stack", []string{"-shape", "http", "-function", "x", "-authorizer", "y", "-like-deploy", "-authorizer-type", "token"}, "-authorizer-type token with -shape http"},
		{"base path on http", []string{"-shape", "http", "-function", "x", "-base-path", "tools"}, "a base path mapping is emulated for the rest shape; shape http has none"},
		{"base path on alb", []string{"-shape", "alb", "-function", "x", "-base-path", "tools"}, "shape alb has none"},
		{"base path with a character API Gateway refuses", []string{"-function", "x", "-base-path", "tools?x"}, `base path "tools?x" has '?'`},
		{"base path with a slash in front", []string{"-function", "x", "-base-path", "/tools"}, "no slash at either end"},
		{"like-deploy on http without an authorizer", []string{"-shape", "http", "-function", "x", "-like-deploy"}, "-like-deploy on http emulates the stack's authorizer"},
		{"like-deploy on http, JWTs and an authorizer", []string{"-shape", "http", "-function", "x", "-authorizer", "y", "-like-deploy", "-test-issuer"}, "not a Lambda authorizer"},
		{"like-deploy on http, an authorizer checking JWTs", []string{"-shape", "http", "-function", "x", "-authorizer", "y", "-like-deploy", "-authorizer-env", "MCP_JWT_ISSUER=https://i.example.com"}, "not a Lambda authorizer"},
		{"like-deploy on http, an authorizer checking JWTs, built", []string{"-shape", "http", "-function", "x", "-build-authorizer", "../authorizer", "-like-deploy", "-authorizer-env", "MCP_JWT_ISSUER=", "-authorizer-env", "MCP_JWT_ISSUER=https://i.example.com"}, "not a Lambda authorizer"},
		{"JWT authorizer on rest", []string{"-function", "x", "-like-deploy", "-jwt-issuer", "https://i.example.com", "-jwt-audience", "app"}, "use them with -shape http -like-deploy"},
		{"JWT authorizer without like-deploy", []string{"-shape", "http", "-function", "x", "-jwt-issuer", "https://i.example.com", "-jwt-audience", "app"}, "use them with -shape http -like-deploy"},
		{"JWT authorizer without an audience", []string{"-shape", "http", "-function", "x", "-like-deploy", "-jwt-issuer", "https://i.example.com"}, "both -jwt-issuer and -jwt-audience"},
		{"JWT authorizer and the test issuer", []string{"-shape", "http", "-function", "x", "-like-deploy", "-test-issuer", "-jwt-issuer", "https://i.example.com", "-jwt-audience", "app"}, "drop -jwt-issuer"},
		{"like-deploy without an authorizer", []string{"-function", "x", "-like-deploy"}, "for the rest shape with an authorizer"},
		// The stack's url variant has nothing in front of its function to answer as.
		{"like-deploy on url", []string{"-shape", "url", "-function", "x", "-like-deploy"}, "-like-deploy answers as the deploy stack's REST API (-shape rest, with an authorizer) or HTTP API (-shape http); shape url has neither"},
		{"like-deploy on alb", []string{"-shape", "alb", "-function", "x", "-like-deploy"}, "shape alb has neither"},
		// The stack refuses it on its rest variant: a Gateway Response's static value is
		// single-quoted, with no escape for it.
		{"like-deploy with a ' in the authorizer's scopes", []string{"-function", "x", "-authorizer", "y", "-like-deploy", "-authorizer-env", "MCP_REQUIRED_SCOPES=read it's"}, `"it's" holds "'"`},
		{"like-deploy with a ' in the test issuer's scopes", []string{"-function", "x", "-authorizer", "y", "-like-deploy", "-test-issuer", "-env", "MCP_REQUIRED_SCOPES=it's"}, `"it's" holds "'"`},
		// Split at ASCII white space only, as the functions split them, and
		// refused as they refuse them, not read as two scopes here.
		{"like-deploy with a no-break space in the authorizer's scopes", []string{"-function", "x", "-authorizer", "y", "-like-deploy", "-authorizer-env", "MCP_REQUIRED_SCOPES=read mcp:a\u00a0mcp:b"},
			`-authorizer-env MCP_REQUIRED_SCOPES: "mcp:a\u00a0mcp:b" is not a scope`},
		{"test issuer with a no-break space in the scopes", []string{"-shape", "http", "-function", "x", "-like-deploy", "-test-issuer", "-env", "MCP_REQUIRED_SCOPES=\u00a0mcp:a"},
			`-env MCP_REQUIRED_SCOPES: "\u00a0mcp:a" is not a scope`},
		// The test issuer grants them, read by the front: not only like the stack.
		{"test issuer on its own with a no-break space in the scopes", []string{"-function", "x", "-test-issuer", "-env", "MCP_REQUIRED_SCOPES=mcp:a\u00a0mcp:b"},
			`-env MCP_REQUIRED_SCOPES: "mcp:a\u00a0mcp:b" is not a scope`},
		{"JWT authorizer with a no-break space in the scopes", []string{"-shape", "http", "-function", "x", "-like-deploy", "-jwt-issuer", "https://i.example.com", "-jwt-audience", "app", "-env", "MCP_REQUIRED_SCOPES=mcp:a\u2003mcp:b"},
			`-env MCP_REQUIRED_SCOPES: "mcp:a\u2003mcp:b" is not a scope`},
		{"test issuer and an issuer of the user's", []string{"-function", "x", "-test-issuer", "-env", "MCP_JWT_ISSUER=https://i.example.com"}, "drop MCP_JWT_ISSUER from -env"},
		{"test issuer and keys of the user's", []string{"-function", "x", "-authorizer", "y", "-test-issuer", "-authorizer-env", "MCP_JWT_JWKS_URL=https://i.example.com/keys"},
			"drop MCP_JWT_JWKS_URL from -authorizer-env"},
		{"authorizer cache without an authorizer", []string{"-function", "x", "-authorizer-cache-ttl", "60s"}, "without a Lambda authorizer"},
		{"authorizer cache with the HTTP API's JWT authorizer", []string{"-shape", "http", "-function", "x", "-like-deploy", "-test-issuer", "-authorizer-cache-ttl", "60s"}, "without a Lambda authorizer"},
		{"authorizer cache past API Gateway's", []string{"-function", "x", "-authorizer", "y", "-authorizer-cache-ttl", "61m"}, "whole seconds from 0 (off) to 1h0m0s"},
		{"negative authorizer cache", []string{"-function", "x", "-authorizer", "y", "-authorizer-cache-ttl", "-1s"}, "authorizer cache TTL -1s"},
		{"fractional authorizer cache", []string{"-function", "x", "-authorizer", "y", "-authorizer-cache-ttl", "1500ms"}, "whole seconds"},
		// Refused before anything is built: nothing to wait for.
		{"authorizer to build on url", []string{"-shape", "url", "-build", "../../internal/localfront/testdata/fn", "-build-authorizer", "../../cmd/authorizer"}, "no Lambda authorizers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			if code := run(context.Background(), tc.args, io.Discard, &stderr); code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q does not say %q", stderr.String(), tc.want)
			}
			if strings.Contains(stderr.String(), "building") {
				t.Errorf("stderr %q: built before refusing the flags", stderr.String())
			}
		})
	}
}

// TestParseAcceptsLambdaEdges checks that Lambda's own limits are taken
// up to their edges, which a function can have.
func TestParseAcceptsLambdaEdges(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"shortest timeout", []string{"-timeout", "1s"}},
		{"longest timeout", []string{"-timeout", "15m"}},
		{"least memory", []string{"-memory", "128"}},
		{"most memory", []string{"-memory", "10240"}},
		{"longest function name", []string{"-name", "My_fn-" + strings.Repeat("9", 58)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			if _, err := parse(append([]string{"-function", "x"}, tc.args...), &stderr); err != nil {
				t.Errorf("parse(%q) = %v, want no error", tc.args, err)
			}
		})
	}
}

func TestRunReportsStartFailure(t *testing.T) {
	var stderr strings.Builder
	code := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-function", "/nonexistent/bootstrap"}, io.Discard, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "-function: function binary") || !strings.Contains(stderr.String(), "/nonexistent/bootstrap") {
		t.Errorf("exit %d, stderr %q; want 1 with the flag and the reason", code, stderr.String())
	}
}

// TestRunPortTaken checks that an address another program listens on is
// reported under the flag that sets it, with the reason.
func TestRunPortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	self, err := os.Executable() // a binary NewProcess takes; the port is refused before it runs
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-addr", ln.Addr().String(), "-function", self},
		{"-addr", ln.Addr().String(), "-function", self, "-test-issuer"},
	} {
		var stderr strings.Builder
		code := run(context.Background(), args, io.Discard, &stderr)
		want := `-addr \"` + ln.Addr().String() + `\": listen tcp ` + ln.Addr().String()
		if code != 1 || !strings.Contains(stderr.String(), want) || !strings.Contains(stderr.String(), "address already in use") {
			t.Errorf("%q: exit %d, stderr %q; want 1 and %q with the reason", args, code, stderr.String(), want)
		}
	}
}

// TestRunStoppedWhileStarting checks that Ctrl-C or SIGTERM while the
// functions are built or started ends the run as a stop does, with status
// 0, rather than reporting the build the signal cut short as failed.
func TestRunStoppedWhileStarting(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"building", []string{"-build", "../../internal/localfront/testdata/fn"}},
		{"built", []string{"-function", os.Args[0]}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // the signal, come before the front started
			var stderr strings.Builder
			code := run(ctx, append([]string{"-addr", "127.0.0.1:0"}, tc.args...), io.Discard, &stderr)
			if code != 0 || strings.Contains(stderr.String(), `"level":"ERROR"`) {
				t.Errorf("exit %d, stderr %q; want 0 and no error", code, stderr.String())
			}
		})
	}
}

// TestRunBadFlag checks that a flag run cannot read is reported once,
// followed by the synopsis and the flags, as the other commands do.
func TestRunBadFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-x"}, "flag provided but not defined: -x"},
		{[]string{"-memory", "lots"}, `invalid value "lots" for flag -memory`},
	} {
		var stderr strings.Builder
		code := run(context.Background(), tc.args, io.Discard, &stderr)
		if code != 2 || strings.Count(stderr.String(), tc.want) != 1 || !strings.Contains(stderr.String(), "usage: lambdamcp-local") || !strings.Contains(stderr.String(), "-shape") {
			t.Errorf("%q: exit %d, stderr %q; want 2, %q once, then the synopsis and the flags", tc.args, code, stderr.String(), tc.want)
		}
	}
}

func TestRunHelp(t *testing.T) {
	var stderr strings.Builder
	if code := run(context.Background(), []string{"-h"}, io.Discard, &stderr); code != 0 || !strings.Contains(stderr.String(), "-shape") {
		t.Errorf("exit %d, stderr %q; want 0 and the flags", code, stderr.String())
	}
}

// TestLikeDeployHTTP checks the HTTP API's JWT authorizer -like-deploy
// runs on http, as the stack configures it: the issuer and audiences
// given, the scopes the server requires on the route.
func TestLikeDeployHTTP(t *testing.T) {
	o, err := parse([]string{"-shape", "http", "-function", "x", "-like-deploy", "-jwt-issuer", "https://i.example.com/pool",
		"-jwt-audience", "app, https://api.example.com/mcp", "-env", "MCP_REQUIRED_SCOPES=lambdamcp/mcp"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := &localfront.JWTAuthorizer{Issuer: "https://i.example.com/pool", Audience: []string{"app", "https://api.example.com/mcp"}, Scopes: []string{"lambdamcp/mcp"}}
	if diff := cmp.Diff(want, o.jwtAuthorizer()); diff != "" {
		t.Errorf("JWT authorizer (-want +got):\n%s", diff)
	}
	if d := o.deploy(); d != nil {
		t.Errorf("deploy = %+v, want none on http: the stack's REST responses are not the HTTP API's", d)
	}
	if diff := cmp.Diff(&localfront.DeployHTTP{}, o.frontConfig(nil, nil, nil).DeployHTTP); diff != "" {
		t.Errorf("HTTP API CORS (-want +got):\n%s", diff)
	}
	o, err = parse([]string{"-shape", "http", "-function", "x", "-like-deploy", "-test-issuer",
		"-env", "MCP_ALLOWED_ORIGINS=HTTPS://App.Example.com:443/, https://admin.example.com"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want2 := &localfront.DeployHTTP{CORSAllowOrigins: []string{"https://app.example.com", "https://admin.example.com"}}
	if diff := cmp.Diff(want2, o.frontConfig(nil, nil, nil).DeployHTTP); diff != "" {
		t.Errorf("HTTP API CORS with origins (-want +got):\n%s", diff)
	}
	o, err = parse([]string{"-shape", "http", "-function", "x", "-authorizer", "y", "-env", "MCP_ALLOWED_ORIGINS=https://app.example.com"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if d := o.frontConfig(nil, nil, nil).DeployHTTP; d != nil {
		t.Errorf("deployHTTP = %+v without -like-deploy, want none", d)
	}
}

// TestLikeDeployHTTPStaticTokens checks that -like-deploy on http with a
// Lambda authorizer gives the front the stack's http variant with static
// tokens: its HTTP API (routes and CORS, the origins of the server's
// MCP_ALLOWED_ORIGINS) behind that authorizer, neither the REST API's
// responses nor a JWT authorizer.
func TestLikeDeployHTTPStaticTokens(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want *localfront.DeployHTTP
	}{
		{"any origin", []string{"-authorizer", "y"}, &localfront.DeployHTTP{}},
		{"built", []string{"-build-authorizer", "../authorizer"}, &localfront.DeployHTTP{}},
		{"origins", []string{"-authorizer", "y", "-env", "MCP_ALLOWED_ORIGINS=HTTPS://App.Example.com:443/, https://admin.example.com"},
			&localfront.DeployHTTP{CORSAllowOrigins: []string{"https://app.example.com", "https://admin.example.com"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parse(append([]string{"-shape", "http", "-function", "x", "-like-deploy"}, tc.args...), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			c := o.frontConfig(unbuilt{}, unbuilt{}, nil)
			if diff := cmp.Diff(tc.want, c.DeployHTTP); diff != "" {
				t.Errorf("HTTP API (-want +got):\n%s", diff)
			}
			if c.Deploy != nil || c.JWTAuthorizer != nil {
				t.Errorf("Deploy %+v, JWTAuthorizer %+v: want neither, the stack's Lambda authorizer guards the HTTP API", c.Deploy, c.JWTAuthorizer)
			}
		})
	}
}

// TestLikeDeploy checks that -like-deploy derives the stack's REST API
// from the authorizer's environment as the stack derives it from its
// settings.
// TestAuthorizerCacheTTL checks the authorizer's result cache the flags
// give the front: the deploy stack's with -like-deploy, off without,
// and -authorizer-cache-ttl over both.
func TestAuthorizerCacheTTL(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want time.Duration
	}{
		{"off by default", []string{"-authorizer", "y"}, 0},
		{"the stack's with like-deploy", []string{"-authorizer", "y", "-like-deploy"}, localfront.DeployAuthorizerCacheTTL},
		{"turned off with like-deploy", []string{"-authorizer", "y", "-like-deploy", "-authorizer-cache-ttl", "0"}, 0},
		{"given with like-deploy", []string{"-authorizer", "y", "-like-deploy", "-authorizer-cache-ttl", "1h"}, time.Hour},
		{"given on http", []string{"-shape", "http", "-authorizer", "y", "-authorizer-cache-ttl", "60s"}, time.Minute},
		{"none with the HTTP API's JWT authorizer", []string{"-shape", "http", "-like-deploy", "-test-issuer"}, 0},
		{"the stack's on http with static tokens", []string{"-shape", "http", "-authorizer", "y", "-like-deploy"}, localfront.DeployAuthorizerCacheTTL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parse(append([]string{"-function", "x"}, tc.args...), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if got := o.frontConfig(unbuilt{}, unbuilt{}, nil).AuthorizerCacheTTL; got != tc.want {
				t.Errorf("AuthorizerCacheTTL = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLikeDeploy(t *testing.T) {
	base := []string{"-function", "x", "-authorizer", "y"}
	tests := []struct {
		name string
		args []string
		want *localfront.DeployREST
	}{
		{"off", []string{"-authorizer-env", "MCP_JWT_ISSUER=https://issuer.example.com"}, nil},
		{"jwt with scopes", []string{"-like-deploy", "-authorizer-env", "MCP_JWT_ISSUER=https://issuer.example.com",
			"-authorizer-env", "MCP_REQUIRED_SCOPES=mcp:tools  mcp:admin"},
			&localfront.DeployREST{JWT: true, RequiredScopes: []string{"mcp:tools", "mcp:admin"}}},
		{"jwt", []string{"-like-deploy", "-authorizer-env", "MCP_JWT_ISSUER=https://issuer.example.com"}, &localfront.DeployREST{JWT: true}},
		{"static tokens", []string{"-like-deploy", "-authorizer-env", "MCP_AUTH_TOKEN_SHA256=00"}, &localfront.DeployREST{}},
		// An issuer that is no http(s) URL is named by no metadata
		// document: the stack routes and points at none.
		{"jwt with a urn issuer", []string{"-like-deploy", "-authorizer-env", "MCP_JWT_ISSUER=urn:example:issuer",
			"-authorizer-env", "MCP_REQUIRED_SCOPES=mcp:tools"}, &localfront.DeployREST{RequiredScopes: []string{"mcp:tools"}}},
		// The test issuer fills in its scope where the authorizer's names
		// none, and the challenges name it as the authorizer requires it.
		{"test issuer, the authorizer's scopes emptied", []string{"-like-deploy", "-test-issuer", "-authorizer-env", "MCP_REQUIRED_SCOPES="},
			&localfront.DeployREST{JWT: true, RequiredScopes: []string{"lambdamcp/mcp"}}},
		{"test issuer, the authorizer's scopes given", []string{"-like-deploy", "-test-issuer", "-authorizer-env", "MCP_REQUIRED_SCOPES=mcp:a"},
			&localfront.DeployREST{JWT: true, RequiredScopes: []string{"mcp:a"}}},
		// The authorizer sees the last setting: an issuer emptied is none.
		{"jwt issuer emptied", []string{"-like-deploy", "-authorizer-env", "MCP_JWT_ISSUER=https://issuer.example.com",
			"-authorizer-env", "MCP_AUTH_TOKEN_SHA256=00", "-authorizer-env", "MCP_JWT_ISSUER="}, &localfront.DeployREST{}},
		{"one origin", []string{"-like-deploy", "-env", "MCP_ALLOWED_ORIGINS=https://app.example.com"},
			&localfront.DeployREST{CORSAllowOrigins: []string{"https://app.example.com"}}},
		{"several origins", []string{"-like-deploy", "-env", "MCP_ALLOWED_ORIGINS=https://app.example.com, https://admin.example.com,"},
			&localfront.DeployREST{CORSAllowOrigins: []string{"https://app.example.com", "https://admin.example.com"}}},
		// As the stack writes them, in the form a browser's Origin has,
		// which its Gateway Responses must equal.
		{"origins as browsers send them", []string{"-like-deploy", "-env", "MCP_ALLOWED_ORIGINS=HTTPS://App.Example.com:443/,http://admin.example.com:80"},
			&localfront.DeployREST{CORSAllowOrigins: []string{"https://app.example.com", "http://admin.example.com"}}},
		{"the last setting", []string{"-like-deploy", "-env", "MCP_ALLOWED_ORIGINS=https://old.example.com", "-env", "MCP_ALLOWED_ORIGINS=*"},
			&localfront.DeployREST{CORSAllowOrigins: []string{"*"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parse(append(slices.Clone(base), tc.args...), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, o.deploy()); diff != "" {
				t.Errorf("deploy stack (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRunBadEnvNotQuoted checks that an -env or -authorizer-env entry
// that is not KEY=VALUE is named by its place among the flag's entries,
// never quoted: it may be a secret given without its name (or with an
// empty one), and the flag package would quote it whole.
func TestRunBadEnvNotQuoted(t *testing.T) {
	const secret = "s3cr3t-value-of-a-token"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-function", "x", "-env", "AB=1", "-env", secret}, "-env entry 2 is not KEY=VALUE"},
		{[]string{"-function", "x", "-env", "=" + secret}, "-env entry 1 is not KEY=VALUE"},
		{[]string{"-function", "x", "-authorizer", "y", "-authorizer-env", secret + strings.Repeat("x", 10_000)}, "-authorizer-env entry 1 is not KEY=VALUE"},
		// Names Lambda refuses: a space before the =, one letter, a digit or _ first, a hyphen.
		{[]string{"-function", "x", "-env", "MY_TOKEN =" + secret}, "-env entry 1: Lambda takes a name of letters, digits and _"},
		{[]string{"-function", "x", "-env", "AB=1", "-env", "A=" + secret}, "-env entry 2: Lambda takes a name"},
		{[]string{"-function", "x", "-env", "1TOKEN=" + secret}, "-env entry 1: Lambda takes a name"},
		{[]string{"-function", "x", "-env", "_TOKEN=" + secret}, "-env entry 1: Lambda takes a name"},
		{[]string{"-function", "x", "-authorizer", "y", "-authorizer-env", "MCP_AUTH_TOKEN_SHA256=00", "-authorizer-env", "MY-TOKEN=" + secret},
			"-authorizer-env entry 2: Lambda takes a name"},
	} {
		var stderr strings.Builder
		code := run(context.Background(), tc.args, io.Discard, &stderr)
		if got := stderr.String(); code != 2 || !strings.Contains(got, tc.want) || strings.Contains(got, secret) || len(got) > 4000 {
			t.Errorf("%.80q: exit %d, stderr %.300q; want 2 and %q, the value not shown", tc.args, code, got, tc.want)
		}
	}
}

// TestEmptyAddrListensOnLoopback checks that -addr given empty listens
// where the front does without an address, on a free port of 127.0.0.1,
// not on every interface.
func TestEmptyAddrListensOnLoopback(t *testing.T) {
	o, err := parse([]string{"-addr", "", "-function", "x"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.listen(); err != nil {
		t.Fatal(err)
	}
	defer o.listener.Close()
	if tcp, ok := o.listener.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		t.Errorf("-addr '' listens on %v, want 127.0.0.1", o.listener.Addr())
	}
}

// TestFlagValuesCut checks that an -addr or -name an error repeats is cut
// and escaped, as serve quotes MCP_ADDR: a value of any size, or one
// holding a terminal's controls, makes one short line with the reason.
func TestFlagValuesCut(t *testing.T) {
	self, err := os.Executable() // a binary NewProcess takes; the address is refused before it runs
	if err != nil {
		t.Fatal(err)
	}
	long := "\u202e\x1b[2J" + strings.Repeat("a", 10_000)
	for _, tc := range []struct {
		args []string
		code int
		want []string
	}{
		// No port: refused by net.Listen without a lookup, its error
		// repeating the address.
		{[]string{"-addr", long, "-function", self}, 1, []string{`-addr \"\\u202e\\x1b[2Jaaa`, "…", "missing port in address"}},
		{[]string{"-function", self, "-name", long}, 2, []string{`-name "\u202e\x1b[2Jaaa`, "…", "Lambda takes letters"}},
	} {
		var stderr strings.Builder
		code := run(context.Background(), tc.args, io.Discard, &stderr)
		got := stderr.String()
		if code != tc.code || len(got) > 2000 || strings.ContainsAny(got, "\u202e\x1b") {
			t.Errorf("%.40q: exit %d, stderr of %d bytes %.300q; want %d, short and escaped", tc.args, code, len(got), got, tc.code)
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%.40q: stderr %.300q does not say %q", tc.args, got, w)
			}
		}
	}
}

// TestEnvReservedByLambda checks that an -env or -authorizer-env entry
// naming a variable Lambda reserves for the function and its runtime is
// refused, named by its place and its name, as the deploy app refuses it:
// replacing the front's own (AWS_LAMBDA_RUNTIME_API above all) would
// break the emulation or describe another function. The region and the
// credentials, which Lambda takes from the function's configuration and
// role and the shell cannot give here, are taken.
func TestEnvReservedByLambda(t *testing.T) {
	const secret = "s3cr3t-value-of-a-token"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-function", "x", "-env", "AWS_LAMBDA_RUNTIME_API=" + secret}, "-env entry 1: AWS_LAMBDA_RUNTIME_API is reserved by Lambda"},
		{[]string{"-function", "x", "-env", "AB=1", "-env", "AWS_LAMBDA_FUNCTION_NAME=" + secret}, "-env entry 2: AWS_LAMBDA_FUNCTION_NAME is reserved by Lambda"},
		{[]string{"-function", "x", "-env", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512"}, "-env entry 1: AWS_LAMBDA_FUNCTION_MEMORY_SIZE is reserved by Lambda"},
		{[]string{"-function", "x", "-env", "TZ=" + secret}, "-env entry 1: TZ is reserved by Lambda"},
		{[]string{"-function", "x", "-env", "LAMBDA_TASK_ROOT=" + secret}, "-env entry 1: LAMBDA_TASK_ROOT is reserved by Lambda"},
		{[]string{"-function", "x", "-env", "AWS_EXECUTION_ENV=" + secret}, "-env entry 1: AWS_EXECUTION_ENV is reserved by Lambda"},
		{[]string{"-function", "x", "-authorizer", "y", "-authorizer-env", "AB=1", "-authorizer-env", "AWS_LAMBDA_LOG_GROUP_NAME=" + secret},
			"-authorizer-env entry 2: AWS_LAMBDA_LOG_GROUP_NAME is reserved by Lambda"},
	} {
		var stderr strings.Builder
		code := run(context.Background(), tc.args, io.Discard, &stderr)
		if got := stderr.String(); code != 2 || !strings.Contains(got, tc.want) || strings.Contains(got, secret) {
			t.Errorf("%q: exit %d, stderr %.300q; want 2 and %q, the value not shown", tc.args, code, got, tc.want)
		}
	}
	for _, kv := range []string{"AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-1", "AWS_ACCESS_KEY_ID=AKIA", "AWS_SECRET_ACCESS_KEY=s", "AWS_SESSION_TOKEN=t", "AWS_LAMBDA_EXEC_WRAPPER_X=1", "MY_TZ=UTC"} {
		if _, err := parse([]string{"-function", "x", "-env", kv}, io.Discard); err != nil {
			t.Errorf("-env %s: %v", kv, err)
		}
	}
}

// TestEnvMaxConcurrency checks that an -env or -authorizer-env entry of
// AWS_LAMBDA_MAX_CONCURRENCY above 1 is refused: aws-lambda-go then polls
// the Runtime API for that many events at once, as on Lambda Managed
// Instances, while the front hands each execution environment one
// invocation at a time, and its environments would stall. 1, which runs
// one invocation at a time, is taken.
func TestEnvMaxConcurrency(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-function", "x", "-env", "AWS_LAMBDA_MAX_CONCURRENCY=8"}, "-env entry 1: AWS_LAMBDA_MAX_CONCURRENCY"},
		{[]string{"-function", "x", "-authorizer", "y", "-authorizer-env", "AB=1", "-authorizer-env", "AWS_LAMBDA_MAX_CONCURRENCY=2"},
			"-authorizer-env entry 2: AWS_LAMBDA_MAX_CONCURRENCY"},
	} {
		var stderr strings.Builder
		code := run(context.Background(), tc.args, io.Discard, &stderr)
		if got := stderr.String(); code != 2 || !strings.Contains(got, tc.want) || !strings.Contains(got, "-concurrency") {
			t.Errorf("%q: exit %d, stderr %.300q; want 2 and %q, with -concurrency named", tc.args, code, got, tc.want)
		}
	}
	if _, err := parse([]string{"-function", "x", "-env", "AWS_LAMBDA_MAX_CONCURRENCY=1"}, io.Discard); err != nil {
		t.Errorf("-env AWS_LAMBDA_MAX_CONCURRENCY=1: %v", err)
	}
}

// TestFrontFlagValuesCut checks that the front's flags an error quotes,
// -shape, -authorizer-type, -stage, -base-path, -jwt-issuer and the
// scopes -like-deploy reads from -authorizer-env, are cut:
// a value of any size makes one short line with the reason.
func TestFrontFlagValuesCut(t *testing.T) {
	long := strings.Repeat("a", 10_000)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-function", "x", "-shape", long}, "unknown shape"},
		{[]string{"-function", "x", "-authorizer", "y", "-authorizer-type", long}, "unknown authorizer type"},
		{[]string{"-function", "x", "-stage", "/" + long}, "API Gateway takes letters"},
		{[]string{"-function", "x", "-base-path", long + "?"}, "has '?'"},
		{[]string{"-function", "x", "-base-path", long + "//"}, "has an empty level"},
		{[]string{"-shape", "http", "-function", "x", "-like-deploy", "-jwt-issuer", "ftp://" + long, "-jwt-audience", "app"}, "is not an https URL"},
		{[]string{"-function", "x", "-authorizer", "y", "-like-deploy", "-authorizer-env", "MCP_REQUIRED_SCOPES=it's" + long}, `holds "'"`},
	} {
		var stderr strings.Builder
		code := run(context.Background(), tc.args, io.Discard, &stderr)
		if got := stderr.String(); code != 2 || !strings.Contains(got, tc.want) || !strings.Contains(got, "…") || len(got) > 2000 {
			t.Errorf("%.60q: exit %d, stderr of %d bytes %.300q; want 2, %q and the value cut", tc.args, code, len(got), got, tc.want)
		}
	}
}
