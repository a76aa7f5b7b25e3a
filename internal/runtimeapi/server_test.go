package runtimeapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// runtimeClient plays the runtime's side over real HTTP.
type runtimeClient struct {
	t    *testing.T
	base string
}

func startServer(t *testing.T) (*Server, *runtimeClient) {
	t.Helper()
	s := NewServer()
	hs := httptest.NewServer(s)
	t.Cleanup(func() {
		s.Close(nil)
		hs.Close()
	})
	return s, &runtimeClient{t: t, base: hs.URL + "/2018-06-01/runtime/"}
}

func (c *runtimeClient) next() (http.Header, []byte) {
	c.t.Helper()
	resp, err := http.Get(c.base + "invocation/next")
	if err != nil {
		c.t.Fatalf("GET next: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("GET next: status %d, body %s", resp.StatusCode, body)
	}
	return resp.Header, body
}

// post reports failures with Errorf, not Fatalf, because tests also call
// it from goroutines of their own; a failed POST returns status 0.
func (c *runtimeClient) post(path string, body io.Reader, header http.Header, trailer http.Header) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, body)
	if err != nil {
		c.t.Error(err)
		return 0, ""
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Trailer = trailer
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Errorf("POST %s: %v", path, err)
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// reusesConn reports whether a request now goes over a connection one
// before it left open: the server keeps a connection only once it has read
// all that was posted on it.
func (c *runtimeClient) reusesConn() bool {
	c.t.Helper()
	reused := false
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
		http.MethodPost, c.base+"invocation/none/response", strings.NewReader(`{}`))
	if err != nil {
		c.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("POST: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return reused
}

type invokeResult struct {
	resp *Response
	err  error
}

func invokeAsync(s *Server, inv *Invocation) <-chan invokeResult {
	ch := make(chan invokeResult, 1)
	go func() {
		resp, err := s.Invoke(context.Background(), inv)
		ch <- invokeResult{resp, err}
	}()
	return ch
}

func readBody(t *testing.T, r *Response) string {
	t.Helper()
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("reading response body: %v", err)
	}
	return string(b)
}

func TestNextDeliversEventAndHeaders(t *testing.T) {
	s, rt := startServer(t)
	deadline := time.UnixMilli(1_900_000_000_123)
	inv := &Invocation{
		RequestID:       "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
		Payload:         []byte(`{"hello":"world"}`),
		Deadline:        deadline,
		FunctionARN:     "arn:aws:lambda:us-east-1:123456789012:function:fn",
		TraceID:         "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
		ClientContext:   `{"client":{}}`,
		CognitoIdentity: `{"cognitoIdentityId":"x"}`,
	}
	done := invokeAsync(s, inv)
	h, body := rt.next()
	got := map[string]string{
		"id": h.Get(HeaderRequestID), "deadline": h.Get(HeaderDeadlineMs), "arn": h.Get(HeaderInvokedFunctionARN),
		"trace": h.Get(HeaderTraceID), "client": h.Get(HeaderClientContext), "cognito": h.Get(HeaderCognitoIdentity),
		"type": h.Get("Content-Type"), "body": string(body),
	}
	want := map[string]string{
		"id": inv.RequestID, "deadline": "1900000000123", "arn": inv.FunctionARN, "trace": inv.TraceID,
		"client": inv.ClientContext, "cognito": inv.CognitoIdentity, "type": "application/json", "body": `{"hello":"world"}`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("next (-want +got):\n%s", diff)
	}
	status, _ := rt.post("invocation/"+inv.RequestID+"/response", strings.NewReader(`"ok"`), http.Header{"Content-Type": {"application/json"}}, nil)
	if status != http.StatusAccepted {
		t.Fatalf("POST response: status %d, want 202", status)
	}
	res := <-done
	if res.err != nil {
		t.Fatalf("Invoke: %v", res.err)
	}
	if got := readBody(t, res.resp); got != `"ok"` {
		t.Errorf("response body = %q, want %q", got, `"ok"`)
	}
	if res.resp.ContentType != "application/json" {
		t.Errorf("content type = %q", res.resp.ContentType)
	}
}

func TestOptionalHeadersAbsent(t *testing.T) {
	s, rt := startServer(t)
	invokeAsync(s, &Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute)})
	h, _ := rt.next()
	for _, k := range []string{HeaderClientContext, HeaderCognitoIdentity} {
		if _, ok := h[k]; ok {
			t.Errorf("header %s sent without a value", k)
		}
	}
}

func TestWaitIdleMarksInitAndInvocationEnd(t *testing.T) {
	s, rt := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	answered := make(chan struct{})
	secondNext := make(chan struct{})
	go func() {
		h, _ := rt.next()
		rt.post("invocation/"+h.Get(HeaderRequestID)+"/response", strings.NewReader(`1`), nil, nil)
		close(answered)
		<-secondNext
		if resp, err := http.Get(rt.base + "invocation/next"); err == nil {
			resp.Body.Close() // answered with 500 when the test closes the server
		}
	}()
	first, err := s.WaitIdle(ctx)
	if err != nil || first.IsZero() {
		t.Fatalf("WaitIdle for init = %v, %v", first, err)
	}
	if _, err := s.Invoke(ctx, &Invocation{RequestID: "r1", Payload: []byte(`1`), Deadline: time.Now().Add(time.Minute)}); err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	<-answered

	// Not idle until the runtime asks again. WaitIdle with an ended context
	// says so at once: idle, it would answer nil (at random between the
	// two, hence many calls), where a wait for it to return early misses
	// the mistake whenever the machine is slow to run the waiter.
	ended, end := context.WithCancel(ctx)
	end()
	for range 64 {
		if _, err := s.WaitIdle(ended); !errors.Is(err, context.Canceled) {
			t.Fatalf("WaitIdle before the runtime asked for the next event = %v, want context.Canceled", err)
		}
	}
	idleDone := make(chan time.Time, 1)
	go func() {
		at, _ := s.WaitIdle(ctx)
		idleDone <- at
	}()
	close(secondNext)
	if at := <-idleDone; !at.After(first) {
		t.Errorf("second idle time %v not after first %v", at, first)
	}
}

func TestInvocationError(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		body   string
		want   *FunctionError
	}{
		{
			name: "documented body",
			body: `{"errorMessage":"boom","errorType":"errorString","stackTrace":[]}`,
			want: &FunctionError{Type: "errorString", Message: "boom", StackTrace: []byte(`[]`)},
		},
		{
			name:   "type from header",
			header: http.Header{HeaderFunctionErrorType: {"Runtime.Custom"}},
			body:   `{"errorMessage":"boom"}`,
			want:   &FunctionError{Type: "Runtime.Custom", Message: "boom"},
		},
		{
			name: "not JSON",
			body: `plain text`,
			want: &FunctionError{Type: "Unhandled", Message: "plain text"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, rt := startServer(t)
			done := invokeAsync(s, &Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute)})
			rt.next()
			status, body := rt.post("invocation/r1/error", strings.NewReader(tc.body), tc.header, nil)
			if status != http.StatusAccepted || body != `{"status":"OK"}` {
				t.Errorf("POST error = %d %s, want 202 {\"status\":\"OK\"}", status, body)
			}
			res := <-done
			var fe *FunctionError
			if !errors.As(res.err, &fe) {
				t.Fatalf("Invoke error = %v, want *FunctionError", res.err)
			}
			if diff := cmp.Diff(tc.want, fe); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAnswerRefusals(t *testing.T) {
	s, rt := startServer(t)
	invokeAsync(s, &Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute)})
	rt.next()
	tests := []struct {
		name, path string
		wantStatus int
		wantType   string
	}{
		{"unknown id", "invocation/nope/response", http.StatusBadRequest, "InvalidRequestID"},
		{"unknown id error", "invocation/nope/error", http.StatusBadRequest, "InvalidRequestID"},
		{"first answer", "invocation/r1/response", http.StatusAccepted, ""},
		{"second answer", "invocation/r1/response", http.StatusBadRequest, "InvalidStateTransition"},
		{"init error after init", "init/error", http.StatusForbidden, "InvalidStateTransition"},
		{"unknown path", "invocation/r1/other", http.StatusNotFound, "InvalidRequest"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := rt.post(tc.path, strings.NewReader(`{}`), nil, nil)
			if status != tc.wantStatus || !strings.Contains(body, tc.wantType) {
				t.Errorf("POST %s = %d %s, want %d with %q", tc.path, status, body, tc.wantStatus, tc.wantType)
			}
		})
	}
	resp, err := http.Post(rt.base+"invocation/next", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("Allow") != http.MethodGet {
		t.Errorf("POST next = %d %s, Allow %q; want 405 JSON, Allow GET", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Allow"))
	}
}

func TestInitError(t *testing.T) {
	s, rt := startServer(t)
	status, _ := rt.post("init/error", strings.NewReader(`{"errorMessage":"no config","errorType":"InitFailed"}`),
		http.Header{HeaderFunctionErrorType: {"Runtime.InitFailed"}}, nil)
	if status != http.StatusAccepted {
		t.Fatalf("POST init/error status %d, want 202", status)
	}
	_, err := s.WaitIdle(context.Background())
	want := &FunctionError{Type: "InitFailed", Message: "no config"}
	var fe *FunctionError
	if !errors.As(err, &fe) {
		t.Fatalf("WaitIdle error = %v, want *FunctionError", err)
	}
	if diff := cmp.Diff(want, fe); diff != "" {
		t.Errorf("init error (-want +got):\n%s", diff)
	}
	if _, err := s.Invoke(context.Background(), &Invocation{RequestID: "r1"}); !errors.As(err, &fe) {
		t.Errorf("Invoke after init error = %v, want the init error", err)
	}
}

// TestBufferedResponseLimit checks Lambda's 6 MB limit on a buffered
// response at its edge: the limit itself passes, a byte more is refused.
func TestBufferedResponseLimit(t *testing.T) {
	tests := []struct {
		name       string
		size       int
		wantStatus int
		wantType   string // of Invoke's error; "" for the response
	}{
		{"at the limit", MaxBufferedResponse, http.StatusAccepted, ""},
		{"past the limit", MaxBufferedResponse + 1, http.StatusRequestEntityTooLarge, "Function.ResponseSizeTooLarge"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, rt := startServer(t)
			done := invokeAsync(s, &Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute)})
			rt.next()
			status, body := rt.post("invocation/r1/response", bytes.NewReader(make([]byte, tc.size)), nil, nil)
			if status != tc.wantStatus {
				t.Errorf("POST %d bytes = %d %s, want %d", tc.size, status, body, tc.wantStatus)
			}
			res := <-done
			var fe *FunctionError
			switch {
			case tc.wantType == "" && res.err != nil:
				t.Errorf("Invoke: %v", res.err)
			case tc.wantType == "":
				if got := len(readBody(t, res.resp)); got != tc.size {
					t.Errorf("response of %d bytes, want %d", got, tc.size)
				}
			case !errors.As(res.err, &fe) || fe.Type != tc.wantType:
				t.Errorf("Invoke = %v, want %s", res.err, tc.wantType)
			}
		})
	}
}

func TestStreamingResponse(t *testing.T) {
	s, rt := startServer(t)
	done := invokeAsync(s, &Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute), Stream: true})
	rt.next()

	upload, uploadW := io.Pipe()
	posted := make(chan int, 1)
	go func() {
		status, _ := rt.post("invocation/r1/response", upload,
			http.Header{"Content-Type": {ContentTypeHTTPIntegration}, HeaderResponseMode: {"streaming"}}, nil)
		posted <- status
	}()
	uploadW.Write([]byte("first "))
	res := <-done
	if res.err != nil {
		t.Fatalf("Invoke: %v", res.err)
	}
	if res.resp.ContentType != ContentTypeHTTPIntegration {
		t.Errorf("content type = %q", res.resp.ContentType)
	}
	// The first chunk is readable while the runtime is still writing.
	buf := make([]byte, len("first "))
	if _, err := io.ReadFull(res.resp.Body, buf); err != nil || string(buf) != "first " {
		t.Fatalf("first chunk = %q, %v", buf, err)
	}
	uploadW.Write([]byte("second"))
	uploadW.Close()
	rest, err := io.ReadAll(res.resp.Body)
	if err != nil || string(rest) != "second" {
		t.Errorf("rest of stream = %q, %v; want %q", rest, err, "second")
	}
	if status := <-posted; status != http.StatusAccepted {
		t.Errorf("POST streamed response status %d, want 202", status)
	}
}

func TestStreamingErrorTrailers(t *testing.T) {
	for _, stream := range []bool{true, false} {
		t.Run("stream="+strconv.FormatBool(stream), func(t *testing.T) {
			s, rt := startServer(t)
			done := invokeAsync(s, &Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute), Stream: stream})
			rt.next()
			errBody := base64.StdEncoding.EncodeToString([]byte(`{"errorMessage":"disk on fire","errorType":"IOError"}`))
			trailer := http.Header{HeaderFunctionErrorType: nil, HeaderFunctionErrorBody: nil}
			body := &trailerSetter{r: strings.NewReader("partial"), trailer: trailer, typ: "IOError", body: errBody}
			posted := make(chan struct{})
			go func() {
				defer close(posted)
				rt.post("invocation/r1/response", body, http.Header{HeaderResponseMode: {"streaming"}}, trailer)
			}()
			// The POST reports into t: it must end before the subtest does.
			defer func() {
				select {
				case <-posted:
				case <-time.After(10 * time.Second):
					t.Error("the response POST did not end within 10 s")
				}
			}()
			res := <-done
			var err error
			var got []byte
			if res.err != nil {
				err = res.err
			} else {
				got, err = io.ReadAll(res.resp.Body)
				if string(got) != "partial" {
					t.Errorf("streamed body = %q, want %q", got, "partial")
				}
			}
			var fe *FunctionError
			if !errors.As(err, &fe) {
				t.Fatalf("error = %v, want *FunctionError", err)
			}
			if diff := cmp.Diff(&FunctionError{Type: "IOError", Message: "disk on fire"}, fe); diff != "" {
				t.Errorf("trailer error (-want +got):\n%s", diff)
			}
		})
	}
}

// trailerSetter fills the error trailers when the body ends, as aws-lambda-go's
// runtime client does when a streamed body fails.
type trailerSetter struct {
	r         io.Reader
	trailer   http.Header
	typ, body string
}

func (ts *trailerSetter) Read(p []byte) (int, error) {
	n, err := ts.r.Read(p)
	if err == io.EOF {
		ts.trailer.Set(HeaderFunctionErrorType, ts.typ)
		ts.trailer.Set(HeaderFunctionErrorBody, ts.body)
	}
	return n, err
}

func TestCloseEndsWaiters(t *testing.T) {
	s, rt := startServer(t)
	nextStatus := make(chan int, 1)
	go func() {
		resp, err := http.Get(rt.base + "invocation/next")
		if err != nil {
			nextStatus <- 0
			return
		}
		resp.Body.Close()
		nextStatus <- resp.StatusCode
	}()
	if _, err := s.WaitIdle(context.Background()); err != nil {
		t.Fatalf("WaitIdle: %v", err)
	}
	exit := &FunctionError{Type: "Runtime.ExitError", Message: "exit status 3"}
	s.Close(exit)
	if got := <-nextStatus; got != http.StatusInternalServerError {
		t.Errorf("waiting next got status %d, want 500", got)
	}
	if _, err := s.Invoke(context.Background(), &Invocation{RequestID: "r1"}); err != exit {
		t.Errorf("Invoke after Close = %v, want %v", err, exit)
	}
}

func TestInvokeContextEnds(t *testing.T) {
	s, _ := startServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Invoke(ctx, &Invocation{RequestID: "r1"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Invoke with ended context = %v, want context.Canceled", err)
	}
}

// zeros reads zero bytes for ever.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestStreamedResponseLimit checks Lambda's 200 MB limit on a streamed
// response at its edge: the limit itself passes whole; past it, the whole
// limit is handed on, then Function.ResponseSizeTooLarge, and the rest is
// read, so that the runtime's connection is kept.
func TestStreamedResponseLimit(t *testing.T) {
	tests := []struct {
		name       string
		size       int64
		wantStatus int
		wantType   string // of the body's error; "" for none
	}{
		{"at the limit", MaxStreamedResponse, http.StatusAccepted, ""},
		{"past the limit", MaxStreamedResponse + 1, http.StatusRequestEntityTooLarge, "Function.ResponseSizeTooLarge"},
		// More left than net/http reads of a body its handler left.
		{"far past the limit", MaxStreamedResponse + 1<<20, http.StatusRequestEntityTooLarge, "Function.ResponseSizeTooLarge"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, rt := startServer(t)
			done := invokeAsync(s, &Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute), Stream: true})
			rt.next()
			posted := make(chan int, 1)
			go func() {
				status, _ := rt.post("invocation/r1/response", io.LimitReader(zeros{}, tc.size),
					http.Header{"Content-Type": {"application/octet-stream"}, HeaderResponseMode: {"streaming"}}, nil)
				posted <- status
			}()
			res := <-done
			if res.err != nil {
				t.Fatalf("Invoke: %v", res.err)
			}
			n, err := io.Copy(io.Discard, res.resp.Body)
			var fe *FunctionError
			switch {
			case n != MaxStreamedResponse:
				t.Errorf("read %d bytes, want %d", n, MaxStreamedResponse)
			case tc.wantType == "" && err != nil:
				t.Errorf("read the body, then %v; want its end", err)
			case tc.wantType != "" && (!errors.As(err, &fe) || fe.Type != tc.wantType):
				t.Errorf("read the body, then %v; want %s", err, tc.wantType)
			}
			if status := <-posted; status != tc.wantStatus {
				t.Errorf("POST status %d, want %d", status, tc.wantStatus)
			}
			// The runtime's connection outlives its POST, read to the end.
			if !rt.reusesConn() {
				t.Error("the POST's connection was not kept")
			}
		})
	}
}

// TestAbandonedStreamReleased checks that a streamed response whose Invoke
// gave up before it began (its context ended, or the server closed) does
// not hold the runtime's POST for ever: nobody will read it, so it is
// drained and accepted, and the runtime's connection kept.
func TestAbandonedStreamReleased(t *testing.T) {
	tests := []struct {
		name   string
		giveUp func(s *Server, cancel context.CancelFunc)
		want   error
	}{
		{"context ends", func(_ *Server, cancel context.CancelFunc) { cancel() }, context.Canceled},
		{"server closes", func(s *Server, _ context.CancelFunc) { s.Close(nil) }, ErrClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, rt := startServer(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			res := make(chan error, 1)
			go func() {
				_, err := s.Invoke(ctx, &Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute), Stream: true})
				res <- err
			}()
			rt.next()
			tc.giveUp(s, cancel) // before the answer begins
			if err := <-res; !errors.Is(err, tc.want) {
				t.Fatalf("Invoke = %v, want %v", err, tc.want)
			}
			posted := make(chan int, 1)
			go func() {
				// More than net/http reads of a body its handler left.
				status, _ := rt.post("invocation/r1/response", strings.NewReader(strings.Repeat("a streamed body ", 1<<16)),
					http.Header{"Content-Type": {ContentTypeHTTPIntegration}, HeaderResponseMode: {"streaming"}}, nil)
				posted <- status
			}()
			select {
			case status := <-posted:
				if status != http.StatusAccepted {
					t.Errorf("POST answered %d, want 202", status)
				}
			case <-time.After(3 * time.Second):
				t.Fatal("the runtime's streamed POST is still held 3 s after it was sent: nobody reads it")
			}
			if !rt.reusesConn() {
				t.Error("the POST's connection was not kept: its body was not read to the end")
			}
		})
	}
}

// TestWaitIdleAfterClose checks that closing the server after the runtime
// asked for its next event leaves WaitIdle that event's time: the runtime
// was idle before it was closed. Both have happened when WaitIdle looks,
// so it looks many times.
func TestWaitIdleAfterClose(t *testing.T) {
	s, rt := startServer(t)
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		if resp, err := http.Get(rt.base + "invocation/next"); err == nil {
			resp.Body.Close() // answered with 500 when the server closes
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	first, err := s.WaitIdle(ctx)
	if err != nil {
		t.Fatalf("WaitIdle: %v", err)
	}
	s.Close(nil)
	<-polled
	for range 64 {
		if at, err := s.WaitIdle(ctx); err != nil || !at.Equal(first) {
			t.Fatalf("WaitIdle after close = %v, %v; want %v, nil", at, err, first)
		}
	}
}

// TestCloseLeavesStreamItsError checks that closing the server (the
// function's process ended) while a streamed response is being read lets
// the body end as the runtime ended it: a broken upload is a
// Runtime.TruncatedResponse, not a bare closed pipe.
func TestCloseLeavesStreamItsError(t *testing.T) {
	s, rt := startServer(t)
	done := invokeAsync(s, &Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute), Stream: true})
	rt.next()
	upload, uploadW := io.Pipe()
	posted := make(chan struct{})
	go func() {
		// The upload breaks: the POST fails, as the runtime's would.
		defer close(posted)
		req, _ := http.NewRequest(http.MethodPost, rt.base+"invocation/r1/response", upload)
		req.Header.Set("Content-Type", ContentTypeHTTPIntegration)
		req.Header.Set(HeaderResponseMode, "streaming")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	defer func() { <-posted }()
	uploadW.Write([]byte("part"))
	res := <-done
	if res.err != nil {
		t.Fatalf("Invoke: %v", res.err)
	}
	buf := make([]byte, len("part"))
	if _, err := io.ReadFull(res.resp.Body, buf); err != nil {
		t.Fatal(err)
	}
	s.Close(errors.New("the process exited"))
	uploadW.CloseWithError(errors.New("the runtime crashed"))
	_, err := io.ReadAll(res.resp.Body)
	var fe *FunctionError
	if !errors.As(err, &fe) || fe.Type != "Runtime.TruncatedResponse" {
		t.Errorf("reading on = %v, want a Runtime.TruncatedResponse", err)
	}
}

// TestAnswerAfterNext checks that an invocation is no longer the runtime's
// to answer once it has asked for its next event, answered or not: a late
// answer names a request id the server does not know.
func TestAnswerAfterNext(t *testing.T) {
	for _, tc := range []struct {
		name     string
		answered bool // before the runtime asks for its next event
	}{
		{"answered", true},
		{"unanswered", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, rt := startServer(t)
			done := invokeAsync(s, &Invocation{RequestID: "r1", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute)})
			rt.next()
			if tc.answered {
				if status, body := rt.post("invocation/r1/response", strings.NewReader(`1`), nil, nil); status != http.StatusAccepted {
					t.Fatalf("first answer = %d %s, want 202", status, body)
				}
			}
			// Ended by the server's Close at cleanup.
			go http.Get(rt.base + "invocation/next")
			if _, err := s.WaitIdle(t.Context()); err != nil {
				t.Fatal(err)
			}
			<-done
			status, body := rt.post("invocation/r1/response", strings.NewReader(`2`), nil, nil)
			if status != http.StatusBadRequest || !strings.Contains(body, "InvalidRequestID") {
				t.Errorf("answer after the next event was asked for = %d %s, want 400 InvalidRequestID", status, body)
			}
		})
	}
}
