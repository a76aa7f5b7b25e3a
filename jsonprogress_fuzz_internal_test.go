package lambdamcp

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzJSONProgress checks jsonProgress against encoding/json on an answer
// written in two pieces split anywhere: a valid JSON object or array is
// whole once written, whatever the split, and not before its closing
// bracket is; and addValue stops right after that bracket when more
// follows.
func FuzzJSONProgress(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, ` {"a":"}"} `, `{"a":"\\"}`, `{"a":"\"}"}`, `[1,{"b":[2,"]"]}]`,
		`{"a":"caf\u00e9 \ud83d\ude00"}`, "\t[\"x\"]\r\n", `"s"`, `1`, `{`, `{}}`, `{} {}`,
	} {
		f.Add([]byte(s), uint16(1), []byte(`{"next":1}`))
	}
	f.Fuzz(func(t *testing.T, b []byte, split uint16, more []byte) {
		k := int(split) % (len(b) + 1)
		var j jsonProgress
		j.add(b[:k])
		j.add(b[k:])
		value := bytes.TrimLeft(b, " \t\r\n")
		valid := json.Valid(b) && len(value) > 0 && (value[0] == '{' || value[0] == '[')
		if !valid {
			// jsonProgress does not validate what lies between the
			// brackets; an answer it takes for whole may be invalid.
			return
		}
		if !j.whole() {
			t.Fatalf("jsonProgress of %q split at %d: not whole, but it is one valid JSON object or array", b, k)
		}
		end := len(bytes.TrimRight(b, " \t\r\n"))
		var cut jsonProgress
		cut.add(b[:k])
		if got, want := cut.whole(), k >= end; got != want {
			t.Fatalf("jsonProgress of %q cut at %d: whole() = %v, want %v", b, k, got, want)
		}
		var v jsonProgress
		p := append(b[:end:end], more...)
		if n := v.addValue(p); n != end || !v.whole() {
			t.Fatalf("addValue(%q) = %d (whole %v), want %d", p, n, v.whole(), end)
		}
	})
}
