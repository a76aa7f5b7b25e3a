package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// FuzzArgsFile checks that -args @FILE holds the content of FILE to the
// checks -args holds the same text to on the command line: both runs
// stop at the same point with the same status, and say the same, but
// for how they name the value. Each run is stopped before it connects by
// an -elicit that is refused, checked after -args. The checks are those
// of a strict JSON reader: the text is refused exactly when it is not
// UTF-8, not one JSON object, gives a key twice in one object, or escapes
// a lone surrogate.
func FuzzArgsFile(f *testing.F) {
	for _, s := range []string{
		`{}`, ` {"a":1} `, `{"n":9007199254740993,"big":1e400}`, `{"a":{"b":[1,{"c":null}]}}`,
		`{"a":1,"a":2}`, `{"a":1,"\u0061":2}`, `{"a":{"b":1,"b":2}}`, `[{"a":1,"a":2}]`, `{"a":[{"x":1},{"x":2}]}`,
		`[1]`, `"text"`, `null`, `1`, ``, " \n\t", `{"a":1} {"b":2}`, `{"a":1}x`, `{"a":1,}`, `{`,
		"{\"city\":\"M\xfcnchen\"}", `{"s":"\ud83d\ude00"}`, "{\"s\":\"\u00e9\"}", `{"s":"\ud800"}`, `{"\udc00":1}`, "\ufeff{}", `{"a":"\u0000"}`,
	} {
		f.Add(s)
	}
	file := filepath.Join(f.TempDir(), "args.json")
	f.Fuzz(func(t *testing.T, s string) {
		if strings.HasPrefix(s, "@") || len(s) > maxInputBytes {
			return // on the command line, a file's name; past the cap, refused from a file alone
		}
		if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		run := func(args string) (int, string) {
			var stdout, stderr bytes.Buffer
			code := runIn(context.Background(), []string{"-endpoint", "http://127.0.0.1:1/mcp", "-call", "echo", "-args", args, "-elicit", "neither"}, noEnv, strings.NewReader(""), &stdout, &stderr)
			return code, stderr.String()
		}
		lineCode, lineSaid := run(s)
		fileCode, fileSaid := run("@" + file)
		fileSaid = strings.Replace(fileSaid, "mcp-client: -args "+shownValue("@"+file), "mcp-client: -args", 1)
		if lineCode != fileCode || lineSaid != fileSaid {
			t.Fatalf("-args %q: exit %d, %q; from a file: exit %d, %q", s, lineCode, lineSaid, fileCode, fileSaid)
		}
		args := strings.HasPrefix(lineSaid, "mcp-client: -args")
		if elicit := strings.HasPrefix(lineSaid, "mcp-client: -elicit"); lineCode != 2 || args == elicit {
			t.Fatalf("-args %q: exit %d, %q; want exit 2 and -args or -elicit refused", s, lineCode, lineSaid)
		}
		if want := strictObject(s); args == want {
			t.Fatalf("-args %q: refused: %v, one object of unique keys: %v (%q)", s, args, want, lineSaid)
		}
	})
}

// strictObject reports whether s is UTF-8 and one JSON object that gives
// no key twice in any object in it nor escapes a lone surrogate, as a
// strict reader has it.
func strictObject(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	dec := jsontext.NewDecoder(strings.NewReader(s))
	v, err := dec.ReadValue()
	if err != nil || v.Kind() != '{' {
		return false
	}
	_, err = dec.ReadToken()
	return err == io.EOF
}
