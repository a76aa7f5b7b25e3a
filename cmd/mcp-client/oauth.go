package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/auth/extauth"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
	"golang.org/x/oauth2"

	"github.com/lambdamcp/lambdamcp/internal/httpsyntax"
)

// oauthFlow gets the run its token with the client credentials grant, the
// go-sdk's way (extauth): on the server's 401 it reads the protected
// resource metadata (RFC 9728), then the authorization server's (RFC 8414
// or OpenID discovery), and asks the token endpoint for a token: that of
// the metadata of the issuer the user named, alone. It gives
// the go-sdk's transport no token source: statusRecorder attaches the
// token, to the endpoint's origin alone, as it does a -token, where the
// transport's header would follow a redirect to any subdomain.
type oauthFlow struct {
	clientID string
	issuer   string // the authorization server the client is registered with
	login    bool   // a person signs in (authorization code), not a machine
	// registered: clientID is the client an earlier -login registered at
	// issuer, kept with its sign-in, not one the user gave.
	registered bool
	// found: issuer is the authorization server the server's metadata
	// named at the run's first refusal, not one the user gave (-issuer).
	found   bool
	handler auth.OAuthHandler
	pin     *pinnedIssuer // the handler's client's: told the challenge's resource metadata URL
	// newHandler makes handler when the first flow starts, if it is nil.
	newHandler func() (auth.OAuthHandler, error)
	// resolve makes the flow when the first one starts, from the
	// server's refusal, if it is not nil (newRegisteringFlow).
	resolve func(context.Context, *http.Response) (*oauthFlow, error)
	// callback is a person's sign-in's redirect URI, stopped when a flow
	// ends however it ends; nil: none.
	callback *callbackServer
	log      *exchangeLog // the flow's requests, to explain a failure by
	secrets  *secretSet   // a token obtained is hidden from then on

	// A person's sign-in only: where a kept token is kept, and what is
	// said of it.
	cache  *tokenCache // nil: none kept
	notice io.Writer
	ctx    context.Context // the run's: bounds a wait for the cache's lock
	// reread is the token source of the token kept now, nil unless it is
	// another than refused: another run's, kept since this run read it.
	reread func(refused *oauth2.Token) oauth2.TokenSource

	mu      sync.Mutex // one flow at a time; the handler is not safe for more
	source  oauth2.TokenSource
	failed  error // a sign-in that failed, not asked of the person again
	kept    bool  // source is a kept sign-in's, not yet refused by the server
	refused bool  // a refresh was refused, and the person sent to sign in again
	// answered are the scopes a flow was run for, each with its failure
	// (nil: a token was had): a refusal asking for them again is not
	// asked of the authorization server, or of the person, again.
	answered map[string]error
}

var _ auth.OAuthHandler = (*oauthFlow)(nil)

// newOAuthFlow makes the flow for a client registered with issuer, for
// the MCP server at endpoint. Its requests (discovery and the token
// endpoint's) go over plain http to loopback hosts only, unless insecure,
// to addresses that are not public only at the hosts of endpoint and
// issuer (reachGuard), and show on trace when it is not nil.
func newOAuthFlow(clientID, clientSecret, endpoint, issuer string, insecure bool, trace io.Writer, secrets *secretSet) (*oauthFlow, error) {
	client, log, pin := flowClient(endpoint, issuer, insecure, trace, secrets)
	h, err := extauth.NewClientCredentialsHandler(&extauth.ClientCredentialsHandlerConfig{
		// The handler refuses metadata naming another issuer.
		Credentials: &oauthex.ClientCredentials{ClientID: clientID, Issuer: issuer, ClientSecretAuth: &oauthex.ClientSecretAuth{ClientSecret: clientSecret}},
		HTTPClient:  client,
	})
	if err != nil {
		return nil, err
	}
	return &oauthFlow{clientID: clientID, issuer: issuer, handler: h, pin: pin, log: log, secrets: secrets}, nil
}

// flowClient is the HTTP client of a flow for a client registered with
// issuer, for the MCP server at endpoint, and what it logs and learns.
func flowClient(endpoint, issuer string, insecure bool, trace io.Writer, secrets *secretSet) (*http.Client, *exchangeLog, *pinnedIssuer) {
	log := &exchangeLog{}
	pin := newPinnedIssuer(issuer)
	guard := newReachGuard(pin, endpoint, issuer)
	var base http.RoundTripper = guardedTransport(guard)
	if trace != nil {
		base = &tracer{base: base, out: trace, secrets: secrets}
	}
	ft := &flowTransport{base: base, insecure: insecure, log: log, pin: pin, guard: guard, resource: endpoint}
	if u, err := url.Parse(endpoint); err == nil {
		ft.resource = u.String() // as the go-sdk compares it: the MCP request's URL
	}
	client := &http.Client{
		Transport: ft,
		// A token request sent on elsewhere would carry the secret
		// (client_secret_post), or the authorization code and its
		// verifier, where the metadata did not say. The go-sdk's own
		// redirect checks give way to these.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if via[0].Method != http.MethodGet {
				return &postRedirected{what: pin.posted(via[0]), to: redacted(req.URL.String())}
			}
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			if err := checkDowngrade(req, via); err != nil {
				log.add(exchange{method: req.Method, url: redacted(req.URL.String()), err: err})
				return err
			}
			return nil
		},
	}
	ft.discover = func(ctx context.Context) bool {
		// What it learns is what counts: a document that names another
		// token endpoint leaves the token request refused.
		m, err := auth.GetAuthServerMetadata(ctx, issuer, client)
		return err == nil && m != nil
	}
	return client, log, pin
}

// postRedirected is a POST of the flow answered with a redirect, which
// is not followed: a token request would carry the secret or the code
// there, and a registration would register the client where no metadata
// said.
type postRedirected struct {
	what string // "token" or "registration"
	to   string // as redacted shows it
}

func (e *postRedirected) Error() string {
	return fmt.Sprintf("the %s endpoint redirects to %s: the %s request is not sent on", e.what, e.to, e.what)
}

// TokenSource gives the transport none: statusRecorder sends the token.
func (f *oauthFlow) TokenSource(context.Context) (oauth2.TokenSource, error) { return nil, nil }

// errNoFlow is Authorize's answer to a 403 that does not ask for a scope:
// no token mends a wrong path or a denial, and the 403 is explained as such.
var errNoFlow = errors.New("a refusal no token mends")

// Authorize runs the flow after a 401, or a 403 insufficient_scope (for
// the scope the challenge names).
func (f *oauthFlow) Authorize(ctx context.Context, req *http.Request, resp *http.Response) error {
	if resp.StatusCode == http.StatusForbidden && !asksScope(resp.Header.Values("WWW-Authenticate")) {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return errNoFlow
	}
	if h := resp.Header.Values("WWW-Authenticate"); len(h) > 0 {
		if _, err := oauthex.ParseWWWAuthenticate(h); err != nil {
			// The go-sdk's flow would stop at a challenge its parser
			// refuses, before discovery.
			resp.Header = resp.Header.Clone()
			resp.Header.Set("WWW-Authenticate", flowChallenge(strings.Join(h, ", ")))
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failed != nil {
		// The go-sdk tries a refused connect again (initialize after
		// server/discover): a person is not sent to the browser twice.
		resp.Body.Close()
		return f.failed
	}
	// The go-sdk runs a flow for each refused request: a refused connect
	// is two (server/discover, then initialize), and a token the server
	// refuses is refused again. A second flow for the same scope would get
	// what the first got, or fail as it did.
	cause := askedScope(resp.Header.Values("WWW-Authenticate"))
	if err, done := f.answered[cause]; done {
		resp.Body.Close()
		return err // nil: the request is sent again, with the token had
	}
	if len(f.answered) >= maxFlows {
		// A server that asks for another scope at each request would
		// otherwise have the client ask the authorization server, and
		// the person in the browser, again and again.
		resp.Body.Close()
		return &flowError{clientID: f.clientID, issuer: f.issuer, login: f.login, err: &tooManyFlows{scope: cause}}
	}
	err := f.authorize(ctx, req, resp)
	if err == nil && f.kept {
		// The flow was made, and found a kept sign-in (resolve): the
		// server has yet to answer its token, and a refusal of it sends
		// the person to sign in.
		return nil
	}
	if f.answered == nil {
		f.answered = map[string]error{}
	}
	f.answered[cause] = err
	return err
}

// maxFlows bounds the flows a run runs, each for a scope of its own: the
// first refusal, and a step up or two (insufficient_scope).
const maxFlows = 4

// tooManyFlows is a refusal asking for a scope after maxFlows flows, each
// for another.
type tooManyFlows struct{ scope string }

func (e *tooManyFlows) Error() string {
	return fmt.Sprintf("the server asks for scope %q, after %d flows for others: no more are run", e.scope, maxFlows)
}

// authorize runs the go-sdk's flow, once.
func (f *oauthFlow) authorize(ctx context.Context, req *http.Request, resp *http.Response) error {
	if f.kept && resp.StatusCode == http.StatusUnauthorized {
		fmt.Fprintln(f.notice, "mcp-client: the server refused the kept sign-in's token: sign in again")
	}
	f.kept = false
	f.log.reset()
	if f.resolve != nil {
		g, err := f.resolve(ctx, resp)
		if err != nil {
			resp.Body.Close()
			fe := &flowError{issuer: f.issuer, login: f.login, exchanges: f.log.list(), err: err}
			f.failed = fe
			return fe
		}
		f.resolve = nil
		f.clientID, f.issuer, f.handler, f.newHandler, f.pin = g.clientID, g.issuer, g.handler, g.newHandler, g.pin
		f.registered, f.found = g.registered, g.found
		f.log, f.cache, f.reread, f.source, f.kept = g.log, g.cache, g.reread, g.source, g.kept
		if f.source != nil {
			// A kept sign-in of the authorization server found: the
			// request goes again with its token.
			resp.Body.Close()
			return nil
		}
	}
	if f.handler == nil {
		h, err := f.newHandler()
		if err != nil {
			if f.callback != nil {
				f.callback.stop() // it may have failed after the listener opened
			}
			resp.Body.Close()
			fe := &flowError{clientID: f.clientID, issuer: f.issuer, login: f.login, err: err}
			f.failed = fe
			return fe
		}
		f.handler = h
	}
	f.pin.challenged(resp.Header.Values("WWW-Authenticate"))
	err := f.handler.Authorize(ctx, req, resp)
	if f.callback != nil {
		f.callback.stop() // the sign-in may have failed before its callback
	}
	if err != nil {
		fe := &flowError{clientID: f.clientID, issuer: f.issuer, login: f.login, registered: f.registered, exchanges: f.log.list(), err: err}
		if f.found {
			fe.found, fe.named = true, f.pin.lastNamed()
		}
		if f.login {
			f.failed = fe
		}
		return fe
	}
	src, err := f.handler.TokenSource(ctx)
	if err != nil || src == nil {
		return &flowError{clientID: f.clientID, issuer: f.issuer, login: f.login, registered: f.registered, exchanges: f.log.list(), err: or2(err, errors.New("no token was obtained"))}
	}
	f.source = src
	return nil
}

// askedScope is the scope a refusal's challenges ask for, its values
// sorted: what a flow would ask the authorization server for ("" for
// the scopes of the resource metadata).
func askedScope(challenges []string) string {
	scopes := strings.Fields(looseParam(strings.Join(challenges, ", "), "scope"))
	slices.Sort(scopes)
	return strings.Join(slices.Compact(scopes), " ")
}

// asksScope says whether challenges, those of a 403, ask for a scope
// (insufficient_scope), as the go-sdk reads them to step up: the error
// of the first Bearer challenge that has one, in whichever header value
// it comes. Challenges its parser refuses are read loosely, as the flow
// is handed them (flowChallenge).
func asksScope(challenges []string) bool {
	cs, err := oauthex.ParseWWWAuthenticate(challenges)
	if err != nil {
		return looseParam(strings.Join(challenges, ", "), "error") == "insufficient_scope"
	}
	for _, c := range cs {
		if c.Scheme == "bearer" && c.Params["error"] != "" {
			return c.Params["error"] == "insufficient_scope"
		}
	}
	return false
}

// flowChallenge is a challenge the go-sdk's parser refuses, as the
// parameters its flow reads, read loosely (looseParam): an HTTP API's JWT
// authorizer writes its parameters separated by spaces, with an empty
// scope (Bearer scope="" error="invalid_token" …). The error goes too:
// the go-sdk steps up for a 403 whose error is insufficient_scope alone.
// A value that would need escaping is left out; with no parameter left,
// the flow finds the metadata at its well-known URLs.
func flowChallenge(h string) string {
	c := "Bearer"
	sep := " "
	for _, name := range []string{"resource_metadata", "scope", "error"} {
		if v := looseParam(h, name); v != "" && !strings.ContainsAny(v, `"\`) {
			c += sep + name + `="` + v + `"`
			sep = ", "
		}
	}
	return c
}

// signInFailure is the failure of a person's sign-in, nil if none (or no
// flow).
func (f *oauthFlow) signInFailure() error {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

// accessToken is the token obtained, fetched anew once it has expired;
// "" before the flow has run.
func (f *oauthFlow) accessToken() (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.source == nil {
		return "", nil
	}
	f.log.reset()
	tok, err := f.source.Token()
	if f.login && !f.refused && refusedGrant(err) {
		if src := f.keptSince(); src != nil {
			// Another run refreshed the kept token first, and a rotating
			// token endpoint spent the refresh token this run held: the
			// token it kept is this run's too.
			f.source, f.kept = src, true
			tok, err = src.Token()
		}
	}
	if f.login && !f.refused && refusedGrant(err) {
		// The refresh token is spent, expired or revoked. As the go-sdk's
		// transport does, the request goes without a token, and the
		// server's 401 sends the person to sign in again: once.
		f.cache.forgetRefused(f.ctx, heldToken(f.source))
		f.refused, f.kept, f.source = true, false, nil
		fmt.Fprintln(f.notice, "mcp-client: the token endpoint refused to refresh the sign-in (invalid_grant): sign in again")
		return "", nil
	}
	if err != nil {
		// A person's token is refreshed here, not signed in for.
		fe := &flowError{clientID: f.clientID, issuer: f.issuer, login: f.login, registered: f.registered, refresh: f.login, kept: f.cache != nil, exchanges: f.log.list(), err: err}
		if errors.As(err, new(*lockError)) {
			// The go-sdk answers a request the run's deadline ended
			// with the deadline alone: the wait for another run's lock
			// says more (run explains the failure kept here).
			f.failed = fe
		}
		return "", fe
	}
	f.secrets.addObtained(tok.AccessToken, minSecret)
	return tok.AccessToken, nil
}

// or2 is err, or else fallback.
func or2(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}

// exchange is one request of the flow, and how it ended.
type exchange struct {
	method, url string // url as redacted shows it
	from        string // the URL asked for, if a redirect led to url; as redacted shows it
	status      int    // 0: no answer
	err         error
	// resourceMetadata: a GET for protected resource metadata, at a
	// well-known URL or one a challenge named.
	resourceMetadata bool
	// otherResource is the resource a protected resource metadata
	// document found names, as redacted shows it, when it is not the one
	// it must name: the go-sdk does not use that document (RFC 9728
	// §3.3).
	otherResource string
	// rootWanted is the server's root, as redacted shows it, when the
	// document named another resource at the root's well-known URL,
	// where it must name the root: the endpoint's is not at its place.
	rootWanted string
}

// exchangeLog lists the flow's requests.
type exchangeLog struct {
	mu sync.Mutex
	xs []exchange
}

func (l *exchangeLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.xs = nil
}

func (l *exchangeLog) add(e exchange) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.xs = append(l.xs, e)
}

// begun is how many requests of the flow asked for u (as redacted shows
// it), redirects they were sent on aside.
func (l *exchangeLog) begun(u string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, x := range l.xs {
		if x.url == u && x.from == "" {
			n++
		}
	}
	return n
}

func (l *exchangeLog) list() []exchange {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]exchange(nil), l.xs...)
}

// flowTransport sends the flow's requests, over plain http to loopback
// hosts only unless insecure (the go-sdk checks the metadata's URLs so,
// not those it falls back on: the endpoint's root, its /token), to an
// address that is not public only as guard allows, the token request to
// the pinned issuer's token endpoint alone, and logs them.
type flowTransport struct {
	base     http.RoundTripper
	insecure bool
	log      *exchangeLog
	pin      *pinnedIssuer
	guard    *reachGuard // nil: no check of the address (base has none either)
	// discover reads the pinned issuer's metadata, through the
	// transport: before a kept sign-in's token endpoint is sent a token
	// request, the metadata must name it (pinnedIssuer.keptEndpoint).
	// false: no metadata was read, and it is read again at the next.
	discover func(context.Context) bool
	// resource is the endpoint, which a protected resource metadata
	// document must name to be used; "": not checked.
	resource string
}

// errPlainHTTP refuses a request of the flow over plain http.
var errPlainHTTP = errors.New("refused: plain http to a host that is not loopback")

func (t *flowTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	e := exchange{method: r.Method, url: redacted(r.URL.String())}
	if a := asked(r); a != r {
		e.from = redacted(a.URL.String())
	}
	refuse := func(err error) (*http.Response, error) {
		if r.Body != nil {
			r.Body.Close()
		}
		e.err = err
		t.log.add(e)
		return nil, err
	}
	if kept, discover := t.pin.kept(r); kept {
		if discover && t.discover != nil && !t.discover(r.Context()) {
			t.pin.unread(r)
		}
		if !t.pin.allows(r) {
			// Said so before any other refusal: a kept sign-in's
			// endpoint the metadata does not name is not the issuer's.
			return refuse(errNotTokenEndpoint)
		}
	}
	if err := t.guard.checkURL(r.URL); err != nil {
		return refuse(err)
	}
	if !t.insecure && strings.EqualFold(r.URL.Scheme, "http") && !httpsyntax.Loopback(r.URL.Hostname()) {
		return refuse(errPlainHTTP)
	}
	if !t.pin.allows(r) {
		return refuse(errNotTokenEndpoint)
	}
	resp, err := t.base.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusOK && r.Method == http.MethodGet && metadataPath(asked(r).URL.Path) {
		err = t.readAuthServerMetadata(r, resp)
	}
	if err == nil && resp.StatusCode == http.StatusOK && t.pin.isResourceMetadata(r) {
		e.resourceMetadata = true
		err = t.pinnedFirst(resp)
		if err == nil && t.resource != "" {
			want := t.wantResource(r)
			e.otherResource, err = t.otherResource(resp, want)
			if e.otherResource != "" && want != t.resource {
				e.rootWanted = redacted(want)
			}
		}
	}
	if err != nil {
		e.err = err
	} else {
		e.status = resp.StatusCode
	}
	t.log.add(e)
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// flowError is the failure of the flow: the go-sdk's error, and the
// requests that led to it.
type flowError struct {
	clientID string
	issuer   string
	login    bool // the authorization code grant's
	refresh  bool // the refresh of a person's token, not a sign-in
	// registered: the client is one an earlier -login registered, not
	// one given (-client-id): no client id of the user's to check.
	registered bool
	// found: the issuer is the one the server's metadata named at the
	// run's first refusal, not one given (-issuer); named are the
	// authorization servers the metadata named last.
	found     bool
	named     []string
	kept      bool // the token is kept between runs (-logout drops it)
	exchanges []exchange
	err       error
}

func (e *flowError) Error() string { return "getting a token: " + e.err.Error() }
func (e *flowError) Unwrap() error { return e.err }

// explainFlow says in one line why client could not get a token for
// endpoint. The go-sdk's errors are mostly text; the requests the flow
// made tell what it tried. What the servers said is quoted clipped
// (secretSet.clip).
func explainFlow(endpoint string, e *flowError, secrets *secretSet) string {
	var cu *callbackUnavailable
	if errors.As(e.err, &cu) {
		// The line a run that cannot listen at its start gives.
		return cu.Error()
	}
	if e.refresh {
		return explainRefresh(endpoint, e, secrets)
	}
	who := fmt.Sprintf("%s asks for a token, and client %q could not get one", endpoint, e.clientID)
	if e.clientID == "" {
		who = fmt.Sprintf("%s asks for a token, and mcp-client, given no client (-client-id), could not register one and get one", endpoint)
	}
	var ir *issuerRefused
	var nm *noResourceMetadata
	switch {
	case e.found && len(e.named) > 0 && !slices.ContainsFunc(e.named, func(s string) bool { return issuersEqual(s, e.issuer) }):
		return who + ": " + serverMoved(e)
	case errors.As(e.err, &ir):
		return who + ": " + ir.msg
	case errors.As(e.err, &nm) && nm.refused != nil && hasOtherResource(e.exchanges):
		x, _ := otherResource(e.exchanges)
		is, todo := forOtherResource(x, secrets)
		return fmt.Sprintf("%s: the server's protected resource metadata (%s) %s, so it was not used; no client was registered: %s", who, x.url, is, todo)
	case errors.As(e.err, &nm) && nm.refused != nil:
		return fmt.Sprintf("%s: the server's protected resource metadata (RFC 9728) cannot be used: %s%s; no client was registered", who, secrets.clip(nm.refused.Error()), tried(e.exchanges))
	case errors.As(e.err, &nm):
		return fmt.Sprintf("%s: the server publishes no protected resource metadata (RFC 9728) naming its authorization server, where a client registers%s: give the client to sign in through, -client-id and -issuer", who, tried(e.exchanges))
	case strings.Contains(e.err.Error(), "no configured client registration methods are supported"):
		return fmt.Sprintf("%s: the metadata of the authorization server %s names no registration_endpoint (RFC 7591): register a client with it, and give it as -client-id and -issuer", who, e.issuer)
	}
	if msg := explainRegistration(e, secrets); msg != "" {
		return who + ": " + msg
	}
	sent := "the client secret" // what the token request carries
	if e.login {
		sent = "the authorization code"
	}
	if msg := explainSignIn(e, secrets); msg != "" {
		return who + ": " + msg
	}
	if msg := explainUnreached(e); msg != "" {
		return who + ": " + msg
	}
	for _, x := range e.exchanges {
		if errors.Is(x.err, errPlainHTTP) {
			u, _ := url.Parse(x.url)
			what := "a discovery request"
			if x.method == http.MethodPost {
				what = sent
			}
			return fmt.Sprintf("%s: the flow would send %s over plain http to %s (%s), which anyone on the way could read: use https, or -insecure to send it so anyway", who, what, u.Hostname(), x.url)
		}
		if errors.Is(x.err, errNotTokenEndpoint) {
			return fmt.Sprintf("%s: no authorization server metadata of issuer %s was found%s; %s goes only to the token endpoint that metadata names, not to %s, which the go-sdk falls back on", who, e.issuer, tried(e.exchanges), sent, x.url)
		}
	}
	var tf *tooManyFlows
	if errors.As(e.err, &tf) {
		return fmt.Sprintf("%s: the server asks for yet another scope, %s, after %d flows each for another: no more are run in one run, lest a server that asks for a new scope at each request have the client ask for tokens without end", who, secrets.quote(tf.scope), maxFlows)
	}
	var re *oauth2.RetrieveError
	if errors.As(e.err, &re) {
		return who + ": " + tokenRefusal(e, re, secrets)
	}
	msg := e.err.Error()
	switch {
	case strings.Contains(msg, "does not match pre-registered credentials issuer"):
		return who + ": " + issuerMismatch(e, secrets)
	case strings.Contains(msg, "no authorization servers"):
		at := ""
		if x, ok := lastResourceMetadata(e.exchanges); ok {
			at = " (" + x.url + ")"
		}
		return fmt.Sprintf("%s: the server's protected resource metadata%s names no authorization server; the server needs MCP_AUTHORIZATION_SERVERS, or an issuer (MCP_JWT_ISSUER)", who, at)
	case strings.Contains(msg, "failed to get authorization server metadata"):
		hint := ""
		if strings.Contains(msg, "does not implement PKCE") {
			hint = " (the go-sdk asks the metadata for code_challenge_methods_supported, for this grant too)"
		}
		_, why, _ := strings.Cut(msg, "failed to get authorization server metadata: ")
		return fmt.Sprintf("%s: the authorization server's metadata cannot be used: %s%s%s", who, secrets.clip(why), hint, tried(e.exchanges))
	}
	for _, x := range e.exchanges {
		if x.err != nil {
			return fmt.Sprintf("%s: cannot reach %s: %v", who, x.url, scrubbed{x.err, x.url, x.url})
		}
	}
	return fmt.Sprintf("%s: %v%s", who, e.err, tried(e.exchanges))
}

// issuerMismatch explains the go-sdk's refusal of an authorization server
// other than the issuer the client was given.
func issuerMismatch(e *flowError, secrets *secretSet) string {
	named := ""
	if _, rest, ok := strings.Cut(e.err.Error(), "authorization server issuer "); ok {
		if q, err := strconv.QuotedPrefix(rest); err == nil {
			named, _ = strconv.Unquote(q)
		}
	}
	named = secrets.clip(redacted(named))
	spared := "the client secret was not sent"
	if e.login {
		spared = "no one was sent there to sign in"
	}
	if x, ok := otherResource(e.exchanges); ok {
		is, todo := forOtherResource(x, secrets)
		return fmt.Sprintf("the server's protected resource metadata (%s) %s, so the go-sdk did not use it and took the server's root %s for the authorization server, not the issuer the client was given, %s; %s: %s", x.url, is, named, e.issuer, spared, todo)
	}
	if _, found := lastResourceMetadata(e.exchanges); !found {
		return fmt.Sprintf("the server publishes no protected resource metadata, so the go-sdk takes its root %s for the authorization server, not the issuer the client was given, %s (-issuer or MCP_CLIENT_ISSUER); %s", named, e.issuer, spared)
	}
	return fmt.Sprintf("the server names the authorization server %s, not the issuer the client was given, %s (-issuer or MCP_CLIENT_ISSUER); %s", named, e.issuer, spared)
}

// tokenRefusal explains the token endpoint's refusal (RFC 6749 §5.2).
func tokenRefusal(e *flowError, re *oauth2.RetrieveError, secrets *secretSet) string {
	at := "the token endpoint"
	if x, ok := lastPost(e.exchanges); ok {
		at += " " + x.url
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	if re.ErrorCode == "" {
		return fmt.Sprintf("%s answered HTTP %d, with no OAuth error", at, status)
	}
	why := secrets.clip(re.ErrorCode)
	if re.ErrorDescription != "" {
		why += " " + secrets.quote(re.ErrorDescription)
	}
	hint := ""
	switch {
	case e.login && re.ErrorCode == "invalid_grant":
		hint = ": the authorization code was refused (spent, expired, or not for this client, redirect URI or PKCE verifier); sign in again"
	case e.login && re.ErrorCode == "invalid_client" && e.registered:
		hint = ": " + registrationGone(e.issuer)
	case e.login && re.ErrorCode == "invalid_client":
		hint = ": check the client id (-client-id or MCP_CLIENT_ID), and MCP_CLIENT_SECRET: set for a confidential client, unset for a public one"
	case e.login && re.ErrorCode == "unauthorized_client":
		hint = ": the client may not use the authorization code grant; allow it that grant at the authorization server"
	case re.ErrorCode == "invalid_client":
		hint = ": check the client id (-client-id or MCP_CLIENT_ID) and the secret (MCP_CLIENT_SECRET)"
	case re.ErrorCode == "unauthorized_client":
		hint = ": the client may not use the client credentials grant; allow it that grant at the authorization server"
	case re.ErrorCode == "invalid_scope":
		hint = ": the client may not have the scope the server asks for; allow it that scope at the authorization server"
	}
	return fmt.Sprintf("%s refused it (HTTP %d): %s%s", at, status, why, hint)
}

// explainRegistration says why the registration of a client (RFC 7591)
// failed, "" for a failure that is not the registration's. The go-sdk's
// error quotes whatever the registration endpoint answered, a page of
// HTML say: the line says what the answer was instead, and quotes only
// an OAuth error, clipped.
func explainRegistration(e *flowError, secrets *secretSet) string {
	if !strings.Contains(e.err.Error(), "failed to register client: ") {
		return ""
	}
	at := "the registration endpoint"
	status := 0
	if x, ok := lastPost(e.exchanges); ok {
		at += " " + x.url
		status = x.status
	}
	instead := "register a client with the authorization server " + e.issuer + ", and give it as -client-id and -issuer"
	var re *oauthex.ClientRegistrationError
	var pr *postRedirected
	switch msg := e.err.Error(); {
	case errors.As(e.err, &re):
		why := secrets.clip(re.ErrorCode)
		if re.ErrorDescription != "" {
			why += " " + secrets.quote(re.ErrorDescription)
		}
		return fmt.Sprintf("%s refused to register the client (HTTP %d): %s; %s", at, status, why, instead)
	case errors.As(e.err, &pr):
		return fmt.Sprintf("%s answered HTTP %d, a redirect to %s (a sign-in page perhaps), not a registration: the registration was not sent on, and no client was registered; %s", at, status, pr.to, instead)
	case strings.Contains(msg, "missing required 'client_id'"):
		return fmt.Sprintf("%s answered HTTP %d with no client_id (RFC 7591 §3.2.1): no client was registered; %s", at, status, instead)
	case strings.Contains(msg, "failed to decode successful registration response"):
		return fmt.Sprintf("%s answered HTTP %d with no JSON registration (RFC 7591 §3.2.1), a page perhaps: no client was registered; %s", at, status, instead)
	case strings.Contains(msg, "failed to decode registration error response"):
		return fmt.Sprintf("%s answered HTTP %d with no OAuth error (RFC 7591 §3.2.2): no client was registered; %s", at, status, instead)
	case strings.Contains(msg, "registration failed with status"):
		return fmt.Sprintf("%s answered HTTP %d, not a registration: no client was registered; run again once it registers clients, or %s", at, status, instead)
	}
	return ""
}

// serverMoved explains a refusal whose protected resource metadata names
// other authorization servers than the one the run found at its first
// refusal, and stays with: the token would be another issuer's, and a
// client registered at one is not known at another.
func serverMoved(e *flowError) string {
	now := "the authorization server " + strings.Join(e.named, ", ")
	if len(e.named) > 1 {
		now = "the authorization servers " + strings.Join(e.named, ", ")
	}
	msg := fmt.Sprintf("the server's protected resource metadata now names %s, not %s, which this run found first and stays with; no one was sent to sign in", now, e.issuer)
	if e.registered {
		return msg + fmt.Sprintf(": the client registered at %s on an earlier sign-in belongs to that authorization server alone; -logout -issuer %s drops it, then -login registers a client where the server now points and signs in there", e.issuer, e.issuer)
	}
	return msg + ": run -login again, which registers a client where the server now points and signs in there"
}

// registrationGone is what to do about a client that an earlier -login
// registered at issuer, and which the authorization server no longer
// accepts: it forgot or deleted the registration, and the client kept
// with the sign-in is of no more use.
func registrationGone(issuer string) string {
	return fmt.Sprintf("the client registered at %s on an earlier sign-in is no longer accepted there (the authorization server forgot or deleted it): -logout, which drops it, then -login to register a client anew", issuer)
}

// lastFound is the last request answered 200 at a URL whose path holds
// one of paths.
func lastFound(xs []exchange, paths ...string) (exchange, bool) {
	for i := len(xs) - 1; i >= 0; i-- {
		for _, p := range paths {
			if xs[i].status == http.StatusOK && strings.Contains(xs[i].url, p) {
				return xs[i], true
			}
		}
	}
	return exchange{}, false
}

// lastPost is the last POST, the token request.
func lastPost(xs []exchange) (exchange, bool) {
	for i := len(xs) - 1; i >= 0; i-- {
		if xs[i].method == http.MethodPost {
			return xs[i], true
		}
	}
	return exchange{}, false
}

// tried lists the discovery requests and their answers: "; tried URL
// (HTTP 404), …".
func tried(xs []exchange) string {
	var parts []string
	for _, x := range xs {
		if x.method != http.MethodGet {
			continue
		}
		switch {
		case x.err != nil:
			parts = append(parts, x.url+" (no answer)")
		default:
			parts = append(parts, fmt.Sprintf("%s (HTTP %d)", x.url, x.status))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "; tried " + strings.Join(parts, ", ")
}
