package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// noticeServer is a 2025-11-25 go-sdk server, with sessions unless
// stateless, whose tool "wait" blocks until it is cancelled and whose tool
// "ping", prompt "greet" and resource docs://readme answer at once, noting
// the ids of the requests and of the notifications/cancelled it is sent.
type noticeServer struct {
	srv     *httptest.Server
	cutAt   string        // the method whose request the test cuts short: tools/call, or one held without an answer; "": none
	entered chan struct{} // closed when the cutAt request is being served
	hold    bool          // a notifications/cancelled gets no answer until the test ends, a DELETE one at once

	mu        sync.Mutex
	requests  map[string][]string // the ids of each method's requests
	cancelled []string            // the ids notifications/cancelled named
	noticed   chan struct{}
}

func startNoticeServer(t *testing.T, cutAt string, hold, stateless bool) *noticeServer {
	t.Helper()
	s := &noticeServer{cutAt: cutAt, entered: make(chan struct{}), noticed: make(chan struct{}, 10), hold: hold, requests: map[string][]string{}}
	server := mcp.NewServer(&mcp.Implementation{Name: "waiter", Version: "1"}, nil)
	release := make(chan struct{}) // the test's end: no tool outlives it
	mcp.AddTool(server, &mcp.Tool{Name: "wait"}, func(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		if s.cutAt == "tools/call" {
			close(s.entered)
		}
		select {
		case <-ctx.Done():
		case <-release:
		}
		return nil, nil, ctx.Err()
	})
	mcp.AddTool(server, &mcp.Tool{Name: "ping"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "pong"}}}, nil, nil
	})
	server.AddPrompt(&mcp.Prompt{Name: "greet"}, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		return &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: "hello"}}}}, nil
	})
	server.AddResource(&mcp.Resource{URI: "docs://readme", Name: "readme"}, func(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: req.Params.URI, Text: "read me"}}}, nil
	})
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, &mcp.StreamableHTTPOptions{Stateless: stateless})
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var msg struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
			Params struct {
				RequestID json.RawMessage `json:"requestId"`
			} `json:"params"`
		}
		json.Unmarshal(body, &msg)
		s.mu.Lock()
		if msg.Method == "notifications/cancelled" {
			s.cancelled = append(s.cancelled, string(msg.Params.RequestID))
			s.noticed <- struct{}{}
		} else if msg.ID != nil {
			s.requests[msg.Method] = append(s.requests[msg.Method], string(msg.ID))
		}
		s.mu.Unlock()
		switch {
		case msg.Method == s.cutAt && s.cutAt != "tools/call" && s.cutAt != "":
			close(s.entered)
			<-r.Context().Done()
			return
		case s.hold && msg.Method == "notifications/cancelled":
			<-release
			return
		case s.hold && r.Method == http.MethodDelete:
			// The go-sdk would end the session once the tool, never
			// told, returns.
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	t.Cleanup(func() { close(release) }) // before the server's Close, which waits for its handlers
	return s
}

// seen returns the ids of method's requests, and those that
// notifications/cancelled named.
func (s *noticeServer) seen(method string) (ids, cancelled []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests[method]), slices.Clone(s.cancelled)
}

// TestCutCallNoticed checks that a request cut short by Ctrl-C or by
// -timeout is named in a notifications/cancelled the server has received
// by the time the run has ended (the go-sdk sends it from a goroutine of
// its own, which a session closed at once would refuse), and that no
// request follows one cut short.
func TestCutCallNoticed(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cutAt string
		args  []string
		code  int
	}{
		{"Ctrl-C", "tools/call", []string{"-call", "wait"}, exitInterrupted},
		{"timeout", "tools/call", []string{"-call", "wait", "-timeout", "1s"}, 1},
		{"Ctrl-C before the call", "logging/setLevel", []string{"-call", "wait"}, exitInterrupted},
		{"Ctrl-C while listing tools", "tools/list", nil, exitInterrupted},
		{"Ctrl-C while listing resources", "resources/list", nil, exitInterrupted},
		{"Ctrl-C while listing resource templates", "resources/templates/list", nil, exitInterrupted},
		{"timeout while listing resources", "resources/list", []string{"-timeout", "1s"}, 1},
		{"Ctrl-C while getting a prompt", "prompts/get", []string{"-prompt", "greet"}, exitInterrupted},
		{"Ctrl-C while reading", "resources/read", []string{"-read", "docs://readme"}, exitInterrupted},
		{"timeout while reading", "resources/read", []string{"-read", "docs://readme", "-timeout", "1s"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			waited := watchNoticeWait(t)
			s := startNoticeServer(t, tc.cutAt, false, false)
			ctx, interrupt := context.WithCancel(t.Context())
			defer interrupt()
			if tc.code == exitInterrupted {
				go func() {
					<-s.entered
					interrupt()
				}()
			}
			var stdout, stderr bytes.Buffer
			code := run(ctx, append([]string{"-endpoint", s.srv.URL, "-protocol", "2025-11-25", "-trace"}, tc.args...), noEnv, &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, stderr.String())
			}
			cut, cancelled := s.seen(tc.cutAt)
			if len(cut) != 1 {
				t.Fatalf("%s sent %d times, want once", tc.cutAt, len(cut))
			}
			if diff := cmp.Diff(cut, cancelled); diff != "" {
				t.Errorf("ids of the cancelled requests (-want +got):\n%s", diff)
			}
			if !*waited {
				t.Error("the run did not wait for the notice of the request it cut")
			}
			// Not even tried: the go-sdk would send it, a context ended or
			// not, and send a notice of its own for it.
			if tc.cutAt == "logging/setLevel" && strings.Contains(stderr.String(), `"method":"tools/call"`) {
				t.Errorf("tools/call tried after %s was cut short:\n%s", tc.cutAt, stderr.String())
			}
		})
	}
}

// TestCutCallNoticeGivenUp checks that the wait for a cut call's notice
// ends with a Ctrl-C that comes after -timeout cut the call, the notice
// unanswered, long before cancelGrace.
func TestCutCallNoticeGivenUp(t *testing.T) {
	defer func(grace time.Duration) { cancelGrace = grace }(cancelGrace)
	cancelGrace = time.Minute
	s := startNoticeServer(t, "tools/call", true, false)
	ctx, interrupt := context.WithCancel(t.Context())
	defer interrupt()
	go func() {
		<-s.noticed // the notice is on its way, and will get no answer
		interrupt()
	}()
	done := make(chan int, 1)
	var stdout, stderr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"-endpoint", s.srv.URL, "-protocol", "2025-11-25", "-call", "wait", "-timeout", "500ms"}, noEnv, &stdout, &stderr)
	}()
	select {
	case code := <-done:
		if code != exitInterrupted {
			t.Errorf("exit %d, want %d; stderr %q", code, exitInterrupted, stderr.String())
		}
	case <-time.After(4 * time.Second): // the go-sdk itself gives up on the notice after 5 s
		t.Fatal("the run went on waiting for the notice after Ctrl-C")
	}
}

// watchNoticeWait notes, for the test's length, whether a run waited for
// a cut request's notice.
func watchNoticeWait(t *testing.T) *bool {
	t.Helper()
	waited := new(bool)
	noticeWaited = func() { *waited = true }
	t.Cleanup(func() { noticeWaited = nil })
	return waited
}

// interruptOn is a writer that calls interrupt as the text written to it
// first holds on: a point the run has reached, between two requests.
type interruptOn struct {
	on        string
	interrupt context.CancelFunc
	bytes.Buffer
}

func (w *interruptOn) Write(p []byte) (int, error) {
	n, err := w.Buffer.Write(p)
	if strings.Contains(w.String(), w.on) {
		w.interrupt()
	}
	return n, err
}

// TestInterruptWithNothingInFlight checks that a Ctrl-C that comes
// between two requests ends the run at once: no request follows it, the
// server is sent no notifications/cancelled (the go-sdk sends one only
// for a request it cut), and the run waits for none.
func TestInterruptWithNothingInFlight(t *testing.T) {
	for _, tc := range []struct {
		name      string
		args      []string
		on        string // the output after which Ctrl-C comes; "" when the server is sent cutAt
		cutAt     string
		stateless bool
		want      map[string]int // how many requests of each method the server got
	}{
		{"before tools/list", nil, "Connected to", "", false, map[string]int{"initialize": 1}},
		{"between tools/list and ping", nil, "Tools (", "", false, map[string]int{"initialize": 1, "tools/list": 1}},
		{"between prompts/list and resources/list", nil, "Prompts (", "", false, map[string]int{"initialize": 1, "tools/list": 1, "prompts/list": 1}},
		{"between resources/list and its templates", nil, "Resources (", "", false, map[string]int{"initialize": 1, "tools/list": 1, "prompts/list": 1, "resources/list": 1}},
		{"between two pings", nil, "ping #1", "", false, map[string]int{"initialize": 1, "tools/list": 1, "prompts/list": 1, "resources/list": 1, "resources/templates/list": 1, "tools/call": 1}},
		{"before the call", []string{"-call", "wait"}, "Connected to", "", false, map[string]int{"initialize": 1}},
		{"before the call, stateless", []string{"-call", "wait"}, "Connected to", "", true, map[string]int{"initialize": 1}},
		{"before the prompt", []string{"-prompt", "greet"}, "Connected to", "", false, map[string]int{"initialize": 1}},
		{"before the read", []string{"-read", "docs://readme"}, "Connected to", "", false, map[string]int{"initialize": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			waited := watchNoticeWait(t)
			s := startNoticeServer(t, tc.cutAt, false, tc.stateless)
			ctx, interrupt := context.WithCancel(t.Context())
			defer interrupt()
			if tc.cutAt != "" {
				go func() {
					<-s.entered
					interrupt()
				}()
			}
			stdout, stderr := &interruptOn{on: "\x00"}, &interruptOn{on: "\x00"}
			if tc.on != "" {
				stdout.on, stdout.interrupt = tc.on, interrupt
				stderr.on, stderr.interrupt = tc.on, interrupt
			}
			code := run(ctx, append([]string{"-endpoint", s.srv.URL, "-protocol", "2025-11-25"}, tc.args...), noEnv, stdout, stderr)
			if code != exitInterrupted || !strings.HasSuffix(stderr.String(), "mcp-client: interrupted\n") {
				t.Errorf("exit %d, stderr %q; want exit %d and the line mcp-client: interrupted", code, stderr.String(), exitInterrupted)
			}
			if *waited {
				t.Error("the run waited for a notifications/cancelled, with no request cut short at a server with sessions")
			}
			got := map[string]int{}
			for _, method := range []string{"initialize", "tools/list", "logging/setLevel", "tools/call", "prompts/list", "resources/list", "resources/templates/list", "prompts/get", "resources/read"} {
				if ids, _ := s.seen(method); len(ids) > 0 {
					got[method] = len(ids)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("requests the server got (-want +got):\n%s", diff)
			}
			if _, cancelled := s.seen(""); tc.cutAt == "" && len(cancelled) > 0 {
				t.Errorf("the server was sent notifications/cancelled for %q, though no request was in flight", cancelled)
			}
		})
	}
}

// TestNoNoticeWithoutSession checks that a request cut short at a server
// without sessions, which serves each POST apart and could not tell what
// a notice names, is sent no notifications/cancelled: one the server held
// without an answer would hold the exit (the go-sdk's Close waits for it).
func TestNoNoticeWithoutSession(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cutAt string
		args  []string
		code  int
	}{
		{"Ctrl-C", "tools/call", []string{"-protocol", "2025-11-25"}, exitInterrupted},
		{"timeout", "tools/call", []string{"-protocol", "2025-11-25", "-timeout", "500ms"}, 1},
		{"Ctrl-C, 2026-07-28", "tools/call", []string{"-protocol", "2026-07-28"}, exitInterrupted},
		{"Ctrl-C while connecting", "initialize", []string{"-protocol", "2025-11-25"}, exitInterrupted},
		{"Ctrl-C while connecting, 2026-07-28", "server/discover", []string{"-protocol", "2026-07-28"}, exitInterrupted},
		{"timeout while connecting, 2026-07-28", "server/discover", []string{"-protocol", "2026-07-28", "-timeout", "500ms"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			waited := watchNoticeWait(t)
			s := startNoticeServer(t, tc.cutAt, true, true) // a notice sent would get no answer
			ctx, interrupt := context.WithCancel(t.Context())
			defer interrupt()
			if tc.code == exitInterrupted {
				go func() {
					<-s.entered
					interrupt()
				}()
			}
			var stdout, stderr bytes.Buffer
			code := run(ctx, append([]string{"-endpoint", s.srv.URL, "-call", "wait"}, tc.args...), noEnv, &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, stderr.String())
			}
			cut, cancelled := s.seen(tc.cutAt)
			if len(cut) != 1 {
				t.Errorf("%s sent %d times, want once", tc.cutAt, len(cut))
			}
			if len(cancelled) > 0 {
				t.Errorf("the server without sessions was sent notifications/cancelled for %q", cancelled)
			}
			if *waited {
				t.Error("the run waited for a notice the server could not use")
			}
		})
	}
}

// recordingTransport answers every request 202 and counts them.
type recordingTransport struct{ sent int }

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.sent++
	return &http.Response{StatusCode: http.StatusAccepted, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
}

// TestNoticeSentInSessionOnly checks that a notifications/cancelled goes
// to the server only within a session: without one it is taken at once,
// answered 202, and counts as answered.
func TestNoticeSentInSessionOnly(t *testing.T) {
	for _, tc := range []struct {
		name    string
		session string
		sent    int
	}{
		{"session", "abc", 1},
		{"no session", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}`
			r, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://example.com/mcp", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.session != "" {
				r.Header.Set("Mcp-Session-Id", tc.session)
			}
			base := &recordingTransport{}
			rec := &statusRecorder{base: base, origin: r.URL, notice: newCancelNotice(t.Context())}
			resp, err := rec.RoundTrip(r)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted || base.sent != tc.sent {
				t.Errorf("status %d, sent %d times; want 202, sent %d times", resp.StatusCode, base.sent, tc.sent)
			}
			select {
			case <-rec.notice.answered:
			default:
				t.Error("the notice does not count as answered")
			}
		})
	}
}

// TestSessionEndBounded checks that the DELETE that ends the session,
// at a server that holds it without an answer, holds the exit no longer
// than the run's -timeout or a Ctrl-C allow, and, once the run's time is
// up, than cancelGrace (the go-sdk gives it 5 s): a Ctrl-C between two
// requests ends the run at once, and -timeout bounds the whole run.
func TestSessionEndBounded(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		on       string // the output after which Ctrl-C comes; "": none
		onDelete bool   // Ctrl-C comes with the DELETE
		code     int
	}{
		{"timeout", []string{"-timeout", "1s"}, "", false, 0},
		{"Ctrl-C during the DELETE", nil, "", true, 0},
		{"Ctrl-C between two requests", nil, "Tools (", false, exitInterrupted},
		{"Ctrl-C before the call", []string{"-call", "ping"}, "Connected to", false, exitInterrupted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			deleted := make(chan struct{}, 1)
			f := &foreignServer{text: "pong"}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodDelete {
					deleted <- struct{}{}
					<-r.Context().Done()
					return
				}
				f.ServeHTTP(w, r)
			}))
			defer srv.Close()
			ctx, interrupt := context.WithCancel(t.Context())
			defer interrupt()
			if tc.onDelete {
				go func() {
					<-deleted
					interrupt()
				}()
			}
			stdout, stderr := &interruptOn{on: "\x00"}, &interruptOn{on: "\x00"}
			if tc.on != "" {
				stdout.on, stdout.interrupt = tc.on, interrupt
				stderr.on, stderr.interrupt = tc.on, interrupt
			}
			done := make(chan int, 1)
			go func() {
				done <- run(ctx, append([]string{"-endpoint", srv.URL + "/mcp"}, tc.args...), noEnv, stdout, stderr)
			}()
			select {
			case code := <-done:
				if code != tc.code {
					t.Errorf("exit %d, want %d; stderr %q", code, tc.code, stderr.String())
				}
			case <-time.After(4 * time.Second): // the go-sdk itself gives up on the DELETE after 5 s
				t.Fatal("the run went on waiting for the DELETE that ends the session")
			}
			select {
			case <-deleted:
			default:
				if !tc.onDelete {
					t.Error("the session was not ended: no DELETE was sent")
				}
			}
		})
	}
}

// TestFailedRequestNotWaitedFor checks that a request the server refused,
// the run's time not up, holds no wait for a notifications/cancelled: the
// go-sdk sends none for it, and the run would end cancelGrace late.
func TestFailedRequestNotWaitedFor(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"unknown tool", []string{"-call", "nosuch"}},
		{"unknown prompt", []string{"-prompt", "nosuch"}},
		{"unknown resource", []string{"-read", "docs://nosuch"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			waited := watchNoticeWait(t)
			s := startNoticeServer(t, "", false, false)
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append([]string{"-endpoint", s.srv.URL, "-protocol", "2025-11-25"}, tc.args...), noEnv, &stdout, &stderr)
			if code != 1 {
				t.Errorf("exit %d, want 1; stderr %q", code, stderr.String())
			}
			if *waited {
				t.Error("the run waited for a notifications/cancelled, with no request cut short")
			}
			if _, cancelled := s.seen(""); len(cancelled) > 0 {
				t.Errorf("the server was sent notifications/cancelled for %q, though no request was cut short", cancelled)
			}
		})
	}
}

// TestNoPageAfterEnd checks that everyPage asks for no next page once the
// run's context has ended between pages: the list is given up with the
// context's error, and no request was cut short (cut false), so no
// notifications/cancelled is waited for.
func TestNoPageAfterEnd(t *testing.T) {
	for _, tc := range []struct {
		name      string
		endOnPage int // the page as whose item arrives the context ends; 0: never
		want      []string
		wantErr   error
		wantAsked []int
	}{
		{"context alive", 0, []string{"page 1", "page 2"}, nil, []int{1, 2}},
		{"ended as page 1 arrives", 1, nil, context.Canceled, []int{1}},
		{"ended as page 2 arrives", 2, nil, context.Canceled, []int{1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var asked []int
			pages := func(yield func(string, error) bool) {
				for page := 1; page <= 2; page++ {
					asked = append(asked, page)
					if page == tc.endOnPage {
						cancel()
					}
					if !yield(fmt.Sprintf("page %d", page), nil) {
						return
					}
				}
			}
			got, cut, err := everyPage(ctx, &http.Client{}, "listing tools", pages)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
			if cut {
				t.Error("cut true, though no request was cut short")
			}
			if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Errorf("error %v, want %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.wantAsked, asked); diff != "" {
				t.Errorf("pages asked for (-want +got):\n%s", diff)
			}
		})
	}
}
