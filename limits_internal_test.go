package lambdamcp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

// tokenDepth is the deepest nesting of valid JSON, by encoding/json.
func tokenDepth(b []byte) (int, bool) {
	if !json.Valid(b) {
		return 0, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	depth, deepest := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return deepest, true
		}
		if err != nil {
			return 0, false
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			deepest = max(deepest, depth)
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
}

// FuzzJSONDepth checks the bracket counter that guards the SDK's decoder
// against encoding/json's own reading of valid JSON: strings with brackets
// and escapes must not fool it.
func FuzzJSONDepth(f *testing.F) {
	for _, s := range []string{
		`{}`, `[[[]]]`, `{"a":"[[[["}`, `{"a":"\"[[","b":[1,{"c":[]}]}`, `"\\"`, `["\\\"]"]`,
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":[[1],[2]]}}}`,
		strings.Repeat("[", 70) + strings.Repeat("]", 70),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want, ok := tokenDepth(b)
		if !ok {
			return // the counter does not validate; the SDK's decoder does
		}
		for _, limit := range []int{1, want - 1, want, want + 1, DefaultMaxJSONDepth} {
			if limit < 1 {
				continue
			}
			if got := jsonDepthExceeds(b, limit); got != (want > limit) {
				t.Fatalf("jsonDepthExceeds(%q, %d) = %v; depth is %d", b, limit, got, want)
			}
		}
	})
}
