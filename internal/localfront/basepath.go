package localfront

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// basePathChars are the characters besides ASCII letters and digits that API
// Gateway takes in a level of an API mapping's base path.
const basePathChars = "$-_.+!*'()"

// checkBasePath refuses a base path API Gateway would not take for an API
// mapping: levels of letters, digits and basePathChars, one slash between
// two levels ("Map API stages to a custom domain name for REST APIs").
func checkBasePath(base string) error {
	if base == "" {
		return nil
	}
	if base == "(none)" {
		return errors.New(`base path (none) is API Gateway's name for the empty base path: give none`)
	}
	for level := range strings.SplitSeq(base, "/") {
		if level == "" {
			return fmt.Errorf("base path %q has an empty level: no slash at either end or two in a row (tools, or v1/tools)", textcut.Cut(base, maxQuotedConfigBytes))
		}
		for _, c := range level {
			if !isBasePathChar(c) {
				return fmt.Errorf("base path %q has %q: API Gateway takes letters, digits and %s between slashes", textcut.Cut(base, maxQuotedConfigBytes), c, basePathChars)
			}
		}
	}
	return nil
}

func isBasePathChar(c rune) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.ContainsRune(basePathChars, c)
}

// cutBasePath returns the path below base, a percent-encoded path as
// the client sent it, or false when the path is outside the mapping. Each
// level is compared decoded, since a client may encode a character of the
// base path ($ as %24) that the mapping names as it is.
func cutBasePath(rawPath, base string) (string, bool) {
	rest := rawPath
	for level := range strings.SplitSeq(base, "/") {
		after, ok := strings.CutPrefix(rest, "/")
		if !ok {
			return "", false
		}
		piece := after
		rest = ""
		if i := strings.IndexByte(after, '/'); i >= 0 {
			piece, rest = after[:i], after[i:]
		}
		if decoded, err := url.PathUnescape(piece); err != nil || decoded != level {
			return "", false
		}
	}
	if rest == "" {
		rest = "/"
	}
	return rest, true
}
