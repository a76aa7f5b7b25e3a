// Package localfront runs a Lambda function behind a local stand-in for its
// AWS front door, without Docker or an AWS account: for each HTTP request it
// builds the event API Gateway REST (v1), HTTP API (v2), a Function URL or an
// Application Load Balancer would send, runs the configured Lambda authorizer
// first, invokes the function (a real bootstrap through the Runtime API, or a
// handler in process) and turns the function's answer back into HTTP.
//
// It is the engine of cmd/lambdamcp-local and is used in process by tests:
//
//	fn, _ := localfront.NewProcess("./bootstrap", nil)
//	front, _ := localfront.Start(ctx, localfront.Config{Shape: localfront.ShapeREST, Function: fn})
//	defer front.Close()
//	resp, _ := http.Post(front.URL()+"/mcp", "application/json", body)
package localfront

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/lambdamcp/lambdamcp/internal/listenaddr"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// Shape names the AWS front whose events the front builds.
type Shape string

const (
	ShapeREST Shape = "rest" // API Gateway REST API, Lambda proxy integration (payload 1.0)
	ShapeHTTP Shape = "http" // API Gateway HTTP API (payload 2.0)
	ShapeURL  Shape = "url"  // Lambda Function URL
	ShapeALB  Shape = "alb"  // Application Load Balancer target group
)

// Shapes lists every supported shape.
var Shapes = []Shape{ShapeREST, ShapeHTTP, ShapeURL, ShapeALB}

// Limits the AWS fronts apply to requests.
const (
	maxRequestBody   = 10 * 1024 * 1024 // API Gateway payload limit
	maxInvokePayload = 6 * 1024 * 1024  // Lambda synchronous invocation limit
	// maxALBBody is the most body an ALB hands a Lambda target, and takes
	// back from it as response JSON ("Use Lambda functions as targets of an
	// Application Load Balancer", Limits: 1 MB).
	maxALBBody = 1_000_000
)

// Config configures a Front. Shape and Function are required.
type Config struct {
	Shape Shape
	// Function is invoked for every request that gets past the authorizer.
	Function Function
	// Authorizer, when set, is a Lambda authorizer run before the function:
	// a TOKEN (or, with AuthorizerType "request", REQUEST) authorizer for
	// rest, a payload 2.0 REQUEST authorizer for http. Other shapes have no
	// Lambda authorizers.
	Authorizer Function
	// AuthorizerType is "token" (the default) or "request", for rest.
	AuthorizerType string
	// AuthorizerCacheTTL turns on API Gateway's authorizer result cache:
	// the Lambda authorizer's answer is kept for this long per
	// Authorization header value (on the API's stage), and requests with
	// the same value within it are decided from it, its policy evaluated
	// against each one's method ARN, without calling the authorizer. A
	// failure, "Unauthorized" included, is not kept. Whole seconds up to
	// an hour, as API Gateway takes; zero: off, the authorizer runs for
	// every request. The deploy stack's is [DeployAuthorizerCacheTTL].
	AuthorizerCacheTTL time.Duration
	// Deploy, for rest with an authorizer, answers as the deploy stack's
	// REST API does: its public metadata methods skip the authorizer, and
	// the gateway's refusals get the stack's Gateway Responses, the
	// authorizer's with OAuth challenges (see [DeployREST]). nil: every
	// path goes through the authorizer, and refusals get API Gateway's
	// default responses.
	Deploy *DeployREST
	// JWTAuthorizer, for http, is the HTTP API's own JWT authorizer on
	// every route but the public GETs of the metadata, as the deploy
	// stack's http variant has it with JWTs. It takes the place of a
	// Lambda authorizer, and the front then routes as that variant does:
	// its routes only, named in the events' routeKey, and 404 Not Found
	// for anything else, before the authorizer.
	JWTAuthorizer *JWTAuthorizer
	// DeployHTTP, for http with JWTAuthorizer or a Lambda Authorizer,
	// answers as the deploy stack's HTTP API does: with its CORS
	// configuration, the front answers preflights itself, on any path,
	// and puts the configured CORS headers on the function's responses in
	// place of the function's own (see [DeployHTTP]); behind a Lambda
	// authorizer, the stack's http variant with static tokens, it routes
	// as that variant does, GET, POST and DELETE of /mcp through the
	// authorizer, named in the events' routeKey, and 404 Not Found for
	// anything else, before the authorizer. nil: an OPTIONS is routed as
	// any request is, the function's CORS headers pass, and without
	// JWTAuthorizer every request goes to the $default route.
	DeployHTTP *DeployHTTP
	// Addr is the listen address; default "127.0.0.1:0" (any free port).
	Addr string
	// Listener, when set, is served instead of one Start opens on Addr,
	// which must then be empty: a caller that must give the function the
	// front's URL (MCP_RESOURCE_URL) before the function exists listens
	// first. Close closes it.
	Listener net.Listener
	// Stage is the API stage: its name prefixes every path of a rest API
	// (default "dev"); for http the default "$default" stage adds no prefix.
	// Unused by url and alb.
	Stage string
	// BasePath, for rest, emulates a custom domain name whose API mapping
	// has this base path (tools, or v1/tools with several levels) on the
	// stage: the API is served under /{BasePath} with no stage in the URL,
	// and its events carry the path as the client sent it, base path
	// included, as API Gateway sends them through such a mapping. A path
	// outside the mapping gets 403 {"message":"Forbidden"}, the custom
	// domain's answer when no mapping covers a path. Empty: the API's
	// default endpoint, with the stage in the URL.
	BasePath string
	// Stream selects response streaming: a Function URL's RESPONSE_STREAM
	// invoke mode (url), or a REST API Lambda integration with response
	// transfer mode STREAM (rest). The function is invoked as
	// InvokeWithResponseStream invokes it, and the response reaches the
	// client as the function writes it.
	Stream bool
	// IntegrationTimeout is how long API Gateway waits for the function's
	// answer to a buffered request (rest and http): when it passes, the
	// client gets the gateway's answer, 504 for rest and 503 for http,
	// while the invocation runs on and its late answer is discarded. Zero
	// means AWS's default, 29 s for rest and 30 s for http; negative means
	// none. Function URLs, ALBs and streamed REST responses have no such
	// timeout (only the function's), so a positive value is refused there.
	IntegrationTimeout time.Duration
	// MultiValueHeaders turns on the ALB target group's multi-value headers
	// mode (multiValueHeaders and multiValueQueryStringParameters).
	MultiValueHeaders bool
	// Region is used in ARNs and domain names; default "us-east-1".
	Region string
	// Logger receives one line per request and the front's errors; nil logs nothing.
	Logger *slog.Logger
}

// Front is a running local front. It is also an http.Handler, for use with
// httptest.
type Front struct {
	cfg    Config
	apiID  string
	ln     net.Listener
	hs     *http.Server
	closed sync.Once

	integrationTimeout time.Duration // the gateway's wait for the function; 0: none

	jwt       jwtState   // the JWT authorizer's keys, when there is one
	authCache *authCache // the Lambda authorizer's results; nil: not cached

	// Invocations the gateway stopped waiting for run on (IntegrationTimeout),
	// an in-process one past Close: once Close returns they log nothing.
	logMu     sync.Mutex
	lateQuiet bool // under logMu
}

// Start validates cfg, listens on cfg.Addr and serves until Close or until
// ctx ends.
func Start(ctx context.Context, cfg Config) (*Front, error) {
	f, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if f.ln = cfg.Listener; f.ln == nil {
		addr := cfg.Addr
		if addr == "" {
			addr = "127.0.0.1:0"
		}
		if f.ln, err = net.Listen("tcp", addr); err != nil {
			return nil, listenaddr.Error("listening on", addr, err)
		}
	}
	// OPTIONS * reaches the front, which refuses it as any target that is
	// no path (badTarget), rather than net/http's own answer.
	f.hs = &http.Server{Handler: f, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout, IdleTimeout: idleTimeout,
		DisableGeneralOptionsHandler: true}
	go f.hs.Serve(f.ln)
	go func() {
		<-ctx.Done()
		f.Close()
	}()
	return f, nil
}

// Timeouts of the front's connections (variables for its tests). A
// request's headers and body must arrive within them, and a kept-alive
// connection is closed after idleTimeout, as a gateway's would be; nothing
// bounds the answer, which the integration timeout, if any, bounds.
var (
	readHeaderTimeout = 30 * time.Second
	readTimeout       = time.Minute
	idleTimeout       = 2 * time.Minute
)

// New returns a Front that is not listening, for serving with a server of
// one's own; [Front.URL] is then empty. Such a server answers OPTIONS *
// itself unless its DisableGeneralOptionsHandler is set.
func New(cfg Config) (*Front, error) {
	switch cfg.Shape {
	case ShapeREST, ShapeHTTP, ShapeURL, ShapeALB:
	default:
		return nil, fmt.Errorf("unknown shape %q (want one of rest, http, url, alb)", textcut.Cut(string(cfg.Shape), maxQuotedConfigBytes))
	}
	if cfg.Function == nil {
		return nil, errors.New("no function configured")
	}
	if cfg.Listener != nil && cfg.Addr != "" {
		return nil, errors.New("both a listener and an address to listen on")
	}
	if cfg.Authorizer != nil && cfg.Shape != ShapeREST && cfg.Shape != ShapeHTTP {
		return nil, fmt.Errorf("shape %s has no Lambda authorizers (use rest or http)", cfg.Shape)
	}
	switch cfg.AuthorizerType {
	case "":
	case "token":
		if cfg.Shape == ShapeHTTP {
			return nil, errors.New("authorizer type token is a REST API's: an HTTP API has no TOKEN authorizers (http always sends payload 2.0 REQUEST events)")
		}
	case "request":
		if cfg.Shape != ShapeREST {
			return nil, errors.New("authorizer type request is for the rest shape (http always sends payload 2.0 REQUEST events)")
		}
	default:
		return nil, fmt.Errorf("unknown authorizer type %q (want token or request)", textcut.Cut(cfg.AuthorizerType, maxQuotedConfigBytes))
	}
	if cfg.Deploy != nil && (cfg.Shape != ShapeREST || cfg.Authorizer == nil) {
		return nil, errors.New("the deploy stack's responses are emulated for the rest shape with an authorizer, as the stack's rest variant has them")
	}
	if cfg.Deploy != nil {
		// The stack refuses it at synth (deploy/stack's checkRequiredScopes): its Gateway
		// Responses hold the challenge as a single-quoted static value, with no escape for "'".
		for _, scope := range cfg.Deploy.RequiredScopes {
			if strings.Contains(scope, "'") {
				return nil, fmt.Errorf("required scope %q holds \"'\", which the deploy stack's rest variant refuses: "+
					"its Gateway Responses name the scopes in a static value API Gateway takes single-quoted, with no escape for it", textcut.Cut(scope, maxQuotedConfigBytes))
			}
		}
	}
	if cfg.DeployHTTP != nil && (cfg.Shape != ShapeHTTP || (cfg.JWTAuthorizer == nil && cfg.Authorizer == nil)) {
		return nil, errors.New("the deploy stack's HTTP API is emulated for the http shape with an authorizer, as the stack's http variant has one: " +
			"a JWT authorizer for JWTs, a Lambda authorizer for static tokens")
	}
	if j := cfg.JWTAuthorizer; j != nil {
		switch {
		case cfg.Shape != ShapeHTTP:
			return nil, fmt.Errorf("a JWT authorizer is an HTTP API's; shape %s has none", cfg.Shape)
		case cfg.Authorizer != nil:
			return nil, errors.New("both a Lambda authorizer and a JWT authorizer: a route has one")
		case j.Issuer == "" || len(j.Audience) == 0:
			return nil, errors.New("a JWT authorizer needs an issuer and at least one audience")
		case !keysURL(j.Issuer):
			return nil, fmt.Errorf("the JWT authorizer's issuer %q is not an https URL (plain http only on a loopback address): its discovery document names the keys", textcut.Cut(j.Issuer, maxQuotedURLBytes))
		case issuerHasExtras(j.Issuer):
			// Not quoted: a user may come with a password. The discovery
			// (auth.DiscoverJWKSURL) refuses such an issuer at every request.
			return nil, errors.New("the JWT authorizer's issuer names a user, or has a query or fragment, which an issuer whose discovery document names the keys has not")
		case issuerSchemeInCapitals(j.Issuer):
			// Not quoted either: what comes before "://" may be a user and
			// password. The discovery document and every token name the
			// issuer exactly, in lower case, and auth.NewJWTVerifier
			// refuses it: no request could ever pass.
			return nil, errors.New("the JWT authorizer's issuer has capitals in its scheme (before ://): write it in lower case, as its tokens' iss claim has it; the issuer is matched exactly")
		}
	}
	if cfg.AuthorizerType != "" && cfg.Authorizer == nil {
		return nil, fmt.Errorf("authorizer type %s without an authorizer", cfg.AuthorizerType)
	}
	if err := checkAuthorizerCacheTTL(cfg); err != nil {
		return nil, err
	}
	if cfg.MultiValueHeaders && cfg.Shape != ShapeALB {
		return nil, fmt.Errorf("multi-value headers are an ALB target group mode; shape %s has its own", cfg.Shape)
	}
	if cfg.Stage != "" && (cfg.Shape == ShapeURL || cfg.Shape == ShapeALB) {
		return nil, fmt.Errorf("shape %s has no stages (rest and http have)", cfg.Shape)
	}
	if err := checkStage(cfg.Shape, cfg.Stage); err != nil {
		return nil, err
	}
	if cfg.BasePath != "" && cfg.Shape != ShapeREST {
		return nil, fmt.Errorf("a base path mapping is emulated for the rest shape; shape %s has none", cfg.Shape)
	}
	if err := checkBasePath(cfg.BasePath); err != nil {
		return nil, err
	}
	if cfg.Stream && cfg.Shape != ShapeURL && cfg.Shape != ShapeREST {
		return nil, fmt.Errorf("response streaming is a Function URL or REST API mode; shape %s buffers", cfg.Shape)
	}
	integrationTimeout, err := integrationTimeout(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	switch {
	case cfg.Shape == ShapeREST && cfg.Stage == "":
		cfg.Stage = "dev"
	case cfg.Shape == ShapeHTTP && cfg.Stage == "":
		cfg.Stage = "$default"
	}
	return &Front{cfg: cfg, apiID: "local0api1", integrationTimeout: integrationTimeout, authCache: newAuthCache(cfg.AuthorizerCacheTTL)}, nil
}

// stageName is what API Gateway takes for a stage's name; an HTTP API also
// has $default, which adds nothing to the path.
var stageName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// maxQuotedConfigBytes bounds what an error quotes of a shape, an
// authorizer type, a stage, a base path or a required scope refused: enough to tell which it
// is; a flag giving it may be of any size.
const maxQuotedConfigBytes = textcut.MaxPathBytes

// checkStage refuses a stage API Gateway would not create: a name with a
// slash, a space or another character would make a front that answers
// every path as outside its stage.
func checkStage(shape Shape, stage string) error {
	if stage == "" || stageName.MatchString(stage) || shape == ShapeHTTP && stage == "$default" {
		return nil
	}
	return fmt.Errorf("stage %q: API Gateway takes letters, digits, hyphens and underscores, up to 128 (and $default on http)", textcut.Cut(stage, maxQuotedConfigBytes))
}

// URL is the base URL of the deployed API: scheme, host and the stage prefix
// when the shape has one (http://127.0.0.1:9000/dev for rest), or the base
// path of the custom domain's mapping (http://127.0.0.1:9000/tools). Append
// the route, for example "/mcp".
func (f *Front) URL() string {
	if f.ln == nil {
		return ""
	}
	return f.urlAt(reachableAddr(f.ln.Addr()))
}

// urlAt is the API's base URL at host, a host and port.
func (f *Front) urlAt(host string) string {
	if f.cfg.BasePath != "" {
		return "http://" + host + "/" + f.cfg.BasePath
	}
	return "http://" + host + f.stagePrefix()
}

// reachableAddr is addr as a client on this machine reaches it: a front
// listening on every address (0.0.0.0, ::, or no host) is named by
// 127.0.0.1, since a client cannot connect to the unspecified address. Go
// listens on both families for each of those, and reports [::] for all.
func reachableAddr(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return addr.String()
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
}

// listensEverywhere reports whether the front listens on every address,
// where requests may reach it by any of its names.
func (f *Front) listensEverywhere() bool {
	tcp, ok := f.ln.Addr().(*net.TCPAddr)
	return ok && tcp.IP.IsUnspecified()
}

func (f *Front) stagePrefix() string {
	if f.cfg.Stage == "" || f.cfg.Stage == "$default" {
		return ""
	}
	return "/" + f.cfg.Stage
}

// shutdownGrace is how long Close lets requests in flight finish, as the
// function's processes would let their invocations (processGrace); then
// the functions end, and cutGrace more, counted from their end, lets the
// requests whose invocations were cut get their 502 before the server
// cuts what is left.
const (
	shutdownGrace = processGrace
	cutGrace      = 500 * time.Millisecond
)

// Close stops accepting requests and lets those in flight finish for up to
// two seconds, requests still waiting for a process or at the authorizer
// included, and so do the invocations whose answer the gateway stopped
// waiting for (IntegrationTimeout); then it ends the function's and the
// authorizer's processes, which answers what is still running with the 502
// of a cut invocation, and cuts what is left.
func (f *Front) Close() error {
	var err error
	f.closed.Do(func() {
		shut := make(chan error, 1)
		// Cancelled cutGrace after the functions have ended, however long
		// ending them took: the requests whose invocations were cut must
		// get their 502 before the server cuts what is left.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if f.hs != nil {
			go func() { shut <- f.hs.Shutdown(ctx) }()
		} else {
			shut <- nil
		}
		graceEnd := time.Now().Add(shutdownGrace)
		grace := time.NewTimer(shutdownGrace)
		defer grace.Stop()
		done := false
		select {
		case e := <-shut:
			done = true
			if e != nil {
				err = f.hs.Close()
			}
		case <-grace.C:
		}
		var wg sync.WaitGroup
		for _, fn := range []Function{f.cfg.Function, f.cfg.Authorizer} {
			if fn == nil {
				continue
			}
			wg.Go(func() {
				if p, ok := fn.(*Process); ok {
					// The grace is the front's: what is left of it lets
					// invocations finish, those that answered a request
					// (they end when the runtime asks for its next event)
					// and those the gateway stopped waiting for.
					p.closeWithin(max(0, time.Until(graceEnd)))
				} else {
					fn.Close()
				}
			})
		}
		wg.Wait()
		if !done {
			cut := time.AfterFunc(cutGrace, cancel)
			defer cut.Stop()
			if <-shut != nil {
				err = f.hs.Close()
			}
		}
		f.logMu.Lock()
		f.lateQuiet = true
		f.logMu.Unlock()
	})
	return err
}

// request is one incoming HTTP request on its way to an event.
type request struct {
	r         *http.Request
	body      []byte
	path      string // the path below the stage prefix, decoded
	rawPath   string // the same as the client percent-encoded it
	requestID string // requestContext.requestId: the front's own, the invocation's for Function URLs
	traceID   string // the function's trace id (Lambda-Runtime-Trace-Id)
	traceRoot string // its Root, sent as X-Amzn-Trace-Id
	now       time.Time
	sourceIP  string
	// jwt is what the JWT authorizer passes on, when it let the request
	// through.
	jwt *events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription
}

func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	r = withPath(r)
	sw := &statusWriter{ResponseWriter: w}
	gatewayID, lambdaID := newRequestID(), newRequestID()
	out := f.serve(sw, r, gatewayID, lambdaID)
	if f.cfg.Logger != nil {
		attrs := []any{"method", textcut.Printable(textcut.Cut(r.Method, textcut.MaxMethodBytes)), "path", textcut.Printable(textcut.Cut(r.URL.Path, textcut.MaxPathBytes)), "status", sw.status,
			"durationMs", float64(time.Since(start).Microseconds()) / 1000}
		if f.cfg.Shape == ShapeREST || f.cfg.Shape == ShapeHTTP {
			// Only a gateway's id is the front's own: a Function URL's
			// names the invocation, and an ALB gives none.
			attrs = append(attrs, "gatewayRequestId", gatewayID)
		}
		attrs = append(attrs, "requestId", lambdaID)
		if out.timedOut {
			attrs = append(attrs, "integrationTimeoutMs", f.integrationTimeout.Milliseconds())
		}
		if out.streamFailed {
			attrs = append(attrs, "streamFailed", true)
		}
		f.cfg.Logger.Info("request", attrs...)
	}
	if out.streamFailed {
		// The status is sent; end the response abruptly so the client
		// sees a truncated body rather than a complete one.
		panic(http.ErrAbortHandler)
	}
}

// outcome is how serve ended a request, beyond the status it wrote.
type outcome struct {
	// timedOut: the gateway stopped waiting for the function (the
	// integration timeout).
	timedOut bool
	// streamFailed: a streamed response failed after its status was
	// sent, and the connection is to be cut.
	streamFailed bool
}

// serve answers one request; gatewayID is the front's request id and
// lambdaID the function's, as the REPORT line shows it. It reports whether
// the gateway stopped waiting for the function (the integration timeout)
// and whether a streamed response failed midway, which the caller ends by
// cutting the connection once the request is logged.
func (f *Front) serve(w http.ResponseWriter, r *http.Request, gatewayID, lambdaID string) (out outcome) {
	// The id clients see: the gateway's own, or the Lambda request id for
	// Function URLs. ALBs send none.
	switch f.cfg.Shape {
	case ShapeREST, ShapeHTTP:
		w.Header().Set("x-amzn-RequestId", gatewayID)
	case ShapeURL:
		w.Header().Set("x-amzn-RequestId", lambdaID)
	}
	eventID := gatewayID
	if f.cfg.Shape == ShapeURL {
		// A Function URL has no gateway: its event names the invocation.
		eventID = lambdaID
	}
	req, refused := f.readRequest(w, r, eventID)
	if refused == nil && f.httpPreflight(w, req) {
		return
	}
	if refused == nil {
		refused = f.unrouted(req)
	}
	if refused == nil && f.restPreflight(w, req) {
		return
	}
	if refused == nil {
		refused = f.decompress(req)
	}
	if refused != nil {
		f.refuse(w, r, refused)
		return
	}
	var authorizer map[string]any
	switch {
	case f.public(req):
	case f.cfg.Authorizer != nil:
		authorizer, refused = f.authorize(r.Context(), req)
	case f.cfg.JWTAuthorizer != nil:
		req.jwt, refused = f.authorizeJWT(r.Context(), req)
	}
	if refused == errClientGone {
		w.WriteHeader(statusClientClosed)
		return
	}
	if refused != nil {
		f.refuse(w, r, refused)
		return
	}
	payload, err := f.event(req, authorizer)
	if err != nil {
		f.logError("building the event", err)
		f.refuse(w, r, &gatewayError{status: http.StatusInternalServerError, message: "building the event: " + err.Error()})
		return
	}
	if len(payload) > maxInvokePayload {
		// The client's answer names no reason, as the gateway's does
		// not; the log says why the function was not invoked.
		f.logError("event too large", fmt.Errorf("the event is %d bytes, over Lambda's invocation payload limit of %d bytes: the function was not invoked", len(payload), maxInvokePayload))
		if f.cfg.Shape == ShapeREST || f.cfg.Shape == ShapeHTTP {
			// Lambda refuses the invocation, and API Gateway answers a
			// refused invocation with 500 ("Handling Lambda errors with an
			// API Gateway API"); no response type is documented for it,
			// so a Gateway Response of its class answers (DEFAULT_5XX).
			f.refuse(w, r, &gatewayError{status: http.StatusInternalServerError, message: "Internal server error"})
			return
		}
		writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	inv := &runtimeapi.Invocation{RequestID: lambdaID, TraceID: req.traceID, Payload: payload, Stream: f.cfg.Stream}
	resp, err := f.invoke(r.Context(), inv)
	if errors.Is(err, errIntegrationTimeout) {
		f.integrationTimedOut(w, r)
		return outcome{timedOut: true}
	}
	if clientGone(r.Context(), err) {
		// Still waiting for an environment: the function never ran.
		w.WriteHeader(statusClientClosed)
		return
	}
	if err != nil {
		f.functionFailed(w, r, lambdaID, err)
		return
	}
	defer resp.Body.Close()
	if f.cfg.Stream {
		return outcome{streamFailed: !f.writeStream(w, r, lambdaID, resp)}
	}
	f.writeBuffered(w, r, lambdaID, resp)
	return
}

// readRequest reads the body and places the path below the stage, or
// returns the gateway's refusal; eventID is the event's request id.
func (f *Front) readRequest(w http.ResponseWriter, r *http.Request, eventID string) (*request, *gatewayError) {
	if refused := badTarget(r); refused != nil {
		return nil, refused
	}
	if refused := foreignHost(r); refused != nil {
		return nil, refused
	}
	limit := int64(maxRequestBody)
	if f.cfg.Shape == ShapeALB {
		limit = maxALBBody
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &gatewayError{status: http.StatusRequestEntityTooLarge, message: "Request Too Long", responseType: responseTooLarge}
		}
		// A connection's errors name its addresses, which are none of the
		// client's business.
		var ne net.Error
		switch {
		case errors.As(err, &ne) && ne.Timeout():
			return nil, &gatewayError{status: http.StatusRequestTimeout, message: "reading the request body: it did not arrive in time"}
		case errors.As(err, &ne):
			return nil, &gatewayError{status: http.StatusBadRequest, message: "reading the request body: connection error"}
		}
		return nil, &gatewayError{status: http.StatusBadRequest, message: "reading the request body: " + err.Error()}
	}
	now := time.Now().UTC()
	trace := newTraceID(now)
	root, _, _ := strings.Cut(trace, ";")
	req := &request{r: r, body: body, path: r.URL.Path, rawPath: r.URL.EscapedPath(), requestID: eventID, traceID: trace, traceRoot: root, now: now}
	req.sourceIP, _, _ = net.SplitHostPort(r.RemoteAddr)
	if f.cfg.BasePath != "" {
		rest, ok := cutBasePath(req.rawPath, f.cfg.BasePath)
		if !ok {
			// A custom domain's answer for a path no API mapping covers:
			// no API, so none of an API's Gateway Responses.
			return nil, &gatewayError{status: http.StatusForbidden, message: "Forbidden", domain: true}
		}
		// rest came out of an escaped path that decodes.
		req.rawPath = rest
		req.path, _ = url.PathUnescape(rest)
		return req, nil
	}
	if f.stagePrefix() != "" {
		// The stage is the path's first level, matched as a base path
		// is: decoded (a client may encode any of its letters), and
		// ended by a slash, not by an encoded one (%2F).
		rest, ok := cutBasePath(req.rawPath, f.cfg.Stage)
		if !ok {
			// API Gateway's answer for a path outside every stage: REST
			// APIs refuse it as if it needed credentials, HTTP APIs do
			// not know it.
			if f.cfg.Shape == ShapeHTTP {
				return nil, &gatewayError{status: http.StatusNotFound, message: "Not Found"}
			}
			return nil, &gatewayError{status: http.StatusForbidden, message: "Missing Authentication Token", responseType: responseMissingToken}
		}
		// rest came out of an escaped path that decodes.
		req.rawPath = rest
		req.path, _ = url.PathUnescape(rest)
	}
	return req, nil
}

// writeBuffered answers with a buffered response the way the shape reads it.
func (f *Front) writeBuffered(w http.ResponseWriter, r *http.Request, requestID string, resp *runtimeapi.Response) {
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		f.functionFailed(w, r, requestID, err)
		return
	}
	if resp.ContentType == runtimeapi.ContentTypeHTTPIntegration {
		f.logError("streamed response in buffered mode", errors.New("the function streams its response; run the url or rest shape with streaming on to read it as Lambda would"))
	}
	if f.cfg.Shape == ShapeALB && len(out) > maxALBBody {
		f.logError("function response too large for an ALB", fmt.Errorf("%d bytes, the limit is %d", len(out), maxALBBody))
		writeMessage(w, http.StatusBadGateway, "Bad Gateway")
		return
	}
	if err := f.writeResponse(f.httpCORSWriter(w, r), out); err != nil {
		f.logError("malformed function response", err)
		f.refuse(w, r, malformedResponse(requestID, err))
	}
}

// malformedResponse is the answer to a function response that
// writeResponse refused, having written nothing: a 502, as the gateways
// answer, with the reason in the JSON body to help debugging. (API
// Gateway documents no response type for it: DEFAULT_5XX.)
func malformedResponse(requestID string, err error) *gatewayError {
	return &gatewayError{status: http.StatusBadGateway, message: "Internal server error",
		body: encodeJSON(map[string]string{"message": "Internal server error", "error": err.Error(), "requestId": requestID})}
}

func (f *Front) event(req *request, authorizer map[string]any) ([]byte, error) {
	switch f.cfg.Shape {
	case ShapeREST:
		ev := f.restEvent(req, authorizer)
		return json.Marshal(restEventJSON{ev, ev.IsBase64Encoded})
	case ShapeHTTP:
		ev := f.httpEvent(req, authorizer)
		return json.Marshal(httpEventJSON{ev, payload2Context{APIGatewayV2HTTPRequestContext: ev.RequestContext}})
	case ShapeURL:
		return json.Marshal(urlEventAsSent(f.urlEvent(req)))
	default:
		return json.Marshal(albEventAsSent(f.albEvent(req), f.cfg.MultiValueHeaders))
	}
}

func (f *Front) writeResponse(w http.ResponseWriter, payload []byte) error {
	switch {
	case f.cfg.Shape == ShapeREST:
		return writeProxyResponse(w, payload, true, restFields)
	case f.cfg.Shape == ShapeALB && f.cfg.MultiValueHeaders:
		return writeProxyResponse(w, payload, true, albMultiFields)
	case f.cfg.Shape == ShapeALB:
		return writeProxyResponse(w, payload, true, albFields)
	default:
		return writeProxyResponse(w, payload, false, payload2Fields)
	}
}

// functionFailed answers for a failed invocation the way the gateways do
// (502), with the Lambda error in the JSON body to help debugging. (API
// Gateway documents no response type for a failed Lambda proxy
// integration: DEFAULT_5XX answers.)
func (f *Front) functionFailed(w http.ResponseWriter, r *http.Request, requestID string, err error) {
	var fe *runtimeapi.FunctionError
	if !errors.As(err, &fe) {
		f.logError("invoking the function", err)
		f.refuse(w, r, &gatewayError{status: http.StatusInternalServerError, message: "Internal server error",
			body: encodeJSON(map[string]string{"message": "Internal server error", "error": err.Error(), "requestId": requestID})})
		return
	}
	if f.cfg.Logger != nil {
		// Escaped: a handler's error or panic may quote the client.
		f.cfg.Logger.Warn("function error", "requestId", requestID, "errorType", textcut.Printable(fe.Type), "errorMessage", textcut.Printable(fe.Message))
	}
	f.refuse(w, r, &gatewayError{status: http.StatusBadGateway, message: "Internal server error", body: encodeJSON(map[string]string{
		"message": "Internal server error", "errorType": fe.Type, "errorMessage": fe.Message, "requestId": requestID,
	})})
}

// statusClientClosed is the status the request line records for a
// request whose client went away before it was answered: nginx's 499
// (Client Closed Request). Nobody reads what is sent with it.
const statusClientClosed = 499

// errClientGone is the refusal of a request whose client went away at the
// authorizer: answered, and logged, with statusClientClosed.
var errClientGone = &gatewayError{status: statusClientClosed}

// clientGone reports whether err is the end of ctx, a request's context,
// ended because its client went away: a failure of no function.
func clientGone(ctx context.Context, err error) bool {
	return errors.Is(err, context.Canceled) && ctx.Err() != nil
}

func (f *Front) logWarn(msg string, err error) {
	if f.cfg.Logger != nil {
		f.cfg.Logger.Warn(msg, "error", err)
	}
}

func (f *Front) logError(msg string, err error) {
	if f.cfg.Logger != nil {
		f.cfg.Logger.Error(msg, "error", err)
	}
}

// gatewayError is an answer the gateway gives instead of the function's.
type gatewayError struct {
	status    int
	message   any // the "message" field; API Gateway sends null for authorizer failures
	errorType string
	// responseType is the refusal's API Gateway response type, when it
	// has one the deploy stack sets or the front names; empty: the
	// default of its status class.
	responseType string
	// domain says the custom domain answers, before any API is chosen,
	// so no API's Gateway Response applies.
	domain bool
	// body, when set, is the whole body of the answer without Gateway
	// Responses, instead of {"message": message}.
	body string
	// challenge, when set, is the WWW-Authenticate of the answer.
	challenge string
}

func (e *gatewayError) write(w http.ResponseWriter) {
	if e.errorType != "" {
		w.Header().Set("x-amzn-ErrorType", e.errorType)
	}
	if e.challenge != "" {
		w.Header().Set("WWW-Authenticate", e.challenge)
	}
	if e.body == "" {
		writeJSON(w, e.status, map[string]any{"message": e.message})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	io.WriteString(w, e.body)
}

func writeMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, encodeJSON(v))
}

// encodeJSON is v as JSON on a line of its own.
func encodeJSON(v any) string {
	var buf bytes.Buffer
	json.NewEncoder(&buf).Encode(v)
	return buf.String()
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// URLAt is the URL the front has when it listens on addr: for a caller
// that must give the function the front's URL before starting it, having
// opened the listener (Config.Listener) first.
func (f *Front) URLAt(addr net.Addr) string { return f.urlAt(reachableAddr(addr)) }
