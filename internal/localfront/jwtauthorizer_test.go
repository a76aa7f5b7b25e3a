package localfront

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// jwtIssuer is an OpenID provider on loopback that signs what a test
// asks: its discovery document names its key set.
type jwtIssuer struct {
	url string
	key jwk.Key

	discoveries atomic.Int32  // fetches of the discovery document
	down        atomic.Bool   // the discovery document answers 503
	keysDown    atomic.Bool   // the key set answers 503
	arrived     chan struct{} // a fetch of the discovery document came
	hold        chan struct{} // nil, or each fetch waits until it closes
}

func newKey(t *testing.T) jwk.Key {
	t.Helper()
	raw, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	key, err := jwk.Import(raw)
	if err != nil {
		t.Fatal(err)
	}
	key.Set(jwk.KeyIDKey, "k1")
	return key
}

func startJWTIssuer(t *testing.T) *jwtIssuer {
	t.Helper()
	return startHeldJWTIssuer(t, nil)
}

// startHeldJWTIssuer is an issuer whose discovery document is answered
// only once hold closes (at once when hold is nil).
func startHeldJWTIssuer(t *testing.T, hold chan struct{}) *jwtIssuer {
	t.Helper()
	iss := &jwtIssuer{key: newKey(t), arrived: make(chan struct{}, 64), hold: hold}
	pub, err := iss.key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	pub.Set(jwk.AlgorithmKey, jwa.RS256())
	mux := http.NewServeMux()
	mux.HandleFunc("GET /pool/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		iss.discoveries.Add(1)
		select {
		case iss.arrived <- struct{}{}:
		default:
		}
		if iss.hold != nil {
			select {
			case <-iss.hold:
			case <-r.Context().Done():
				return
			}
		}
		if iss.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"issuer": iss.url + "/pool", "jwks_uri": iss.url + "/keys"})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, _ *http.Request) {
		if iss.keysDown.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"keys": []jwk.Key{pub}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	iss.url = srv.URL
	return iss
}

// sign is a token with claims, signed with key.
func sign(t *testing.T, key jwk.Key, claims map[string]any) string {
	t.Helper()
	tok := jwt.New()
	for k, v := range claims {
		if err := tok.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	b, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256(), key))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestJWTAuthorizer holds the HTTP API's JWT authorizer to API Gateway's
// answers: the refusals' statuses, bodies and challenges, and on success
// the claims, as strings, and the scopes in the event.
func TestJWTAuthorizer(t *testing.T) {
	iss := startJWTIssuer(t)
	issuer := iss.url + "/pool"
	now := time.Now().Unix()
	claims := func(change map[string]any) map[string]any {
		c := map[string]any{"iss": issuer, "client_id": "app", "sub": "u1", "scope": "lambdamcp/mcp other",
			"exp": now + 3600, "iat": now, "token_use": "access", "groups": []string{"a", "b"}, "email_verified": true}
		for k, v := range change {
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
		return c
	}
	valid := sign(t, iss.key, claims(nil))
	unauthorized := func(desc string) string {
		return `Bearer scope="" error="invalid_token" error_description="` + desc + `"`
	}
	tests := []struct {
		name          string
		method, path  string
		authorization string
		wantStatus    int
		wantBody      string
		wantChallenge string
		wantJWT       *events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription
	}{
		{name: "valid token", authorization: "Bearer " + valid, wantStatus: 200,
			wantJWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
				Claims: map[string]string{"iss": issuer, "client_id": "app", "sub": "u1", "scope": "lambdamcp/mcp other",
					"exp": jsonInt(now + 3600), "iat": jsonInt(now), "token_use": "access", "groups": "[a b]",
					"email_verified": "true"},
				Scopes: []string{"lambdamcp/mcp", "other"},
			}},
		{name: "valid token without Bearer", authorization: valid, wantStatus: 200},
		{name: "aud naming the endpoint", wantStatus: 200,
			authorization: "Bearer " + sign(t, iss.key, claims(map[string]any{"aud": "http://api.test/mcp"}))},
		{name: "expired", wantStatus: 401, wantBody: `{"message":"Unauthorized"}`, wantChallenge: unauthorized("the token has expired"),
			authorization: "Bearer " + sign(t, iss.key, claims(map[string]any{"exp": now - 60, "iat": now - 120}))},
		// No leeway, as API Gateway's authorizer allows none: auth's
		// default of 30 s would take these.
		{name: "expired seconds ago", wantStatus: 401, wantBody: `{"message":"Unauthorized"}`, wantChallenge: unauthorized("the token has expired"),
			authorization: "Bearer " + sign(t, iss.key, claims(map[string]any{"exp": now - 2, "iat": now - 120}))},
		{name: "valid from seconds on", wantStatus: 401, wantBody: `{"message":"Unauthorized"}`, wantChallenge: unauthorized("the token is not valid yet"),
			authorization: "Bearer " + sign(t, iss.key, claims(map[string]any{"nbf": now + 25}))},
		{name: "issued seconds from now", wantStatus: 401, wantBody: `{"message":"Unauthorized"}`, wantChallenge: unauthorized("the token is not valid"),
			authorization: "Bearer " + sign(t, iss.key, claims(map[string]any{"iat": now + 25}))},
		{name: "not yet valid", wantStatus: 401, wantBody: `{"message":"Unauthorized"}`, wantChallenge: unauthorized("the token is not valid yet"),
			authorization: "Bearer " + sign(t, iss.key, claims(map[string]any{"nbf": now + 600}))},
		{name: "wrong client", wantStatus: 401, wantBody: `{"message":"Unauthorized"}`, wantChallenge: unauthorized("the token does not have a valid audience"),
			authorization: "Bearer " + sign(t, iss.key, claims(map[string]any{"client_id": "other-app"}))},
		{name: "aud judged before client_id", wantStatus: 401, wantBody: `{"message":"Unauthorized"}`, wantChallenge: unauthorized("the token does not have a valid audience"),
			authorization: "Bearer " + sign(t, iss.key, claims(map[string]any{"aud": "https://elsewhere.test/mcp"}))},
		{name: "wrong issuer", wantStatus: 401, wantBody: `{"message":"Unauthorized"}`, wantChallenge: unauthorized("the token does not have a valid issuer"),
			authorization: "Bearer " + sign(t, iss.key, claims(map[string]any{"iss": iss.url + "/other-pool"}))},
		{name: "bad signature", wantStatus: 401, wantBody: `{"message":"Unauthorized"}`, wantChallenge: unauthorized("the token is not valid"),
			authorization: "Bearer " + sign(t, newKey(t), claims(nil))},
		{name: "no kid, though the set has one key", wantStatus: 401, wantBody: `{"message":"Unauthorized"}`, wantChallenge: unauthorized("the token is not valid"),
			authorization: "Bearer " + sign(t, withoutKeyID(t, iss.key), claims(nil))},
		{name: "not a JWT", authorization: "Bearer opaque", wantStatus: 401, wantBody: `{"message":"Unauthorized"}`, wantChallenge: unauthorized("the token is not valid")},
		{name: "missing scope", wantStatus: 403, wantBody: `{"message":"Forbidden"}`,
			wantChallenge: `Bearer scope="lambdamcp/mcp lambdamcp/admin" error="insufficient_scope" error_description="the token does not have a required scope"`,
			authorization: "Bearer " + sign(t, iss.key, claims(map[string]any{"scope": "other"}))},
		// One scope that holds a no-break space is not two (RFC 6749
		// section 3.3 separates scopes with spaces).
		{name: "scope with a no-break space inside", wantStatus: 403, wantBody: `{"message":"Forbidden"}`,
			wantChallenge: `Bearer scope="lambdamcp/mcp lambdamcp/admin" error="insufficient_scope" error_description="the token does not have a required scope"`,
			authorization: "Bearer " + sign(t, iss.key, claims(map[string]any{"scope": "other\u00a0lambdamcp/mcp"}))},
		{name: "no token", wantStatus: 401, wantBody: `{"message":"Unauthorized"}`},
		{name: "public metadata", method: http.MethodGet, path: "/.well-known/oauth-protected-resource/mcp", wantStatus: 200},
		{name: "metadata root, public", method: http.MethodGet, path: "/.well-known/oauth-protected-resource", wantStatus: 200},
		{name: "metadata has no POST route", method: http.MethodPost, path: "/.well-known/oauth-protected-resource/mcp",
			wantStatus: 404, wantBody: `{"message":"Not Found"}`},
	}
	f := startFront(t, Config{Shape: ShapeHTTP, Function: echoFunction(), JWTAuthorizer: &JWTAuthorizer{
		Issuer: issuer, Audience: []string{"app", "http://api.test/mcp"}, Scopes: []string{"lambdamcp/mcp", "lambdamcp/admin"},
	}})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := sent{method: http.MethodPost, url: f.URL() + "/mcp", body: `{}`, contentType: "application/json", header: http.Header{}}
			if tc.method != "" {
				s.method, s.url = tc.method, f.URL()+tc.path
			}
			if tc.authorization != "" {
				s.header.Set("Authorization", tc.authorization)
			}
			resp, body := do(t, s)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tc.wantStatus, body)
			}
			if got := resp.Header.Get("WWW-Authenticate"); got != tc.wantChallenge {
				t.Errorf("WWW-Authenticate %q, want %q", got, tc.wantChallenge)
			}
			if tc.wantStatus != 200 {
				if diff := cmp.Diff(tc.wantBody+"\n", string(body)); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
				return
			}
			var ev events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(body, &ev); err != nil {
				t.Fatalf("decoding the event %s: %v", body, err)
			}
			a := ev.RequestContext.Authorizer
			if tc.method == http.MethodGet {
				if a != nil {
					t.Errorf("a public route's event has an authorizer: %+v", a)
				}
				return
			}
			if a == nil || a.JWT == nil || a.Lambda != nil {
				t.Fatalf("authorizer %+v, want a jwt block alone", a)
			}
			if tc.wantJWT != nil {
				if diff := cmp.Diff(tc.wantJWT, a.JWT); diff != "" {
					t.Errorf("authorizer.jwt (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// withoutKeyID is key without its kid: its tokens' headers name none.
func withoutKeyID(t *testing.T, key jwk.Key) jwk.Key {
	t.Helper()
	var raw rsa.PrivateKey
	if err := jwk.Export(key, &raw); err != nil {
		t.Fatal(err)
	}
	k, err := jwk.Import(&raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestJWTAuthorizerWithoutScopes: a route without authorization scopes
// takes any valid token, and its events carry null scopes, whatever
// scopes the token has.
func TestJWTAuthorizerWithoutScopes(t *testing.T) {
	iss := startJWTIssuer(t)
	token := sign(t, iss.key, map[string]any{"iss": iss.url + "/pool", "client_id": "app", "sub": "u1", "scope": "lambdamcp/mcp", "exp": time.Now().Unix() + 60})
	ev := echoed[json.RawMessage](t, Config{Shape: ShapeHTTP, JWTAuthorizer: &JWTAuthorizer{Issuer: iss.url + "/pool", Audience: []string{"app"}}},
		"/mcp", sent{method: http.MethodPost, body: `{}`, header: http.Header{"Authorization": {"Bearer " + token}}})
	var got struct {
		RequestContext struct {
			Authorizer struct {
				JWT struct {
					Scopes json.RawMessage `json:"scopes"`
				} `json:"jwt"`
			} `json:"authorizer"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(ev, &got); err != nil {
		t.Fatal(err)
	}
	if s := string(got.RequestContext.Authorizer.JWT.Scopes); s != "null" && s != "" {
		t.Errorf("scopes %s, want null", s)
	}
}

// TestJWTAuthorizerIssuerDown: without the issuer's discovery document,
// or without its key set, the gateway cannot check a token, and answers
// 500, not the function nor a 401 that tells the client its token is
// bad; the front's log says why.
func TestJWTAuthorizerIssuerDown(t *testing.T) {
	tests := []struct {
		name   string
		issuer func(t *testing.T) (url string, key jwk.Key)
	}{
		{name: "discovery document unreachable", issuer: func(t *testing.T) (string, jwk.Key) {
			srv := httptest.NewServer(http.NotFoundHandler())
			srv.Close()
			return srv.URL, newKey(t)
		}},
		{name: "key set unreachable", issuer: func(t *testing.T) (string, jwk.Key) {
			iss := startJWTIssuer(t)
			iss.keysDown.Store(true)
			return iss.url + "/pool", iss.key
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url, key := tc.issuer(t)
			logs := make(logRecords, 64)
			f := startFront(t, Config{Shape: ShapeHTTP, Function: echoFunction(), Logger: slog.New(logs),
				JWTAuthorizer: &JWTAuthorizer{Issuer: url, Audience: []string{"app"}}})
			token := sign(t, key, map[string]any{"iss": url, "client_id": "app", "exp": time.Now().Unix() + 60})
			resp, body := do(t, sent{method: http.MethodPost, url: f.URL() + "/mcp", body: `{}`, header: http.Header{"Authorization": {"Bearer " + token}}})
			if got := strconv.Itoa(resp.StatusCode) + " " + string(body); got != issuerUnreadable {
				t.Errorf("answer %q, want %q", got, issuerUnreadable)
			}
			if h := resp.Header.Get("WWW-Authenticate"); h != "" {
				t.Errorf("WWW-Authenticate %q, want none", h)
			}
			if n := discoveryFailures(logs); n != 1 {
				t.Errorf("%d log lines of the JWT authorizer, want 1", n)
			}
		})
	}
}
