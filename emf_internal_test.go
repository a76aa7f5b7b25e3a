package lambdamcp

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// CloudWatch takes a dimension value only when it is 1 to 1024 ASCII
// characters, not all of them spaces, and none a control character; a
// line with any other value gives no metric at all, not even the one per
// function an alarm watches. The go-sdk adds a tool whatever its name
// (it only logs a name outside [A-Za-z0-9_.-]), so the line writes the
// name in a form CloudWatch takes.
var emfToolCases = []struct {
	name, tool, want string
}{
	{"plain", "get_weather", "get_weather"},
	{"printable ASCII kept", `a b/c"d`, `a b/c"d`},
	{"a backslash doubled", `a\b`, `a\\b`},
	{"an escape written out", `\u00e9`, `\\u00e9`},
	{"non-ASCII escaped", "天気", `\u5929\u6c17`},
	{"outside the BMP", "x😀", `x\U0001f600`},
	{"control characters escaped", "a\tb\nc\x7f", `a\u0009b\u000ac\u007f`},
	{"invalid UTF-8", "a\xffb", `a\xffb`},
	{"the replacement character", "a\ufffdb", `a\ufffdb`},
	{"only spaces", "   ", OtherTool},
	{"too long", strings.Repeat("a", 2000), strings.Repeat("a", maxDimensionValueBytes)},
	{"too long once escaped", strings.Repeat("é", 200), strings.Repeat(`\u00e9`, 170)},
}

func TestEMFToolDimension(t *testing.T) {
	tests := emfToolCases
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			e := newEMFWriter(&out, "")
			e.write(tc.tool, OutcomeOK, false, time.Millisecond, "req")
			var line struct{ Tool string }
			if err := json.Unmarshal(out.Bytes(), &line); err != nil {
				t.Fatalf("line %q: %v", out.Bytes(), err)
			}
			if diff := cmp.Diff(tc.want, line.Tool); diff != "" {
				t.Errorf("Tool (-want +got):\n%s", diff)
			}
			if !validDimensionValue(line.Tool) {
				t.Errorf("Tool %q is no CloudWatch dimension value", line.Tool)
			}
		})
	}
}

// validDimensionValue is CloudWatch's rule for a dimension value, as its
// API reference states it.
func validDimensionValue(v string) bool {
	if len(v) == 0 || len(v) > 1024 || strings.TrimSpace(v) == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return false
		}
	}
	return true
}
