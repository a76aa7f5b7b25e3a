package httpsyntax

import "testing"

func TestIsToken(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"Content-Type", true},
		{"X-Custom_1~!#$%&'*+.^`|", true},
		{"", false},
		{"Bad Name", false},
		{"X-Bad\r\nX-Injected", false},
		{"Mcp:Name", false},
		{"Caf\u00e9", false},
		// RFC 9110's delimiters are no tchar, '@' and '{' next to the
		// letters' ranges among them.
		{`X-"`, false},
		{"X-(", false},
		{"X-)", false},
		{"X-,", false},
		{"X-/", false},
		{"X-;", false},
		{"X-<", false},
		{"X-=", false},
		{"X->", false},
		{"X-?", false},
		{"X-@", false},
		{"X-[", false},
		{`X-\`, false},
		{"X-]", false},
		{"X-{", false},
		{"X-}", false},
		{"X-\x7f", false},
	} {
		if got := IsToken(tc.s); got != tc.want {
			t.Errorf("IsToken(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

func TestSerializedOrigin(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://app.example", "https://app.example"},
		{"HTTPS://App.Example/", "https://app.example"},
		{"https://app.example:443", "https://app.example"},
		{"http://app.example:80/", "http://app.example"},
		{"https://app.example:8443", "https://app.example:8443"},
		{"http://app.example:443", "http://app.example:443"},
		{"null", "null"},
	} {
		if got := SerializedOrigin(tc.in); got != tc.want {
			t.Errorf("SerializedOrigin(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestForwardedProto(t *testing.T) {
	for _, tc := range []struct{ value, want string }{
		{"https", "https"},
		{"http", "http"},
		{"HTTPS", "https"},
		{"Http", "http"},
		{"https, http", "https"},
		{" http ,https", "http"},
		{"", ""},
		{",https", ""},
		{"javascript", ""},
		{"javascript, https", ""},
		{"httpsx", ""},
	} {
		if got := ForwardedProto(tc.value); got != tc.want {
			t.Errorf("ForwardedProto(%q) = %q, want %q", tc.value, got, tc.want)
		}
	}
}
