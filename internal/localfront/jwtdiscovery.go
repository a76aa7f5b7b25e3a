package localfront

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// jwtState is what a front's JWT authorizer learns and keeps: the key
// set's URL from the discovery document, and a verifier for each way a
// token names its audience.
type jwtState struct {
	mu        sync.Mutex
	jwksURL   string                       // "" until discovery succeeds
	verifiers map[string]*auth.JWTVerifier // by claim and audience
}

// jwtVerifier is the verifier of tokens naming audience in claim,
// made on first use, after the issuer's discovery document named the
// key set (fetched again until it has).
func (f *Front) jwtVerifier(ctx context.Context, claim, audience string) (*auth.JWTVerifier, error) {
	s := &f.jwt
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.verifiers[claim+" "+audience]; ok {
		return v, nil
	}
	if s.jwksURL == "" {
		u, err := discoverJWKS(ctx, f.cfg.JWTAuthorizer.Issuer)
		if err != nil {
			return nil, err
		}
		s.jwksURL = u
	}
	v, err := auth.NewJWTVerifier(auth.JWTOptions{
		Issuer: f.cfg.JWTAuthorizer.Issuer, JWKSURL: s.jwksURL, Audience: audience, AudienceClaim: claim,
		Algorithms: rsaAlgorithms, Leeway: -1, Logger: f.cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	if s.verifiers == nil {
		s.verifiers = map[string]*auth.JWTVerifier{}
	}
	s.verifiers[claim+" "+audience] = v
	return v, nil
}

// discoverJWKS reads the issuer's OpenID discovery document for its
// jwks_uri; the document must name the issuer it is found at.
func discoverJWKS(ctx context.Context, issuer string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	u := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := discoveryClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("fetching the issuer's discovery document: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("the issuer's discovery document %s: status %d", u, resp.StatusCode)
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return "", fmt.Errorf("the issuer's discovery document %s: %w", u, err)
	}
	if doc.Issuer != issuer || doc.JWKSURI == "" {
		return "", fmt.Errorf("the discovery document %s names issuer %q and jwks_uri %q", u, doc.Issuer, doc.JWKSURI)
	}
	return doc.JWKSURI, nil
}

// discoveryClient follows a discovery document's redirects only to where
// the document itself may be read (keysURL): a redirect from https to a
// remote plain-http URL would let anyone on the way name the keys.
var discoveryClient = &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
	if !keysURL(req.URL.String()) {
		return fmt.Errorf("redirected to %s, which would be read in the clear", req.URL.Redacted())
	}
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return nil
}}

// keysURL reports whether what names the keys may be read from raw: over
// https, or plain http from this machine, as auth.JWTVerifier takes the
// keys themselves. A discovery document read in the clear could name
// anyone's keys, and the verifier's rule would guard nothing.
func keysURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	return u.Scheme == "https" || (u.Scheme == "http" && runtimeapi.Loopback(u.Host))
}
