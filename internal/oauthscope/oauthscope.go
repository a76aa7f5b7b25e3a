// Package oauthscope holds how scopes are read from the environment: the
// same rules for the functions (auth.ConfigFromEnv) and the local front
// that stands in for the gateways in front of them.
package oauthscope

import (
	"fmt"
	"strings"

	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// asciiSpace is the white space that separates scopes: ASCII's.
const asciiSpace = " \t\n\r\v\f"

// List splits a space-separated list of scopes. Only ASCII white space
// separates them: a scope holding another space (a no-break one, say) is
// kept whole, for [Check] to refuse, rather than read as two scopes no one
// meant.
func List(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r < 0x80 && strings.ContainsRune(asciiSpace, r) })
}

// Trim is s without the ASCII white space at its edges: another space
// there is kept, for [Check] to refuse, as [List] keeps it.
func Trim(s string) string {
	return strings.Trim(s, asciiSpace)
}

// MaxQuotedBytes bounds what an error quotes of a scope, or of an entry
// of scopes, refused: enough to tell which it is; the setting may be of
// any size.
const MaxQuotedBytes = 128

// Check refuses a scope outside RFC 6749's grammar (section 3.3:
// scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), printable ASCII but space,
// '"' and '\'), naming the setting it came from, and quoting the scope cut
// at MaxQuotedBytes. A scope is written as it is into challenges and the
// metadata, and no client could ask for one that is not a scope-token.
func Check(name string, scopes []string) error {
	for _, s := range scopes {
		if !IsToken(s) {
			return fmt.Errorf("%s: %q is not a scope: RFC 6749 section 3.3 allows printable ASCII other than space, '\"' and '\\'", name, textcut.Cut(s, MaxQuotedBytes))
		}
	}
	return nil
}

// IsToken reports whether s is an RFC 6749 scope-token.
func IsToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return s != ""
}
