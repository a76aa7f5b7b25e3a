package lambdamcp

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// Middleware returns the go-sdk server middleware that completes what
// NewHandler and Guard do around each request, for what only happens inside
// the server. Add it to every server lambdamcp serves:
//
//	server.AddReceivingMiddleware(lambdamcp.Middleware())
//
// It gives each call the request's time: the go-sdk runs tool handlers on a
// context that outlives the HTTP request and has no deadline, so Middleware
// ends the call's context Options.DeadlineMargin before the invocation's
// deadline (or API Gateway's) and when the client goes away. A call that
// fails because its time ran out answers a JSON-RPC error saying so,
// instead of the gateway's 504: code -32001 before 2026-07-28, -32603 from
// then on (that era's spec asks implementations not to use -32000 to
// -32019, and has no code for timeouts).
//
// It recovers a panicking handler: the go-sdk runs handlers on goroutines
// of its own, where a panic would end the process. The call answers a
// JSON-RPC internal error (-32603) naming the Lambda request id; the panic
// and its stack go to the Options.Logger line of the request, never to the
// client.
//
// It refuses a 2026-07-28 call whose _meta asks for a log level
// (io.modelcontextprotocol/logLevel) that is none of the protocol's, and a
// logging/setLevel to such a level, with -32602 as the spec asks; the
// go-sdk would take it. Before 2026-07-28 it answers a resources/read of
// an unknown resource with that era's -32002, where the go-sdk gives every
// era 2026-07-28's -32602.
//
// A result JSON cannot hold is answered -32603 at once, an error the
// metrics count as a fault: a NaN or an infinity in a _meta map (the
// result's, a content block's or resource contents', a listed tool's,
// prompt's, resource's or template's), in a tool's structured content, in
// an annotation's priority, or in an experimental capability or an
// extension's settings; structured content that is invalid
// json.RawMessage; a nil content pointer; a requested schema that holds
// itself. The go-sdk would fail to write it and leave the call unanswered
// until the deadline (or, for the nil pointer, panic, and for the schema
// overflow the stack, which ends the process). Only those free-form parts
// are looked at, and a result without them is not encoded an extra time. So is a handler's nil result
// with a nil error (a nil *GetPromptResult, say), which the go-sdk
// answers null before 2026-07-28 and from then on panics on, outside any
// handler, ending the process.
// So is a tool's or prompt's result holding a nil where the schema asks
// for an object (a nil content block or prompt message, a nil
// *CreateMessageParams, *CreateMessageWithToolsParams or *ElicitParams
// among the input requests of a 2026-07-28 result, a resource's too, an
// embedded resource without its resource; a block in a tool result block, or in
// the messages a 2026-07-28 result asks the client to sample, a resource's
// too, or such a message without content), or a prompt message or a
// sampled one whose role is neither "user" nor "assistant",
// which the go-sdk would answer as it is (or, in a tool result block,
// panic on).
// So is a tool's, prompt's or resource's result asking for input in a
// shape the 2026-07-28 schema has no room for, which the go-sdk sends as
// it is and a client cannot act on (the go-sdk's own client refuses such
// elicitations, and cannot read a result whose sampled messages hold such
// blocks): an elicitation of a mode other than "form" or "url"; a form
// with a URL, or whose requested schema is no object schema of properties
// of primitive types (string, number, integer, boolean, array) in the
// shapes the schema gives them (an enum of strings, with a name for each
// value or options of a const and a title; a multi-select array of such
// an enum; one of the four string formats; a default of the property's
// type; bounds in order), does not resolve as a JSON Schema, holds a $ref
// leading back to itself (checking the user's answer would overflow the
// go-sdk client's stack), requires a name none of its properties has, or
// nests deeper than 32 levels; a URL elicitation without an absolute URL
// (one named by its ElicitationID alone is one) or with a requested
// schema; a sampled message holding a resource link or an embedded
// resource; a sampling request offering a nil tool, a tool without an
// input schema of type "object", or a tool choice of a mode other than
// "auto", "required" or "none".
// So is a tool's, prompt's or resource's 2026-07-28 result holding a
// RequestState but no InputRequests beside a content block, a prompt
// message, a resource's contents, structured content or a tool error: the
// spec has a result asking for input by its state hold none of them, and
// the go-sdk sends it as a complete answer the client never retries with
// the state.
// Such a result holding nothing else is sent as one asking for input, with
// empty input requests (on a copy), as the go-sdk sends one whose
// InputRequests is empty. The go-sdk's client (v1.8.0) takes such an
// answer for load shedding: it retries with the state, and gives up on the
// call at the third one (counted over the whole call, rounds with input
// requests between them included), and at the tenth answer asking for
// input of any kind. A resource's nil contents or nil result, which the
// go-sdk answers in every era with an error of code 0 before the
// middleware sees the result, are answered -32603 too.
// So is a handler's error the go-sdk would panic on, outside any handler:
// a nil *jsonrpc.Error, bare or wrapped, and an error whose Error or Is
// method panics, which is recovered as the handler's panic; and a *jsonrpc.Error
// whose Data is no JSON, which the go-sdk would fail to write; an empty
// Data, which it leaves out, is answered as it is.
// A prompt's nil messages and a completion's nil values are answered as
// empty lists, as the go-sdk answers a tool's nil content (a prompt result
// asking the client for input, which has no messages, is answered as it
// is), a nil *ListRootsParams among a result's input requests as empty
// params, a sampling request's nil messages as an empty list, a form
// elicitation without a requested schema as one of no fields,
// {"type":"object","properties":{}}, and one whose schema leaves out its
// type or properties with them, and a completion's values past the spec's
// 100 are cut to the first 100, the answer saying there are more.
//
// It also notes the caller's subject (auth.TokenInfo.UserID) and the
// call's outcome for the request's log line and metrics, and what its
// span reports of the call and its answer (RequestResult's ErrorCode,
// ToolError, ProtocolVersion and Prompt, and the ResourceURI of a call in
// a batch). Outside a request served by lambdamcp it recovers panics and
// refuses such log levels; there is no deadline to give.
//
// The go-sdk runs every call of a stateful session (a handler without
// StreamableHTTPOptions.Stateless) on the context of the request that
// opened the session. Middleware gives each call the values of the
// request that brought it as the guard passed it on: the Lambda context
// and trace header, the event and the stream, as RequestID, Event,
// AuthorizerContext and Streamed read them, and the Tracer's span, under
// which the call traces; values that handlers inside the guard put in
// that request's context do not reach the call (read the caller from
// req.Extra.TokenInfo, which is the request's).
func Middleware() mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (res mcp.Result, err error) {
			rec := recordOf(ctx, req)
			if rec != nil && rec != recordFrom(ctx) {
				ctx = withRequestValues(ctx, rec)
			}
			tool, prompt, uri := callTargets(method, req)
			start := time.Now()
			var outcome string // the call's own, as noted for the request
			ran := false       // the server ran the tool the call names
			defer func() {     // after the recovery below
				rec.noteAnswer(batchCall{method, tool, prompt, uri, ran, outcome == OutcomePanic}, res, err)
				if method == "tools/call" {
					rec.measureBatchCall(tool, ran, outcome, err, time.Since(start))
				}
			}()
			// Not cmp.Or, here or below: compiled where Middleware is
			// called, its arguments escape, an allocation every call.
			msg := badLogLevel(method, protocolVersion(rec, req), req)
			if msg == "" {
				msg = badSetLevel(method, req)
			}
			if msg != "" {
				if rec != nil {
					rec.noteCall(ctx, method, req, tool, uri)
				}
				outcome = OutcomeError
				rec.noteOutcome(outcome)
				return nil, &jsonrpc.Error{Code: codeInvalidParams, Message: msg}
			}
			if rec != nil {
				rec.noteCall(ctx, method, req, tool, uri)
				var cancel context.CancelFunc
				ctx, cancel = rec.callContext(ctx)
				defer cancel()
			}
			defer func() {
				if v := recover(); v != nil {
					outcome, ran = OutcomePanic, true
					if rec != nil {
						rec.notePanic(v, debug.Stack())
						if tool != "" {
							rec.noteToolKnown(tool) // its handler ran
						}
						rec.notePrompt(prompt) // the same
					}
					res, err = nil, &jsonrpc.Error{Code: codeInternalError, Message: internalErrorMessage(ctx)}
				}
			}()
			res, err = next(ctx, method, req)
			if err != nil && nilRPCError(err) {
				// The go-sdk would panic on it outside any handler,
				// ending the process.
				res, err = nil, &jsonrpc.Error{Code: codeInternalError, Message: nilRPCErrorMessage(method)}
			} else if we, ok := err.(*jsonrpc.Error); ok && len(we.Data) > 0 && !json.Valid(we.Data) {
				// The go-sdk would fail to write the answer and leave the
				// call unanswered.
				res, err = nil, &jsonrpc.Error{Code: codeInternalError, Message: badErrorDataMessage(method)}
			} else if err != nil {
				// The go-sdk asks for the message, and whether the error
				// is one of its own, outside any handler, where a panic
				// ends the process: asked here, it is recovered above.
				_ = err.Error()
				_ = errors.Is(err, errNoneOfTheHandlers)
			}
			if tool != "" && err == nil {
				// The call was answered with a result, its tool's: a name
				// the client invented is answered with an error, by the
				// go-sdk or by a middleware of the server's.
				ran = true
				rec.noteToolKnown(tool)
			}
			if err == nil {
				// The same for a prompt: the go-sdk answers a name it does
				// not know with an error.
				rec.notePrompt(prompt)
			}
			if lr, ok := res.(*mcp.ListToolsResult); ok && lr != nil && err == nil && rec != nil && rec.known != nil {
				// The server's own names: a call of one of them that times
				// out before it answers (on an execution environment that
				// has not run it yet) is named by its tool too.
				for _, t := range lr.Tools {
					if t != nil {
						rec.known.add(t.Name)
					}
				}
			}
			if ctx.Err() != nil && failed(res, err) {
				if errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
					res, err = nil, &jsonrpc.Error{Code: int64(timeoutCode(protocolVersion(rec, req))), Message: callTimeoutMessage(method, tool, time.Since(start))}
					outcome = OutcomeTimeout
					rec.noteOutcome(outcome)
					return res, err
				}
				outcome = OutcomeCancelled
				rec.noteOutcome(outcome)
				return res, err
			}
			if err == nil && noResult(method, res) {
				// The go-sdk would answer null before 2026-07-28, and
				// from then on panic outside any handler, ending the
				// process.
				res, err = nil, &jsonrpc.Error{Code: codeInternalError, Message: noResultMessage(method)}
			} else if err == nil && unencodable(method, res) {
				// The go-sdk would fail to write the answer and leave the
				// call unanswered until the deadline.
				res, err = nil, &jsonrpc.Error{Code: codeInternalError, Message: unencodableMessage(method)}
			} else if part := resultPart(res); err == nil && part != "" {
				// The go-sdk would answer a null, a block without its
				// resource or a role the client cannot read, or a
				// request state the client never retries with.
				res, err = nil, &jsonrpc.Error{Code: codeInternalError, Message: badPartMessage(method, part)}
			} else if method == "resources/read" && nilContentsError(err, uri) {
				// The go-sdk's error of no code, which a result asking
				// for input by its request state alone meets too.
				res, err = nil, &jsonrpc.Error{Code: codeInternalError, Message: nilContentsMessage(protocolVersion(rec, req))}
			}
			if err == nil {
				res = withLists(askedByState(res))
			}
			outcome = OutcomeOK
			if failed(res, err) {
				outcome = OutcomeError
				err = resourceNotFound(method, protocolVersion(rec, req), err)
			}
			rec.noteOutcome(outcome)
			return res, err
		}
	}
}

// metaKeyLogLevel is the _meta key of a request's log level (2026-07-28;
// the go-sdk's mcp.MetaKeyLogLevel, deprecated with logging, which that
// era still serves).
const metaKeyLogLevel = "io.modelcontextprotocol/logLevel"

// logLevels are the levels a 2026-07-28 request may ask for in its _meta.
var logLevels = []string{"debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"}

// badLogLevel says what is wrong with the log level a 2026-07-28 call's
// _meta asks for (io.modelcontextprotocol/logLevel), or "" if nothing is.
// The spec has a server refuse a level it does not know with -32602; the
// go-sdk (v1.8.0) takes it for debug, or sends nothing when it is no
// string. Earlier eras and notifications do not carry the key: the go-sdk
// reads it only from 2026-07-28 calls.
func badLogLevel(method, protocolVersion string, req mcp.Request) string {
	if protocolVersion < statelessEra || strings.HasPrefix(method, "notifications/") {
		return ""
	}
	p := req.GetParams()
	if p == nil || reflect.ValueOf(p).IsNil() {
		return ""
	}
	v, ok := p.GetMeta()[metaKeyLogLevel]
	if !ok {
		return ""
	}
	if s, isString := v.(string); isString && slices.Contains(logLevels, s) {
		return ""
	}
	return fmt.Sprintf("invalid _meta %q: want one of %s", metaKeyLogLevel, strings.Join(logLevels, ", "))
}

// badSetLevel says what is wrong with the level a logging/setLevel asks
// for, or "" if nothing is: the spec has an unknown level refused with
// -32602, which the go-sdk (v1.8.0) takes as it comes.
func badSetLevel(method string, req mcp.Request) string {
	if method != "logging/setLevel" {
		return ""
	}
	//lint:ignore SA1019 logging is deprecated from 2026-07-28, and served for the eras that have it
	p, ok := req.GetParams().(*mcp.SetLoggingLevelParams)
	if !ok || p == nil || slices.Contains(logLevels, string(p.Level)) {
		return ""
	}
	return fmt.Sprintf("invalid log level %q: want one of %s", p.Level, strings.Join(logLevels, ", "))
}

// codeResourceNotFound is the code the spec gives an unknown resource
// before 2026-07-28; from then on it is -32602.
const codeResourceNotFound = -32002

// resourceNotFound gives the go-sdk's answer to an unknown resource the
// code of the request's era: -32002 before 2026-07-28, -32602 from then on.
// The go-sdk (v1.8.0) answers one code in every era: -32602, or -32002
// with MCPGODEBUG=customresnotfounderrcode=1.
func resourceNotFound(method, protocolVersion string, err error) error {
	var e *jsonrpc.Error
	if method != "resources/read" || !errors.As(err, &e) || e.Message != "Resource not found" {
		return err
	}
	code := int64(codeResourceNotFound)
	if protocolVersion >= statelessEra {
		code = codeInvalidParams
	}
	if e.Code == code {
		return err
	}
	cp := *e
	cp.Code = code
	return &cp
}

// protocolVersion is the request's protocol version: its
// MCP-Protocol-Version as the guard checked it, or else as the go-sdk hands
// the request's header on, or else, on a transport without headers, the
// version its _meta names (2026-07-28 and later).
func protocolVersion(rec *requestRecord, req mcp.Request) string {
	if rec != nil {
		return rec.version
	}
	if extra := req.GetExtra(); extra != nil && extra.Header != nil {
		// Read as the guard reads it: a version given twice names none.
		if v := requestVersion(extra.Header); v != "" {
			return v
		}
	}
	if p := req.GetParams(); p != nil && !reflect.ValueOf(p).IsNil() {
		v, _ := p.GetMeta()[metaKeyProtocolVersion].(string)
		return v
	}
	return ""
}

// metaKeyProtocolVersion is the _meta key of a 2026-07-28 request's
// protocol version.
const metaKeyProtocolVersion = "io.modelcontextprotocol/protocolVersion"

// noteToolKnown records that the server ran tool, the one the call named:
// the call's own, not the request's, which in a batch may be another
// call's, one the client invented.
func (rec *requestRecord) noteToolKnown(tool string) {
	if rec == nil {
		return
	}
	rec.mu.Lock()
	if rec.tool == tool {
		rec.toolKnown = true
	}
	rec.mu.Unlock()
	if rec.known != nil && tool != "" {
		rec.known.add(tool)
	}
}

// failed reports whether a call answered an error or a tool result marked
// as one.
func failed(res mcp.Result, err error) bool {
	if err != nil {
		return true
	}
	r, ok := res.(*mcp.CallToolResult)
	return ok && r != nil && r.IsError
}

func unencodableMessage(method string) string {
	if method == "tools/call" {
		return "the tool's result cannot be encoded as JSON"
	}
	return "the " + method + " result cannot be encoded as JSON"
}

// noResult reports whether res, the answer to a call of method that the
// handler did not fail, is no result at all: a nil pointer of the result's
// type, as a handler returns with a nil error. A notification has none.
func noResult(method string, res mcp.Result) bool {
	if res == nil || strings.HasPrefix(method, "notifications/") {
		return false
	}
	v := reflect.ValueOf(res)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

func noResultMessage(method string) string {
	if method == "tools/call" {
		return "the tool returned no result"
	}
	return "the " + method + " handler returned no result"
}

// nilRPCError reports whether err, a handler's error, is or wraps a nil
// *jsonrpc.Error: a typed nil, as a handler returns from a variable of
// that type it did not set.
func nilRPCError(err error) bool {
	var we *jsonrpc.Error
	return errors.As(err, &we) && we == nil
}

// errNoneOfTheHandlers is an error no handler returns: Middleware asks
// whether a handler's error is it only to have the error's Is methods
// run where their panic is recovered.
var errNoneOfTheHandlers = errors.New("lambdamcp: no handler's error")

func nilRPCErrorMessage(method string) string {
	if method == "tools/call" {
		return "the tool's error is a nil *jsonrpc.Error"
	}
	return "the " + method + " handler's error is a nil *jsonrpc.Error"
}

// badPart names what res, a tool's, a prompt's or a resource's result,
// holds that the schema has no room for: a nil where it asks for an object
// (a nil content block, an mcp.Content left nil, in the result, in a tool
// result block or in the messages a 2026-07-28 result asks the client to
// sample; a nil prompt message or sampled one, or a sampled one without
// content; an embedded resource without its resource), a prompt message
// or a sampled one whose role is neither of the two; "" if
// nothing. The contents are looked through, none is encoded.
func badPart(res mcp.Result) string {
	switch r := res.(type) {
	case *mcp.CallToolResult:
		if r != nil {
			return cmp.Or(nilContent(r.Content...), badInputPart(r.InputRequests))
		}
	case *mcp.ReadResourceResult:
		if r != nil {
			return badInputPart(r.InputRequests)
		}
	case *mcp.GetPromptResult:
		if r == nil {
			return ""
		}
		for _, m := range r.Messages {
			if m == nil {
				return "a nil message"
			}
			if part := cmp.Or(badRole(m.Role), nilContent(m.Content)); part != "" {
				return part
			}
		}
		return badInputPart(r.InputRequests)
	}
	return ""
}

// badRole names a message, a prompt's or a sampled one, whose role is
// neither of the two the schema has; "" if it is one of them.
func badRole(r mcp.Role) string {
	if r == "user" || r == "assistant" {
		return ""
	}
	return fmt.Sprintf("a message whose role %q is neither \"user\" nor \"assistant\"", textcut.Cut(string(r), maxQuotedRoleBytes))
}

// maxQuotedRoleBytes bounds the role an error quotes of a message the
// schema has no room for: the two it has are short, and a handler's may
// be of any size.
const maxQuotedRoleBytes = 64

func nilContent(cs ...mcp.Content) string {
	return nilContentAt(0, cs)
}

// nilContentAt is nilContent for blocks depth tool result blocks deep:
// deeper than maxWalkDepth, they are not looked through.
func nilContentAt(depth int, cs []mcp.Content) string {
	for _, c := range cs {
		switch c := c.(type) {
		case nil:
			return "a nil content block"
		case *mcp.EmbeddedResource:
			if c != nil && c.Resource == nil {
				return "an embedded resource without its resource"
			}
		//lint:ignore SA1019 sampling's content is deprecated, and a server may still answer it
		case *mcp.ToolResultContent:
			// Its MarshalJSON encodes each of its blocks through the
			// interface, and panics on a nil one.
			if c != nil && depth < maxWalkDepth {
				if part := nilContentAt(depth+1, c.Content); part != "" {
					return "a tool result block holding " + part
				}
			}
		}
	}
	return ""
}

// badInputPart names what reqs, a 2026-07-28 result's input requests,
// hold that the schema has no room for: a sampling or elicitation request
// without its params (a nil *mcp.CreateMessageParams, say, encoded null
// where the schema asks for an object), or, as nilContent does, a nil part
// of the content of the messages one asks the client to sample, a nil
// message among them, one without content or one whose role is neither
// of the schema's two, or a block of a kind a sampled message cannot hold;
// a sampling request's tools of a shape the schema has no room for
// (samplingToolsPart), an elicitation request's parameters of such a
// shape (elicitPart); "" if nothing. A roots request may go without its
// params: withLists answers a nil one with empty ones. Of two such
// requests, the one first in key order is named.
func badInputPart(reqs mcp.InputRequestMap) string {
	for _, ir := range reqs {
		if part := inputPart(ir); part != "" {
			if len(reqs) == 1 {
				return part
			}
			// Named by the first of them in key order, so that the same
			// result gets the same message every time.
			for _, k := range slices.Sorted(maps.Keys(reqs)) {
				if part := inputPart(reqs[k]); part != "" {
					return part
				}
			}
		}
	}
	return ""
}

// inputPart names what ir, one of a result's input requests, holds that
// the schema has no room for, as badInputPart; "" if nothing.
func inputPart(ir mcp.InputRequest) string {
	switch p := ir.(type) {
	//lint:ignore SA1019 sampling and roots are deprecated from 2026-07-28, and a server may still ask for them
	case *mcp.CreateMessageParams:
		if p == nil {
			return "a sampling request without its params"
		}
	//lint:ignore SA1019 sampling and roots are deprecated from 2026-07-28, and a server may still ask for them
	case *mcp.CreateMessageWithToolsParams:
		if p == nil {
			return "a sampling request without its params"
		}
	case *mcp.ElicitParams:
		if p == nil {
			return "an elicitation request without its params"
		}
		return elicitPart(p)
	}
	if part := sampledPart(ir); part != "" {
		return "a sampling request whose messages hold " + part
	}
	//lint:ignore SA1019 sampling and roots are deprecated from 2026-07-28, and a server may still ask for them
	if p, ok := ir.(*mcp.CreateMessageWithToolsParams); ok && p != nil {
		return samplingToolsPart(p)
	}
	return ""
}

// sampledPart names what the messages ir asks the client to sample hold
// that the schema has no room for (a resource link or an embedded
// resource among a message's own blocks too), if it is a sampling
// request; "" if nothing.
func sampledPart(ir mcp.InputRequest) string {
	switch p := ir.(type) {
	//lint:ignore SA1019 sampling and roots are deprecated from 2026-07-28, and a server may still ask for them
	case *mcp.CreateMessageParams:
		if p == nil {
			return ""
		}
		for _, m := range p.Messages {
			if m == nil {
				// Encoded null, where the client is promised a message.
				return "a nil message"
			}
			if part := cmp.Or(badRole(m.Role), nilContent(m.Content), unsampledKind(m.Content)); part != "" {
				return part
			}
		}
	//lint:ignore SA1019 sampling and roots are deprecated from 2026-07-28, and a server may still ask for them
	case *mcp.CreateMessageWithToolsParams:
		if p == nil {
			return ""
		}
		for _, m := range p.Messages {
			if m == nil {
				return "a nil message"
			}
			if part := badRole(m.Role); part != "" {
				return part
			}
			if m.Content == nil {
				// Encoded "content": null, where the schema asks for a
				// block or a list of them; an empty list is one.
				return "a message without content"
			}
			if part := nilContent(m.Content...); part != "" {
				return part
			}
			for _, c := range m.Content {
				if part := unsampledKind(c); part != "" {
					return part
				}
			}
		}
	}
	return ""
}

// sampled is the content of the messages ir asks the client to sample,
// if it is a sampling request; nil if not.
func sampled(ir mcp.InputRequest) []mcp.Content {
	var cs []mcp.Content
	switch p := ir.(type) {
	//lint:ignore SA1019 sampling and roots are deprecated from 2026-07-28, and a server may still ask for them
	case *mcp.CreateMessageParams:
		if p != nil {
			for _, m := range p.Messages {
				if m != nil {
					cs = append(cs, m.Content)
				}
			}
		}
	//lint:ignore SA1019 sampling and roots are deprecated from 2026-07-28, and a server may still ask for them
	case *mcp.CreateMessageWithToolsParams:
		if p != nil {
			for _, m := range p.Messages {
				if m != nil {
					cs = append(cs, m.Content...)
				}
			}
		}
	}
	return cs
}

// maxCompletionValues is how many values a completion may answer.
const maxCompletionValues = 100

// withLists is res with its lists as the schema asks for them: a prompt's
// nil messages, or a completion's nil values, made empty lists, as the
// go-sdk makes a tool's nil content, where the go-sdk would answer null;
// a completion's values past the 100 the spec allows cut to the first
// 100, the answer saying there are more and, unless the handler said
// there were more than it gave without saying how many, how many; a nil
// *mcp.ListRootsParams among a result's input requests made empty params,
// encoded {}, and a sampling request's nil messages an empty list, encoded
// [], where the go-sdk would send null (the schema lets a roots/list go
// without params, but has them an object, and asks a sampling request for
// a list of messages); a form elicitation's requested schema given what
// the schema asks it for and the handler left out (see
// elicitSchemaMended). A prompt result
// that asks the client for input keeps its messages as they are, and the
// handler's result is left as it is.
func withLists(res mcp.Result) mcp.Result {
	switch r := res.(type) {
	case *mcp.GetPromptResult:
		if r != nil && r.Messages == nil && r.InputRequests == nil {
			cp := *r
			cp.Messages = []*mcp.PromptMessage{}
			return &cp
		}
		if r == nil {
			break
		}
		if reqs, ok := withInputLists(r.InputRequests); ok {
			cp := *r
			cp.InputRequests = reqs
			return &cp
		}
	case *mcp.CallToolResult:
		if r == nil {
			break
		}
		if reqs, ok := withInputLists(r.InputRequests); ok {
			cp := *r
			cp.InputRequests = reqs
			return &cp
		}
	case *mcp.ReadResourceResult:
		if r == nil {
			break
		}
		if reqs, ok := withInputLists(r.InputRequests); ok {
			cp := *r
			cp.InputRequests = reqs
			return &cp
		}
	case *mcp.CompleteResult:
		if r != nil && r.Completion.Values == nil {
			cp := *r
			cp.Completion.Values = []string{}
			return &cp
		}
		if r != nil && len(r.Completion.Values) > maxCompletionValues {
			cp := *r
			cp.Completion.Values = r.Completion.Values[:maxCompletionValues:maxCompletionValues]
			cp.Completion.HasMore = true
			if r.Completion.Total > 0 || !r.Completion.HasMore {
				// A handler that said there were more than it gave, and
				// not how many, has no total to give.
				cp.Completion.Total = max(r.Completion.Total, len(r.Completion.Values))
			}
			return &cp
		}
	}
	return res
}

// withInputLists is reqs, a result's input requests, with what the go-sdk
// would encode null where the schema has an object or a list mended, as
// mendedInput mends it, and whether any was: a copy of the map, the
// handler's requests left as they are; nil and false if nothing was, so
// that a result with nothing to mend costs no copy.
func withInputLists(reqs mcp.InputRequestMap) (mcp.InputRequestMap, bool) {
	var cp mcp.InputRequestMap
	for k, ir := range reqs {
		if m := mendedInput(ir); m != nil {
			if cp == nil {
				cp = maps.Clone(reqs)
			}
			cp[k] = m
		}
	}
	return cp, cp != nil
}

// mendedInput is ir mended, or nil if it needs nothing: a nil
// *mcp.ListRootsParams made empty params, encoded {} where the go-sdk
// would send "params": null (the schema lets a roots/list go without
// params, but has them an object when they are there); a copy of a
// sampling request whose messages are nil with an empty list, encoded []
// where the go-sdk would send null (the schema asks for a list); a copy
// of a form elicitation with the requested schema elicitSchemaMended
// fills in.
func mendedInput(ir mcp.InputRequest) mcp.InputRequest {
	switch p := ir.(type) {
	//lint:ignore SA1019 sampling and roots are deprecated from 2026-07-28, and a server may still ask for them
	case *mcp.ListRootsParams:
		if p == nil {
			//lint:ignore SA1019 sampling and roots are deprecated from 2026-07-28, and a server may still ask for them
			return &mcp.ListRootsParams{}
		}
	//lint:ignore SA1019 sampling and roots are deprecated from 2026-07-28, and a server may still ask for them
	case *mcp.CreateMessageParams:
		if p != nil && p.Messages == nil {
			q := *p
			//lint:ignore SA1019 sampling and roots are deprecated from 2026-07-28, and a server may still ask for them
			q.Messages = []*mcp.SamplingMessage{}
			return &q
		}
	//lint:ignore SA1019 sampling and roots are deprecated from 2026-07-28, and a server may still ask for them
	case *mcp.CreateMessageWithToolsParams:
		if p != nil && p.Messages == nil {
			q := *p
			//lint:ignore SA1019 sampling and roots are deprecated from 2026-07-28, and a server may still ask for them
			q.Messages = []*mcp.SamplingMessageV2{}
			return &q
		}
	case *mcp.ElicitParams:
		if schema, ok := elicitSchemaMended(p); ok {
			q := *p
			q.RequestedSchema = schema
			return &q
		}
	}
	return nil
}

// resultPart is badPart's part of res, or stateAlonePart's if it has
// none.
func resultPart(res mcp.Result) string {
	if part := badPart(res); part != "" {
		return part
	}
	return stateAlonePart(res)
}

func badPartMessage(method, part string) string {
	if method == "tools/call" {
		return "the tool's result holds " + part
	}
	return "the " + method + " result holds " + part
}

func badErrorDataMessage(method string) string {
	if method == "tools/call" {
		return "the tool's error data cannot be encoded as JSON"
	}
	return "the " + method + " handler's error data cannot be encoded as JSON"
}

func callTimeoutMessage(method, tool string, d time.Duration) string {
	d = d.Round(time.Millisecond)
	if tool != "" {
		return fmt.Sprintf("tool %q timed out after %v: the request's deadline was near", tool, d)
	}
	return fmt.Sprintf("%s timed out after %v: the request's deadline was near", method, d)
}

// callTargets are what a call names, for the log line, the metrics and
// the span: the tool of a tools/call, the prompt of a prompts/get, the
// resource URI of a resources/read, resources/subscribe or
// resources/unsubscribe; "" for what the method does not name.
func callTargets(method string, req mcp.Request) (tool, prompt, uri string) {
	switch p := req.GetParams().(type) {
	case *mcp.CallToolParamsRaw:
		if p != nil && method == "tools/call" {
			tool = p.Name
		}
	case *mcp.GetPromptParams:
		if p != nil && method == "prompts/get" {
			prompt = p.Name
		}
	case *mcp.ReadResourceParams:
		if p != nil && method == "resources/read" {
			uri = p.URI
		}
	case *mcp.SubscribeParams:
		if p != nil && method == "resources/subscribe" {
			uri = p.URI
		}
	case *mcp.UnsubscribeParams:
		if p != nil && method == "resources/unsubscribe" {
			uri = p.URI
		}
	}
	return tool, prompt, uri
}

// notePrompt records the prompt of a prompts/get the server answered with
// it; "" records nothing.
func (rec *requestRecord) notePrompt(prompt string) {
	if rec == nil || prompt == "" {
		return
	}
	rec.mu.Lock()
	if !rec.batchFailed { // a batch's failed call's is kept
		rec.prompt = prompt
	}
	rec.mu.Unlock()
}

// noteCall records who called which tool, and the resource URI a call
// names.
func (rec *requestRecord) noteCall(ctx context.Context, method string, req mcp.Request, tool, uri string) {
	var subject string
	if ti := auth.TokenInfoFromContext(ctx); ti != nil {
		subject = ti.UserID
	} else if extra := req.GetExtra(); extra != nil && extra.TokenInfo != nil {
		subject = extra.TokenInfo.UserID
	}
	client := callerClient(req)
	var session string
	if ss, ok := req.GetSession().(*mcp.ServerSession); ok && ss != nil {
		session = ss.ID() // "" on a stateless server
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.session, rec.sessionOK = session, true
	if !rec.batchFailed {
		rec.method = method // one the server serves: the go-sdk refuses the others before its middleware
		if tool != "" {
			rec.tool = tool
		}
		if uri != "" {
			rec.uri = uri
		}
	}
	if subject != "" {
		rec.subject = subject
	}
	if client != nil {
		rec.client = client
	}
}

// callerClient is the client software that sent req, as it names itself:
// in every 2026-07-28 request's _meta, and in a 2025-11-25 initialize; nil
// when it does not say (2025-11-25 requests after the handshake carry
// nothing of it). The request's own _meta comes first: the go-sdk keeps
// it as the session's initialize parameters for most methods, but a
// server/discover only once its handler has run, after the middleware.
func callerClient(req mcp.Request) *mcp.Implementation {
	if p, ok := req.GetParams().(*mcp.InitializeParams); ok && p != nil {
		return p.ClientInfo
	}
	if r, ok := req.(interface{ ClientInfo() *mcp.Implementation }); ok {
		if info := r.ClientInfo(); info != nil {
			return info
		}
	}
	if ss, ok := req.GetSession().(*mcp.ServerSession); ok && ss != nil {
		if p := ss.InitializeParams(); p != nil {
			return p.ClientInfo
		}
	}
	return nil
}

// batchCall is a call as noteAnswer tells a batch's failed call: its
// method and targets, and whether the server ran its tool, and its
// prompt's handler.
type batchCall struct {
	method, tool, prompt, uri string
	ranTool, ranPrompt        bool
}

// noteAnswer records what the call was answered: an error's code (0 for an
// error that is no JSON-RPC error, as the go-sdk sends it), for the metrics,
// the span and the log line; for the span and the log line alone, a tool
// error and the protocol version an initialize agreed.
//
// The first call of a batch that failed makes the request's method and
// targets its own from then on, and its error the request's: the span of
// a batch is named after one of its calls, and the error it reports must
// be that call's. The errors of its later calls are left out.
func (rec *requestRecord) noteAnswer(c batchCall, res mcp.Result, err error) {
	if rec == nil {
		return
	}
	if rec.batch != nil && failed(res, err) && !rec.noteBatchFailed(c) {
		return
	}
	if err != nil {
		code := int64(0)
		if we := (*jsonrpc.Error)(nil); errors.As(err, &we) {
			code = we.Code
		}
		rec.noteError(int(code), err.Error()) // the message the go-sdk answers with
		return
	}
	if !rec.observed {
		return
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	switch r := res.(type) {
	case *mcp.CallToolResult:
		rec.toolError = rec.toolError || r != nil && r.IsError
	case *mcp.InitializeResult:
		if r != nil {
			rec.agreed = r.ProtocolVersion
		}
	}
}

// noteBatchFailed makes c, a batch's call that failed, the request's
// call, unless another failed before it; it reports whether it did.
func (rec *requestRecord) noteBatchFailed(c batchCall) bool {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.batchFailed {
		return false
	}
	rec.batchFailed = true
	rec.method, rec.tool, rec.toolKnown, rec.uri = c.method, c.tool, c.ranTool && c.tool != "", c.uri
	rec.prompt = "" // another call's, as the tool and the URI would be
	if c.method == "prompts/get" && c.ranPrompt {
		rec.prompt = c.prompt
	}
	return true
}

func (rec *requestRecord) noteOutcome(outcome string) {
	if rec == nil {
		return
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.outcome == "" || outcome != OutcomeOK {
		rec.outcome = outcome
	}
}

// measureBatchCall writes the line of one tool call of a batch, which
// Middleware ran: the request's line could name one of its calls only.
// ran says whether the server ran the tool; err is the call's answer.
func (rec *requestRecord) measureBatchCall(tool string, ran bool, outcome string, err error, d time.Duration) {
	if rec == nil || rec.batch == nil || rec.metrics == nil || outcome == "" {
		return
	}
	fault := outcome == OutcomeTimeout || outcome == OutcomePanic
	if outcome == OutcomeError && err != nil {
		// As for the request: JSON-RPC's internal error, or an error the
		// server gave no code.
		var we *jsonrpc.Error
		fault = !errors.As(err, &we) || we.Code == codeInternalError || we.Code == 0
	}
	name := OtherTool
	if tool != "" && (ran || rec.known != nil && rec.known.has(tool)) {
		name = tool
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.batchDone {
		return // measured with the request
	}
	rec.batchMeasured = append(rec.batchMeasured, tool)
	rec.metrics.write(name, outcome, fault, d, RequestID(rec.ctx))
}

// callContext is the call's context: it ends at the tool deadline and when
// the request ends (the client went away, or its time ran out).
func (rec *requestRecord) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	var cancelDeadline context.CancelFunc = func() {}
	if !rec.toolDeadline.IsZero() {
		ctx, cancelDeadline = context.WithDeadline(ctx, rec.toolDeadline)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(rec.ctx, func() { cancel(context.Cause(rec.ctx)) })
	return ctx, func() {
		stop()
		cancel(context.Canceled)
		cancelDeadline()
	}
}
