package localfront

import (
	"net/http"
	"testing"
)

// A streamed invocation answered without the HTTP integration prelude is
// relayed with the content type the function's response has, as Lambda
// relays a stream of that type ("Response streaming for Lambda functions":
// without application/vnd.awslambda.http-integration-response the payload
// is the body), here the application/json of a buffered answer.
func TestStreamWithoutPreludeKeepsContentType(t *testing.T) {
	f := startFront(t, Config{Shape: ShapeURL, Stream: true, Function: respondWith(`{"statusCode":201,"body":"hi"}`)})
	resp, body := do(t, sent{method: http.MethodGet, url: f.URL() + "/x"})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("answer %d (%s) %s, want 200 application/json", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}
