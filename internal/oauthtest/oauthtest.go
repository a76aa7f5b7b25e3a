// Package oauthtest is an authorization server for tests and the e2e
// runner: RFC 8414 (or OpenID discovery) metadata, a JWKS, and a token
// endpoint that grants one client RS256 JWTs with the client credentials
// grant, as Amazon Cognito does, or with the authorization code grant and
// PKCE for a person its authorization endpoint approves at once (and,
// with Options.Refresh, the refresh_token grant after it), and a
// revocation endpoint (RFC 7009). It serves on a loopback port of its own
// and imports no testing package, so the e2e command can run it.
package oauthtest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// The client a server has when Options names none, and the person its
// authorization endpoint signs in.
const (
	DefaultClientID = "client-7f3a"
	DefaultSecret   = "s3cr3t-Zq9xV2kLm8Rw"
	DefaultSubject  = "person-4b1d-9c2e"
)

// RegistrationAccessToken is what a registration answers with, besides
// the secret, with RegisterSecret: the token to manage the client by
// (RFC 7592).
const RegistrationAccessToken = "r3g-acc3ss-Tk4yP7wQ"

// Options shape an authorization server. The zero value serves RFC 8414
// metadata at the root, takes the client's secret by any method and grants
// no scope.
type Options struct {
	// ClientID and Secret are the one client's credentials; empty:
	// DefaultClientID and DefaultSecret.
	ClientID, Secret string
	// Pool puts the issuer at a path, as Cognito's user pools are
	// (https://cognito-idp.REGION.amazonaws.com/POOL), with OpenID
	// discovery appended to it; "" serves RFC 8414 metadata at the root.
	Pool string
	// AuthMethods is token_endpoint_auth_methods_supported; empty
	// publishes none and takes both client_secret_basic and _post.
	AuthMethods []string
	// Scopes are those the client may be granted.
	Scopes []string
	// Grant, when set, are the scopes every token carries, whatever was
	// asked: a server that grants less than it is asked for.
	Grant []string
	// Echo repeats a wrong secret in the refusal's description.
	Echo bool
	// NoMetadata serves no metadata document at all.
	NoMetadata bool
	// Cognito serves the members Cognito's discovery document has, and,
	// as it, no code_challenge_methods_supported.
	Cognito bool
	// BareMCP makes the server an MCP endpoint too, at /mcp, whose 401
	// names no resource metadata and which publishes none: the go-sdk then
	// takes the server's root for the authorization server.
	BareMCP bool
	// Public makes the client a public one for the authorization code
	// grant: its token requests carry no secret (a secret, when sent,
	// must still be the right one).
	Public bool
	// RedirectURIs are the client's registered redirect URIs; empty
	// takes any http URI on a loopback host, at any port (RFC 8252 §7.3).
	RedirectURIs []string
	// Deny makes the authorization endpoint answer as if the person
	// refused: a redirect with error=access_denied.
	Deny bool
	// Subject is the person the authorization endpoint signs in, the sub
	// of the tokens it leads to; empty: DefaultSubject.
	Subject string
	// Refresh makes a token of the authorization code grant come with a
	// refresh token, which the refresh_token grant takes once: each
	// refresh answers with a new one (rotation, RFC 9700 §4.14.2), and a
	// used or revoked one is refused (invalid_grant).
	Refresh bool
	// AuthEndpoint is the authorization_endpoint the metadata names;
	// empty: the server's own. NoAuthEndpoint names none.
	AuthEndpoint   string
	NoAuthEndpoint bool
	// IssSupported announces RFC 9207's iss parameter in the metadata
	// (authorization_response_iss_parameter_supported).
	IssSupported bool
	// CallbackIss is the iss the authorization endpoint's redirect
	// carries (RFC 9207 §2); empty: none.
	CallbackIss string
	// Refuse makes the authorization endpoint answer with this error
	// and no error_description.
	Refuse string
	// NoCode makes the authorization endpoint redirect with the state
	// alone: neither a code nor an error.
	NoCode bool
	// NoRevocation serves no revocation endpoint, and the metadata names
	// none (revocation_endpoint is only RECOMMENDED, RFC 8414 §2).
	NoRevocation bool
	// Registration serves dynamic client registration (RFC 7591) at
	// /oauth2/register, which the metadata names: each registration
	// answers with the one client, as a public one.
	Registration bool
	// RegisterSecret answers a registration with the client's secret
	// too, as an authorization server that makes every client a
	// confidential one does (client_secret_basic).
	RegisterSecret bool
	// ExactRedirect takes at the authorization endpoint only the redirect
	// URIs registrations named, to the port, as some servers do (RFC 8252
	// §7.3 asks for any loopback port); before any registration, as
	// RedirectURIs has it.
	ExactRedirect bool
}

// Server is a running authorization server for one confidential client.
// Its tokens carry what Cognito's client credentials tokens carry:
// client_id, scope, iss, exp and sub (the client id), no aud.
type Server struct {
	// URL is the server's root, http://127.0.0.1:PORT.
	URL string
	// Issuer is the issuer identifier: URL, with the pool's path if any.
	Issuer string
	// ClientID and Secret are the client's credentials.
	ClientID, Secret string

	opts Options
	key  jwk.Key
	hs   *http.Server
	done chan struct{}

	mu       sync.Mutex
	codes    map[string]grant // authorization codes not yet exchanged
	refresh  map[string]grant // refresh tokens not yet used
	styles   []string         // how each token request authenticated the client
	grants   []string         // the grant_type of each token request
	issued   []string         // the tokens issued
	revoked  []string         // the tokens the revocation endpoint was asked to revoke
	requests []string         // "METHOD /path" of every request
	tokenURL string           // the token_endpoint the metadata names, "": its own
	regs     []Registration   // the registration requests, in turn
}

// Registration is what a registration request asked for (RFC 7591 §2).
type Registration struct {
	RedirectURIs            []string `json:"redirect_uris"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	GrantTypes              []string `json:"grant_types"`
	ClientName              string   `json:"client_name"`
}

// Start serves an authorization server on a free loopback port until Close.
func Start(opts Options) (*Server, error) {
	raw, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	key, err := jwk.Import(raw)
	if err != nil {
		return nil, err
	}
	if err := key.Set(jwk.KeyIDKey, "k1"); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening: %w", err)
	}
	a := &Server{
		URL: "http://" + ln.Addr().String(), ClientID: opts.ClientID, Secret: opts.Secret,
		opts: opts, key: key, done: make(chan struct{}), codes: map[string]grant{}, refresh: map[string]grant{},
	}
	if a.ClientID == "" {
		a.ClientID = DefaultClientID
	}
	if a.Secret == "" {
		a.Secret = DefaultSecret
	}
	a.Issuer = a.URL
	if opts.Pool != "" {
		a.Issuer += "/" + opts.Pool
	}
	a.hs = &http.Server{Handler: a.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(a.done)
		a.hs.Serve(ln)
	}()
	return a, nil
}

// Close stops the server and waits for it.
func (a *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := a.hs.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = a.hs.Close()
	}
	<-a.done
	return err
}

// JWKSURL is where the server publishes its signing key.
func (a *Server) JWKSURL() string { return a.URL + "/jwks.json" }

func (a *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /jwks.json", a.jwks)
	mux.HandleFunc("GET /oauth2/authorize", a.authorize)
	mux.HandleFunc("POST /oauth2/token", a.token)
	if !a.opts.NoRevocation {
		mux.HandleFunc("POST /oauth2/revoke", a.revoke)
	}
	if a.opts.Registration {
		mux.HandleFunc("POST /oauth2/register", a.register)
	}
	// Where the go-sdk falls back on without metadata: a server that
	// takes the secret there too.
	mux.HandleFunc("POST /"+path.Join(a.opts.Pool, "token"), a.token)
	if a.opts.BareMCP {
		mux.HandleFunc("POST /mcp", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized"})
		})
	}
	if !a.opts.NoMetadata {
		if a.opts.Pool != "" {
			mux.HandleFunc("GET /"+a.opts.Pool+"/.well-known/openid-configuration", a.metadata)
		} else {
			mux.HandleFunc("GET /.well-known/oauth-authorization-server", a.metadata)
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.requests = append(a.requests, r.Method+" "+r.URL.Path)
		a.mu.Unlock()
		mux.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (a *Server) metadata(w http.ResponseWriter, _ *http.Request) {
	if a.opts.Cognito {
		doc := map[string]any{
			"authorization_endpoint":                a.URL + "/oauth2/authorize",
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"issuer":                                a.Issuer,
			"jwks_uri":                              a.JWKSURL(),
			"response_types_supported":              []string{"code", "token"},
			"scopes_supported":                      []string{"openid", "email", "phone", "profile"},
			"subject_types_supported":               []string{"public"},
			"token_endpoint":                        a.tokenEndpoint(),
			"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
			"userinfo_endpoint":                     a.URL + "/oauth2/userInfo",
			"revocation_endpoint":                   a.revocationEndpoint(),
		}
		if a.opts.NoRevocation {
			delete(doc, "revocation_endpoint")
		}
		writeJSON(w, http.StatusOK, doc)
		return
	}
	doc := map[string]any{
		"issuer":                                a.Issuer,
		"authorization_endpoint":                a.URL + "/oauth2/authorize",
		"token_endpoint":                        a.tokenEndpoint(),
		"jwks_uri":                              a.JWKSURL(),
		"response_types_supported":              []string{"code", "token"},
		"token_endpoint_auth_methods_supported": a.opts.AuthMethods,
		"code_challenge_methods_supported":      []string{"S256"},
		"revocation_endpoint":                   a.revocationEndpoint(),
	}
	if a.opts.NoRevocation {
		delete(doc, "revocation_endpoint")
	}
	if a.opts.Pool != "" {
		// OpenID discovery requires these (OpenID Connect Discovery 1.0
		// §3), and the TypeScript SDK refuses a document without them.
		doc["subject_types_supported"] = []string{"public"}
		doc["id_token_signing_alg_values_supported"] = []string{"RS256"}
	}
	switch {
	case a.opts.NoAuthEndpoint:
		delete(doc, "authorization_endpoint")
	case a.opts.AuthEndpoint != "":
		doc["authorization_endpoint"] = a.opts.AuthEndpoint
	}
	if a.opts.IssSupported {
		doc["authorization_response_iss_parameter_supported"] = true
	}
	if a.opts.Registration {
		doc["registration_endpoint"] = a.URL + "/oauth2/register"
	}
	writeJSON(w, http.StatusOK, doc)
}

// register answers a registration request with the one client, public
// (RFC 7591 §3.2.1), and keeps what it asked for.
func (a *Server) register(w http.ResponseWriter, r *http.Request) {
	var reg Registration
	if err := json.NewDecoder(r.Body).Decode(&reg); err != nil || len(reg.RedirectURIs) == 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_client_metadata"})
		return
	}
	a.mu.Lock()
	a.regs = append(a.regs, reg)
	a.mu.Unlock()
	doc := map[string]any{
		"client_id":                  a.ClientID,
		"redirect_uris":              reg.RedirectURIs,
		"token_endpoint_auth_method": "none",
		"grant_types":                reg.GrantTypes,
	}
	if a.opts.RegisterSecret {
		doc["registration_access_token"] = RegistrationAccessToken
		doc["client_secret"] = a.Secret
		doc["token_endpoint_auth_method"] = "client_secret_basic"
	}
	writeJSON(w, http.StatusCreated, doc)
}

// Registrations are the registration requests the server took.
func (a *Server) Registrations() []Registration {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.regs)
}

func (a *Server) jwks(w http.ResponseWriter, _ *http.Request) {
	pub, err := a.key.PublicKey()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_ = pub.Set(jwk.AlgorithmKey, jwa.RS256())
	set := jwk.NewSet()
	_ = set.AddKey(pub)
	writeJSON(w, http.StatusOK, set)
}

// token is the token endpoint (RFC 6749 §4.4 and §4.1.3, errors as §5.2
// has them).
func (a *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	grantType := r.PostForm.Get("grant_type")
	a.mu.Lock()
	a.grants = append(a.grants, grantType)
	a.mu.Unlock()
	if grantType != "client_credentials" && grantType != "authorization_code" && (grantType != "refresh_token" || !a.opts.Refresh) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	style, secret, ok := a.authenticate(r, grantType != "client_credentials" && a.opts.Public)
	a.mu.Lock()
	a.styles = append(a.styles, style)
	a.mu.Unlock()
	if !ok {
		a.refuseClient(w, r, secret)
		return
	}
	if grantType == "authorization_code" {
		g, desc := a.redeem(r.PostForm)
		if desc != "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": desc})
			return
		}
		a.issue(w, g.subject, g.scopes, a.opts.Refresh)
		return
	}
	if grantType == "refresh_token" {
		a.mu.Lock()
		g, ok := a.refresh[r.PostForm.Get("refresh_token")]
		delete(a.refresh, r.PostForm.Get("refresh_token"))
		a.mu.Unlock()
		if !ok {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "unknown, used or revoked refresh token"})
			return
		}
		a.issue(w, g.subject, g.scopes, true)
		return
	}
	scopes := strings.Fields(r.PostForm.Get("scope"))
	for _, s := range scopes {
		if !slices.Contains(a.opts.Scopes, s) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_scope", "error_description": "Invalid scope requested: " + s})
			return
		}
	}
	if len(scopes) == 0 {
		scopes = a.opts.Scopes
	}
	a.issue(w, a.ClientID, scopes, false)
}

// authenticate checks the client of a token or revocation request, its
// form parsed: its credentials in the form or, RFC 6749 §2.3.1's way,
// form-encoded in Basic (style "post" or "basic"), by a method the
// metadata allows. A public client may send none (when public: not for
// the client credentials grant); a secret it sends must still be right.
func (a *Server) authenticate(r *http.Request, public bool) (style, secret string, ok bool) {
	style, id, secret := "post", r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, basic := r.BasicAuth(); basic {
		style = "basic"
		id, _ = url.QueryUnescape(u)
		secret, _ = url.QueryUnescape(p)
	}
	if public && secret == "" {
		return style, secret, id == a.ClientID
	}
	ok = id == a.ClientID && secret == a.Secret && (len(a.opts.AuthMethods) == 0 || slices.Contains(a.opts.AuthMethods, "client_secret_"+style))
	return style, secret, ok
}

// refuseClient answers a request whose client authentication failed
// (RFC 6749 §5.2): 401 invalid_client, with a Basic challenge when the
// client sent Basic credentials.
func (a *Server) refuseClient(w http.ResponseWriter, r *http.Request, secret string) {
	desc := "Client authentication failed"
	if a.opts.Echo {
		desc += " with secret " + secret
	}
	if _, _, basic := r.BasicAuth(); basic {
		w.Header().Set("WWW-Authenticate", `Basic realm="oauthtest"`)
	}
	writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": desc})
}

// revocationEndpoint is where the revocation endpoint is served, as
// Cognito serves its own.
func (a *Server) revocationEndpoint() string { return a.URL + "/oauth2/revoke" }

// revoke is the revocation endpoint (RFC 7009 §2): the client
// authenticates as at the token endpoint, and a refresh token it names is
// refused by the refresh_token grant from then on. A token the server does
// not know, or knows as spent, is answered 200 as well (§2.2): the client
// cannot tell, and need not. The access tokens are JWTs, checked by their
// signature alone: revoking one is recorded (Revoked), not enforced.
func (a *Server) revoke(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "the form cannot be read"})
		return
	}
	_, secret, ok := a.authenticate(r, a.opts.Public)
	if !ok {
		a.refuseClient(w, r, secret)
		return
	}
	token := r.PostForm.Get("token")
	if token == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "the token parameter is missing"})
		return
	}
	a.mu.Lock()
	delete(a.refresh, token)
	a.revoked = append(a.revoked, token)
	a.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// Revoked returns the token of every revocation request the server
// accepted, in order.
func (a *Server) Revoked() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.revoked)
}

// issue answers a token request with a token for subject, and a refresh
// token with it when refresh.
func (a *Server) issue(w http.ResponseWriter, subject string, scopes []string, refresh bool) {
	if a.opts.Grant != nil {
		scopes = a.opts.Grant
	}
	tok, err := jwt.NewBuilder().
		Issuer(a.Issuer).Subject(subject).
		IssuedAt(time.Now()).Expiration(time.Now().Add(time.Hour)).JwtID(rand.Text()).
		Claim("client_id", a.ClientID).Claim("scope", strings.Join(scopes, " ")).Claim("token_use", "access").
		Build()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256(), a.key))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	answer := map[string]any{"access_token": string(signed), "token_type": "Bearer", "expires_in": 3600}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.issued = append(a.issued, string(signed))
	if refresh {
		rt := "rt-" + rand.Text()
		a.refresh[rt] = grant{clientID: a.ClientID, subject: subject, scopes: scopes}
		a.issued = append(a.issued, rt)
		answer["refresh_token"] = rt
	}
	// A response carrying tokens must not be stored by any cache (RFC
	// 6749 §5.1).
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, answer)
}

// MoveTokenEndpoint makes the metadata name url as the token endpoint
// from then on, as an authorization server moving it would.
func (a *Server) MoveTokenEndpoint(url string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tokenURL = url
}

// tokenEndpoint is the token_endpoint the metadata names.
func (a *Server) tokenEndpoint() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tokenURL != "" {
		return a.tokenURL
	}
	return a.URL + "/oauth2/token"
}

// RevokeRefresh revokes every refresh token issued so far, as a person
// signing out elsewhere or an administrator would.
func (a *Server) RevokeRefresh() {
	a.mu.Lock()
	defer a.mu.Unlock()
	clear(a.refresh)
}

// Grants returns the grant_type of every token request, in order.
func (a *Server) Grants() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.grants)
}

// Seen returns how each token request authenticated the client ("basic"
// or "post") and the tokens issued (refresh tokens among them), in order.
func (a *Server) Seen() (styles, issued []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.styles), slices.Clone(a.issued)
}

// Requests returns "METHOD /path" of every request the server was sent.
func (a *Server) Requests() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.requests)
}

// Posts are the POSTs the server was sent, but to its MCP endpoint: those
// that could carry the client secret.
func (a *Server) Posts() []string {
	var ps []string
	for _, r := range a.Requests() {
		if strings.HasPrefix(r, "POST ") && r != "POST /mcp" {
			ps = append(ps, r)
		}
	}
	return ps
}
