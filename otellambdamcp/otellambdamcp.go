// Package otellambdamcp traces the requests lambdamcp serves with
// OpenTelemetry. It is a module of its own, so that lambdamcp depends on no
// tracing library unless a program imports this package:
//
//	tracer := otellambdamcp.New(otel.GetTracerProvider())
//	lambdamcp.Start(handler, &lambdamcp.Options{Tracer: tracer})
//
// Each request is a server span named after the MCP method and its target
// ("tools/call greet", "prompts/get summary"), with the attributes of
// OpenTelemetry's HTTP, MCP and FaaS semantic conventions (faas.coldstart
// is true on the first Lambda request a tracer traces, unless provisioned
// concurrency or Lambda Managed Instances started the environment: make
// one tracer): client.address
// is the client's address as the front saw it (an ALB: the address it
// appended to X-Forwarded-For), server.address and server.port the Host
// called, network.protocol.version the HTTP version the front reports (an
// ALB reports none), and mcp.session.id a stateful server's session, the
// Mcp-Session-Id an initialize was answered with or a later request
// carried (a session the server does not know is none, nor, where
// lambdamcp.Middleware saw the call, one a stateless server ignored). The target is a
// tool the server ran (gen_ai.tool.name) or a prompt it answered
// (gen_ai.prompt.name), and only on a span of its method: a 2025-03-26
// batch that called a tool and then listed the tools is no "tools/list
// greet". A resources/read, resources/subscribe or resources/unsubscribe
// records its URI in mcp.resource.uri (cut to 1024 bytes, as valid UTF-8),
// never in the span's name, where every distinct URI would be a name of
// its own. The URI's credentials are redacted as OpenTelemetry's
// conventions have it for url.full: a URL's user:password@ is recorded as
// REDACTED:REDACTED@, and the values of its query parameters
// X-Amz-Signature, X-Amz-Credential, X-Amz-Security-Token, sig and
// X-Goog-Signature (a presigned URL's), and AWSAccessKeyId and Signature
// (an older AWS presigned URL's) as REDACTED; a URI that is no URL
// (no scheme, or an opaque one such as urn:) is recorded as sent. The span
// is in the request's context, so spans the tools start are its children.
//
// A span named after an MCP method is an error, as the MCP conventions have
// it, when the call was answered with a JSON-RPC error (error.type is its
// code, "-32602") or a tool result marked isError ("tool_error"), whichever
// side caused it, or a 5xx; its status is described with the JSON-RPC
// error's message (cut to 256 bytes, as valid UTF-8: it may quote the
// client), or else with error.type; a subscriptions/listen that lambdamcp ended
// near the deadline with the result that ends a subscription is none. A
// request that names no method the server serves (a GET, a body that is
// no JSON-RPC request) is an HTTP span, an error only when the server
// failed: a 5xx, a timeout, a panic.
//
// A span is a new trace's root unless WithPropagator is given: then it joins
// the trace the Lambda runtime hands the invocation (X-Ray active tracing).
// The client's own trace headers (traceparent) are never read: on a public
// endpoint they are the caller's to choose, the sampling decision included.
//
// On Lambda the provider is flushed at the end of each request, if it can
// be (the SDK's TracerProvider can), since Lambda freezes the execution
// environment once the invocation is answered, and a span still waiting in
// a batch would be late or lost; NoFlush turns that off. A request that ran
// out of time is flushed too: lambdamcp answers it a margin before the
// deadline, and the flush ends 100 ms before the deadline itself. With
// NoFlush, flush the provider when Lambda shuts the environment down, or
// the spans it still holds are lost: lambdamcp.Options.OnShutdown runs
// then, for about 500 ms (see ExampleNoFlush).
package otellambdamcp

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/lambdamcp/lambdamcp"
)

// ScopeName is the instrumentation scope of the spans.
const ScopeName = "github.com/lambdamcp/lambdamcp/otellambdamcp"

// An Option configures New.
type Option func(*tracer)

// WithPropagator makes each request's span a child of the trace the Lambda
// runtime hands the invocation (its X-Amzn-Trace-Id, set with X-Ray active
// tracing), read with p: typically the X-Ray propagator of
// go.opentelemetry.io/contrib/propagators/aws/xray. Without active tracing
// (the PassThrough mode) that trace is sampled only when a service in
// front sampled it, and its header says Sampled=0 otherwise: a
// parent-based sampler, the SDK's default, then records no span at all.
// Turn active tracing on (the deploy stack does), or give the provider a
// sampler that does not follow the parent.
func WithPropagator(p propagation.TextMapPropagator) Option {
	return func(t *tracer) { t.prop = p }
}

// NoFlush keeps the provider from being flushed at the end of each request
// on Lambda. The spans it holds then are exported as its batches fill, and
// lost when Lambda shuts the environment down unless it is flushed then,
// with lambdamcp.Options.OnShutdown. It suits Lambda Managed Instances,
// whose environments are never frozen between invocations: there each
// request's flush only delays its answer, by up to a second.
func NoFlush() Option {
	return func(t *tracer) { t.noFlush = true }
}

// New returns a lambdamcp.Tracer that starts spans with tp; nil is the
// global provider (otel.GetTracerProvider) as it is when each request
// starts, so that a tracer made before the program sets its provider uses
// that provider, flushed as one given here would be. So is a nil pointer
// of a provider type, such as a *sdktrace.TracerProvider declared and
// never set, whose methods would dereference it.
func New(tp trace.TracerProvider, opts ...Option) lambdamcp.Tracer {
	t := &tracer{}
	if !isNil(tp) {
		t.t = tp.Tracer(ScopeName)
		t.flusher, _ = tp.(flusher)
	}
	for _, o := range opts {
		o(t)
	}
	return t
}

// isNil reports whether tp is nil, or holds a nil pointer (or other nil
// reference) of a concrete provider type: an interface holding one is not
// nil, but its methods dereference it.
func isNil(tp trace.TracerProvider) bool {
	if tp == nil {
		return true
	}
	switch v := reflect.ValueOf(tp); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface, reflect.UnsafePointer:
		return v.IsNil()
	}
	return false
}

// flusher is a TracerProvider that can export what it holds at once.
type flusher interface {
	ForceFlush(context.Context) error
}

// maxFlush bounds a flush at the end of a request.
const maxFlush = time.Second

// flushMargin is the time a flush leaves before the answer is due (the
// invocation's deadline, or API Gateway's), for the answer to be sent
// after it.
const flushMargin = 100 * time.Millisecond

type tracer struct {
	t       trace.Tracer // nil: the global provider's, at each request
	prop    propagation.TextMapPropagator
	flusher flusher
	noFlush bool
	invoked atomic.Bool // a Lambda request has been traced: later ones are warm
}

// startedAhead reports whether Lambda started the execution environment
// before an invocation needed it, by its AWS_LAMBDA_INITIALIZATION_TYPE.
func startedAhead(initType string) bool {
	return initType == "provisioned-concurrency" || initType == "lambda-managed-instances"
}

// provider is the tracer and the flusher of a request: those of New's
// provider, or else those of the global provider at the request's start.
// The global provider is read at each request: one set after New would
// otherwise be reached only through the delegate OpenTelemetry hands out
// before any is set, which cannot be flushed.
func (t *tracer) provider() (trace.Tracer, flusher) {
	if t.t != nil {
		return t.t, t.flusher
	}
	tp := otel.GetTracerProvider()
	f, _ := tp.(flusher)
	return tp.Tracer(ScopeName), f
}

// knownMethods are the HTTP methods OpenTelemetry names spans after; any
// other is the client's invention, recorded as _OTHER.
var knownMethods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete,
	http.MethodConnect, http.MethodOptions, http.MethodTrace, http.MethodPatch,
}

func (t *tracer) Start(ctx context.Context, info lambdamcp.RequestInfo) (context.Context, func(lambdamcp.RequestResult)) {
	name, attrs := "HTTP", []attribute.KeyValue{
		// Decoded from the client's percent-encoding: any bytes at all,
		// which an OTLP exporter refuses (with the whole batch) unless
		// they are UTF-8.
		attribute.String("url.path", cut(info.Path, maxPath)),
		attribute.String("url.scheme", info.Scheme),
	}
	if slices.Contains(knownMethods, info.Method) {
		name = info.Method
		attrs = append(attrs, attribute.String("http.request.method", info.Method))
	} else {
		attrs = append(attrs, attribute.String("http.request.method", "_OTHER"),
			attribute.String("http.request.method_original", cut(info.Method, 64)))
	}
	// The client's address as the front saw it; a port only outside
	// Lambda, where the request came over a connection of its own.
	if addr, port := hostPort(info.RemoteAddr); addr != "" {
		attrs = append(attrs, attribute.String("client.address", cut(addr, maxAddress)))
		if port != 0 {
			attrs = append(attrs, attribute.Int("client.port", port))
		}
	}
	if host, port := hostPort(info.Host); host != "" {
		if port == 0 {
			port = defaultPorts[info.Scheme]
		}
		attrs = append(attrs, attribute.String("server.address", cut(host, maxAddress)))
		if port != 0 {
			attrs = append(attrs, attribute.Int("server.port", port))
		}
	}
	if v := protocolVersion(info.Proto); v != "" {
		transport := "tcp"
		if v == "3" {
			transport = "quic"
		}
		attrs = append(attrs, attribute.String("network.protocol.name", "http"),
			attribute.String("network.protocol.version", v), attribute.String("network.transport", transport))
	}
	if info.Shape != "" {
		// The first invocation waited for the execution environment to
		// start, unless Lambda started it ahead of time: provisioned
		// concurrency, and Lambda Managed Instances, which start every
		// environment before it gets traffic.
		cold := !t.invoked.Swap(true) && !startedAhead(os.Getenv("AWS_LAMBDA_INITIALIZATION_TYPE"))
		attrs = append(attrs, attribute.String("faas.trigger", "http"), attribute.Bool("faas.coldstart", cold),
			attribute.String("lambdamcp.shape", string(info.Shape)))
	}
	if info.RequestID != "" {
		attrs = append(attrs, attribute.String("faas.invocation_id", info.RequestID))
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.InvokedFunctionArn != "" {
		attrs = append(attrs, attribute.String("aws.lambda.invoked_arn", lc.InvokedFunctionArn))
		// arn:aws:lambda:region:account:function:name
		if parts := strings.SplitN(lc.InvokedFunctionArn, ":", 6); len(parts) == 6 {
			attrs = append(attrs, attribute.String("cloud.account.id", parts[4]))
		}
	}
	if t.prop != nil {
		// aws-lambda-go hands the invocation's trace header on under this key.
		if id, _ := ctx.Value("x-amzn-trace-id").(string); id != "" {
			ctx = t.prop.Extract(ctx, propagation.HeaderCarrier(http.Header{"X-Amzn-Trace-Id": {id}}))
		}
	}
	// Named by the HTTP method alone until the MCP method is known: the
	// path is the client's choice, and every distinct span name costs.
	tr, flusher := t.provider()
	ctx, span := tr.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
	return ctx, func(r lambdamcp.RequestResult) {
		attrs := []attribute.KeyValue{
			attribute.Int("http.response.status_code", r.Status),
			attribute.String("lambdamcp.outcome", r.Outcome),
		}
		if r.RPCID != "" {
			attrs = append(attrs, attribute.String("jsonrpc.request.id", r.RPCID))
		}
		if r.ProtocolVersion != "" {
			attrs = append(attrs, attribute.String("mcp.protocol.version", r.ProtocolVersion))
		}
		if r.SessionID != "" {
			attrs = append(attrs, attribute.String("mcp.session.id", cut(r.SessionID, maxSessionID)))
		}
		if r.ErrorCode != "" {
			attrs = append(attrs, attribute.String("rpc.response.status_code", r.ErrorCode))
		}
		// A span named after an MCP method follows the MCP conventions: a
		// JSON-RPC error or a tool error is the call's failure, whoever
		// caused it. One named after the HTTP method follows HTTP's: only
		// the server's failures (a 5xx, a timeout, a panic) are errors.
		var errorType string
		if r.MCPMethod != "" {
			attrs = append(attrs, attribute.String("mcp.method.name", r.MCPMethod))
			name := r.MCPMethod
			// The tool is the target of a tools/call only: a batch
			// (2025-03-26) that ran one and then listed the tools is
			// not "tools/list greet".
			// The same for a prompt and a resource URI, which names no
			// span: it is the client's to choose.
			switch r.MCPMethod {
			case "tools/call":
				attrs = append(attrs, attribute.String("gen_ai.operation.name", "execute_tool"))
				if r.Tool != "" {
					attrs = append(attrs, attribute.String("gen_ai.tool.name", r.Tool))
					name += " " + r.Tool
				}
			case "prompts/get":
				if r.Prompt != "" {
					attrs = append(attrs, attribute.String("gen_ai.prompt.name", r.Prompt))
					name += " " + r.Prompt
				}
			case "resources/read", "resources/subscribe", "resources/unsubscribe":
				if r.ResourceURI != "" {
					attrs = append(attrs, attribute.String("mcp.resource.uri", cut(redactURI(r.ResourceURI), maxResourceURI)))
				}
			}
			span.SetName(name)
			switch {
			case r.ErrorCode != "":
				errorType = r.ErrorCode
			case r.ToolError:
				errorType = "tool_error"
			}
		}
		switch {
		case errorType != "":
		case r.Outcome == lambdamcp.OutcomePanic:
			errorType = r.Outcome
		case r.Outcome == lambdamcp.OutcomeTimeout && r.MCPMethod == "":
			// A call that ran out of time was answered with the timeout
			// error, whose code is errorType, or, a subscriptions/listen,
			// with the result that ends a subscription: no failure.
			errorType = r.Outcome
		case r.Status >= 500:
			errorType = strconv.Itoa(r.Status)
		}
		if errorType != "" {
			attrs = append(attrs, attribute.String("error.type", errorType))
			// The MCP conventions describe a JSON-RPC error with its
			// message.
			description := errorType
			if errorType == r.ErrorCode && r.ErrorMessage != "" {
				description = cut(r.ErrorMessage, maxErrorMessage)
			}
			span.SetStatus(codes.Error, description)
		}
		span.SetAttributes(attrs...)
		span.End()
		if info.Shape != "" && flusher != nil && !t.noFlush {
			flush(ctx, info.Deadline, flusher)
		}
	}
}

// flush exports the spans held, within the request's time: the answer must
// still reach Lambda (or API Gateway) before deadline, when it is due, so
// the flush stops flushMargin before it. The request's context does not
// bound it: that ends a margin before deadline, and has ended when the
// request ran out of time, whose span would otherwise never be flushed.
// Without a deadline from lambdamcp, the context's is taken.
func flush(ctx context.Context, deadline time.Time, f flusher) {
	end := time.Now().Add(maxFlush)
	if deadline.IsZero() {
		deadline, _ = ctx.Deadline()
	}
	if !deadline.IsZero() && deadline.Add(-flushMargin).Before(end) {
		end = deadline.Add(-flushMargin)
	}
	if time.Until(end) <= 0 {
		return
	}
	ctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), end)
	defer cancel()
	f.ForceFlush(ctx) // a failed export is the exporter's to report
}

// maxAddress bounds the client.address and server.address attributes: a
// host name is at most 253 bytes.
const maxAddress = 255

// maxErrorMessage bounds the span status description: the message of a
// JSON-RPC error may quote the client. lambdamcp cuts it to 256 bytes and
// marks the cut with "…", which this leaves whole.
const maxErrorMessage = 256 + len("…")

// maxSessionID bounds the mcp.session.id attribute.
const maxSessionID = 256

// defaultPorts are the ports of the schemes a request is called with, for
// a Host that names none.
var defaultPorts = map[string]int{"http": 80, "https": 443}

// hostPort splits a Host or a RemoteAddr ("host:port", "[::1]:port",
// "host", "[::1]", or a bare IPv6 address as a Lambda event has one) into
// its host and its port, 0 when it names none.
func hostPort(s string) (string, int) {
	if host, p, err := net.SplitHostPort(s); err == nil {
		port, _ := strconv.ParseUint(p, 10, 16)
		return host, int(port)
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		return s[1 : len(s)-1], 0
	}
	return s, 0
}

// protocolVersion is the version of an HTTP request's Proto ("HTTP/1.1",
// "HTTP/2.0") as OpenTelemetry's conventions write it ("1.1", "2"); ""
// for one it does not know.
func protocolVersion(proto string) string {
	v, ok := strings.CutPrefix(proto, "HTTP/")
	if !ok {
		return ""
	}
	switch v {
	case "1.0", "1.1":
		return v
	case "2", "2.0":
		return "2"
	case "3", "3.0":
		return "3"
	}
	return ""
}

// maxPath bounds the url.path attribute: the path is the client's choice.
const maxPath = 1024

// maxResourceURI bounds the mcp.resource.uri attribute: the URI is the
// client's choice. lambdamcp cuts it to 1024 bytes and marks the cut with
// "…", which this leaves whole.
const maxResourceURI = 1024 + len("…")

// sensitiveQuery are the query parameters whose values OpenTelemetry's
// semantic conventions redact from url.full (since 1.42): the signatures
// and credentials of AWS, Azure and Google Cloud presigned URLs. Their
// names are matched case-sensitively, as the conventions ask. The
// conventions' list before 1.42 named AWS's older presigned URLs'
// AWSAccessKeyId and Signature, which S3 still accepts: they stay.
var sensitiveQuery = []string{"X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "sig", "X-Goog-Signature", "AWSAccessKeyId", "Signature"}

// redacted replaces what redactURI keeps out.
const redacted = "REDACTED"

// redactURI is uri with the credentials OpenTelemetry's semantic
// conventions keep out of url.full redacted: a URL's userinfo becomes
// REDACTED:REDACTED, and the value of each query parameter in
// sensitiveQuery REDACTED, its name kept. The rest is left as the client
// sent it, percent-encoding included. What is no URL (a relative
// reference, an opaque URI such as urn: or mailto:, which has no
// authority) is left whole.
func redactURI(uri string) string {
	rest, ok := afterScheme(uri)
	if !ok || !strings.HasPrefix(rest, "//") {
		return uri
	}
	var b strings.Builder
	b.WriteString(uri[:len(uri)-len(rest)+2])
	rest = rest[2:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority := rest[:end]
	switch at := strings.LastIndexByte(authority, '@'); {
	case at >= 0:
		// The last @: one in the password is the client's mistake, and
		// the host is what follows the last.
		b.WriteString(redacted + ":" + redacted)
		b.WriteString(authority[at:])
	case end == len(rest) && strings.HasSuffix(rest, "…"):
		// lambdamcp cut the URI inside its authority, longer than any
		// host: the @ may have been cut away, and what is left be a
		// password.
		b.WriteString(redacted + ":" + redacted + "@…")
	default:
		b.WriteString(authority)
	}
	rest = rest[end:]
	q := strings.IndexByte(rest, '?')
	if hash := strings.IndexByte(rest, '#'); q < 0 || hash >= 0 && hash < q {
		b.WriteString(rest) // no query: a ? in the fragment is the fragment's
		return b.String()
	}
	b.WriteString(rest[:q+1])
	query, fragment := rest[q+1:], ""
	if hash := strings.IndexByte(query, '#'); hash >= 0 {
		query, fragment = query[:hash], query[hash:]
	}
	for i, param := range strings.Split(query, "&") {
		if i > 0 {
			b.WriteByte('&')
		}
		if name, _, ok := strings.Cut(param, "="); ok && sensitive(name) {
			param = name + "=" + redacted
		}
		b.WriteString(param)
	}
	b.WriteString(fragment)
	return b.String()
}

// afterScheme is what follows uri's scheme and its colon (RFC 3986: a
// letter, then letters, digits, "+", "-" or "."), and whether it has one.
func afterScheme(uri string) (string, bool) {
	for i := 0; i < len(uri); i++ {
		c := uri[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return uri[i+1:], true
		default:
			return "", false
		}
	}
	return "", false
}

// sensitive reports whether a query parameter's name, as sent or
// percent-decoded, is one of sensitiveQuery.
func sensitive(name string) bool {
	if slices.Contains(sensitiveQuery, name) {
		return true
	}
	decoded, err := url.QueryUnescape(name)
	return err == nil && decoded != name && slices.Contains(sensitiveQuery, decoded)
}

// cut is s as valid UTF-8 (each invalid byte sequence replaced by U+FFFD),
// cut to at most n bytes without splitting a character.
func cut(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
