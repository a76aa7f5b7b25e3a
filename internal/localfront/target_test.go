package localfront

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// rawAnswer is a front's answer to a raw request, as the test holds it.
type rawAnswer struct {
	Status      int
	ContentType string
	Body        map[string]any // the JSON body
	Invoked     int            // function invocations
	Authorized  int            // authorizer invocations
}

// sendRaw writes the request line "method target" with host over a
// connection of its own, as net/http's client cannot send a target that
// is no path, with a token the test authorizer lets through, and reads
// the answer.
func sendRaw(t *testing.T, addr, method, target, host string) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, method+" "+target+" HTTP/1.1\r\nHost: "+host+"\r\nAuthorization: Bearer good\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// TestTargetThatIsNoPath checks that every shape refuses a request whose
// target is no path (asterisk-form, authority-form, an opaque URL) with a
// JSON 400 before the authorizer and the function, and that a target in
// absolute-form reaches the function with its path, "/" when it has none.
func TestTargetThatIsNoPath(t *testing.T) {
	refusedAnswer := rawAnswer{Status: http.StatusBadRequest, ContentType: "application/json",
		Body: map[string]any{"message": "Bad Request: the request target is not a path"}}
	shapes := []struct {
		shape      Shape
		authorizer bool
		prefix     string // the stage's
	}{
		{ShapeREST, true, "/dev"},
		{ShapeHTTP, true, ""},
		{ShapeURL, false, ""},
		{ShapeALB, false, ""},
	}
	tests := []struct {
		name, method, target string
		wantPath             string // the path the function got, when it ran
	}{
		{name: "OPTIONS *", method: http.MethodOptions, target: "*"},
		{name: "GET *", method: http.MethodGet, target: "*"},
		{name: "POST *", method: http.MethodPost, target: "*"},
		{name: "CONNECT authority", method: http.MethodConnect, target: "127.0.0.1:443"},
		{name: "GET authority", method: http.MethodGet, target: "localhost:443"},
		{name: "GET opaque URL", method: http.MethodGet, target: "mailto:a@example.com"},
		{name: "origin-form", method: http.MethodGet, target: "{prefix}/mcp", wantPath: "/mcp"},
		{name: "absolute-form", method: http.MethodGet, target: "http://{host}{prefix}/mcp", wantPath: "/mcp"},
		{name: "absolute-form without a path", method: http.MethodGet, target: "http://{host}", wantPath: "/"},
	}
	for _, s := range shapes {
		for _, tc := range tests {
			if tc.name == "absolute-form without a path" && s.prefix != "" {
				continue // "/" is outside the stage
			}
			t.Run(string(s.shape)+"/"+tc.name, func(t *testing.T) {
				fn := &payloadWatch{Function: echoFunction()}
				cfg := Config{Shape: s.shape, Function: fn}
				var seen []string
				var auth *payloadWatch
				if s.authorizer {
					auth = &payloadWatch{Function: testAuthorizer(&seen)}
					cfg.Authorizer = auth
				}
				f := startFront(t, cfg)
				host := strings.TrimPrefix(f.URL(), "http://")
				host = strings.TrimSuffix(host, s.prefix)
				target := strings.NewReplacer("{host}", host, "{prefix}", s.prefix).Replace(tc.target)
				resp, body := sendRaw(t, host, tc.method, target, host)
				got := rawAnswer{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Invoked: len(fn.seen())}
				if auth != nil {
					got.Authorized = len(auth.seen())
				}
				want := refusedAnswer
				if tc.wantPath != "" {
					want = rawAnswer{Status: http.StatusOK, ContentType: "application/json", Invoked: 1}
					if s.authorizer {
						want.Authorized = 1
					}
				}
				if want.Body != nil {
					if err := json.Unmarshal(body, &got.Body); err != nil {
						t.Fatalf("answer %d %q is not JSON: %v", resp.StatusCode, body, err)
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("answer to %s %s (-want +got):\n%s", tc.method, target, diff)
				}
				if got.Invoked == 1 {
					if diff := cmp.Diff(tc.wantPath, eventPath(t, s.shape, fn.seen()[0])); diff != "" {
						t.Errorf("event path (-want +got):\n%s", diff)
					}
				}
			})
		}
	}
}

// eventPath is the path below the stage that an event of shape names.
func eventPath(t *testing.T, shape Shape, event []byte) string {
	t.Helper()
	var ev struct {
		Path    string `json:"path"`    // rest, alb
		RawPath string `json:"rawPath"` // http, url
	}
	if err := json.Unmarshal(event, &ev); err != nil {
		t.Fatal(err)
	}
	if shape == ShapeHTTP || shape == ShapeURL {
		p, err := url.PathUnescape(ev.RawPath)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	return ev.Path
}
