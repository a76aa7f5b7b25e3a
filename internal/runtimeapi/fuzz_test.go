package runtimeapi

import (
	"net/http"
	"testing"
)

// FuzzDecodeFunctionError feeds arbitrary error documents, as a runtime may
// post them, to the decoder: it never panics and always names a type.
func FuzzDecodeFunctionError(f *testing.F) {
	f.Add("", []byte(`{"errorMessage":"boom","errorType":"errorString","stackTrace":[]}`))
	f.Add("Runtime.Custom", []byte(`{"errorMessage":"x"}`))
	f.Add("", []byte(`not json`))
	f.Add("", []byte(`{"stackTrace":{"a":1}}`))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		fe := decodeFunctionError(header, body)
		if fe.Type == "" {
			t.Errorf("no error type for header %q body %q", header, body)
		}
		h := http.Header{}
		h.Set(HeaderFunctionErrorType, header)
		h.Set(HeaderFunctionErrorBody, string(body))
		if fe := trailerError(h); h.Get(HeaderFunctionErrorType) != "" && (fe == nil || fe.Type == "") {
			t.Errorf("trailer error = %v for %v", fe, h)
		}
	})
}
