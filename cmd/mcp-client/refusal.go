package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/oauthex"
)

// unauthorized explains a 401: with no token sent, that one is needed;
// with one, that the server refused it, and why, when its challenge says
// (RFC 6750's error and error_description). The token itself is not
// named: the user knows where it came from, and a terminal's scrollback is
// no place for it. What the challenge says is quoted clipped
// (secretSet.clip), as everything a server says in an explanation.
func unauthorized(endpoint string, se *httpStatusError, secrets *secretSet) string {
	status := httpStatus(se, secrets)
	if se.withheld != "" {
		// The token is for the endpoint's origin alone; sending it on
		// would hand it to whoever the redirect named.
		return fmt.Sprintf("not authorized by %s (%s): the endpoint redirected the request to %s, which the bearer token is not sent to (it goes to the endpoint's origin alone); if that server is meant to have it, give its URL with -endpoint%s", endpoint, status, redacted(se.withheld), metadataHint(se.challenge, secrets))
	}
	if !se.tokenSent {
		return fmt.Sprintf("not authorized by %s (%s): send a valid bearer token with -token or MCP_TOKEN%s", endpoint, status, metadataHint(se.challenge, secrets))
	}
	var why []string
	switch code := challengeError(se.challenge); code {
	case "":
	case "invalid_token":
		why = append(why, "invalid_token (expired, revoked or malformed)")
	default:
		why = append(why, secrets.clip(code))
	}
	if d := challengeParam(se.challenge, "error_description"); d != "" {
		why = append(why, secrets.quote(d))
	}
	reason := ""
	if len(why) > 0 {
		reason = ": " + strings.Join(why, ", ")
	}
	sent := "the bearer token it was sent (-token or MCP_TOKEN)"
	if se.obtainer != "" {
		sent = fmt.Sprintf("the token client %q obtained from the authorization server", se.obtainer)
	}
	return fmt.Sprintf("not authorized by %s (%s): the server refused %s%s%s%s", endpoint, status, sent, reason, scopeHint(se.challenge, secrets), metadataHint(se.challenge, secrets))
}

// forbidden explains a 403. The token is blamed only when the server says
// it lacks a scope, or when a token was sent and the answer is not API
// Gateway's "Missing Authentication Token", which REST APIs give for a
// path outside their stage and routes, token or not: the commonest cause
// of a 403 is a wrong URL. A bare "Forbidden" names both causes when a
// token was sent.
func forbidden(endpoint string, se *httpStatusError, secrets *secretSet) string {
	status := httpStatus(se, secrets)
	// API Gateway's "Missing Authentication Token", or, when the request
	// carried an Authorization header it took for a bad SigV4 signature,
	// "… not a valid key=value pair (missing equal-sign) in Authorization
	// header …" (or "Authorization header requires 'Credential'
	// parameter …"): a path outside its stage and routes.
	missingToken := se.message == "Missing Authentication Token" ||
		strings.Contains(se.message, "in Authorization header") || strings.HasPrefix(se.message, "Authorization header requires ")
	switch {
	case challengeError(se.challenge) == "insufficient_scope":
		return fmt.Sprintf("forbidden by %s (%s): the token lacks a scope this server requires%s%s%s", endpoint, status, description(se.challenge, secrets), scopeHint(se.challenge, secrets), metadataHint(se.challenge, secrets))
	case se.message == "Forbidden" && se.challenge == "":
		// API Gateway's bare refusal: a custom domain's for a path outside
		// its mappings, a web ACL's, and an HTTP API's when its Lambda
		// authorizer answers isAuthorized false (a REST authorizer's deny
		// says "User is not authorized …"). Only a sent token can have
		// been denied so; nothing in the answer tells the causes apart.
		path := "a custom domain answers so for a path outside its API mappings (is the base path right?), and API Gateway for a request its resource policy or web ACL refuses"
		if se.tokenSent {
			return fmt.Sprintf("forbidden by %s (%s): an HTTP API's Lambda authorizer answers so when it denies the token (it lacks a scope this server requires); otherwise check the URL's path: %s", endpoint, status, path)
		}
		return fmt.Sprintf("forbidden by %s (%s): check the URL's path; %s", endpoint, status, path)
	case se.tokenSent && !missingToken:
		return fmt.Sprintf("forbidden by %s (%s): the token lacks the rights this server requires%s%s", endpoint, status, description(se.challenge, secrets), metadataHint(se.challenge, secrets))
	case missingToken:
		return fmt.Sprintf("forbidden by %s (%s): check the URL's path and stage; API Gateway answers so for a path outside its stage and routes", endpoint, status)
	}
	return fmt.Sprintf("forbidden by %s (%s): check the URL's path and stage, and whether the server needs a token (-token or MCP_TOKEN)%s", endpoint, status, metadataHint(se.challenge, secrets))
}

// challengeParam returns the parameter name of a WWW-Authenticate header
// value's first challenge that has it, or "". A value that does not parse
// is read as one challenge whose parameters are separated by spaces: an
// HTTP API's JWT authorizer writes its challenge so
// (Bearer scope="" error="invalid_token" error_description="…").
func challengeParam(header, name string) string {
	challenges, err := oauthex.ParseWWWAuthenticate([]string{header})
	if err != nil {
		return looseParam(header, name)
	}
	for _, c := range challenges {
		if v := c.Params[name]; v != "" {
			return v
		}
	}
	return ""
}

// looseParam returns the first parameter name of a challenge read
// loosely: quoted (with \-escapes) or not, whatever separates them.
func looseParam(header, name string) string {
	for _, m := range looseParamPattern.FindAllStringSubmatch(header, -1) {
		if !strings.EqualFold(m[1], name) {
			continue
		}
		if m[3] != "" {
			return m[3]
		}
		return quotedPairPattern.ReplaceAllString(m[2], "$1")
	}
	return ""
}

var (
	looseParamPattern = regexp.MustCompile(`([A-Za-z0-9_.-]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))`)
	quotedPairPattern = regexp.MustCompile(`\\(.)`)
)

// challengeError returns the error parameter of a WWW-Authenticate
// challenge (RFC 6750), or "".
func challengeError(challenge string) string {
	return challengeParam(challenge, "error")
}

// metadataHint tells where the server says its authorization is described
// (the challenge's resource_metadata, RFC 9728), or nothing when the
// challenge does not say.
func metadataHint(challenge string, secrets *secretSet) string {
	if u := challengeParam(challenge, "resource_metadata"); u != "" {
		return "; the server describes its authorization at " + secrets.clip(u)
	}
	return ""
}

// description is the challenge's error_description, quoted as the rest of
// what a server says is (escaped, clipped), after ": "; or nothing.
func description(challenge string, secrets *secretSet) string {
	if d := challengeParam(challenge, "error_description"); d != "" {
		return ": " + secrets.quote(d)
	}
	return ""
}

// scopeHint names the scope the challenge says the server asks for
// (RFC 6750's scope), or nothing.
func scopeHint(challenge string, secrets *secretSet) string {
	if s := challengeParam(challenge, "scope"); s != "" {
		return "; it asks for scope " + secrets.quote(s)
	}
	return ""
}
