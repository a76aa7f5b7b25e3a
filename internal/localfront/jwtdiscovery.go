package localfront

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// jwtState is what a front's JWT authorizer learns and keeps: the key
// set's URL from the discovery document, and a verifier for each way a
// token names its audience.
//
// The discovery document is fetched without the lock, one fetch at a
// time: requests that arrive while it is in flight wait for its outcome,
// not for fetches of their own in turn. A failed fetch is remembered for
// a while (discoveryRetry, doubling with each failure in a row up to
// maxDiscoveryRetry), and the requests in that time are refused at once:
// an issuer that is down or slow would otherwise cost every request up
// to discoveryTimeout, and the log a line each.
type jwtState struct {
	mu        sync.Mutex
	jwksURL   string                       // "" until discovery succeeds
	verifiers map[string]*auth.JWTVerifier // by claim and audience
	flight    *discovery                   // the fetch in flight, or the last failed one; nil if none
	failures  int                          // failed fetches in a row
	now       func() time.Time             // time.Now when nil; tests set their own
}

// discovery is one fetch of the issuer's discovery document, shared by
// the requests that wait for it.
type discovery struct {
	done    chan struct{} // closed when the fetch ends
	err     error         // set before done closes
	retryAt time.Time     // a failed fetch: none again before this instant
}

// discoveryError is a failure of the issuer's discovery, logged once by
// the fetch that met it and not by each request it refuses.
type discoveryError struct{ err error }

func (e *discoveryError) Error() string { return e.err.Error() }
func (e *discoveryError) Unwrap() error { return e.err }

// How long a failed discovery is remembered: discoveryRetry after the
// first failure, twice as long after each further one in a row, at most
// maxDiscoveryRetry, from the failure's end. Short, since the front is
// run by a developer who may be starting the issuer just now.
const (
	discoveryRetry    = 2 * time.Second
	maxDiscoveryRetry = 16 * time.Second
	// discoveryTimeout bounds one fetch of the discovery document.
	discoveryTimeout = 5 * time.Second
)

// maxQuotedURLBytes bounds the issuer an error quotes: a path cut as a
// log line cuts one, with room for the scheme and the host.
const maxQuotedURLBytes = textcut.MaxPathBytes + 128

// jwtVerifier is the verifier of tokens naming audience in claim,
// made on first use, after the issuer's discovery document named the
// key set. It waits for the discovery in flight, starting one when none
// is and no failure is remembered, until that ends or ctx does.
func (f *Front) jwtVerifier(ctx context.Context, claim, audience string) (*auth.JWTVerifier, error) {
	s := &f.jwt
	for {
		s.mu.Lock()
		if v, ok := s.verifiers[claim+" "+audience]; ok {
			s.mu.Unlock()
			return v, nil
		}
		if s.jwksURL != "" {
			v, err := f.newJWTVerifier(claim, audience)
			s.mu.Unlock()
			return v, err
		}
		d := s.flight
		switch {
		case d == nil:
			d = f.startDiscovery()
		case d.err != nil && s.clock().Before(d.retryAt):
			s.mu.Unlock()
			return nil, &discoveryError{d.err}
		case d.err != nil:
			d = f.startDiscovery()
		}
		s.mu.Unlock()
		select {
		case <-d.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if d.err != nil {
			return nil, &discoveryError{d.err}
		}
	}
}

// newJWTVerifier makes and keeps the verifier of tokens naming audience
// in claim, once the key set's URL is known; f.jwt.mu is held.
func (f *Front) newJWTVerifier(claim, audience string) (*auth.JWTVerifier, error) {
	s := &f.jwt
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

// startDiscovery starts fetching the issuer's discovery document, apart
// from any request: one that gives up must not end the fetch the others
// wait for. f.jwt.mu is held.
func (f *Front) startDiscovery() *discovery {
	s := &f.jwt
	d := &discovery{done: make(chan struct{})}
	s.flight = d
	go func() {
		u, err := discoverJWKS(context.Background(), f.cfg.JWTAuthorizer.Issuer)
		s.mu.Lock()
		d.err = err
		var wait time.Duration
		if err == nil {
			s.jwksURL, s.flight, s.failures = u, nil, 0
		} else {
			wait = min(discoveryRetry<<min(s.failures, 8), maxDiscoveryRetry)
			s.failures++
			d.retryAt = s.clock().Add(wait)
		}
		close(d.done)
		s.mu.Unlock()
		if err != nil {
			f.logDiscoveryFailure(err, wait)
		}
	}()
	return d
}

// logDiscoveryFailure says once why the requests of the next wait are
// refused; nothing once the front has closed. The error is escaped: it
// may quote what the issuer's server sent.
func (f *Front) logDiscoveryFailure(err error, wait time.Duration) {
	f.logLate(func(l *slog.Logger) {
		l.Error("JWT authorizer: the issuer's discovery document cannot be read; requests are refused until the next try",
			"error", textcut.Printable(err.Error()), "retryIn", wait.String())
	})
}

func (s *jwtState) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// discoverJWKS reads the issuer's OpenID discovery document for its
// jwks_uri, as auth.JWTVerifier reads it when given no JWKS URL: the
// document must name the issuer it is found at, and its jwks_uri may
// not be read in the clear, nor may the document itself after a
// redirect.
func discoverJWKS(ctx context.Context, issuer string) (string, error) {
	return auth.DiscoverJWKSURL(ctx, issuer, discoveryClient)
}

// discoveryClient bounds one fetch of the discovery document.
var discoveryClient = &http.Client{Timeout: discoveryTimeout}

// issuerHasExtras reports whether issuer, a URL keysURL takes, names a
// user or has a query or fragment (an empty one too, which the parser
// drops), which no issuer whose discovery document is read has.
func issuerHasExtras(issuer string) bool {
	u, err := url.Parse(issuer)
	return err != nil || u.User != nil || u.RawQuery != "" || u.ForceQuery || strings.Contains(issuer, "#")
}

// issuerSchemeInCapitals reports whether the scheme of issuer, as it is
// written before "://", holds a capital, as auth.NewJWTVerifier refuses it.
func issuerSchemeInCapitals(issuer string) bool {
	scheme, _, ok := strings.Cut(issuer, "://")
	return ok && scheme != strings.ToLower(scheme)
}

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
