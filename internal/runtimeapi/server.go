package runtimeapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
)

// ErrClosed is returned by [Server.Invoke] and [Server.WaitIdle] after
// [Server.Close] with a nil error.
var ErrClosed = errors.New("runtime API closed")

const apiPrefix = "/2018-06-01/runtime/"

// Server is the Lambda side of the Runtime API for one execution environment:
// one invocation at a time, like Lambda, or several at once, like Lambda
// Managed Instances ([NewConcurrentServer]). Serve it with any http.Server,
// with [Server.ConnContext] as its ConnContext where other users share the
// machine; the zero value is not usable, use [NewServer].
type Server struct {
	mux     *http.ServeMux
	waiting chan *waiter  // /next handlers offer themselves here
	max     int           // invocations delivered and not yet answered, at most
	slots   chan struct{} // one per invocation taken on, when max > 1

	// Function is what an extension is told of the function when it
	// registers; set it before the server is served.
	Function FunctionInfo

	mu       sync.Mutex
	current  *pending            // max 1: delivered, not yet followed by a /next
	inFlight map[string]*pending // max > 1: taken on, not yet answered in full
	polling  int                 // max > 1: /next requests waiting for an event
	idle     chan struct{}       // closed when the runtime asks for its next event
	idleAt   time.Time
	initDone bool

	extensions map[string]string // registered extensions' names by identifier

	closed    chan struct{}
	closeErr  error
	closeOnce sync.Once

	uid int // the user whose connections ConnContext lets through
}

type waiter struct {
	deliver chan *pending
	gone    <-chan struct{}
}

type pending struct {
	inv       *Invocation
	delivered chan struct{}
	outcome   chan outcome  // buffered: one outcome per invocation
	abandoned chan struct{} // closed when Invoke returned without the outcome
	sent      bool          // handed to the runtime; guarded by Server.mu
	answered  bool          // guarded by Server.mu
}

type outcome struct {
	resp *Response
	err  error
}

func (p *pending) finish(resp *Response, err error) { p.outcome <- outcome{resp, err} }

// NewServer returns a Server waiting for its runtime's first request. It
// serves one invocation at a time: a request for the next event ends the
// one delivered before it.
func NewServer() *Server { return NewConcurrentServer(1) }

// NewConcurrentServer returns a Server that hands its runtime up to max
// invocations at once, as Lambda Managed Instances do for a function whose
// environment says AWS_LAMBDA_MAX_CONCURRENCY=max: the runtime polls for
// events from several workers, and answers each invocation by its request
// id, in any order. A request for the next event then ends no invocation,
// and an answer for a request id that is not in flight is refused. An
// invocation keeps its place until the runtime answers it, even once the
// Invoke that delivered it has given up: a runtime that never answers
// uses up a place for good, as a stuck worker does on Lambda. A max
// below 2 is [NewServer].
func NewConcurrentServer(max int) *Server {
	s := &Server{
		mux:     http.NewServeMux(),
		waiting: make(chan *waiter),
		max:     1,
		idle:    make(chan struct{}),
		closed:  make(chan struct{}),
		uid:     os.Getuid(),
	}
	if max > 1 {
		s.max = max
		s.slots = make(chan struct{}, max)
		s.inFlight = make(map[string]*pending)
	}
	s.mux.HandleFunc(apiPrefix+"invocation/next", s.method(http.MethodGet, s.next))
	s.mux.HandleFunc(apiPrefix+"invocation/{id}/response", s.method(http.MethodPost, s.response))
	s.mux.HandleFunc(apiPrefix+"invocation/{id}/error", s.method(http.MethodPost, s.invocationError))
	s.mux.HandleFunc(apiPrefix+"init/error", s.method(http.MethodPost, s.initError))
	s.mux.HandleFunc(extensionPrefix+"register", s.method(http.MethodPost, s.register))
	s.mux.HandleFunc(extensionPrefix+"event/next", s.method(http.MethodGet, s.eventNext))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, &FunctionError{Type: "InvalidRequest", Message: "unknown Runtime API path " + r.URL.Path})
	})
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if fromBrowser(r) || foreignConn(r) {
		writeJSON(w, http.StatusForbidden, &FunctionError{Type: "InvalidRequest", Message: "the Runtime API answers the function's runtime only"})
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) method(m string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != m {
			w.Header().Set("Allow", m)
			writeJSON(w, http.StatusMethodNotAllowed, &FunctionError{Type: "InvalidRequest", Message: r.Method + " not allowed, use " + m})
			return
		}
		h(w, r)
	}
}

// Close ends the environment: pending and future calls to Invoke and
// WaitIdle return err (ErrClosed when err is nil), and waiting runtimes get a
// 500. The owner calls it when the runtime process exits or is killed.
func (s *Server) Close(err error) {
	s.closeOnce.Do(func() {
		if err == nil {
			err = ErrClosed
		}
		s.mu.Lock()
		s.closeErr = err
		s.mu.Unlock()
		close(s.closed)
	})
}

func (s *Server) closeError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closeErr
}

// WaitIdle blocks until the runtime asks for its next event: the first time
// that ends the init phase, later it ends the invocation delivered last (on
// a concurrent server: until some worker of the runtime waits for an event,
// and Lambda may deliver one more). It
// returns the time the request arrived. If the runtime posted an init error
// or the server was closed first, it returns that error.
func (s *Server) WaitIdle(ctx context.Context) (time.Time, error) {
	s.mu.Lock()
	idle := s.idle
	s.mu.Unlock()
	select {
	case <-idle:
	case <-s.closed:
		select {
		case <-idle:
		default:
			return time.Time{}, s.closeError()
		}
	case <-ctx.Done():
		return time.Time{}, ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.idleAt, nil
}

// Invoke hands inv to the runtime as soon as it asks for an event, and
// returns its response or its error (a *FunctionError). In stream mode it
// returns when the runtime starts the response; the body then follows.
// It returns ctx.Err() when ctx ends first, and the close error when the
// server is closed first.
//
// A server of [NewConcurrentServer] takes on up to its max invocations at
// once; Invoke waits for one of them to be answered before it hands over
// one more. It refuses an invocation whose request id is in flight already:
// the runtime's answer could not tell the two apart.
func (s *Server) Invoke(ctx context.Context, inv *Invocation) (*Response, error) {
	p := &pending{inv: inv, delivered: make(chan struct{}), outcome: make(chan outcome, 1), abandoned: make(chan struct{})}
	if err := s.takeOn(ctx, p); err != nil {
		return nil, err
	}
	for delivered := false; !delivered; {
		select {
		case w := <-s.waiting:
			select {
			case w.deliver <- p:
				<-p.delivered
				delivered = true
			case <-w.gone:
			}
		case <-s.closed:
			s.settle(p)
			return nil, s.closeError()
		case <-ctx.Done():
			s.settle(p)
			return nil, ctx.Err()
		}
	}
	select {
	case o := <-p.outcome:
		return o.resp, o.err
	case <-s.closed:
		select {
		case o := <-p.outcome:
			return o.resp, o.err
		default:
			close(p.abandoned)
			return nil, s.closeError()
		}
	case <-ctx.Done():
		close(p.abandoned)
		return nil, ctx.Err()
	}
}

// takeOn holds one of a concurrent server's slots for p, and enters it
// among the invocations in flight, until settle.
func (s *Server) takeOn(ctx context.Context, p *pending) error {
	if s.max == 1 {
		return nil
	}
	select {
	case s.slots <- struct{}{}:
	case <-s.closed:
		return s.closeError()
	case <-ctx.Done():
		return ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.inFlight[p.inv.RequestID]; dup {
		<-s.slots
		return fmt.Errorf("runtimeapi: request %s is in flight already", p.inv.RequestID)
	}
	s.inFlight[p.inv.RequestID] = p
	return nil
}

// settle gives back the slot p held on a concurrent server: it was answered
// in full, or never handed to the runtime.
func (s *Server) settle(p *pending) {
	if s.max == 1 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inFlight[p.inv.RequestID] == p {
		delete(s.inFlight, p.inv.RequestID)
		<-s.slots
	}
}

func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.current != nil {
		if !s.current.answered {
			s.current.answered = true
			s.current.finish(nil, &FunctionError{Type: "Runtime.NoResponse", Message: "the runtime asked for the next event without answering request " + s.current.inv.RequestID})
		}
		s.current = nil
	}
	if s.max > 1 {
		s.polling++
	}
	select {
	case <-s.idle:
	default:
		s.idleAt = time.Now()
		s.initDone = true
		close(s.idle)
	}
	s.mu.Unlock()

	wt := &waiter{deliver: make(chan *pending), gone: r.Context().Done()}
	var p *pending
	select {
	case s.waiting <- wt:
		select {
		case p = <-wt.deliver:
		case <-s.closed:
		case <-r.Context().Done():
		}
	case <-s.closed:
	case <-r.Context().Done():
	}
	s.mu.Lock()
	if p != nil {
		p.sent = true
		if s.max == 1 {
			s.current = p
			s.idle = make(chan struct{})
		}
	}
	if s.max > 1 {
		// Idle while some worker waits for an event, as Lambda sees it.
		if s.polling--; s.polling == 0 {
			s.idle = make(chan struct{})
		}
	}
	s.mu.Unlock()
	if p == nil {
		if r.Context().Err() == nil {
			writeJSON(w, http.StatusInternalServerError, &FunctionError{Type: "ServiceException", Message: "the execution environment is shutting down"})
		}
		return
	}
	close(p.delivered)

	inv := p.inv
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set(HeaderRequestID, inv.RequestID)
	h.Set(HeaderDeadlineMs, strconv.FormatInt(inv.Deadline.UnixMilli(), 10))
	h.Set(HeaderInvokedFunctionARN, inv.FunctionARN)
	h.Set(HeaderTraceID, inv.TraceID)
	if inv.ClientContext != "" {
		h.Set(HeaderClientContext, inv.ClientContext)
	}
	if inv.CognitoIdentity != "" {
		h.Set(HeaderCognitoIdentity, inv.CognitoIdentity)
	}
	w.WriteHeader(http.StatusOK)
	w.Write(inv.Payload)
}

// answer claims the invocation id for a /response or /error post: the
// current one, or one of those in flight on a concurrent server. It writes
// the refusal itself and returns nil when the post is not acceptable. The
// caller settles the invocation once it has read the answer.
func (s *Server) answer(w http.ResponseWriter, id string) *pending {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.current
	if s.max > 1 {
		p = s.inFlight[id]
	}
	switch {
	case p == nil || !p.sent || p.inv.RequestID != id:
		writeJSON(w, http.StatusBadRequest, &FunctionError{Type: "InvalidRequestID", Message: "Invalid request ID"})
		return nil
	case p.answered:
		writeJSON(w, http.StatusBadRequest, &FunctionError{Type: "InvalidStateTransition", Message: "request " + id + " was already answered"})
		return nil
	}
	p.answered = true
	return p
}

func (s *Server) response(w http.ResponseWriter, r *http.Request) {
	p := s.answer(w, r.PathValue("id"))
	if p == nil {
		return
	}
	defer s.settle(p)
	contentType := r.Header.Get("Content-Type")
	if p.inv.Stream {
		s.stream(w, r, p, contentType)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBufferedResponse+1))
	switch {
	case err != nil:
		p.finish(nil, &FunctionError{Type: "Runtime.TruncatedResponse", Message: "reading the response: " + err.Error()})
		return
	case len(body) > MaxBufferedResponse:
		msg := "Response payload size exceeded maximum allowed payload size (" + strconv.Itoa(MaxBufferedResponse) + " bytes)."
		p.finish(nil, &FunctionError{Type: "Function.ResponseSizeTooLarge", Message: msg})
		writeJSON(w, http.StatusRequestEntityTooLarge, &FunctionError{Type: "RequestEntityTooLarge", Message: msg})
		return
	}
	if fe := trailerError(r.Trailer); fe != nil {
		p.finish(nil, fe)
	} else {
		p.finish(&Response{ContentType: contentType, Body: io.NopCloser(bytes.NewReader(body))}, nil)
	}
	writeAccepted(w)
}

// stream hands the response body on as it arrives. Errors the runtime reports
// in the trailers, or a broken upload, reach the reader as a *FunctionError.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, p *pending, contentType string) {
	pr, pw := io.Pipe()
	p.finish(&Response{ContentType: contentType, Body: pr}, nil)
	copied := make(chan struct{})
	defer close(copied)
	go func() {
		// Nobody will read a body whose Invoke gave up (its context ended,
		// or the server closed, as the response began): the copy would
		// wait for ever. A body being read is left to end as the runtime
		// ends it, with its own error if it fails.
		select {
		case <-p.abandoned:
			pr.CloseWithError(io.ErrClosedPipe)
		case <-copied:
		}
	}()
	n, err := io.Copy(pw, io.LimitReader(r.Body, MaxStreamedResponse))
	if err == nil && n == MaxStreamedResponse {
		var more [1]byte
		if k, _ := io.ReadFull(r.Body, more[:]); k == 1 {
			n++ // one byte past the limit: not handed on
		}
	}
	switch {
	case errors.Is(err, io.ErrClosedPipe):
		io.Copy(io.Discard, r.Body) // the reader left; let the runtime finish its post
	case err != nil:
		pw.CloseWithError(&FunctionError{Type: "Runtime.TruncatedResponse", Message: "reading the response stream: " + err.Error()})
		return
	case n > MaxStreamedResponse:
		msg := "Response payload size exceeded maximum allowed payload size (" + strconv.Itoa(MaxStreamedResponse) + " bytes)."
		pw.CloseWithError(&FunctionError{Type: "Function.ResponseSizeTooLarge", Message: msg})
		io.Copy(io.Discard, r.Body)
		writeJSON(w, http.StatusRequestEntityTooLarge, &FunctionError{Type: "RequestEntityTooLarge", Message: msg})
		return
	}
	if fe := trailerError(r.Trailer); fe != nil {
		pw.CloseWithError(fe)
	} else {
		pw.Close()
	}
	writeAccepted(w)
}

func (s *Server) invocationError(w http.ResponseWriter, r *http.Request) {
	p := s.answer(w, r.PathValue("id"))
	if p == nil {
		return
	}
	defer s.settle(p)
	body, _ := io.ReadAll(io.LimitReader(r.Body, MaxBufferedResponse))
	p.finish(nil, decodeFunctionError(r.Header.Get(HeaderFunctionErrorType), body))
	writeAccepted(w)
}

func (s *Server) initError(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	initDone := s.initDone
	s.mu.Unlock()
	if initDone {
		writeJSON(w, http.StatusForbidden, &FunctionError{Type: "InvalidStateTransition", Message: "init error posted after the init phase"})
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, MaxBufferedResponse))
	fe := decodeFunctionError(r.Header.Get(HeaderFunctionErrorType), body)
	writeAccepted(w)
	s.Close(fe)
}

// trailerError reads the error a streaming runtime reports after the body.
// The error body trailer is base64-encoded JSON.
func trailerError(t http.Header) *FunctionError {
	typ := t.Get(HeaderFunctionErrorType)
	if typ == "" {
		return nil
	}
	raw := t.Get(HeaderFunctionErrorBody)
	if b, err := base64.StdEncoding.DecodeString(raw); err == nil {
		raw = string(b)
	}
	return decodeFunctionError(typ, []byte(raw))
}

func writeAccepted(w http.ResponseWriter) {
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "OK"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
