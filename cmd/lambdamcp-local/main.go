// Command lambdamcp-local runs a Lambda function locally behind a stand-in
// for its AWS front door: API Gateway REST or HTTP API, a Function URL or an
// Application Load Balancer. It is the project's answer to
// `sam local start-api`, without Docker.
//
// The function is the real compiled bootstrap, run as a child process that
// speaks the Lambda Runtime API: started on the first request (cold start),
// reused while warm, replaced after a crash or a timeout. Each request
// becomes the event the chosen shape sends; a Lambda authorizer, when given,
// runs first; the function's answer goes back as HTTP. Every invocation logs
// Lambda's REPORT line with its duration and, on a cold start, the init
// duration.
//
// Usage:
//
//	lambdamcp-local [flags]
//
// Examples:
//
//	lambdamcp-local -build ./cmd/mcp-server                    # REST API at http://127.0.0.1:9000/dev
//	lambdamcp-local -shape url -stream -function ./bootstrap -env MCP_STREAM=url   # Function URL, streaming
//	lambdamcp-local -build ./cmd/mcp-server -build-authorizer ./cmd/authorizer \
//	    -env MCP_AUTH_FROM_AUTHORIZER=1 -authorizer-env MCP_AUTH_TOKEN_SHA256=<hash>
//
// Flags:
//
//	-shape rest|http|url|alb  the front to emulate (default rest)
//	-addr host:port           listen address (default 127.0.0.1:9000)
//	-stage name               REST stage, the path prefix (default dev); HTTP API stage (default $default)
//	-base-path path           rest: serve through a custom domain's API mapping with this base path (tools: http://127.0.0.1:9000/tools)
//	-function path            the function's bootstrap binary
//	-build package            build the function from a Go package instead (go build)
//	-authorizer path          a Lambda authorizer's bootstrap binary (rest and http)
//	-build-authorizer package build the authorizer from a Go package instead
//	-authorizer-type t        REST authorizer type: token (default) or request (http: REQUEST, payload 2.0, always)
//	-authorizer-cache-ttl d   how long API Gateway keeps the authorizer's answer per Authorization header (default 300s with -like-deploy, as the stack; else 0, off)
//	-like-deploy              rest with an authorizer: answer as the deploy stack's REST API (its routes only, public metadata, OAuth challenges, its Gateway Responses);
//	                          http: answer as the stack's HTTP API (its routes only, preflights answered with its CORS configuration), behind its own JWT authorizer
//	                          with JWTs, or with an authorizer (static tokens) behind that Lambda authorizer, its simple responses cached
//	-jwt-issuer URL           http with -like-deploy: the JWT authorizer's issuer (the stack's jwtIssuer)
//	-jwt-audience a,b         http with -like-deploy: the JWT authorizer's audiences (the stack's jwtAudience, and for a Cognito client the endpoint)
//	-test-issuer              run a loopback authorization server that approves every request, print its client's credentials, and set the functions up to take its JWTs
//	-timeout d                function timeout (default 30s)
//	-integration-timeout d    API Gateway's wait for the function (rest, http; default 29s rest, 30s http; negative: none)
//	-memory MB                memory size reported to the function (default 128)
//	-name name                function name (default lambdamcp)
//	-concurrency n            processes running at once (default 1; more requests queue)
//	-env KEY=VALUE            function environment variable (repeatable)
//	-authorizer-env KEY=VALUE authorizer environment variable (repeatable)
//	-stream                   response streaming: Function URL RESPONSE_STREAM (url), REST transfer mode STREAM (rest)
//	-alb-multi-value          ALB multi-value headers mode
//
// The API's base URL is printed on stdout once the front listens (with
// -test-issuer, the issuer, its client's id and secret and the
// mcp-client command lines follow it); logs (JSON) and the functions'
// output go to stderr.
//
// Exit status: 0 when stopped (Ctrl-C or SIGTERM, also while building)
// and for -h; 2 for flags it cannot run with, checked before anything is
// built; 1 when building or starting fails. A second Ctrl-C or SIGTERM during the shutdown kills the
// function's processes and ends the program at once, as the signal does
// (a second Ctrl-C exits with 130 when interrupts were ignored at start, as
// in a shell's background job).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/cmdline"
	"github.com/lambdamcp/lambdamcp/internal/httpsyntax"
	"github.com/lambdamcp/lambdamcp/internal/listenaddr"
	"github.com/lambdamcp/lambdamcp/internal/localfront"
	"github.com/lambdamcp/lambdamcp/internal/oauthscope"
	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

func main() {
	ctx, exit := untilSignal(killAll)
	exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// untilSignal returns a context that ends at the first interrupt or
// SIGTERM, which begins the shutdown, and the function main exits with. A
// second one, should the user not wait for the shutdown, calls kill and
// then ends this process as the signal does by default. The kill ends the
// shutdown too, whose invocations it cuts, and the run returns: exit then
// waits for the signal to end the process, where exiting with the run's
// status would tell that the shutdown completed.
func untilSignal(kill func()) (context.Context, func(code int)) {
	ctx, cancel := context.WithCancel(context.Background())
	// A shell starts a background job with interrupts ignored: raised
	// again, a second one would be ignored and the process would not end.
	interruptIgnored := signal.Ignored(os.Interrupt)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var ending sync.Mutex // held from the second signal on, until the process dies of it
	go func() {
		<-sigs
		cancel()
		sig := <-sigs
		ending.Lock()
		kill()
		signal.Reset(os.Interrupt, syscall.SIGTERM)
		if sig == os.Interrupt && interruptIgnored {
			os.Exit(exitInterrupted)
		}
		if p, err := os.FindProcess(os.Getpid()); err != nil || p.Signal(sig) != nil {
			os.Exit(exitInterrupted) // a system that cannot signal a process
		}
	}()
	return ctx, func(code int) {
		ending.Lock()
		os.Exit(code)
	}
}

// killAll ends what a run would leave behind when a second signal ends the
// process: the function's processes, which run in process groups of their
// own that the signal does not reach, and the directories the functions
// were built into, which the shutdown cut short does not remove.
func killAll() {
	localfront.KillAll()
	buildDirs.removeAll()
}

// exitInterrupted is the exit status after Ctrl-C, as shells give a
// command killed by SIGINT (128 + 2).
const exitInterrupted = 130

type envList []string

func (e *envList) String() string { return strings.Join(*e, " ") }

// Set takes any entry: one refused here would be quoted whole by the flag
// package, and it may be a secret. check refuses it after.
func (e *envList) Set(v string) error {
	*e = append(*e, v)
	return nil
}

// check refuses an entry that is not KEY=VALUE, or whose KEY Lambda
// would refuse, naming it by its place among the entries of the flag name,
// never by its value: without a name (or with an empty one) it may be a
// secret given alone. Of the names Lambda reserves, those it fills in from
// the function's region and role (roleEnv) are taken.
func (e envList) check(name string) error {
	for i, kv := range e {
		k, _, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("%s entry %d is not KEY=VALUE (not shown, as a value may be a secret)", name, i+1)
		}
		if !envName.MatchString(k) {
			// A space before the = would stay in the name, beside the one meant.
			return fmt.Errorf("%s entry %d: Lambda takes a name of letters, digits and _, starting with a letter, at least 2, and no space before the = (not shown, as a value may be a secret)", name, i+1)
		}
		if v := kv[len(k)+1:]; k == "AWS_LAMBDA_MAX_CONCURRENCY" && isMaxConcurrency(v) {
			return fmt.Errorf("%s entry %d: AWS_LAMBDA_MAX_CONCURRENCY above 1 has the runtime wait for that many invocations at once, as on Lambda Managed Instances, "+
				"and the front hands each execution environment one at a time, as Lambda (default) does; run several environments with -concurrency", name, i+1)
		}
		if slices.Contains(lambdaReservedEnv, k) && !slices.Contains(roleEnv, k) {
			// The name is shown: it is one of Lambda's, no secret.
			return fmt.Errorf("%s entry %d: %s is reserved by Lambda, which a function's configuration may not set; the front sets Lambda's own%s", name, i+1, k, reservedHint[k])
		}
	}
	return nil
}

// isMaxConcurrency reports whether v, an AWS_LAMBDA_MAX_CONCURRENCY, has
// aws-lambda-go serve several invocations at once: a number above 1, as
// its lambdacontext reads it.
func isMaxConcurrency(v string) bool {
	n, err := strconv.Atoi(v)
	return err == nil && n > 1
}

// lambdaReservedEnv are the variables Lambda sets and a function's
// configuration may not ("Defined runtime environment variables", AWS
// Lambda Developer Guide), as the deploy app refuses them in serverEnv.
var lambdaReservedEnv = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ",
}

// roleEnv are the reserved variables that Lambda fills in from the
// function's region and role, which nothing gives a function here, the
// shell's environment being left out: -env may set them, to try a region
// or to call AWS.
var roleEnv = []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}

// reservedHint names the flag that sets a reserved variable.
var reservedHint = map[string]string{
	"AWS_LAMBDA_FUNCTION_NAME":        " (the function's name is -name)",
	"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": " (the memory size is -memory)",
}

// envName is what Lambda takes for an environment variable's name, as the
// deploy app checks it: a function could never be given another.
var envName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]+$`)

type options struct {
	shape, addr, stage, base    string
	function, build             string
	authorizer, buildAuthorizer string
	authorizerType              string
	// cacheTTL is -authorizer-cache-ttl; cacheTTLSet says it was given.
	cacheTTL                    time.Duration
	cacheTTLSet                 bool
	timeout, integrationTimeout time.Duration
	memory, concurrency         int
	name                        string
	env, authorizerEnv          envList
	stream, albMultiValue       bool
	likeDeploy                  bool
	testIssuer                  bool
	jwtIssuer, jwtAudience      string
	// jwt is the HTTP API's JWT authorizer once -test-issuer's issuer
	// runs; before, a stand-in with the same shape.
	jwt *localfront.JWTAuthorizer
	// listener is where the front serves when it was opened before the
	// functions, whose environment names the front's URL; nil: -addr.
	listener net.Listener
}

const usage = "usage: lambdamcp-local [flags]"

// errFlagReported is parse's error for a flag it could not read, which
// the flag package has already printed, with the synopsis and the flags.
var errFlagReported = errors.New("bad flag, reported")

func parse(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("lambdamcp-local", flag.ContinueOnError)
	fs.StringVar(&o.shape, "shape", "rest", "the front to emulate: rest, http, url or alb")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:9000", "listen address")
	fs.StringVar(&o.stage, "stage", "", "API stage (rest default dev, http default $default)")
	fs.StringVar(&o.base, "base-path", "", "rest: emulate a custom domain whose API mapping has this base path (tools, v1/tools); the URL has it instead of the stage")
	fs.StringVar(&o.function, "function", "", "path of the function's bootstrap binary")
	fs.StringVar(&o.build, "build", "", "Go package to build the function from")
	fs.StringVar(&o.authorizer, "authorizer", "", "path of a Lambda authorizer's bootstrap binary")
	fs.StringVar(&o.buildAuthorizer, "build-authorizer", "", "Go package to build the authorizer from")
	fs.StringVar(&o.authorizerType, "authorizer-type", "", "REST authorizer type: token (the default) or request; an HTTP API's (-shape http) are REQUEST ones, payload 2.0, without this flag")
	fs.DurationVar(&o.cacheTTL, "authorizer-cache-ttl", 0, "how long API Gateway keeps the Lambda authorizer's answer per Authorization header, a policy evaluated again for each request (whole seconds up to 1h; 0: off; default "+
		localfront.DeployAuthorizerCacheTTL.String()+" with -like-deploy, as the deploy stack, else off)")
	fs.BoolVar(&o.likeDeploy, "like-deploy", false, "rest with an authorizer: answer as deploy/'s REST API does, a 404 for a path it has no method for, its metadata public with JWTs (MCP_JWT_ISSUER in -authorizer-env, an http(s) URL) "+
		"and the authorizer's 401 and 403 with its WWW-Authenticate challenges (naming MCP_REQUIRED_SCOPES), every refusal with its JSON bodies and CORS headers (origins from MCP_ALLOWED_ORIGINS in -env); "+
		"http: the HTTP API's routes (GET, POST and DELETE of /mcp, the metadata's GETs with JWTs, 404 for anything else) and its CORS (the same origins), which answers preflights and replaces the function's CORS headers, "+
		"behind its JWT authorizer with JWTs (-test-issuer, or -jwt-issuer and -jwt-audience), or with static tokens behind the Lambda authorizer given, its simple responses cached")
	fs.StringVar(&o.jwtIssuer, "jwt-issuer", "", "http with -like-deploy: the issuer of the JWTs the HTTP API's JWT authorizer checks (its OpenID discovery names the keys); the route's scopes are MCP_REQUIRED_SCOPES in -env")
	fs.StringVar(&o.jwtAudience, "jwt-audience", "", "http with -like-deploy: the comma-separated audiences of the JWT authorizer, matched against aud, or client_id when a token has no aud")
	fs.BoolVar(&o.testIssuer, "test-issuer", false, "run an authorization server on loopback that approves every request, for trying JWTs without an account: "+
		"its client's credentials are printed, and the functions' MCP_JWT_* and metadata settings not given are filled in as the deploy stack's Cognito variant sets them")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "function timeout")
	fs.DurationVar(&o.integrationTimeout, "integration-timeout", 0,
		"API Gateway's integration timeout for buffered rest and http requests (0: AWS's default, 29s for rest, 30s for http; negative: none)")
	fs.IntVar(&o.memory, "memory", 128, "memory size in MB reported to the function")
	fs.IntVar(&o.concurrency, "concurrency", 1, "processes running at once")
	fs.StringVar(&o.name, "name", "lambdamcp", "function name")
	fs.Var(&o.env, "env", "function environment variable KEY=VALUE (repeatable)")
	fs.Var(&o.authorizerEnv, "authorizer-env", "authorizer environment variable KEY=VALUE (repeatable)")
	fs.BoolVar(&o.stream, "stream", false, "response streaming: Function URL RESPONSE_STREAM (url shape) or REST transfer mode STREAM (rest shape); a lambdamcp function also needs -env MCP_STREAM=url or rest")
	fs.BoolVar(&o.albMultiValue, "alb-multi-value", false, "ALB multi-value headers mode")
	if code, ok := cmdline.Parse(fs, args, stderr, usage); !ok {
		if code == 0 {
			return nil, flag.ErrHelp
		}
		return nil, errFlagReported
	}
	if fs.NArg() > 0 {
		return nil, errors.New(cmdline.Unexpected(fs.Args()))
	}
	if err := o.env.check("-env"); err != nil {
		return nil, err
	}
	if err := o.authorizerEnv.check("-authorizer-env"); err != nil {
		return nil, err
	}
	if o.shape == string(localfront.ShapeHTTP) {
		// An HTTP API's Lambda authorizers are REQUEST authorizers, with
		// payload 2.0 here: the type is a REST API's choice.
		switch o.authorizerType {
		case "token":
			return nil, errors.New("-authorizer-type token with -shape http: an HTTP API has no TOKEN authorizers, only REQUEST ones (payload 2.0, what -shape http sends without -authorizer-type)")
		case "request":
			return nil, errors.New("-authorizer-type request with -shape http: the flag chooses a REST API's authorizer type; an HTTP API's are REQUEST ones (payload 2.0, what -shape http sends without -authorizer-type)")
		}
	}
	fs.Visit(func(f *flag.Flag) { o.cacheTTLSet = o.cacheTTLSet || f.Name == "authorizer-cache-ttl" })
	if (o.function == "") == (o.build == "") {
		return nil, errors.New("give exactly one of -function and -build")
	}
	if o.authorizer != "" && o.buildAuthorizer != "" {
		return nil, errors.New("give at most one of -authorizer and -build-authorizer")
	}
	if len(o.authorizerEnv) > 0 && !o.hasAuthorizer() {
		return nil, errors.New("-authorizer-env without -authorizer or -build-authorizer: there is no authorizer to give it to")
	}
	// Lambda's own limits: a function would never see other values.
	switch {
	case o.timeout < time.Second || o.timeout > 15*time.Minute || o.timeout%time.Second != 0:
		return nil, fmt.Errorf("-timeout %v: Lambda takes whole seconds from 1s to 15m0s", o.timeout)
	case o.memory < 128 || o.memory > 10240:
		return nil, fmt.Errorf("-memory %d: Lambda takes 128 to 10240 MB", o.memory)
	case o.concurrency < 1:
		return nil, fmt.Errorf("-concurrency %d: at least one process must run", o.concurrency)
	case !functionName.MatchString(o.name):
		return nil, fmt.Errorf("-name %q: Lambda takes letters, digits, hyphens and underscores, up to 64", textcut.Cut(o.name, maxQuotedFlagBytes))
	}
	if o.likeDeploy && (o.shape == string(localfront.ShapeURL) || o.shape == string(localfront.ShapeALB)) {
		// The stack's url variant is the Function URL alone: nothing in
		// front of the function answers for it.
		return nil, fmt.Errorf("-like-deploy answers as the deploy stack's REST API (-shape rest, with an authorizer) or HTTP API (-shape http); shape %s has neither", o.shape)
	}
	if err := o.checkJWTAuthorizer(); err != nil {
		return nil, err
	}
	if err := o.checkTestIssuer(); err != nil {
		return nil, err
	}
	if err := o.checkRequiredScopes(); err != nil {
		return nil, err
	}
	// The front checks its configuration; ask it now, with stand-ins for
	// the functions, rather than after building them.
	var authorizer localfront.Function
	if o.hasAuthorizer() {
		authorizer = unbuilt{}
	}
	if _, err := localfront.New(o.frontConfig(unbuilt{}, authorizer, nil)); err != nil {
		return nil, err
	}
	return o, nil
}

// maxQuotedFlagBytes bounds what an error quotes of -name: a function's
// name is at most 64 bytes, and a flag's value may be of any size (-addr
// is quoted as serve quotes MCP_ADDR: listenaddr.Error).
const maxQuotedFlagBytes = textcut.MaxPathBytes

// functionName is what Lambda takes for a function's name: the name is in
// the function's environment, its ARN and its log group, where another
// could never be.
var functionName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (o *options) hasAuthorizer() bool { return o.authorizer != "" || o.buildAuthorizer != "" }

// frontConfig is the front the flags describe, invoking fn behind
// authorizer (nil: none).
func (o *options) frontConfig(fn, authorizer localfront.Function, logger *slog.Logger) localfront.Config {
	addr := o.addr
	if o.listener != nil {
		addr = ""
	}
	return localfront.Config{
		Shape: localfront.Shape(o.shape), Addr: addr, Listener: o.listener, Stage: o.stage, BasePath: o.base, Function: fn,
		Authorizer: authorizer, AuthorizerType: o.authorizerType, AuthorizerCacheTTL: o.authorizerCacheTTL(), Deploy: o.deploy(), JWTAuthorizer: o.jwtAuthorizer(), DeployHTTP: o.deployHTTP(),
		Stream: o.stream, MultiValueHeaders: o.albMultiValue, IntegrationTimeout: o.integrationTimeout, Logger: logger,
	}
}

// authorizerCacheTTL is the Lambda authorizer's result cache: as given,
// else the deploy stack's default with -like-deploy (where there is a
// Lambda authorizer: on rest, and on http with static tokens), else off,
// the authorizer running for every request.
func (o *options) authorizerCacheTTL() time.Duration {
	switch {
	case o.cacheTTLSet:
		return o.cacheTTL
	case o.likeDeploy && o.hasAuthorizer():
		return localfront.DeployAuthorizerCacheTTL
	}
	return 0
}

// deploy is the deploy stack's REST API as -like-deploy asks for it,
// derived from the environments as the stack derives them from its
// settings (newAuth): tokens come from an authorization server when the
// authorizer checks JWTs of an issuer that is an http(s) URL, and the scopes it requires are named; the CORS
// origins the stack gives its Gateway Responses are those it gives the
// server (MCP_ALLOWED_ORIGINS), in the form a browser sends them, "*" when
// none are set, as by default.
func (o *options) deploy() *localfront.DeployREST {
	if !o.likeDeploy || o.shape == string(localfront.ShapeHTTP) {
		return nil
	}
	// The test issuer's settings are filled in later, when it runs;
	// those the user gave stand, as they will then.
	d := &localfront.DeployREST{JWT: o.testIssuer, RequiredScopes: o.testIssuerScopes()}
	for _, kv := range o.authorizerEnv {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "MCP_JWT_ISSUER":
			d.JWT = issuerIsURL(v)
		case "MCP_REQUIRED_SCOPES":
			// The test issuer's scopes are those it fills in.
			if !o.testIssuer {
				d.RequiredScopes = oauthscope.List(v)
			}
		}
	}
	d.CORSAllowOrigins = o.corsOrigins()
	return d
}

// issuerIsURL reports whether issuer is an http(s) URL with a host, which
// a metadata document may name as its authorization server (RFC 8414
// section 2): the stack publishes and points at metadata only then.
func issuerIsURL(issuer string) bool {
	u, err := url.Parse(issuer)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// deployHTTP is the deploy stack's HTTP API as -like-deploy on http asks
// for it, behind its JWT authorizer or, for static tokens, its Lambda
// authorizer: its routes, and its CORS configuration with the origins the
// stack gives the server too, as deploy's.
func (o *options) deployHTTP() *localfront.DeployHTTP {
	if !o.likeDeploy || o.shape != string(localfront.ShapeHTTP) {
		return nil
	}
	return &localfront.DeployHTTP{CORSAllowOrigins: o.corsOrigins()}
}

// corsOrigins are the stack's CORS origins, which it gives the server as
// MCP_ALLOWED_ORIGINS (the last setting in -env), in the form a browser
// sends them; nil, the stack's default "*", when none are set.
func (o *options) corsOrigins() []string {
	var origins []string
	for _, kv := range o.env {
		if v, ok := strings.CutPrefix(kv, "MCP_ALLOWED_ORIGINS="); ok {
			origins = nil
			for origin := range strings.SplitSeq(v, ",") {
				if origin = strings.TrimSpace(origin); origin != "" {
					origins = append(origins, httpsyntax.SerializedOrigin(origin))
				}
			}
		}
	}
	return origins
}

// unbuilt stands for a function that is not built yet.
type unbuilt struct{}

func (unbuilt) Invoke(context.Context, *runtimeapi.Invocation) (*runtimeapi.Response, error) {
	return nil, errors.New("the function is not built")
}

func (unbuilt) Close() error { return nil }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if errors.Is(err, errFlagReported) {
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "lambdamcp-local:", err)
		return 2
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	front, issuer, cleanup, err := start(ctx, o, logger, stderr)
	defer cleanup()
	if err != nil && ctx.Err() != nil {
		// Stopped while building or starting: what failed was cut
		// short by the signal, which is a stop, not a failure.
		logger.Info("stopped before the front started", "cut", err.Error())
		return 0
	}
	if err != nil {
		logger.Error("starting", "error", err)
		return 1
	}
	logger.Info("listening", "shape", o.shape, "url", front.URL())
	fmt.Fprintln(stdout, front.URL())
	if issuer != nil {
		printTestIssuer(stdout, front.URL()+"/mcp", issuer)
	}
	<-ctx.Done()
	logger.Info("shutting down")
	front.Close()
	return 0
}

// flagFor names the flag that gave a binary: the path flag when it was
// set, else the package flag it was built from.
func flagFor(path, pathFlag, packageFlag string) string {
	if path != "" {
		return pathFlag
	}
	return packageFlag
}

// listen opens the front's listener at -addr, naming the flag when it
// cannot, as for a port another program holds. An empty -addr is the
// front's default, a free port of 127.0.0.1, never every interface.
func (o *options) listen() error {
	addr := o.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return listenaddr.Error("-addr", o.addr, err)
	}
	o.listener = ln
	return nil
}

// start builds what needs building, then starts the functions and the front.
func start(ctx context.Context, o *options, logger *slog.Logger, output io.Writer) (*localfront.Front, *oauthtest.Server, func(), error) {
	var dirs []string
	var issuer *oauthtest.Server
	cleanup := func() {
		if issuer != nil {
			issuer.Close()
		}
		if o.listener != nil {
			o.listener.Close() // the front's, when it did not start
		}
		buildDirs.remove(dirs...)
	}
	if o.testIssuer {
		var err error
		if issuer, err = o.startTestIssuer(); err != nil {
			return nil, nil, cleanup, err
		}
	}
	binary := func(path, pkg string) (string, error) {
		if pkg == "" {
			return path, nil
		}
		dir, err := buildDirs.make()
		if err != nil {
			return "", err
		}
		dirs = append(dirs, dir)
		logger.Info("building", "package", pkg)
		return localfront.Build(ctx, pkg, dir)
	}

	fnPath, err := binary(o.function, o.build)
	if err != nil {
		return nil, nil, cleanup, err
	}
	fn, err := localfront.NewProcess(fnPath, &localfront.FunctionConfig{
		Name: o.name, MemoryMB: o.memory, Timeout: o.timeout, Env: o.env,
		Concurrency: o.concurrency, Output: output, Logger: logger,
	})
	if err != nil {
		return nil, nil, cleanup, fmt.Errorf("%s: %w", flagFor(o.function, "-function", "-build"), err)
	}
	var authorizer localfront.Function
	if o.hasAuthorizer() {
		authPath, err := binary(o.authorizer, o.buildAuthorizer)
		if err != nil {
			fn.Close()
			return nil, nil, cleanup, err
		}
		authorizer, err = localfront.NewProcess(authPath, &localfront.FunctionConfig{
			Name: o.name + "-authorizer", Env: o.authorizerEnv, Output: output, Logger: logger,
		})
		if err != nil {
			fn.Close()
			return nil, nil, cleanup, fmt.Errorf("%s: %w", flagFor(o.authorizer, "-authorizer", "-build-authorizer"), err)
		}
	}
	if o.listener == nil {
		err = o.listen()
	}
	var front *localfront.Front
	if err == nil {
		front, err = localfront.Start(ctx, o.frontConfig(fn, authorizer, logger))
	}
	if err != nil {
		fn.Close()
		if authorizer != nil {
			authorizer.Close()
		}
		return nil, nil, cleanup, err
	}
	return front, issuer, cleanup, nil
}
