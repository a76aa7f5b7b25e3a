package lambdamcp

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestJSONProgressValueEnd checks that addValue stops where a value ends,
// for a caller that takes values one after another, while add, which
// follows one answer, still takes a second value for no whole answer.
func TestJSONProgressValueEnd(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		ends  []int // where addValue, begun afresh after each, finds a value's end
		whole bool  // add's verdict on all of text
	}{
		{"one value", `{"a":1}`, []int{7}, true},
		{"one value and white space", "{\"a\":1}\n ", []int{7}, true},
		{"two values", `{"a":1}[2]`, []int{7, 10}, false},
		{"two values, white space apart", "{\"a\":1}\n[2]\n", []int{7, 11}, false},
		{"one value and CRLF", "{\"a\":1}\r\n", []int{7}, true},
		{"two values, CRLF apart", "{\"a\":1}\r\n[2]\r\n", []int{7, 12}, false},
		{"brackets in a string", `{"a":"}]"}{}`, []int{10, 12}, false},
		{"an escaped quote", `{"a":"\"}"}{}`, []int{11, 13}, false},
		{"a value and a start", `{"a":1}{"b":`, []int{7}, false},
		{"nested", `{"a":[{}]}{}`, []int{10, 12}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ends []int
			rest, at := []byte(tc.text), 0
			for len(rest) > 0 {
				var j jsonProgress
				n := j.addValue(rest)
				if !j.whole() {
					break
				}
				at += n
				ends = append(ends, at)
				rest = rest[n:]
			}
			if diff := cmp.Diff(tc.ends, ends); diff != "" {
				t.Errorf("value ends (-want +got):\n%s", diff)
			}
			var j jsonProgress
			j.add([]byte(tc.text))
			if j.whole() != tc.whole {
				t.Errorf("add: whole() = %v, want %v", j.whole(), tc.whole)
			}
		})
	}
}

// TestJSONProgressTakesAll checks that addValue takes all of what it is
// given when no value ends in it: white space, a value's start, or text
// that is no object or array, which is taken whole whatever brackets
// follow its start, since it frames no value.
func TestJSONProgressTakesAll(t *testing.T) {
	tests := []struct {
		name string
		text string
	}{
		{"white space", " \t\r\n"},
		{"a value's start", `{"a":[1,`},
		{"a one-byte text", "x"},
		{"text and brackets", "x] {}"},
		{"text and a value", `no {"a":1}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var j jsonProgress
			if n := j.addValue([]byte(tc.text)); n != len(tc.text) {
				t.Errorf("addValue(%q) = %d, want %d", tc.text, n, len(tc.text))
			}
			if j.whole() {
				t.Errorf("addValue(%q): whole() = true, want false", tc.text)
			}
		})
	}
}
