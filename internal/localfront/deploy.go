package localfront

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// DeployREST is what the deploy stack's rest variant configures around
// its function (deploy/stack/rest.go), beyond a bare API: the RFC 9728
// metadata as public methods, and Gateway Responses that turn the
// authorizer's refusals into OAuth challenges, so that a client can run
// authorization discovery through the real authorizer.
type DeployREST struct {
	// JWT says the tokens come from an authorization server, as with the
	// stack's JWT or Cognito settings: the metadata paths are then GET
	// methods without the authorizer (addRESTMethods) and both challenges
	// name the metadata URL (addGatewayResponses). False: static tokens,
	// which no authorization server issues, so there is no metadata to
	// route or name.
	JWT bool
	// RequiredScopes are the scopes every token must carry
	// (MCP_REQUIRED_SCOPES), named in both challenges; none: no scope
	// parameter.
	RequiredScopes []string
}

// The API Gateway response types of the authorizer's refusals, which the
// stack sets Gateway Responses for. (Its others answer what the front does
// not emulate, or answers otherwise: throttling, unrouted paths, 5xx.)
const (
	responseUnauthorized = "UNAUTHORIZED"
	responseAccessDenied = "ACCESS_DENIED"
)

// messageString is the Gateway Response template variable for API
// Gateway's message, already quoted as a JSON string.
const messageString = "$context.error.messageString"

// gatewayResponse is one Gateway Response of the stack: its status, its
// challenge, and its body template. testdata/deploy-gateway-responses.json
// holds them as the stack writes them, which deploy/stack's tests hold the
// stack to, so the two cannot drift apart.
type gatewayResponse struct {
	Type            string `json:"type"`
	Status          int    `json:"status"`
	WWWAuthenticate string `json:"wwwAuthenticate"`
	Body            string `json:"body"`
}

// deployResponses are the stack's Gateway Responses for the refusals the
// front gives, as addGatewayResponses in deploy/stack/rest.go sets them:
// metadataURL is "" for static tokens.
func deployResponses(metadataURL string, scopes []string) []gatewayResponse {
	challenge, denied := `Bearer`, `Bearer error="insufficient_scope"`
	if metadataURL != "" {
		challenge = `Bearer resource_metadata="` + metadataURL + `"`
		denied += `, resource_metadata="` + metadataURL + `"`
	}
	if len(scopes) > 0 {
		scope := `, scope="` + strings.Join(scopes, " ") + `"`
		challenge += scope
		denied += scope
	}
	errorBody := func(name string) string {
		return `{"error":"` + name + `","message":` + messageString + `}`
	}
	return []gatewayResponse{
		{responseUnauthorized, http.StatusUnauthorized, challenge, errorBody("invalid_token")},
		{responseAccessDenied, http.StatusForbidden, denied, errorBody("insufficient_scope")},
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

// public reports whether the stack routes req to the function without
// the authorizer: a GET of the metadata, with tokens that come from an
// authorization server.
func (f *Front) public(req *request) bool {
	d := f.cfg.Deploy
	if d == nil || !d.JWT || req.r.Method != http.MethodGet {
		return false
	}
	paths := []string{"/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp", f.metadataSuffix()}
	return slices.Contains(paths, req.path)
}

// refuse writes the gateway's refusal: the stack's Gateway Response for
// its type when the front answers as deployed, else API Gateway's default.
func (f *Front) refuse(w http.ResponseWriter, r *http.Request, e *gatewayError) {
	d := f.cfg.Deploy
	if d == nil || e.responseType == "" {
		e.write(w)
		return
	}
	metadataURL := ""
	if d.JWT {
		metadataURL = f.baseURL(r) + f.metadataSuffix()
	}
	for _, resp := range deployResponses(metadataURL, d.RequiredScopes) {
		if resp.Type != e.responseType {
			continue
		}
		w.Header().Set("WWW-Authenticate", resp.WWWAuthenticate)
		msg, _ := json.Marshal(e.message) // a string or nil
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(resp.Status)
		w.Write([]byte(strings.ReplaceAll(resp.Body, messageString, string(msg))))
		return
	}
	e.write(w)
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
