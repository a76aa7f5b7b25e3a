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
// U+2029) and the bytes that are no UTF-8 are written as %q escapes them,
// and so is a backslash, as `\\`, so that a text holding `\u202e` does not
// read as an escaped U+202E; the rest, text in any script included, stays
// as it is. A JSON handler escapes the C0 controls only, so a line would
// show the others raw. s itself is returned when nothing needs escaping.
func Printable(s string) string {
	return PrintableKeeping(s, "")
}

// PrintableKeeping is Printable, leaving the characters of keep as they
// are (a text's own line breaks and tabs, where it is shown as lines; a
// backslash, where the text quotes parts of itself with %q).
func PrintableKeeping(s, keep string) string {
	return escape(s, keep, Hidden)
}

// PrintableStrict is Printable with the broader rule of %q: every
// character unicode.IsPrint rejects is escaped, the format characters
// (the zero-width joiners and spaces) and the spaces other than ASCII's
// among them. It is for text no person wrote to be read, such as a
// parser's error quoting a token, where they can only hide or disguise.
func PrintableStrict(s string) string {
	return PrintableStrictKeeping(s, "")
}

// PrintableStrictKeeping is PrintableStrict, leaving the characters of
// keep as they are (a backslash, where the text quotes parts of itself
// with %q).
func PrintableStrictKeeping(s, keep string) string {
	return escape(s, keep, notPrint)
}

func notPrint(r rune) bool { return !unicode.IsPrint(r) }

// escape writes s with each character hidden reports, a backslash and each
// byte that is no UTF-8 escaped, those of keep left as they are.
func escape(s, keep string, hidden func(rune) bool) string {
	clean := true
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if size == 1 && r == utf8.RuneError || (r == '\\' || hidden(r)) && !strings.ContainsRune(keep, r) {
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
			// A byte that is no UTF-8 (0x9b is CSI to a terminal that
			// reads bytes as Latin-1).
			fmt.Fprintf(&b, `\x%02x`, s[i-1])
		case r != '\\' && !hidden(r) || strings.ContainsRune(keep, r):
			b.WriteRune(r)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			// A C1 control too, as %q writes it: \x85 is the byte.
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	return b.String()
}

// Hidden reports whether r is a control character (C0, DEL, C1), one of
// Unicode's bidirectional controls (Bidi_Control: the marks, U+200E,
// U+200F and U+061C, reorder the text around them as the embeddings,
// overrides and isolates do), or the line or paragraph separator (U+2028,
// U+2029), a line break to an editor or a browser showing a log. The
// zero-width joiners and spaces stay: emoji sequences and scripts
// (Persian, the Indic ones) are written with them, and they move nothing.
func Hidden(r rune) bool {
	return r < 0x20 || r >= 0x7f && r < 0xa0 || r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Bidi_Control, r)
}
