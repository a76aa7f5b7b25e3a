package localfront

import (
	"encoding/json"
	"net/http"
	"testing"
)

// echoedJSON sends s through a front of the given config and returns the
// event the function received as JSON members, so that a test can tell a
// missing member from an empty one, and the front's response.
func echoedJSON(t *testing.T, cfg Config, path string, s sent) (map[string]any, *http.Response) {
	t.Helper()
	cfg.Function = echoFunction()
	f := startFront(t, cfg)
	s.url = f.URL() + path
	resp, body := do(t, s)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, body %s", resp.StatusCode, body)
	}
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatalf("decoding the echoed event %s: %v", body, err)
	}
	return ev, resp
}

// A Function URL's event carries the invocation's request id, the one its
// response names in x-amzn-RequestId and the function's context holds
// ("Invoking Lambda function URLs", requestContext.requestId: "The ID of
// the invocation request").
func TestURLEventRequestIDIsTheInvocations(t *testing.T) {
	ev, resp := echoedJSON(t, Config{Shape: ShapeURL}, "/mcp", sample)
	rc, _ := ev["requestContext"].(map[string]any)
	if got, want := rc["requestId"], resp.Header.Get("x-amzn-RequestId"); got != want || want == "" {
		t.Errorf("requestContext.requestId = %v, want the invocation's %q", got, want)
	}
}
