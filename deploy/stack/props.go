package stack

import (
	"fmt"
	"maps"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-cdk-go/awscdk/v2"
)

// Variant names the front door the stack puts before the MCP server function.
type Variant string

const (
	// VariantREST is an API Gateway REST API (v1) with a Lambda TOKEN authorizer: the default.
	VariantREST Variant = "rest"
	// VariantHTTP is an API Gateway HTTP API (v2) with a Lambda authorizer (simple responses), or
	// the HTTP API's own JWT authorizer when a JWT issuer is configured.
	VariantHTTP Variant = "http"
	// VariantURL is a Lambda Function URL in RESPONSE_STREAM mode; the server checks bearer tokens
	// itself because the URL is open (auth type NONE).
	VariantURL Variant = "url"
)

// Default values used when the matching Props field is zero.
const (
	DefaultStageName          = "dev"
	DefaultAuthorizerCacheTTL = 300 * time.Second
	DefaultLogRetentionDays   = 30
	DefaultServerMemoryMB     = 512
	DefaultAuthorizerMemoryMB = 256
	// DefaultBufferedTimeout is the server timeout for buffered fronts (rest, http): MCP requests on
	// a stateless server are short, and API Gateway cuts buffered integrations at about 30 s anyway.
	DefaultBufferedTimeout = 10 * time.Second
	// DefaultStreamingTimeout is the server timeout for streaming fronts (rest with Stream, url),
	// where a tool call may stream progress for longer.
	DefaultStreamingTimeout = 60 * time.Second
	DefaultThrottleRate     = 50
	DefaultThrottleBurst    = 100
)

// LogRetentionNever, as Props.LogRetentionDays, keeps the logs forever: CloudWatch Logs never
// expires them.
const LogRetentionNever = -1

// The memory a Lambda function may have, in MB.
const (
	minMemoryMB = 128
	maxMemoryMB = 10240
)

// Props configures the stack. The zero value (plus a source directory) deploys the REST variant
// with static bearer tokens whose SHA-256 hashes are given as a CloudFormation parameter.
type Props struct {
	awscdk.StackProps

	// SourceDir is the root of the lambdamcp module whose cmd/authorizer (and, unless ServerDir
	// or ServerPackage say otherwise, cmd/mcp-server) is compiled into the functions. It may be
	// left empty when ServerDir names a module that requires github.com/lambdamcp/lambdamcp, as
	// a server on package serve does: the authorizer is then built there, from the lambdamcp
	// version the server is built with.
	SourceDir string
	// ServerDir is the root of the Go module the server function is built in; empty means
	// SourceDir. Set it, with ServerPackage, to deploy a server of your own written in a module
	// of your own. A relative folder is taken from the process's working directory.
	ServerDir string
	// ServerPackage is the main package compiled into the server function, as go build names
	// it from ServerDir (such as "./cmd/myserver"); empty means "./cmd/mcp-server", the
	// reference server. The stack configures the server through its environment: bearer
	// authentication (or, behind an API Gateway authorizer, MCP_AUTH_FROM_AUTHORIZER=1), the
	// resource's RFC 9728 metadata, allowed origins and, where responses stream, MCP_STREAM. A
	// server of your own must read it, as one that runs with package
	// github.com/lambdamcp/lambdamcp/serve does; one that does not serves without
	// authentication on a Function URL.
	ServerPackage string
	// BuildDir receives one folder per function holding its bootstrap binary. Required.
	BuildDir string
	// Build compiles a main package; nil means GoBuild.
	Build BuildFunc

	// Variant selects the front door; empty means VariantREST.
	Variant Variant
	// Stream switches the REST integration to response streaming (transfer mode STREAM).
	// Only valid with VariantREST.
	Stream bool
	// StageName is the REST API stage; empty means "dev". Only for VariantREST: the HTTP API
	// always uses its $default stage so that /.well-known/… sits at the host root.
	StageName string

	// AuthorizerCacheTTL is how long API Gateway caches an authorizer result per Authorization
	// header, in whole seconds up to an hour. Zero means 300 s; a negative value turns caching off. Only where there is a Lambda
	// authorizer: VariantREST, and VariantHTTP with static tokens.
	AuthorizerCacheTTL time.Duration
	// LogRetentionDays is how many days every log group of the stack keeps its logs: one of the
	// counts CloudWatch Logs accepts (LogRetentionDaysAccepted), or LogRetentionNever to keep
	// them forever; zero means 30.
	LogRetentionDays int
	// ServerMemoryMB is the server function's memory, 128 to 10240; zero means 512.
	ServerMemoryMB int
	// ServerReservedConcurrency reserves that many concurrent executions for the server
	// function, which is also the most it runs at once; zero reserves none. On the url variant
	// it is the only limit on callers (a Function URL has no stage to throttle, and its auth
	// type is NONE). AWS refuses a reservation that leaves the account fewer than 100
	// unreserved executions.
	ServerReservedConcurrency int
	// ServerTimeout is the server function's timeout, in whole seconds up to Lambda's 15 min
	// (less than 29 s on buffered REST, and on HTTP too: AWS allows an HTTP API integration 30 s,
	// the CDK 29); zero means DefaultBufferedTimeout or, for streaming fronts,
	// DefaultStreamingTimeout. Gateway integrations wait a second longer, up to the 15 min a
	// streaming REST integration allows.
	ServerTimeout time.Duration
	// ThrottleRate and ThrottleBurst are the stage's request rate (per second) and burst limits;
	// zero means 50 and 100, and a negative value is refused.
	ThrottleRate, ThrottleBurst int
	// CORSAllowOrigins are the origins allowed to call the endpoint from a browser; nil means "*"
	// (bearer tokens, not cookies, carry the credentials), which goes alone: an empty list, or
	// "*" among origins, is refused. They are put in the form a browser
	// sends in Origin (lower case, no trailing slash, no default port); a Unicode host, or a port
	// beyond TCP's (1 to 65535), is refused. On VariantURL, whose Function URL takes at most 100
	// origins of up to 253 characters each, more, or a longer one, is refused.
	CORSAllowOrigins []string
	// CORSAllowHeaders are request headers a browser may send besides the MCP transport's own
	// (Authorization, Content-Type, Accept, MCP-Protocol-Version, Mcp-Method, Mcp-Name,
	// Mcp-Session-Id, Last-Event-ID): the Mcp-Param-{Name} headers into which 2026-07-28 clients
	// mirror the arguments a tool's input schema marks with x-mcp-header, which only the server's
	// tools name. The gateways answer preflights from a fixed list. On VariantREST, whose
	// preflight writes them (and an origin) into a single-quoted static value, none may hold "'".
	// On VariantURL, whose Function URL takes at most 100 headers of up to 1024 characters each,
	// the MCP transport's 8 among them, more than 92 distinct ones, or a longer one, are refused.
	CORSAllowHeaders []string
	// ServerEnv adds environment variables to the server function, for a server of one's own:
	// plain configuration, written into the template as given (secrets go in ServerSecretEnv,
	// and MCP_REQUEST_STATE_KEY, the key that seals requestState, is refused here).
	// Names Lambda reserves (AWS_REGION, AWS_LAMBDA_FUNCTION_NAME, TZ, …) and names the stack
	// sets itself (MCP_AUTH_*, MCP_JWT_*, MCP_RESOURCE_URL, MCP_STREAM, …) are refused, and so
	// are names and values over the 4 KB Lambda allows a function's variables in all (the
	// stack's own take about 0.5 KB of it).
	ServerEnv map[string]string
	// ServerSecretEnv names environment variables of the server function whose values are
	// secrets, such as MCP_REQUEST_STATE_KEY: each becomes a NoEcho CloudFormation parameter
	// (ServerSecret followed by the name in camel case: ServerSecretMcpRequestStateKey), given at
	// deploy time with --parameters, so the value is in neither the template nor cdk.out.
	ServerSecretEnv []string
	// Alarms creates CloudWatch alarms, each raised by one failure in five minutes: the server's
	// Faults (lambdamcp's metric of the calls it failed, in namespace "lambdamcp": a server of
	// one's own that sets Options.MetricsNamespace is not watched there), its Lambda Errors and
	// Throttles, and the front's 5xx answers (the API stage's, or the Function URL's). False
	// means none.
	Alarms bool
	// AlarmTopicARN is a standard SNS topic, in the stack's region (checked as CertificateARN's
	// is), that the alarms notify when raised and when cleared; empty means none (they show in
	// the CloudWatch console). It requires Alarms.
	AlarmTopicARN string
	// APIGatewayCloudWatchRole creates the role that lets API Gateway REST write logs and sets it
	// on the account (one per account and region; kept when the stack is destroyed). Leave it
	// false when the account already has one; a fresh account needs it once. VariantREST only.
	APIGatewayCloudWatchRole bool
	// DetailedMetrics turns on the REST stage's detailed CloudWatch metrics: each metric per
	// method and resource besides the stage's own, which CloudWatch bills as custom metrics.
	// False means the stage's metrics only (ApiName and Stage, free), which the alarms watch.
	// VariantREST only.
	DetailedMetrics bool

	// JWT switches verification from static token hashes to JWTs. Not with Cognito.
	JWT *JWT
	// Cognito creates a user pool, a resource server and a machine-to-machine app client, and
	// verifies the tokens it issues. The pool has deletion protection on and is retained when
	// the stack is destroyed or the pool replaced, so its users outlive a mistaken destroy.
	Cognito bool
	// CognitoDeletable turns the pool's deletion protection off and deletes the pool, with its
	// users, along with the stack: for throwaway stacks. Only with Cognito.
	CognitoDeletable bool
	// Domain maps a custom domain at the root of the API, or under its BasePath (rest variant).
	Domain *Domain
}

// JWT configures JWT bearer verification.
type JWT struct {
	// Issuer is the tokens' iss. Written as an http(s) URL ("http:" or "https:" first), it is
	// published as the authorization server and must name a host; without JWKSURL it must be an
	// https URL without query or fragment, whose discovery document names the keys. With JWKSURL
	// it may be no URL (a URN), checked in tokens only.
	Issuer string
	// JWKSURL is the key set, an https URL naming a host; empty means the jwks_uri of the
	// issuer's OpenID discovery document (<issuer>/.well-known/openid-configuration), which the
	// functions read with their first token (MCP_JWT_JWKS_URL is left unset). Not settable on
	// VariantHTTP, whose JWT authorizer finds the keys through that document itself.
	JWKSURL  string
	Audience string
	// AudienceClaim names the claim holding the audience; empty means "aud" (Cognito access
	// tokens use "client_id"). Not settable on VariantHTTP, whose JWT authorizer matches aud, or
	// client_id when a token has no aud.
	AudienceClaim string
	// RequiredScopes are the scopes every token must carry, each an RFC 6749 scope-token
	// (printable ASCII but space, '"' and '\'); on VariantREST, whose Gateway Responses name them
	// in a single-quoted static value, none may hold "'".
	RequiredScopes []string
	// ScopeImplies names the scopes that imply others, each broader scope with the narrower
	// ones it implies (MCP_SCOPE_IMPLIES of the functions): a token holding the broader scope
	// holds those. It needs RequiredScopes. On VariantHTTP, whose JWT authorizer matches scope
	// names, the routes also accept every scope that implies a required one.
	ScopeImplies map[string][]string
}

// Domain is a custom domain for the REST API.
type Domain struct {
	// Name is the domain's host name, in lower case (mcp.example.com; an internationalized
	// name in its xn-- form).
	Name string
	// CertificateARN is an ACM certificate for Name in the stack's region: the region of
	// StackProps.Env or, for an environment-agnostic stack, the CDK CLI's (CDK_DEFAULT_REGION),
	// where the CLI deploys it; a certificate of another region is refused when either is known.
	CertificateARN string
	// HostedZoneID and HostedZoneName, when set, get an alias record for Name. The ID is Route
	// 53's (upper-case letters and digits, such as Z0123456789ABCDEFGHIJ), bare or in the
	// /hostedzone/ form the AWS CLI prints, which the record gets without that prefix.
	HostedZoneID, HostedZoneName string
	// KeepExecuteAPIEndpoint leaves the API's default execute-api host answering beside Name.
	// False turns it off, so that the API is reached only through Name, with its TLS policy,
	// and at the one URL its tokens and metadata name.
	KeepExecuteAPIEndpoint bool
	// BasePath maps the API under https://Name/BasePath/ instead of at the root ("tools", or
	// levels such as "v1/tools"), so that the domain can serve other APIs beside it. The
	// endpoint is then https://Name/BasePath/mcp and its metadata
	// https://Name/BasePath/.well-known/oauth-protected-resource/BasePath/mcp, inside the
	// mapping: the host root's well-known URL is another mapping's, so clients find the
	// metadata through the challenges' resource_metadata only.
	BasePath string
}

// basePathPattern is API Gateway's rule for a base path: levels of letters, digits and
// $-_.+!*'(), one slash between them.
var basePathPattern = regexp.MustCompile(`^[A-Za-z0-9$\-_.+!*'()]+(/[A-Za-z0-9$\-_.+!*'()]+)*$`)

// resourcePathPartPattern is what a REST API resource's path part may hold. With JWTs the
// metadata is routed at a path that repeats the base path, whose levels must fit it.
var resourcePathPartPattern = regexp.MustCompile(`^[A-Za-z0-9:._$-]+$`)

// checkBasePath refuses a base path API Gateway would not map, or, when the metadata is routed
// (withMetadata), one whose levels cannot be a resource's path parts.
func checkBasePath(path string, withMetadata bool) error {
	if path == "(none)" {
		// API Gateway takes it for the empty base path and maps the root, which the URLs derived
		// from it would not name.
		return fmt.Errorf("stack: custom domain base path (domainBasePath) (none) is API Gateway's name for the root: leave domainBasePath unset to map the API there")
	}
	if !basePathPattern.MatchString(path) {
		return fmt.Errorf("stack: custom domain base path (domainBasePath) %q: API Gateway takes levels of letters, digits and $-_.+!*'() with one slash between them, none at either end", path)
	}
	if !withMetadata {
		return nil
	}
	for level := range strings.SplitSeq(path, "/") {
		if !resourcePathPartPattern.MatchString(level) {
			return fmt.Errorf("stack: custom domain base path (domainBasePath) %q: with JWTs the metadata is routed at /.well-known/oauth-protected-resource/%s/mcp, and an API Gateway resource path takes only letters, digits and $-_.: in each level", path, path)
		}
	}
	return nil
}

var stageNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// snsTopicARN matches a standard SNS topic's ARN, in any partition; its second group is the
// region.
// A FIFO topic (".fifo") takes no alarm: it needs a message group id, which alarms do not send,
// and delivers to SQS FIFO queues only.
var snsTopicARN = regexp.MustCompile(`^arn:aws(-[a-z]+)*:sns:([a-z0-9-]+):[0-9]{12}:[A-Za-z0-9_-]{1,256}$`)

// withDefaults returns p with zero fields filled in, or an error naming the first invalid field.
func (p Props) withDefaults() (Props, error) {
	if p.SourceDir == "" && p.ServerDir == "" {
		return p, fmt.Errorf("stack: SourceDir or ServerDir is required")
	}
	if p.BuildDir == "" {
		return p, fmt.Errorf("stack: BuildDir is required")
	}
	if p.Build == nil {
		p.Build = GoBuild
	}
	if p.ServerDir != "" && p.ServerPackage == "" {
		// The reference server is not in another module: this is a package left out.
		return p, fmt.Errorf("stack: ServerDir %q needs ServerPackage, the main package to build there", p.ServerDir)
	}
	if p.ServerDir == "" {
		p.ServerDir = p.SourceDir
	}
	if p.ServerPackage == "" {
		p.ServerPackage = defaultServer
	}
	if strings.HasPrefix(p.ServerPackage, "-") { // go build would read it as a flag
		return p, fmt.Errorf("stack: ServerPackage %q is not a package path", p.ServerPackage)
	}
	switch p.Variant {
	case "":
		p.Variant = VariantREST
	case VariantREST, VariantHTTP, VariantURL:
	default:
		return p, fmt.Errorf("stack: unknown variant %q (want rest, http or url)", p.Variant)
	}
	if p.Stream && p.Variant != VariantREST {
		return p, fmt.Errorf("stack: Stream applies to the rest variant only (url always streams)")
	}
	region, regionFrom := p.deployRegion()
	// Settings the chosen front does not have are refused rather than ignored.
	switch {
	case p.AlarmTopicARN != "" && !p.Alarms:
		return p, fmt.Errorf("stack: AlarmTopicARN (alarmTopicArn) is what the alarms notify: set Alarms (alarms=true) too")
	case p.AlarmTopicARN != "" && !snsTopicARN.MatchString(p.AlarmTopicARN):
		return p, fmt.Errorf("stack: AlarmTopicARN %q is not a standard SNS topic's ARN (arn:aws:sns:REGION:ACCOUNT:NAME; a FIFO topic takes no alarms)", p.AlarmTopicARN)
	case p.AlarmTopicARN != "" && region != "" && snsTopicARN.FindStringSubmatch(p.AlarmTopicARN)[2] != region:
		return p, fmt.Errorf("stack: AlarmTopicARN %q is in another region than %s: an alarm notifies topics of its own region only", p.AlarmTopicARN, regionFrom)
	case p.CognitoDeletable && !p.Cognito:
		return p, fmt.Errorf("stack: CognitoDeletable (cognitoDeletionProtection=false) applies to the Cognito user pool only: set Cognito (cognito=true) too")
	case p.Cognito && p.JWT != nil:
		return p, fmt.Errorf("stack: JWT settings (jwtIssuer, …) and Cognito exclude each other: with Cognito the stack configures its user pool as the issuer")
	case p.Variant != VariantREST && p.StageName != "":
		return p, fmt.Errorf("stack: a stage name (stage) applies to the rest variant only: the http variant serves its $default stage, and a Function URL has none")
	case p.Variant != VariantREST && p.APIGatewayCloudWatchRole:
		return p, fmt.Errorf("stack: cloudWatchRole applies to the rest variant only: API Gateway REST needs the account's role to write logs, HTTP APIs and Function URLs do not")
	case p.Variant != VariantREST && p.DetailedMetrics:
		return p, fmt.Errorf("stack: detailedMetrics applies to the rest variant only: the http variant and a Function URL keep their standard metrics, which the alarms watch")
	case p.AuthorizerCacheTTL != 0 && (p.Variant == VariantURL || p.Variant == VariantHTTP && (p.JWT != nil || p.Cognito)):
		return p, fmt.Errorf("stack: the authorizer cache TTL (cacheTtl) applies to Lambda authorizers only: the %s variant with these tokens has none", p.Variant)
	}
	if p.StageName == "" {
		p.StageName = DefaultStageName
	}
	if !stageNamePattern.MatchString(p.StageName) {
		return p, fmt.Errorf("stack: stage name (stage) %q: want letters, digits, hyphens and underscores", p.StageName)
	}
	if p.AuthorizerCacheTTL == 0 {
		p.AuthorizerCacheTTL = DefaultAuthorizerCacheTTL
	}
	if p.AuthorizerCacheTTL > time.Hour {
		return p, fmt.Errorf("stack: authorizer cache TTL (cacheTtl) %v exceeds API Gateway's 1h limit", p.AuthorizerCacheTTL)
	}
	// API Gateway caches for a whole number of seconds, and the CDK throws on any other, which
	// jsii turns into a panic out of New.
	if p.AuthorizerCacheTTL > 0 && p.AuthorizerCacheTTL%time.Second != 0 {
		return p, fmt.Errorf("stack: authorizer cache TTL (cacheTtl) %v: want whole seconds", p.AuthorizerCacheTTL)
	}
	if p.LogRetentionDays == 0 {
		p.LogRetentionDays = DefaultLogRetentionDays
	}
	if _, err := retention(p.LogRetentionDays); err != nil {
		return p, err
	}
	if p.ServerMemoryMB == 0 {
		p.ServerMemoryMB = DefaultServerMemoryMB
	}
	if p.ServerMemoryMB < minMemoryMB || p.ServerMemoryMB > maxMemoryMB {
		return p, fmt.Errorf("stack: server memory (serverMemory) %d MB: Lambda accepts %d to %d MB", p.ServerMemoryMB, minMemoryMB, maxMemoryMB)
	}
	if p.ServerTimeout == 0 {
		p.ServerTimeout = DefaultBufferedTimeout
		if p.streaming() {
			p.ServerTimeout = DefaultStreamingTimeout
		}
	}
	if p.ServerTimeout < time.Second || p.ServerTimeout%time.Second != 0 {
		return p, fmt.Errorf("stack: server timeout (serverTimeout) %v: want whole seconds", p.ServerTimeout)
	}
	if p.ServerTimeout > maxFunctionTimeout {
		return p, fmt.Errorf("stack: server timeout (serverTimeout) %v exceeds Lambda's %v limit", p.ServerTimeout, maxFunctionTimeout)
	}
	// A buffered integration must wait a second longer than the function, so that the function's
	// own timeout answer reaches the client rather than a gateway 504.
	if lim := p.bufferedIntegrationLimit(); lim > 0 && p.ServerTimeout+time.Second > lim {
		return p, fmt.Errorf("stack: server timeout (serverTimeout) %v: the %s integration stops waiting at %v", p.ServerTimeout, p.Variant, lim)
	}
	if p.Variant == VariantURL && (p.ThrottleRate != 0 || p.ThrottleBurst != 0) {
		return p, fmt.Errorf("stack: throttleRate and throttleBurst limit an API stage, and a Function URL has none; limit the url variant with serverConcurrency")
	}
	if p.ServerReservedConcurrency < 0 {
		return p, fmt.Errorf("stack: server reserved concurrency (serverConcurrency) %d is negative", p.ServerReservedConcurrency)
	}
	if p.ThrottleRate < 0 || p.ThrottleBurst < 0 {
		return p, fmt.Errorf("stack: throttle rate (throttleRate) %d and burst (throttleBurst) %d: want non-negative limits, zero for the defaults", p.ThrottleRate, p.ThrottleBurst)
	}
	if p.ThrottleRate == 0 {
		p.ThrottleRate = DefaultThrottleRate
	}
	if p.ThrottleBurst == 0 {
		p.ThrottleBurst = DefaultThrottleBurst
	}
	switch {
	case p.CORSAllowOrigins == nil:
		p.CORSAllowOrigins = []string{"*"}
	case len(p.CORSAllowOrigins) == 0:
		// The gateways need an origin to answer with, and the CDK panics on none.
		return p, fmt.Errorf("stack: CORS origins (corsOrigins) empty: leave them nil for any origin (*), or name the origins allowed")
	case slices.Contains(p.CORSAllowOrigins, "*") && slices.ContainsFunc(p.CORSAllowOrigins, func(o string) bool { return o != "*" }):
		// Any origin, and the others named for nothing; the CDK panics on it in the REST
		// preflight. * given twice is any origin, kept once below.
		return p, fmt.Errorf("stack: CORS origins (corsOrigins) %q mix * with origins: give * alone for any origin, or name each origin allowed", Cut(joinOrigins(p.CORSAllowOrigins)))
	}
	// The same rule as the server's (auth.ConfigFromEnv): a value it refuses would make every
	// cold start fail after a deployment that went well.
	origins := make([]string, 0, len(p.CORSAllowOrigins))
	for _, o := range p.CORSAllowOrigins {
		if o != "*" && !isOrigin(o) {
			return p, fmt.Errorf("stack: CORS origin (corsOrigins) %s is not an origin (scheme://host[:port], or *)", quoteURL(o))
		}
		if o != "*" && strings.Contains(o, "*") {
			return p, fmt.Errorf("stack: CORS origin (corsOrigins) %q is a pattern, and the server compares origins whole: list each origin, or give * alone for any", o)
		}
		if o != "*" {
			if err := checkPort("CORS origin (corsOrigins)", o); err != nil {
				return p, err
			}
		}
		if strings.ContainsFunc(o, func(r rune) bool { return r >= utf8.RuneSelf }) {
			return p, fmt.Errorf("stack: CORS origin (corsOrigins) %q names its host in Unicode: write it as browsers send it, in its ASCII form (xn--…)", o)
		}
		// One given twice (https://a and https://a/) is kept once: the gateways take lists of
		// distinct origins, and the Function URL's holds at most 100.
		if o = serializedOrigin(o); !slices.Contains(origins, o) {
			origins = append(origins, o)
		}
	}
	// The gateways compare an Origin with these as written, and the Gateway Responses name one
	// in Access-Control-Allow-Origin, which a browser compares with its own Origin exactly.
	p.CORSAllowOrigins = origins
	if err := p.checkServerEnv(); err != nil {
		return p, err
	}
	for _, h := range p.CORSAllowHeaders {
		if !headerName.MatchString(h) {
			return p, fmt.Errorf("stack: CORS header (corsHeaders) %q is not a header name", h)
		}
	}
	if err := checkCORSQuotes(p.CORSAllowOrigins, p.CORSAllowHeaders, p.Variant); err != nil {
		return p, err
	}
	if err := p.checkFunctionURLCORS(); err != nil {
		return p, err
	}
	if p.JWT != nil && !p.Cognito {
		if p.JWT.Issuer == "" || p.JWT.Audience == "" {
			return p, fmt.Errorf("stack: JWT needs an issuer and an audience")
		}
		// An issuer is a name every token's iss (and the issuer's discovery document) must
		// match exactly, not a URL read without regard to the scheme's letter case: issuers
		// write theirs in lower case, and with one in capitals every token would be refused.
		if scheme, _, ok := strings.Cut(p.JWT.Issuer, "://"); ok && scheme != strings.ToLower(scheme) {
			return p, fmt.Errorf("stack: JWT issuer (jwtIssuer) %s: write its scheme in lower case, as its tokens' iss claim has it; the functions match iss exactly", quoteURL(p.JWT.Issuer))
		}
		// The functions fetch signing keys over https only (auth.NewJWTVerifier), from the
		// JWKS URL or, without one, from the jwks_uri of the issuer's discovery document
		// (<issuer>/.well-known/openid-configuration), as the HTTP API's authorizer does: the
		// issuer is then an https URL without query or fragment, which no issuer identifier has.
		switch {
		case p.JWT.JWKSURL != "" && !isHTTPS(p.JWT.JWKSURL):
			return p, fmt.Errorf("stack: JWT JWKS URL (jwtJwksUrl) %s is not an https URL", quoteURL(p.JWT.JWKSURL))
		case p.JWT.JWKSURL == "" && !isHTTPS(p.JWT.Issuer):
			return p, fmt.Errorf("stack: JWT issuer (jwtIssuer) %s is not an https URL, and the keys are found from its discovery document (or give jwtJwksUrl)", quoteURL(p.JWT.Issuer))
		case p.JWT.JWKSURL == "" && strings.ContainsAny(p.JWT.Issuer, "?#"):
			return p, fmt.Errorf("stack: JWT issuer (jwtIssuer) %s has a query or fragment, which an issuer whose keys are found from its discovery document has not (or give jwtJwksUrl)", quoteURL(p.JWT.Issuer))
		}
		// The issuer is published to clients as the authorization server, and the functions refuse
		// one naming a user at start-up (auth.ConfigFromEnv).
		if u, err := url.Parse(p.JWT.Issuer); err == nil && u.User != nil {
			return p, fmt.Errorf("stack: JWT issuer (jwtIssuer) names a user, and it is published to clients as the authorization server, which holds no credentials (the value is not shown: it may hold a password)")
		}
		if err := checkIssuerURL(p.JWT.Issuer); err != nil {
			return p, err
		}
		if err := checkJWKSURL(p.JWT.JWKSURL); err != nil {
			return p, err
		}
		// The functions refuse these at start-up (auth.ConfigFromEnv reads the issuer as the
		// authorization server it publishes), or fetch no key from them.
		if err := checkPort("JWT issuer (jwtIssuer)", p.JWT.Issuer); err != nil {
			return p, err
		}
		if err := checkPort("JWT JWKS URL (jwtJwksUrl)", p.JWT.JWKSURL); err != nil {
			return p, err
		}
		// The HTTP API's JWT authorizer takes only an issuer and audiences: it fetches the keys from
		// the jwks_uri of the issuer's discovery document, and matches aud (client_id when aud is
		// absent). Anything else would be silently ignored.
		if p.Variant == VariantHTTP && p.JWT.JWKSURL != "" {
			return p, fmt.Errorf("stack: JWKS URL (jwtJwksUrl) %s: the http variant's JWT authorizer takes the keys from the issuer's discovery document; leave it unset or use the rest or url variant", quoteURL(p.JWT.JWKSURL))
		}
		if err := checkRequiredScopes(p.JWT.RequiredScopes, p.Variant); err != nil {
			return p, err
		}
		// The functions refuse this at start-up too: offline_access asks for refresh tokens and
		// grants nothing on this server, which MCP has leave it out of challenges and metadata.
		if slices.Contains(p.JWT.RequiredScopes, "offline_access") {
			return p, fmt.Errorf("stack: required scopes (jwtScopes) name offline_access, which asks for refresh tokens and is no permission of this server: remove it")
		}
		if err := checkScopeImplies(p.JWT); err != nil {
			return p, err
		}
		// The functions refuse this at start-up too (auth.ConfigFromEnv): a claim other than aud
		// names a client, which may hold tokens for other APIs; a scope binds them to this one.
		if c := p.JWT.AudienceClaim; c != "" && c != "aud" && len(p.JWT.RequiredScopes) == 0 {
			return p, fmt.Errorf("stack: audience claim (jwtAudienceClaim) %q names a client, not this server: give jwtScopes a scope only tokens for this server carry", c)
		}
		if p.Variant == VariantHTTP && p.JWT.AudienceClaim != "" {
			return p, fmt.Errorf("stack: audience claim (jwtAudienceClaim) %q: the http variant's JWT authorizer matches aud, or client_id when aud is absent; leave it unset or use the rest or url variant", p.JWT.AudienceClaim)
		}
	}
	if p.Domain != nil {
		// A copy: the hosted zone ID is put in its bare form, and the caller's Domain stays as given.
		dc := *p.Domain
		d := &dc
		p.Domain = d
		if p.Variant != VariantREST {
			return p, fmt.Errorf("stack: a custom domain is supported on the rest variant")
		}
		if d.Name == "" || d.CertificateARN == "" {
			return p, fmt.Errorf("stack: a custom domain needs a name and a certificate ARN")
		}
		if (d.HostedZoneID == "") != (d.HostedZoneName == "") {
			return p, fmt.Errorf("stack: give both the hosted zone ID and name, or neither")
		}
		// AWS::Route53::RecordSet takes the bare ID, which the AWS CLI prints after /hostedzone/.
		if id := d.HostedZoneID; id != "" && !tokenized(id) {
			bare := strings.TrimPrefix(id, "/hostedzone/")
			if !hostedZoneIDPattern.MatchString(bare) {
				return p, fmt.Errorf("stack: hosted zone ID (hostedZoneId) %q is not a Route 53 hosted zone ID: want upper-case letters and digits, such as Z0123456789ABCDEFGHIJ (or /hostedzone/Z0123456789ABCDEFGHIJ, as the AWS CLI prints it)", id)
			}
			d.HostedZoneID = bare
		}
		if d.BasePath != "" {
			if err := checkBasePath(d.BasePath, p.Cognito || p.JWT != nil && issuerIsURL(p.JWT.Issuer)); err != nil {
				return p, err
			}
		}
		// The endpoint, the resource URL and the metadata URL are "https://" + Name + "/…": a name
		// with a scheme, a port or a path would make every one of them wrong, and the CDK panics
		// on one in upper case.
		if !tokenized(d.Name) && (len(d.Name) > 253 || !hostNamePattern.MatchString(d.Name)) {
			return p, fmt.Errorf("stack: custom domain name (domainName) %q: want a host name in lower case, such as mcp.example.com (labels of letters, digits and hyphens; no scheme, port, path, wildcard or trailing dot)", d.Name)
		}
		// The CDK names the alias record Name + "." + the zone's name when Name is not in the
		// zone: a record for a name no one asked for, and none for the domain.
		if zone := strings.TrimSuffix(d.HostedZoneName, "."); zone != "" && !tokenized(d.Name) && !tokenized(zone) && d.Name != zone && !strings.HasSuffix(d.Name, "."+zone) {
			return p, fmt.Errorf("stack: hosted zone (hostedZoneName) %q does not hold the custom domain name (domainName) %q: name the zone the domain is in", d.HostedZoneName, d.Name)
		}
		// API Gateway serves a regional domain with an ACM certificate of the API's region only.
		if arn := d.CertificateARN; !tokenized(arn) {
			m := acmCertificateARN.FindStringSubmatch(arn)
			switch {
			case m == nil:
				return p, fmt.Errorf("stack: certificate ARN (certificateArn) %q is not an ACM certificate's ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID)", arn)
			case region != "" && m[2] != region:
				return p, fmt.Errorf("stack: certificate ARN (certificateArn) %q is in another region than %s: a regional API's custom domain takes a certificate of its own region", arn, regionFrom)
			}
		}
	}
	return p, nil
}

// deployRegion is the region the stack is deployed to, as far as it is known at synth, and how
// an error names it: the stack's own, or, when the stack is environment-agnostic (its region a
// pseudo parameter resolved at deploy time), the CDK CLI's, which the CLI deploys such a stack to
// and gives the app as CDK_DEFAULT_REGION. It is "" when neither is known, as when the app runs
// without the CLI.
func (p Props) deployRegion() (region, from string) {
	if p.Env != nil && p.Env.Region != nil && *p.Env.Region != "" && !tokenized(*p.Env.Region) {
		return *p.Env.Region, fmt.Sprintf("the stack (%s)", *p.Env.Region)
	}
	if r := os.Getenv("CDK_DEFAULT_REGION"); r != "" {
		return r, fmt.Sprintf("the one cdk deploys the stack to (%s, CDK_DEFAULT_REGION)", r)
	}
	return "", ""
}

// acmCertificateARN matches an ACM certificate's ARN, in any partition; its second group is the
// region.
var acmCertificateARN = regexp.MustCompile(`^arn:aws(-[a-z]+)*:acm:([a-z0-9-]+):[0-9]{12}:certificate/[A-Za-z0-9-]+$`)

// hostedZoneIDPattern is a Route 53 hosted zone ID: upper-case letters and digits, at most 32
// (the Route 53 API's ResourceId).
var hostedZoneIDPattern = regexp.MustCompile(`^[A-Z0-9]{1,32}$`)

// hostNamePattern is a fully qualified host name in lower case, without the trailing dot: at least
// two labels of letters, digits and hyphens, each 1 to 63 long, starting and ending with a letter
// or digit.
var hostNamePattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// isOrigin reports whether o is a browser origin, by the server's rule (auth.ConfigFromEnv, which
// this module does not import): http(s), a host with an optional port, nothing after but a slash.
func isOrigin(o string) bool {
	u, err := url.Parse(o)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" &&
		strings.TrimSuffix(u.Path, "/") == "" && u.RawQuery == "" && !u.ForceQuery && u.Fragment == "" && u.User == nil
}

// checkIssuerURL refuses an issuer written as an http(s) URL ("http:" or "https:" first, in any
// case) that the functions refuse at every start-up, where they publish it as the authorization
// server (auth.ConfigFromEnv): one the URL parser refuses, one without a host (https:foo,
// https:///x), one holding white space. An issuer that is no URL (a URN) names no authorization
// server and is checked in tokens only.
func checkIssuerURL(issuer string) error {
	scheme, _, ok := strings.Cut(issuer, ":")
	if !ok || !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") || tokenized(issuer) {
		return nil
	}
	u, err := url.Parse(issuer)
	switch {
	case err != nil || u.Hostname() == "":
		return fmt.Errorf("stack: JWT issuer (jwtIssuer) %s is written as an http(s) URL but names no host (want https://host/…): the functions publish it as the authorization server and refuse it at start-up", quoteURL(issuer))
	case strings.ContainsFunc(issuer, unicode.IsSpace):
		return fmt.Errorf("stack: JWT issuer (jwtIssuer) %s holds white space, which no URL does: the functions publish it as the authorization server and refuse it at start-up", quoteURL(issuer))
	}
	return nil
}

// isHTTPS reports whether u is written as an https URL, its scheme in any letter case, as the
// functions' URL parser reads it (RFC 3986 section 3.1).
func isHTTPS(u string) bool {
	const prefix = "https://"
	return len(u) >= len(prefix) && strings.EqualFold(u[:len(prefix)], prefix)
}

// checkJWKSURL refuses a JWKS URL, written with https:// first, that the functions refuse at every
// start-up (auth.NewJWTVerifier), from where they fetch the signing keys: one the URL parser
// refuses, one without a host (https:///keys, https://:8443/keys). Empty is the issuer's.
func checkJWKSURL(jwks string) error {
	if jwks == "" || tokenized(jwks) {
		return nil
	}
	if u, err := url.Parse(jwks); err != nil || u.Hostname() == "" {
		return fmt.Errorf("stack: JWT JWKS URL (jwtJwksUrl) %s is no https URL naming a host (want https://host/…): the functions fetch the signing keys from it and refuse it at start-up", quoteURL(jwks))
	}
	return nil
}

// quoteURL is value quoted, cut, for an error to name, or, when it holds an @, which may mark a
// password, words saying that it is not shown.
func quoteURL(value string) string {
	if strings.Contains(value, "@") {
		return "(not shown: it holds an @, which may mark a password)"
	}
	return strconv.Quote(Cut(value))
}

// checkPort refuses a URL or origin whose port is beyond TCP's (1 to 65535), as the functions do
// at start-up (auth.ConfigFromEnv): the URL parser takes any digits as a port, and such a one
// names a server no client reaches, or an origin no browser sends. setting names the value in the
// error, which does not show a value holding an @: it may mark a password.
func checkPort(setting, value string) error {
	if value == "" || tokenized(value) {
		return nil
	}
	u, err := url.Parse(value)
	if err != nil || portInRange(u.Port()) {
		return nil
	}
	if strings.Contains(value, "@") {
		return fmt.Errorf("stack: %s has port %q, beyond TCP's (1 to 65535; the value holds an @, which may mark a password, so it is not shown)", setting, Cut(u.Port()))
	}
	return fmt.Errorf("stack: %s %q has port %q, beyond TCP's (1 to 65535)", setting, Cut(value), Cut(u.Port()))
}

// portInRange reports whether port, a URL's, is empty or one TCP has (1 to 65535).
func portInRange(port string) bool {
	if port == "" {
		return true
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535
}

// serializedOrigin is the origin o as a browser writes it in an Origin header: scheme and host in
// lower case, no trailing slash, no port when it is the scheme's default.
func serializedOrigin(o string) string {
	o = strings.ToLower(strings.TrimSuffix(o, "/"))
	for _, scheme := range [...]struct{ prefix, port string }{{"https://", ":443"}, {"http://", ":80"}} {
		if strings.HasPrefix(o, scheme.prefix) {
			return strings.TrimSuffix(o, scheme.port)
		}
	}
	return o
}

// envName is a name Lambda takes for an environment variable.
var envName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]+$`)

// EnvName reports whether Lambda takes name for an environment variable:
// a letter, then letters, digits or _, two characters at least.
func EnvName(name string) bool { return envName.MatchString(name) }

// lambdaReservedEnv are the variables Lambda sets and a function's configuration may not
// ("Defined runtime environment variables", AWS Lambda Developer Guide).
var lambdaReservedEnv = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ",
}

const (
	// maxServerEnvBytes is what of Lambda's 4 KB of variables (names and values) ServerEnv may
	// take: the stack's own, with the endpoint URLs, take about 0.5 KB.
	maxServerEnvBytes = 3 << 10
	// maxEnvName keeps a secret's parameter name (ServerSecret and the name) within
	// CloudFormation's 255 characters.
	maxEnvName = 200
)

// secretEnvNames are variables lambdamcp reads secrets from, which ServerEnv would write into the
// template and cdk.out: the key that seals requestState (requeststate.EnvKey, in a module this
// one does not import).
var secretEnvNames = []string{"MCP_REQUEST_STATE_KEY"}

// checkServerEnv refuses ServerEnv and ServerSecretEnv names that Lambda would refuse or
// reserves, that the stack sets itself, or that are given twice.
func (p Props) checkServerEnv() error {
	seen := map[string]bool{}
	ids := map[string]string{}
	check := func(name string) error {
		switch {
		case !envName.MatchString(name):
			return fmt.Errorf("stack: server environment variable %q: Lambda takes letters, digits and _, starting with a letter", name)
		case slices.Contains(lambdaReservedEnv, name):
			return fmt.Errorf("stack: server environment variable %s: Lambda reserves it", name)
		case len(name) > maxEnvName:
			return fmt.Errorf("stack: server environment variable %.20s…: longer than %d characters", name, maxEnvName)
		case strings.HasPrefix(name, "MCP_AUTH_") || strings.HasPrefix(name, "MCP_JWT_") || slices.Contains(stackEnv, name):
			return fmt.Errorf("stack: server environment variable %s: the stack sets it from its own settings", name)
		case seen[name]:
			return fmt.Errorf("stack: server environment variable %s given twice", name)
		}
		seen[name] = true
		return nil
	}
	size := 0
	for _, name := range slices.Sorted(maps.Keys(p.ServerEnv)) {
		if err := check(name); err != nil {
			return err
		}
		if slices.Contains(secretEnvNames, name) {
			return fmt.Errorf("stack: server environment variable %s holds a secret: name it in serverSecretEnv (ServerSecretEnv), which takes its value from a NoEcho parameter, not in serverEnv, which writes it into the template", name)
		}
		size += len(name) + len(p.ServerEnv[name])
	}
	if size > maxServerEnvBytes {
		return fmt.Errorf("stack: server environment variables take %d bytes; Lambda allows a function 4 KB in all, about %d of it for these", size, maxServerEnvBytes)
	}
	for _, name := range p.ServerSecretEnv {
		if err := check(name); err != nil {
			return err
		}
		id := secretParameter(name)
		if other, ok := ids[id]; ok {
			return fmt.Errorf("stack: server secrets %s and %s would share the parameter %s", other, name, id)
		}
		ids[id] = name
	}
	return nil
}

// secretParameter is the NoEcho parameter that gives the server's secret variable name:
// ServerSecret and the name in camel case (MCP_REQUEST_STATE_KEY: ServerSecretMcpRequestStateKey).
func secretParameter(name string) string {
	var b strings.Builder
	b.WriteString("ServerSecret")
	for part := range strings.SplitSeq(name, "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + strings.ToLower(part[1:]))
		}
	}
	return b.String()
}

// headerName is an RFC 9110 token, as a header name is.
var headerName = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// corsHeaders are the request headers the gateways allow browsers to send: the MCP ones, then
// CORSAllowHeaders. A header named again, in any case (corsHeaders repeating an MCP header the
// stack adds itself), is kept once, as first named: header names are compared without regard to
// case, and the gateways take lists of distinct headers.
func (p Props) corsHeaders() []string {
	headers := slices.Clone(mcpCORSHeaders)
	for _, h := range p.CORSAllowHeaders {
		if !slices.ContainsFunc(headers, func(seen string) bool { return strings.EqualFold(seen, h) }) {
			headers = append(headers, h)
		}
	}
	return headers
}

// executeAPIEndpointOff says whether the REST API's default execute-api host is turned off: it
// is when a custom domain serves the API, unless the domain keeps it.
func (p Props) executeAPIEndpointOff() bool {
	return p.Domain != nil && !p.Domain.KeepExecuteAPIEndpoint
}

func (p Props) streaming() bool { return p.Stream || p.Variant == VariantURL }

// Limits of the services the stack configures.
const (
	// maxFunctionTimeout is the longest a Lambda function may run.
	maxFunctionTimeout = 15 * time.Minute
	// maxStreamingIntegrationTimeout is the longest a REST integration with response transfer mode
	// STREAM may wait, and stream ("Stream the integration response for your proxy integrations
	// in API Gateway": up to 15 minutes).
	maxStreamingIntegrationTimeout = 15 * time.Minute
)

// bufferedIntegrationLimit is the longest a buffered gateway integration waits for the function;
// zero for the fronts without one (streaming REST, whose integration may wait as long as the
// function runs, and the Function URL, which has no integration).
func (p Props) bufferedIntegrationLimit() time.Duration {
	switch {
	case p.Variant == VariantREST && !p.Stream:
		return 29 * time.Second
	case p.Variant == VariantHTTP:
		// AWS documents 30 s; the CDK's HttpIntegration refuses more than 29.
		return 29 * time.Second
	}
	return 0
}

// integrationTimeout is how long the gateway waits for the server: a second longer than the
// function's timeout, so that the function's own timeout answer gets through, but never past
// what a streaming REST integration allows (the function itself stops at the same 15 minutes).
func (p Props) integrationTimeout() time.Duration {
	return min(p.ServerTimeout+time.Second, maxStreamingIntegrationTimeout)
}

// checkScopeImplies refuses a hierarchy the functions would refuse at start-up (auth.ConfigFromEnv
// reads MCP_SCOPE_IMPLIES): scopes with spaces, or with the separators of its syntax where they
// would be misread, and a hierarchy without required scopes, where it changes nothing.
func checkScopeImplies(j *JWT) error {
	if len(j.ScopeImplies) == 0 {
		return nil
	}
	if len(j.RequiredScopes) == 0 {
		return fmt.Errorf("stack: scope implications (jwtScopeImplies) need required scopes (jwtScopes)")
	}
	for broad, implied := range j.ScopeImplies {
		if !isScopeToken(broad) || strings.ContainsAny(broad, ";=") || len(implied) == 0 {
			return fmt.Errorf("stack: scope implications (jwtScopeImplies): %q is no scope that implies others (%s)", Cut(broad), scopeGrammar)
		}
		for _, s := range implied {
			if !isScopeToken(s) || strings.ContainsAny(s, ";=") {
				return fmt.Errorf("stack: scope implications (jwtScopeImplies): %q, implied by %q, is no scope (%s)", Cut(s), Cut(broad), scopeGrammar)
			}
		}
	}
	return nil
}

// maxQuotedRunes bounds what an error quotes of a setting (a scope, an entry of a list): enough to
// tell which it is; the setting may be of any size.
const maxQuotedRunes = 64

// Cut is s cut to maxQuotedRunes runes, marked "…" where it was cut, for an error to quote.
func Cut(s string) string {
	if r := []rune(s); len(r) > maxQuotedRunes {
		return string(r[:maxQuotedRunes]) + "…"
	}
	return s
}

// scopeGrammar says what a scope may hold, for the errors that refuse one.
const scopeGrammar = `RFC 6749 section 3.3 allows printable ASCII other than space, '"' and '\'`

// checkRequiredScopes refuses a required scope the functions would refuse at start-up
// (auth.ConfigFromEnv reads MCP_REQUIRED_SCOPES): one outside RFC 6749's grammar, which would
// be published as it is, or split where it holds a space. On the rest variant it refuses "'"
// too, which the grammar allows: the Gateway Responses write the scopes into their challenges
// as a static value, which API Gateway takes enclosed in single quotes and documents no escape
// for, so a "'" would end the value early.
func checkRequiredScopes(scopes []string, v Variant) error {
	for _, s := range scopes {
		if !isScopeToken(s) {
			return fmt.Errorf("stack: required scope (jwtScopes) %q is no scope: %s", Cut(s), scopeGrammar)
		}
		if v == VariantREST && strings.Contains(s, "'") {
			return fmt.Errorf("stack: required scope (jwtScopes) %q holds \"'\": the rest variant names the required scopes in its Gateway Responses' WWW-Authenticate, a static value API Gateway takes single-quoted with no escape for \"'\"; rename the scope, or use the url or http variant", Cut(s))
		}
	}
	return nil
}

// checkCORSQuotes refuses, on the rest variant, a CORS origin or header holding "'", which a
// header name may hold (RFC 9110's tchar) and a URL parser takes in a host: the preflight and the
// Gateway Responses write the allowed headers and an origin into static values, which API Gateway
// takes single-quoted with no escape for "'", so the value would end early and the deploy fail.
// The http and url variants take them as lists.
func checkCORSQuotes(origins, headers []string, v Variant) error {
	if v != VariantREST {
		return nil
	}
	for _, o := range origins {
		if strings.Contains(o, "'") {
			return fmt.Errorf("stack: CORS origin (corsOrigins) %q holds \"'\": the rest variant writes an origin into its preflight's and Gateway Responses' Access-Control-Allow-Origin, a static value API Gateway takes single-quoted with no escape for \"'\"; use the url or http variant", Cut(o))
		}
	}
	for _, h := range headers {
		if strings.Contains(h, "'") {
			return fmt.Errorf("stack: CORS header (corsHeaders) %q holds \"'\": the rest variant writes the headers into its preflight's Access-Control-Allow-Headers, a static value API Gateway takes single-quoted with no escape for \"'\"; rename the header (its x-mcp-header name), or use the url or http variant", Cut(h))
		}
	}
	return nil
}

// The limits of a Function URL's CORS configuration (AWS::Lambda::Url Cors, the Lambda API's
// Cors): at most 100 allowed origins, each of 1 to 253 characters, and at most 100 allowed
// headers, each of up to 1024.
const (
	maxFunctionURLCORSItems  = 100
	maxFunctionURLOrigin     = 253
	maxFunctionURLCORSHeader = 1024
)

// checkFunctionURLCORS refuses, on the url variant, CORS origins and headers its Function URL
// would not take, which would fail the deploy: more than 100 origins (as put, one given twice
// counted once), an origin longer than 253 characters, more than 100 headers with the MCP ones the
// stack allows itself, a header longer than 1024 characters. The gateways document no such limits.
func (p Props) checkFunctionURLCORS() error {
	if p.Variant != VariantURL {
		return nil
	}
	if n := len(p.CORSAllowOrigins); n > maxFunctionURLCORSItems {
		return fmt.Errorf("stack: CORS origins (corsOrigins): %d origins, and a Function URL (the url variant) takes at most %d", n, maxFunctionURLCORSItems)
	}
	for _, o := range p.CORSAllowOrigins {
		if n := len(o); n > maxFunctionURLOrigin {
			return fmt.Errorf("stack: CORS origin (corsOrigins) %q: %d characters, and a Function URL (the url variant) takes origins of at most %d", Cut(o), n, maxFunctionURLOrigin)
		}
	}
	for _, h := range p.CORSAllowHeaders {
		if n := len(h); n > maxFunctionURLCORSHeader {
			return fmt.Errorf("stack: CORS header (corsHeaders) %q: %d characters, and a Function URL (the url variant) takes headers of at most %d", Cut(h), n, maxFunctionURLCORSHeader)
		}
	}
	if headers := p.corsHeaders(); len(headers) > maxFunctionURLCORSItems {
		own := len(headers) - len(mcpCORSHeaders)
		return fmt.Errorf("stack: CORS headers (corsHeaders): %d besides the %d MCP headers the stack allows itself, and a Function URL (the url variant) takes at most %d in all (%d of yours)", own, len(mcpCORSHeaders), maxFunctionURLCORSItems, maxFunctionURLCORSItems-len(mcpCORSHeaders))
	}
	return nil
}

// isScopeToken reports whether s is an RFC 6749 scope-token (section 3.3):
// 1*( %x21 / %x23-5B / %x5D-7E ). The server's rule (auth.ConfigFromEnv), which this module
// does not import.
func isScopeToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return s != ""
}

// scopeImpliesEnv writes h as MCP_SCOPE_IMPLIES, in a fixed order; "" for none.
func scopeImpliesEnv(h map[string][]string) string {
	var entries []string
	for _, broad := range slices.Sorted(maps.Keys(h)) {
		entries = append(entries, broad+"="+strings.Join(h[broad], " "))
	}
	return strings.Join(entries, "; ")
}

// implying lists the scopes that hold one of required, directly or through h: the required
// ones, then every broader scope that implies one of them, sorted.
func implying(required []string, h map[string][]string) []string {
	holds := map[string]bool{}
	for _, s := range required {
		holds[s] = true
	}
	for changed := true; changed; {
		changed = false
		for broad, implied := range h {
			if !holds[broad] && slices.ContainsFunc(implied, func(s string) bool { return holds[s] }) {
				holds[broad], changed = true, true
			}
		}
	}
	out := slices.Clone(required)
	for _, s := range slices.Sorted(maps.Keys(holds)) {
		if !slices.Contains(required, s) {
			out = append(out, s)
		}
	}
	return out
}
