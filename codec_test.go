package lambdamcp

import (
	"strings"
	"testing"
)

// TestDecodeErrorsQuoteNoValue checks that an event that does not decode is
// reported without any of its values: a wrong-typed field may hold a token.
func TestDecodeErrorsQuoteNoValue(t *testing.T) {
	const secret = "Bearer SECRET-TOKEN-123"
	payloads := map[string]string{
		"REST header array":     `{"httpMethod":"POST","requestContext":{"stage":"dev"},"multiValueHeaders":{"Authorization":"` + secret + `"}}`,
		"HTTP API header array": `{"version":"2.0","requestContext":{"http":{"method":"POST"}},"headers":{"authorization":["` + secret + `"]}}`,
		"number token":          `{"httpMethod":"POST","requestContext":{},"body":12345678901234567890}`,
		"truncated":             `{"httpMethod":"POST","requestContext":{},"headers":{"Authorization":"` + secret,
	}
	for name, payload := range payloads {
		t.Run(name, func(t *testing.T) {
			_, _, err := parseEvent([]byte(payload))
			if err == nil {
				t.Fatal("the event decoded")
			}
			for _, leak := range []string{"SECRET", "12345678901234567890"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("error %q quotes the event's value", err)
				}
			}
		})
	}
}
