package lambdamcp

import (
	"bytes"
	"encoding/json"
	"strconv"
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
	{"DEL alone escaped", "a\x7fb", `a\u007fb`},
	{"the last control character escaped", "a\x1fb", `a\u001fb`},
	{"the BMP's last in four digits", "a\uffffb", `a\uffffb`},
	{"invalid UTF-8", "a\xffb", `a\xffb`},
	{"the replacement character", "a\ufffdb", `a\ufffdb`},
	{"only spaces", "   ", OtherTool},
	{"the longest kept whole", strings.Repeat("a", 1024), strings.Repeat("a", 1024)},
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

// FuzzDimensionValue checks that every tool name gives a value CloudWatch
// takes, and that a name that is not blank and short enough not to be cut
// is read back from its value: two such names never share a metric.
func FuzzDimensionValue(f *testing.F) {
	for _, tc := range emfToolCases {
		f.Add(tc.tool)
	}
	f.Fuzz(func(t *testing.T, tool string) {
		v := dimensionValue(tool)
		if !validDimensionValue(v) {
			t.Fatalf("dimensionValue(%q) = %q, no CloudWatch dimension value", tool, v)
		}
		if len(tool) > maxDimensionValueBytes/len(`\u0000`) || strings.TrimSpace(tool) == "" {
			return // may be cut; blank is OtherTool
		}
		if got, ok := unescapeDimension(v); !ok || got != tool {
			t.Fatalf("dimensionValue(%q) = %q, read back as %q (%v)", tool, v, got, ok)
		}
	})
}

// unescapeDimension reads a dimension value back as the name it was
// written from: \\ is a backslash, \xHH a byte that is no UTF-8, \uXXXX
// and \UXXXXXXXX a character.
func unescapeDimension(v string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' {
			b.WriteByte(v[i])
			continue
		}
		if i+1 == len(v) {
			return "", false
		}
		digits := map[byte]int{'\\': 0, 'x': 2, 'u': 4, 'U': 8}[v[i+1]]
		if v[i+1] == '\\' {
			b.WriteByte('\\')
			i++
			continue
		}
		if digits == 0 || i+2+digits > len(v) {
			return "", false
		}
		n, err := strconv.ParseUint(v[i+2:i+2+digits], 16, 32)
		if err != nil {
			return "", false
		}
		if v[i+1] == 'x' {
			b.WriteByte(byte(n))
		} else {
			b.WriteRune(rune(n))
		}
		i += 1 + digits
	}
	return b.String(), true
}

// TestEMFLatency checks that a call's latency is written in milliseconds
// with their fraction: most tool calls take less than one, and a whole
// number would make them 0.
func TestEMFLatency(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want float64
	}{
		{250 * time.Microsecond, 0.25},
		{1500 * time.Microsecond, 1.5},
		{2 * time.Second, 2000},
	} {
		t.Run(tc.d.String(), func(t *testing.T) {
			var out bytes.Buffer
			newEMFWriter(&out, "").write("t", OutcomeOK, false, tc.d, "req")
			var line struct{ Latency float64 }
			if err := json.Unmarshal(out.Bytes(), &line); err != nil {
				t.Fatalf("line %q: %v", out.Bytes(), err)
			}
			if line.Latency != tc.want {
				t.Errorf("Latency = %v, want %v", line.Latency, tc.want)
			}
		})
	}
}

// TestEMFMemberNames checks the line's member names as they are spelt:
// CloudWatch finds each metric and dimension by its exact name in the
// directive, and Logs Insights queries (docs/operations.md) name Outcome
// and RequestId; a decoder that matches names in any case would not tell.
func TestEMFMemberNames(t *testing.T) {
	var out bytes.Buffer
	e := newEMFWriter(&out, "")
	e.function = "mcp-Server"
	e.write("greet", OutcomeError, true, time.Millisecond, "req-1")
	var line map[string]any
	if err := json.Unmarshal(out.Bytes(), &line); err != nil {
		t.Fatalf("line %q: %v", out.Bytes(), err)
	}
	delete(line, "_aws")
	want := map[string]any{"FunctionName": "mcp-Server", "Tool": "greet", "Calls": 1.0, "Errors": 1.0, "Faults": 1.0,
		"Latency": 1.0, "Outcome": OutcomeError, "RequestId": "req-1"}
	if diff := cmp.Diff(want, line); diff != "" {
		t.Errorf("line members (-want +got):\n%s", diff)
	}
}
