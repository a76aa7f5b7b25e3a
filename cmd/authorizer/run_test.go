package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/internal/awsevents"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

var tokenEvent = awsevents.Sample("apigw-custom-auth-request.json")

var httpEvent = awsevents.Sample("apigw-v2-custom-authorizer-v2-request.json")

const token = "a-long-random-static-token-for-tests"

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// environ lists m as os.Environ lists the environment.
func environ(m map[string]string) func() []string {
	return func() []string {
		var kv []string
		for k, v := range m {
			kv = append(kv, k+"="+v)
		}
		return kv
	}
}

func TestHashToken(t *testing.T) {
	// The longest token "Authorization: Bearer …" carries to the entry
	// points.
	longest := auth.MaxHeaderBytes - len("Bearer ")
	tests := []struct {
		name     string
		stdin    io.Reader
		wantOut  string
		wantCode int
		wantErr  string // on stderr
	}{
		{"token with newline", strings.NewReader(token + "\n"), auth.HashToken(token) + "\n", 0, ""},
		{"token without newline", strings.NewReader("  " + token), auth.HashToken(token) + "\n", 0, ""},
		{"empty", strings.NewReader("\n"), "", 1, "no token on stdin"},
		{"too short", strings.NewReader("short\n"), "", 1, "shorter than 16"},
		{"one short of 16", strings.NewReader(strings.Repeat("x", 15) + "\n"), "", 1, "shorter than 16"},
		{"16 characters", strings.NewReader(strings.Repeat("x", 16) + "\n"), auth.HashToken(strings.Repeat("x", 16)) + "\n", 0, ""},
		{"too long", strings.NewReader(strings.Repeat("x", auth.MaxTokenBytes+1) + "\n"), "", 1, "longer than"},
		{"longest a header carries", strings.NewReader(strings.Repeat("x", longest) + "\n"), auth.HashToken(strings.Repeat("x", longest)) + "\n", 0, ""},
		{"a byte longer than a header carries", strings.NewReader(strings.Repeat("x", longest+1) + "\n"), "", 1, "authorization header too large"},
		{"space inside", strings.NewReader(token + " " + token + "\n"), "", 1, "malformed bearer token"},
		{"no-break space inside", strings.NewReader(token + "\u00a0" + token + "\n"), "", 1, "malformed bearer token"},
		{"b64token, padded", strings.NewReader("ab+/cd.ef-_~xyz12==\n"), auth.HashToken("ab+/cd.ef-_~xyz12==") + "\n", 0, ""},
		// The deploy stack's REST API matches the header against RFC 6750's
		// b64token and answers 401 itself, never asking the authorizer.
		{"character outside b64token", strings.NewReader(token + "!\n"), "", 1, "b64token"},
		{"quote inside", strings.NewReader(token + `"` + token + "\n"), "", 1, "b64token"},
		{"padding inside", strings.NewReader(token + "=" + token + "\n"), "", 1, "b64token"},
		{"padding only", strings.NewReader(strings.Repeat("=", 16) + "\n"), "", 1, "b64token"},
		{"broken stdin", iotest.ErrReader(errors.New("stdin broke")), "", 1, "reading token: stdin broke"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), []string{"-hash-token"}, env(nil), nil, tc.stdin, &out, &errOut, nil)
			if code != tc.wantCode || out.String() != tc.wantOut || !strings.Contains(errOut.String(), tc.wantErr) {
				t.Errorf("run = %d, stdout %q, stderr %q; want %d, %q, stderr saying %q", code, out.String(), errOut.String(), tc.wantCode, tc.wantOut, tc.wantErr)
			}
			if strings.Contains(out.String()+errOut.String(), token) {
				t.Error("the token was printed")
			}
		})
	}
}

func TestRunConfiguration(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		wantCode  int
		wantStart bool
		wantLog   string // in the configuration error's log line
	}{
		{"outside Lambda", map[string]string{auth.EnvTokenSHA256: auth.HashToken(token)}, 2, false, ""},
		{"nothing configured", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:1"}, 1, false, auth.EnvTokenSHA256},
		{"bad hash", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:1", auth.EnvTokenSHA256: "xyz"}, 1, false, auth.EnvTokenSHA256},
		{"authorizer-context mode", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:1", auth.EnvFromAuthorizer: "1"}, 1, false, "not for the authorizer"},
		{"scopes alone", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:1", auth.EnvRequiredScopes: "mcp:tools"}, 1, false, "set " + auth.EnvTokenSHA256},
		{"static tokens", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:1", auth.EnvTokenSHA256: auth.HashToken(token)}, 0, true, ""},
		{"a variable misspelt", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:1", auth.EnvTokenSHA256: auth.HashToken(token), "MCP_JWT_ISUER": "https://issuer.example"}, 0, true,
			`"level":"WARN","msg":"MCP_JWT_ISUER is set, and nothing reads it; did you mean MCP_JWT_ISSUER?"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// On Lambda, a Runtime API to report a failed start to.
			api := runtimeapi.NewServer()
			if _, ok := tc.env["AWS_LAMBDA_RUNTIME_API"]; ok {
				hs := httptest.NewServer(api)
				defer hs.Close()
				tc.env = maps.Clone(tc.env)
				tc.env["AWS_LAMBDA_RUNTIME_API"] = strings.TrimPrefix(hs.URL, "http://")
			}
			started := false
			var out, errOut bytes.Buffer
			defaultLogger := slog.Default()
			t.Cleanup(func() {
				slog.SetDefault(defaultLogger)
				log.SetOutput(os.Stderr)
				log.SetFlags(log.LstdFlags)
			})
			code := run(context.Background(), nil, env(tc.env), environ(tc.env), strings.NewReader(""), &out, &errOut,
				func(h any) {
					_, started = h.(lambda.Handler)
					// The Lambda runtime's line for a failed invocation.
					log.Print("refused")
				})
			if code != tc.wantCode || started != tc.wantStart {
				t.Errorf("run = %d, started %v (stderr %s); want %d, %v", code, started, errOut.String(), tc.wantCode, tc.wantStart)
			}
			if !strings.Contains(out.String(), tc.wantLog) {
				t.Errorf("log %q does not say %q", out.String(), tc.wantLog)
			}
			if started && !strings.Contains(out.String(), `"msg":"refused"`) {
				t.Errorf("log %q: the log package's line is not JSON on stdout", out.String())
			}
			if code != 1 {
				return
			}
			// The start failed: Lambda was told why.
			api.Close(errors.New("no init error reported"))
			_, err := api.Invoke(t.Context(), &runtimeapi.Invocation{RequestID: "r1", Payload: []byte(`{}`)})
			var fe *runtimeapi.FunctionError
			if !errors.As(err, &fe) || fe.Type != runtimeapi.ErrorTypeConfigInvalid || !strings.Contains(fe.Message, tc.wantLog) {
				t.Errorf("init error %v, want %s saying %q", err, runtimeapi.ErrorTypeConfigInvalid, tc.wantLog)
			}
		})
	}
}

// TestRunCommandLine checks -h (exit 0, the usage) and arguments the
// command does not take (exit 2), as the other commands answer them.
func TestRunCommandLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-h"}, 0, "-hash-token"},
		{[]string{"-no-such-flag"}, 2, "usage: authorizer"},
		{[]string{"-hash-token", "extra"}, 2, `unexpected argument "extra"`},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), tc.args, env(nil), nil, strings.NewReader(token), &out, &errOut, nil)
		if code != tc.code || !strings.Contains(errOut.String(), tc.want) || out.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %d and %q", tc.args, code, out.String(), errOut.String(), tc.code, tc.want)
		}
	}
}

func TestNewAuthorizerFromEnv(t *testing.T) {
	a, err := newAuthorizer(env(map[string]string{
		auth.EnvTokenSHA256: auth.HashToken(token), auth.EnvRequiredScopes: "mcp:tools",
	}), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ev := strings.Replace(string(httpEvent), `"Header1": "value1"`, `"authorization": "Bearer `+token+`"`, 1)
	out, err := a.Invoke(context.Background(), []byte(ev))
	if err != nil || !strings.Contains(string(out), `"isAuthorized":true`) {
		t.Errorf("Invoke = %s, %v; want isAuthorized", out, err)
	}
}

// TestNewAuthorizerConfigError checks that the error names what is wrong,
// and tells what to set only when nothing that checks tokens is: a hash or
// JWKS URL that is set but wrong needs mending, not setting.
func TestNewAuthorizerConfigError(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"nothing configured", nil,
			"no authentication configured: set MCP_AUTH_TOKEN_SHA256 and/or MCP_JWT_ISSUER and MCP_JWT_AUDIENCE (MCP_JWT_JWKS_URL too, unless the issuer's discovery document names its keys)"},
		{"sha256sum's output as it prints it", map[string]string{auth.EnvTokenSHA256: auth.HashToken(token) + "  -"},
			"MCP_AUTH_TOKEN_SHA256: static tokens: hash 1 is not a hex SHA-256 hash (64 hex digits)"},
		{"JWKS URL over plain http", map[string]string{auth.EnvJWTIssuer: "https://iss.example", auth.EnvJWTJWKSURL: "http://iss.example/jwks.json", auth.EnvJWTAudience: "a"},
			`MCP_JWT_JWKS_URL: jwt: JWKS URL "http://iss.example/jwks.json" is not an https URL (plain http only on a loopback address)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newAuthorizer(env(tc.env), slog.New(slog.DiscardHandler))
			if err == nil {
				t.Fatal("newAuthorizer succeeded")
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// buildBootstrap compiles the authorizer as Lambda runs it, skipping the
// test under -short.
func buildBootstrap(t *testing.T) string {
	return buildBootstrapWith(t, "CGO_ENABLED=0")
}

// buildRaceBootstrap compiles it with the race detector, which needs cgo.
func buildRaceBootstrap(t *testing.T) string {
	return buildBootstrapWith(t, "CGO_ENABLED=1", "-race")
}

func buildBootstrapWith(t *testing.T, cgo string, flags ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "bootstrap")
	build := exec.Command("go", append(append([]string{"build", "-tags", "lambda.norpc"}, flags...), "-o", bin, ".")...)
	build.Env = append(os.Environ(), cgo)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// withToken is the token authorizer event carrying the Authorization
// header value h.
func withToken(h string) []byte {
	var m map[string]any
	_ = json.Unmarshal(tokenEvent, &m)
	m["authorizationToken"] = h
	b, _ := json.Marshal(m)
	return b
}

// The compiled bootstrap, run as Lambda runs it: against a runtime API that
// hands it real authorizer events and collects its answers.
func TestBootstrapBinary(t *testing.T) {
	bin := buildBootstrap(t)

	rt := newRuntimeAPI(t, withToken("Bearer "+token), withToken("Bearer wrong-token-value"), withToken(""))
	cmd := exec.Command(bin)
	var stderr bytes.Buffer // both streams: logs go to stdout
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	cmd.Env = []string{
		"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(rt.URL, "http://"),
		"AWS_LAMBDA_FUNCTION_NAME=authorizer", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		auth.EnvTokenSHA256 + "=" + auth.HashToken(token),
		auth.EnvRequiredScopes + "=mcp:tools",
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var finished bool
	select {
	case <-rt.done:
		finished = true
	case <-time.After(30 * time.Second):
	}
	// Stop the process before reading what it wrote.
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if !finished {
		t.Fatalf("bootstrap did not answer all events; output:\n%s", stderr.String())
	}
	want := []struct{ kind, contains string }{
		{"response", `"Effect":"Allow"`},
		{"error", `"errorMessage":"Unauthorized"`},
		{"error", `"errorMessage":"Unauthorized"`},
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for i, w := range want {
		got := rt.answers[i]
		if got.kind != w.kind || !strings.Contains(got.body, w.contains) {
			t.Errorf("event %d: got %s %s, want %s containing %s", i, got.kind, got.body, w.kind, w.contains)
		}
	}
	logs := stderr.String()
	if !strings.Contains(logs, `"request_id":"req-1"`) {
		t.Errorf("logs lack the request id:\n%s", logs)
	}
	if !strings.Contains(logs, `"decision":"allow"`) || !strings.Contains(logs, `"decision":"unauthorized"`) {
		t.Errorf("logs lack the decisions:\n%s", logs)
	}
	if strings.Contains(logs, token) || strings.Contains(logs, "wrong-token-value") {
		t.Errorf("a token reached the logs:\n%s", logs)
	}
}

type answer struct{ kind, body string }

// runtimeAPI serves the Lambda runtime API's invocation endpoints.
type runtimeAPI struct {
	*httptest.Server
	mu      sync.Mutex
	answers []answer
	done    chan struct{}
}

func newRuntimeAPI(t *testing.T, events ...[]byte) *runtimeAPI {
	t.Helper()
	rt := &runtimeAPI{done: make(chan struct{})}
	next := make(chan []byte, len(events))
	for _, e := range events {
		next <- e
	}
	var n int
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		select {
		case ev := <-next:
			rt.mu.Lock()
			n++
			id := "req-" + strconv.Itoa(n)
			rt.mu.Unlock()
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", id)
			w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:authorizer")
			_, _ = w.Write(ev)
		case <-r.Context().Done():
		}
	})
	record := func(kind string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			rt.mu.Lock()
			rt.answers = append(rt.answers, answer{kind, string(b)})
			if len(rt.answers) == len(events) {
				close(rt.done)
			}
			rt.mu.Unlock()
			w.WriteHeader(http.StatusAccepted)
		}
	}
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", record("response"))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", record("error"))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", record("init-error"))
	rt.Server = httptest.NewServer(mux)
	t.Cleanup(rt.Close)
	return rt
}
