package lambdamcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/lambdamcp/lambdamcp/internal/corsheader"
	"github.com/lambdamcp/lambdamcp/internal/textcut"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Defaults for the streaming options.
const (
	defaultHeartbeat      = 10 * time.Second
	defaultDeadlineMargin = DefaultDeadlineMargin
)

// codeRequestTimeout is the JSON-RPC error code of a request the server
// stopped waiting for, before 2026-07-28 (the code the MCP SDKs of that era
// use for timeouts).
const codeRequestTimeout = -32001

// timeoutCode is the code of the error answering a request the server
// stopped waiting for, under the request's MCP-Protocol-Version. From
// 2026-07-28 on, the spec asks implementations not to use -32000 to -32019
// and assigns timeouts no code, so such an answer is an internal error
// (-32603), its message saying that the request timed out.
func timeoutCode(protocolVersion string) int {
	if protocolVersion >= statelessEra {
		return codeInternalError
	}
	return codeRequestTimeout
}

// Reasons a streamed request's context is cancelled.
var (
	// ErrClientGone is the cancellation cause of a streamed request's
	// context when the stream's reader (the Lambda runtime, and through it
	// the client) went away. (A tool's own context, which the SDK derives
	// and may cancel itself as it closes the session, can report
	// context.Canceled instead.)
	ErrClientGone = errors.New("lambdamcp: the client closed the response stream")

	// ErrDeadlineNear is the cancellation cause of a streamed request's
	// context when the response was ended because the invocation's deadline
	// was near. (A tool's own context, which the SDK derives and may cancel
	// itself as it closes the session, can report context.Canceled instead.)
	ErrDeadlineNear = errors.New("lambdamcp: the invocation's deadline is near")
)

// streamConfig is the part of Options that governs streamed responses.
type streamConfig struct {
	shapes    []Shape
	heartbeat time.Duration // <= 0: none
	margin    time.Duration // < 0: none
}

func newStreamConfig(opts *Options) streamConfig {
	c := streamConfig{heartbeat: opts.Heartbeat, margin: opts.DeadlineMargin}
	for _, s := range opts.Stream {
		switch s {
		case ShapeURL, ShapeREST:
			if !slices.Contains(c.shapes, s) {
				c.shapes = append(c.shapes, s)
			}
		case ShapeHTTP, ShapeALB: // they cannot stream, and are buffered
		default:
			// A name no event has ("URL", "function-url"), from a
			// program's own parsing, would leave the streamed shape
			// buffered: Lambda would send the buffered answer's JSON as
			// the body.
			panic(fmt.Sprintf("lambdamcp: Options.Stream names %q, which is no Shape: use ShapeURL, ShapeREST or ParseStreamShapes", string(s)))
		}
	}
	if c.heartbeat == 0 {
		c.heartbeat = defaultHeartbeat
	}
	if c.margin == 0 {
		c.margin = defaultDeadlineMargin
	}
	return c
}

// Streamed reports whether the response to the request that carries ctx
// goes to the client as it is written: true inside a streamed invocation
// (see Options.Stream), false in a buffered one and outside Lambda. A
// handler can use it to choose SSE where it streams and a single JSON body
// where it is buffered anyway.
func Streamed(ctx context.Context) bool {
	inv := invocationFrom(ctx)
	return inv != nil && inv.streamed
}

// InvokeStream answers one invocation in the form the Lambda runtime
// streams: for a shape named in Options.Stream, the reader yields Lambda's
// HTTP integration response (a JSON prelude with status and headers, eight
// NUL bytes, then the body as the handler writes it); for the other shapes,
// and for HTTP API payload format 1.0 events (shaped as REST ones, but from
// an API that cannot stream), the buffered JSON response that Invoke
// returns. Start uses it when Options.Stream is set.
//
// The reader must be read to its end or closed: closing it early is how the
// client's disconnection reaches the handler, whose request context is then
// cancelled with ErrClientGone. The request is logged, measured and traced
// by the time the reader ends or Close returns, even if a tool that ignores
// its context keeps the handler running.
func (h *Handler) InvokeStream(ctx context.Context, payload []byte) (io.Reader, error) {
	shape, event, httpAPIv1, err := h.decode(ctx, payload)
	if err != nil {
		return nil, err
	}
	if !httpAPIv1 && slices.Contains(h.stream.shapes, shape) {
		switch ev := event.(type) {
		case *events.LambdaFunctionURLRequest:
			return h.streamURL(ctx, ev), nil
		case *events.APIGatewayProxyRequest:
			return h.streamREST(ctx, ev), nil
		}
	}
	b, err := h.invokeBuffered(ctx, event, httpAPIv1)
	if err != nil {
		return nil, err
	}
	return jsonPayload{bytes.NewReader(b)}, nil
}

// jsonPayload is a buffered response handed to the runtime as a reader: it
// keeps the JSON content type and refuses to be marshalled again.
type jsonPayload struct{ *bytes.Reader }

func (jsonPayload) ContentType() string          { return "application/json" }
func (jsonPayload) MarshalJSON() ([]byte, error) { return nil, errors.New("not json") }

func (h *Handler) streamURL(ctx context.Context, ev *events.LambdaFunctionURLRequest) io.Reader {
	rc := ev.RequestContext
	head, body := h.serveStream(ctx, &invocation{shape: ShapeURL, event: ev, streamed: true},
		v2Parts(rc.HTTP.Method, ev.RawPath, true, ev.RawQueryString, ev.Headers, ev.Cookies, rc.DomainName, rc.HTTP.SourceIP, ev.Body, ev.IsBase64Encoded))
	return &events.LambdaFunctionURLStreamingResponse{
		StatusCode: head.status,
		Headers:    joinedHeaders(head.header),
		Cookies:    head.header["Set-Cookie"],
		Body:       body,
	}
}

func (h *Handler) streamREST(ctx context.Context, ev *events.APIGatewayProxyRequest) io.Reader {
	head, body := h.serveStream(ctx, &invocation{shape: ShapeREST, event: ev, authorizer: ev.RequestContext.Authorizer, streamed: true}, restParts(ev, false))
	return &events.APIGatewayProxyStreamingResponse{
		StatusCode:        head.status,
		MultiValueHeaders: head.header,
		Body:              body,
	}
}

// streamHead is a streamed response's status and headers, fixed when the
// first byte of its body is written.
type streamHead struct {
	status int
	header http.Header
}

// serveStream runs the handler for one request in its own goroutine and
// returns as soon as the response's head is known; the body follows through
// the returned reader as the handler writes it.
func (h *Handler) serveStream(ctx context.Context, inv *invocation, p requestParts) (streamHead, io.ReadCloser) {
	ctx, cancel := context.WithCancelCause(ctx)
	pr, pw := io.Pipe()
	w := &streamWriter{header: make(http.Header), pw: pw, ready: make(chan streamHead, 1), cancel: cancel,
		done: make(chan struct{}), finished: make(chan struct{}), prefix: p.prefix, head: p.method == http.MethodHead}
	body := &streamBody{PipeReader: pr, w: w}

	r, err := newRequest(withStream(withInvocation(ctx, inv), w), p)
	if r == nil {
		code := h.rejectRequest(ctx, inv, err)
		// The pipe blocks the write until the caller reads the body, so
		// the answer is written beside the return, as a handler's is.
		go func() {
			defer cancel(nil)
			writeJSONError(w, http.StatusBadRequest, code, err.Error())
			w.finish()
		}()
		return <-w.ready, body
	}
	w.callID, w.listen = callID(r)
	w.timeoutCode = timeoutCode(requestVersion(r.Header))
	w.timeUp = timeUp(ctx, h.stream.margin)

	go func() {
		defer cancel(nil)
		defer w.finish()
		defer func() {
			if v := recover(); v != nil {
				h.log(ctx, slog.LevelError, "handler panicked", slog.String("panic", textcut.Printable(fmt.Sprint(v))))
				w.abort(codeInternalError, "internal error", nil)
			}
		}()
		// The guard logs the request and recovers its panics; it returns
		// when the stream ends, even if the handler it runs does not.
		h.handler.ServeHTTP(w, r)
	}()
	go w.watch(ctx, h.stream)
	return <-w.ready, body
}

// timeUp reports whether a stream begins with its time up: at or past
// the moment, half the margin before the invocation's deadline, at which
// watch answers for its call.
func timeUp(ctx context.Context, margin time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return ok && margin >= 0 && !time.Now().Before(deadline.Add(-margin/2))
}

// callID returns the id of the JSON-RPC call in r's body, or nil when the
// body is not a single call, and whether the call is subscriptions/listen,
// read as the guard reads them (peekRPC). It leaves the body readable.
func callID(r *http.Request) (id json.RawMessage, listen bool) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, false
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	rpc := peekRPC(b)
	if rpc.ID == nil {
		return nil, false
	}
	return rpc.ID, rpc.Method == "subscriptions/listen"
}

// streamBody is the reader handed to the runtime. Closing it before the end
// means the client went away.
type streamBody struct {
	*io.PipeReader
	w *streamWriter
}

// Close returns once the guard has logged the request: the runtime closes
// the reader as the invocation ends.
func (b *streamBody) Close() error {
	err := b.PipeReader.Close() // first: it unblocks a write in progress
	b.w.disconnect()
	<-b.w.finished
	return err
}

type streamKey struct{}

func withStream(ctx context.Context, w *streamWriter) context.Context {
	return context.WithValue(ctx, streamKey{}, w)
}

// StreamMiddleware is a go-sdk receiving middleware that lets a streamed
// response begin before the first message is written. Without it, the
// response head goes out with the first message, so a tool that stays
// silent longer than a gateway allows before the first byte (the REST API's
// integration timeout) is cut off; with it, the head and the heartbeats go
// out at the first heartbeat tick (half of Options.Heartbeat, 5 s by
// default) after the request reaches the server, while a call answered
// sooner still sends its own head. It does nothing outside streamed
// invocations.
//
//	server.AddReceivingMiddleware(lambdamcp.StreamMiddleware)
func StreamMiddleware(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		// The stream of the request that brought the call: a stateful
		// session's later call runs on its first request's context.
		streamCtx := ctx
		if rec := recordOf(ctx, req); rec != nil {
			streamCtx = rec.ctx
		}
		if w, ok := streamCtx.Value(streamKey{}).(*streamWriter); ok {
			w.settle()
		}
		return next(ctx, method, req)
	}
}

// streamWriter is the http.ResponseWriter of a streamed invocation: the
// head is sent when the handler first writes or flushes, and every write
// goes straight to the runtime.
type streamWriter struct {
	header      http.Header // the handler's; read only by the handler's goroutines
	pw          *io.PipeWriter
	ready       chan streamHead // receives the head once
	cancel      context.CancelCauseFunc
	callID      json.RawMessage // the call being answered; nil if none
	listen      bool            // the call is subscriptions/listen
	timeoutCode int             // the code answering the call at the deadline
	timeUp      bool            // the stream began with its time up: the guard answers at once (timeUp)
	corsOrigin  string          // the Origin the guard's CheckOrigin allowed; under mu
	prefix      string          // the request's path prefix (prefixLocation)
	head        bool            // the request is a HEAD: nothing of the body goes out

	// done is closed when the stream ends: the handler returned, the call
	// was answered at the deadline, or the client went away. Nothing is
	// written to the stream after that. finished is closed when the guard
	// has returned too, having logged the request, and the body has been
	// closed: its reader reaches the end only then.
	done     chan struct{}
	finished chan struct{}

	mu        sync.Mutex
	committed bool
	status    int
	sentHead  http.Header // the head that went out, once committed
	sse       bool
	settled   http.Header // a copy of the handler's headers once final (StreamMiddleware)
	held      *heldHead   // a head whose type is to be guessed from the body's start
	late      *lateAnswer // the handler set a status after the head went out; nil if not
	answered  bool        // the call's response has been written
	cut       error       // the answer is incomplete: end the body with this error
	tail      sseTail     // the end of the event stream written so far
	scan      sseScan     // the handler's event stream, read for the call's response
	answer    answerBody  // the answer that went out, when it is no event stream
	closed    bool
	last      time.Time // when the body was last written

	// writing is set while a write to the pipe waits for its reader: the
	// lock is held then, but also, briefly, by the handler's and the guard's
	// bookkeeping, which the deadline must wait for rather than cut.
	writing atomic.Bool
}

func (w *streamWriter) Header() http.Header { return w.header }

// sentStatus is the status of the head that went out, by the handler or
// by abort; 0 before it went.
func (w *streamWriter) sentStatus() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.committed {
		return 0
	}
	return w.status
}

// sentHeader is the value of the header name in the head that went out;
// "" before it went.
func (w *streamWriter) sentHeader(name string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sentHead.Get(name)
}

func (w *streamWriter) WriteHeader(code int) {
	checkWriteHeaderCode(code)
	if interim(code) {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.committed {
		if w.late == nil && code != w.status {
			w.late = &lateAnswer{}
		}
		return
	}
	if w.held != nil {
		return // the status is chosen, as net/http's writer has it
	}
	if sniffs(w.header, code) {
		w.hold(code)
		return
	}
	w.commitLocked(code, w.header, nil)
}

// heldHead is a head whose type net/http's server would guess from the
// body (sniffs): it is held, with the body's first bytes, until they are
// enough to guess from, the handler flushes or the stream ends, as
// net/http holds them in its buffer.
type heldHead struct {
	status int
	header http.Header // as of the status, as net/http's writer takes it
	body   []byte
}

// hold holds the head with status code and the handler's headers as they
// are now.
func (w *streamWriter) hold(code int) {
	w.held = &heldHead{status: code, header: w.header.Clone()}
}

// commitHeldLocked sends the head, and the body's first bytes if held.
func (w *streamWriter) commitHeldLocked() error {
	held := w.held
	if held == nil {
		w.commitLocked(http.StatusOK, w.header, nil)
		return nil
	}
	w.held = nil
	w.commitLocked(held.status, held.header, held.body)
	if len(held.body) == 0 || w.closed {
		return nil
	}
	_, err := w.writeLocked(held.body)
	return err
}

// commitLocked sends the head. first is the start of the body, which a
// head without a type has one guessed from (sniffs).
func (w *streamWriter) commitLocked(code int, header http.Header, first []byte) {
	if w.committed {
		return
	}
	w.committed = true
	w.status = code
	sniff := first != nil && sniffs(header, code)
	head := header.Clone()
	if head == nil {
		head = make(http.Header)
	}
	wireHeader(head)
	prefixLocation(head, w.prefix)
	if sniff {
		setSniffed(head, first)
	}
	mt, _, _ := mime.ParseMediaType(head.Get("Content-Type"))
	w.answer.start(head.Get("Content-Type")) // as the guard reads a buffered one
	if mt == "text/event-stream" {
		w.sse = true
		// Proxies that buffer (nginx and its kin) must pass events on as
		// they come; a handler's own value stands, as it does locally
		// (detachableWriter). head has every spelling under one name.
		if head.Get("X-Accel-Buffering") == "" {
			head.Set("X-Accel-Buffering", "no")
		}
	}
	w.last = time.Now()
	w.sentHead = head
	w.ready <- streamHead{status: code, header: head}
}

func (w *streamWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, io.ErrClosedPipe
	}
	if !w.committed && w.held == nil && sniffs(w.header, http.StatusOK) {
		w.hold(http.StatusOK)
	}
	if len(p) == 0 {
		// As net/http's writer: the status is chosen, and nothing is
		// written. Nothing leaves the function, so the stream is as quiet
		// as it was (a heartbeat is still due), and the call is not
		// answered (the deadline's error is still due).
		if w.held == nil {
			w.commitLocked(http.StatusOK, w.header, nil)
		}
		return 0, nil
	}
	if w.held != nil {
		w.held.body = append(w.held.body, p...)
		w.answered = true
		w.last = time.Now()
		var err error
		if len(w.held.body) >= sniffLen {
			err = w.commitHeldLocked()
		}
		return len(p), err
	}
	w.commitLocked(http.StatusOK, w.header, nil)
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	given := len(p)
	var lateErr error // of what followed the values p finished, after a late status
	if w.late != nil && w.sse {
		// A status set after the head left (an error the SDK answers with
		// its own status) travels as one more event, once its JSON is
		// whole.
		ev, took, err := w.late.add(p)
		if ev == nil {
			return took, err // held or dropped: nothing went out, so the stream is still quiet
		}
		// The values p finished go out even if what follows them fails.
		p, given, lateErr = ev, took, err
	}
	if !w.sse {
		w.answered = true
	}
	n, err := w.writeLocked(p)
	if w.sse {
		// Read across writes: a handler's writes may split a line or an
		// event anywhere.
		w.scan.add(p[:n])
		// A batch's calls are answered each (abort reads which).
		w.answered = w.answered || w.scan.answered && w.scan.calls == nil
	}
	if err != nil {
		// An event is longer than what it frames: the count is the
		// caller's, which io.Copy refuses to see exceeded.
		return min(n, given), err
	}
	// The events went out whole: all the caller's bytes they frame are
	// taken, though an event may be shorter than they are (white space
	// dropped, the next value's start held), and a count short of them
	// with no error would break io.Writer's contract.
	return given, lateErr
}

func (w *streamWriter) writeLocked(p []byte) (int, error) {
	if w.head {
		// As net/http answers a HEAD: the body is taken and dropped
		// (RFC 9110 §9.3.2).
		w.last = time.Now()
		return len(p), nil
	}
	w.writing.Store(true)
	n, err := w.pw.Write(p)
	w.writing.Store(false)
	w.last = time.Now()
	if w.sse {
		w.tail.add(p[:n])
	}
	w.answer.add(p[:n])
	if err != nil {
		w.cancel(ErrClientGone)
		w.closeLocked()
	}
	return n, err
}

// Flush sends the head if it has not gone yet; the body is never held back.
func (w *streamWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.commitHeldLocked()
}

// settle records that the handler's headers are final: StreamMiddleware
// runs after the SDK chose them and before any tool does.
func (w *streamWriter) settle() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.committed && w.settled == nil {
		w.settled = w.header.Clone()
	}
}

// finish ends the stream and closes its body when the handler (the guard)
// returns.
func (w *streamWriter) finish() {
	w.mu.Lock()
	defer w.mu.Unlock()
	// A stream that ended before the handler returned committed its head
	// when it ended, so the handler's headers are read here only when it
	// returned first.
	w.commitHeldLocked()
	if !w.closed && w.late.unfinished() {
		// Half a JSON value framed would be an event no client parses;
		// the call's answer is cut short, and the stream says so.
		w.cut = errLateUnfinished
	}
	w.closeLocked()
	if w.cut != nil {
		// The reader's error becomes the invocation's error trailers, and
		// the client's response ends abnormally.
		w.pw.CloseWithError(w.cut)
	} else {
		w.pw.Close()
	}
	close(w.finished)
}

// errDeadlineCut ends a stream whose write was still blocked on its reader
// when the invocation's deadline came near.
var errDeadlineCut = errors.New("lambdamcp: the invocation's deadline came near while a write waited for the reader")

// errCutShort ends a stream whose answer is known to be incomplete.
var errCutShort = errors.New("lambdamcp: the handler panicked after part of its answer went out")

// errDeadlineUnfinished ends a JSON answer that was empty or unfinished,
// or a head with neither a type nor a body, when the invocation's
// deadline came near.
var errDeadlineUnfinished = errors.New("lambdamcp: the invocation's deadline came near before the answer was whole")

// errDeadlineMidEvent ends an event stream whose handler was in the middle
// of an event when the invocation's deadline came near.
var errDeadlineMidEvent = errors.New("lambdamcp: the invocation's deadline came near in the middle of an event")

// cutShort marks an answer that is not an event stream, whose head (and
// perhaps part of its body) the handler sent before it panicked: no event
// can follow it, so the stream ends with an error rather than as if it
// were whole. (An event stream gets the error as one more event, and an
// answer not begun gets it whole: abort.)
func (w *streamWriter) cutShort() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.held != nil && len(w.held.body) > 0 {
		w.commitHeldLocked() // part of the body is written: it goes out, cut
	}
	if w.committed && !w.sse {
		w.cut = errCutShort
	}
}

// closeLocked ends the stream: what is written to it from now on is
// dropped. The cause of the request context's cancellation, if any, must be
// set first, for the guard reads it when done is closed.
func (w *streamWriter) closeLocked() {
	if !w.closed {
		w.closed = true
		close(w.done)
	}
}

// disconnect is the client going away.
func (w *streamWriter) disconnect() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.cancel(ErrClientGone)
		w.closeLocked()
	}
}

// eventStream reports whether the head that went out was an event stream's.
func (w *streamWriter) eventStream() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sse
}

// allowOrigin makes abort's answer, which is written with headers of its
// own, readable by the page on origin (the Origin the guard allowed, or "").
func (w *streamWriter) allowOrigin(origin string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.corsOrigin = origin
}

// trackBatch tells the stream that it answers a batch's calls: at the
// deadline each of them is answered with its timeout error, by its id,
// unless answered already. It must be called before the handler runs.
func (w *streamWriter) trackBatch(c *callTrack) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.scan.trackCalls(c)
}

// answerBatchLocked answers at the deadline each call of a batch the
// handler has not answered, by its id (batchTimeouts): as a JSON array
// when nothing went out yet, as JSON-RPC 2.0 answers a batch (a batch too
// large to answer each call gets one error without an id, 504), and in an
// event stream, as the go-sdk answers a batch's calls there, with an
// event for each call whose response has not gone out.
func (w *streamWriter) answerBatchLocked(code int) {
	switch {
	case !w.committed:
		status, body := batchTimeoutAnswer(code, w.scan.calls.calls)
		w.commitJSONLocked(status)
		w.writeLocked(body)
	case w.sse:
		errs, _ := batchTimeouts(code, w.scan.calls.calls, w.scan.answeredCall)
		for _, e := range errs {
			w.writeLocked(sseEvent(e))
		}
	}
	w.answered = true
}

// answerLate answers for a handler that failed in plain text after its
// event stream went out (detachableWriter.answerLateError): the call gets
// the error, code and msg, as one more event, or a batch's calls each one,
// unless answered already; a stream answering no call gets none. A handler
// that stopped inside an event has no event follow it: the stream ends
// with an error instead.
func (w *streamWriter) answerLate(code int, msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed || !w.sse || w.answered {
		return
	}
	if !w.tail.betweenEvents() {
		w.cut = errCutShort
		w.answered = true
		return
	}
	switch {
	case w.scan.calls != nil:
		errs, _ := batchErrors(code, w.scan.calls.calls, w.scan.answeredCall, func(rpcPeek) string { return msg }, msg)
		for _, e := range errs {
			w.writeLocked(sseEvent(e))
		}
	case w.callID != nil:
		w.writeLocked(sseEvent(jsonRPCErrorBody(w.callID, code, msg, nil)))
	}
	w.answered = true
}

// commitJSONLocked sends the head of an answer of our own, a JSON one
// with status, with headers of our own (the handler may still be writing
// its map).
func (w *streamWriter) commitJSONLocked(status int) {
	h := make(http.Header)
	h.Set("Content-Type", "application/json")
	if w.corsOrigin != "" {
		corsheader.Allow(h, w.corsOrigin)
	}
	w.held = nil // the handler's status goes nowhere
	w.commitLocked(status, h, nil)
}

// abort ends the stream with a JSON-RPC error answering the call, unless
// the call was answered already. The body is closed by finish, once the
// guard has logged the request.
func (w *streamWriter) abort(code int, msg string, cause error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	// Cancel with the cause before the stream ends: ending it makes the SDK
	// cancel the call too, and the cause must be ours (and the guard's).
	// Before the write, too, which a reader that stopped reading holds
	// until the backstop (watch) closes the pipe: the call ends meanwhile.
	if cause != nil {
		w.cancel(cause)
	}
	if w.held != nil && len(w.held.body) > 0 {
		// What the handler wrote goes out, as it would have unheld.
		w.commitHeldLocked()
	}
	deadline := errors.Is(cause, ErrDeadlineNear)
	if w.committed && w.sse && !w.tail.betweenEvents() {
		// The handler stopped inside an event: ours would split its line
		// or join its data, and nothing can end it cleanly. So even if
		// the event is the call's response: a client drops an event the
		// stream ends inside, so that a clean end would leave the call
		// unanswered.
		w.cut = errCutShort
		if deadline {
			w.cut = errDeadlineMidEvent
		}
		w.answered = true
	}
	if deadline && w.committed && w.answer.unfinished() && w.status != http.StatusAccepted && bodyAllowed(w.status) {
		// A JSON answer left empty or cut short, or a head with neither a
		// type nor a body: it is out, so no error can take its place, and
		// a clean end would pass it for a success.
		w.cut = errDeadlineUnfinished
		w.answered = true
	}
	if !w.answered && deadline && w.scan.calls != nil {
		w.answerBatchLocked(code)
	}
	if !w.answered {
		body := jsonRPCErrorBody(w.callID, code, msg, nil)
		if w.listen && deadline {
			// A subscription the server ends is closed gracefully: a
			// successful response to the listen request.
			body = listenClosed(w.callID)
		}
		switch {
		case !w.committed:
			// Nothing went out yet: a plain JSON answer. A call's
			// timeout is its answer; a panic is the server's failure,
			// answered 500 as a buffered or local one is.
			status := http.StatusInternalServerError
			if deadline {
				status = http.StatusOK
				if w.callID == nil {
					status = http.StatusGatewayTimeout
				}
			}
			w.commitJSONLocked(status)
			w.writeLocked(body)
		case w.sse && w.callID == nil:
			// An event stream that answers no call (a session's
			// standalone stream): an error event would carry no id, a
			// message clients cannot read (the go-sdk's fails its
			// connection). At the deadline the stream ends cleanly, as a
			// server may end it, and the client opens another; after a
			// panic it ends with the error.
			if !deadline {
				w.cut = errCutShort
			}
		case w.sse:
			w.writeLocked(sseEvent(body))
		}
		w.answered = true
	}
	w.closeLocked()
}

// answerUnanswered answers with an internal error (msg), as the call's
// answer, for a handler that returned without answering its call: it
// wrote nothing (a status included), or a 200 event stream, between
// events, in which no event answers it and which gives the client no event
// id to resume it with. It reports whether it did.
func (w *streamWriter) answerUnanswered(msg string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed || w.answered || w.callID == nil || w.scan.calls != nil || w.late != nil || w.held != nil ||
		w.committed && !(w.status == http.StatusOK && w.sse && w.tail.betweenEvents() && !w.scan.resumable) {
		return false
	}
	body := jsonRPCErrorBody(w.callID, codeInternalError, msg, nil)
	if w.committed {
		w.writeLocked(sseEvent(body))
	} else {
		w.commitJSONLocked(http.StatusOK)
		w.writeLocked(body)
	}
	w.answered = true
	w.closeLocked()
	return true
}

// watch writes heartbeats while the stream is quiet and ends it before the
// invocation's deadline.
func (w *streamWriter) watch(ctx context.Context, c streamConfig) {
	var expire <-chan time.Time
	if deadline, ok := ctx.Deadline(); ok && c.margin >= 0 {
		// Half the margin: the first half is the tools' own, to end and
		// answer; the stream's end is the backstop. A stream begun with
		// its time up is answered by the guard instead, before its
		// handler runs, as a buffered one is.
		if !w.timeUp {
			t := time.NewTimer(time.Until(deadline.Add(-c.margin / 2)))
			defer t.Stop()
			expire = t.C
		}
		// A reader that stopped reading holds every write to the pipe, and
		// the lock of the write: a heartbeat's here, which would keep this
		// loop from the deadline, or the deadline's own answer. A quarter
		// of the margin later, a timer that needs neither the lock nor
		// this goroutine ends the call and the stream, so that the write
		// returns and the request is answered for and logged in time. A
		// stream begun with less time left than that still gives the
		// deadline's answer its time to be written (to a reader that
		// reads), half of what is left or a quarter of the margin; one
		// begun past the deadline, a quarter of the margin.
		left := time.Until(deadline)
		wait := left - c.margin/4
		floor := min(c.margin/4, left/2)
		if left <= 0 {
			floor = c.margin / 4
		}
		wait = max(wait, floor)
		backstop := time.AfterFunc(wait, w.cutAtDeadline)
		defer backstop.Stop()
	}
	var beat <-chan time.Time
	if c.heartbeat > 0 {
		// Ticking, and writing after quiet, at half the interval keeps
		// every silence shorter than the interval. (A nanosecond has no
		// half, and a ticker needs a positive interval.)
		t := time.NewTicker(max(c.heartbeat/2, time.Nanosecond))
		defer t.Stop()
		beat = t.C
	}
	for {
		select {
		case <-w.done:
			return
		case <-expire:
			if w.writing.Load() {
				// A write is blocked on a reader slower than the handler
				// (backpressure), holding the lock: the error event could
				// only follow it. End the stream now, with an error, so that
				// the call ends and the request is logged before the
				// deadline; the write returns with the pipe closed. (A
				// write that begins after this look is held to the
				// backstop.)
				w.cutAtDeadline()
			}
			w.abort(w.timeoutCode, "the server ended the request: the Lambda invocation's deadline is near", ErrDeadlineNear)
			return
		case <-beat:
			w.heartbeat(c.heartbeat / 2)
		}
	}
}

// cutAtDeadline ends the call and the stream with an error, without the
// lock a blocked write holds: the write returns with the pipe closed.
func (w *streamWriter) cutAtDeadline() {
	w.cancel(ErrDeadlineNear)
	w.pw.CloseWithError(errDeadlineCut)
}

// heartbeat writes an SSE comment if the event stream has been quiet for
// quiet or longer and does not stand in the middle of a line. Before the
// head has gone out, it sends the head first if the handler's headers are
// known to be final.
func (w *streamWriter) heartbeat(quiet time.Duration) {
	if !w.mu.TryLock() {
		return // a write is under way: the stream is not quiet
	}
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	if !w.committed {
		if w.settled == nil {
			return
		}
		// The type that goes out first, under any spelling, as the head
		// tells an event stream (commitLocked).
		if mt, _, _ := mime.ParseMediaType(firstValue(w.settled, "Content-Type")); mt != "text/event-stream" {
			return
		}
		w.commitLocked(http.StatusOK, w.settled, nil)
	}
	if !w.sse || time.Since(w.last) < quiet {
		return
	}
	switch {
	case w.tail.betweenEvents():
		w.writeLocked([]byte(": heartbeat\n\n"))
	case w.tail.atLineStart():
		// Inside a handler's event, a comment line is skipped by the
		// client's parser; a blank line after it would end the event.
		w.writeLocked([]byte(": heartbeat\n"))
	}
	// Mid-line, the heartbeat waits for the line's end.
}

// listenClosed is the graceful end of a subscriptions/listen stream.
func listenClosed(id json.RawMessage) []byte {
	b, _ := json.Marshal(map[string]any{ // cannot fail: raw JSON from the request
		"jsonrpc": "2.0",
		"id":      id,
		"result": map[string]any{
			"resultType": "complete",
			"_meta":      map[string]any{"io.modelcontextprotocol/subscriptionId": id},
		},
	})
	return b
}

// sseEvent frames a JSON message as one SSE message event. Each of its
// lines is a data line of its own: a line ending inside the message
// (indented JSON, an error written as text) would otherwise end the data
// line early, and a blank line the event, losing the rest to the client.
func sseEvent(data []byte) []byte { return appendSSEEvent(nil, data) }

// appendSSEEvent appends sseEvent(data) to b.
func appendSSEEvent(b, data []byte) []byte {
	data = bytes.TrimSpace(data)
	b = slices.Grow(b, len(data)+len("event: message\ndata: \n\n"))
	b = append(b, "event: message\n"...)
	for {
		i := bytes.IndexAny(data, "\r\n")
		if i < 0 {
			b = append(b, "data: "...)
			b = append(b, data...)
			return append(b, "\n\n"...)
		}
		b = append(b, "data: "...)
		b = append(b, data[:i]...)
		b = append(b, '\n')
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
}
