package lambdamcp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

// FuzzLateAnswer checks that what a handler writes after a late status,
// JSON objects and arrays split into writes anywhere, reaches a client
// that reads the stream as SSE says (events at blank lines, data lines
// split on CR, LF and CRLF and joined with LF) as the same values, one
// event each, and that every write is taken whole.
func FuzzLateAnswer(f *testing.F) {
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"no \"such\" {argument] \\"}}`), []byte{10, 3})
	f.Add([]byte("{\r\n \"a\": [1,\r2]\n}\n[\"é}\",\"\\\\\"]  {}"), []byte{1, 1, 1, 5})
	f.Add([]byte(`{}{}[][{"x":"]}"}]`), []byte{0, 2, 4})
	f.Add([]byte(`{"a":"\"}"} [" \\"]`), []byte{6, 0, 0, 3})
	f.Fuzz(func(t *testing.T, text []byte, cuts []byte) {
		if len(text) > maxLateAnswer/2 {
			t.Skip("the bound is TestLateStatusPastBound's")
		}
		var want [][]byte
		dec := json.NewDecoder(bytes.NewReader(text))
		for {
			var v json.RawMessage
			err := dec.Decode(&v)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil || (v[0] != '{' && v[0] != '[') {
				t.Skip("not a run of JSON objects and arrays")
			}
			want = append(want, compact(t, v))
		}
		var l lateAnswer
		var stream []byte
		rest := text
		for i := 0; len(rest) > 0; i++ {
			n := len(rest)
			if i < len(cuts) {
				n = min(n, int(cuts[i])+1)
			}
			ev, took, err := l.add(rest[:n])
			if err != nil || took != n {
				t.Fatalf("add(%q) = %d, %v: want all %d taken", rest[:n], took, err, n)
			}
			stream = append(stream, ev...)
			rest = rest[n:]
		}
		if l.unfinished() {
			t.Fatalf("a value of %q is left unfinished", text)
		}
		got := clientEvents(string(stream))
		if len(got) != len(want) {
			t.Fatalf("%q framed as %q: %d events, want %d", text, stream, len(got), len(want))
		}
		for i, data := range got {
			if c := compact(t, []byte(data)); !bytes.Equal(c, want[i]) {
				t.Errorf("event %d of %q = %q, want %q", i, stream, c, want[i])
			}
		}
	})
}

// clientEvents reads stream as an SSE client does and returns each
// event's data: data lines joined with LF, an event ended by a blank line.
func clientEvents(stream string) []string {
	var events, data []string
	for _, line := range sseLines(stream) {
		if line == "" {
			if data != nil {
				events = append(events, strings.Join(data, "\n"))
			}
			data = nil
			continue
		}
		if name, value, _ := strings.Cut(line, ":"); name == "data" {
			data = append(data, strings.TrimPrefix(value, " "))
		}
	}
	return events
}

func compact(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatalf("%q is no JSON: %v", b, err)
	}
	return out.Bytes()
}
