package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/lambdamcp/lambdamcp/internal/awsevents"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
)

var (
	tokenEventJSON   = awsevents.Sample("apigw-custom-auth-request.json")
	requestEventJSON = awsevents.Sample("apigw-custom-auth-request-type-request.json")
	httpV1EventJSON  = awsevents.Sample("apigw-v2-custom-authorizer-v1-request.json")
	httpV2EventJSON  = awsevents.Sample("apigw-v2-custom-authorizer-v2-request.json")
)

type outcome string

const (
	allow        outcome = "allow"        // 200 / Allow / isAuthorized
	unauthorized outcome = "unauthorized" // 401 / error "Unauthorized"
	deny         outcome = "deny"         // 403 / Deny / !isAuthorized
)

// headerCase is one Authorization header and what every entry point must
// make of it.
type headerCase struct {
	name    string
	header  string
	want    outcome
	wantSub string // for allow
}

// fixture is a verifier accepting one static token and JWTs from a test
// issuer, requiring testScope, with the header cases of the acceptance list.
type fixture struct {
	verifier Verifier
	cases    []headerCase
	secrets  []string // every token used, none of which may be logged
}

const staticToken = "static-secret-token-0123456789"

func newFixture(t *testing.T, logger *slog.Logger) *fixture {
	t.Helper()
	key, stranger := newRSAKey(t, "k1"), newRSAKey(t, "stranger")
	srv := newJWKSServer(t, key)
	jv := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) { o.Logger = logger })
	// A token the verifier accepts, in a header over the size limit: only
	// the limit refuses it.
	oversized := strings.Repeat("x", MaxHeaderBytes)
	sv, err := NewStaticVerifier([]string{HashToken(staticToken), HashToken(oversized)}, &StaticOptions{Scopes: []string{testScope}})
	if err != nil {
		t.Fatal(err)
	}
	good := key.sign(t, claims{scope: testScope})
	f := &fixture{verifier: AnyOf(sv, jv)}
	f.cases = []headerCase{
		{"valid JWT", "Bearer " + good, allow, "user-123"},
		{"valid static token", "Bearer " + staticToken, allow, "static:" + HashToken(staticToken)[:12]},
		{"scheme in lower case", "bearer " + good, allow, "user-123"},
		{"scheme in upper case", "BEARER " + good, allow, "user-123"},
		{"missing header", "", unauthorized, ""},
		{"wrong scheme", "Basic dXNlcjpwYXNz", unauthorized, ""},
		{"empty token", "Bearer ", unauthorized, ""},
		{"oversized header", "Bearer " + oversized, unauthorized, ""},
		{"expired", "Bearer " + key.sign(t, claims{scope: testScope, exp: -5 * time.Minute}), unauthorized, ""},
		{"not yet valid", "Bearer " + key.sign(t, claims{scope: testScope, nbf: 5 * time.Minute}), unauthorized, ""},
		{"wrong issuer", "Bearer " + key.sign(t, claims{scope: testScope, iss: "https://evil.test"}), unauthorized, ""},
		{"wrong audience", "Bearer " + key.sign(t, claims{scope: testScope, aud: "https://other.test"}), unauthorized, ""},
		{"missing scope", "Bearer " + key.sign(t, claims{scope: "other"}), deny, ""},
		{"alg none", "Bearer " + unsignedToken(t, key.kid), unauthorized, ""},
		{"HS256 with the RSA public key", "Bearer " + confusedToken(t, key), unauthorized, ""},
		{"unknown kid", "Bearer " + stranger.sign(t, claims{scope: testScope}), unauthorized, ""},
		{"tampered signature", "Bearer " + tamper(good), unauthorized, ""},
		{"wrong static token", "Bearer not-" + staticToken, unauthorized, ""},
	}
	for _, c := range f.cases {
		if _, tok, ok := strings.Cut(c.header, " "); ok && len(tok) > 8 {
			f.secrets = append(f.secrets, tok)
		}
	}
	return f
}

// assertNoSecrets fails if any token appears in the captured log output.
func (f *fixture) assertNoSecrets(t *testing.T, logs *bytes.Buffer) {
	t.Helper()
	if logs.Len() == 0 {
		t.Fatal("nothing was logged; the check would prove nothing")
	}
	out := logs.String()
	for _, s := range f.secrets {
		// The tail is the signature, unique to each token: finding it means
		// the token, or the part that makes it usable, was logged.
		if tail := s[max(0, len(s)-20):]; strings.Contains(out, tail) {
			t.Errorf("log output contains a token (ending %q)", tail[len(tail)-4:])
		}
	}
}

func jsonLogger() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf
}

// withField returns the event JSON with one top-level field set.
func withField(t *testing.T, event []byte, set func(map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(event, &m); err != nil {
		t.Fatal(err)
	}
	set(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAuthorizerEntryPoints(t *testing.T) {
	logger, logs := jsonLogger()
	f := newFixture(t, logger)
	a := NewAuthorizer(f.verifier, &AuthorizerOptions{Scopes: []string{testScope}, Logger: logger})

	setHeader := func(header string) func(map[string]any) {
		return func(m map[string]any) {
			h, _ := m["headers"].(map[string]any)
			if h == nil {
				h = map[string]any{}
			}
			if header != "" {
				h["Authorization"] = header
			}
			m["headers"] = h
			if mv, ok := m["multiValueHeaders"].(map[string]any); ok && header != "" {
				mv["Authorization"] = []string{header}
			}
		}
	}
	entryPoints := []struct {
		name  string
		event func(header string) []byte
		check func(t *testing.T, out []byte, want outcome, sub string)
	}{
		{"TOKEN", func(h string) []byte {
			return withField(t, tokenEventJSON, func(m map[string]any) { m["authorizationToken"] = h })
		}, checkPolicy("arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/*")},
		{"REQUEST", func(h string) []byte {
			return withField(t, requestEventJSON, setHeader(h))
		}, checkPolicy("arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/test/*")},
		{"HTTP API payload 1.0", func(h string) []byte {
			return withField(t, httpV1EventJSON, setHeader(h))
		}, checkPolicy("arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/*")},
		{"HTTP API payload 2.0", func(h string) []byte {
			return withField(t, httpV2EventJSON, func(m map[string]any) {
				h2 := map[string]any{"header1": "value1"}
				if h != "" {
					h2["authorization"] = h
				}
				m["headers"] = h2
			})
		}, checkSimple},
	}
	for _, ep := range entryPoints {
		for _, c := range f.cases {
			t.Run(ep.name+"/"+c.name, func(t *testing.T) {
				out, err := a.Invoke(context.Background(), ep.event(c.header))
				if c.want == unauthorized {
					if err == nil || err.Error() != "Unauthorized" {
						t.Fatalf("Invoke = (%s, %v), want the error \"Unauthorized\"", out, err)
					}
					return
				}
				if err != nil {
					t.Fatalf("Invoke: %v", err)
				}
				ep.check(t, out, c.want, c.wantSub)
			})
		}
	}
	f.assertNoSecrets(t, logs)
}

func checkPolicy(resource string) func(t *testing.T, out []byte, want outcome, sub string) {
	return func(t *testing.T, out []byte, want outcome, sub string) {
		t.Helper()
		var resp events.APIGatewayCustomAuthorizerResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatalf("response %s: %v", out, err)
		}
		if len(resp.PolicyDocument.Statement) != 1 {
			t.Fatalf("policy %s: want one statement", out)
		}
		st := resp.PolicyDocument.Statement[0]
		wantEffect := map[outcome]string{allow: "Allow", deny: "Deny"}[want]
		if st.Effect != wantEffect || len(st.Resource) != 1 || st.Resource[0] != resource {
			t.Errorf("statement = %+v, want %s on %s", st, wantEffect, resource)
		}
		if want == allow && (resp.PrincipalID != sub || resp.Context["sub"] != sub || resp.Context["scope"] != testScope) {
			t.Errorf("principal %q, context %v; want subject %q with scope %q", resp.PrincipalID, resp.Context, sub, testScope)
		}
		if want == deny && resp.Context != nil {
			t.Errorf("Deny carries context %v", resp.Context)
		}
	}
}

func checkSimple(t *testing.T, out []byte, want outcome, sub string) {
	t.Helper()
	var resp events.APIGatewayV2CustomAuthorizerSimpleResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	if resp.IsAuthorized != (want == allow) {
		t.Errorf("isAuthorized = %v, want %v", resp.IsAuthorized, want == allow)
	}
	if want == allow && resp.Context["sub"] != sub {
		t.Errorf("context %v, want sub %q", resp.Context, sub)
	}
}

func TestMiddlewareEntryPoint(t *testing.T) {
	logger, logs := jsonLogger()
	f := newFixture(t, logger)
	const resource = "https://mcp.test/mcp"
	var seen *sdkauth.TokenInfo
	h := Middleware(f.verifier, &MiddlewareOptions{
		ResourceURL:          resource,
		AuthorizationServers: []string{testIssuer},
		Scopes:               []string{testScope},
		Logger:               logger,
	})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = sdkauth.TokenInfoFromContext(r.Context())
		w.WriteHeader(http.StatusOK)
	}))
	const meta = `resource_metadata="https://mcp.test/.well-known/oauth-protected-resource/mcp"`
	for _, c := range f.cases {
		t.Run(c.name, func(t *testing.T) {
			seen = nil
			req := httptest.NewRequest(http.MethodPost, resource, strings.NewReader(`{}`))
			if c.header != "" {
				req.Header.Set("Authorization", c.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			wantStatus := map[outcome]int{allow: 200, unauthorized: 401, deny: 403}[c.want]
			if rec.Code != wantStatus {
				t.Fatalf("status %d, want %d (body %s)", rec.Code, wantStatus, rec.Body)
			}
			if c.want == allow {
				if seen == nil || seen.UserID != c.wantSub {
					t.Fatalf("handler saw TokenInfo %+v, want UserID %q", seen, c.wantSub)
				}
				return
			}
			if seen != nil {
				t.Fatal("handler ran for a refused request")
			}
			var wantChallenge string
			switch {
			case c.want == deny:
				wantChallenge = `Bearer error="insufficient_scope", ` + meta + `, scope="mcp:tools"`
			case c.header == "" || strings.HasPrefix(c.header, "Basic"):
				wantChallenge = `Bearer ` + meta + `, scope="mcp:tools"`
			default:
				wantChallenge = `Bearer error="invalid_token", ` + meta + `, scope="mcp:tools"`
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != wantChallenge {
				t.Errorf("WWW-Authenticate:\n got %s\nwant %s", got, wantChallenge)
			}
			var body struct{ Error, ErrorDescription string }
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error == "" {
				t.Errorf("body %q is not a JSON error (%v)", rec.Body, err)
			}
		})
	}
	f.assertNoSecrets(t, logs)
}

func TestAuthorizerErrors(t *testing.T) {
	a := NewAuthorizer(AnyOf(), nil)
	tests := []struct {
		name, payload, want string // want: part of the error
	}{
		{"not JSON", `{`, "decoding"},
		{"unknown event", `{"type": "SOMETHING"}`, "unsupported"},
		{"TOKEN without method ARN", `{"type": "TOKEN", "authorizationToken": "Bearer x"}`, "method ARN"},
		{"REQUEST with a bad ARN", `{"type": "REQUEST", "methodArn": "arn:aws:s3:::bucket"}`, "method ARN"},
		{"ARN without a stage", `{"type": "TOKEN", "authorizationToken": "Bearer x", "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abc123//POST/mcp"}`, "method ARN"},
		{"ARN without an API", `{"type": "TOKEN", "authorizationToken": "Bearer x", "methodArn": "arn:aws:execute-api:us-east-1:123456789012:/prod/POST/mcp"}`, "method ARN"},
		{"ARN without a stage or path", `{"type": "TOKEN", "authorizationToken": "Bearer x", "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abc123"}`, "method ARN"},
		{"ARN of too few fields", `{"type": "TOKEN", "authorizationToken": "Bearer x", "methodArn": "arn:aws:execute-api"}`, "method ARN"},
		{"no ARN at all", `{"type": "TOKEN", "authorizationToken": "Bearer x", "methodArn": "urn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/mcp"}`, "method ARN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := a.Invoke(context.Background(), []byte(tc.payload))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Invoke = (%s, %v), want an error saying %q", out, err, tc.want)
			}
		})
	}
}

// A verifier failing in itself is neither Unauthorized nor Deny: API Gateway
// answers 500 and the operator sees the cause.
func TestAuthorizerVerifierFailure(t *testing.T) {
	boom := verifierFunc(func(context.Context, string) (*Identity, error) { return nil, errors.New("boom") })
	a := NewAuthorizer(boom, nil)
	ev := withField(t, tokenEventJSON, func(m map[string]any) { m["authorizationToken"] = "Bearer abc" })
	_, err := a.Invoke(context.Background(), ev)
	if err == nil || err.Error() == "Unauthorized" {
		t.Fatalf("err = %v, want a verifier failure", err)
	}
}

// TestAuthorizerDecisionLogged checks each decision's log line: refusals
// of the client's token at info, and a token that could not be checked
// (which the gateway answers 500) as "error" at warning, not as one more
// bad token.
func TestAuthorizerDecisionLogged(t *testing.T) {
	ok := &Identity{Subject: "alice", Scopes: []string{testScope}}
	tests := []struct {
		name, header    string
		id              *Identity
		err             error
		decision, level string
	}{
		{"valid", "Bearer abc", ok, nil, "allow", "INFO"},
		{"invalid", "Bearer abc", nil, fmt.Errorf("%w: expired", ErrInvalidToken), "unauthorized", "INFO"},
		{"no bearer token", "Basic abc", nil, nil, "unauthorized", "INFO"},
		{"insufficient scope", "Bearer abc", nil, fmt.Errorf("%w: requires %q", ErrInsufficientScope, testScope), "deny", "INFO"},
		{"keys unavailable", "Bearer abc", nil, fmt.Errorf("%w: jwks down", ErrKeysUnavailable), "error", "WARN"},
		// As a verifier of one's own may join them: decide answers 500, and
		// the log says so.
		{"invalid and keys unavailable", "Bearer abc", nil, errors.Join(ErrInvalidToken, ErrKeysUnavailable), "error", "WARN"},
		{"verifier failure", "Bearer abc", nil, errors.New("boom"), "error", "WARN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logger, logs := jsonLogger()
			v := verifierFunc(func(context.Context, string) (*Identity, error) { return tc.id, tc.err })
			a := NewAuthorizer(v, &AuthorizerOptions{Logger: logger})
			a.Invoke(context.Background(), withField(t, tokenEventJSON, func(m map[string]any) { m["authorizationToken"] = tc.header }))
			var line struct{ Level, Msg, Decision string }
			if err := json.Unmarshal(logs.Bytes(), &line); err != nil || line.Msg != "authorizer decision" || line.Decision != tc.decision || line.Level != tc.level {
				t.Errorf("logged %s; want decision %q at %s", logs, tc.decision, tc.level)
			}
		})
	}
}

// TestAuthorizerRepeatedAuthorization checks that an Authorization header
// given twice (two values, or two spellings in a map of single values) is
// refused whichever comes first, as the in-process middleware refuses it: a
// proxy in front may have judged the other one, and a map's order is
// random.
func TestAuthorizerRepeatedAuthorization(t *testing.T) {
	v, err := NewStaticVerifier([]string{HashToken(staticToken)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := NewAuthorizer(v, nil)
	good, bad := "Bearer "+staticToken, "Bearer wrong"
	for _, values := range [][]string{{good, bad}, {bad, good}, {good, good}} {
		ev := withField(t, requestEventJSON, func(m map[string]any) {
			m["headers"] = map[string]any{"Authorization": values[len(values)-1]} // API Gateway's single value: the last
			m["multiValueHeaders"] = map[string]any{"Authorization": values}
		})
		if out, err := a.Invoke(context.Background(), ev); err == nil || err.Error() != "Unauthorized" {
			t.Errorf("REQUEST with %q: Invoke = (%s, %v), want Unauthorized", values, out, err)
		}
	}
	for range 10 { // a map's order varies from run to run
		ev := withField(t, httpV2EventJSON, func(m map[string]any) {
			m["headers"] = map[string]any{"authorization": good, "Authorization": bad}
		})
		if out, err := a.Invoke(context.Background(), ev); err == nil || err.Error() != "Unauthorized" {
			t.Fatalf("HTTP with two spellings: Invoke = (%s, %v), want Unauthorized", out, err)
		}
	}
	// One value is taken, from either map.
	ev := withField(t, requestEventJSON, func(m map[string]any) {
		m["headers"] = map[string]any{}
		m["multiValueHeaders"] = map[string]any{"authorization": []string{good}}
	})
	if _, err := a.Invoke(context.Background(), ev); err != nil {
		t.Errorf("REQUEST with one value in multiValueHeaders: %v", err)
	}
}

type verifierFunc func(context.Context, string) (*Identity, error)

func (f verifierFunc) Verify(ctx context.Context, token string) (*Identity, error) {
	return f(ctx, token)
}

// A custom verifier that returns no identity must not bring the authorizer
// down: without an error that is a refused token, and with an
// insufficient-scope error it is still a Deny.
func TestAuthorizerVerifierWithoutIdentity(t *testing.T) {
	tests := []struct {
		name          string
		id            *Identity
		err           error
		wantErr       string
		wantPrincipal string
	}{
		{"no identity, no error", nil, nil, "Unauthorized", ""},
		{"no identity, insufficient scope", nil, fmt.Errorf("%w: requires %q", ErrInsufficientScope, testScope), "", "unknown"},
		{"identity without subject, insufficient scope", &Identity{Method: "custom"}, fmt.Errorf("%w: requires %q", ErrInsufficientScope, testScope), "", "unknown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logger, logs := jsonLogger()
			v := verifierFunc(func(context.Context, string) (*Identity, error) { return tc.id, tc.err })
			a := NewAuthorizer(v, &AuthorizerOptions{Logger: logger})
			ev := withField(t, tokenEventJSON, func(m map[string]any) { m["authorizationToken"] = "Bearer " + staticToken })
			out, err := invokeNoPanic(t, a, ev)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("Invoke = (%s, %v), want the error %q", out, err, tc.wantErr)
				}
			} else {
				if err != nil {
					t.Fatalf("Invoke: %v", err)
				}
				var resp events.APIGatewayCustomAuthorizerResponse
				if err := json.Unmarshal(out, &resp); err != nil {
					t.Fatal(err)
				}
				if resp.PrincipalID != tc.wantPrincipal || len(resp.PolicyDocument.Statement) != 1 || resp.PolicyDocument.Statement[0].Effect != "Deny" || resp.Context != nil {
					t.Errorf("response %s, want Deny for principal %q without context", out, tc.wantPrincipal)
				}
			}
			if !strings.Contains(logs.String(), "authorizer decision") {
				t.Errorf("decision not logged: %s", logs)
			}
			if strings.Contains(logs.String(), staticToken) {
				t.Errorf("token logged: %s", logs)
			}
		})
	}
}

func invokeNoPanic(t *testing.T, a *Authorizer, ev []byte) (out []byte, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Invoke panicked: %v", r)
		}
	}()
	return a.Invoke(context.Background(), ev)
}

// The same verifier behind Middleware: a JSON refusal with the challenge,
// never a panic or a bare go-sdk 401.
func TestMiddlewareVerifierWithoutIdentity(t *testing.T) {
	tests := []struct {
		name       string
		scopes     []string
		err        error
		wantStatus int
		wantCode   string
	}{
		{"no identity, no error", nil, nil, http.StatusUnauthorized, "invalid_token"},
		{"no identity, no error, scope required", []string{testScope}, nil, http.StatusUnauthorized, "invalid_token"},
		{"no identity, insufficient scope", []string{testScope}, fmt.Errorf("%w: requires %q", ErrInsufficientScope, testScope), http.StatusForbidden, "insufficient_scope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := verifierFunc(func(context.Context, string) (*Identity, error) { return nil, tc.err })
			h := Middleware(v, &MiddlewareOptions{ResourceURL: "https://mcp.test/mcp", Scopes: tc.scopes})(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				t.Error("handler ran for a request without an identity")
			}))
			req := httptest.NewRequest(http.MethodPost, "https://mcp.test/mcp", strings.NewReader(`{}`))
			req.Header.Set("Authorization", "Bearer "+staticToken)
			rec := httptest.NewRecorder()
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("ServeHTTP panicked: %v", r)
					}
				}()
				h.ServeHTTP(rec, req)
			}()
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d (body %s)", rec.Code, tc.wantStatus, rec.Body)
			}
			if got := rec.Header().Get("WWW-Authenticate"); !strings.Contains(got, `error="`+tc.wantCode+`"`) {
				t.Errorf("WWW-Authenticate %q, want error=%q", got, tc.wantCode)
			}
			var body struct{ Error string }
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error != tc.wantCode {
				t.Errorf("body %q, want a JSON %s error (%v)", rec.Body, tc.wantCode, err)
			}
		})
	}
}

// While the issuer's keys cannot be had, a JWT is neither good nor bad:
// Middleware answers 503 with Retry-After and no challenge (a 401 would send
// the client to authenticate again for nothing), and the authorizer fails,
// which API Gateway answers 500, rather than calling the token
// Unauthorized; TokenVerifier keeps it from the go-sdk's ErrInvalidToken.
// A static verifier beside it that refuses the token does not turn that
// into a 401.
func TestKeysUnavailable(t *testing.T) {
	key := newRSAKey(t, "k")
	srv := newJWKSServer(t, key)
	srv.setMode("down")
	static, err := NewStaticVerifier([]string{HashToken(staticToken)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	jwtOnly := newTestJWTVerifier(t, srv.url(), nil)
	both := AnyOf(static, newTestJWTVerifier(t, srv.url(), nil))
	token := key.sign(t, claims{})
	// AnyOf answers so itself, in either order, rather than joining it to
	// the other verifier's invalid token, which would mislead a caller
	// asking for ErrInvalidToken first; a token that is no JWT is invalid.
	for _, v := range []Verifier{both, AnyOf(newTestJWTVerifier(t, srv.url(), nil), static)} {
		if _, err := v.Verify(context.Background(), token); !errors.Is(err, ErrKeysUnavailable) || errors.Is(err, ErrInvalidToken) {
			t.Errorf("AnyOf: %v, want ErrKeysUnavailable and not ErrInvalidToken", err)
		}
	}
	if _, err := both.Verify(context.Background(), "opaque"); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("AnyOf, opaque token: %v, want ErrInvalidToken", err)
	}
	// A verifier of one's own may join an invalid token to the keys it
	// could not have: still not the token's fault.
	joined := verifierFunc(func(context.Context, string) (*Identity, error) {
		return nil, errors.Join(ErrInvalidToken, ErrKeysUnavailable)
	})
	for name, v := range map[string]Verifier{"jwt": jwtOnly, "static and jwt": both, "invalid joined to keys unavailable": joined} {
		t.Run(name+"/middleware", func(t *testing.T) {
			logger, logs := jsonLogger()
			h := Middleware(v, &MiddlewareOptions{ResourceURL: "https://mcp.test/mcp", Logger: logger})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
				t.Error("handler ran for a token that was not checked")
			}))
			req := httptest.NewRequest(http.MethodPost, "https://mcp.test/mcp", strings.NewReader(`{}`))
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			// One second: the key set is fetched again a second after a
			// failed first load, as docs/auth.md says.
			if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "1" {
				t.Fatalf("status %d, Retry-After %q; want 503 with Retry-After: 1 (body %s)", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != "" {
				t.Errorf("WWW-Authenticate %q on a 503", got)
			}
			var body struct{ Error string }
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error != "temporarily_unavailable" {
				t.Errorf("body %q, want a JSON temporarily_unavailable error (%v)", rec.Body, err)
			}
			if strings.Contains(logs.String(), token) {
				t.Errorf("token logged: %s", logs)
			}
		})
		t.Run(name+"/go-sdk", func(t *testing.T) {
			if _, err := TokenVerifier(v)(t.Context(), token, nil); err == nil || errors.Is(err, sdkauth.ErrInvalidToken) {
				t.Errorf("token checked without keys: %v, want an error that is not sdkauth.ErrInvalidToken", err)
			}
		})
		t.Run(name+"/authorizer", func(t *testing.T) {
			ev := withField(t, tokenEventJSON, func(m map[string]any) { m["authorizationToken"] = "Bearer " + token })
			out, err := invokeNoPanic(t, NewAuthorizer(v, nil), ev)
			if err == nil || errors.Is(err, ErrUnauthorized) || !errors.Is(err, ErrKeysUnavailable) {
				t.Fatalf("Invoke = (%s, %v), want a failure that is not Unauthorized", out, err)
			}
		})
	}
}
