package lambdamcp

import (
	"encoding/binary"
	"encoding/json"
	"mime"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// FuzzJoinedValues checks joinedValues against mime.ParseMediaType, which
// the go-sdk reads a Content-Type with: a value it parses is one media
// type, whatever its quoted parameters hold (commas, escaped quotes), and
// two it parses, joined with a comma as an HTTP API or a Function URL
// joins two headers, are more than one.
func FuzzJoinedValues(f *testing.F) {
	for _, tc := range [][2]string{
		{"application/json", "application/json"},
		{"application/json; charset=utf-8", "text/plain"},
		{`application/json; x="a,b"`, "application/json"},
		{`application/json; x="a\",b"`, `text/plain; y=","`},
		{`application/json; x="a\\"`, "application/json"},
		{`application/json; x="a`, "application/json"},
		{`application/json; x="C:\dev\go"`, "application/json"},
		{`application/json; x=""`, `application/json; y="\""`},
		{"application/json;", " application/json "},
		{`application/json; x*=utf-8''a%2Cb`, "application/json"},
		{"", "application/json"},
	} {
		f.Add(tc[0], tc[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		_, _, errA := mime.ParseMediaType(a)
		if errA == nil && joinedValues(a) {
			t.Fatalf("joinedValues(%q) = true for a value that parses as one media type", a)
		}
		if _, _, errB := mime.ParseMediaType(b); errA != nil || errB != nil {
			return
		}
		for _, sep := range []string{",", ", "} {
			if v := a + sep + b; !joinedValues(v) {
				t.Fatalf("joinedValues(%q) = false for two media types joined", v)
			}
		}
	})
}

// FuzzWideText checks wideText: a JSON text is never taken for UTF-16 or
// UTF-32, and the same text in UTF-16 or UTF-32 of either byte order,
// without a byte order mark, is, when it is UTF-8 too (a body that is not
// is refused as such before).
func FuzzWideText(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `1`, `"a"`, ` {"jsonrpc":"2.0"}`, "\n\t[1]", `"é日本"`, `"👩‍💻"`, `"\u0000"`, `null`, `"a\u0000"`, "\x00", "{\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		if !json.Valid(b) {
			return
		}
		if wideText(b) {
			t.Fatalf("wideText(%q) = true for a JSON text in UTF-8", b)
		}
		units := utf16.Encode([]rune(s))
		runes := []rune(s)
		for name, enc := range map[string][]byte{
			"UTF-16LE": encode16(units, binary.LittleEndian),
			"UTF-16BE": encode16(units, binary.BigEndian),
			"UTF-32LE": encode32(runes, binary.LittleEndian),
			"UTF-32BE": encode32(runes, binary.BigEndian),
		} {
			if utf8.Valid(enc) && !wideText(enc) {
				t.Fatalf("wideText(%q) = false for %q in %s", enc, s, name)
			}
		}
	})
}

func encode16(units []uint16, order binary.AppendByteOrder) []byte {
	var b []byte
	for _, u := range units {
		b = order.AppendUint16(b, u)
	}
	return b
}

func encode32(runes []rune, order binary.AppendByteOrder) []byte {
	var b []byte
	for _, r := range runes {
		b = order.AppendUint32(b, uint32(r))
	}
	return b
}
