package main

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"
)

// explainRefresh says why the refresh of a person's token failed, for a
// reason other than a refused refresh token (which sends the person to
// sign in again): no authorization code was sent, so the sign-in's own
// explanations do not fit. A kept sign-in is left as it is: a run that
// can refresh it needs no browser, and -logout drops it.
func explainRefresh(endpoint string, e *flowError, secrets *secretSet) string {
	what, anew := "the sign-in", "run again to sign in anew"
	if e.kept {
		what, anew = "the kept sign-in", "-logout, and run again to sign in anew"
	}
	who := fmt.Sprintf("%s asks for a token, and the refresh of %s of client %q failed", endpoint, what, e.clientID)
	var le *lockError
	if errors.As(e.err, &le) {
		// No request was sent: the file is another run's for now, or
		// its lock file is not the user's to use.
		return fmt.Sprintf("%s: %v", who, le)
	}
	at := "the token endpoint"
	if x, ok := lastPost(e.exchanges); ok {
		at += " " + x.url
	}
	if x, ok := lastPost(e.exchanges); ok && e.kept && errors.Is(x.err, errNotTokenEndpoint) && !unreached(e.exchanges) {
		// pinnedIssuer.keptEndpoint: the file may have been written by
		// another than this client.
		return fmt.Sprintf("%s: the kept sign-in names the token endpoint %s, which the metadata of issuer %s does not: the refresh token was not sent there: %s", who, x.url, e.issuer, anew)
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
		why := secrets.clip(re.ErrorCode)
		if re.ErrorDescription != "" {
			why += " " + secrets.quote(re.ErrorDescription)
		}
		hint := anew
		switch re.ErrorCode {
		case "invalid_client":
			if e.registered {
				hint = registrationGone(e.issuer)
				break
			}
			hint = "check the client id (-client-id or MCP_CLIENT_ID) and MCP_CLIENT_SECRET, set for a confidential client, unset for a public one; or " + anew
		case "unauthorized_client":
			hint = "the client may not use the refresh token grant: allow it that grant at the authorization server, or " + anew
		}
		return fmt.Sprintf("%s: %s refused it (HTTP %d): %s: %s", who, at, status, why, hint)
	}
	for _, x := range e.exchanges {
		if x.err != nil {
			where := at
			if x.method != http.MethodPost {
				// The metadata the refresh reads first, to learn the
				// token endpoint: the token endpoint was not asked.
				where = "the metadata at " + x.url
			}
			return fmt.Sprintf("%s: cannot reach %s: %v: run again once it can be reached, or %s", who, where, scrubbed{x.err, x.url, x.url}, anew)
		}
	}
	return fmt.Sprintf("%s: %v: %s", who, e.err, anew)
}

// refusedGrant says whether err is the token endpoint's refusal of a
// refresh token (invalid_grant): spent, expired or revoked.
func refusedGrant(err error) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.ErrorCode == "invalid_grant"
}

// heldToken is the token src last gave, nil if src does not say.
func heldToken(src oauth2.TokenSource) *oauth2.Token {
	if s, ok := src.(*keepingSource); ok {
		return s.last()
	}
	return nil
}

// keptSince is the token source of the token kept now, when the refresh
// of the flow's was refused and the file holds another (another run's,
// refreshed meanwhile), nil otherwise.
func (f *oauthFlow) keptSince() oauth2.TokenSource {
	held := heldToken(f.source)
	if f.reread == nil || held == nil {
		return nil
	}
	return f.reread(held)
}

// usableSince says whether k, read from the cache after the refresh of
// refused was refused, is worth using: not refused itself, and not
// expired with no refresh token to refresh it by.
func usableSince(k *keptToken, refused *oauth2.Token, now time.Time) bool {
	return k != nil && !k.holds(refused) && !k.spent(now)
}

// spent says whether k has expired with no refresh token to refresh it
// by: nothing can be done with it but sign in anew.
func (k *keptToken) spent(now time.Time) bool {
	return k.RefreshToken == "" && !k.Expiry.IsZero() && !k.Expiry.After(now)
}

// unreached says whether a request of xs got no answer: the metadata that
// was to name a kept token endpoint, say, which is then not its fault.
func unreached(xs []exchange) bool {
	for _, x := range xs {
		if x.err != nil && x.method == http.MethodGet {
			return true
		}
	}
	return false
}
