package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp/serve"
)

// secretToken is a credential no trace may show, in any of the places it
// can be given.
const secretToken = "tok-7f3a9c-SECRET"

// lineWatch is standard error for a run: it keeps what is written, and
// closes seen once a line holding every part of want is written.
type lineWatch struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want []string
	seen chan struct{}
	once sync.Once
}

func (w *lineWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	match := true
	for _, part := range w.want {
		match = match && bytes.Contains(p, []byte(part))
	}
	if match {
		w.once.Do(func() { close(w.seen) })
	}
	return w.buf.Write(p)
}

func (w *lineWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// streamingServer speaks 2025-11-25 without sessions, and answers
// tools/call with an event stream: a progress notification, then, once
// the client's trace has shown that event (seen), the result. A server
// whose stream holds escape sequences (ESC in a comment, which no JSON
// string can hold raw, and the one-byte CSI U+009B, which one can), and
// that sets a cookie.
func streamingServer(seen <-chan struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		var req struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		w.Header().Set("Set-Cookie", "sid="+secretToken)
		switch req.Method {
		case "initialize":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"result":{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"streamer","version":"1"}}}`, req.ID)
		case "tools/call":
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, ": \x1b]0;TITLE\x07\n\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":\"mcp-client\",\"progress\":1,\"total\":2,\"message\":\"step-one\\u001b[31m\"}}\n\n")
			w.(http.Flusher).Flush()
			select {
			case <-seen:
			case <-r.Context().Done():
				return
			}
			fmt.Fprintf(w, "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"done \u009b1mbold\"}]}}\n\n", req.ID)
		default:
			w.WriteHeader(http.StatusAccepted)
		}
	})
}

// TestTraceShowsExchanges calls a tool with -trace and checks that
// standard error shows each exchange, the event stream's events as they
// arrive (the server sends its result only once the first event was
// shown), the result reaching standard output intact; and that the token,
// wherever it was given, shows nowhere, nor does the server's cookie or
// an escape byte.
func TestTraceShowsExchanges(t *testing.T) {
	for _, tc := range []struct {
		name        string
		user, query string // the endpoint's user information ("…@") and query ("?…")
		token       string
		auth        string // the Authorization line shown
	}{
		{"token", "", "", secretToken, "Authorization: Bearer [hidden]"},
		{"query", "", "?key=" + secretToken, "", ""},
		{"user name", secretToken + "@", "", "", "Authorization: Basic [hidden]"},
		{"password", "alice:" + secretToken + "@", "", "", "Authorization: Basic [hidden]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stderr := &lineWatch{want: []string{"< | data: ", "step-one"}, seen: make(chan struct{})}
			srv := httptest.NewServer(streamingServer(stderr.seen))
			defer srv.Close()
			var stdout bytes.Buffer
			endpoint := strings.Replace(srv.URL, "http://", "http://"+tc.user, 1) + "/mcp" + tc.query
			args := []string{"-endpoint", endpoint, "-protocol", "2025-11-25", "-trace", "-timeout", "10s", "-call", "work"}
			if tc.token != "" {
				args = append(args, "-token", tc.token)
			}
			code := run(t.Context(), args, noEnv, &stdout, stderr)
			got := stderr.String()
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, got)
			}
			if want := "done \u009b1mbold\n"; stdout.String() != want { // a pipe gets the result as it is
				t.Errorf("stdout %q, want %q", stdout.String(), want)
			}
			wants := []string{
				"#1 > POST http://",
				`#1 > | {"jsonrpc":"2.0","id":1,"method":"initialize"`,
				"#1 < 200 OK (",
				"#1 < Content-Type: application/json\n",
				"#1 < Set-Cookie: [hidden]\n",
				`#1 < | {"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-11-25"`,
				"#1 < (end of body, ",
				"#2 < 202 Accepted (",
				"#3 < Content-Type: text/event-stream\n",
				`#3 < | : \x1b]0;TITLE\x07` + "\n",
				`#3 < | data: {"jsonrpc":"2.0","method":"notifications/progress"`,
				`#3 < | data: {"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"done \u009b1mbold"}]}}`,
				`progress 1/2: step-one\x1b[31m`,
				tc.auth,
			}
			for _, want := range wants {
				if !strings.Contains(got, want) {
					t.Errorf("stderr lacks %q:\n%s", want, got)
				}
			}
			if tc.auth == "" && strings.Contains(got, "Authorization") {
				t.Errorf("stderr shows an Authorization header, none was sent:\n%s", got)
			}
			secrets := []string{secretToken}
			if u, _ := url.Parse(endpoint); u.User != nil {
				pass, _ := u.User.Password()
				secrets = append(secrets, base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pass)))
			}
			for _, secret := range secrets {
				if strings.Contains(got+stdout.String(), secret) {
					t.Errorf("output shows %q:\n%s%s", secret, stdout.String(), got)
				}
			}
			if strings.ContainsAny(got, "\x1b\x07\u009b") {
				t.Errorf("stderr holds a control character:\n%s", got)
			}
		})
	}
}

// TestHeaderShown checks which header values the trace hides: credentials
// and what they are made of, and a stateful server's session id, whatever
// their case; a redirect's target without its secrets; the rest as it is.
func TestHeaderShown(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"Authorization", "Bearer " + secretToken, "Bearer [hidden]"},
		{"Authorization", secretToken, "[hidden]"},
		{"Proxy-Authorization", "Basic " + secretToken, "Basic [hidden]"},
		{"Cookie", "sid=" + secretToken, "[hidden]"},
		{"Set-Cookie", "sid=" + secretToken + "; HttpOnly", "[hidden]"},
		{"X-Api-Key", secretToken, "[hidden]"},
		{"x-api-key", secretToken, "[hidden]"},
		{"X-Amz-Security-Token", secretToken, "[hidden]"},
		{"X-Auth-Token", "Bearer " + secretToken, "[hidden]"},
		{"Location", "https://alice:" + secretToken + "@h.example/mcp?sig=" + secretToken, "https://xxxxx@h.example/mcp?…"},
		{"Referer", "https://h.example/mcp?sig=" + secretToken, "https://h.example/mcp?…"},
		{"Content-Type", "text/event-stream", "text/event-stream"},
		{"Mcp-Protocol-Version", "2025-11-25", "2025-11-25"},
		{"Mcp-Session-Id", "1868a90c-1b4e-4f0a-8d3b-7e1c2f9a6b5d", "[hidden]"},
		{"mcp-session-id", "1868a90c-1b4e-4f0a-8d3b-7e1c2f9a6b5d", "[hidden]"},
	} {
		if got := headerShown(tc.name, tc.value); got != tc.want {
			t.Errorf("headerShown(%q, %q) = %q, want %q", tc.name, tc.value, got, tc.want)
		}
	}
}

// TestTracedBodyBounded reads a body larger than the trace's bound through
// the trace, in small reads: the reader gets every byte, the trace the
// first traceBodyLimit of them, a line at a time, and how many it left out.
func TestTracedBodyBounded(t *testing.T) {
	line := strings.Repeat("x", 1023) + "\n"
	body := strings.Repeat(line, 100) // 100 KiB
	var out bytes.Buffer
	tr := &tracer{out: &out}
	traced := &tracedBody{ReadCloser: io.NopCloser(iotest.OneByteReader(strings.NewReader(body))), lines: &bodyLines{t: tr, prefix: "#1 <"}}
	read, err := io.ReadAll(traced)
	if err != nil {
		t.Fatal(err)
	}
	if string(read) != body {
		t.Errorf("read %d bytes through the trace, want the %d sent", len(read), len(body))
	}
	traced.Close() // after the end: shown once
	want := strings.Repeat("#1 < | "+strings.TrimSuffix(line, "\n")+"\n", 64) +
		"#1 < (end of body, 102400 bytes; 36864 bytes past the first 64 KiB not shown)\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("trace (-want +got):\n%s", diff)
	}
}

// TestTracedBodyEnds checks how the trace tells a body's end: its last
// line without a line break, a body closed while read, one that failed,
// and nothing for a notification's answer closed unread.
func TestTracedBodyEnds(t *testing.T) {
	for _, tc := range []struct {
		name string
		read func(b io.ReadCloser)
		want string
	}{
		{"end without a line break", func(b io.ReadCloser) { io.ReadAll(b) }, "#1 < | ab\n#1 < | c\n#1 < (end of body, 4 bytes)\n"},
		{"closed while read", func(b io.ReadCloser) { b.Read(make([]byte, 3)); b.Close() }, "#1 < | ab\n#1 < (body closed after 3 bytes)\n"},
		{"closed unread", func(b io.ReadCloser) { b.Close() }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			b := &tracedBody{ReadCloser: io.NopCloser(strings.NewReader("ab\nc")), lines: &bodyLines{t: &tracer{out: &out}, prefix: "#1 <"}}
			tc.read(b)
			if diff := cmp.Diff(tc.want, out.String()); diff != "" {
				t.Errorf("trace (-want +got):\n%s", diff)
			}
		})
	}
	var out bytes.Buffer
	b := &tracedBody{ReadCloser: io.NopCloser(io.MultiReader(strings.NewReader("ab"), iotest.ErrReader(io.ErrUnexpectedEOF))), lines: &bodyLines{t: &tracer{out: &out}, prefix: "#1 <"}}
	io.ReadAll(b)
	if want := "#1 < | ab\n#1 < (body failed after 2 bytes: unexpected EOF)\n"; out.String() != want {
		t.Errorf("failed body: trace %q, want %q", out.String(), want)
	}
}

// TestTraceBesideProgress traces a call whose progress and log lines are
// written from goroutines other than the trace's, to a standard error that
// is not safe for concurrent use (the race detector watches), and checks
// that every kind of line is there and the result intact.
func TestTraceBesideProgress(t *testing.T) {
	srv := progressServer(t)
	for _, protocol := range []string{"2026-07-28", "2025-11-25"} {
		t.Run(protocol, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-endpoint", srv.URL + "/mcp", "-protocol", protocol, "-trace", "-call", "count", "-args", `{"steps":3}`}, noEnv, &stdout, &stderr)
			if code != 0 || stdout.String() != `{"counted":3}`+"\n" {
				t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, stdout.String(), stderr.String())
			}
			for _, want := range []string{"progress 3/3: step 3 of 3\n", "log info count: step 3\n", `"method":"notifications/progress"`, "Content-Type: text/event-stream\n"} {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
		})
	}
}

// TestTraceShowsOnlyWhatWasSent checks that a request the transport never
// sent is shown as not sent, not as gone out: the go-sdk's initialize
// after a server/discover that the run's end cut short (here the server
// ends the run once discover reaches it, and holds discover unanswered),
// and a request to where nothing listens.
func TestTraceShowsOnlyWhatWasSent(t *testing.T) {
	hanging := func(t *testing.T) (endpoint string, ctx context.Context) {
		ctx, cancel := context.WithCancel(t.Context())
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			cancel()
			<-r.Context().Done() // the client gave up on it
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/mcp", ctx
	}
	nothing := func(t *testing.T) (string, context.Context) {
		return "http://" + closedAddr(t) + "/mcp", t.Context()
	}
	for _, tc := range []struct {
		name     string
		server   func(t *testing.T) (string, context.Context)
		want     []string // each %s is the endpoint
		dontWant []string
	}{
		{"cut by the run's end", hanging,
			[]string{`#1 > | {"jsonrpc":"2.0","id":1,"method":"server/discover"`, "#1 < failed: context canceled\n", "#2 > POST %s not sent: context canceled\n"},
			[]string{`"method":"initialize"`, "#2 > Accept", "#2 <"}},
		{"nothing listening", nothing,
			[]string{"#1 > POST %s not sent: ", "connection refused\n"},
			[]string{"#1 > Accept", "#1 > |", "#1 <"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			endpoint, ctx := tc.server(t)
			var stdout, stderr bytes.Buffer
			if code := run(ctx, []string{"-endpoint", endpoint, "-trace"}, noEnv, &stdout, &stderr); code == 0 {
				t.Errorf("exit 0, want a failure")
			}
			for _, want := range tc.want {
				if want = strings.ReplaceAll(want, "%s", endpoint); !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
			for _, dontWant := range tc.dontWant {
				if strings.Contains(stderr.String(), dontWant) {
					t.Errorf("stderr shows %q:\n%s", dontWant, stderr.String())
				}
			}
		})
	}
}

// TestHideCredentialFields checks that a body's credential fields show
// without their values: a token endpoint's answer is shown as it is read,
// before the client knows the token (as JSON or as a form), and a form
// request carries the client secret (client_secret_post).
func TestHideCredentialFields(t *testing.T) {
	tests := []struct{ name, line, want string }{
		{"token answer", `{"access_token":"eyJ.a.b","token_type":"Bearer","expires_in":3600}`, `{"access_token":"[hidden]","token_type":"Bearer","expires_in":3600}`},
		{"spaced, escaped", `{ "refresh_token" : "r\"1", "id_token":"x\/y" }`, `{ "refresh_token" : "[hidden]", "id_token":"[hidden]" }`},
		{"cut short", `{"access_token":"eyJhbGciOiJSUzI1Ni`, `{"access_token":"[hidden]`},
		{"cut after an escape", `{"access_token":"eyJ\`, `{"access_token":"[hidden]`},
		{"form", `client_id=c1&client_secret=s3cr3t&grant_type=client_credentials`, `client_id=c1&client_secret=[hidden]&grant_type=client_credentials`},
		{"form, secret first", `client_secret=s3cr3t&scope=a`, `client_secret=[hidden]&scope=a`},
		{"form answer", `access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&scope=repo&token_type=bearer&id_token=eyJ.c.d`, `access_token=[hidden]&scope=repo&token_type=bearer&id_token=[hidden]`},
		{"code request", `grant_type=authorization_code&code=c0de&redirect_uri=http%3A%2F%2F127.0.0.1%3A8085%2Fcallback&code_verifier=v3r1f13r&client_id=c1`, `grant_type=authorization_code&code=[hidden]&redirect_uri=http%3A%2F%2F127.0.0.1%3A8085%2Fcallback&code_verifier=[hidden]&client_id=c1`},
		{"revocation request", `token=rt1&token_type_hint=refresh_token&client_id=c1`, `token=[hidden]&token_type_hint=refresh_token&client_id=c1`},
		{"other fields", `{"token_type":"Bearer","scope":"a b"}`, `{"token_type":"Bearer","scope":"a b"}`},
		{"a word that holds one", `my_client_secret_hint=x`, `my_client_secret_hint=x`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, hideCredentialFields(tc.line)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// echoingServer is a server of its own, behind a front that repeats the
// Authorization header it was sent in a header of its answer, and adds a
// header of 100 KB.
func echoingServer(t *testing.T) string {
	server := mcp.NewServer(&mcp.Implementation{Name: "own", Version: "1.0.0"}, nil)
	h := serve.Routes(serve.Handler(server, nil))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo", r.Header.Get("Authorization"))
		w.Header().Set("X-Flood", strings.Repeat("flood ", 100_000/6))
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/mcp"
}

// TestTraceHidesEscapedSecret checks that a token holding a byte the
// trace escapes (a tab, a byte that is no UTF-8, a direction mark), which
// a server repeats, shows nowhere: it is hidden before it is escaped.
func TestTraceHidesEscapedSecret(t *testing.T) {
	endpoint := echoingServer(t)
	for _, token := range []string{"tok\t7f3a9c-SECRET", "tok\x9b7f3a9c-SECRET", "tok\u200e7f3a9c-SECRET", "tok\u00857f3a9c-SECRET"} {
		t.Run(fmt.Sprintf("%q", token), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-endpoint", endpoint, "-token", token, "-trace", "-timeout", "10s"}, noEnv, &stdout, &stderr)
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%.3000s", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), "< X-Echo: Bearer [hidden]\n") {
				t.Errorf("stderr lacks the echoed token hidden:\n%.3000s", stderr.String())
			}
			if strings.Contains(stderr.String(), "7f3a9c") {
				t.Errorf("stderr shows the token:\n%.3000s", stderr.String())
			}
		})
	}
}

// TestTraceLineBounded checks that a line the trace writes of a header is
// cut as every line quoting a server is, at maxLine, saying how much was
// left out, and that a body's line stays whole up to the body's bound.
func TestTraceLineBounded(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-endpoint", echoingServer(t), "-trace", "-timeout", "10s"}, noEnv, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%.3000s", code, stderr.String())
	}
	flood := 0
	for line := range strings.Lines(stderr.String()) {
		if !strings.Contains(line, "< X-Flood: ") {
			continue
		}
		flood++
		if len(line) > maxLine+100 || !strings.Contains(line, " more bytes not shown)") {
			t.Errorf("a header's line of %d bytes, ending %q; want at most %d, what was left out said", len(line), line[max(0, len(line)-100):], maxLine+100)
		}
	}
	if flood == 0 {
		t.Errorf("stderr shows no X-Flood header:\n%.3000s", stderr.String())
	}
}
