package main

import (
	"errors"
	"fmt"

	"golang.org/x/oauth2"
)

// explainRefresh says why the refresh of a person's token failed, for a
// reason other than a refused refresh token (which sends the person to
// sign in again): no authorization code was sent, so the sign-in's own
// explanations do not fit. A kept sign-in is left as it is: a run that
// can refresh it needs no browser, and -logout drops it.
func explainRefresh(endpoint string, e *flowError) string {
	what, anew := "the sign-in", "run again to sign in anew"
	if e.kept {
		what, anew = "the kept sign-in", "-logout, and run again to sign in anew"
	}
	who := fmt.Sprintf("%s asks for a token, and the refresh of %s of client %q failed", endpoint, what, e.clientID)
	at := "the token endpoint"
	if x, ok := lastPost(e.exchanges); ok {
		at += " " + x.url
	}
	if errors.Is(e.err, errPlainHTTP) {
		return fmt.Sprintf("%s: %s is plain http to a host that is not loopback, where anyone on the way could read the refresh token: %s, or -insecure to send it so anyway", who, at, anew)
	}
	var re *oauth2.RetrieveError
	if errors.As(e.err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		if re.ErrorCode == "" {
			return fmt.Sprintf("%s: %s answered HTTP %d, with no OAuth error: run again once it answers, or %s", who, at, status, anew)
		}
		why := re.ErrorCode
		if re.ErrorDescription != "" {
			why += fmt.Sprintf(" %q", re.ErrorDescription)
		}
		hint := anew
		switch re.ErrorCode {
		case "invalid_client":
			hint = "check the client id (-client-id or MCP_CLIENT_ID) and MCP_CLIENT_SECRET, set for a confidential client, unset for a public one; or " + anew
		case "unauthorized_client":
			hint = "the client may not use the refresh token grant: allow it that grant at the authorization server, or " + anew
		}
		return fmt.Sprintf("%s: %s refused it (HTTP %d): %s: %s", who, at, status, why, hint)
	}
	for _, x := range e.exchanges {
		if x.err != nil {
			return fmt.Sprintf("%s: cannot reach %s: %v: run again once it can be reached, or %s", who, at, scrubbed{x.err, x.url, x.url}, anew)
		}
	}
	return fmt.Sprintf("%s: %v: %s", who, e.err, anew)
}
