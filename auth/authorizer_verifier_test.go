package auth

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestAuthorizerVerifier(t *testing.T) {
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	expStr := strconv.FormatInt(exp.Unix(), 10)
	tests := []struct {
		name string
		ac   map[string]any
		want *Identity // nil: want ErrInvalidToken
	}{
		{"our Lambda authorizer (REST)", map[string]any{
			"principalId": "user-1", "sub": "user-1", "client_id": "c1", "scope": "a b", "iss": "https://iss", "exp": expStr, "auth_method": "jwt",
		}, &Identity{Subject: "user-1", ClientID: "c1", Issuer: "https://iss", Scopes: []string{"a", "b"}, Expiry: exp, Method: "authorizer"}},
		{"principal only", map[string]any{"principalId": "user-2"}, &Identity{Subject: "user-2", Method: "authorizer"}},
		{"HTTP API JWT authorizer claims", map[string]any{
			"sub": "user-3", "client_id": "c3", "scope": "mcp:tools", "exp": expStr, "scopes": []string{"mcp:tools", "mcp:read"},
		}, &Identity{Subject: "user-3", ClientID: "c3", Scopes: []string{"mcp:read", "mcp:tools"}, Expiry: exp, Method: "authorizer"}},
		{"HTTP API JWT authorizer, scopes in scp as an array claim", map[string]any{
			"sub": "user-6", "scp": "[mcp:tools mcp:read]", "exp": expStr,
		}, &Identity{Subject: "user-6", Scopes: []string{"mcp:read", "mcp:tools"}, Expiry: exp, Method: "authorizer"}},
		{"scp as a string, and as an array", map[string]any{"sub": "user-7", "scp": []any{"a", "b"}, "scope": "c"},
			&Identity{Subject: "user-7", Scopes: []string{"a", "b", "c"}, Method: "authorizer"}},
		{"scp as a space-separated string", map[string]any{"sub": "user-8", "scp": "a b"},
			&Identity{Subject: "user-8", Scopes: []string{"a", "b"}, Method: "authorizer"}},
		{"scope with a no-break space inside", map[string]any{"sub": "user-11", "scope": "files:x\u00a0mcp:tools  mcp:read"},
			&Identity{Subject: "user-11", Scopes: []string{"files:x\u00a0mcp:tools", "mcp:read"}, Method: "authorizer"}},
		{"numbers from JSON", map[string]any{"sub": "user-5", "exp": float64(exp.Unix()), "scopes": []any{"x"}},
			&Identity{Subject: "user-5", Scopes: []string{"x"}, Expiry: exp, Method: "authorizer"}},
		{"a number as the subject", map[string]any{"sub": float64(12345678)},
			&Identity{Subject: "12345678", Method: "authorizer"}},
		// As a Context function of one's own may build the map.
		{"Go integers", map[string]any{"sub": int64(12345678), "exp": exp.Unix()},
			&Identity{Subject: "12345678", Expiry: exp, Method: "authorizer"}},
		{"Go ints", map[string]any{"sub": 12345678, "exp": int(exp.Unix())},
			&Identity{Subject: "12345678", Expiry: exp, Method: "authorizer"}},
		// Payload format 1.0 lists the scopes beside the claims.
		{"HTTP API JWT authorizer, payload 1.0", map[string]any{
			"claims": map[string]any{"sub": "user-15", "client_id": "c15", "exp": expStr}, "scopes": []any{"mcp:tools", "mcp:read"},
		}, &Identity{Subject: "user-15", ClientID: "c15", Scopes: []string{"mcp:read", "mcp:tools"}, Expiry: exp, Method: "authorizer"}},
		{"REST Cognito user pool authorizer", map[string]any{"claims": map[string]any{"sub": "user-4", "client_id": "c4"}},
			&Identity{Subject: "user-4", ClientID: "c4", Method: "authorizer"}},
		// As AWS documents the event of a REST Cognito user pool
		// authorizer: every claim a string, the times as dates.
		{"REST Cognito authorizer, access token", map[string]any{"claims": map[string]any{
			"sub": "user-9", "client_id": "c9", "token_use": "access", "scope": "lambdamcp/mcp",
			"exp": exp.UTC().Format("Mon Jan 02 15:04:05 UTC 2006"), "iat": "Thu May 04 03:50:06 UTC 2023",
		}}, &Identity{Subject: "user-9", ClientID: "c9", Scopes: []string{"lambdamcp/mcp"}, Expiry: exp, Method: "authorizer"}},
		{"REST Cognito authorizer, expired access token", map[string]any{"claims": map[string]any{
			"sub": "user-9", "client_id": "c9", "token_use": "access",
			"exp": time.Now().Add(-2 * time.Hour).UTC().Format("Mon Jan 02 15:04:05 UTC 2006"),
		}}, nil},
		{"REST Cognito authorizer, ID token", map[string]any{"claims": map[string]any{
			"sub": "user-9", "aud": "c9", "token_use": "id", "exp": exp.UTC().Format("Mon Jan 02 15:04:05 UTC 2006"),
		}}, nil},
		{"expiry in no known form", map[string]any{"sub": "user-10", "exp": "tomorrow"}, nil},
		{"no authorizer in front", nil, nil},
		{"no subject", map[string]any{"scope": "a"}, nil},
		// An HTTP API JWT authorizer passes on a machine token without
		// sub as it is: the client is the caller, as where the server
		// verifies the token itself.
		{"HTTP API JWT authorizer, a token without sub", map[string]any{"client_id": "svc-1", "scope": "mcp:tools", "exp": expStr},
			&Identity{Subject: "svc-1", ClientID: "svc-1", Scopes: []string{"mcp:tools"}, Expiry: exp, Method: "authorizer"}},
		{"HTTP API JWT authorizer, the client in azp", map[string]any{"sub": "user-12", "azp": "c12"},
			&Identity{Subject: "user-12", ClientID: "c12", Method: "authorizer"}},
		{"client_id before azp", map[string]any{"sub": "user-13", "client_id": "c13", "azp": "other"},
			&Identity{Subject: "user-13", ClientID: "c13", Method: "authorizer"}},
		{"REST: principalId before client_id", map[string]any{"principalId": "user-14", "client_id": "c14"},
			&Identity{Subject: "user-14", ClientID: "c14", Method: "authorizer"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &AuthorizerVerifier{Context: func(context.Context) map[string]any { return tc.ac }}
			got, err := v.Verify(context.Background(), "ignored")
			if tc.want == nil {
				if !errors.Is(err, ErrInvalidToken) {
					t.Fatalf("Verify = (%v, %v), want ErrInvalidToken", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("identity mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// What the Lambda authorizer puts in the context is what the server reads
// back: a tool sees the same identity whichever side checked the token.
func TestAuthorizerContextRoundTrip(t *testing.T) {
	key := newRSAKey(t, "k")
	srv := newJWKSServer(t, key)
	jv := newTestJWTVerifier(t, srv.url(), nil)
	token := key.sign(t, claims{scope: "mcp:tools extra"})
	direct, err := jv.Verify(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}

	ev := withField(t, tokenEventJSON, func(m map[string]any) { m["authorizationToken"] = "Bearer " + token })
	out, err := NewAuthorizer(jv, nil).Invoke(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	var resp events.APIGatewayCustomAuthorizerResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	// API Gateway passes the context on with principalId added.
	ac := resp.Context
	ac["principalId"] = resp.PrincipalID
	viaAuthorizer, err := (&AuthorizerVerifier{Context: func(context.Context) map[string]any { return ac }}).Verify(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(direct, viaAuthorizer, cmpopts.IgnoreFields(Identity{}, "Method"), cmpopts.EquateApproxTime(time.Second)); diff != "" {
		t.Errorf("identity differs by path (-direct +authorizer):\n%s", diff)
	}
}

func FuzzAuthorizerInvoke(f *testing.F) {
	for _, seed := range [][]byte{tokenEventJSON, requestEventJSON, httpV1EventJSON, httpV2EventJSON, []byte(`{"type":"TOKEN"}`)} {
		f.Add(seed)
	}
	v, _ := NewStaticVerifier([]string{HashToken("allow")}, nil)
	a := NewAuthorizer(v, nil)
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := a.Invoke(context.Background(), payload)
		if errors.Is(err, ErrKeysUnavailable) {
			t.Fatalf("a static verifier's keys unavailable: %v", err)
		}
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("invalid JSON response %q", out)
		}
		// Only the one token lets anyone in: an allowing answer needs the
		// event to carry "Bearer allow" somewhere.
		var answer struct {
			IsAuthorized   bool `json:"isAuthorized"`
			PolicyDocument struct{ Statement []struct{ Effect string } }
		}
		json.Unmarshal(out, &answer)
		allowed := answer.IsAuthorized
		for _, s := range answer.PolicyDocument.Statement {
			allowed = allowed || s.Effect == "Allow"
		}
		if allowed && !carriesToken(payload, "allow") {
			t.Fatalf("allowed %s for an event without the token: %q", out, payload)
		}
	})
}

// carriesToken reports whether some string in the JSON payload is a bearer
// header for token.
func carriesToken(payload []byte, token string) bool {
	var v any
	if json.Unmarshal(payload, &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case string:
			got, err := BearerToken(v)
			return err == nil && got == token
		case []any:
			for _, e := range v {
				if walk(e) {
					return true
				}
			}
		case map[string]any:
			for _, e := range v {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

// API Gateway caches an authorizer's Allow per token, so a request can arrive
// with a token that has expired since: the server refuses it the way it
// refuses any expired token, with a JSON 401 and a challenge, so the client
// gets a new one.
func TestAuthorizerVerifierExpiry(t *testing.T) {
	tests := []struct {
		name       string
		exp        time.Duration // relative to now
		wantStatus int
	}{
		{"valid", time.Hour, http.StatusOK},
		{"expired within leeway", -10 * time.Second, http.StatusOK},
		{"expired 5 minutes ago", -5 * time.Minute, http.StatusUnauthorized},
		{"expired 11 minutes ago", -11 * time.Minute, http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ac := map[string]any{"principalId": "user-1", "sub": "user-1", "exp": strconv.FormatInt(time.Now().Add(tc.exp).Unix(), 10)}
			v := &AuthorizerVerifier{Context: func(context.Context) map[string]any { return ac }}
			h := Middleware(v, &MiddlewareOptions{ResourceURL: "https://mcp.test/mcp", AuthorizationServers: []string{testIssuer}})(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusOK)
			}))
			req := httptest.NewRequest(http.MethodPost, "https://mcp.test/mcp", strings.NewReader(`{}`))
			req.Header.Set("Authorization", "Bearer cached-token")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d (body %s)", rec.Code, tc.wantStatus, rec.Body)
			}
			if tc.wantStatus == http.StatusOK {
				return
			}
			const want = `Bearer error="invalid_token", resource_metadata="https://mcp.test/.well-known/oauth-protected-resource/mcp"`
			if got := rec.Header().Get("WWW-Authenticate"); got != want {
				t.Errorf("WWW-Authenticate:\n got %s\nwant %s", got, want)
			}
			var body struct{ Error string }
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error != "invalid_token" {
				t.Errorf("body %q is not a JSON invalid_token error (%v)", rec.Body, err)
			}
		})
	}
}

type numericDateCase struct {
	name    string
	exp     any
	want    time.Time // the expiry read, when accepted
	wantErr string    // what the refusal says
}

// numericDateCases are "exp" values, base a time to come in Unix seconds.
func numericDateCases(base int64) []numericDateCase {
	const unreadable, expired = "unreadable expiry", "token expired"
	return []numericDateCase{
		{"integer", strconv.FormatInt(base, 10), time.Unix(base, 0), ""},
		{"fraction", strconv.FormatInt(base, 10) + ".5", time.Unix(base, 0), ""},
		{"fraction just short of the next second", strconv.FormatInt(base, 10) + ".999", time.Unix(base, 0), ""},
		// Read as a float64, as JWTVerifier decodes a token's number.
		{"fraction past a float64's precision", strconv.FormatInt(base, 10) + ".999999999", time.Unix(base+1, 0), ""},
		{"fraction as a JSON number", float64(base) + 0.5, time.Unix(base, 0), ""},
		// Dropped, not rounded, whichever way a half rounds at this base.
		{"fraction as a JSON number just short of the next second", float64(base) + 0.75, time.Unix(base, 0), ""},
		{"exponent as a JSON number", 4.1e9, time.Unix(4_100_000_000, 0), ""},
		{"exponent", "4.1e9", time.Unix(4_100_000_000, 0), ""},
		{"exponent with a fraction left", "4.1000000005E9", time.Unix(4_100_000_000, 0), ""},
		{"exponent in the past", "1e9", time.Time{}, expired},
		{"negative", "-5", time.Time{}, expired},
		{"negative fraction", "-1.5", time.Time{}, expired},
		{"huge", "1e30", time.Time{}, unreadable},
		{"huge integer", "99999999999999999999", time.Time{}, unreadable},
		{"2^63, one past int64", "9223372036854775808", time.Time{}, unreadable},
		{"-2^63 once read as a float64", "-9223372036854775808.5", time.Time{}, expired},
		{"empty", "", time.Time{}, unreadable},
		{"null", nil, time.Time{}, unreadable},
		{"no number", "abc", time.Time{}, unreadable},
		{"NaN", "NaN", time.Time{}, unreadable},
		{"infinity", "Inf", time.Time{}, unreadable},
		{"hexadecimal", "0x1p32", time.Time{}, unreadable},
		{"a space before", " " + strconv.FormatInt(base, 10), time.Time{}, unreadable},
		{"a trailing dot", strconv.FormatInt(base, 10) + ".", time.Time{}, unreadable},
		{"a plus sign", "+" + strconv.FormatInt(base, 10), time.Time{}, unreadable},
		{"a leading zero", "0" + strconv.FormatInt(base, 10), time.Time{}, unreadable},
		{"an integer past a float64's precision", "9007199254740993", time.Unix(9007199254740993, 0), ""},
	}
}

// An "exp" is a NumericDate (RFC 7519 section 2), any JSON number, and an
// HTTP API passes a token's on as written: a fraction or an exponent is
// read as JWTVerifier reads it in a token, the fraction dropped toward the
// past; what is no number is refused, as is a number past int64 seconds.
func TestAuthorizerVerifierNumericDate(t *testing.T) {
	tests := numericDateCases(time.Now().Add(time.Hour).Unix())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ac := map[string]any{"sub": "user-1", "exp": tc.exp}
			v := &AuthorizerVerifier{Context: func(context.Context) map[string]any { return ac }}
			got, err := v.Verify(context.Background(), "ignored")
			if tc.wantErr != "" {
				if !errors.Is(err, ErrInvalidToken) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Verify(exp %#v) = (%v, %v), want ErrInvalidToken saying %q", tc.exp, got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify(exp %#v): %v", tc.exp, err)
			}
			if !got.Expiry.Equal(tc.want) {
				t.Errorf("Verify(exp %#v) expiry = %v, want %v", tc.exp, got.Expiry, tc.want)
			}
		})
	}
}

// jsonNumber is the grammar of a JSON number (RFC 8259 section 6).
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// inExponentRange returns JSON number s with an exponent too large for
// big.ParseFloat ("0E10000000000000000000") pulled in to one that keeps
// how s compares with every int64 and float64: past len(s)+400 in
// magnitude, the digits cannot bring the number back within a float64's
// range, so it stays zero, or of its sign and further from zero than every
// finite float64, or nearer to zero than every float64 but zero.
func inExponentRange(s string) string {
	i := strings.IndexAny(s, "eE")
	if i < 0 {
		return s
	}
	e, _ := strconv.ParseInt(s[i+1:], 10, 64) // out of range: the bound it passed
	bound := int64(len(s) + 400)
	return s[:i+1] + strconv.FormatInt(max(-bound, min(e, bound)), 10)
}

// FuzzNumericDate checks the reading of an "exp" against JSON's grammar
// and strconv: a JSON number is read as JWTVerifier reads it in a token
// (a float64, its fraction dropped) unless past int64 seconds, and no
// later than its integer part but where the float64 itself is (an integer
// exactly); anything
// else but a REST Cognito authorizer's date is refused.
func FuzzNumericDate(f *testing.F) {
	for _, tc := range numericDateCases(time.Now().Add(time.Hour).Unix()) {
		if s, ok := tc.exp.(string); ok {
			f.Add(s)
		}
	}
	f.Add("Thu May 04 03:50:06 UTC 2023")
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := authorizerTime(s)
		if !jsonNumber.MatchString(s) {
			if d, err := time.Parse(cognitoDate, s); ok && (err != nil || d.Location() != time.UTC) {
				t.Fatalf("authorizerTime(%q) = %v, a time from what is no JSON number nor a Cognito date", s, got)
			}
			return
		}
		v, err := strconv.ParseFloat(s, 64)
		floor := math.Floor(v)
		fits, want := err == nil && floor >= math.MinInt64 && floor < -math.MinInt64, int64(floor)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			fits, want = true, n // an integer, read exactly
		}
		if ok != fits {
			t.Fatalf("authorizerTime(%q) = %v, %v; read as a float64: %v (%v)", s, got, ok, v, err)
		}
		if !ok {
			return
		}
		if got.Unix() != want {
			t.Fatalf("authorizerTime(%q) = %d, want %d", s, got.Unix(), want)
		}
		exact, _, err := big.ParseFloat(inExponentRange(s), 10, 4096, big.ToZero)
		if err != nil {
			t.Fatalf("big.ParseFloat(%q): %v", s, err)
		}
		if later := new(big.Float).SetInt64(got.Unix()).Cmp(exact) > 0; later && big.NewFloat(v).Cmp(exact) <= 0 {
			t.Fatalf("authorizerTime(%q) = %d, later than the value where its float64 %v is not", s, got.Unix(), v)
		}
	})
}
