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
	"reflect"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/lambdamcp/lambdamcp/internal/corsheader"
	"github.com/lambdamcp/lambdamcp/internal/textcut"
	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Defaults for the deadline options.
const (
	DefaultDeadlineMargin = 500 * time.Millisecond
	DefaultGatewayTimeout = 29 * time.Second // API Gateway's integration timeout
)

// Guard wraps h with what NewHandler puts around every request: the limits,
// the Accept rules, JSON error bodies, panic recovery, the deadline, the
// per-request log line, metrics and tracing. Local servers use it so that
// they answer as the Lambda function does:
//
//	http.ListenAndServe("127.0.0.1:8080", lambdamcp.Guard(handler, opts))
//
// opts may be nil; h may not (Guard panics). Options.Limits.MaxResponseBytes
// does not apply here (plain HTTP has no response limit). A request that
// reaches Guard's handler through another guard (the handler given to
// NewHandler, Start, serve.Run or Guard) is guarded once, by the outer one
// with its options, and logged and measured once; Guard's own CheckOrigin
// still refuses an Origin it disallows.
func Guard(h http.Handler, opts *Options) http.Handler {
	return newGuard(h, opts)
}

type guard struct {
	next           http.Handler
	limits         Limits
	jsonResponse   bool
	margin         time.Duration
	gatewayTimeout time.Duration
	logger         *slog.Logger
	checkOrigin    func(*http.Request) bool
	metrics        *emfWriter
	tracer         Tracer
	knownTools     knownTools
	// running holds the records of the requests whose handlers run, by
	// the header maps the handlers got (see recordOf).
	running sync.Map
}

// knownTools are the names of tools the server has run (Middleware saw
// them answered, not refused as unknown) or listed (Middleware saw them in
// a tools/list result). A call that ends before its tool answers — a
// timeout, a client gone — is still named by its tool when the server ran
// or listed that tool before. Only the server's own tools get
// in, so the set stays as small as the server's tool list; maxKnownTools
// bounds it for a server that adds tools as it goes.
type knownTools struct {
	mu    sync.RWMutex
	names map[string]struct{}
}

const maxKnownTools = 1024

// add records name, one of the server's tools; "" is none (the spec asks
// for names of at least one character), and every call without a
// name is named OtherTool: it takes none of the set's room.
func (k *knownTools) add(name string) {
	if name == "" {
		return
	}
	k.mu.RLock()
	_, ok := k.names[name]
	k.mu.RUnlock()
	if ok {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.names == nil {
		k.names = make(map[string]struct{})
	}
	if len(k.names) < maxKnownTools {
		k.names[name] = struct{}{}
	}
}

func (k *knownTools) has(name string) bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	_, ok := k.names[name]
	return ok
}

func newGuard(h http.Handler, opts *Options) *guard {
	if h == nil {
		// Refused here, as http.ServeMux refuses one, rather than at
		// every request, each answered 500 with a logged panic.
		panic("lambdamcp: nil http.Handler")
	}
	if opts == nil {
		opts = &Options{}
	}
	if !opts.RawErrors {
		h = JSONErrors(h)
	}
	g := &guard{
		next:           h,
		limits:         opts.Limits.withDefaults(),
		jsonResponse:   opts.JSONResponse,
		margin:         opts.DeadlineMargin,
		gatewayTimeout: opts.GatewayTimeout,
		logger:         opts.Logger,
		checkOrigin:    opts.CheckOrigin,
		tracer:         opts.Tracer,
	}
	if g.margin == 0 {
		g.margin = DefaultDeadlineMargin
	}
	if g.gatewayTimeout == 0 {
		g.gatewayTimeout = DefaultGatewayTimeout
	}
	if g.logger != nil {
		if _, ok := g.logger.Handler().(*logHandler); !ok {
			g.logger = slog.New(NewLogHandler(g.logger.Handler()))
		}
	}
	if opts.Metrics != nil {
		ns := opts.MetricsNamespace
		if ns != "" && !validMetricsNamespace(ns) {
			if g.logger != nil {
				g.logger.Warn("Options.MetricsNamespace is no CloudWatch namespace, which would drop every metric: using "+DefaultMetricsNamespace,
					slog.String("namespace", textcut.Printable(textcut.Cut(ns, 300))))
			}
			ns = ""
		}
		g.metrics = newEMFWriter(opts.Metrics, ns)
	}
	return g
}

// requestRecord is what lambdamcp learns about one request while serving
// it. The guard makes it; Middleware, inside the SDK, adds what only the
// server sees (the caller, the call's outcome, a panic).
type requestRecord struct {
	rpc             rpcPeek
	batch           *callTrack      // the calls of a batch the go-sdk serves (batchCalls); nil if none
	ctx             context.Context // the request's, ended by the guard
	toolDeadline    time.Time       // zero: none
	acceptRewritten bool            // the client's Accept did not list text/event-stream
	body            []byte          // a POST's body, as the handler reads it
	corsOrigin      string          // the Origin CheckOrigin allowed; "" if none

	known   *knownTools // the guard's
	running *sync.Map   // the guard's
	metrics *emfWriter  // the guard's: Middleware measures a batch's tool calls
	ended   atomic.Bool // the handler returned: later calls are other requests'

	mu        sync.Mutex
	method    string // the JSON-RPC method the server dispatched (Middleware)
	tool      string
	toolKnown bool   // Middleware saw the server run a tool of that name
	prompt    string // a prompts/get's prompt, once the server answered it (Middleware)
	uri       string // a resource method's URI, as the server dispatched it (Middleware)
	subject   string
	client    *mcp.Implementation // the client software, as it names itself (Middleware)
	session   string              // the id of the go-sdk session that served a call, "" for none (Middleware)
	sessionOK bool                // Middleware saw a call: session is known
	outcome   string              // set by Middleware
	panicked  any
	stack     []byte

	// For the span (RequestResult) and the log line.
	observed  bool   // the answer is read for them: set before the handler runs, when traced, logged or measured
	version   string // the request's MCP-Protocol-Version, once checked
	agreed    string // the protocol version of an initialize result (Middleware)
	errorCode string // the JSON-RPC error code answered, as text; "" if none seen
	errorMsg  string // the message of that error
	toolError bool   // a tool result marked isError (Middleware)

	// A call of the batch failed: method, tool, prompt and uri are its,
	// and errorCode and toolError (noteAnswer).
	batchFailed bool

	// A batch's tool calls, each measured on its own: those Middleware
	// measured, by the name the call gave, and whether the request is
	// measured (finish measures the rest, and Middleware no more).
	batchMeasured []string
	batchDone     bool
}

type recordKey struct{}

func recordFrom(ctx context.Context) *requestRecord {
	rec, _ := ctx.Value(recordKey{}).(*requestRecord)
	return rec
}

// recordOf is the record of the request that brought the call req to the
// server. The go-sdk runs every call of a stateful session on the context
// of the session's first request, whose record recordFrom finds: a later
// request's call is found by the header map its request came with (the
// go-sdk's RequestExtra.Header), and gets none when that is no map the
// guard handed a handler (a middleware in between replaced it) and the
// first request is over.
func recordOf(ctx context.Context, req mcp.Request) *requestRecord {
	rec := recordFrom(ctx)
	if rec == nil {
		return nil
	}
	if extra := req.GetExtra(); extra != nil && rec.running != nil {
		if key := headerKey(extra.Header); key != nil {
			if other, ok := rec.running.Load(key); ok {
				return other.(*requestRecord)
			}
		}
	}
	if rec.ended.Load() {
		return nil
	}
	return rec
}

// withRequestValues gives ctx, the context of a call that came on rec's
// request but runs on another request's context (a stateful session's
// later call, see recordOf), the values of rec's request as the guard
// passed it on: the Lambda context and the runtime's trace header, the
// invocation, the record, the stream and the Tracer's span, so that
// RequestID, Event, AuthorizerContext and Streamed tell of the call's own
// request and what the tool traces belongs to its trace. Values that
// handlers inside the guard put in a request's context, its cancellation
// and deadline stay ctx's.
func withRequestValues(ctx context.Context, rec *requestRecord) context.Context {
	return requestValues{Context: ctx, req: context.WithoutCancel(rec.ctx)}
}

// requestValues is a call's context whose values are first looked up in
// its request's (withRequestValues). That one is WithoutCancel's, whose
// lookups leave the context package's own (a Cause) to the call's.
type requestValues struct {
	context.Context
	req context.Context
}

func (c requestValues) Value(key any) any {
	if v := c.req.Value(key); v != nil {
		return v
	}
	return c.Context.Value(key)
}

// headerKey identifies a header map, shared by the requests a handler
// derives from the one it got (WithContext); nil for a nil map.
func headerKey(h http.Header) any {
	if h == nil {
		return nil
	}
	return reflect.ValueOf(h).UnsafePointer()
}

// OtherTool is the Tool dimension of the metrics of calls whose tool the
// server did not confirm: it has no Middleware, it answered that no tool
// has the name the client sent, or the call ended before the tool
// answered and the server had neither run nor listed that tool before.
const OtherTool = "other"

// clientMethods are the methods a client sends a server in the protocol
// eras lambdamcp serves (the schemas of 2025-11-25 and 2026-07-28): a span
// of a request the server did not dispatch (refused before it, or without
// Middleware) is named by its method only if it is one of these, so that
// a client cannot make span names up.
var clientMethods = map[string]bool{
	"initialize": true, "ping": true, "server/discover": true, "subscriptions/listen": true,
	"tools/list": true, "tools/call": true,
	"resources/list": true, "resources/read": true, "resources/templates/list": true,
	"resources/subscribe": true, "resources/unsubscribe": true,
	"prompts/list": true, "prompts/get": true, "completion/complete": true, "logging/setLevel": true,
	"tasks/get": true, "tasks/list": true, "tasks/result": true, "tasks/cancel": true,
	"notifications/initialized": true, "notifications/cancelled": true, "notifications/progress": true,
	"notifications/roots/list_changed": true, "notifications/tasks/status": true,
}

// maxLoggedToolBytes bounds the tool name and the method a log line
// repeats: MCP tool names are at most 128 characters, and a client may
// send any.
const maxLoggedToolBytes = 128

// maxLoggedSubjectBytes bounds the caller's subject in the log line: it
// comes from a verified token, or from an authorizer's context, but its
// size is the issuer's.
const maxLoggedSubjectBytes = 256

// maxLoggedGatewayIDBytes bounds a gateway's request id in the log line:
// AWS's are UUIDs or shorter, but anyone allowed to invoke the function
// may send an event of their own.
const maxLoggedGatewayIDBytes = 128

// clientText is the client software as the log line names it, "name" or
// "name/version", each cut short as a tool's name is: the client chooses
// both.
func clientText(c *mcp.Implementation) string {
	if c == nil || c.Name == "" {
		return ""
	}
	if c.Version == "" {
		return textcut.Cut(c.Name, maxLoggedToolBytes)
	}
	return textcut.Cut(c.Name, maxLoggedToolBytes) + "/" + textcut.Cut(c.Version, maxLoggedToolBytes)
}

// gatewayRequestID is the request id the gateway or Function URL gave the
// request: what its access log calls requestId ($context.requestId), so
// that an operator can join a gateway's line to the function's. ALB
// events carry none.
func gatewayRequestID(ev any) string {
	switch ev := ev.(type) {
	case *events.APIGatewayProxyRequest:
		return ev.RequestContext.RequestID
	case *events.APIGatewayV2HTTPRequest:
		return ev.RequestContext.RequestID
	case *events.LambdaFunctionURLRequest:
		return ev.RequestContext.RequestID
	}
	return ""
}

// Outcomes of a request, as logged, traced and measured.
const (
	OutcomeOK        = "ok"        // answered with a result
	OutcomeError     = "error"     // a JSON-RPC error or a tool result with isError
	OutcomeRejected  = "rejected"  // refused with an HTTP 4xx status, or the 501 of a Transfer-Encoding other than chunked
	OutcomeTimeout   = "timeout"   // ran out of time before the deadline
	OutcomeCancelled = "cancelled" // the client went away
	OutcomePanic     = "panic"     // the handler or a tool panicked
)

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if recordFrom(r.Context()) != nil {
		// Another guard serves the request already (Guard's handler
		// handed to NewHandler, Start or Guard): it applies its options,
		// and a second would log, measure and trace the request again.
		// Its own Origin check still applies: the outer guard's options
		// may check none, and a foreign page would then reach the handler.
		if rec := recordFrom(r.Context()); g.checkOrigin != nil && r.Header.Get("Origin") != "" && !g.checkOrigin(r) {
			rec.noteError(codeInvalidRequest, originRefusedMessage)
			writeRPCError(w, http.StatusForbidden, rec.rpc.ID, codeInvalidRequest, originRefusedMessage, nil)
			return
		}
		g.next.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	rec := &requestRecord{known: &g.knownTools, running: &g.running, metrics: g.metrics}
	gw := &guardWriter{ResponseWriter: w}
	ctx := context.WithValue(r.Context(), recordKey{}, rec)
	ctx, cancel, deadline := g.withDeadline(ctx, start, rec)
	defer cancel()
	var endSpan func(RequestResult)
	// Whatever reports the request reads the same outcome: a code the
	// go-sdk answered itself is read for the metrics too.
	rec.observed = g.tracer != nil || g.logger != nil || g.metrics != nil
	if g.tracer != nil {
		ctx, endSpan = g.startSpan(ctx, RequestInfo{Method: r.Method, Scheme: requestScheme(r), Path: r.URL.Path,
			Shape: EventShape(ctx), RequestID: RequestID(ctx), Deadline: deadline,
			RemoteAddr: r.RemoteAddr, Host: r.Host, Proto: requestProto(r)})
	}
	rec.ctx = ctx // with the span: what the handler's calls trace is part of it
	r = r.WithContext(ctx)
	outcome := g.serve(gw, r, rec)
	if buf, ok := gw.ResponseWriter.(*responseBuffer); ok && buf.seal(rec.rpc.ID, rec.corsOrigin) {
		rec.noteError(codeInternalError, buf.sealMsg)
		gw.wroteHeader, gw.status = true, buf.statusCode()
		if gw.status == http.StatusOK {
			outcome = OutcomeError
		}
	}
	g.finish(r, rec, gw, outcome, start, endSpan)
	if gw.broken {
		// Part of an answer that will never be whole is out: net/http's
		// signal cuts the connection, so that the client does not take
		// the part for the whole.
		panic(http.ErrAbortHandler)
	}
}

// requestProto is the HTTP version the client called r with: the one the
// event's front reports (an ALB's reports none), or, for a request net/http
// read, r.Proto. A request made from an event says HTTP/1.1 whatever the
// client spoke.
func requestProto(r *http.Request) string {
	switch ev := Event(r.Context()).(type) {
	case nil:
		return r.Proto
	case *events.APIGatewayProxyRequest:
		return ev.RequestContext.Protocol
	case *events.APIGatewayV2HTTPRequest:
		return ev.RequestContext.HTTP.Protocol
	case *events.LambdaFunctionURLRequest:
		return ev.RequestContext.HTTP.Protocol
	}
	return ""
}

// requestScheme is the scheme the client called r with: the event's
// (newRequest sets it in r.URL), or, for a request net/http read, whether
// it came over TLS.
func requestScheme(r *http.Request) string {
	switch {
	case r.URL.Scheme != "":
		return r.URL.Scheme
	case r.TLS != nil:
		return "https"
	}
	return "http"
}

// serve checks the request, runs the handler and answers what the handler
// could not; it returns the outcome the guard itself saw ("" if none).
//
// The handler runs on its own goroutine so that the guard can answer when
// the request's time runs out even if the handler does not return: the
// go-sdk's stateless handler waits for every call it started, and a tool
// that ignores its context would otherwise hold the answer past the
// gateway's and Lambda's deadlines. Such a handler is left to finish on its
// own; whatever it writes after that is dropped.
func (g *guard) serve(w *guardWriter, r *http.Request, rec *requestRecord) (outcome string) {
	rej := g.check(r, rec)
	w.corsOrigin = rec.corsOrigin
	if rej != nil {
		rec.noteError(rej.code, rej.msg)
		w.allowOrigin()
		if rej.acceptIdentity {
			w.Header().Set("Accept-Encoding", "identity") // RFC 9110 §15.5.16
		}
		if len(rej.batch) > 0 {
			writeRPCErrors(w, rej.status, rej.batch, rej.code, rej.msg)
		} else {
			writeRPCError(w, rej.status, rec.rpc.ID, rej.code, rej.msg, rej.data)
		}
		if rej.panicked {
			return OutcomePanic
		}
		return OutcomeRejected
	}
	if sw, ok := w.ResponseWriter.(*streamWriter); ok {
		sw.allowOrigin(rec.corsOrigin)
		return g.serveStreamed(w, sw, r, rec)
	}
	dw := newDetachableWriter(w)
	// A ResponseWriter may not be used once its handler returned: what a
	// goroutine of the handler's wrote then would land in a buffered
	// response as it is encoded, or, locally, in net/http's buffer, which
	// net/http hands on to another connection.
	defer dw.detach()
	if rec.batch != nil {
		dw.trackBatch(rec.batch)
	}
	ctx := r.Context()
	var draining, held <-chan struct{} // nil: never
	if rec.rpc.Method == "subscriptions/listen" && rec.rpc.ID != nil {
		draining = drainingFrom(ctx)
		if _, buffered := w.ResponseWriter.(*responseBuffer); buffered {
			held = dw.watchListen()
		}
	}
	done := g.run(dw, r, rec, true)
	var again <-chan time.Time
wait:
	for {
		select {
		case v := <-done:
			if v != nil {
				return OutcomePanic
			}
			if ctx.Err() == nil && unansweredCall(r, rec) && dw.unanswered() {
				// The handler returned without answering its call:
				// the go-sdk does so for the calls still running
				// when their session closes (a stateless session
				// closes when a ServerOptions.KeepAlive ping
				// fails, as every ping it sends does). An empty
				// 200 is no answer a client can read; the call's
				// error, 200 as a call's own, is.
				msg := callUnanswered(rec.rpc)
				rec.noteError(codeInternalError, msg)
				dw.answerIfSilent(http.StatusOK, rec.rpc.ID, codeInternalError, msg)
				dw.answerInStream(rec.rpc.ID, codeInternalError, msg)
				dw.detach()
				return ""
			}
			if ctx.Err() == nil || dw.answered(rec.rpc.ID != nil) {
				dw.cutUnfinishedLate()
				dw.finishHeader()
				return ""
			}
			break wait
		case <-held:
			// A buffered invocation's answer reaches the client only
			// when it ends, so a subscription can deliver nothing after
			// its acknowledgement: end it there, with its result, rather
			// than hold the invocation to its deadline (a go-sdk server
			// that infers its capabilities promises list changes).
			if dw.closeListen(rec.rpc.ID) {
				dw.detach()
				return ""
			}
			held = nil
		case <-draining:
			// The server is shutting down: a subscription under way ends
			// with its result. (Cancelling the handler would not do: the
			// go-sdk drops a listen's result when its request's context
			// ends.) One whose event stream has not begun may still be
			// refused, by the go-sdk or whatever is in front of it: its
			// answer is the handler's, looked at again shortly.
			if dw.closeListen(rec.rpc.ID) {
				dw.detach()
				return ""
			}
			draining, again = nil, time.After(drainPoll)
		case <-again:
			draining = drainingFrom(ctx) // closed: looked at at once
		case <-ctx.Done():
			break wait
		}
	}
	if context.Cause(ctx) == context.Canceled {
		dw.detach()
		return OutcomeCancelled
	}
	// The SDK stopped waiting for the call, or the handler has not
	// returned: answer the call ourselves.
	if r.Method == http.MethodPost {
		// A call's error is its answer; a request without an id (a
		// notification) has no call to answer, and gets an HTTP error, as
		// the transport requires of input the server could not accept.
		status := http.StatusOK
		if rec.rpc.ID == nil {
			status = http.StatusGatewayTimeout
		}
		code := timeoutCode(rec.version)
		if rec.rpc.ID == nil && rec.batch != nil {
			// A batch's calls are each answered by their ids, as JSON-RPC
			// 2.0 answers a batch, as the go-sdk answers them, and as a
			// call on its own is.
			dw.answerBatchIfSilent(code, rec.batch.calls)
			dw.answerBatchInStream(code)
		}
		dw.answerIfSilent(status, rec.rpc.ID, code, timeoutMessage(rec))
		dw.answerUnfinishedJSON(status, rec.rpc.ID, code, timeoutMessage(rec))
		dw.answerInStream(rec.rpc.ID, code, timeoutMessage(rec))
	}
	dw.detach()
	return OutcomeTimeout
}

// run runs the handler on a goroutine of its own, which it first gives
// the stack the go-sdk's path needs (growStack), and sends on the channel
// what the handler panicked with, or nil once it returned. A panic is noted
// in rec, and with answerPanic answered as an internal error
// (answerPanicked).
func (g *guard) run(dw *detachableWriter, r *http.Request, rec *requestRecord, answerPanic bool) <-chan any {
	done := make(chan any, 1)
	id := RequestID(r.Context())
	if id != "" {
		inFlight.begin(id) // for the go-sdk's log records, which carry no context
	}
	key := headerKey(r.Header)
	if key != nil {
		g.running.Store(key, rec)
	}
	go func() {
		growStack()
		defer func() {
			if key != nil {
				g.running.CompareAndDelete(key, rec)
			}
			rec.ended.Store(true)
			if id != "" {
				inFlight.end(id)
			}
			v := recover()
			if v != nil {
				rec.notePanic(v, debug.Stack())
				if answerPanic {
					dw.answerPanicked(rec.rpc.ID, internalErrorMessage(r.Context()), v == http.ErrAbortHandler)
				}
			}
			done <- v
		}()
		g.next.ServeHTTP(dw, r)
	}()
	return done
}

// serveStreamed runs the handler of a streamed invocation on a goroutine
// of its own, as serve does. stream.go ends the stream itself: with a
// JSON-RPC error before the deadline, or when the client goes away. The
// guard then stops waiting for a handler that has not returned (the go-sdk
// waits for a tool that ignores its context), so that the request is
// logged, measured and traced when its stream ends rather than when such a
// tool finally returns, if ever; whatever the handler writes after that is
// dropped. The guard also turns a panic into the stream's error answer.
func (g *guard) serveStreamed(w *guardWriter, sw *streamWriter, r *http.Request, rec *requestRecord) (outcome string) {
	dw := newStreamDetachableWriter(w)
	// As serve's: the stream stays open until the request is logged, and
	// what the handler's goroutines wrote after it returned would follow
	// the answer the log line describes.
	defer dw.detach()
	if rec.batch != nil {
		sw.trackBatch(rec.batch)
	}
	if sw.timeUp {
		// The invocation came with its time up: the handler, its context
		// ended, would race the deadline's answer. The call gets the
		// timeout error a buffered one gets, before the head goes out.
		sw.abort(timeoutCode(rec.version), timeoutMessage(rec), ErrDeadlineNear)
		return OutcomeTimeout
	}
	done := g.run(dw, r, rec, false)
	select {
	case v := <-done:
		if v == nil && r.Context().Err() == nil && unansweredCall(r, rec) {
			// As serve answers a call the handler returned from
			// without answering.
			msg := callUnanswered(rec.rpc)
			if sw.answerUnanswered(msg) {
				rec.noteError(codeInternalError, msg)
			}
		}
		if v != nil {
			// http.ErrAbortHandler too: the stream has no connection to
			// drop but ends with the error as well.
			sw.cutShort() // before abort, which may answer in full
			sw.abort(codeInternalError, internalErrorMessage(r.Context()), nil)
			return OutcomePanic
		}
	case <-sw.done:
		// The stream ended before the handler returned; the request's
		// context is cancelled already, with the cause read below.
		dw.detach()
	}
	switch cause := context.Cause(r.Context()); {
	case errors.Is(cause, ErrDeadlineNear):
		return OutcomeTimeout
	case errors.Is(cause, ErrClientGone):
		return OutcomeCancelled
	}
	return ""
}

// requestVersion is the protocol version a request's headers name: none
// if MCP-Protocol-Version is given twice. Whatever reads it for a request
// reads it so, so that a deadline's error and the log line agree.
func requestVersion(h http.Header) string {
	if v := h.Values("Mcp-Protocol-Version"); len(v) == 1 {
		return v[0]
	}
	return ""
}

// check applies the limits and the Accept rules, and reads the JSON-RPC
// request's id, method and tool name into rec.
func (g *guard) check(r *http.Request, rec *requestRecord) *rejection {
	// The version the request names, for its log line and span even if it
	// is refused below (one the go-sdk serves in no era is not shown); a
	// version given twice names none.
	rec.version = requestVersion(r.Header)
	if len(r.Header.Values("Origin")) > 1 {
		// No browser sends two; a proxy in front may have judged the other.
		return reject(http.StatusForbidden, codeInvalidRequest, "Forbidden: Origin header given more than once")
	}
	if g.checkOrigin != nil && r.Header.Get("Origin") != "" {
		allowed, panicked := g.originAllowed(r, rec)
		if panicked {
			rej := reject(http.StatusInternalServerError, codeInternalError, internalErrorMessage(r.Context()))
			rej.panicked = true
			return rej
		}
		if !allowed {
			return reject(http.StatusForbidden, codeInvalidRequest, originRefusedMessage)
		}
		rec.corsOrigin = r.Header.Get("Origin")
	}
	if err := eventError(r.Context()); err != nil {
		return reject(eventErrorStatus(err), eventErrorCode(err), err.Error())
	}
	if rej := g.limits.checkHeaders(r); rej != nil {
		return rej
	}
	// Every method's body is capped (a handler behind Guard may take PUT
	// or PATCH); only a POST carries an MCP message to check and peek at.
	body, rej := g.limits.readBody(r)
	if rej != nil {
		return rej
	}
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
	}
	if r.Method != http.MethodPost {
		if r.Header.Get("Mcp-Session-Id") == "" {
			return nil // no MCP request (a health check, metadata), or the handler's to refuse
		}
		// A session's GET (its stream) or DELETE: the transport has any
		// request with an unsupported version refused, and the go-sdk
		// refuses only an unknown one earlier than its newest there; it
		// would open the stream, or end the session, for a later one.
		if r.Method == http.MethodGet {
			rewrite, rej := streamAcceptance(r.Header.Values("Accept"))
			if rej != nil {
				return rej
			}
			if rewrite {
				r.Header = r.Header.Clone()
				r.Header.Set("Accept", "text/event-stream")
			}
		}
		if rej := checkRepeated(r.Header, false); rej != nil {
			return rej
		}
		return checkVersion(rec.version)
	}
	rec.body = body
	if !identityEncoded(r.Header.Values("Content-Encoding")) && (!bodyDecompressed(r.Context()) || !plainText(body)) {
		// A gzip body would otherwise be refused as invalid UTF-8, and one
		// labelled with a coding but sent plain served as if unlabelled.
		// A REST API's body, decompressed, keeps the label: only one
		// that still reads as coded is refused there.
		rej := reject(http.StatusUnsupportedMediaType, codeInvalidRequest, "Unsupported Media Type: the request body must not be content-encoded (Content-Encoding: identity)")
		rej.acceptIdentity = true
		return rej
	}
	if ct := r.Header.Values("Content-Type"); len(ct) > 1 || len(ct) == 1 && joinedValues(ct[0]) {
		// A message has one media type. net/http and the go-sdk read the
		// first of two; an HTTP API or Function URL joins them with a
		// comma, a value the go-sdk refuses as naming another type.
		return reject(http.StatusUnsupportedMediaType, codeInvalidRequest, "Content-Type header given more than once")
	}
	// The media type, even when the parameters do not parse (ctErr).
	mediaType, _, ctErr := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType == "application/json" {
		if rej := g.limits.checkJSON(body); rej != nil {
			return rej
		}
		rec.rpc = peekRPC(body)
		if !exactID(rec.rpc.ID) {
			// The go-sdk reads a number id as a float64 and answers with
			// its int64: 1.5 would come back as 1, 2^53+1 as 2^53; and a
			// lone surrogate in a string as U+FFFD. The client could not
			// match the answer to its request. The refusal carries the id
			// as the client wrote it, which it can match.
			rec.rpc.ID = echoedID(rec.rpc.ID)
			return reject(http.StatusBadRequest, codeInvalidRequest, inexactIDMessage)
		}
		// A batch's calls likewise, each: the go-sdk reads a request
		// without MCP-Protocol-Version as 2025-03-26's.
		if rej := g.limits.checkBatchLength(body, r.Header.Get("Mcp-Protocol-Version")); rej != nil {
			return rej
		}
		elems := batchElems(body, r.Header.Get("Mcp-Protocol-Version"))
		if rej := checkBatch(elems); rej != nil {
			return rej
		}
		if calls := batchCalls(elems); len(calls) > 0 {
			rec.batch = &callTrack{calls: calls}
		}
		if ctErr != nil {
			// The go-sdk refuses it too, saying only that the media type
			// must be the one the client sent.
			return reject(http.StatusUnsupportedMediaType, codeInvalidRequest,
				"Content-Type must be 'application/json': its parameters do not parse ("+ctErr.Error()+")")
		}
	}
	// Streamed invocations are answered as the handler streams them, and
	// so is subscriptions/listen, which the go-sdk always answers with an
	// event stream.
	accept := r.Header.Values("Accept")
	listen := rec.rpc.Method == "subscriptions/listen"
	rewrite, rej := acceptance(accept, g.jsonResponse && !Streamed(r.Context()) && !listen)
	if rej != nil {
		return rej
	}
	// The version read at the top: none if given twice, which
	// checkRepeated refuses.
	version := rec.version
	modern := version >= statelessEra
	if rej := checkRepeated(r.Header, modern); rej != nil {
		return rej
	}
	if rej := checkVersion(version); rej != nil {
		return rej
	}
	if modern && rec.rpc.response {
		// The go-sdk would take it with 202, as earlier eras have a
		// server do. Its id is the server's own, of a request of the
		// server's: the refusal carries none, as the transport answers a
		// message it cannot accept.
		return reject(http.StatusBadRequest, codeInvalidRequest, responseRefusedMessage)
	}
	var emptyParams []string
	if modern && rec.rpc.Method == "tools/call" {
		if rej := checkParamValues(r.Header); rej != nil {
			return rej
		}
		emptyParams = emptyParamHeaders(r.Header)
	}
	// An Mcp-Name the client sent Base64-encoded is decoded for the go-sdk,
	// which compares it with the body as it comes (v1.8.0). One equal to
	// the body's name (a resources/read's URI) is left as it is: the
	// go-sdk's own client sends them raw, even one that looks encoded.
	// Anything that does not decode is left for the go-sdk to refuse,
	// after its version check.
	var name string
	if n := r.Header.Get("Mcp-Name"); modern {
		if name = decodedName(n); name != "" && n == nameInBody(rec) {
			name = ""
		}
	}
	// From 2026-07-28 on, streams cannot be resumed and a server ignores
	// Last-Event-ID (Streamable HTTP, "Earlier Streamable HTTP
	// Revisions"); the go-sdk refuses a POST carrying it in every era.
	stale := modern && r.Header.Get("Last-Event-Id") != ""
	if rewrite || stale || name != "" || len(emptyParams) > 0 {
		r.Header = r.Header.Clone()
	}
	if stale {
		r.Header.Del("Last-Event-Id")
	}
	if name != "" {
		r.Header.Set("Mcp-Name", name)
	}
	for _, k := range emptyParams {
		r.Header[k] = []string{emptyBase64}
	}
	if rewrite {
		r.Header.Set("Accept", fullAccept)
		// No Accept at all admits anything (RFC 9110 §12.5.1), an event
		// stream too.
		rec.acceptRewritten = len(accept) > 0
	}
	return nil
}

// bodyDecompressed reports whether the gateway decompressed the body of
// r's event: a REST API decompresses a body itself, refusing one it
// cannot, and hands it on with the client's Content-Encoding ("Payload
// compression for REST APIs in API Gateway"); an HTTP API, whose payload
// 1.0 events are served as REST ones, decompresses nothing.
func bodyDecompressed(ctx context.Context) bool {
	inv := invocationFrom(ctx)
	return inv != nil && inv.shape == ShapeREST && !inv.httpAPIv1
}

// joinedValues reports whether v, the value of a header that holds one
// item (Content-Type), is several joined with commas: a comma outside a
// quoted string (RFC 9110 §5.6.4), where a parameter's value may hold one.
func joinedValues(v string) bool {
	quoted := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			return true
		}
	}
	return false
}

// plainText reports whether body could be a JSON text by its bytes: UTF-8
// without a control character other than the white space JSON allows
// between tokens (RFC 8259 has a string escape the others). A body coded
// with gzip or deflate, whose first bytes are binary, is not.
func plainText(body []byte) bool {
	for _, c := range body {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return utf8.Valid(body)
}

// identityEncoded reports whether Content-Encoding values name no coding
// but identity.
func identityEncoded(values []string) bool {
	for _, v := range values {
		for c := range strings.SplitSeq(v, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "identity") {
				return false
			}
		}
	}
	return true
}

type drainKey struct{}

// drainPoll is how often Guard looks again, once its server is draining,
// at a subscriptions/listen whose event stream has not begun.
const drainPoll = 50 * time.Millisecond

// Draining returns a copy of ctx that can tell Guard its server has begun
// to shut down, and the function that tells it. Give it to a local server
// as http.Server.BaseContext and call drain when the shutdown begins
// (serve.Run does both): Guard then ends each subscriptions/listen stream
// under way under it with the subscription's final result, the graceful
// close the spec asks for, and one whose stream begins later as soon as it
// begins; a listen its handler refuses gets the handler's answer. Other
// requests run on to the end of the server's own grace, which cuts what is
// left. Cancelling the requests' context instead would not do: that is how
// a client going away looks, to Guard and to the go-sdk, and their answers
// would be dropped.
func Draining(ctx context.Context) (_ context.Context, drain func()) {
	ch := make(chan struct{})
	var once sync.Once
	return context.WithValue(ctx, drainKey{}, (<-chan struct{})(ch)), func() { once.Do(func() { close(ch) }) }
}

// drainingFrom is the channel Draining put in ctx, closed by drain; nil
// without one.
func drainingFrom(ctx context.Context) <-chan struct{} {
	ch, _ := ctx.Value(drainKey{}).(<-chan struct{})
	return ch
}

// statelessEra is the first protocol version of the stateless era.
const statelessEra = "2026-07-28"

// originRefusedMessage refuses a request whose Origin Options.CheckOrigin
// disallows.
const originRefusedMessage = "Forbidden: origin not allowed"

// responseRefusedMessage refuses a JSON-RPC response POSTed from
// statelessEra on (Streamable HTTP, "Sending Messages" 4).
const responseRefusedMessage = "the body is a JSON-RPC response: from 2026-07-28 a POST carries a single request or notification, never a response"

// originAllowed asks Options.CheckOrigin, the server's own code, about r's
// Origin, on the guard's goroutine: a panic there is the request's, answered
// and logged as a handler's is, and does not skip the log line and the span.
func (g *guard) originAllowed(r *http.Request, rec *requestRecord) (allowed, panicked bool) {
	defer func() {
		if v := recover(); v != nil {
			rec.notePanic(v, debug.Stack())
			allowed, panicked = false, true
		}
	}()
	return g.checkOrigin(r), false
}

// withDeadline ends the request's context half the margin before the
// earliest deadline (the invocation's, or API Gateway's integration timeout
// for REST and HTTP API events), which it returns (zero: none), and notes
// for Middleware that tool calls end a whole margin before it, so that
// their errors can still be written.
func (g *guard) withDeadline(ctx context.Context, start time.Time, rec *requestRecord) (context.Context, context.CancelFunc, time.Time) {
	end, ok := ctx.Deadline()
	if Streamed(ctx) {
		// stream.go ends a streamed response half the margin before the
		// invocation's deadline itself; API Gateway's integration timeout
		// does not bound a stream.
		// Its context is left as stream.go made it, so that what cancels
		// it (ErrDeadlineNear, ErrClientGone) is what the tools see.
		if !ok {
			return ctx, func() {}, time.Time{}
		}
		rec.toolDeadline = end.Add(-max(g.margin, 0))
		return ctx, func() {}, end
	}
	if g.gatewayTimeout > 0 {
		if gwEnd, has := gatewayDeadline(ctx, start, g.gatewayTimeout); has && (!ok || gwEnd.Before(end)) {
			end, ok = gwEnd, true
		}
	}
	if !ok {
		ctx, cancel := context.WithCancel(ctx)
		return ctx, cancel, time.Time{}
	}
	margin := max(g.margin, 0)
	rec.toolDeadline = end.Add(-margin)
	ctx, cancel := context.WithDeadline(ctx, end.Add(-margin/2))
	return ctx, cancel, end
}

// gatewayDeadline is when API Gateway stops waiting for a REST or HTTP API
// request: timeout after the gateway received it (the event's epoch, when
// it is plausible), else after start.
func gatewayDeadline(ctx context.Context, start time.Time, timeout time.Duration) (time.Time, bool) {
	var epochMS int64
	switch ev := Event(ctx).(type) {
	case *events.APIGatewayProxyRequest:
		epochMS = ev.RequestContext.RequestTimeEpoch
	case *events.APIGatewayV2HTTPRequest:
		epochMS = ev.RequestContext.TimeEpoch
	default:
		return time.Time{}, false
	}
	received := time.UnixMilli(epochMS)
	if received.After(start) || start.Sub(received) > timeout {
		received = start // a clock apart or a replayed event: trust our own
	}
	return received.Add(timeout), true
}

// measureBatch writes a line for each tool call of a batch that
// Middleware did not measure (the server has no Middleware, or the call
// is still running), with the request's outcome, and ends Middleware's
// measuring of the batch. Where Middleware ran another of the request's
// calls and the request ran to its end, a call it did not measure is one
// the go-sdk answered before it, with an error (params it cannot decode).
func (g *guard) measureBatch(rec *requestRecord, outcome string, fault bool, d time.Duration, requestID string) {
	rec.mu.Lock()
	rec.batchDone = true
	measured := slices.Clone(rec.batchMeasured)
	if rec.method != "" && (outcome == OutcomeOK || outcome == OutcomeError && !fault) {
		outcome, fault = OutcomeError, false
	}
	rec.mu.Unlock()
	for _, c := range rec.batch.calls {
		if c.Method != "tools/call" {
			continue
		}
		if i := slices.Index(measured, c.Params.Name); i >= 0 {
			measured = slices.Delete(measured, i, i+1)
			continue
		}
		tool := OtherTool
		if c.Params.Name != "" && g.knownTools.has(c.Params.Name) {
			tool = c.Params.Name
		}
		g.metrics.write(tool, outcome, fault, d, requestID)
	}
}

func (rec *requestRecord) notePanic(v any, stack []byte) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.panicked == nil {
		rec.panicked, rec.stack = v, stack
	}
}

// timeoutMessage says which call ran out of time.
func timeoutMessage(rec *requestRecord) string {
	return callTimedOut(rec.rpc)
}

// callTimedOut says that the call p ran out of time.
func callTimedOut(p rpcPeek) string {
	if p.Method == "tools/call" && p.Params.Name != "" {
		return fmt.Sprintf("tool %q timed out: the request's deadline passed before it answered", p.Params.Name)
	}
	if p.Method != "" {
		return fmt.Sprintf("%s timed out: the request's deadline passed before it was answered", p.Method)
	}
	return "request timed out"
}

// unansweredCall reports whether r is a POST of a single call (not a
// batch), which the handler must answer.
func unansweredCall(r *http.Request, rec *requestRecord) bool {
	return r.Method == http.MethodPost && rec.rpc.ID != nil && rec.batch == nil
}

// callUnanswered says that the handler returned without answering the
// call p.
func callUnanswered(p rpcPeek) string {
	if p.Method == "tools/call" && p.Params.Name != "" {
		return fmt.Sprintf("tool %q ended without an answer: the server returned without answering the call", p.Params.Name)
	}
	if p.Method != "" {
		return fmt.Sprintf("%s ended without an answer: the server returned without answering the call", p.Method)
	}
	return "the server returned without answering the call"
}

// batchTimedOut is the timeout error of a batch too large to answer each
// call.
const batchTimedOut = "the batch timed out: the request's deadline passed before it was answered"

// batchTimeouts are the timeout errors, with code, of the calls of a batch
// that answered reports unanswered at the deadline, each by its id and
// naming its tool or method (callTimedOut): none if every call was
// answered. Where they would run past maxBatchRefusalBytes, as a batch's
// refusal would, a single error without an id says so (ok is false).
func batchTimeouts(code int, calls []rpcPeek, answered func(id []byte) bool) (errs [][]byte, ok bool) {
	return batchErrors(code, calls, answered, callTimedOut, batchTimedOut)
}

// batchErrors are the errors, with code, of the calls of a batch that
// answered reports unanswered, each by its id, the message of each
// msgOf(call): none if every call was answered. Where they would run past
// maxBatchRefusalBytes, a single error without an id says so, whole its
// message (ok is false).
func batchErrors(code int, calls []rpcPeek, answered func(id []byte) bool, msgOf func(rpcPeek) string, whole string) (errs [][]byte, ok bool) {
	var open []rpcPeek
	for _, c := range calls {
		if !answered(c.ID) {
			open = append(open, c)
		}
	}
	ids := make([]json.RawMessage, len(open))
	for i, c := range open {
		ids[i] = echoedID(c.ID)
	}
	if errs, ok = rpcErrorBodies(ids, code, func(i int) string { return msgOf(open[i]) }); !ok {
		return [][]byte{jsonRPCErrorBody(nil, code, tooManyToAnswer(whole, len(calls)), nil)}, false
	}
	return errs, true
}

// noneAnswered is batchTimeouts' answered for an answer not begun.
func noneAnswered([]byte) bool { return false }

// batchTimeoutAnswer is the JSON answer, begun by nothing, of a batch
// whose calls ran out of time: 200 with the timeout error of each call,
// as JSON-RPC 2.0 answers a batch, or, for a batch too large to answer
// each call, 504 with one error without an id, as a notification's.
func batchTimeoutAnswer(code int, calls []rpcPeek) (status int, body []byte) {
	errs, ok := batchTimeouts(code, calls, noneAnswered)
	if !ok {
		return http.StatusGatewayTimeout, errs[0]
	}
	return http.StatusOK, rpcErrorArray(errs)
}

// internalErrorCode is codeInternalError as requestRecord.errorCode holds it.
var internalErrorCode = strconv.Itoa(codeInternalError)

// internalErrorMessage is what a client learns of a panic: no detail, but
// the request id under which the stack was logged.
func internalErrorMessage(ctx context.Context) string {
	if id := RequestID(ctx); id != "" {
		return "internal error (request id " + id + ")"
	}
	return "internal error"
}

// finish logs, measures and traces the request.
func (g *guard) finish(r *http.Request, rec *requestRecord, w *guardWriter, outcome string, start time.Time, endSpan func(RequestResult)) {
	if g.logger == nil && g.metrics == nil && endSpan == nil {
		return
	}
	duration := time.Since(start)
	rec.mu.Lock()
	tool, toolKnown, subject, panicked, stack, servedMethod, client := rec.tool, rec.toolKnown, rec.subject, rec.panicked, rec.stack, rec.method, rec.client
	prompt, uri := rec.prompt, rec.uri
	// JSON-RPC's internal error, or an error the server gave no code.
	internalError := rec.errorCode == internalErrorCode || rec.errorCode == "0"
	rpcError := rec.errorCode != ""
	if outcome == "" {
		outcome = rec.outcome
	}
	rec.mu.Unlock()
	if panicked != nil {
		outcome = OutcomePanic
	}
	status := w.statusCode()
	if outcome == OutcomeOK && status >= 500 {
		// Middleware saw a result, but what stood between it and the
		// client answered a server error.
		outcome = OutcomeError
	}
	if outcome == "" {
		switch {
		case status >= 500:
			outcome = OutcomeError
		case status >= 400:
			outcome = OutcomeRejected
		case rpcError:
			// A JSON-RPC error the go-sdk answered itself, before
			// Middleware (parameters that do not decode, say).
			outcome = OutcomeError
		default:
			outcome = OutcomeOK
		}
	}
	// The method the client sent, for the log line (cut short, as the
	// tool); only a method the server dispatched names a span.
	mcpMethod := textcut.Cut(rec.rpc.Method, maxLoggedToolBytes)
	// The tool the client named, for the log line; only a tool the server
	// ran names a metric or a span, whose names cost per distinct value.
	loggedTool := tool
	if loggedTool == "" && mcpMethod == "tools/call" {
		loggedTool = rec.rpc.Params.Name
	}
	knownTool := ""
	switch {
	case toolKnown:
		knownTool = tool
	case loggedTool != "" && g.knownTools.has(loggedTool):
		knownTool = loggedTool
	}
	if subject == "" {
		if ti := auth.TokenInfoFromContext(r.Context()); ti != nil {
			subject = ti.UserID
		}
	}
	// The server's failures, not the client's mistakes or a tool's own
	// isError results: what the Faults metric counts, and the log line
	// warns of.
	fault := outcome == OutcomeTimeout || outcome == OutcomePanic ||
		outcome == OutcomeError && (status >= 500 || internalError)
	res := rec.result(RequestResult{Status: status, Outcome: outcome, Subject: subject})
	if g.logger != nil {
		g.logRequest(r, requestLine{status: status, mcpMethod: mcpMethod, tool: loggedTool, subject: subject, client: clientText(client), outcome: outcome,
			fault: fault, errorCode: res.ErrorCode, protocolVersion: res.ProtocolVersion, duration: duration, panicked: panicked, stack: stack})
		if rec.acceptRewritten && w.answeredEventStream() {
			g.logger.LogAttrs(r.Context(), slog.LevelWarn, "answered text/event-stream to a client that did not accept it: "+
				"Options.JSONResponse is set, so set the go-sdk's StreamableHTTPOptions.JSONResponse too")
		}
	}
	if g.metrics != nil && rec.batch != nil && outcome != OutcomeRejected {
		g.measureBatch(rec, outcome, fault, duration, RequestID(r.Context()))
	} else if g.metrics != nil && (loggedTool != "" || rec.rpc.Method == "tools/call") && outcome != OutcomeRejected {
		// A call the server did not confirm (no Middleware, or no such
		// tool, or no name at all) counts under one fixed name: a client
		// must not be able to make a metric per name it invents.
		metricTool := knownTool
		if metricTool == "" {
			metricTool = OtherTool
		}
		g.metrics.write(metricTool, outcome, fault, duration, RequestID(r.Context()))
	}
	if endSpan != nil {
		spanMethod := servedMethod
		if spanMethod == "" && clientMethods[rec.rpc.Method] {
			spanMethod = rec.rpc.Method
		}
		if uri == "" {
			uri = rec.rpc.resourceURI() // a request the server did not dispatch
		}
		res.MCPMethod, res.Tool, res.Prompt = spanMethod, knownTool, prompt
		res.ResourceURI = textcut.Cut(uri, maxResourceURIBytes)
		res.SessionID = w.sentHeader("Mcp-Session-Id") // an initialize's
		rec.mu.Lock()
		served, servedOK := rec.session, rec.sessionOK
		rec.mu.Unlock()
		switch {
		case res.SessionID != "":
		case servedOK:
			// The session the go-sdk served the call in: none on a
			// stateless server, which ignores the header.
			res.SessionID = served
		case status < 400 || status >= 500:
			res.SessionID = r.Header.Get("Mcp-Session-Id")
		}
		g.endSpan(r.Context(), endSpan, res)
	}
}

// startSpan starts the request's span with Options.Tracer, the program's
// code: a panic there costs the request its span, logged, not its answer.
func (g *guard) startSpan(ctx context.Context, info RequestInfo) (spanCtx context.Context, end func(RequestResult)) {
	defer func() {
		if v := recover(); v != nil {
			g.tracerPanicked(ctx, v)
			spanCtx, end = ctx, nil
		}
	}()
	return g.tracer.Start(ctx, info)
}

// endSpan ends the request's span, as startSpan starts it: a panic of the
// tracer's is logged, and the request answered all the same.
func (g *guard) endSpan(ctx context.Context, end func(RequestResult), res RequestResult) {
	defer func() {
		if v := recover(); v != nil {
			g.tracerPanicked(ctx, v)
		}
	}()
	end(res)
}

// tracerPanicked logs a panic of Options.Tracer's, with its stack.
func (g *guard) tracerPanicked(ctx context.Context, v any) {
	if g.logger == nil {
		return
	}
	g.logger.LogAttrs(ctx, slog.LevelError, "tracer panicked",
		slog.String("panic", textcut.Printable(fmt.Sprint(v))), slog.String("stack", string(debug.Stack())))
}

// result completes res with what the request's JSON-RPC exchange told.
func (rec *requestRecord) result(res RequestResult) RequestResult {
	rec.mu.Lock()
	res.ProtocolVersion, res.ErrorCode, res.ToolError = rec.agreed, rec.errorCode, rec.toolError
	msg := rec.errorMsg
	rec.mu.Unlock()
	res.RPCID = rpcIDText(rec.rpc.ID)
	if res.ProtocolVersion == "" && rec.version != "" && slices.Contains(mcp.SupportedProtocolVersions(), rec.version) {
		res.ProtocolVersion = rec.version
	}
	if res.ErrorCode == "" {
		// lambdamcp's own answers to a call it ended (a listen ends with a
		// result).
		switch {
		case res.Outcome == OutcomePanic:
			res.ErrorCode, msg = strconv.Itoa(codeInternalError), internalErrorMessage(rec.ctx)
		case res.Outcome == OutcomeTimeout && rec.rpc.Method != "subscriptions/listen":
			res.ErrorCode, msg = strconv.Itoa(timeoutCode(rec.version)), timeoutMessage(rec)
		}
	}
	if res.ErrorCode != "" {
		res.ErrorMessage = textcut.Cut(msg, maxErrorMessageBytes)
	}
	return res
}

// answerSeen reports whether the answer's code is known already: Middleware
// ran the call, or lambdamcp answered it.
func (rec *requestRecord) answerSeen() bool {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.method != "" || rec.errorCode != ""
}

// noteUnseenError records, for an observed request, the code and message
// of an error answer neither Middleware nor lambdamcp saw: one the go-sdk
// gave itself.
func (rec *requestRecord) noteUnseenError(code int, msg string) {
	if rec != nil && rec.observed && !rec.answerSeen() {
		rec.noteError(code, msg)
	}
}

// noteError records the code and the message of the JSON-RPC error the
// request is answered with.
func (rec *requestRecord) noteError(code int, msg string) {
	if rec == nil {
		return
	}
	rec.mu.Lock()
	rec.errorCode, rec.errorMsg = strconv.Itoa(code), msg
	rec.mu.Unlock()
}

// maxErrorMessageBytes bounds the error message a span describes its
// status with: it may quote the client.
const maxErrorMessageBytes = 256

// maxRPCIDBytes bounds the request id a span repeats: the client's to
// choose.
const maxRPCIDBytes = 128

// maxResourceURIBytes bounds the resource URI a span repeats: the client's
// to choose. URIs of kilobytes are valid, and what tells them apart is
// usually near their start.
const maxResourceURIBytes = 1024

// rpcIDText is a JSON-RPC id as text: a string's content, a number's
// digits; "" for none.
func rpcIDText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	if raw[0] != '"' {
		return textcut.Cut(string(raw), maxRPCIDBytes)
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return textcut.Cut(s, maxRPCIDBytes)
}

// requestLine is what a request's log line says.
type requestLine struct {
	status                            int
	mcpMethod, tool, subject, outcome string
	client                            string
	fault                             bool // the server failed the request (see finish)
	errorCode, protocolVersion        string
	duration                          time.Duration
	panicked                          any
	stack                             []byte
}

// logRequest writes the request's log line. What the client chose (the
// method, the path, the MCP method, the tool, the client's name, the
// subject, the gateway's id of an event anyone may send) is cut short and
// has its controls escaped (textcut.Printable): a viewer would show the
// ones a JSON handler leaves raw, and a bidi override reorders the line.
// A panic's value is escaped too: it may repeat what the client sent.
func (g *guard) logRequest(r *http.Request, l requestLine) {
	attrs := make([]slog.Attr, 0, 16) // every field the line can have
	if shape := EventShape(r.Context()); shape != "" {
		attrs = append(attrs, slog.String("shape", string(shape)))
	}
	if id := gatewayRequestID(Event(r.Context())); id != "" {
		attrs = append(attrs, slog.String("gateway_request_id", textcut.Printable(textcut.Cut(id, maxLoggedGatewayIDBytes))))
	}
	if Streamed(r.Context()) {
		attrs = append(attrs, slog.Bool("streamed", true))
	}
	attrs = append(attrs,
		slog.String("method", textcut.Printable(textcut.Cut(r.Method, textcut.MaxMethodBytes))),
		slog.String("path", textcut.Printable(textcut.Cut(r.URL.Path, textcut.MaxPathBytes))),
		slog.Int("status", l.status),
		slog.Float64("duration_ms", float64(l.duration.Microseconds())/1000),
		slog.String("outcome", l.outcome),
	)
	if l.mcpMethod != "" {
		attrs = append(attrs, slog.String("mcp_method", textcut.Printable(l.mcpMethod)))
	}
	if l.tool != "" {
		attrs = append(attrs, slog.String("tool", textcut.Printable(textcut.Cut(l.tool, maxLoggedToolBytes))))
	}
	if code, err := strconv.Atoi(l.errorCode); err == nil {
		// A number, as in the answer, so that a query can compare it.
		attrs = append(attrs, slog.Int("error_code", code))
	}
	if l.protocolVersion != "" {
		attrs = append(attrs, slog.String("protocol_version", l.protocolVersion))
	}
	if l.subject != "" {
		attrs = append(attrs, slog.String("subject", textcut.Printable(textcut.Cut(l.subject, maxLoggedSubjectBytes))))
	}
	if l.client != "" {
		attrs = append(attrs, slog.String("client", textcut.Printable(l.client)))
	}
	level := slog.LevelInfo
	switch {
	case l.outcome == OutcomePanic:
		level = slog.LevelError
		attrs = append(attrs, slog.String("panic", textcut.Printable(fmt.Sprint(l.panicked))), slog.String("stack", string(l.stack)))
	case l.fault || l.status >= 500:
		// The server's failure, which the Faults metric counts too, or a
		// 5xx whatever the outcome; a client's mistake stays at INFO, so
		// that it raises no alarm.
		level = slog.LevelWarn
	}
	g.logger.LogAttrs(r.Context(), level, "request", attrs...)
}

// detachableWriter is the handler's ResponseWriter: it keeps the handler's
// headers apart until it answers, and once detached it drops whatever the
// handler still writes, so that the guard can answer in its place, and
// read the guardWriter as it finishes.
type detachableWriter struct {
	mu        sync.Mutex
	w         *guardWriter
	header    http.Header // nil: the handler's headers are w's (a stream's)
	detached  bool
	sse       bool          // the handler answers with an event stream (not a stream's: stream.go tracks its own)
	responded bool          // an event in it, ended, answers the call
	scan      sseScan       // the event stream written so far, read for the call's response
	answer    answerBody    // the handler's answer, when it is no event stream
	tail      sseTail       // the end of the event stream written so far
	late      *lateAnswer   // the handler set a status after its event stream began; nil if not
	held      chan struct{} // closed at an acknowledgement that holds a listen open (watchListen); then nil
}

func newDetachableWriter(w *guardWriter) *detachableWriter {
	return &detachableWriter{w: w, header: make(http.Header)}
}

// newStreamDetachableWriter is the detachableWriter of a streamed
// invocation. The handler writes the stream's own headers: the stream
// copies them as its head goes out, answers with headers of its own when it
// ends before that (streamWriter.abort), and StreamMiddleware reads them
// from it.
func newStreamDetachableWriter(w *guardWriter) *detachableWriter {
	return &detachableWriter{w: w}
}

func (d *detachableWriter) Header() http.Header {
	if d.header == nil {
		return d.w.Header()
	}
	return d.header
}

// sendHeader copies the handler's headers out and writes the status;
// d.mu must be held.
func (d *detachableWriter) sendHeader(code int) {
	if d.w.wroteHeader {
		return
	}
	if d.header != nil {
		h := d.w.Header()
		for k, vs := range d.header {
			h[k] = slices.Clone(vs) // a detached handler may still append to its own
		}
		d.sse = isEventStream(firstValue(h, "Content-Type"))
		d.answer.start(firstValue(h, "Content-Type"))
		if d.sse && firstValue(h, "X-Accel-Buffering") == "" {
			// Streamable HTTP asks it of event streams, so that a proxy
			// such as nginx passes each event on as it comes.
			h.Set("X-Accel-Buffering", "no")
		}
	}
	d.w.WriteHeader(code)
}

// isEventStream reports whether a Content-Type is text/event-stream,
// without the allocations of a full parse.
func isEventStream(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "text/event-stream")
}

// WriteHeader drops interim (1xx) statuses: Lambda cannot send them, and
// the local server answers as the function does. So it does a status the
// function refuses (checkWriteHeaderCode): it panics before anything is
// noted of it, so that the panic is answered as an internal error rather
// than found in the middle of an answer net/http began. Once detached it
// drops any status unlooked at, as net/http does one after the answer: a
// panic on a goroutine the handler left behind would end the process.
func (d *detachableWriter) WriteHeader(code int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.detached {
		return
	}
	checkWriteHeaderCode(code)
	if interim(code) {
		return
	}
	if d.w.wroteHeader && code != d.w.status {
		d.lateStatus(code)
		return
	}
	d.sendHeader(code)
}

// lateStatus is a status set after the head: the go-sdk answers an error
// of the 2026-07-28 era with a status of its own and a plain JSON body,
// even after its event stream began (progress went out first). Where the
// stream is held still (a buffered Lambda response) the go-sdk's answer
// takes its place whole; where it is out, the body travels as one more
// event once its JSON is whole (lateAnswer), which clients read, where raw
// JSON in an event stream is lost.
// d.mu must be held.
func (d *detachableWriter) lateStatus(code int) {
	buf, buffered := d.w.ResponseWriter.(*responseBuffer)
	switch {
	case d.header == nil:
		// A stream's head: stream.go frames what follows itself.
		d.w.WriteHeader(code)
	case d.sse && buffered:
		buf.reset()
		d.w.wroteHeader, d.w.status = false, 0
		// A batch's calls stay known: the answer that takes the stream's
		// place answers them (answerLateError).
		d.sse, d.responded, d.scan, d.tail = false, false, sseScan{calls: d.scan.calls}, sseTail{}
		d.sendHeader(code)
	case d.sse && d.late == nil:
		d.late = &lateAnswer{}
	}
}

func (d *detachableWriter) Write(p []byte) (n int, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.detached {
		return 0, http.ErrHandlerTimeout
	}
	d.sendHeader(http.StatusOK)
	if d.late != nil {
		ev, took, lateErr := d.late.add(p)
		if ev == nil {
			return took, lateErr // held until its JSON is whole, or dropped
		}
		// The values p finished go out even if what follows them fails,
		// and the count is the caller's.
		p = ev
		defer func() {
			if err != nil {
				n = min(n, took)
				return
			}
			// The events went out whole: what they took of p is
			// counted, though they may be shorter than it (white
			// space dropped, the next value's start held).
			n, err = took, lateErr
		}()
	}
	n, err = d.w.Write(p)
	d.answer.add(p[:n])
	if d.sse {
		d.tail.add(p[:n])
		// A response answers once its event ends: a client drops an
		// event its stream ends inside. The scan reads across writes, for
		// a handler's writes may split a line or an event anywhere.
		d.scan.add(p[:n])
		if d.scan.answered && d.tail.betweenEvents() {
			d.responded = true
		}
	}
	if d.held != nil && d.sse && !d.scan.keep {
		// The first event decides, read across writes: the
		// acknowledgement, which the spec puts first, says what the
		// go-sdk holds the listen open for. It counts once its event has
		// ended, as a client takes it: ended at its data line, the listen
		// would be closed before the blank line came, and closeListen
		// would drop the unended acknowledgement or race its end.
		if ackHoldsListen(d.scan.first) {
			close(d.held)
		}
		d.held = nil
	}
	return n, err
}

// watchListen returns a channel closed once the handler, answering a
// subscriptions/listen, has acknowledged a subscription to anything: the
// go-sdk then holds the listen open until its request ends. One that
// agreed to nothing, or refused, the go-sdk answers in full itself. It
// must be called before the handler runs.
func (d *detachableWriter) watchListen() <-chan struct{} {
	d.held = make(chan struct{})
	d.scan.keep = true
	return d.held
}

func (d *detachableWriter) Flush() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.detached {
		d.sendHeader(http.StatusOK)
		d.w.Flush()
	}
}

// answerIfSilent writes a JSON-RPC error unless the handler has answered.
func (d *detachableWriter) answerIfSilent(status int, id json.RawMessage, code int, msg string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.detached && !d.w.wroteHeader {
		d.w.allowOrigin()
		writeRPCError(d.w, status, id, code, msg, nil)
	}
}

// trackBatch tells the writer that it answers a batch's calls: in an
// event stream, the go-sdk answers each as it ends, in an event of its
// own. It must be called before the handler runs.
func (d *detachableWriter) trackBatch(c *callTrack) {
	d.scan.trackCalls(c)
}

// answerBatchIfSilent answers each call of a batch with the timeout error,
// by its id, unless the handler has answered: the go-sdk writes a batch's
// answer only once every call is answered. A batch too large to answer
// each call gets one error without an id, 504 as a notification's.
func (d *detachableWriter) answerBatchIfSilent(code int, calls []rpcPeek) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.detached || d.w.wroteHeader {
		return
	}
	status, body := batchTimeoutAnswer(code, calls)
	d.w.allowOrigin()
	writeJSONBody(d.w, status, body)
}

// answerBatchInStream ends an event stream that the handler began for a
// batch (trackBatch) without answering each of its calls: with the
// timeout error of each call not answered, by its id, one event each, as
// the go-sdk answers a batch's calls in an event stream; or, for a batch
// too large to answer each call, one error without an id.
func (d *detachableWriter) answerBatchInStream(code int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.detached || !d.w.wroteHeader || !d.sse || d.scan.calls == nil {
		return
	}
	if !d.toEventEnd() {
		// The handler stopped inside an event that is out already: no
		// event can follow it, and the connection is cut instead.
		d.w.broken = true
		return
	}
	errs, _ := batchTimeouts(code, d.scan.calls.calls, d.scan.answeredCall)
	for _, e := range errs {
		d.w.Write(sseEvent(e))
	}
}

// answerUnfinishedJSON answers at the deadline for a handler that began a
// JSON answer and left it empty or cut short, or sent a status with
// neither a type nor a byte of body: as it stands it would reach the
// client as a success. A buffered Lambda response, still held, gets the
// error in its place, as a stream does (stream.go holds such a head);
// elsewhere the head is out, and the connection is cut once the request is
// logged (guardWriter.broken). An answer whose status carries no body
// (202, 204, 304) is whole empty.
func (d *detachableWriter) answerUnfinishedJSON(status int, id json.RawMessage, code int, msg string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.detached || !d.w.wroteHeader || !(d.answer.json || d.answer.bare()) || d.w.status == http.StatusAccepted || !bodyAllowed(d.w.status) {
		return
	}
	buf, ok := d.w.ResponseWriter.(*responseBuffer)
	if !ok {
		d.w.broken = d.w.broken || d.answer.unfinished()
		return
	}
	if d.answer.json && (buf.dropped > 0 && !d.answer.unfinished() || json.Valid([]byte(buf.body.String()))) {
		// Whole; or whole and too large to send, which seal answers:
		// past the limit the body is no longer held whole, and d.answer,
		// which saw all of it, tells.
		return
	}
	buf.reset()
	d.w.wroteHeader, d.w.status = false, 0
	d.answer = answerBody{}
	d.w.allowOrigin()
	writeRPCError(d.w, status, id, code, msg, nil)
}

// answerPanicked answers for a handler that panicked: with an internal
// error if it had not answered, or in place of what it wrote if that is
// still held (a buffered Lambda response). Otherwise part of its answer is
// out already, or the handler asked for the connection to be dropped
// (abort: it panicked with http.ErrAbortHandler), and the guard cuts the
// connection once the request is logged (guardWriter.broken). A Lambda
// invocation has no connection to drop: it is answered with the error.
func (d *detachableWriter) answerPanicked(id json.RawMessage, msg string, abort bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.detached {
		return
	}
	if d.w.wroteHeader || abort {
		buf, ok := d.w.ResponseWriter.(*responseBuffer)
		if !ok {
			d.w.broken = true
			return
		}
		buf.reset()
		d.w.wroteHeader, d.w.status = false, 0
	}
	d.w.allowOrigin()
	writeRPCError(d.w, http.StatusInternalServerError, id, codeInternalError, msg, nil)
}

// answerInStream ends an event stream that the handler began without
// answering the call (call is its id) with the call's error as one more
// event.
func (d *detachableWriter) answerInStream(call json.RawMessage, code int, msg string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.answerInStreamLocked(call, code, msg)
}

// answerLateError answers for a handler that failed in plain text after
// its event stream began, which JSONErrors read as the error code and msg
// of the call (call is its id; nil for none, or a batch): where the stream
// is still held (a buffered Lambda response), the error takes its place,
// under the handler's status (lateStatus); where it is out, the call gets
// it as one more event, or a batch's calls each one, unless answered
// already. A stream answering no call gets none: an error without an id is
// a message clients cannot read.
func (d *detachableWriter) answerLateError(call json.RawMessage, code int, msg string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.detached || !d.w.wroteHeader {
		return
	}
	if d.header == nil {
		// A stream's: stream.go answers in its event stream.
		if sw, ok := d.w.ResponseWriter.(*streamWriter); ok {
			sw.answerLate(code, msg)
		}
		return
	}
	if _, buffered := d.w.ResponseWriter.(*responseBuffer); buffered && !d.sse {
		body := jsonRPCErrorBody(call, code, msg, nil)
		if d.scan.calls != nil {
			// Each of a batch's calls, as JSON-RPC 2.0 answers a batch:
			// whatever answered them went with the stream.
			switch errs, ok := batchErrors(code, d.scan.calls.calls, noneAnswered, func(rpcPeek) string { return msg }, msg); {
			case ok:
				body = rpcErrorArray(errs)
			case len(errs) > 0:
				body = errs[0] // too many to answer each
			}
		}
		d.w.Write(body)
		return
	}
	if d.scan.calls == nil {
		d.answerInStreamLocked(call, code, msg)
		return
	}
	if !d.toEventEnd() {
		// The handler stopped inside an event that is out already.
		d.w.broken = true
		return
	}
	errs, _ := batchErrors(code, d.scan.calls.calls, d.scan.answeredCall, func(rpcPeek) string { return msg }, msg)
	for _, e := range errs {
		d.w.Write(sseEvent(e))
	}
}

// answerInStreamLocked is answerInStream; d.mu must be held.
func (d *detachableWriter) answerInStreamLocked(call json.RawMessage, code int, msg string) {
	if d.detached || !d.w.wroteHeader || !d.sse || d.responded || call == nil {
		return
	}
	if !d.toEventEnd() {
		// The handler stopped inside an event that is out already: no
		// event can follow it, and the connection is cut instead.
		d.w.broken = true
		return
	}
	if d.responded {
		return // in an event ended before the part toEventEnd dropped
	}
	d.w.Write(sseEvent(jsonRPCErrorBody(call, code, msg, nil)))
	d.responded = true
}

// closeListen ends a subscriptions/listen call (call is its id) whose
// handler began an event stream without answering the call: with the
// subscription's final result, as one more event. It reports whether it
// did; a handler that has written nothing, or something else, still gives
// its own answer.
func (d *detachableWriter) closeListen(call json.RawMessage) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.detached || !d.w.wroteHeader || !d.sse || d.responded || !d.toEventEnd() {
		return false
	}
	if d.responded {
		return false // in an event ended before the part toEventEnd dropped
	}
	d.w.Write(sseEvent(listenClosed(call)))
	d.responded = true
	return true
}

// toEventEnd reports whether an event can follow what the handler wrote
// of its event stream: it ended its last event, or the part of an event it
// left unfinished is still held (a buffered Lambda response), and is
// dropped, since it would join the lines of the event that follows. d.mu
// must be held.
func (d *detachableWriter) toEventEnd() bool {
	if d.tail.betweenEvents() {
		return true
	}
	buf, ok := d.w.ResponseWriter.(*responseBuffer)
	if !ok {
		return false
	}
	buf.dropUnendedEvent()
	d.tail = sseTail{}
	// A response in the part dropped answers nothing; one in an event
	// ended before it was told as that event ended.
	d.scan.atEventStart()
	d.responded = d.scan.answered
	return true
}

// answered reports whether the handler has answered: begun its answer,
// and, for a call (call says whether it is one) answered in an event
// stream, written the call's response in it; for a batch's calls
// (trackBatch), each call's.
func (d *detachableWriter) answered(call bool) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case !d.w.wroteHeader:
		return false
	case !d.sse:
		return true
	case d.scan.calls != nil:
		for _, c := range d.scan.calls.calls {
			if !d.scan.answeredCall(c.ID) {
				return false
			}
		}
		return true
	}
	return !call || d.responded
}

// unanswered reports whether the handler, having returned, left its call
// without an answer: it wrote nothing (a status included), or answered 200
// with an event stream in which no event answers the call and which gives
// the client no event id to resume it with.
func (d *detachableWriter) unanswered() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case d.detached || d.late != nil:
		return false // a late status answers, or is cut (cutUnfinishedLate)
	case !d.w.wroteHeader:
		return true
	}
	return d.w.status == http.StatusOK && d.sse && !d.responded && !d.scan.resumable
}

// finishHeader sends the headers of a handler that returned without
// writing a status or a byte of body, with 200, as net/http does when a
// handler returns: they would otherwise stay in the handler's own map.
func (d *detachableWriter) finishHeader() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.detached {
		d.sendHeader(http.StatusOK)
	}
}

// cutUnfinishedLate cuts the connection, once the request is logged, of a
// handler that returned in the middle of the JSON value it wrote after a
// late status: what is held of it would be an event no client parses, and
// the answer it began is cut short.
func (d *detachableWriter) cutUnfinishedLate() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.detached && d.late.unfinished() {
		d.w.broken = true
	}
}

// detach drops the handler's writes from now on.
func (d *detachableWriter) detach() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.detached = true
}

// guardWriter notes whether and what the handler answered.
type guardWriter struct {
	http.ResponseWriter
	wroteHeader bool
	status      int
	broken      bool   // part of an answer that cannot be completed is out
	corsOrigin  string // the Origin CheckOrigin allowed; "" if none
}

// allowOrigin lets the page whose Origin CheckOrigin allowed read an answer
// the guard writes itself, as auth.Middleware lets it read the handler's:
// a browser shows an answer without them as a network error, hiding the
// JSON-RPC error.
func (w *guardWriter) allowOrigin() {
	if w.corsOrigin != "" {
		corsheader.Allow(w.Header(), w.corsOrigin)
	}
}

func (w *guardWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.wroteHeader, w.status = true, code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *guardWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

func (w *guardWriter) Flush() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *guardWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// answeredEventStream reports whether the answer is an event stream. A
// stream tells from the head it sent: its headers may still be written by a
// handler the guard stopped waiting for.
func (w *guardWriter) answeredEventStream() bool {
	if sw, ok := w.ResponseWriter.(*streamWriter); ok {
		return sw.eventStream()
	}
	return isEventStream(w.Header().Get("Content-Type"))
}

// sentHeader is the value of the header name in the answer. A stream
// tells from the head it sent: the handler's map may still be written by
// a handler the guard stopped waiting for.
func (w *guardWriter) sentHeader(name string) string {
	if sw, ok := w.ResponseWriter.(*streamWriter); ok {
		return sw.sentHeader(name)
	}
	return w.Header().Get(name)
}

// statusCode is the status the client got: a stream's is the head it
// sent, which abort may have written without the handler.
func (w *guardWriter) statusCode() int {
	if sw, ok := w.ResponseWriter.(*streamWriter); ok {
		if s := sw.sentStatus(); s != 0 {
			return s
		}
	}
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
