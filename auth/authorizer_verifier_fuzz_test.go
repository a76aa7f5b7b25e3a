package auth

import (
	"context"
	"encoding/json"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// FuzzAuthorizerContext reads a fuzzed authorizer context, decoded as
// aws-lambda-go decodes an HTTP API Lambda authorizer's (numbers as
// float64), and checks the identity AuthorizerVerifier takes from it
// against a model: its names come from "sub", "principalId", "client_id",
// "azp" and "iss" (those of "claims" when that is an object), each a
// string or an integer float64 holds exactly (below 2^53), or else the
// context is refused; its scopes are the words of "scope" and "scp" (a
// string, its brackets around the whole dropped, as an HTTP API JWT
// authorizer renders an array) and the strings of "scope", "scopes" and
// "scp" given as arrays, and of the outer "scopes" beside "claims". Each
// "$N" in the context stands for the fuzzed number, so that the fuzzer's
// own numbers reach the check of numeric names.
func FuzzAuthorizerContext(f *testing.F) {
	for _, ac := range []string{
		`{"principalId":"user-1","scope":"mcp:read mcp:write"}`,
		`{"sub":"u","client_id":"c","iss":"https://iss.example","scope":"[a b]","scp":["c","d"]}`,
		`{"sub":"u","scp":"[a]","scopes":["b","b"]}`,
		`{"claims":{"sub":"u","scope":"[x y]","azp":"app"},"scopes":["s1","s2"]}`,
		`{"claims":{"client_id":"m2m"},"principalId":"ignored"}`,
		`{"claims":"not an object","principalId":"p"}`,
		`{"sub":9007199254740991}`,
		`{"sub":9007199254740992}`,
		`{"sub":-9007199254740993}`,
		`{"principalId":1e3}`,
		`{"sub":0.5}`,
		`{"sub":0.1}`,
		`{"sub":-0}`,
		`{"sub":"","principalId":"","azp":"a"}`,
		`{"sub":true}`,
		`{"sub":null,"principalId":"p"}`,
		`{"sub":["a"]}`,
		`{"sub":"u","iss":{"a":1}}`,
		`{"sub":"u","scope":"[ a  b ]"}`,
		`{"sub":"u","scope":"[a","scp":"b]"}`,
		`{"sub":"u","scope":"[]"}`,
		`{"sub":"u","scope":5}`,
		`{"sub":"u","scope":["a b",1,null]}`,
		`{"sub":"u","token_use":"id"}`,
		`{"sub":"u","token_use":"access","exp":"1"}`,
		`{"sub":"u","exp":"4102444800"}`,
		`{}`,
	} {
		f.Add(ac, 1.0)
	}
	f.Add(`{"sub":$N}`, -0.5)
	f.Add(`{"claims":{"azp":$N,"scp":$N}}`, 9007199254740993.0)
	f.Fuzz(func(t *testing.T, text string, n float64) {
		text = strings.ReplaceAll(text, "$N", strconv.FormatFloat(n, 'g', -1, 64))
		var ac map[string]any
		if json.Unmarshal([]byte(text), &ac) != nil {
			return
		}
		v := &AuthorizerVerifier{Context: func(context.Context) map[string]any { return ac }}
		got, err := v.Verify(context.Background(), "")
		want, ok := authorizerModel(ac)
		if !ok {
			if err == nil {
				t.Fatalf("Verify(%s) = %+v, want an error: a name is neither a string nor an exact integer", text, got)
			}
			return
		}
		claims := ac
		if c, isMap := ac["claims"].(map[string]any); isMap {
			claims = c
		}
		_, hasExp := claims["exp"]
		_, hasUse := claims["token_use"]
		if err != nil {
			// Refused only for want of a subject, or by its expiry or
			// token use, which the model leaves to their own checks.
			if want.Subject != "" && !hasExp && !hasUse {
				t.Fatalf("Verify(%s) = %v, want %+v", text, err, want)
			}
			return
		}
		if want.Subject == "" {
			t.Fatalf("Verify(%s) = %+v, want an error: no subject", text, got)
		}
		got.Expiry = want.Expiry
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("Verify(%s) (-model +got):\n%s", text, diff)
		}
	})
}

// authorizerModel returns the identity an authorizer context names, its
// subject empty when it names none; false when a name in it is neither a
// string nor an integer a float64 holds exactly.
func authorizerModel(ac map[string]any) (*Identity, bool) {
	outer := map[string]any{}
	if claims, isMap := ac["claims"].(map[string]any); isMap {
		outer, ac = ac, claims
	}
	names := map[string]string{}
	for _, k := range []string{"sub", "principalId", "client_id", "azp", "iss"} {
		switch x := ac[k].(type) {
		case nil:
			if _, present := ac[k]; present {
				return nil, false
			}
		case string:
			names[k] = x
		case float64:
			if x != math.Trunc(x) || math.Abs(x) >= 1<<53 {
				return nil, false
			}
			names[k] = new(big.Float).SetFloat64(x).Text('f', 0)
		default:
			return nil, false
		}
	}
	id := &Identity{Method: "authorizer", Issuer: names["iss"], ClientID: names["client_id"]}
	if id.ClientID == "" {
		id.ClientID = names["azp"]
	}
	for _, s := range []string{names["sub"], names["principalId"], id.ClientID} {
		if s != "" {
			id.Subject = s
			break
		}
	}
	for _, k := range []string{"scope", "scp"} {
		switch x := ac[k].(type) {
		case string:
			if strings.HasPrefix(x, "[") && strings.HasSuffix(x, "]") && len(x) >= 2 {
				x = x[1 : len(x)-1]
			}
			for _, w := range strings.Split(x, " ") {
				if w != "" {
					id.Scopes = append(id.Scopes, w)
				}
			}
		case float64:
			id.Scopes = append(id.Scopes, strconv.FormatFloat(x, 'f', -1, 64))
		}
	}
	for _, list := range []any{ac["scope"], ac["scopes"], ac["scp"], outer["scopes"]} {
		if l, isList := list.([]any); isList {
			for _, e := range l {
				if s, isString := e.(string); isString {
					id.Scopes = append(id.Scopes, s)
				}
			}
		}
	}
	slices.Sort(id.Scopes)
	id.Scopes = slices.Compact(id.Scopes)
	return id, true
}
