package lambdamcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdamcp/lambdamcp/internal/failurelog"
	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// Options configures a Handler. The zero value (and nil) is ready to use.
type Options struct {
	// Logger receives one line per request (shape, method, path, status,
	// duration, outcome, MCP method, tool, caller subject), each with the
	// Lambda request id (see NewLogHandler). If nil, the Handler logs
	// nothing. Bodies, tokens and header values are never logged.
	Logger *slog.Logger

	// RawErrors leaves the wrapped handler's error responses as it wrote
	// them. By default, error responses that are not JSON (the SDK answers
	// some transport errors in plain text) are rewritten by JSONErrors.
	RawErrors bool

	// Stream lists the event shapes whose invocations are answered as
	// response streams, written to the client as the handler writes them:
	// ShapeURL for a Function URL with invoke mode RESPONSE_STREAM, ShapeREST
	// for a REST API method whose Lambda proxy integration has response
	// transfer mode STREAM. Lambda does not say in the event how it was
	// invoked, so this must match the deployment. Nil (the zero value)
	// buffers every response; HTTP APIs and ALBs cannot stream and are
	// always buffered, HTTP API payload format 1.0 events too (whose shape
	// is ShapeREST; they are told apart by their "version": "1.0"). A value
	// that is none of the Shape constants makes NewHandler and Start panic.
	// See docs/streaming.md.
	Stream []Shape

	// Heartbeat bounds how long a streamed event stream stays silent: SSE
	// comments fill longer quiet spells, so gateways' idle timeouts (30 s on
	// edge-optimized REST APIs) do not close it. Zero means 10 seconds; a
	// negative value disables heartbeats.
	Heartbeat time.Duration

	// Limits bounds requests and responses; the zero value applies the
	// defaults documented on each field.
	Limits Limits

	// JSONResponse tells lambdamcp that the handler answers calls with
	// application/json (the go-sdk's StreamableHTTPOptions.JSONResponse,
	// the right choice behind buffered gateways). Then a POST whose Accept
	// admits JSON but not text/event-stream (application/json alone, or
	// application/*) is served instead of refused. It does not apply to
	// streamed invocations (Stream), whose handlers stream. If false, the
	// Accept must admit both, as the spec's pair does. Either way, a POST
	// without Accept (which admits anything, RFC 9110) is served, and an
	// Accept that admits nothing the handler answers gets 406.
	JSONResponse bool

	// CheckOrigin, if set, reports whether a request's Origin header, when
	// it has one, may call. The guard refuses a request whose Origin it
	// disallows with 403 before any check of its own, as the MCP transport
	// requires of an invalid Origin whatever else is wrong with the
	// request; the handler's own Origin check (auth.OriginProtection,
	// auth.Middleware) otherwise comes after the guard's 4xx answers.
	// auth.AllowedOrigin gives the check those middlewares apply. An
	// answer the guard writes itself to a request whose Origin it allowed
	// carries the CORS headers auth.Middleware gives the handler's, so that
	// a browser client can read it.
	CheckOrigin func(r *http.Request) bool

	// DeadlineMargin is how long before the deadline (the invocation's,
	// or, for buffered REST and HTTP API events, API Gateway's integration
	// timeout) a request stops: tool calls end this much before it (with
	// Middleware), the handler's context half as much, so the timeout error
	// still reaches the client. A streamed response still open half the
	// margin before the deadline is ended with a JSON-RPC error answering
	// the request (or, for subscriptions/listen, the graceful closing
	// result), so the client gets an answer instead of a cut stream. Zero
	// means DefaultDeadlineMargin (500 ms); a negative value disables it.
	DeadlineMargin time.Duration

	// GatewayTimeout is API Gateway's integration timeout, applied to
	// buffered REST and HTTP API events from the time the gateway received
	// them (a streamed REST response is bounded by the invocation). Zero
	// means DefaultGatewayTimeout (29 s); negative means none (for a
	// REST API whose timeout was raised, the Lambda deadline still holds).
	GatewayTimeout time.Duration

	// Metrics receives one CloudWatch Embedded Metric Format line per tool
	// call (Calls, Errors, Faults and Latency per Tool). If nil, Start writes them
	// to stdout, where Lambda's log capture makes them metrics, unless
	// NoMetrics is set; NewHandler and Guard write none.
	Metrics io.Writer

	// NoMetrics turns off the metric lines Start writes by default.
	NoMetrics bool

	// MetricsNamespace is the CloudWatch namespace of the metrics. Empty
	// means DefaultMetricsNamespace ("lambdamcp"), and so does one CloudWatch
	// would refuse, which would drop every metric (1 to 255 letters, digits,
	// ". - _ / # :" or spaces, not beginning with ":" or "AWS/"), with a
	// warning to Logger (none when Logger is nil).
	MetricsNamespace string

	// Tracer, if set, traces each request (see Tracer). Nil means no
	// tracing.
	Tracer Tracer

	// OnShutdown, if set, is run by Start when Lambda shuts the execution
	// environment down: Start asks Lambda for the SIGTERM it sends then
	// (lambda.WithEnableSIGTERM, which registers an internal extension),
	// runs OnShutdown when it comes, on a goroutine of its own, and then
	// ends the process as SIGTERM does by default. Lambda kills the
	// process about 500 ms after the signal, so OnShutdown must be quick:
	// flushing a tracer provider that is not flushed at each request
	// (otellambdamcp.NoFlush), say. The process ends once OnShutdown
	// returns, whatever else the program does with SIGTERM: a handler of
	// its own (signal.Notify) is reset then. NewHandler and Guard ignore
	// it.
	OnShutdown func()
}

// Handler serves Lambda invocations with an http.Handler. It implements
// lambda.Handler, so it can be given to lambda.StartHandler or invoked
// directly in tests. A Handler is safe for concurrent use, as a function
// that serves several invocations at once (AWS_LAMBDA_MAX_CONCURRENCY)
// needs.
type Handler struct {
	handler http.Handler
	logger  *slog.Logger
	stream  streamConfig
	limits  Limits
	// failuresLogged: Start logs each failed invocation, an event that
	// cannot be read included, so decode does not log it again.
	failuresLogged bool
}

// NewHandler returns a Handler that serves h for every event shape. opts may
// be nil; h may not, and NewHandler panics if it is, rather than answer
// every request with a panic of its own.
func NewHandler(h http.Handler, opts *Options) *Handler {
	if opts == nil {
		opts = &Options{}
	}
	g := newGuard(h, opts)
	return &Handler{handler: g, logger: g.logger, limits: g.limits, stream: newStreamConfig(opts)}
}

// Start serves h as the Lambda function's handler. It blocks, like
// lambda.Start, and must be called from main when running on Lambda; it
// panics before serving anything if h is nil (on Lambda, having reported
// the panic's message as the function's init error, Runtime.ConfigInvalid,
// as ReportConfigError does). It never returns: off Lambda
// (AWS_LAMBDA_RUNTIME_API unset), it logs that the variable is missing,
// through the log package, and exits the process with status 1, so a
// program that also runs locally serves there with Guard (or serve.Run,
// which chooses). With
// Options.Stream set, the shapes it names are answered as response streams
// (see InvokeStream). Unless opts says otherwise, tool call metrics go to
// stdout (see Options.Metrics); when they do, and the function's
// application log level (AWS_LAMBDA_LOG_LEVEL) is above INFO, which drops
// them, Start logs so as it starts.
//
// An invocation that fails (an event that is none lambdamcp serves, a
// panic that escapes) is logged to Options.Logger at ERROR, as
// "invocation failed" with its request id. The runtime prints a line of
// its own for it without one, through the log package: a handler of
// NewLogHandler or NewSDKLogHandler made slog's default leaves it out.
//
// A function with less than OneVCPUMemoryMB of memory that serves one
// invocation at a time runs with GOMAXPROCS 1, unless its environment sets
// GOMAXPROCS: on less than one vCPU, one P spares every hand-off between
// the request's goroutines the wake-up of a parked thread.
// docs/benchmarks.md measures both settings side by side. A function that
// serves several invocations at once (AWS_LAMBDA_MAX_CONCURRENCY, set by
// Lambda Managed Instances) keeps Go's own choice.
//
// With Options.OnShutdown set, Start has Lambda send SIGTERM when it shuts
// the execution environment down, runs OnShutdown then and ends the
// process; without it (and without extensions), Lambda kills the process
// with no signal first.
func Start(h http.Handler, opts *Options) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if n, ok := lambdaProcs(os.Getenv); ok {
		runtime.GOMAXPROCS(n)
	}
	if o.Metrics == nil && !o.NoMetrics {
		o.Metrics = os.Stdout
	}
	handler := startHandler(h, &o)
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") == "" && os.Getenv("_LAMBDA_SERVER_PORT") == "" {
		// lambda.Start would only say that these variables are missing.
		log.Fatal("lambdamcp: Start serves Lambda invocations, and AWS_LAMBDA_RUNTIME_API is not set: " +
			"off Lambda, serve the handler with serve.Run (which chooses) or lambdamcp.Guard")
	}
	if o.Metrics == os.Stdout || o.Metrics == os.Stderr {
		handler.warnOfLogLevel(os.Getenv("AWS_LAMBDA_LOG_LEVEL"))
	}
	handler.failuresLogged = true
	failures := failurelog.Logger{Logger: handler.logger}
	var lambdaOpts []lambda.Option
	if o.OnShutdown != nil {
		lambdaOpts = append(lambdaOpts, lambda.WithEnableSIGTERM(o.OnShutdown, endAtSIGTERM))
	}
	if len(handler.stream.shapes) == 0 {
		lambda.StartWithOptions(failurelog.Handler(handler, failures), lambdaOpts...)
		return
	}
	lambda.StartWithOptions(func(ctx context.Context, payload json.RawMessage) (io.Reader, error) {
		return failurelog.Call(ctx, failures, payload, handler.InvokeStream)
	}, lambdaOpts...)
}

// warnOfLogLevel says, at a level that passes the filter, when the
// function's application log level (AWS_LAMBDA_LOG_LEVEL, which Lambda
// sets for its log-level filtering) is above INFO: Lambda takes a line
// without a level, as each metric line is, for an INFO one and drops it,
// and with it every metric, the Faults an alarm watches among them.
func (h *Handler) warnOfLogLevel(level string) {
	var at slog.Level
	switch strings.ToUpper(level) {
	case "WARN":
		at = slog.LevelWarn
	case "ERROR", "FATAL":
		at = slog.LevelError // a FATAL filter drops this line too: slog has no higher level
	default:
		return
	}
	h.log(context.Background(), at, "AWS_LAMBDA_LOG_LEVEL is "+textcut.Cut(level, 16)+
		": Lambda drops each log line without a level as an INFO one, and so every metric line (Calls, Errors, Faults, Latency); "+
		"set the function's application log level to INFO, or Options.NoMetrics")
}

// endAtSIGTERM ends the process as SIGTERM does by default, once
// Options.OnShutdown has run: the runtime catches the signal to run it,
// and would otherwise run on until Lambda kills it.
func endAtSIGTERM() {
	signal.Reset(syscall.SIGTERM)
	if p, err := os.FindProcess(os.Getpid()); err != nil || p.Signal(syscall.SIGTERM) != nil {
		os.Exit(1)
	}
}

// startHandler is NewHandler for Start. On Lambda, the panic of arguments
// it cannot serve with (a nil h, a Stream that names no shape) is first
// reported to the Runtime API as the function's init error, so that the
// invocation waiting for the function fails with its message rather than
// as a process that exited.
func startHandler(h http.Handler, opts *Options) *Handler {
	defer func() {
		if v := recover(); v != nil {
			ReportConfigError(context.Background(), fmt.Errorf("%v", v))
			panic(v)
		}
	}()
	return NewHandler(h, opts)
}

// Invoke answers one invocation: payload is the event JSON, and the result
// is the response JSON of the matching shape. A payload that is no event of
// a known shape yields an error wrapping ErrUnknownEvent, which Lambda
// reports as a failed invocation. HTTP-level problems (a body that is not
// valid base64, a handler's error) are answered as HTTP responses.
//
// Invoke always buffers, whatever Options.Stream says; InvokeStream streams.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	_, event, httpAPIv1, err := h.decode(ctx, payload)
	if err != nil {
		return nil, err
	}
	return h.invokeBuffered(ctx, event, httpAPIv1)
}

// decode parses an invocation's payload (see parseEvent), logging why when
// it is no event lambdamcp serves (unless Start logs the failure).
func (h *Handler) decode(ctx context.Context, payload []byte) (shape Shape, event any, httpAPIv1 bool, err error) {
	shape, event, httpAPIv1, err = parseEvent(payload)
	switch {
	case h.failuresLogged:
	case errors.Is(err, ErrUnknownEvent):
		h.log(ctx, slog.LevelWarn, "unrecognised event", slog.String("error", err.Error()))
	case err != nil:
		h.log(ctx, slog.LevelWarn, "undecodable event", slog.String("shape", string(shape)), slog.String("error", err.Error()))
	}
	return shape, event, httpAPIv1, err
}

// invokeBuffered answers a decoded event (see parseEvent) with one response.
func (h *Handler) invokeBuffered(ctx context.Context, event any, httpAPIv1 bool) ([]byte, error) {
	var w *responseBuffer
	switch ev := event.(type) {
	case *events.APIGatewayProxyRequest:
		w = h.serveREST(ctx, ev, httpAPIv1)
	case *events.APIGatewayV2HTTPRequest:
		w = h.serveHTTPAPI(ctx, ev)
	case *events.LambdaFunctionURLRequest:
		w = h.serveURL(ctx, ev)
	case *events.ALBTargetGroupRequest:
		w = h.serveALB(ctx, ev)
	}
	w.seal(nil, "") // the guard sealed it, unless the request could not be built
	if w.err != nil {
		return nil, w.err
	}
	return w.out, nil
}

// serve runs the handler for one request and keeps its response.
func (h *Handler) serve(ctx context.Context, inv *invocation, p requestParts) *responseBuffer {
	w := newResponseBuffer()
	w.event = inv.event
	w.limit, w.front = h.responseLimit(inv.shape)
	w.prefix = p.prefix
	w.head = p.method == http.MethodHead
	r, err := newRequest(withInvocation(ctx, inv), p)
	if r == nil {
		writeJSONError(w, http.StatusBadRequest, h.rejectRequest(ctx, inv, err), err.Error())
		return w
	}
	h.handler.ServeHTTP(w, r) // the guard logs the request, and refuses it for err
	return w
}

// rejectRequest logs an event of which newRequest could build no request
// at all and returns the JSON-RPC error code of its 400. The line has the
// gateway's request id, as the guard's have, to join the access log's.
func (h *Handler) rejectRequest(ctx context.Context, inv *invocation, err error) int {
	attrs := []slog.Attr{slog.String("shape", string(inv.shape))}
	if id := gatewayRequestID(inv.event); id != "" {
		attrs = append(attrs, slog.String("gateway_request_id", textcut.Printable(textcut.Cut(id, maxLoggedGatewayIDBytes))))
	}
	attrs = append(attrs, slog.Int("status", http.StatusBadRequest), slog.String("outcome", OutcomeRejected),
		slog.String("error", textcut.Cut(err.Error(), maxLoggedErrorBytes)))
	h.log(ctx, slog.LevelInfo, "request", attrs...)
	return eventErrorCode(err)
}

// maxLoggedErrorBytes bounds the error a log line repeats of an event that
// makes no request: net/http quotes a method it refuses whole, and the
// method is the client's, of any size.
const maxLoggedErrorBytes = 1024

// eventErrorStatus is the HTTP status of the answer to an event that makes
// no valid request: net/http's 501 for a transfer coding it does not know
// (RFC 9112 6.1), 400 otherwise.
func eventErrorStatus(err error) int {
	if errors.As(err, new(errBadTransferEncoding)) {
		return http.StatusNotImplemented
	}
	return http.StatusBadRequest
}

// eventErrorCode is the JSON-RPC error code of the 400 for an event that
// makes no valid request: a parse error for a body that is not the base64
// it claims, an invalid request otherwise.
func eventErrorCode(err error) int {
	var bad errBadBody
	if errors.As(err, &bad) {
		return codeParseError
	}
	return codeInvalidRequest
}

func (h *Handler) log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if h.logger == nil {
		return
	}
	h.logger.LogAttrs(ctx, level, msg, attrs...)
}
