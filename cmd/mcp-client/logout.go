package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"golang.org/x/oauth2"
)

// signOut is what -logout needs: whose sign-in it ends, and how the
// authorization server is reached (as the sign-in reaches it).
type signOut struct {
	issuer, clientID, clientSecret, endpoint string
	insecure                                 bool
	trace                                    io.Writer // nil: none
	secrets                                  *secretSet
}

// maxRevocationAnswer bounds what is read of the revocation endpoint's
// answer: an OAuth error is a few hundred bytes.
const maxRevocationAnswer = 64 << 10

// forgetSignIn is -logout: it deletes the sign-in kept for the client at
// its issuer for the endpoint, and the temporary files a crashed run left
// (sweep), and revokes its token at the authorization server (RFC 7009):
// a copy of the file is then worth nothing either. The file goes whatever
// the revocation's outcome, and the one line said tells which it was. The
// exit status is 0 once the file is deleted, revoked or not: the sign-in
// is no longer kept, as asked, and another -logout could tell the server
// no more (the token is gone); 1 when the file cannot be deleted. (run
// makes a 0 that Ctrl-C cut short 130, as every interrupted run's, and
// one that SIGTERM or SIGHUP cut short 143 or 129.)
//
// With no client id, it is the sign-in through the client -login
// registered, at the authorization server -issuer gives, or else the
// one the server's protected resource metadata names, found as -login
// finds it (registeredIssuer); its token is revoked as that client, a
// public one.
func forgetSignIn(ctx context.Context, s signOut, stderr io.Writer) int {
	if s.clientID == "" && s.issuer == "" {
		issuer, err := s.registeredIssuer(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "mcp-client: %s\n", s.secrets.line(fmt.Sprintf("no authorization server of a client registered for %s is found: %v: give it, -issuer or MCP_CLIENT_ISSUER, or the client, -client-id", redacted(s.endpoint), err)))
			return 1
		}
		s.issuer = issuer
	}
	whose := fmt.Sprintf("client %q at %s for %s", s.clientID, s.issuer, redacted(s.endpoint))
	if s.clientID == "" {
		whose = fmt.Sprintf("a client registered at %s for %s", s.issuer, redacted(s.endpoint))
	}
	cache, err := newTokenCache(s.issuer, s.clientID, s.endpoint, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "mcp-client: %s\n", s.secrets.line(fmt.Sprintf("the sign-in of %s cannot be deleted: %v", whose, err)))
		return 1
	}
	// The token revoked is the one deleted: a run that refreshes or keeps
	// one meanwhile waits for the lock, and writes after the delete.
	unlock, err := cache.lock(ctx)
	if errors.Is(err, fs.ErrNotExist) {
		unlock, err = func() {}, nil // no directory, no file: forget says so
	}
	if err != nil {
		fmt.Fprintf(stderr, "mcp-client: %s\n", s.secrets.line(fmt.Sprintf("the sign-in of %s cannot be deleted: %v", whose, err)))
		return 1
	}
	k, unusable := cache.read() // sweeps the temporary files first
	if k != nil && s.clientID == "" {
		whose = fmt.Sprintf("client %q, registered at %s, for %s", k.ClientID, s.issuer, redacted(s.endpoint))
	}
	if k != nil {
		// Hidden from the trace and from what the server echoes.
		s.secrets.addObtained(k.AccessToken, minSecret)
		s.secrets.addObtained(k.RefreshToken, minSecret)
	}
	// Deleted first: a run stopped during the revocation leaves no file.
	// The lock is not held while the server is asked.
	deleted, err := cache.forget()
	unlock()
	var what, at string
	var untold error
	switch {
	case k != nil:
		what, at, untold = s.revoke(ctx, k)
	case deleted:
		untold = fmt.Errorf("the file could not be used (%s)", unusable)
		what = "token"
	}
	var line string
	switch {
	case err != nil:
		line = fmt.Sprintf("the sign-in of %s cannot be deleted: %v", whose, err)
		switch {
		case k != nil && untold == nil:
			line += fmt.Sprintf("; its %s is revoked at %s", what, redacted(at))
		case k != nil:
			line += fmt.Sprintf("; nor could the authorization server be told: %v", untold)
		}
	case !deleted:
		line = fmt.Sprintf("no sign-in of %s was kept", whose)
		if elsewhere := cache.keptElsewhere(s.endpoint); len(elsewhere) > 0 {
			what, is, drop := keptAt(elsewhere)
			line += fmt.Sprintf("; %s %s kept, for the authorization server the server named then: %s", what, is, drop)
		}
	case untold == nil:
		line = fmt.Sprintf("signed out: the kept sign-in of %s is deleted, and its %s revoked at %s", whose, what, redacted(at))
	default:
		line = fmt.Sprintf("signed out: the kept sign-in of %s is deleted, but the authorization server could not be told: %v; its %s stays valid there until it expires", whose, untold, what)
	}
	fmt.Fprintf(stderr, "mcp-client: %s\n", s.secrets.line(line))
	if err != nil {
		return 1
	}
	return 0
}

// revoke asks the revocation endpoint of the issuer's metadata to revoke
// k's refresh token, or its access token when it has none (RFC 7009
// §2.1), as the client the kept token's own authentication style
// authenticated it at the token endpoint. The requests go as the
// sign-in's do (flowClient): over https, or plain http to loopback or
// with -insecure, at addresses reachGuard allows, and the POST to the
// revocation endpoint of the pinned issuer's metadata alone. what is
// the token it revokes; err, not nil, says why the server was not told.
func (s signOut) revoke(ctx context.Context, k *keptToken) (what, at string, err error) {
	token, hint := k.RefreshToken, "refresh_token"
	if token == "" {
		token, hint = k.AccessToken, "access_token"
	}
	what = strings.ReplaceAll(hint, "_", " ")
	clientID := or(s.clientID, k.ClientID) // the registered client's, none given
	client, log, _ := flowClient(s.endpoint, s.issuer, s.insecure, s.trace, s.secrets)
	meta, err := auth.GetAuthServerMetadata(ctx, s.issuer, client)
	switch {
	case err != nil:
		for _, x := range log.list() {
			if x.err != nil {
				return what, "", fmt.Errorf("cannot reach %s: %v", x.url, scrubbed{x.err, x.url, x.url})
			}
		}
		return what, "", fmt.Errorf("the metadata of issuer %s cannot be used: %v%s", s.issuer, err, tried(log.list()))
	case meta == nil:
		return what, "", fmt.Errorf("no authorization server metadata of issuer %s was found%s", s.issuer, tried(log.list()))
	case meta.RevocationEndpoint == "":
		return what, "", fmt.Errorf("the metadata of issuer %s names no revocation_endpoint", s.issuer)
	}
	at = meta.RevocationEndpoint
	if u, err := url.Parse(at); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return what, at, fmt.Errorf("the metadata of issuer %s names a revocation_endpoint that is not an http(s) URL, %q", s.issuer, redacted(at))
	}
	form := url.Values{"token": {token}, "token_type_hint": {hint}}
	basic := false
	switch {
	case s.clientSecret == "":
		form.Set("client_id", clientID) // a public client (RFC 7009 §2.1, RFC 6749 §3.2.1)
	case oauth2.AuthStyle(k.AuthStyle) == oauth2.AuthStyleInParams:
		form.Set("client_id", clientID)
		form.Set("client_secret", s.clientSecret)
	default:
		// Basic, which every authorization server takes (RFC 6749
		// §2.3.1), also where the token endpoint's style was detected.
		basic = true
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, at, strings.NewReader(form.Encode()))
	if err != nil {
		return what, at, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(s.clientSecret))
	}
	noRedirect := *client
	// A redirect is an answer, not a place to send the token on to.
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noRedirect.Do(req)
	if err != nil {
		return what, at, unsent(err, at, log)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxRevocationAnswer))
	if resp.StatusCode == http.StatusOK {
		// Also for a token the server holds invalid already (RFC 7009 §2.2).
		return what, at, nil
	}
	var oe struct {
		Code        string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &oe) != nil || oe.Code == "" {
		return what, at, fmt.Errorf("the revocation endpoint %s answered HTTP %d, with no OAuth error", redacted(at), resp.StatusCode)
	}
	why := s.secrets.clip(oe.Code)
	if oe.Description != "" {
		why += " " + s.secrets.quote(oe.Description)
	}
	return what, at, fmt.Errorf("the revocation endpoint %s refused it (HTTP %d): %s", redacted(at), resp.StatusCode, why)
}

// registeredIssuer is the authorization server a -login with no client
// registered one at, found as it found it (resourceIssuer): by the
// protected resource metadata the challenge of the server's refusal
// names, or that at its well-known URLs. The request goes as the
// sign-in's do (flowClient), without a token.
func (s signOut) registeredIssuer(ctx context.Context) (string, error) {
	client, _, _ := flowClient(s.endpoint, "", s.insecure, s.trace, s.secrets)
	var challenges []string
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.endpoint, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "text/event-stream")
	if resp, err := client.Do(req); err == nil {
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			challenges = resp.Header.Values("WWW-Authenticate")
		}
		resp.Body.Close()
	}
	issuer, err := resourceIssuer(ctx, client, s.endpoint, challenges, "")
	if err != nil {
		return "", err
	}
	if msg := validIssuer(issuer); msg != "" {
		return "", errors.New(strings.Replace(msg, "-issuer", "the authorization server", 1))
	}
	return issuer, nil
}

// unsent explains a revocation request that got no answer, by what the
// flow's transport logged of it.
func unsent(err error, at string, log *exchangeLog) error {
	xs := log.list()
	if len(xs) > 0 && xs[len(xs)-1].method == http.MethodPost && xs[len(xs)-1].err != nil {
		err = xs[len(xs)-1].err
	}
	if errors.Is(err, errPlainHTTP) {
		return fmt.Errorf("the revocation endpoint %s is plain http to a host that is not loopback, where anyone on the way could read the token: -insecure to send it so anyway", redacted(at))
	}
	return fmt.Errorf("cannot reach the revocation endpoint %s: %v", redacted(at), scrubbed{err, at, redacted(at)})
}
