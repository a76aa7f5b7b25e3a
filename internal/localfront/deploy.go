package localfront

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// deployTokenPattern is the deploy stack's TOKEN authorizer's identity
// validation expression (deploy/stack/rest.go's bearerPattern): API
// Gateway answers a header it does not match with 401 itself, before its
// cache and without calling the authorizer. testdata/deploy-authorizer.json
// holds the two to the same expression.
var deployTokenPattern = regexp.MustCompile(`^[Bb][Ee][Aa][Rr][Ee][Rr] [-0-9A-Za-z._~+/]+=*$`)

// DeployREST is what the deploy stack's rest variant configures around
// its function (deploy/stack/rest.go), beyond a bare API: the RFC 9728
// metadata as public methods, and Gateway Responses that turn the
// gateway's refusals into JSON with CORS headers, the authorizer's into
// OAuth challenges, so that a client can run authorization discovery
// through the real authorizer.
type DeployREST struct {
	// JWT says the tokens come from an authorization server, as with the
	// stack's JWT settings of an issuer that is an http(s) URL, or its
	// Cognito ones: the metadata paths are then GET
	// methods without the authorizer (addRESTMethods) and both challenges
	// name the metadata URL (addGatewayResponses). False: static tokens,
	// which no authorization server issues, so there is no metadata to
	// route or name.
	JWT bool
	// RequiredScopes are the scopes every token must carry
	// (MCP_REQUIRED_SCOPES), named in both challenges; none: no scope
	// parameter.
	RequiredScopes []string
	// CORSAllowOrigins are the stack's CORS origins (its corsOrigins,
	// which it also gives the server as MCP_ALLOWED_ORIGINS); nil is the
	// stack's default, "*". Every Gateway Response allows the first, or
	// any origin when there are several.
	CORSAllowOrigins []string
}

// The API Gateway response types the front's refusals have ("Gateway
// response types for API Gateway",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
// The stack sets Gateway Responses for the first five and for the two
// defaults; the others fall back, as that page says of each, to
// DEFAULT_4XX or DEFAULT_5XX by their status, which they keep.
const (
	responseUnauthorized  = "UNAUTHORIZED"  // 401: no token, or the authorizer's "Unauthorized"
	responseAccessDenied  = "ACCESS_DENIED" // 403: the authorizer's policy denies
	responseThrottled     = "THROTTLED"     // 429: the stage's or account's limits, which the front does not apply
	responseTooLarge      = "REQUEST_TOO_LARGE"
	responseMissingToken  = "MISSING_AUTHENTICATION_TOKEN" // 403: no method for the path and method
	responseDefault4XX    = "DEFAULT_4XX"
	responseDefault5XX    = "DEFAULT_5XX"
	responseAuthorizerCfg = "AUTHORIZER_CONFIGURATION_ERROR" // 500: the authorizer failed or answered nonsense
	responseTimeout       = "INTEGRATION_TIMEOUT"            // 504
)

// messageString is the Gateway Response template variable for API
// Gateway's message, already quoted as a JSON string.
const messageString = "$context.error.messageString"

// gatewayResponse is one Gateway Response of the stack: its status (""
// keeps the refused request's), its headers (CORS, and the challenge of
// the authorizer's refusals), and its body template.
// testdata/deploy-gateway-responses.json holds them as the stack writes
// them, which deploy/stack's tests hold the stack to, so the two cannot
// drift apart.
type gatewayResponse struct {
	Type    string            `json:"type"`
	Status  string            `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// deployResponses are the stack's Gateway Responses, as
// addGatewayResponses in deploy/stack/rest.go sets them: metadataURL is ""
// for static tokens, origins nil for the stack's default.
func deployResponses(metadataURL string, scopes, origins []string) []gatewayResponse {
	var params []string
	if metadataURL != "" {
		params = append(params, `resource_metadata="`+metadataURL+`"`)
	}
	if len(scopes) > 0 {
		params = append(params, `scope="`+strings.Join(scopes, " ")+`"`)
	}
	// RFC 6750 section 3: the scheme is followed by at least one auth-param.
	challenge := `Bearer realm="mcp"`
	if len(params) > 0 {
		challenge = `Bearer ` + strings.Join(params, ", ")
	}
	denied := `Bearer ` + strings.Join(append([]string{`error="insufficient_scope"`}, params...), ", ")
	allow := "*"
	if len(origins) == 1 {
		allow = origins[0]
	}
	headers := func(challenge string) map[string]string {
		h := map[string]string{"Access-Control-Allow-Origin": allow, "Access-Control-Expose-Headers": "WWW-Authenticate"}
		if challenge != "" {
			h["WWW-Authenticate"] = challenge
		}
		return h
	}
	errorBody := func(name string) string {
		return `{"error":"` + name + `","message":` + messageString + `}`
	}
	return []gatewayResponse{
		{responseUnauthorized, "401", headers(challenge), errorBody("invalid_token")},
		{responseAccessDenied, "403", headers(denied), errorBody("insufficient_scope")},
		{responseThrottled, "429", headers(""), errorBody("throttled")},
		{responseTooLarge, "413", headers(""), errorBody("request_too_large")},
		{responseMissingToken, "404", headers(""), `{"error":"not_found","message":"no route for this method and path"}`},
		{responseDefault4XX, "", headers(""), errorBody("bad_request")},
		{responseDefault5XX, "", headers(""), errorBody("server_error")},
	}
}

// metadataSuffix is the path, below the stage or the base path, of the
// endpoint's metadata, as deploy/stack's endpoints.metadataSuffix has it.
func (f *Front) metadataSuffix() string {
	if f.cfg.BasePath == "" {
		return "/.well-known/oauth-protected-resource/mcp"
	}
	return "/.well-known/oauth-protected-resource/" + f.cfg.BasePath + "/mcp"
}

// metadataPaths are the paths, below the stage or the base path, at which
// the stack routes the metadata.
func (f *Front) metadataPaths() []string {
	return []string{"/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp", f.metadataSuffix()}
}

// resourcePath is the path of the resource API Gateway matches req to:
// its path below the stage, without one slash at the end, which a REST
// API routes to the resource without it.
func resourcePath(req *request) string {
	if p, ok := strings.CutSuffix(req.path, "/"); ok && p != "" {
		return p
	}
	return req.path
}

// public reports whether the stack routes req to the function without
// the authorizer: a GET of the metadata, with tokens that come from an
// authorization server (the REST API's with JWTs, the HTTP API's with
// its JWT authorizer).
func (f *Front) public(req *request) bool {
	d := f.cfg.Deploy
	jwt := (d != nil && d.JWT) || f.cfg.JWTAuthorizer != nil
	if !jwt || req.r.Method != http.MethodGet {
		return false
	}
	return slices.Contains(f.metadataPaths(), resourcePath(req))
}

// unrouted is the stack's REST API's answer to a method and path it has no
// method for, or nil: the API has /mcp (ANY, and OPTIONS for the
// preflight) and, with JWTs, GET and OPTIONS at the metadata paths
// (addRESTMethods); API Gateway refuses anything else before the
// authorizer, with MISSING_AUTHENTICATION_TOKEN ("Gateway response types
// for API Gateway"), which the stack answers 404. Without Deploy the front
// routes every path as a greedy /{proxy+} resource does, or, on http, as
// httpUnrouted says.
func (f *Front) unrouted(req *request) *gatewayError {
	d := f.cfg.Deploy
	if d == nil {
		return f.httpUnrouted(req)
	}
	path := resourcePath(req)
	if path == "/mcp" {
		return nil
	}
	m := req.r.Method
	if d.JWT && (m == http.MethodGet || m == http.MethodOptions) && slices.Contains(f.metadataPaths(), path) {
		return nil
	}
	return &gatewayError{status: http.StatusForbidden, message: "Missing Authentication Token", responseType: responseMissingToken}
}

// refuse writes the gateway's refusal: the stack's Gateway Response for
// its type when the front answers as deployed, else API Gateway's default.
// A refusal without a type of its own takes the default response of its
// status class, as API Gateway falls back to DEFAULT_4XX or DEFAULT_5XX;
// one given before any API is chosen (the domain's) has none.
func (f *Front) refuse(w http.ResponseWriter, r *http.Request, e *gatewayError) {
	d := f.cfg.Deploy
	if d == nil || e.domain {
		e.write(w)
		return
	}
	metadataURL := ""
	if d.JWT {
		metadataURL = f.baseURL(r) + f.metadataSuffix()
	}
	typ := e.responseType
	fallback := responseDefault4XX
	if e.status >= 500 {
		fallback = responseDefault5XX
	}
	responses := deployResponses(metadataURL, d.RequiredScopes, d.CORSAllowOrigins)
	i := slices.IndexFunc(responses, func(g gatewayResponse) bool { return g.Type == typ })
	if i < 0 {
		i = slices.IndexFunc(responses, func(g gatewayResponse) bool { return g.Type == fallback })
	}
	resp := responses[i]
	status := e.status
	if resp.Status != "" {
		status, _ = strconv.Atoi(resp.Status) // deployResponses writes numbers
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	if e.errorType != "" {
		w.Header().Set("x-amzn-ErrorType", e.errorType)
	}
	msg, _ := json.Marshal(e.message) // a string or nil
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write([]byte(strings.ReplaceAll(resp.Body, messageString, string(msg))))
}

// baseURL is the API's base URL, as the stack names its endpoints: the
// front's own, or the one the request reached on a front that is not
// listening or that listens on every address (a client on another machine
// reaches it by a name the front does not know).
func (f *Front) baseURL(r *http.Request) string {
	if f.ln == nil || f.listensEverywhere() {
		return f.urlAt(r.Host)
	}
	return f.URL()
}
