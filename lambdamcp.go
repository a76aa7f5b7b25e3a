package lambdamcp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// Options configures a Handler. The zero value (and nil) is ready to use.
type Options struct {
	// Logger receives one line per request (shape, method, path, MCP
	// method, status, duration), each with the Lambda request id (see
	// NewLogHandler). If nil, the Handler logs nothing. Bodies and headers
	// are never logged.
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
	// always buffered. See docs/streaming.md.
	Stream []Shape

	// Heartbeat bounds how long a streamed event stream stays silent: SSE
	// comments fill longer quiet spells, so gateways' idle timeouts (30 s on
	// edge-optimized REST APIs) do not close it. Zero means 10 seconds; a
	// negative value disables heartbeats.
	Heartbeat time.Duration

	// DeadlineMargin is how long before the invocation's deadline a request
	// must stop. A streamed response still open half the margin before the
	// deadline is ended with a JSON-RPC error answering the request (or, for
	// subscriptions/listen, the graceful closing result), so the client
	// gets an answer instead of a cut stream. Zero means 500 ms; a negative
	// value disables it.
	DeadlineMargin time.Duration
}

// Handler serves Lambda invocations with an http.Handler. It implements
// lambda.Handler, so it can be given to lambda.StartHandler or invoked
// directly in tests.
type Handler struct {
	handler http.Handler
	logger  *slog.Logger
	stream  streamConfig
}

// NewHandler returns a Handler that serves h for every event shape. opts may
// be nil.
func NewHandler(h http.Handler, opts *Options) *Handler {
	if opts == nil {
		opts = &Options{}
	}
	if !opts.RawErrors {
		h = JSONErrors(h)
	}
	logger := opts.Logger
	if logger != nil {
		if _, ok := logger.Handler().(*logHandler); !ok {
			logger = slog.New(NewLogHandler(logger.Handler()))
		}
	}
	return &Handler{handler: h, logger: logger, stream: newStreamConfig(opts)}
}

// Start serves h as the Lambda function's handler. It blocks, like
// lambda.Start, and must be called from main when running on Lambda. With
// Options.Stream set, the shapes it names are answered as response streams
// (see InvokeStream).
func Start(h http.Handler, opts *Options) {
	handler := NewHandler(h, opts)
	if len(handler.stream.shapes) == 0 {
		lambda.StartHandler(handler)
		return
	}
	lambda.Start(func(ctx context.Context, payload json.RawMessage) (io.Reader, error) {
		return handler.InvokeStream(ctx, payload)
	})
}

// Invoke answers one invocation: payload is the event JSON, and the result
// is the response JSON of the matching shape. A payload that is no event of
// a known shape yields an error wrapping ErrUnknownEvent, which Lambda
// reports as a failed invocation. HTTP-level problems (a body that is not
// valid base64, a handler's error) are answered as HTTP responses.
//
// Invoke always buffers, whatever Options.Stream says; InvokeStream streams.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	shape, event, err := parseEvent(payload)
	if errors.Is(err, ErrUnknownEvent) {
		h.log(ctx, slog.LevelWarn, "unrecognised event", slog.String("error", err.Error()))
		return nil, err
	}
	if err != nil {
		h.log(ctx, slog.LevelWarn, "undecodable event", slog.String("shape", string(shape)), slog.String("error", err.Error()))
		return nil, err
	}
	return h.invokeBuffered(ctx, event)
}

// invokeBuffered answers a decoded event (see parseEvent) with one response.
func (h *Handler) invokeBuffered(ctx context.Context, event any) ([]byte, error) {
	var resp any
	switch ev := event.(type) {
	case *events.APIGatewayProxyRequest:
		resp = h.serveREST(ctx, ev)
	case *events.APIGatewayV2HTTPRequest:
		resp = h.serveHTTPAPI(ctx, ev)
	case *events.LambdaFunctionURLRequest:
		resp = h.serveURL(ctx, ev)
	case *events.ALBTargetGroupRequest:
		resp = h.serveALB(ctx, ev)
	}
	return encodeResponse(resp)
}

// serve runs the handler for one request and keeps its response.
func (h *Handler) serve(ctx context.Context, inv *invocation, p requestParts) *responseBuffer {
	w := newResponseBuffer()
	r, err := newRequest(withInvocation(ctx, inv), p)
	if err != nil {
		var bad errBadBody
		if errors.As(err, &bad) {
			writeJSONError(w, http.StatusBadRequest, codeParseError, err.Error())
		} else {
			writeJSONError(w, http.StatusBadRequest, codeInvalidRequest, err.Error())
		}
		return w
	}
	start := time.Now()
	h.handler.ServeHTTP(w, r)
	if h.logger != nil {
		attrs := []slog.Attr{
			slog.String("shape", string(inv.shape)),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", w.statusCode()),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
		}
		if m := r.Header.Get("Mcp-Method"); m != "" {
			attrs = append(attrs, slog.String("mcp_method", m))
		}
		h.log(ctx, slog.LevelInfo, "request", attrs...)
	}
	return w
}

func (h *Handler) log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if h.logger == nil {
		return
	}
	h.logger.LogAttrs(ctx, level, msg, attrs...)
}
