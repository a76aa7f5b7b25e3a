package textcut

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"
)

// TestPrintable checks which characters are escaped, and how: as %q
// escapes them, so that one reads the same in every log line.
func TestPrintable(t *testing.T) {
	for _, tc := range []struct{ s, want string }{
		{"tools/call", "tools/call"},
		{"é日本 👩\u200d💻", "é日本 👩\u200d💻"},
		{"a\x7fb", `a\x7fb`},
		{"a\u0085b\u009bc", `a\u0085b\u009bc`},
		{"evil\u202etxt", `evil\u202etxt`},
		{"a\u2066b\u200fc\u061c", `a\u2066b\u200fc\u061c`},
		{"a\u2028b\u2029c", `a\u2028b\u2029c`},
		{"a\nb\tc\rd\x1b[2J", `a\nb\tc\rd\x1b[2J`},
		{"a\x9bb", `a\x9bb`},
		{"a\ufffdb", "a\ufffdb"},
	} {
		if got := Printable(tc.s); got != tc.want {
			t.Errorf("Printable(%q) = %q, want %q", tc.s, got, tc.want)
		}
		for _, r := range tc.s {
			if q := strconv.QuoteRune(r); Hidden(r) && q == "'"+string(r)+"'" {
				t.Errorf("%U is escaped here, %%q leaves it as it is", r)
			}
		}
	}
}

// TestPrintableClean checks that a text with nothing to escape is
// returned as it is, without a copy.
func TestPrintableClean(t *testing.T) {
	s := "tools/call é日本"
	if n := testing.AllocsPerRun(100, func() { _ = Printable(s) }); n != 0 {
		t.Errorf("Printable allocated %v times for a clean text", n)
	}
}

// TestPrintableKeeping checks that the characters kept stay as they are,
// and the others are still escaped.
func TestPrintableKeeping(t *testing.T) {
	if got, want := PrintableKeeping("a\nb\tc\u202ed\re", "\n\t"), "a\nb\tc\\u202ed\\re"; got != want {
		t.Errorf("PrintableKeeping = %q, want %q", got, want)
	}
}

// TestPrintableBackslash checks that a backslash the text holds is
// written as %q writes it, so that no text reads as the escape of another:
// a literal `\u202e` is not the escaped U+202E.
func TestPrintableBackslash(t *testing.T) {
	for _, tc := range []struct{ s, want string }{
		{`a\u202eb`, `a\\u202eb`},
		{"a\\u202eb\u202e", `a\\u202eb\u202e`},
		{`C:\x7f`, `C:\\x7f`},
	} {
		if got := Printable(tc.s); got != tc.want {
			t.Errorf("Printable(%q) = %q, want %q", tc.s, got, tc.want)
		}
	}
	if Printable(`\u202e`) == Printable("\u202e") {
		t.Errorf("Printable writes %q and %q alike", `\u202e`, "\u202e")
	}
}

// TestPrintableKeepingBackslash checks that a backslash kept stays as it
// is, the rest still escaped.
func TestPrintableKeepingBackslash(t *testing.T) {
	if got, want := PrintableKeeping("a\\b\u202e", `\`), `a\b\u202e`; got != want {
		t.Errorf("PrintableKeeping = %q, want %q", got, want)
	}
	if got := PrintableKeeping(`a\b`, `\`); got != `a\b` {
		t.Errorf("PrintableKeeping = %q, want it as it is", got)
	}
}

// TestPrintableC1 checks that a C1 control and the byte of the same value
// that is no UTF-8 are written apart, as %q writes them.
func TestPrintableC1(t *testing.T) {
	for _, r := range []rune{0x85, 0x9b} {
		s := string(r)
		if got, want := Printable(s), strconv.Quote(s); `"`+got+`"` != want {
			t.Errorf("Printable(%q) = %s, want %s", s, got, want)
		}
		if Printable(s) == Printable(string([]byte{byte(r)})) {
			t.Errorf("Printable writes %U and the byte %#x alike", r, r)
		}
	}
}

// TestPrintableStrict checks the broader rule: every character %q
// escapes, the format characters and the spaces other than ASCII's among
// them, is escaped as %q escapes it; a backslash too.
func TestPrintableStrict(t *testing.T) {
	for _, tc := range []struct{ s, want string }{
		{"plain text: é, 日本", "plain text: é, 日本"},
		{"a\xffb\ufffdc", `a\xffb` + "\ufffd" + "c"},
		{"\x7f\u0085\u202e\u200b\u200d\u00a0\u3000\n\t", `\x7f\u0085\u202e\u200b\u200d\u00a0\u3000\n\t`},
		{"tag\U000e0001", `tag\U000e0001`},
		{`a\u202eb`, `a\\u202eb`},
	} {
		if got := PrintableStrict(tc.s); got != tc.want {
			t.Errorf("PrintableStrict(%q) = %q, want %q", tc.s, got, tc.want)
		}
		for _, r := range tc.s {
			q := strconv.QuoteRune(r)
			if escaped := q != "'"+string(r)+"'"; escaped != (strings.Contains(PrintableStrict(string(r)), `\`)) && r != utf8.RuneError {
				t.Errorf("%U: %%q escapes it %v, PrintableStrict does not agree", r, escaped)
			}
		}
	}
	s := "tools/call é日本"
	if n := testing.AllocsPerRun(100, func() { _ = PrintableStrict(s) }); n != 0 {
		t.Errorf("PrintableStrict allocated %v times for a clean text", n)
	}
}

// TestPrintableStrictKeeping checks that the characters kept stay as they
// are, a backslash among them, and that the rest is escaped as
// PrintableStrict escapes it.
func TestPrintableStrictKeeping(t *testing.T) {
	for _, tc := range []struct{ s, keep, want string }{
		{`kid "a\u202e"` + "\u202e\u200b", `\`, `kid "a\u202e"\u202e\u200b`},
		{"a\tb\u00a0", "\t\u00a0", "a\tb\u00a0"},
		{`a\b` + "\x7f", "", `a\\b\x7f`},
	} {
		if got := PrintableStrictKeeping(tc.s, tc.keep); got != tc.want {
			t.Errorf("PrintableStrictKeeping(%q, %q) = %q, want %q", tc.s, tc.keep, got, tc.want)
		}
	}
}

// FuzzPrintable checks, for any text, that what Printable and
// PrintableStrict write holds nothing a terminal or a log viewer acts on
// (no C0 or C1 control, DEL, bidirectional control, line or paragraph
// separator, nor a byte that is no UTF-8) and reads back, as a Go string
// literal, as the text; that PrintableKeeping leaves only the characters
// kept; and that a text returned as it is costs no copy.
func FuzzPrintable(f *testing.F) {
	for _, s := range []string{
		"", "tools/call", "é日本 👩\u200d💻", "a\x7fb", "a\u0085b\u009bc", "evil\u202etxt",
		"a\u2066b\u200fc\u061c", "a\u2028b\u2029c", "a\nb\tc\rd\x1b[2J", "a\x9bb", "a\ufffdb",
		`a\u202eb`, `C:\x7f`, `"quoted"`, `\"`, "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc2",
		"tag\U000e0001", "\u200b\u00a0\u3000", "\x00", "\\", "\xff\\\"",
	} {
		f.Add(s, "")
		f.Add(s, "\n\t")
		f.Add(s, `\`)
	}
	f.Fuzz(func(t *testing.T, s, keep string) {
		for _, c := range []struct {
			name   string
			fn     func(string) string
			hidden func(rune) bool
		}{
			{"Printable", Printable, Hidden},
			{"PrintableStrict", PrintableStrict, notPrint},
		} {
			got := c.fn(s)
			if !utf8.ValidString(got) {
				t.Fatalf("%s(%q) = %q, not UTF-8", c.name, s, got)
			}
			for _, r := range got {
				if Hidden(r) || c.hidden(r) {
					t.Fatalf("%s(%q) = %q, which holds %U", c.name, s, got, r)
				}
			}
			back, err := strconv.Unquote(`"` + strings.ReplaceAll(got, `"`, `\"`) + `"`)
			if err != nil || back != s {
				t.Fatalf("%s(%q) = %q, which reads back as %q (%v)", c.name, s, got, back, err)
			}
			if got == s && s != "" && unsafe.StringData(got) != unsafe.StringData(s) {
				t.Fatalf("%s(%q) copied a text it returns as it is", c.name, s)
			}
		}
		got := PrintableKeeping(s, keep)
		if !utf8.ValidString(got) {
			t.Fatalf("PrintableKeeping(%q, %q) = %q, not UTF-8", s, keep, got)
		}
		for _, r := range got {
			if Hidden(r) && !strings.ContainsRune(keep, r) {
				t.Fatalf("PrintableKeeping(%q, %q) = %q, which holds %U", s, keep, got, r)
			}
		}
		if keep == "" && got != Printable(s) {
			t.Fatalf("PrintableKeeping(%q, \"\") = %q, Printable gives %q", s, got, Printable(s))
		}
	})
}
