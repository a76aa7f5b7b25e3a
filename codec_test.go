package lambdamcp

import (
	"bytes"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

// TestDecodeErrorsQuoteNoValue checks that an event that does not decode is
// reported without any of its values: a wrong-typed field may hold a token.
func TestDecodeErrorsQuoteNoValue(t *testing.T) {
	const secret = "Bearer SECRET-TOKEN-123"
	payloads := map[string]struct{ payload, want string }{
		"REST header array": {
			`{"httpMethod":"POST","requestContext":{"stage":"dev"},"multiValueHeaders":{"Authorization":"` + secret + `"}}`,
			`field "/multiValueHeaders/Authorization" holds a JSON string`,
		},
		"HTTP API header array": {
			`{"version":"2.0","requestContext":{"http":{"method":"POST"}},"headers":{"authorization":["` + secret + `"]}}`,
			`field "/headers/authorization" holds a JSON array`,
		},
		"number token": {
			`{"httpMethod":"POST","requestContext":{},"body":12345678901234567890}`,
			`field "/body" holds a JSON number`,
		},
		"false body": {
			`{"httpMethod":"POST","requestContext":{},"body":false}`,
			`field "/body" holds a JSON bool`,
		},
		"truncated": {
			`{"httpMethod":"POST","requestContext":{},"headers":{"Authorization":"` + secret,
			"not valid JSON (at byte ",
		},
	}
	for name, tc := range payloads {
		t.Run(name, func(t *testing.T) {
			_, _, _, err := parseEvent([]byte(tc.payload))
			if err == nil {
				t.Fatal("the event decoded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			for _, leak := range []string{"SECRET", "12345678901234567890"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("error %q quotes the event's value", err)
				}
			}
		})
	}
}

// TestDecodeErrorOfOtherKinds checks that an error from decoding that is
// neither JSON's syntax nor a value's type (an unmarshaler's own) is not
// repeated: it may quote the value it failed on.
func TestDecodeErrorOfOtherKinds(t *testing.T) {
	for name, err := range map[string]error{
		"plain":   errors.New("bad token Bearer SECRET-TOKEN-123"),
		"wrapped": fmt.Errorf("reading header: %w", errors.New("Bearer SECRET-TOKEN-123")),
	} {
		t.Run(name, func(t *testing.T) {
			if got, want := decodeError(err).Error(), "not a valid event"; got != want {
				t.Errorf("decodeError(%q) = %q, want %q", err, got, want)
			}
		})
	}
}

// TestEncodeResponseAsEncodingJSON checks that responses are written as
// encoding/json writes them, token for token (the one difference in bytes:
// encoding/json escapes the U+FFFD it puts for invalid UTF-8, v2 writes
// it), for the cases where encoding/json/v2's own defaults differ:
// omitempty on false, nil maps and slices, key order, invalid UTF-8 in
// header names and values, names that become equal once it is replaced.
func TestEncodeResponseAsEncodingJSON(t *testing.T) {
	headers := map[string]string{"X-\xfe": "1", "X-\xff": "2", "Content-Type": "application/json", "B": "<b>&\u2028", "A": "a\xffb"}
	multi := map[string][]string{"X-\xfe": {"1"}, "X-\xff": {"2", "3"}, "Set-Cookie": {"a=1", "b=2"}, "Empty": {}}
	body := `{"jsonrpc":"2.0","id":1,"result":{"text":"<script>&\u2028\u2029</script>"}}`
	responses := map[string]any{
		"rest":             &events.APIGatewayProxyResponse{StatusCode: 200, MultiValueHeaders: multi, Body: body},
		"rest, base64":     &events.APIGatewayProxyResponse{StatusCode: 200, Headers: headers, Body: "AAEC", IsBase64Encoded: true},
		"rest, empty":      &events.APIGatewayProxyResponse{},
		"http":             &events.APIGatewayV2HTTPResponse{StatusCode: 404, Headers: headers, Cookies: []string{"c=1"}, Body: body},
		"http, no cookies": &events.APIGatewayV2HTTPResponse{StatusCode: 202, Headers: map[string]string{}, Cookies: []string{}},
		"url":              &events.LambdaFunctionURLResponse{StatusCode: 200, Headers: headers, Body: body},
		"alb":              &events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", Headers: headers, Body: body},
		"alb, multi":       &events.ALBTargetGroupResponse{StatusCode: 500, StatusDescription: "500 Internal Server Error", MultiValueHeaders: multi},
	}
	for name, resp := range responses {
		t.Run(name, func(t *testing.T) {
			want, err := stdjson.Marshal(resp)
			if err != nil {
				t.Fatal(err)
			}
			got, err := encodeResponse(resp)
			if err != nil {
				t.Fatalf("encodeResponse: %v", err)
			}
			if diff := cmp.Diff(jsonTokens(t, want), jsonTokens(t, got)); diff != "" {
				t.Errorf("encodeResponse differs from encoding/json (-want +got):\n%s\n%s\n%s", diff, want, got)
			}
			// HTML stays escaped, as encoding/json has it.
			if strings.ContainsAny(string(got), "<>&") {
				t.Errorf("encodeResponse left HTML characters unescaped: %s", got)
			}
		})
	}
}

// jsonTokens is the sequence of tokens of a JSON document, strings decoded.
func jsonTokens(t *testing.T, b []byte) []any {
	t.Helper()
	dec := stdjson.NewDecoder(bytes.NewReader(b))
	var toks []any
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return toks
		}
		if err != nil {
			t.Fatalf("%v in %s", err, b)
		}
		toks = append(toks, tok)
	}
}
