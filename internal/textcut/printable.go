package textcut

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable is s as a log viewer or a terminal may show it: the control
// characters (C0, DEL, C1), Unicode's bidirectional controls, which
// reorder the text around them, the line and paragraph separators (U+2028,
// U+2029) and the bytes that are no UTF-8 are written as %q escapes them;
// the rest, text in any script included, stays as it is. A JSON handler
// escapes the C0 controls only, so a line would show the others raw. s
// itself is returned when nothing needs escaping.
func Printable(s string) string {
	clean := true
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if size == 1 && r == utf8.RuneError || hidden(r) {
			clean = false
			break
		}
		i += size
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case size == 1 && r == utf8.RuneError:
			fmt.Fprintf(&b, `\x%02x`, s[i-1])
		case !hidden(r):
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// hidden reports whether r is a control character (C0, DEL, C1), one of
// Unicode's bidirectional controls (Bidi_Control), or the line or
// paragraph separator. The zero-width joiners and spaces stay: emoji
// sequences and several scripts are written with them, and they move
// nothing.
func hidden(r rune) bool {
	return r < 0x20 || r >= 0x7f && r < 0xa0 || r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Bidi_Control, r)
}
