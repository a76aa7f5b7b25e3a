package auth

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzClaimDates checks numericDates against a strict reading of the
// claims set, member by member: a token is refused exactly when its
// claims set is not one JSON object, or the last "exp", "nbf" or "iat" in
// it (as jwx reads a name given twice) is anything but a JSON number.
func FuzzClaimDates(f *testing.F) {
	for _, claims := range []string{
		`{"sub":"a","exp":1700000000}`,
		`{"exp":-1,"nbf":0.5,"iat":1.7e9}`,
		`{"exp":"1700000000"}`,
		`{"exp":"2023-11-14T22:13:20Z"}`,
		`{"exp":null}`,
		`{"exp":true}`,
		`{"exp":[1]}`,
		`{"exp":{"n":1}}`,
		`{"exp":"x","exp":1}`,
		`{"exp":1,"exp":"x"}`,
		`{"\u0065xp":"1"}`,
		`{"EXP":"1","Exp":"1"}`,
		`{ "nbf" : 1 , "iat" :	"1" }`,
		`{"a":{"exp":"1"},"exp":1}`,
		`["exp",1]`,
		`"exp"`,
		`null`,
		`{"exp":1}{"exp":"1"}`,
		`{"exp":1,}`,
		"{\"exp\":1,\"sub\":\"\xff\"}",
	} {
		f.Add([]byte(claims))
	}
	f.Fuzz(func(t *testing.T, claims []byte) {
		err := numericDates(claims)
		object, numbers := strictClaimDates(claims)
		if bytes.Equal(bytes.Trim(claims, " \t\r\n"), []byte("null")) {
			// json.Unmarshal reads null as an empty map; such a claims
			// set never gets here, compactSerialization having refused
			// it as no object. Only JSON's own white space may stand
			// around it (a form feed is none).
			object, numbers = true, true
		}
		if want := object && numbers; (err == nil) != want {
			t.Fatalf("numericDates(%q) = %v; one object: %v, its dates numbers: %v", claims, err, object, numbers)
		}
	})
}

// strictClaimDates reads claims token by token: whether it is one JSON
// object, and whether the last of each of its members "exp", "nbf" and
// "iat" is a number.
func strictClaimDates(claims []byte) (object, numbers bool) {
	if !json.Valid(claims) {
		return false, false
	}
	dec := json.NewDecoder(bytes.NewReader(claims))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false, false
	}
	last := map[string]any{}
	for dec.More() {
		name, err := dec.Token()
		if err != nil {
			return false, false
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return false, false
		}
		last[name.(string)] = v
	}
	for _, name := range []string{"exp", "nbf", "iat"} {
		if v, ok := last[name]; ok {
			if _, isNumber := v.(json.Number); !isNumber {
				return true, false
			}
		}
	}
	return true, true
}
