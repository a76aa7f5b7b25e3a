package runtimeapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// extensionBase is the Extensions API's root on the server rt talks to.
func (c *runtimeClient) extensionBase() string {
	return strings.TrimSuffix(c.base, "2018-06-01/runtime/") + "2020-01-01/extension/"
}

// register registers an extension named name for events (a JSON array, or
// "null") and returns the status, the identifier and the body.
func (c *runtimeClient) register(name, events string) (int, string, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.extensionBase()+"register", strings.NewReader(`{"events":`+events+`}`))
	if name != "" {
		req.Header.Set(HeaderExtensionName, name)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("POST register: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get(HeaderExtensionID), strings.TrimSpace(string(b))
}

// eventNext asks for the extension's next event and sends the status it
// got (0 if the request failed).
func (c *runtimeClient) eventNext(id string) <-chan int {
	status := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, c.extensionBase()+"event/next", nil)
		if id != "" {
			req.Header.Set(HeaderExtensionID, id)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	return status
}

// TestInternalExtension is the Extensions API as aws-lambda-go's
// lambda.WithEnableSIGTERM uses it: an internal extension registers for no
// event during init, and its request for the next event waits as long as
// the environment lives.
func TestInternalExtension(t *testing.T) {
	s, rt := startServer(t)
	s.Function = FunctionInfo{Name: "fn", Version: "$LATEST", Handler: "bootstrap"}
	if n := s.Extensions(); n != 0 {
		t.Fatalf("Extensions() = %d before any registered", n)
	}
	status, id, body := rt.register("GoLangEnableSIGTERM", "null")
	if status != http.StatusOK || id == "" {
		t.Fatalf("register = %d, id %q, %s; want 200 with an identifier", status, id, body)
	}
	var got FunctionInfo
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("register body %s: %v", body, err)
	}
	if diff := cmp.Diff(s.Function, got); diff != "" {
		t.Errorf("register body (-want +got):\n%s", diff)
	}
	if n := s.Extensions(); n != 1 {
		t.Errorf("Extensions() = %d after one registered", n)
	}
	if status, _, _ := rt.register("other", "[]"); status != http.StatusOK {
		t.Errorf("register with an empty list of events = %d, want 200", status)
	}

	// No event comes: the request is answered only when the environment
	// ends.
	waiting := rt.eventNext(id)
	s.Close(nil)
	if st := <-waiting; st != http.StatusInternalServerError {
		t.Errorf("event/next = %d, want the 500 of an environment that ended", st)
	}
}

// TestExtensionRefusals checks the registrations and requests the
// Extensions API refuses, with its error types.
func TestExtensionRefusals(t *testing.T) {
	s, rt := startServer(t)
	if status, _, _ := rt.register("taken", "[]"); status != http.StatusOK {
		t.Fatalf("first register = %d", status)
	}
	tests := []struct {
		name, ext, events string
		wantType          string
	}{
		{"no name", "", "[]", "Extension.InvalidExtensionName"},
		{"shutdown event", "x", `["SHUTDOWN"]`, "Extension.InvalidEventType"},
		{"unknown event", "x", `["TICK"]`, "Extension.InvalidEventType"},
		// Lambda delivers INVOKE to an internal extension; this server
		// delivers no event, and says so rather than keep it waiting.
		{"invoke event", "x", `["INVOKE"]`, "Extension.InvalidEventType"},
		{"not json", "x", `[`, "InvalidRequestFormat"},
		{"name taken", "taken", "[]", "Extension.InvalidExtensionState"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, id, body := rt.register(tc.ext, tc.events)
			if status != http.StatusForbidden || id != "" || !strings.Contains(body, `"errorType":"`+tc.wantType+`"`) {
				t.Errorf("register = %d, id %q, %s; want 403 %s", status, id, body, tc.wantType)
			}
		})
	}
	if st := <-rt.eventNext(""); st != http.StatusForbidden {
		t.Errorf("event/next without an identifier = %d, want 403", st)
	}
	if st := <-rt.eventNext("nope"); st != http.StatusForbidden {
		t.Errorf("event/next with an unknown identifier = %d, want 403", st)
	}
	if n := s.Extensions(); n != 1 {
		t.Errorf("Extensions() = %d after refusals, want 1", n)
	}
	for i := range maxExtensions - 1 {
		if status, _, body := rt.register(fmt.Sprint("ext", i), "[]"); status != http.StatusOK {
			t.Fatalf("register %d = %d %s", i, status, body)
		}
	}
	if status, _, body := rt.register("one-too-many", "[]"); status != http.StatusForbidden || !strings.Contains(body, "Extension.TooManyExtensions") {
		t.Errorf("register past the limit = %d %s, want 403 Extension.TooManyExtensions", status, body)
	}

	// The runtime's first request for an event ends the init phase, and
	// with it registration.
	invokeAsync(s, &Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute)})
	rt.next()
	status, _, body := rt.register("late", "[]")
	if status != http.StatusForbidden || !strings.Contains(body, "Extension.RegistrationClosed") {
		t.Errorf("register after init = %d %s, want 403 Extension.RegistrationClosed", status, body)
	}
}
