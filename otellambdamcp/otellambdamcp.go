// Package otellambdamcp traces the requests lambdamcp serves with
// OpenTelemetry. It is a module of its own, so that lambdamcp depends on no
// tracing library unless a program imports this package:
//
//	tracer := otellambdamcp.New(otel.GetTracerProvider())
//	lambdamcp.Start(handler, &lambdamcp.Options{Tracer: tracer})
//
// Each request is a server span named after the MCP method and its target
// ("tools/call greet"), with the attributes of OpenTelemetry's MCP and FaaS
// semantic conventions. The span is in the request's context, so spans the
// tools start are its children.
package otellambdamcp

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/lambdamcp/lambdamcp"
)

// ScopeName is the instrumentation scope of the spans.
const ScopeName = "github.com/lambdamcp/lambdamcp/otellambdamcp"

// New returns a lambdamcp.Tracer that starts spans with tp.
func New(tp trace.TracerProvider) lambdamcp.Tracer {
	return tracer{tp.Tracer(ScopeName)}
}

type tracer struct{ t trace.Tracer }

func (t tracer) Start(ctx context.Context, info lambdamcp.RequestInfo) (context.Context, func(lambdamcp.RequestResult)) {
	attrs := []attribute.KeyValue{
		attribute.String("http.request.method", info.Method),
		attribute.String("url.path", info.Path),
	}
	if info.RequestID != "" {
		attrs = append(attrs, attribute.String("faas.invocation_id", info.RequestID))
	}
	if info.Shape != "" {
		attrs = append(attrs, attribute.String("lambdamcp.shape", string(info.Shape)))
	}
	// Named by the HTTP method alone until the MCP method is known: the
	// path is the client's choice, and every distinct span name costs.
	ctx, span := t.t.Start(ctx, info.Method, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
	return ctx, func(r lambdamcp.RequestResult) {
		attrs := []attribute.KeyValue{
			attribute.Int("http.response.status_code", r.Status),
			attribute.String("lambdamcp.outcome", r.Outcome),
		}
		if r.MCPMethod != "" {
			attrs = append(attrs, attribute.String("mcp.method.name", r.MCPMethod))
			name := r.MCPMethod
			if r.Tool != "" {
				attrs = append(attrs, attribute.String("gen_ai.tool.name", r.Tool))
				name += " " + r.Tool
			}
			span.SetName(name)
		}
		span.SetAttributes(attrs...)
		switch r.Outcome {
		case lambdamcp.OutcomeOK, lambdamcp.OutcomeRejected:
		default:
			span.SetStatus(codes.Error, r.Outcome)
		}
		span.End()
	}
}
