package localfront

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// FuzzWriteProxyResponse feeds arbitrary function output to the response
// decoder: it writes the status, headers and body the response holds (the
// body base64-decoded where it says so), or, for a response it cannot
// honour, writes nothing and leaves the answer to malformedResponse.
func FuzzWriteProxyResponse(f *testing.F) {
	for _, seed := range []string{
		`{"statusCode":200,"headers":{"a":"b"},"multiValueHeaders":{"c":["d","e"]},"body":"x"}`,
		`{"statusCode":201,"cookies":["a=1"],"body":"aGk=","isBase64Encoded":true}`,
		`{"statusCode":200,"statusDescription":"200 OK","body":""}`,
		`{"statusCode":99}`, `{"statusCode":"200"}`, `{"body":null}`, `"text"`, `[1,2]`, `null`, ``,
		`{"statusCode":200,"body":"!!","isBase64Encoded":true}`,
		`{"statusCode":404,"headers":{"x-a":"1","X-A":"2","set-cookie":"s=1"},"multiValueHeaders":{"x-b":[],"X-B":["3"]},"cookies":["c=1","d=2"],"body":"bm8=","isBase64Encoded":true}`,
		`{"statusCode":200,"headers":{"a":"b"},"body":"aGk","isBase64Encoded":true}`,
		`{"statusCode":200,"headers":{"c":"z","e":"f"},"multiValueHeaders":{"c":["d"]},"cookies":["a=1"]}`,
		" {\"a\":1}\n",
	} {
		f.Add([]byte(seed), true)
		f.Add([]byte(seed), false)
	}
	f.Fuzz(func(t *testing.T, payload []byte, strict bool) {
		w := httptest.NewRecorder()
		fields := payload2Fields
		if strict {
			fields = restFields
		}
		err := writeProxyResponse(w, payload, strict, fields)
		want, reason := readProxyResponse(payload, strict)
		if err != nil {
			if reason == "" {
				t.Fatalf("refused %q (strict %v), a well-formed response: %v", payload, strict, err)
			}
			checkRefusal(t, w, err)
			return
		}
		if reason != "" {
			t.Fatalf("accepted %q (strict %v), a response that is %s", payload, strict, reason)
		}
		if w.Code != want.status {
			t.Errorf("status %d, want %d", w.Code, want.status)
		}
		if !bytes.Equal(w.Body.Bytes(), want.body) {
			t.Errorf("body %q, want %q", w.Body.Bytes(), want.body)
		}
		got := w.Result().Header
		for name := range got {
			if _, ok := want.header[name]; !ok {
				t.Errorf("header %s: %q, which the response does not hold", name, got[name])
			}
		}
		for name, choices := range want.header {
			if !slices.ContainsFunc(choices, func(vs []string) bool { return slices.Equal(vs, got[name]) }) {
				t.Errorf("header %s: %q, want one of %q", name, got[name], choices)
			}
		}
	})
}

// wantedResponse is what a function response asks to be written.
type wantedResponse struct {
	status int
	body   []byte
	// header holds, for each name, the values it may end with: a response
	// can spell one name in several cases, and whichever the decoder sets
	// last wins. An empty list means the header is absent.
	header map[string][][]string
}

// readProxyResponse reads payload as a gateway of the shape does, or says
// why the gateway refuses it.
func readProxyResponse(payload []byte, strict bool) (want wantedResponse, reason string) {
	var object map[string]json.RawMessage
	if err := json.Unmarshal(payload, &object); !strict && (err != nil || object["statusCode"] == nil) {
		// Payload 2.0: anything but a response object is a JSON body.
		return wantedResponse{status: http.StatusOK, body: payload, header: map[string][][]string{"Content-Type": {{"application/json"}}}}, ""
	}
	var pr proxyResponse
	if err := json.Unmarshal(payload, &pr); err != nil {
		return want, "not a response object"
	}
	if pr.StatusCode == nil || *pr.StatusCode < 100 || *pr.StatusCode > 599 {
		return want, "without a valid statusCode"
	}
	want = wantedResponse{status: *pr.StatusCode, body: []byte(pr.Body), header: map[string][][]string{}}
	if pr.IsBase64Encoded {
		var err error
		if want.body, err = base64.StdEncoding.DecodeString(pr.Body); err != nil {
			return want, "a body that is not base64"
		}
	}
	for k, v := range pr.Headers {
		name := http.CanonicalHeaderKey(k)
		want.header[name] = append(want.header[name], []string{v})
	}
	if strict {
		// multiValueHeaders replace what headers say of a name.
		replaced := map[string]bool{}
		for k, vs := range pr.MultiValueHeaders {
			name := http.CanonicalHeaderKey(k)
			if !replaced[name] {
				replaced[name], want.header[name] = true, nil
			}
			want.header[name] = append(want.header[name], vs)
		}
	} else if len(pr.Cookies) > 0 {
		choices := want.header["Set-Cookie"]
		if choices == nil {
			choices = [][]string{nil}
		}
		for i, c := range choices {
			choices[i] = append(slices.Clone(c), pr.Cookies...)
		}
		want.header["Set-Cookie"] = choices
	}
	return want, ""
}

// checkRefusal checks that a refused response left w untouched, so that
// the front's answer is malformedResponse's alone: a 502 whose JSON body
// says why, with no header or byte of the refused response in it.
func checkRefusal(t *testing.T, w *httptest.ResponseRecorder, err error) {
	t.Helper()
	if w.Body.Len() != 0 || len(w.Header()) != 0 {
		t.Fatalf("wrote %q with headers %v before failing with %v", w.Body.Bytes(), w.Header(), err)
	}
	malformedResponse("r", err).write(w)
	resp := w.Result()
	if resp.StatusCode != http.StatusBadGateway || len(resp.Header) != 1 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("refusal answered %d with headers %v, want 502 with a JSON content type alone", resp.StatusCode, resp.Header)
	}
	var body struct{ Message, Error, RequestID string }
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Message == "" || !strings.HasPrefix(body.Error, "malformed Lambda proxy response: ") {
		t.Fatalf("refusal answered with %q", w.Body.Bytes())
	}
}

// FuzzReadPrelude checks the streamed-response prelude reader on arbitrary
// streams: it never panics and returns exactly the bytes before the first
// eight NULs.
func FuzzReadPrelude(f *testing.F) {
	f.Add([]byte("{\"statusCode\":200}\x00\x00\x00\x00\x00\x00\x00\x00body"))
	f.Add([]byte("{}\x00\x00\x00"))
	f.Add([]byte(""))
	// The bound's edge, with a bound small enough that the fuzzer need not
	// mutate and minimize megabyte inputs (TestReadPreludeBound tries the
	// real one).
	const limit = 64
	f.Add(append(bytes.Repeat([]byte("x"), limit+1), make([]byte, 8)...)) // one byte past the bound
	f.Add(append(bytes.Repeat([]byte("x"), limit), make([]byte, 8)...))   // at the bound
	f.Fuzz(func(t *testing.T, stream []byte) {
		checkPrelude(t, stream, limit)
	})
}

// checkPrelude checks what readPreludeWithin makes of stream: the bytes
// before the first eight NULs, if they are at most limit, and an error
// otherwise.
func checkPrelude(t *testing.T, stream []byte, limit int) {
	t.Helper()
	prelude, err := readPreludeWithin(bufio.NewReader(bytes.NewReader(stream)), limit)
	i := bytes.Index(stream, make([]byte, 8))
	switch {
	case i < 0 && err == nil:
		t.Errorf("prelude %q read from a stream without a separator", prelude)
	case i >= 0 && i <= limit && (err != nil || !bytes.Equal(prelude, stream[:i])):
		t.Errorf("prelude = %.40q, %v; want %.40q", prelude, err, stream[:i])
	case i > limit && err == nil:
		t.Errorf("a prelude of %d bytes read, past the %d allowed", len(prelude), limit)
	}
}

// TestReadPreludeBound reads preludes at the real bound and one byte past it.
func TestReadPreludeBound(t *testing.T) {
	for _, n := range []int{maxPrelude, maxPrelude + 1} {
		stream := append(bytes.Repeat([]byte("x"), n), make([]byte, 8)...)
		checkPrelude(t, stream, maxPrelude)
		if _, err := readPrelude(bufio.NewReader(bytes.NewReader(stream))); (err == nil) != (n <= maxPrelude) {
			t.Errorf("a prelude of %d bytes: error %v, bound %d", n, err, maxPrelude)
		}
	}
}
