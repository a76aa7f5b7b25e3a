package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
	"golang.org/x/oauth2"

	"github.com/lambdamcp/lambdamcp/internal/httpsyntax"
	"github.com/lambdamcp/lambdamcp/internal/listenaddr"
)

// defaultRedirectPort is the loopback port of the sign-in's redirect URI
// when -redirect-port is not given: fixed, since most authorization
// servers (Cognito among them) take only the callback URLs registered,
// to the port.
const defaultRedirectPort = 8976

// callbackServer is the redirect URI of a sign-in, served on loopback
// while the sign-in waits for it (RFC 8252 §7.3): it takes one callback
// for the state of the authorization request under way, and hands on
// its code or its refusal.
type callbackServer struct {
	port int // -redirect-port; 0: a free one, taken by the first start
	// chosen: -redirect-port named the port, which the port of a kept
	// registered client's redirect URI does not replace (useRegistered).
	chosen bool
	// registered is the redirect URI a client an earlier -login
	// registered was registered with, when its port is not port, and
	// that port: listened on first, when port is not chosen; 0: none.
	registered    int
	registeredURI string
	notice        io.Writer  // says why the registered port was not listened on
	bound         int        // the port listened on first: the one redirectURL names
	redirectURL   string     // http://localhost:PORT/callback; "" until the port is taken
	trace         io.Writer  // shows each callback; nil: none
	secrets       *secretSet // what trace must not show; nil: none
	results       chan callbackResult
	handingOn     func() // tests act there as the flow, once it has the result

	mu      sync.Mutex
	state   string // of the authorization request awaited; "" none
	servers []*http.Server
	lns     []net.Listener // closed by close too: a server not yet serving leaves its own open
	closed  bool           // the run is over: nothing more is listened on
}

type callbackResult struct {
	code, iss          string
	errCode, errDetail string
}

// newCallback is the redirect URI on loopback port. Its listener opens
// when a sign-in starts (start), not before, and closes once the
// sign-in's callback came (stop): a run that uses a kept token needs
// none, and does not hold the port another run may be signing in on.
// Port 0 takes a free port when the sign-in starts, for an authorization
// server that accepts any loopback port; a later sign-in of the run
// listens on that port again, which its redirect URI names.
func newCallback(port int, trace io.Writer, secrets *secretSet) *callbackServer {
	c := &callbackServer{port: port, trace: trace, secrets: secrets, results: make(chan callbackResult, 1)}
	if port != 0 {
		c.redirectURL = fmt.Sprintf("http://localhost:%d/callback", port)
	}
	return c
}

// useRegistered makes the sign-in come back to redirectURI, the one the
// client an earlier -login registered was registered with, unless
// -redirect-port chose a port: an authorization server may take that
// redirect URI alone, to the port (RFC 8252 §7.3 asks it to take any
// port, and not all do), and a client registered under -redirect-port 0
// names a port no later run would take otherwise. Its port is listened
// on when the sign-in starts; should it not be had (another program
// holds it, or the system refuses it), the sign-in falls back on the
// port it takes otherwise (-redirect-port or its default, a free one
// for 0), and says so on notice. A redirect URI
// that is not one mcp-client registers (http://localhost:PORT/callback)
// changes nothing.
func (c *callbackServer) useRegistered(redirectURI string, notice io.Writer) {
	port := callbackPort(redirectURI)
	c.mu.Lock()
	defer c.mu.Unlock()
	if port == 0 || c.bound != 0 || port == c.port {
		return
	}
	c.registered, c.registeredURI, c.notice = port, redirectURI, notice
	if !c.chosen {
		c.redirectURL = "" // known once the sign-in took a port
	}
}

// callbackPort is the port of redirectURI, a redirect URI mcp-client
// registers (http://localhost:PORT/callback); 0 for another.
func callbackPort(redirectURI string) int {
	u, err := url.Parse(redirectURI)
	if err != nil || u.Scheme != "http" || u.Hostname() != "localhost" || u.Path != "/callback" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return 0
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil || port <= 0 || port > 65535 || u.Port() != strconv.Itoa(port) {
		return 0
	}
	return port
}

// callbackUnavailable is a redirect URI that cannot be listened on.
type callbackUnavailable struct {
	port int // as asked for
	err  error
	// registered is the port of a kept registered client's redirect
	// URI, tried first, and why it could not be had; 0: none tried.
	registered    int
	registeredErr error
}

func (e *callbackUnavailable) Error() string {
	if e.registered != 0 {
		return fmt.Sprintf("cannot take the sign-in's callback on loopback port %d, that of the redirect URI the client was registered with on an earlier sign-in (%v), nor on port %d, taken otherwise (%v): free port %d and sign in again, or free port %d, then -logout and -login to register a client anew", e.registered, e.registeredErr, e.port, e.err, e.registered, e.port)
	}
	return fmt.Sprintf("cannot take the sign-in's callback on loopback port %d (%v): free the port, or register another redirect URI with the authorization server and give its port with -redirect-port", e.port, e.err)
}

func (e *callbackUnavailable) Unwrap() error { return e.err }

// start listens on 127.0.0.1, and on [::1] at the same port where the
// host has it, since a browser may take localhost for either; until stop.
func (c *callbackServer) start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.servers != nil {
		return nil
	}
	if c.closed {
		return &callbackUnavailable{port: c.port, err: errors.New("the run has ended")}
	}
	port := c.port
	if c.bound != 0 {
		port = c.bound
	}
	var lns []net.Listener
	var err error
	// held: the registered port cannot be listened on, another program
	// holding it or the system refusing it (a port Windows reserved
	// since, say): the sign-in comes back to the port it takes
	// otherwise, as it did before the registered one was kept.
	var held error
	if c.bound == 0 && c.registered != 0 && c.chosen {
		fmt.Fprintf(c.notice, "mcp-client: the client registered on an earlier sign-in was registered with the redirect URI %s; the sign-in comes back to port %d (-redirect-port), which an authorization server that takes the registered redirect URI alone refuses\n", c.registeredURI, c.port)
	} else if c.bound == 0 && c.registered != 0 {
		lns, held = listenLoopback(c.registered)
	}
	for try := 0; lns == nil; try++ {
		lns, err = listenLoopback(port)
		// A free IPv4 port may be taken on ::1: port 0 tries another.
		if port != 0 || !listenaddr.InUse(err) || try == 4 {
			break
		}
	}
	if err != nil {
		if held != nil {
			return &callbackUnavailable{port: port, err: err, registered: c.registered, registeredErr: held}
		}
		return &callbackUnavailable{port: port, err: err}
	}
	if c.bound == 0 {
		c.bound = lns[0].Addr().(*net.TCPAddr).Port
		c.redirectURL = fmt.Sprintf("http://localhost:%d/callback", c.bound)
	}
	if held != nil {
		fmt.Fprintf(c.notice, "mcp-client: cannot take the sign-in's callback on loopback port %d, that of the redirect URI the client was registered with on an earlier sign-in (%v): it comes back to %s instead, which an authorization server that takes the registered redirect URI alone refuses; free the port and sign in again, or -logout, then -login to register a client anew\n", c.registered, held, c.redirectURL)
	}
	c.lns = lns
	for _, l := range lns {
		s := &http.Server{Handler: c, ReadHeaderTimeout: 10 * time.Second}
		c.servers = append(c.servers, s)
		go s.Serve(l)
	}
	return nil
}

// listenLoopback listens on 127.0.0.1:port and on [::1] at the same
// port, unless the host has no ::1. A ::1 port another program holds is
// an error, not a port to do without: a browser that takes localhost for
// ::1 would hand that program the sign-in's code.
func listenLoopback(port int) ([]net.Listener, error) {
	ln, err := listenTCP("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, err
	}
	port = ln.Addr().(*net.TCPAddr).Port
	ln6, err := listenTCP("tcp", net.JoinHostPort("::1", strconv.Itoa(port)))
	switch {
	case err == nil:
		return []net.Listener{ln, ln6}, nil
	case listenaddr.InUse(err):
		ln.Close()
		return nil, fmt.Errorf("another program holds [::1]:%d, where a browser may send the sign-in's code: %w", port, err)
	}
	return []net.Listener{ln}, nil
}

// stop closes the listeners, if any, once the callback answered: the
// port is free again for another run's sign-in while this one goes on.
// The browser's page went out before the callback's result was handed
// on (ServeHTTP), so nothing is waited for: a connection a browser opened
// ahead and left idle would hold a graceful shutdown for seconds.
func (c *callbackServer) stop() {
	c.mu.Lock()
	servers, lns := c.servers, c.lns
	c.servers, c.lns = nil, nil
	c.mu.Unlock()
	for _, l := range lns {
		l.Close() // a server not yet serving leaves its own open
	}
	for _, s := range servers {
		s.Close()
	}
}

// listenTCP listens for the callback; tests replace it.
var listenTCP = net.Listen

// close stops the listeners at once, if any; none is started after.
func (c *callbackServer) close() {
	c.mu.Lock()
	c.closed = true // start refuses from now on
	c.mu.Unlock()
	c.stop()
}

// await makes state the one callback taken from now on.
func (c *callbackServer) await(state string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state = state
	select { // a result of an earlier request nobody took
	case <-c.results:
	default:
	}
}

// safeError is an OAuth error code as the page may repeat it.
var safeError = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

func (c *callbackServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if r.Method != http.MethodGet || r.URL.Path != "/callback" {
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "mcp-client: nothing here; a sign-in comes back to /callback.\n")
		return
	}
	q := r.URL.Query()
	if c.trace != nil {
		// Any page the browser shows may send it here: its secrets
		// hidden, then escaped and cut as every line that quotes another
		// party: a secret the cut falls in is hidden whole first, which
		// the trace's writer could not do for its head alone.
		io.WriteString(c.trace, c.secrets.line("callback < GET /callback "+callbackShown(q))+"\n")
	}
	c.mu.Lock()
	match := c.state != "" && q.Get("state") == c.state
	if match {
		c.state = "" // one callback per authorization request
	}
	c.mu.Unlock()
	if !match {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, "mcp-client: this is not the sign-in mcp-client waits for; close this page.\n")
		return
	}
	res := callbackResult{code: q.Get("code"), iss: q.Get("iss"), errCode: q.Get("error"), errDetail: q.Get("error_description")}
	if res.errCode == "" && res.code == "" {
		res.errCode, res.errDetail = "invalid_request", "the callback has neither a code nor an error"
	}
	// The code is yet to be checked (RFC 9207 iss) and exchanged: the
	// terminal says whether the sign-in succeeded.
	page := "mcp-client: the sign-in came back; return to the terminal, which says how it ended.\n"
	if res.errCode != "" {
		shown := "an error"
		if safeError.MatchString(res.errCode) {
			shown = res.errCode
		}
		page = "mcp-client: the sign-in was refused (" + shown + "); return to the terminal.\n"
	}
	// The page goes out whole before the result is handed on, so that the
	// listener may close as soon as the flow has it (stop).
	w.Header().Set("Content-Length", strconv.Itoa(len(page)))
	io.WriteString(w, page)
	http.NewResponseController(w).Flush()
	c.handOn(res)
}

// handOn passes a callback's result to the sign-in awaiting it.
func (c *callbackServer) handOn(res callbackResult) {
	if c.handingOn != nil {
		c.handingOn()
	}
	c.results <- res // buffered; one match per await
}

// callbackShown is a callback's query as -trace shows it: the code
// hidden.
func callbackShown(q url.Values) string {
	shown := url.Values{}
	for k, vs := range q {
		for _, v := range vs {
			if k == "code" {
				v = "[hidden]"
			}
			shown.Add(k, v)
		}
	}
	s, _ := url.QueryUnescape(shown.Encode())
	return s
}

// opener opens a URL in the user's browser.
type opener func(string) error

// openBrowser is the platform's opener; tests replace it.
var openBrowser opener = platformOpen

func platformOpen(u string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		cmd = exec.Command("xdg-open", u)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() // reaped; its outcome is the browser's
	return nil
}

// signIn is the go-sdk's AuthorizationCodeFetcher: it sends the user to
// the authorization URL (printed, and opened unless open is nil) and
// waits for the callback.
type signIn struct {
	callback *callbackServer
	pin      *pinnedIssuer
	insecure bool
	open     opener        // nil: -no-browser
	notice   io.Writer     // where the URL is printed
	timeout  time.Duration // -timeout, to explain its end
	secrets  *secretSet
	// registeredAt is the issuer of a client an earlier -login
	// registered, which the person signs in as; "": a client given, or
	// one registered for this sign-in.
	registeredAt string
}

// errNotAuthorizationEndpoint refuses to send the browser to a URL that
// the pinned issuer's metadata did not name as its authorization
// endpoint (the go-sdk's fallback when it finds no metadata).
var errNotAuthorizationEndpoint = errors.New("refused: not the authorization endpoint of the issuer's metadata")

// signInRefused is an error answer at the redirect URI (RFC 6749
// §4.1.2.1).
type signInRefused struct{ code, detail string }

func (e *signInRefused) Error() string {
	if e.detail == "" {
		return "the sign-in was refused: " + e.code
	}
	return fmt.Sprintf("the sign-in was refused: %s %q", e.code, e.detail)
}

// noCallback is a sign-in that did not come back before the run's end.
type noCallback struct {
	redirectURL string
	timeout     time.Duration
	err         error
}

func (e *noCallback) Error() string { return "no callback at " + e.redirectURL + ": " + e.err.Error() }
func (e *noCallback) Unwrap() error { return e.err }

func (s *signIn) fetch(ctx context.Context, args *auth.AuthorizationArgs) (*auth.AuthorizationResult, error) {
	u, err := url.Parse(args.URL)
	if err != nil || !s.pin.authorizes(args.URL) {
		return nil, errNotAuthorizationEndpoint
	}
	if !s.insecure && strings.EqualFold(u.Scheme, "http") && !httpsyntax.Loopback(u.Hostname()) {
		return nil, errPlainHTTP
	}
	// The sign-in starts: the callback is listened on until it came.
	if err := s.callback.start(); err != nil {
		return nil, err
	}
	defer s.callback.stop()
	s.callback.await(u.Query().Get("state"))
	fmt.Fprintf(s.notice, "mcp-client: sign in at %s\n", printable(args.URL))
	if s.registeredAt != "" {
		// An authorization server that no longer knows the client shows
		// the person an error, and sends nothing back (RFC 6749
		// §4.1.2.1): the run would wait until -timeout.
		fmt.Fprintf(s.notice, "mcp-client: the sign-in is as the client registered at %s on an earlier sign-in; should the page say it does not know the client, stop the run (Ctrl-C), -logout, which drops it, then -login to register a client anew\n", s.registeredAt)
	}
	if s.open != nil {
		if err := s.open(args.URL); err != nil {
			fmt.Fprintf(s.notice, "mcp-client: no browser opened (%v): open the URL above\n", err)
		}
	}
	select {
	case r := <-s.callback.results:
		if r.errCode != "" {
			return nil, &signInRefused{code: r.errCode, detail: r.errDetail}
		}
		s.secrets.addObtained(r.code, minCredential)
		return &auth.AuthorizationResult{Code: r.code, State: u.Query().Get("state"), Iss: r.iss}, nil
	case <-ctx.Done():
		return nil, &noCallback{redirectURL: s.callback.redirectURL, timeout: s.timeout, err: ctx.Err()}
	}
}

// newLoginFlow makes the flow that signs a person in with the
// authorization code grant and PKCE, the go-sdk's way
// (auth.AuthorizationCodeHandler), as the public client clientID, or a
// confidential one when clientSecret is not empty, registered with
// issuer, for the MCP server at endpoint; the browser comes back to
// callback. With cache, a token kept there is used first, refreshed within
// ctx, and each token obtained is kept. An empty clientID registers a
// public client at issuer (registerClient), unless the cache keeps one
// registered before.
func newLoginFlow(ctx context.Context, clientID, clientSecret, endpoint, issuer string, insecure bool, trace io.Writer, secrets *secretSet, callback *callbackServer, open opener, notice io.Writer, timeout time.Duration, cache *tokenCache) (*oauthFlow, error) {
	client, log, pin := flowClient(endpoint, issuer, insecure, trace, secrets)
	var initial oauth2.TokenSource
	var kept *keptToken
	if clientID == "" {
		kept = cache.load()
	} else if k := cache.load(); k != nil && !k.spent(time.Now()) {
		kept = k
	}
	registered := clientID == "" && kept != nil
	if clientID == "" && kept == nil {
		if elsewhere := cache.keptElsewhere(endpoint); len(elsewhere) > 0 {
			// The server named another authorization server at an
			// earlier sign-in: its client is not known here.
			what, is, drop := keptAt(elsewhere)
			fmt.Fprintf(notice, "mcp-client: the server names the authorization server %s, where no client is registered for it yet: one is registered there; %s %s not used there (%s)\n", issuer, what, is, drop)
		}
	}
	if registered {
		// The client registered at an earlier run's sign-in.
		clientID = kept.ClientID
	}
	if kept != nil && !kept.spent(time.Now()) {
		// One that has expired with no refresh token (the issuer gave
		// none) can only fail: the person signs in anew, and the new
		// token replaces it.
		pin.keptEndpoint(kept.TokenEndpoint)
		initial = keptSource(ctx, kept, clientSecret, client, cache, secrets)
	}
	var creds *oauthex.ClientCredentials
	if clientID != "" {
		creds = &oauthex.ClientCredentials{ClientID: clientID, Issuer: issuer}
	}
	if clientSecret != "" && creds != nil {
		creds.ClientSecretAuth = &oauthex.ClientSecretAuth{ClientSecret: clientSecret}
	}
	s := &signIn{callback: callback, pin: pin, insecure: insecure, open: open, notice: notice, timeout: timeout, secrets: secrets}
	if registered {
		s.registeredAt = issuer
		callback.useRegistered(kept.RedirectURI, notice)
	}
	config := func(redirectURL string) *auth.AuthorizationCodeHandlerConfig {
		return &auth.AuthorizationCodeHandlerConfig{
			// The handler refuses metadata naming another issuer, before the
			// browser is sent anywhere.
			PreregisteredClient:             creds,
			DynamicClientRegistrationConfig: registerClient(creds, redirectURL),
			RedirectURL:                     redirectURL,
			AuthorizationCodeFetcher:        s.fetch,
			// An iss that names the issuer is taken even when the metadata
			// does not announce it (RFC 9207 §2.4); another is refused.
			AcceptUnadvertisedIss: true,
			Client:                client,
			// Asks for offline_access where the metadata offers it: the
			// refresh token is kept, readable by the user alone.
			RequestRefreshToken: cache != nil,
			NewTokenSource: func(refreshCtx context.Context, cfg *oauth2.Config, tok *oauth2.Token) (oauth2.TokenSource, error) {
				// The go-sdk's context outlives the run; the wait for the
				// cache's lock is the run's.
				return newKeepingSource(refreshCtx, ctx, cfg, tok, cache, secrets), nil
			},
			InitialTokenSource: initial,
		}
	}
	f := &oauthFlow{clientID: clientID, issuer: issuer, login: true, registered: registered, pin: pin, log: log, secrets: secrets, notice: notice, cache: cache, callback: callback, ctx: ctx}
	if callback.redirectURL != "" {
		h, err := auth.NewAuthorizationCodeHandler(config(callback.redirectURL))
		if err != nil {
			return nil, err
		}
		f.handler = h
	} else {
		// A free port is taken when a sign-in starts, and the redirect
		// URI the handler is made with names it: the handler is made
		// then. Its configuration is checked now all the same.
		if _, err := auth.NewAuthorizationCodeHandler(config("http://localhost/callback")); err != nil {
			return nil, err
		}
		f.newHandler = func() (auth.OAuthHandler, error) {
			if err := callback.start(); err != nil {
				return nil, err
			}
			return auth.NewAuthorizationCodeHandler(config(callback.redirectURL))
		}
	}
	if initial != nil {
		f.source, f.kept = initial, true
	}
	if cache != nil {
		f.reread = func(refused *oauth2.Token) oauth2.TokenSource {
			k := cache.load()
			if !usableSince(k, refused, time.Now()) {
				return nil
			}
			pin.keptEndpoint(k.TokenEndpoint) // as at the start of the run
			return keptSource(ctx, k, clientSecret, client, cache, secrets)
		}
	}
	return f, nil
}

// explainSignIn says why a person's sign-in failed, "" for a failure
// that is not the sign-in's own.
func explainSignIn(e *flowError, secrets *secretSet) string {
	var refused *signInRefused
	var none *noCallback
	switch {
	case errors.As(e.err, &refused):
		why := secrets.clip(refused.code)
		if refused.detail != "" {
			why += " " + secrets.quote(refused.detail)
		}
		if refused.code == "access_denied" {
			return "the sign-in was refused at the authorization server (" + why + "): the person denied access, or may not use this client"
		}
		return "the authorization server answered the sign-in with an error: " + why
	case errors.As(e.err, &none):
		limit := "before the run ended"
		if none.timeout > 0 && errors.Is(none.err, context.DeadlineExceeded) {
			limit = fmt.Sprintf("within -timeout %v", none.timeout)
		}
		msg := fmt.Sprintf("the sign-in did not come back to %s %s: finish it in the browser sooner, or give a longer -timeout", none.redirectURL, limit)
		if e.registered {
			// An authorization server that does not know the client
			// shows the person an error, and sends nothing back (RFC
			// 6749 §4.1.2.1).
			msg += "; if the authorization server's page refused the client, " + registrationGone(e.issuer)
		}
		return msg
	case errors.Is(e.err, errNotAuthorizationEndpoint):
		if x, ok := lastFound(e.exchanges, "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"); ok {
			// The go-sdk takes metadata without the member, and would
			// send the browser to "?client_id=…".
			return fmt.Sprintf("the authorization server metadata of issuer %s (%s) names no authorization_endpoint, where a person signs in: the server may not offer the authorization code grant; the browser was sent nowhere", e.issuer, x.url)
		}
		return fmt.Sprintf("no authorization server metadata of issuer %s was found%s; the browser goes only to the authorization endpoint that metadata names, not to one the go-sdk falls back on, and was sent nowhere", e.issuer, tried(e.exchanges))
	case strings.Contains(e.err.Error(), "authorization response issuer "):
		// RFC 9207 §2.4: an answer naming another issuer may be another
		// authorization server's, passed off as this one's (a mix-up).
		named := "another"
		if _, rest, ok := strings.Cut(e.err.Error(), "authorization response issuer "); ok {
			if q, err := strconv.QuotedPrefix(rest); err == nil {
				if u, err := strconv.Unquote(q); err == nil {
					named = secrets.quote(u)
				}
			}
		}
		return fmt.Sprintf("the sign-in came back naming the issuer %s, not %s (RFC 9207 iss): the answer may be another authorization server's; its code was not exchanged", named, e.issuer)
	case strings.Contains(e.err.Error(), "iss parameter support but none was received"):
		return fmt.Sprintf("the metadata of issuer %s says its sign-in answers name it (authorization_response_iss_parameter_supported), and this one did not (RFC 9207): its code was not exchanged", e.issuer)
	case errors.Is(e.err, errPlainHTTP):
		return "the authorization endpoint is plain http to a host that is not loopback, where a person's password could be read on the way: use https, or -insecure to sign in so anyway; the browser was sent nowhere"
	}
	return ""
}

// registerClient is the registration of a public client at the
// authorization server the flow is pinned to (RFC 7591), nil when the
// client is given (creds): no secret, the loopback redirect URI of the
// sign-in, the authorization code grant and refresh tokens. The go-sdk
// registers it when a sign-in starts, at the registration_endpoint of
// the issuer's metadata, and the transport sends it nowhere else.
func registerClient(creds *oauthex.ClientCredentials, redirectURL string) *auth.DynamicClientRegistrationConfig {
	if creds != nil {
		return nil
	}
	return &auth.DynamicClientRegistrationConfig{Metadata: &oauthex.ClientRegistrationMetadata{
		ClientName:              "mcp-client",
		RedirectURIs:            []string{redirectURL},
		TokenEndpointAuthMethod: "none",
		GrantTypes:              []string{"authorization_code", "refresh_token"},
		ResponseTypes:           []string{"code"},
	}}
}
