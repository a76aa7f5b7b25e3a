package localfront

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// The gateways' answers when an authorizer says no or fails.
var (
	errUnauthorized       = &gatewayError{status: http.StatusUnauthorized, message: "Unauthorized", responseType: responseUnauthorized}
	errExplicitDeny       = &gatewayError{status: http.StatusForbidden, message: "User is not authorized to access this resource with an explicit deny", responseType: responseAccessDenied}
	errNotAllowed         = &gatewayError{status: http.StatusForbidden, message: "User is not authorized to access this resource", responseType: responseAccessDenied}
	errHTTPForbidden      = &gatewayError{status: http.StatusForbidden, message: "Forbidden"}
	errRESTAuthorizerFail = &gatewayError{status: http.StatusInternalServerError, message: nil, errorType: "AuthorizerConfigurationException", responseType: responseAuthorizerCfg}
	errHTTPAuthorizerFail = &gatewayError{status: http.StatusInternalServerError, message: "Internal Server Error"}
)

// httpAuthorizerPayloadVersion is the payload format of the events the
// front sends an HTTP API's Lambda authorizer, whose answers it reads as
// simple responses or policies: the deploy stack's authorizer's, held to
// it by testdata/deploy-authorizer.json.
const httpAuthorizerPayloadVersion = "2.0"

// authorize runs the configured authorizer: a TOKEN or REQUEST authorizer
// for REST, a payload 2.0 authorizer (simple or policy response) for HTTP
// APIs. The
// identity source is the Authorization header; when it is missing the gateway
// answers 401 without calling the authorizer. With a result cache, an
// answer kept for the header's value is used instead of calling it. It
// returns the context to put in requestContext.authorizer, or the
// gateway's refusal.
func (f *Front) authorize(ctx context.Context, req *request) (map[string]any, *gatewayError) {
	token := req.r.Header.Get(identitySourceHeader)
	if token == "" {
		return nil, errUnauthorized
	}
	if f.cfg.Deploy != nil && f.cfg.AuthorizerType != "request" && !deployTokenPattern.MatchString(token) {
		// The stack's TOKEN authorizer has a validation expression (a
		// REQUEST authorizer can have none): what it refuses never
		// reaches the authorizer or its cache.
		return nil, errUnauthorized
	}
	fail := errRESTAuthorizerFail
	if f.cfg.Shape == ShapeHTTP {
		fail = errHTTPAuthorizerFail
	}
	arn := fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s%s", f.cfg.Region, accountID, f.apiID, f.cfg.Stage, req.r.Method, req.path)
	key := authCacheKey(f.apiID, f.cfg.Stage, req.r.Header.Values(identitySourceHeader)...)
	if ar, ok := f.authCache.get(key); ok {
		// A cached answer costs the gateway no authorizer call: no
		// latency to report.
		return f.authorized(ar, arn, 0, fail)
	}
	start := time.Now()
	ar, refused := f.callAuthorizer(ctx, req, token, arn, fail)
	if refused != nil {
		// The authorizer's failures, its "Unauthorized" among them, are
		// not kept: AWS documents caching the policy (or the simple
		// response) the authorizer returns, and a failure returns none,
		// so the next request with the token calls the authorizer again.
		return nil, refused
	}
	authCtx, refused := f.authorized(ar, arn, time.Since(start).Milliseconds(), fail)
	if refused == nil || refused.status < http.StatusInternalServerError {
		// A Deny, or a policy that does not cover this request, is kept
		// as an Allow is: AWS caches the policy whatever it says. An
		// answer the gateway cannot use (a 500) is no policy.
		f.authCache.put(key, ar)
	}
	return authCtx, refused
}

// callAuthorizer invokes the authorizer with the event of req, and returns
// its answer, or the gateway's refusal (fail for a failure other than
// "Unauthorized").
func (f *Front) callAuthorizer(ctx context.Context, req *request, token, arn string, fail *gatewayError) (authorizerResponse, *gatewayError) {
	var event any = events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: token, MethodArn: arn}
	switch {
	case f.cfg.AuthorizerType == "request":
		ev := f.restEvent(req, nil)
		event = events.APIGatewayCustomAuthorizerRequestTypeRequest{
			Type: "REQUEST", MethodArn: arn, Resource: ev.Resource, Path: ev.Path, HTTPMethod: ev.HTTPMethod,
			Headers: ev.Headers, MultiValueHeaders: ev.MultiValueHeaders,
			QueryStringParameters: ev.QueryStringParameters, MultiValueQueryStringParameters: ev.MultiValueQueryStringParameters,
			PathParameters: ev.PathParameters,
			RequestContext: events.APIGatewayCustomAuthorizerRequestTypeRequestContext{
				Path: ev.RequestContext.Path, AccountID: accountID, ResourceID: ev.RequestContext.ResourceID,
				Stage: ev.RequestContext.Stage, RequestID: ev.RequestContext.RequestID,
				Identity:     events.APIGatewayCustomAuthorizerRequestTypeRequestIdentity{SourceIP: req.sourceIP},
				ResourcePath: ev.RequestContext.ResourcePath, HTTPMethod: ev.HTTPMethod, APIID: f.apiID,
			},
		}
	case f.cfg.Shape == ShapeHTTP:
		h := req.headers(true)
		delete(h, "cookie")
		ev := events.APIGatewayV2CustomAuthorizerV2Request{
			Version:               httpAuthorizerPayloadVersion,
			Type:                  "REQUEST",
			RouteArn:              arn,
			IdentitySource:        []string{token},
			RouteKey:              f.httpRouteKey(req),
			RawPath:               req.r.URL.Path, // decoded, as HTTP APIs send it
			RawQueryString:        req.r.URL.RawQuery,
			Cookies:               req.cookies(),
			Headers:               joinedValues(h),
			QueryStringParameters: joinedValues(req.query()),
			RequestContext:        f.httpContext(req),
		}
		event = httpAuthorizerEventJSON{ev, payload2Context{APIGatewayV2HTTPRequestContext: ev.RequestContext}}
	}
	var ar authorizerResponse
	payload, err := json.Marshal(event)
	if err != nil {
		f.logError("building the authorizer event", err)
		return ar, fail
	}
	resp, err := f.cfg.Authorizer.Invoke(ctx, &runtimeapi.Invocation{Payload: payload})
	if err != nil {
		var fe *runtimeapi.FunctionError
		if errors.As(err, &fe) && fe.Message == "Unauthorized" {
			return ar, errUnauthorized
		}
		if clientGone(ctx, err) {
			return ar, errClientGone
		}
		f.logError("authorizer failed", err)
		return ar, fail
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		f.logError("reading the authorizer response", err)
		return ar, fail
	}
	if err := decodeAuthorizerResponse(out, &ar); err != nil {
		f.logError("malformed authorizer response", err)
		return ar, fail
	}
	return ar, nil
}

// decodeAuthorizerResponse decodes an authorizer's answer as
// json.Unmarshal would, but with the context's numbers kept as written
// (json.Number): a float64 would round an integer id from 2^53 on into
// another one's.
func decodeAuthorizerResponse(out []byte, ar *authorizerResponse) error {
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(ar); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the response object")
	}
	return nil
}

// contextNumber is a context number as REST hands it on, stringified: an
// integer with every digit as written, any other number as the float64
// it reads as, in decimal (1.5e3 as 1500).
func contextNumber(n json.Number) (string, error) {
	s := n.String()
	if digits := strings.TrimPrefix(s, "-"); strings.Trim(digits, "0123456789") == "" {
		return s, nil
	}
	f, err := n.Float64()
	if err != nil {
		return "", err
	}
	return strconv.FormatFloat(f, 'f', -1, 64), nil
}

// authorized decides the request to arn by the authorizer's answer ar,
// fresh or cached: a simple response as it says, a policy by evaluating
// it against arn. It returns the context the function gets, with
// latencyMs as REST's integrationLatency, or the gateway's refusal.
func (f *Front) authorized(ar authorizerResponse, arn string, latencyMs int64, fail *gatewayError) (map[string]any, *gatewayError) {
	if f.cfg.Shape == ShapeHTTP && ar.IsAuthorized != nil {
		if !*ar.IsAuthorized {
			return nil, errHTTPForbidden
		}
		return ar.Context, nil
	}
	if err := ar.PolicyDocument.check(); err != nil {
		f.logError("malformed authorizer policy", err)
		return nil, fail
	}
	switch ar.PolicyDocument.decide(arn) {
	case effectDeny:
		return nil, errExplicitDeny
	case effectNone:
		return nil, errNotAllowed
	}
	if f.cfg.Shape == ShapeHTTP {
		return ar.Context, nil
	}
	// REST hands the context on with string values, beside principalId.
	authCtx := map[string]any{"principalId": ar.PrincipalID, "integrationLatency": latencyMs}
	for k, v := range ar.Context {
		switch v := v.(type) {
		case string:
			authCtx[k] = v
		case bool:
			authCtx[k] = strconv.FormatBool(v)
		case json.Number:
			text, err := contextNumber(v)
			if err != nil {
				f.logError("authorizer context", fmt.Errorf("value of %q: %w", k, err))
				return nil, fail
			}
			authCtx[k] = text
		default:
			f.logError("authorizer context", fmt.Errorf("value of %q is not a string, number or boolean", k))
			return nil, fail
		}
	}
	return authCtx, nil
}

// authorizerResponse is the union of an IAM policy response and an HTTP API
// simple response.
type authorizerResponse struct {
	PrincipalID    string         `json:"principalId"`
	PolicyDocument policyDocument `json:"policyDocument"`
	Context        map[string]any `json:"context"`
	IsAuthorized   *bool          `json:"isAuthorized"`
}

type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Effect   string     `json:"Effect"`
	Action   stringList `json:"Action"`
	Resource stringList `json:"Resource"`
}

// stringList is an IAM field that may be a string or a list of strings.
type stringList []string

func (s *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

type effect int

const (
	effectNone effect = iota
	effectAllow
	effectDeny
)

// decide evaluates the policy for invoking arn: an explicit Deny wins, then
// an Allow; nothing matching is a deny.
func (d policyDocument) decide(arn string) effect {
	result := effectNone
	for _, st := range d.Statement {
		actions := make([]string, len(st.Action))
		for i, a := range st.Action {
			actions[i] = strings.ToLower(a) // IAM actions ignore case
		}
		if !matchesAny(actions, "execute-api:invoke") || !matchesAny(st.Resource, arn) {
			continue
		}
		switch st.Effect {
		case "Deny":
			return effectDeny
		case "Allow":
			result = effectAllow
		}
	}
	return result
}

// check refuses a policy the gateway cannot use: a statement's Effect is
// Allow or Deny, in that letter case ("The Effect value is case
// sensitive", IAM JSON policy elements: Effect), whether or not the
// statement matches the request.
func (d policyDocument) check() error {
	for _, st := range d.Statement {
		if st.Effect != "Allow" && st.Effect != "Deny" {
			return fmt.Errorf("statement Effect %.64q: IAM reads only Allow or Deny, in that letter case", st.Effect)
		}
	}
	return nil
}

// matchesAny reports whether one of the IAM patterns (with * and ?
// wildcards, which here also match "/") matches s.
func matchesAny(patterns []string, s string) bool {
	for _, p := range patterns {
		if globMatch(p, s) {
			return true
		}
	}
	return false
}

func globMatch(pattern, s string) bool {
	// path.Match stops * at "/"; IAM wildcards do not, so match on a
	// "/"-free rendering of both.
	const slash = "\x00"
	ok, err := path.Match(strings.ReplaceAll(escapeBrackets(pattern), "/", slash), strings.ReplaceAll(s, "/", slash))
	return err == nil && ok
}

// escapeBrackets keeps path.Match from reading [ and \ as syntax.
func escapeBrackets(p string) string {
	r := strings.NewReplacer(`\`, `\\`, `[`, `\[`)
	return r.Replace(p)
}
