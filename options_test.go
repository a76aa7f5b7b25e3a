package lambdamcp_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/auth"
)

// Options' documented defaults and off switches, and what a request gets
// when the event leaves something out.

// restEventAt is a REST API event that API Gateway received at epoch.
func restEventAt(t *testing.T, r httpRequest, epoch time.Time) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(restEvent(t, r), &ev); err != nil {
		t.Fatal(err)
	}
	ev["requestContext"].(map[string]any)["requestTimeEpoch"] = epoch.UnixMilli()
	return mustJSON(t, ev)
}

// deadlineSeen is the deadline a handler served with opts sees for an
// invocation of payload whose own deadline is invocation.
func deadlineSeen(t *testing.T, opts *lambdamcp.Options, payload []byte, invocation time.Time) time.Time {
	t.Helper()
	var got time.Time
	h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = r.Context().Deadline()
	}), opts)
	ctx, cancel := context.WithDeadline(t.Context(), invocation)
	defer cancel()
	if _, err := h.Invoke(ctx, payload); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestGatewayTimeoutOff checks that a negative GatewayTimeout leaves REST
// events the invocation's deadline, as documented, rather than one in the
// past.
func TestGatewayTimeoutOff(t *testing.T) {
	invocation := time.Now().Add(10 * time.Second)
	got := deadlineSeen(t, &lambdamcp.Options{GatewayTimeout: -1}, restEventAt(t, call("echo", `{}`), time.Now()), invocation)
	if want := invocation.Add(-lambdamcp.DefaultDeadlineMargin / 2); !got.Equal(want) {
		t.Errorf("deadline %v, want the invocation's less half the margin, %v", got, want)
	}
}

// TestGatewayTimeoutFromFutureEpoch checks that an event whose epoch is
// ahead of this clock does not push the gateway's deadline later: the
// gateway's time is counted from when the request arrived here.
func TestGatewayTimeoutFromFutureEpoch(t *testing.T) {
	got := deadlineSeen(t, nil, restEventAt(t, call("echo", `{}`), time.Now().Add(time.Hour)), time.Now().Add(10*time.Minute))
	if limit := time.Now().Add(lambdamcp.DefaultGatewayTimeout); got.After(limit) {
		t.Errorf("deadline %v is past the gateway's %v from now", got, lambdamcp.DefaultGatewayTimeout)
	}
}

// jsonAnswer answers body as JSON.
func jsonAnswer(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	})
}

// TestResponseLimitOff checks that a negative MaxResponseBytes turns the
// check off, as documented, rather than refusing every answer, or falling
// back to the default 6 MiB.
func TestResponseLimitOff(t *testing.T) {
	h := lambdamcp.NewHandler(jsonAnswer(`{"ok":true}`), &lambdamcp.Options{Limits: lambdamcp.Limits{MaxResponseBytes: -1}})
	for _, shape := range shapes {
		if resp := invoke(t, h, shape.build(t, call("echo", `{}`))); string(resp.body(t)) != `{"ok":true}` {
			t.Errorf("%s: answered %d %.100s", shape.name, resp.StatusCode, resp.body(t))
		}
	}
	big := `"` + strings.Repeat("x", lambdamcp.DefaultMaxResponseBytes) + `"`
	h = lambdamcp.NewHandler(jsonAnswer(big), &lambdamcp.Options{Limits: lambdamcp.Limits{MaxResponseBytes: -1}})
	if resp := invoke(t, h, restEvent(t, call("echo", `{}`))); string(resp.body(t)) != big {
		t.Errorf("an answer past the default limit, with the check off: %d %.100s", resp.StatusCode, resp.body(t))
	}
}

// TestResponseLimitKeepsErrorStatus checks that a refusal over
// MaxResponseBytes, replaced by the internal error that says so, keeps its
// status: a 431 is no 200, whatever the body that explains it, and is
// logged as the refusal it is.
func TestResponseLimitKeepsErrorStatus(t *testing.T) {
	for _, shape := range shapes {
		t.Run(shape.name, func(t *testing.T) {
			var logs lockedBuffer
			h := lambdamcp.NewHandler(jsonAnswer(`{"ok":true}`), &lambdamcp.Options{
				Limits: lambdamcp.Limits{MaxHeaders: 1, MaxResponseBytes: 64},
				Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
			})
			resp := invoke(t, h, shape.build(t, call("echo", `{}`)))
			var a rpcAnswer
			if err := json.Unmarshal(resp.body(t), &a); err != nil || resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || a.Error == nil {
				t.Fatalf("answer = %d %s, want 431 with a JSON-RPC error", resp.StatusCode, resp.body(t))
			}
			lines := logLines(t, logs.Bytes())
			if len(lines) != 1 || lines[0]["status"] != 431.0 || lines[0]["outcome"] != lambdamcp.OutcomeRejected {
				t.Errorf("log = %v, want one line with status 431, outcome rejected", lines)
			}
		})
	}
}

// TestResponseLimitKeepsErrorHeaders checks that an HTTP error over
// MaxResponseBytes, answered with its own status, keeps the headers that
// status is answered with: a 401 without WWW-Authenticate leaves the client
// no way to find where to sign in, and a 405 without Allow breaks RFC 9110.
func TestResponseLimitKeepsErrorHeaders(t *testing.T) {
	h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="https://example.com/.well-known/oauth-protected-resource"`)
		w.Header().Set("X-Other", "dropped")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":"invalid_token","error_description":"`+strings.Repeat("x", 4096)+`"}`)
	}), &lambdamcp.Options{Limits: lambdamcp.Limits{MaxResponseBytes: 1024}})
	for _, shape := range shapes {
		t.Run(shape.name, func(t *testing.T) {
			resp := invoke(t, h, shape.build(t, call("echo", `{}`)))
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(resp.body(t)), "exceeds") {
				t.Fatalf("answer = %d %s, want 401 with the limit's error", resp.StatusCode, resp.body(t))
			}
			if got := resp.header("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer resource_metadata=") {
				t.Errorf("WWW-Authenticate = %q, want the handler's", got)
			}
			if got := resp.header("X-Other"); got != "" {
				t.Errorf("X-Other = %q, want none: the replacement is lambdamcp's answer", got)
			}
		})
	}
}

// TestALBLimitOnlyForALB checks that the ALB's 1 MB cap applies to ALB
// events alone: a 1.5 MB answer goes out whole on the other shapes.
func TestALBLimitOnlyForALB(t *testing.T) {
	big := `"` + strings.Repeat("x", 1_500_000) + `"`
	h := lambdamcp.NewHandler(jsonAnswer(big), nil)
	for _, shape := range shapes {
		resp := invoke(t, h, shape.build(t, call("echo", `{}`)))
		whole := string(resp.body(t)) == big
		if alb := strings.HasPrefix(shape.name, "alb"); whole == alb {
			t.Errorf("%s: 1.5 MB answer whole: %v (%d %.100s)", shape.name, whole, resp.StatusCode, resp.body(t))
		}
	}
}

// TestSchemeWithoutForwardedProto checks that an event without
// X-Forwarded-Proto is taken for HTTPS, as every Lambda front serves it: the
// handler sees https, and so does the RFC 9728 challenge. Only "http" in the
// header says otherwise: a scheme a client made up is not taken.
func TestSchemeWithoutForwardedProto(t *testing.T) {
	var scheme string
	h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { scheme = r.URL.Scheme }), nil)
	for _, tc := range []struct{ proto, want string }{
		{"", "https"},
		{"http", "http"},
		{"javascript", "https"},
		// A scheme is case-insensitive, and a proxy chain's list names
		// the client's first.
		{"HTTP", "http"},
		{"http, https", "http"},
		{"https, http", "https"},
		{"javascript, http", "https"},
	} {
		r := call("echo", `{}`)
		if tc.proto != "" {
			r = withHeader(r, "X-Forwarded-Proto", tc.proto)
		}
		invoke(t, h, urlEvent(t, r))
		if scheme != tc.want {
			t.Errorf("X-Forwarded-Proto %q: scheme %q, want %s", tc.proto, scheme, tc.want)
		}
	}
	v, err := auth.NewStaticVerifier([]string{auth.HashToken("x")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h = lambdamcp.NewHandler(auth.Middleware(v, &auth.MiddlewareOptions{AuthorizationServers: []string{"https://issuer.example.com"}})(http.NotFoundHandler()), nil)
	resp := invoke(t, h, urlEvent(t, call("echo", `{}`)))
	if c := resp.header("Www-Authenticate"); !strings.Contains(c, `resource_metadata="https://`) {
		t.Errorf("challenge %q, want an https metadata URL", c)
	}
}

// TestAcceptCaseAndWildcards checks that media types in Accept match
// whatever their case, and that type wildcards admit both answers.
func TestAcceptCaseAndWildcards(t *testing.T) {
	s, _ := newHardServer(t)
	h := lambdamcp.NewHandler(streamable(s), nil)
	for _, accept := range []string{"Application/JSON, Text/Event-Stream", "application/*, text/*"} {
		if resp := invoke(t, h, restEvent(t, withHeader(call("echo", `{"bytes":1}`), "Accept", accept))); resp.StatusCode != 200 {
			t.Errorf("Accept %q: %d %s, want 200", accept, resp.StatusCode, resp.body(t))
		}
	}
}

// TestAnswerEncoding checks what an answer's event says of its body: one
// without a Content-Type is text, passed as it is (a REST API without
// binary media types would show base64 to clients otherwise), and an ALB
// without multi-value headers carries the last cookie, the one that stands.
func TestAnswerEncoding(t *testing.T) {
	h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "a=2")
		w.Header()["Content-Type"] = nil // net/http would sniff one; Lambda does not
		io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":{}}`)
	}), nil)
	for _, shape := range shapes {
		out, err := h.Invoke(t.Context(), shape.build(t, call("echo", `{}`)))
		if err != nil {
			t.Fatal(err)
		}
		var resp struct {
			Body            string            `json:"body"`
			IsBase64Encoded bool              `json:"isBase64Encoded"`
			Headers         map[string]string `json:"headers"`
		}
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatal(err)
		}
		if resp.IsBase64Encoded || resp.Body != `{"jsonrpc":"2.0","id":1,"result":{}}` {
			t.Errorf("%s: body %q, base64 %v; want the text as it is", shape.name, resp.Body, resp.IsBase64Encoded)
		}
		if _, ok := resp.Headers["Content-Type"]; ok {
			t.Errorf("%s: headers %v, want no Content-Type: the handler deleted it", shape.name, resp.Headers)
		}
		if shape.name == "alb" && resp.Headers["Set-Cookie"] != "a=2" {
			t.Errorf("alb: Set-Cookie %q, want the last, a=2", resp.Headers["Set-Cookie"])
		}
	}
}

// TestBase64BodyLength checks that a base64 event body is measured decoded:
// one whose decoded size is within MaxBodyBytes is served although its
// encoding is larger, and the handler sees the decoded length.
func TestBase64BodyLength(t *testing.T) {
	body := `{"pad":"` + strings.Repeat("p", 80) + `"}` // 90 bytes; 120 encoded
	var gotLen int64
	var gotBody []byte
	h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotLen = r.ContentLength
		gotBody, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}), &lambdamcp.Options{Limits: lambdamcp.Limits{MaxBodyBytes: 100}})
	var ev map[string]any
	if err := json.Unmarshal(restEvent(t, jsonPost(body)), &ev); err != nil {
		t.Fatal(err)
	}
	ev["body"], ev["isBase64Encoded"] = base64.StdEncoding.EncodeToString([]byte(body)), true
	resp := invoke(t, h, mustJSON(t, ev))
	if resp.StatusCode != 200 || gotLen != int64(len(body)) || string(gotBody) != body {
		t.Errorf("answered %d; handler saw length %d and %d bytes; want 200 and %d", resp.StatusCode, gotLen, len(gotBody), len(body))
	}
}

// TestNilHandlerRefused checks that a nil handler is refused when the
// Handler or guard is made, with a message naming it, and not at every
// request.
func TestNilHandlerRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func()
	}{
		{"NewHandler", func() { lambdamcp.NewHandler(nil, nil) }},
		{"NewHandler with options", func() { lambdamcp.NewHandler(nil, &lambdamcp.Options{JSONResponse: true}) }},
		{"Guard", func() { lambdamcp.Guard(nil, nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := func() (v any) {
				defer func() { v = recover() }()
				tc.make()
				return nil
			}()
			if want := "lambdamcp: nil http.Handler"; got != want {
				t.Errorf("panic %v, want %q", got, want)
			}
		})
	}
}

// TestStreamShapeChecked checks that NewHandler refuses a Stream value
// that names no shape, which would otherwise leave the shape meant
// buffered, and takes the four shapes, two of which cannot stream.
func TestStreamShapeChecked(t *testing.T) {
	for _, tc := range []struct {
		stream []lambdamcp.Shape
		want   any // the panic's value; nil: none
	}{
		{[]lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST, lambdamcp.ShapeHTTP, lambdamcp.ShapeALB}, nil},
		{nil, nil},
		{[]lambdamcp.Shape{"URL"}, `lambdamcp: Options.Stream names "URL", which is no Shape: use ShapeURL, ShapeREST or ParseStreamShapes`},
		{[]lambdamcp.Shape{lambdamcp.ShapeURL, ""}, `lambdamcp: Options.Stream names "", which is no Shape: use ShapeURL, ShapeREST or ParseStreamShapes`},
	} {
		got := func() (v any) {
			defer func() { v = recover() }()
			lambdamcp.NewHandler(http.NotFoundHandler(), &lambdamcp.Options{Stream: tc.stream})
			return nil
		}()
		if got != tc.want {
			t.Errorf("NewHandler with Stream %q: panic %v, want %v", tc.stream, got, tc.want)
		}
	}
}

// TestResponseLimitStatusBoundary checks which statuses an answer over
// MaxResponseBytes keeps: a 400, the first HTTP error, stays a 400; a
// redirect, no error, becomes the 200 a JSON-RPC error is answered with.
func TestResponseLimitStatusBoundary(t *testing.T) {
	for status, want := range map[int]int{http.StatusBadRequest: http.StatusBadRequest, http.StatusPermanentRedirect: http.StatusOK} {
		h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			io.WriteString(w, `"`+strings.Repeat("x", 4096)+`"`)
		}), &lambdamcp.Options{Limits: lambdamcp.Limits{MaxResponseBytes: 1024}})
		for _, shape := range shapes {
			resp := invoke(t, h, shape.build(t, call("echo", `{}`)))
			if resp.StatusCode != want || !strings.Contains(string(resp.body(t)), "exceeds") {
				t.Errorf("%s: handler's %d: answer = %d %.200s, want %d with the limit's error", shape.name, status, resp.StatusCode, resp.body(t), want)
			}
		}
	}
}
