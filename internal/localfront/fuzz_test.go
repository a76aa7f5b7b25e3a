package localfront

import (
	"bufio"
	"bytes"
	"net/http/httptest"
	"testing"
)

// FuzzWriteProxyResponse feeds arbitrary function output to the response
// decoder: it must never panic, and what it writes must be a valid status.
func FuzzWriteProxyResponse(f *testing.F) {
	for _, seed := range []string{
		`{"statusCode":200,"headers":{"a":"b"},"multiValueHeaders":{"c":["d","e"]},"body":"x"}`,
		`{"statusCode":201,"cookies":["a=1"],"body":"aGk=","isBase64Encoded":true}`,
		`{"statusCode":200,"statusDescription":"200 OK","body":""}`,
		`{"statusCode":99}`, `{"statusCode":"200"}`, `{"body":null}`, `"text"`, `[1,2]`, `null`, ``,
		`{"statusCode":200,"body":"!!","isBase64Encoded":true}`,
	} {
		f.Add([]byte(seed), true)
		f.Add([]byte(seed), false)
	}
	f.Fuzz(func(t *testing.T, payload []byte, strict bool) {
		w := httptest.NewRecorder()
		if err := writeProxyResponse(w, payload, strict); err != nil {
			if w.Body.Len() != 0 {
				t.Errorf("wrote %q before failing with %v", w.Body.Bytes(), err)
			}
			return
		}
		if w.Code < 100 || w.Code > 599 {
			t.Errorf("status %d", w.Code)
		}
	})
}

// FuzzReadPrelude checks the streamed-response prelude reader on arbitrary
// streams: it never panics and returns exactly the bytes before the first
// eight NULs.
func FuzzReadPrelude(f *testing.F) {
	f.Add([]byte("{\"statusCode\":200}\x00\x00\x00\x00\x00\x00\x00\x00body"))
	f.Add([]byte("{}\x00\x00\x00"))
	f.Add([]byte(""))
	f.Add(append(bytes.Repeat([]byte("x"), maxPrelude+1), make([]byte, 8)...)) // one byte past the bound
	f.Add(append(bytes.Repeat([]byte("x"), maxPrelude), make([]byte, 8)...))   // at the bound
	f.Fuzz(func(t *testing.T, stream []byte) {
		prelude, err := readPrelude(bufio.NewReader(bytes.NewReader(stream)))
		i := bytes.Index(stream, make([]byte, 8))
		switch {
		case i < 0 && err == nil:
			t.Errorf("prelude %q read from a stream without a separator", prelude)
		case i >= 0 && i <= maxPrelude && (err != nil || !bytes.Equal(prelude, stream[:i])):
			t.Errorf("prelude = %q, %v; want %q", prelude, err, stream[:i])
		case i > maxPrelude && err == nil:
			t.Errorf("a prelude of %d bytes read, past the %d allowed", len(prelude), maxPrelude)
		}
	})
}
