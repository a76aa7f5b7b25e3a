package lambdamcp

import (
	"strings"
	"testing"
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
		"truncated": {
			`{"httpMethod":"POST","requestContext":{},"headers":{"Authorization":"` + secret,
			"not valid JSON (at byte ",
		},
	}
	for name, tc := range payloads {
		t.Run(name, func(t *testing.T) {
			_, _, err := parseEvent([]byte(tc.payload))
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
