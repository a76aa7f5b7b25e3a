package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/oauthex"
)

// newRegisteringFlow makes the flow of a person's sign-in through a
// client mcp-client registers itself (RFC 7591), when it is given none:
// the server's first 401 (or 403) names the authorization server, in its
// protected resource metadata (RFC 9728), which must be issuer when that
// is given. Only then is the login flow made (newLoginFlow), pinned to
// that authorization server as to an -issuer, with its kept sign-in, if
// any, and the client that sign-in registered. noCache keeps nothing.
func newRegisteringFlow(ctx context.Context, endpoint, issuer string, insecure bool, trace io.Writer, secrets *secretSet, callback *callbackServer, open opener, notice io.Writer, timeout time.Duration, noCache bool) *oauthFlow {
	client, log, pin := flowClient(endpoint, issuer, insecure, trace, secrets)
	f := &oauthFlow{issuer: issuer, login: true, log: log, secrets: secrets, notice: notice, callback: callback, ctx: ctx}
	f.resolve = func(ctx context.Context, resp *http.Response) (*oauthFlow, error) {
		// The metadata a challenge names is checked as the well-known
		// URLs' is (flowTransport.otherResource).
		pin.challenged(resp.Header.Values("WWW-Authenticate"))
		found, err := resourceIssuer(ctx, client, endpoint, resp.Header.Values("WWW-Authenticate"), issuer)
		if err != nil {
			return nil, err
		}
		if msg := validIssuer(found); msg != "" {
			return nil, &issuerRefused{msg: strings.Replace(msg, "-issuer", "the authorization server", 1)}
		}
		var cache *tokenCache
		if !noCache {
			if cache, err = newTokenCache(found, "", endpoint, notice); err != nil {
				fmt.Fprintf(notice, "mcp-client: the sign-in is not kept for the next run: %v\n", err)
			}
		}
		g, err := newLoginFlow(ctx, "", "", endpoint, found, insecure, trace, secrets, callback, open, notice, timeout, cache)
		if g != nil {
			g.found = issuer == ""
		}
		return g, err
	}
	return f
}

// issuerRefused is an authorization server the resource metadata names
// that the client does not sign in at.
type issuerRefused struct{ msg string }

func (e *issuerRefused) Error() string { return e.msg }

// resourceIssuer is the authorization server the protected resource
// metadata of endpoint names, looked for where the go-sdk looks (the
// challenge's resource_metadata, then the well-known URLs at the
// endpoint's path and at its root): the first it names, or issuer when
// that is given, which it must name.
func resourceIssuer(ctx context.Context, client *http.Client, endpoint string, challenges []string, issuer string) (string, error) {
	metadataURL := namedMetadata(challenges)
	type candidate struct{ url, resource string }
	var tries []candidate
	if u, err := url.Parse(endpoint); err == nil {
		endpoint = u.String() // as the go-sdk compares it: the MCP request's URL
	}
	if metadataURL != "" {
		tries = append(tries, candidate{metadataURL, endpoint})
	}
	if u, err := url.Parse(endpoint); err == nil {
		// As the go-sdk builds them: the well-known URLs, and the root
		// resource, keep the endpoint's query.
		at := *u
		at.Path, at.RawPath = "/.well-known/oauth-protected-resource/"+strings.TrimLeft(u.Path, "/"), ""
		tries = append(tries, candidate{at.String(), endpoint})
		root := *u
		root.Path, root.RawPath = "", ""
		at.Path = "/.well-known/oauth-protected-resource"
		tries = append(tries, candidate{at.String(), root.String()})
	}
	var refused error // the last document found and refused
	for _, c := range tries {
		prm, err := oauthex.GetProtectedResourceMetadata(ctx, c.url, c.resource, client)
		if err != nil && !strings.Contains(err.Error(), "bad status") {
			refused = err
		}
		if err != nil || prm == nil {
			continue
		}
		if len(prm.AuthorizationServers) == 0 {
			return "", errors.New("no authorization servers in the protected resource metadata")
		}
		if issuer == "" {
			return prm.AuthorizationServers[0], nil
		}
		for _, as := range prm.AuthorizationServers {
			if issuersEqual(as, issuer) {
				return issuer, nil
			}
		}
		return "", &issuerRefused{msg: fmt.Sprintf("the server's protected resource metadata (%s) names the authorization servers %s, not the issuer given, %s (-issuer or MCP_CLIENT_ISSUER); no client was registered", redacted(c.url), strings.Join(prm.AuthorizationServers, ", "), issuer)}
	}
	return "", &noResourceMetadata{refused: refused}
}

// noResourceMetadata is a server whose protected resource metadata was
// not found, or not taken: no authorization server to register at is
// known.
type noResourceMetadata struct{ refused error } // nil: none found

func (e *noResourceMetadata) Error() string {
	if e.refused != nil {
		return "no protected resource metadata taken: " + e.refused.Error()
	}
	return "no protected resource metadata names the server's authorization server"
}
