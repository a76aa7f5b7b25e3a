package oauthtest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// grant is what an authorization code was issued for: the token request
// that redeems it must come from the same client, with the same redirect
// URI, and with the verifier of the code challenge (RFC 7636 §4.6).
type grant struct {
	clientID, redirectURI, challenge string
	subject                          string
	scopes                           []string
}

// authorize is the authorization endpoint (RFC 6749 §4.1.1). It asks no
// one: it approves at once (or refuses, with Deny) and redirects to the
// client's redirect URI with a code bound to the request. A request it
// cannot redirect (an unknown client, a redirect URI not registered) is
// answered 400 with a JSON body, not redirected (§4.1.2.1).
func (a *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirectURI := q.Get("redirect_uri")
	if q.Get("client_id") != a.ClientID {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "unknown client"})
		return
	}
	if !a.registered(redirectURI) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "redirect_uri is not registered"})
		return
	}
	back := url.Values{}
	if s := q.Get("state"); s != "" {
		back.Set("state", s)
	}
	if a.opts.CallbackIss != "" {
		back.Set("iss", a.opts.CallbackIss)
	}
	refuse := func(code, desc string) {
		back.Set("error", code)
		back.Set("error_description", desc)
		http.Redirect(w, r, withQuery(redirectURI, back), http.StatusFound)
	}
	scopes := strings.Fields(q.Get("scope"))
	switch {
	case q.Get("response_type") != "code":
		refuse("unsupported_response_type", "only code")
		return
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		refuse("invalid_request", "a code_challenge with method S256 is required")
		return
	case a.opts.Deny:
		refuse("access_denied", "The user denied access")
		return
	case a.opts.Refuse != "":
		back.Set("error", a.opts.Refuse)
		http.Redirect(w, r, withQuery(redirectURI, back), http.StatusFound)
		return
	case a.opts.NoCode:
		http.Redirect(w, r, withQuery(redirectURI, back), http.StatusFound)
		return
	}
	for _, s := range scopes {
		if !slices.Contains(a.opts.Scopes, s) {
			refuse("invalid_scope", "Invalid scope requested: "+s)
			return
		}
	}
	code := rand.Text()
	subject := a.opts.Subject
	if subject == "" {
		subject = DefaultSubject
	}
	a.mu.Lock()
	a.codes[code] = grant{clientID: a.ClientID, redirectURI: redirectURI, challenge: q.Get("code_challenge"), subject: subject, scopes: scopes}
	a.mu.Unlock()
	back.Set("code", code)
	http.Redirect(w, r, withQuery(redirectURI, back), http.StatusFound)
}

// registered says whether uri is one of the client's redirect URIs.
func (a *Server) registered(uri string) bool {
	if a.opts.ExactRedirect {
		a.mu.Lock()
		regs := a.regs
		a.mu.Unlock()
		if len(regs) > 0 {
			return slices.ContainsFunc(regs, func(r Registration) bool { return slices.Contains(r.RedirectURIs, uri) })
		}
	}
	if len(a.opts.RedirectURIs) > 0 {
		return slices.Contains(a.opts.RedirectURIs, uri)
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "http" {
		return false
	}
	host := u.Hostname()
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

func withQuery(uri string, q url.Values) string {
	if strings.Contains(uri, "?") {
		return uri + "&" + q.Encode()
	}
	return uri + "?" + q.Encode()
}

// redeem takes the code of an authorization_code token request, once:
// a code is spent by its first redemption, right or wrong. desc says why
// it is refused, "" when it is not.
func (a *Server) redeem(form url.Values) (g grant, desc string) {
	a.mu.Lock()
	g, ok := a.codes[form.Get("code")]
	delete(a.codes, form.Get("code"))
	a.mu.Unlock()
	sum := sha256.Sum256([]byte(form.Get("code_verifier")))
	switch {
	case !ok:
		return g, "unknown or used code"
	case form.Get("redirect_uri") != g.redirectURI:
		return g, "redirect_uri differs from the authorization request's"
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		return g, "code_verifier does not match the code_challenge"
	}
	return g, ""
}
