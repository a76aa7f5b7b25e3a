package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzDiscoveryDocument serves the fuzzed body as an https issuer's
// discovery document ($ISS and $KEYS in it standing for the issuer's URL
// and its key set's) and checks discoverKeysURL against a strict reading
// of it, member by member: the document is taken exactly when it is one
// JSON object whose last "issuer" is the string of the issuer's URL and
// whose last "jwks_uri" is the string of an https URL naming a host, and
// what is taken is that jwks_uri.
func FuzzDiscoveryDocument(f *testing.F) {
	for _, doc := range []string{
		`{"issuer":"$ISS","jwks_uri":"$KEYS"}`,
		`{"issuer":"$ISS","jwks_uri":"$KEYS","issuer":"https://other.example"}`,
		`{"issuer":"https://other.example","jwks_uri":"$KEYS","issuer":"$ISS"}`,
		`{"issuer":"$ISS/","jwks_uri":"$KEYS"}`,
		`{"issuer":"$ISS","jwks_uri":"http://127.0.0.1/keys"}`,
		`{"issuer":"$ISS","jwks_uri":"https:///keys"}`,
		`{"issuer":"$ISS","jwks_uri":"/keys"}`,
		`{"issuer":"$ISS","jwks_uri":""}`,
		`{"issuer":"$ISS","jwks_uri":null}`,
		`{"issuer":"$ISS","jwks_uri":1}`,
		`{"issuer":"$ISS","jwks_uri":"$KEYS","jwks_uri":null}`,
		`{"issuer":"$ISS","issuer":null,"jwks_uri":"$KEYS"}`,
		`{"Issuer":"$ISS","JWKS_URI":"$KEYS"}`,
		`{"issuer":"$ISS","jwks_uri":"$KEYS"} {}`,
		`[{"issuer":"$ISS","jwks_uri":"$KEYS"}]`,
		`null`,
		`{"issuer":"$ISS","jwks_uri":"HTTPS://keys.example/k\u0000"}`,
		"{\"issuer\":\"$ISS\",\"jwks_uri\":\"$KEYS\",\"x\":\"\xff\"}",
	} {
		f.Add(doc)
	}
	d := newDiscoveryIssuer(f)
	keys := d.URL + "/pool/keys"
	client := keysOnlyOverTLS(d.Client())
	f.Fuzz(func(t *testing.T, doc string) {
		body := strings.NewReplacer("$ISS", d.issuer, "$KEYS", keys).Replace(doc)
		if len(body) > maxJWKSBytes {
			return
		}
		d.setDoc(func(string, string) (int, string) { return http.StatusOK, body })
		got, err := discoverKeysURL(context.Background(), client, d.issuer)
		want, ok := strictDiscovery([]byte(body), d.issuer)
		if (err == nil) != ok || got != want {
			t.Fatalf("discoverKeysURL of the document %q = %q, %v; want %q (taken: %v)", body, got, err, want, ok)
		}
	})
}

// strictDiscovery reads an https issuer's discovery document token by
// token, and returns its jwks_uri if the document is to be taken.
func strictDiscovery(doc []byte, issuer string) (string, bool) {
	if !json.Valid(doc) {
		return "", false
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", false
	}
	last := map[string]any{}
	for dec.More() {
		name, err := dec.Token()
		if err != nil {
			return "", false
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return "", false
		}
		last[name.(string)] = v
	}
	if iss, _ := last["issuer"].(string); iss != issuer {
		return "", false
	}
	keys, _ := last["jwks_uri"].(string)
	u, err := url.Parse(keys)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return "", false
	}
	return keys, true
}
