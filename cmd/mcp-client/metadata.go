package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// metadataPath says whether a GET of path (the path first asked for,
// before any redirect) asks for authorization server metadata, in one of the forms the go-sdk looks for it: RFC 8414's or
// OpenID's, inserted before the issuer's path or appended to it.
func metadataPath(path string) bool {
	return strings.HasPrefix(path, "/.well-known/oauth-authorization-server") ||
		strings.HasPrefix(path, "/.well-known/openid-configuration") ||
		strings.HasSuffix(path, "/.well-known/openid-configuration")
}

// maxMetadata is as much of a metadata document as the go-sdk reads.
const maxMetadata = 1 << 20

// readMetadata reads the body of a metadata answer and puts it back for
// the go-sdk to read; ok is false when it is larger than the go-sdk reads
// (then the body is as it was, and left unread).
func readMetadata(resp *http.Response) (body []byte, ok bool, err error) {
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxMetadata+1))
	if err != nil {
		resp.Body.Close()
		return nil, false, err
	}
	if len(body) > maxMetadata {
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
		return nil, false, nil
	}
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return body, true, nil
}

// readAuthServerMetadata reads resp, a 200 answer to a GET for
// authorization server metadata, for the flow: it mends Cognito's
// document and learns the pinned issuer's token endpoint from it.
func (t *flowTransport) readAuthServerMetadata(r *http.Request, resp *http.Response) error {
	body, ok, err := readMetadata(resp)
	if err != nil || !ok {
		return err
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "application/json" {
		if mended, ok := withPKCEMethod(body); ok {
			body = mended
			resp.Body = io.NopCloser(bytes.NewReader(body))
			resp.ContentLength = int64(len(body))
			if resp.Header.Get("Content-Length") != "" {
				resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
			}
		}
	}
	t.pin.learnFrom(r, body)
	return nil
}

// withPKCEMethod adds code_challenge_methods_supported ["S256"] to a
// metadata document that has none, and changes nothing else; ok is false
// when it has one, or is not a JSON object. Amazon Cognito's discovery
// document has none, and the go-sdk refuses such a document ("does not
// implement PKCE") for every grant. The client credentials grant sends no
// code challenge, so the member changes nothing that flow does; a
// person's sign-in sends an S256 challenge, which Cognito supports.
func withPKCEMethod(body []byte) (mended []byte, ok bool) {
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil || doc == nil {
		return nil, false
	}
	if _, has := doc["code_challenge_methods_supported"]; has {
		return nil, false
	}
	doc["code_challenge_methods_supported"] = json.RawMessage(`["S256"]`)
	mended, err := json.Marshal(doc)
	if err != nil {
		return nil, false
	}
	return mended, true
}

// pinnedFirst reads resp, a 200 answer to a GET for protected resource
// metadata, and puts its body back with the pinned issuer first among
// the authorization servers it names, when it names it after another:
// the go-sdk takes the first, and the client is registered with, or was
// told to register at, the pinned one (RFC 9728 §7.6: the client
// chooses). A document that does not name it is left as it is.
func (t *flowTransport) pinnedFirst(resp *http.Response) error {
	if t.pin == nil || t.pin.issuer == "" {
		return nil
	}
	body, ok, err := readMetadata(resp)
	if err != nil || !ok {
		return err
	}
	var doc map[string]json.RawMessage
	var servers []string
	if json.Unmarshal(body, &doc) != nil || json.Unmarshal(doc["authorization_servers"], &servers) != nil {
		return nil
	}
	t.pin.mu.Lock()
	t.pin.named = slices.Clone(servers)
	t.pin.mu.Unlock()
	i := slices.IndexFunc(servers, func(s string) bool { return issuersEqual(s, t.pin.issuer) })
	if i <= 0 {
		return nil
	}
	servers = append(append([]string{servers[i]}, servers[:i]...), servers[i+1:]...)
	named, err := json.Marshal(servers)
	if err != nil {
		return nil
	}
	doc["authorization_servers"] = named
	mended, err := json.Marshal(doc)
	if err != nil {
		return nil
	}
	resp.Body = io.NopCloser(bytes.NewReader(mended))
	resp.ContentLength = int64(len(mended))
	if resp.Header.Get("Content-Length") != "" {
		resp.Header.Set("Content-Length", strconv.Itoa(len(mended)))
	}
	return nil
}

// otherResource reads resp, a 200 answer to a GET for protected resource
// metadata, and puts its body back: it is the resource the document
// names, as redacted shows it, when that is not want; "" when it is, or
// the document is not one.
func (t *flowTransport) otherResource(resp *http.Response, want string) (string, error) {
	body, ok, err := readMetadata(resp)
	if err != nil || !ok {
		return "", err
	}
	var doc struct {
		Resource *string `json:"resource"`
	}
	if json.Unmarshal(body, &doc) != nil || doc.Resource == nil || *doc.Resource == want {
		return "", nil
	}
	return redacted(*doc.Resource), nil
}

// wantResource is the resource the protected resource metadata at r's
// URL must name for the go-sdk to use it (RFC 9728 §3.3): the endpoint,
// the URL of the request refused, for a document a challenge named (§5.1)
// or one at the well-known URL of the endpoint's path; the endpoint's
// root, as the go-sdk has it, for the one at the root, unless a
// challenge named that URL and the flow reads it for the first time.
func (t *flowTransport) wantResource(r *http.Request) string {
	a := asked(r)
	if a.URL.Path != "/.well-known/oauth-protected-resource" {
		return t.resource
	}
	// Reads of that URL begun before this one: a redirect's first hop,
	// logged already, is this read's own.
	earlier := t.log.begun(redacted(a.URL.String()))
	if r != a {
		earlier--
	}
	if t.pin.namedByChallenge(a) && earlier == 0 {
		return t.resource
	}
	root, err := url.Parse(t.resource)
	if err != nil {
		return t.resource
	}
	root.Path, root.RawPath = "", ""
	return root.String()
}

// otherResource is the last protected resource metadata document found,
// when every one found names another resource than the one it must: the
// go-sdk used none of them. One that had to name the endpoint goes before
// one at the root's well-known URL: the resource it names is one to give
// as -endpoint.
func otherResource(xs []exchange) (exchange, bool) {
	var last, lastAtRoot exchange
	for _, x := range xs {
		switch {
		case x.status != http.StatusOK || !x.resourceMetadata:
		case x.otherResource == "":
			return exchange{}, false
		case x.rootWanted != "":
			lastAtRoot = x
		default:
			last = x
		}
	}
	if last.otherResource == "" {
		last = lastAtRoot
	}
	return last, last.otherResource != ""
}

// forOtherResource says what x, a protected resource metadata document
// that names another resource than it must, is for, and what to do: give
// that resource as -endpoint, or, for a document at the root's well-known
// URL, which must name the server's root (the endpoint's, say), publish
// the endpoint's where the go-sdk looks for it.
func forOtherResource(x exchange, secrets *secretSet) (is, todo string) {
	if x.rootWanted != "" {
		return fmt.Sprintf("is for the resource %s, where the document at the root's well-known URL must name the server's root, %s (RFC 9728 §3.3)", secrets.clip(x.otherResource), secrets.clip(x.rootWanted)),
			"the server would publish the endpoint's at the well-known URL of its path, or name where it is in its challenge (resource_metadata)"
	}
	return fmt.Sprintf("is for the resource %s, not for this endpoint (RFC 9728 §3.3)", secrets.clip(x.otherResource)), "give that resource as -endpoint"
}

// hasOtherResource says whether otherResource finds one.
func hasOtherResource(xs []exchange) bool {
	_, ok := otherResource(xs)
	return ok
}

// lastResourceMetadata is the last protected resource metadata document
// found, at a well-known URL or one a challenge named.
func lastResourceMetadata(xs []exchange) (exchange, bool) {
	for i := len(xs) - 1; i >= 0; i-- {
		if xs[i].status == http.StatusOK && xs[i].resourceMetadata {
			return xs[i], true
		}
	}
	return exchange{}, false
}
