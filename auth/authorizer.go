package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// ErrUnauthorized is the error an API Gateway Lambda authorizer returns to
// make API Gateway answer 401. API Gateway matches the exact text
// "Unauthorized", hence the capital letter, against Go's convention; any
// other error becomes a 500.
var ErrUnauthorized = errors.New("Unauthorized")

// AuthorizerOptions configures an [Authorizer].
type AuthorizerOptions struct {
	// Scopes are required of every caller. A valid token lacking one is
	// denied (403), not refused (401). Nil requires none.
	Scopes []string
	// ScopeHierarchy says which required scopes a broader scope implies.
	// Nil implies nothing: each required scope must be held by name.
	ScopeHierarchy ScopeHierarchy
	// Logger receives one record per decision, without the token. Nil logs
	// nothing.
	Logger *slog.Logger
}

// Authorizer is an API Gateway Lambda authorizer backed by a [Verifier]. It
// answers REST API TOKEN and REQUEST authorizers (and HTTP API payload format
// 1.0) with an IAM policy, and HTTP API payload format 2.0 with a simple
// response, telling them apart by the payload.
//
// The three outcomes: a good token is allowed, with the identity in the
// authorizer context; a missing, malformed, invalid or expired token fails
// with [ErrUnauthorized] (401, so OAuth clients start discovery); a good
// token without a required scope is denied (403).
type Authorizer struct {
	v    Verifier
	opts AuthorizerOptions
}

// NewAuthorizer returns an authorizer for v. A nil v refuses every token.
func NewAuthorizer(v Verifier, opts *AuthorizerOptions) *Authorizer {
	if v == nil {
		v = AnyOf()
	}
	a := &Authorizer{v: v}
	if opts != nil {
		a.opts = *opts
	}
	return a
}

// Invoke implements lambda.Handler: it detects the event type, decides and
// encodes the response.
func (a *Authorizer) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var probe struct {
		Version string `json:"version"`
		Type    string `json:"type"`
	}
	if err := json.Unmarshal(payload, &probe); err != nil {
		return nil, fmt.Errorf("decoding authorizer event: %w", err)
	}
	var resp any
	var err error
	switch {
	case probe.Type == "TOKEN":
		var ev events.APIGatewayCustomAuthorizerRequest
		if err = json.Unmarshal(payload, &ev); err == nil {
			resp, err = a.AuthorizeToken(ctx, ev)
		}
	case probe.Type == "REQUEST" && probe.Version == "2.0":
		var ev events.APIGatewayV2CustomAuthorizerV2Request
		if err = json.Unmarshal(payload, &ev); err == nil {
			resp, err = a.AuthorizeHTTP(ctx, ev)
		}
	case probe.Type == "REQUEST":
		var ev events.APIGatewayCustomAuthorizerRequestTypeRequest
		if err = json.Unmarshal(payload, &ev); err == nil {
			resp, err = a.AuthorizeRequest(ctx, ev)
		}
	default:
		return nil, fmt.Errorf("unsupported authorizer event (type %q, version %q)", probe.Type, probe.Version)
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(resp)
}

// AuthorizeToken answers a REST API TOKEN authorizer.
func (a *Authorizer) AuthorizeToken(ctx context.Context, ev events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	return a.policy(ctx, "TOKEN", ev.MethodArn, ev.AuthorizationToken)
}

// AuthorizeRequest answers a REST API REQUEST authorizer (and an HTTP API
// authorizer using payload format 1.0), reading the Authorization header.
func (a *Authorizer) AuthorizeRequest(ctx context.Context, ev events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	h := header(ev.Headers, "Authorization")
	var all []string
	for k, vs := range ev.MultiValueHeaders {
		if strings.EqualFold(k, "Authorization") {
			all = append(all, vs...)
		}
	}
	switch {
	case len(all) > 1:
		// Given twice: which one a proxy in front judged is unknown, so
		// neither is taken (refused, as the in-process middleware does).
		h = ""
	case h == "" && len(all) == 1:
		h = all[0]
	}
	return a.policy(ctx, "REQUEST", ev.MethodArn, h)
}

// AuthorizeHTTP answers an HTTP API authorizer using payload format 2.0
// with simple responses enabled.
func (a *Authorizer) AuthorizeHTTP(ctx context.Context, ev events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
	id, err := a.decide(ctx, "HTTP", header(ev.Headers, "Authorization"))
	switch {
	case err == nil:
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true, Context: identityContext(id)}, nil
	case errors.Is(err, ErrInsufficientScope):
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: false}, nil
	}
	return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, err
}

func (a *Authorizer) policy(ctx context.Context, kind, methodArn, authorization string) (events.APIGatewayCustomAuthorizerResponse, error) {
	resource, err := apiResource(methodArn)
	if err != nil {
		return events.APIGatewayCustomAuthorizerResponse{}, err
	}
	id, err := a.decide(ctx, kind, authorization)
	effect := "Allow"
	switch {
	case errors.Is(err, ErrInsufficientScope):
		effect = "Deny"
	case err != nil:
		return events.APIGatewayCustomAuthorizerResponse{}, err
	}
	// API Gateway requires a principal; a verifier may report a missing
	// scope without saying whose token it was.
	principal := "unknown"
	if id != nil && id.Subject != "" {
		principal = id.Subject
	}
	resp := events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: principal,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action:   []string{"execute-api:Invoke"},
				Effect:   effect,
				Resource: []string{resource},
			}},
		},
	}
	if effect == "Allow" {
		resp.Context = identityContext(id)
	}
	return resp, nil
}

// decide verifies the Authorization header value. It returns the identity,
// or an error that is ErrUnauthorized, wraps ErrInsufficientScope (with the
// identity), or reports a failure of the verifier itself.
func (a *Authorizer) decide(ctx context.Context, kind, authorization string) (*Identity, error) {
	token, err := BearerToken(authorization)
	var id *Identity
	if err == nil {
		id, err = verify(ctx, a.v, token)
	}
	if err == nil {
		err = a.opts.ScopeHierarchy.check(id, a.opts.Scopes)
	}
	a.log(ctx, kind, id, err)
	switch {
	case err == nil, errors.Is(err, ErrInsufficientScope):
		return id, err
	case errors.Is(err, ErrKeysUnavailable):
		// Not Unauthorized, which tells the client its token is bad and
		// to authenticate again: the gateway answers 500 instead.
		return nil, fmt.Errorf("verifying token: %w", err)
	case errors.Is(err, ErrInvalidToken), errors.Is(err, errNoBearer):
		return nil, ErrUnauthorized
	}
	return nil, fmt.Errorf("verifying token: %w", err)
}

func (a *Authorizer) log(ctx context.Context, kind string, id *Identity, err error) {
	if a.opts.Logger == nil {
		return
	}
	attrs := append([]any{"event", kind}, identityAttrs(id)...)
	decision, level := "allow", slog.LevelInfo
	switch {
	case errors.Is(err, ErrInsufficientScope):
		decision = "deny"
	case !errors.Is(err, ErrKeysUnavailable) && (errors.Is(err, ErrInvalidToken) || errors.Is(err, errNoBearer)):
		decision = "unauthorized"
	case err != nil:
		// The token could not be checked (keys unavailable, a verifier's
		// own failure): the gateway answers 500, as decide says, and an
		// outage must not pass for a wave of bad tokens.
		decision, level = "error", slog.LevelWarn
	}
	attrs = append(attrs, "decision", decision)
	if err != nil {
		attrs = append(attrs, "reason", loggable(err.Error(), maxLoggedReasonBytes))
	}
	a.opts.Logger.Log(ctx, level, "authorizer decision", attrs...)
}

// identityAttrs are what a log line says of the caller: "subject", the
// name the MCP server's request line gives it too, so that one query finds
// a caller in both, and "client_id" when the token names one.
func identityAttrs(id *Identity) []any {
	if id == nil {
		return nil
	}
	attrs := []any{"subject", loggable(id.Subject, maxLoggedIdentityBytes)}
	if id.ClientID != "" {
		attrs = append(attrs, "client_id", loggable(id.ClientID, maxLoggedIdentityBytes))
	}
	return attrs
}

// apiResource turns a method ARN
// (arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH, or
// API/STAGE/$default for an HTTP API's default route) into one covering
// every route of the stage: API/STAGE/*, since a "*" in an IAM resource
// spans "/". A policy for the single method would be wrong once API Gateway
// caches it for the token and the client calls another method, and
// API/STAGE/*/* would not match a $default route at all. The partition,
// region, account and API are copied into the policy as they come, so a
// wildcard among them ("*" or "?", which API Gateway never writes in its
// own ids) is refused: the Allow would cover other APIs. A stage of "*"
// (as in a test invocation's ARN) stays within the API.
func apiResource(methodArn string) (string, error) {
	// An error quotes the ARN cut short: aws-lambda-go logs it whole as the
	// invocation's failure, and the path in it is the client's, kilobytes
	// long if it likes.
	quoted := textcut.Cut(methodArn, maxQuotedARNBytes)
	parts := strings.SplitN(methodArn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "execute-api" {
		return "", fmt.Errorf("authorizer event has no valid method ARN: %q", quoted)
	}
	segs := strings.SplitN(parts[5], "/", 3)
	if len(segs) < 2 || segs[0] == "" || segs[1] == "" {
		return "", fmt.Errorf("authorizer event has no valid method ARN: %q", quoted)
	}
	api := strings.Join(parts[:5], ":") + ":" + segs[0]
	if strings.ContainsAny(api, "*?") {
		return "", fmt.Errorf("authorizer event has no valid method ARN: %q names no one API", quoted)
	}
	return api + "/" + segs[1] + "/*", nil
}

// maxQuotedARNBytes bounds the method ARN an error quotes: a path cut as a
// log line cuts it, and room for the ARN's own fields before it.
const maxQuotedARNBytes = textcut.MaxPathBytes + 128

// identityContext is the authorizer context handed to the integration: flat
// string values, which is all API Gateway passes on. [AuthorizerVerifier]
// reads it back.
func identityContext(id *Identity) map[string]any {
	ctx := map[string]any{
		"sub":         id.Subject,
		"client_id":   id.ClientID,
		"scope":       strings.Join(id.Scopes, " "),
		"iss":         id.Issuer,
		"auth_method": id.Method,
	}
	if !id.Expiry.IsZero() {
		ctx["exp"] = strconv.FormatInt(id.Expiry.Unix(), 10)
	}
	return ctx
}

// header returns the value of the header name in h, whatever its case; ""
// when h lacks it or spells it more than one way.
func header(h map[string]string, name string) string {
	found, value := 0, ""
	for k, v := range h {
		if strings.EqualFold(k, name) {
			found, value = found+1, v
		}
	}
	if found > 1 {
		// Two spellings of one header: which one counts would depend on
		// the map's order, so neither does.
		return ""
	}
	return value
}
