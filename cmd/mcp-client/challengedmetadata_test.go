package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

// TestChallengedMetadataForAnotherResource checks the line of a run whose
// server's challenge names protected resource metadata (resource_metadata)
// at a URL of its own choosing, not the well-known one, for another
// resource than the endpoint: the go-sdk does not use it (RFC 9728 §3.3:
// metadata a challenge named must name the URL the request went to) and
// the line says so, as for metadata at the well-known URL, for a client
// given and for one to register.
func TestChallengedMetadataForAnotherResource(t *testing.T) {
	const other = "https://other.example/mcp"
	tests := []struct {
		name     string
		path     string // of the metadata the challenge names
		resource string // the document's; SERVER the server's root
		// challengeNames: "nothing", the challenge names no metadata;
		// "", that at path.
		challengeNames string
		register       bool   // -login without a client: one is registered
		wantErr        string // SERVER the server's root, AS the issuer
	}{
		{name: "client given", path: "/meta/mcp", resource: other,
			wantErr: "the server's protected resource metadata (SERVER/meta/mcp) is for the resource " + other + ", not for this endpoint (RFC 9728 §3.3), so the go-sdk did not use it and took the server's root SERVER for the authorization server, not the issuer the client was given, AS; the client secret was not sent: give that resource as -endpoint\n"},
		{name: "client registered", path: "/meta/mcp", resource: other, register: true,
			wantErr: "could not register one and get one: the server's protected resource metadata (SERVER/meta/mcp) is for the resource " + other + ", not for this endpoint (RFC 9728 §3.3), so it was not used; no client was registered: give that resource as -endpoint\n"},
		// At the root's well-known URL, not named by the challenge: the
		// document must name the server's root, and the endpoint it names
		// is not one to give as -endpoint, which it is already.
		{name: "endpoint's at the root, client given", path: "/.well-known/oauth-protected-resource", resource: "SERVER/mcp", challengeNames: "nothing",
			wantErr: "the server's protected resource metadata (SERVER/.well-known/oauth-protected-resource) is for the resource SERVER/mcp, where the document at the root's well-known URL must name the server's root, SERVER (RFC 9728 §3.3), so the go-sdk did not use it and took the server's root SERVER for the authorization server, not the issuer the client was given, AS; the client secret was not sent: the server would publish the endpoint's at the well-known URL of its path, or name where it is in its challenge (resource_metadata)\n"},
		{name: "endpoint's at the root, client registered", path: "/.well-known/oauth-protected-resource", resource: "SERVER/mcp", challengeNames: "nothing", register: true,
			wantErr: "could not register one and get one: the server's protected resource metadata (SERVER/.well-known/oauth-protected-resource) is for the resource SERVER/mcp, where the document at the root's well-known URL must name the server's root, SERVER (RFC 9728 §3.3), so it was not used; no client was registered: the server would publish the endpoint's at the well-known URL of its path, or name where it is in its challenge (resource_metadata)\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			withCacheDir(t)
			as := startAS(t, oauthtest.Options{Public: tc.register, Scopes: []string{testScope}, Registration: true})
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.Method == http.MethodPost && r.URL.Path == "/mcp":
					challenge := `Bearer resource_metadata="` + srv.URL + tc.path + `"`
					if tc.challengeNames == "nothing" {
						challenge = `Bearer error="invalid_token"`
					}
					w.Header().Set("WWW-Authenticate", challenge)
					writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
				case r.Method == http.MethodGet && r.URL.Path == tc.path:
					writeJSON(w, http.StatusOK, map[string]any{"resource": strings.ReplaceAll(tc.resource, "SERVER", srv.URL), "authorization_servers": []string{as.Issuer}})
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			env := map[string]string{"MCP_CLIENT_ID": as.ClientID, "MCP_CLIENT_SECRET": as.Secret, "MCP_CLIENT_ISSUER": as.Issuer}
			args := []string{"-endpoint", srv.URL + "/mcp"}
			if tc.register {
				env = nil
				b := newBrowser()
				withOpener(t, b.open)
				args = append(args, "-login", "-redirect-port", "0")
			}
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), args, func(k string) string { return env[k] }, &stdout, &stderr)
			want := strings.NewReplacer("SERVER", srv.URL, "AS", as.Issuer).Replace(tc.wantErr)
			if code != 1 || !strings.Contains(stderr.String(), want) {
				t.Errorf("exit %d, stderr %q; want 1 and\n%s", code, stderr.String(), want)
			}
			if ps := as.Posts(); len(ps) > 0 {
				t.Errorf("%s was sent %q", as.Issuer, ps)
			}
			if regs := as.Registrations(); len(regs) > 0 {
				t.Errorf("registered at %s: %+v", as.Issuer, regs)
			}
		})
	}
}

// TestResourceMetadataWanted checks the resource each protected resource
// metadata document must name, as the go-sdk reads them in turn: the
// endpoint for one a challenge named, and for the one at the well-known
// URL of the endpoint's path; the server's root for the one at the root,
// unless a challenge named it and it is read for the first time.
func TestResourceMetadataWanted(t *testing.T) {
	const endpoint = "https://mcp.example/mcp"
	const rootDoc = "https://mcp.example/.well-known/oauth-protected-resource"
	tests := []struct {
		name       string
		challenged string   // the URL the challenge names; "": none
		gets       []string // the documents read, in turn
		resource   string   // what each names
		want       []string // otherResource of each
	}{
		{name: "challenged URL, for the endpoint", challenged: "https://mcp.example/prm", gets: []string{"https://mcp.example/prm"}, resource: endpoint, want: []string{""}},
		{name: "challenged URL, for the root", challenged: "https://mcp.example/prm", gets: []string{"https://mcp.example/prm"}, resource: "https://mcp.example", want: []string{"https://mcp.example"}},
		{name: "endpoint's path", gets: []string{"https://mcp.example/.well-known/oauth-protected-resource/mcp"}, resource: "https://mcp.example", want: []string{"https://mcp.example"}},
		{name: "root, for the root", gets: []string{rootDoc}, resource: "https://mcp.example", want: []string{""}},
		{name: "root, for the endpoint", gets: []string{rootDoc}, resource: endpoint, want: []string{endpoint}},
		{name: "root challenged, then read as the root", challenged: rootDoc, gets: []string{rootDoc, rootDoc}, resource: "https://mcp.example", want: []string{"https://mcp.example", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pin := newPinnedIssuer("https://as.example")
			if tc.challenged != "" {
				pin.challenged([]string{`Bearer resource_metadata="` + tc.challenged + `"`})
			}
			tr := metadataFor(pin, endpoint, tc.resource)
			readThrough(t, tr, tc.gets...)
			var got []string
			for _, x := range tr.log.list() {
				if !x.resourceMetadata {
					t.Errorf("%s is not taken for protected resource metadata", x.url)
				}
				got = append(got, x.otherResource)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("other resources (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOtherResourceExplained checks which document for another resource
// the line names: one that had to name the endpoint, whose resource is
// one to give as -endpoint, before one at the root's well-known URL,
// which had to name the server's root; none when a document found names
// the resource it must.
func TestOtherResourceExplained(t *testing.T) {
	const atPath = "https://mcp.example/.well-known/oauth-protected-resource/mcp/"
	const atRoot = "https://mcp.example/.well-known/oauth-protected-resource"
	forPath := exchange{method: http.MethodGet, url: atPath, status: http.StatusOK, resourceMetadata: true, otherResource: "https://mcp.example/mcp"}
	forRoot := exchange{method: http.MethodGet, url: atRoot, status: http.StatusOK, resourceMetadata: true, otherResource: "https://mcp.example/mcp", rootWanted: "https://mcp.example"}
	used := exchange{method: http.MethodGet, url: atRoot, status: http.StatusOK, resourceMetadata: true}
	tests := []struct {
		name string
		xs   []exchange
		want string // the URL of the document named; "": none
	}{
		{name: "path, then root", xs: []exchange{forPath, forRoot}, want: atPath},
		{name: "root alone", xs: []exchange{{method: http.MethodGet, url: atPath, status: http.StatusNotFound}, forRoot}, want: atRoot},
		{name: "one used", xs: []exchange{forPath, used}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, ok := otherResource(tc.xs)
			if got := x.url; ok != (tc.want != "") || got != tc.want {
				t.Errorf("otherResource: %q, %v; want %q", got, ok, tc.want)
			}
		})
	}
}

// TestResourceMetadataWantedRedirected checks the resource wanted of the
// document at the root's well-known URL, which the challenge named, when
// that URL redirects: the go-sdk's first read follows the redirect and
// wants the endpoint of the document it finds, as of one not redirected;
// its read of the root's well-known URL after that wants the root.
func TestResourceMetadataWantedRedirected(t *testing.T) {
	const endpoint = "https://mcp.example/mcp"
	const rootDoc = "https://mcp.example/.well-known/oauth-protected-resource"
	const moved = "https://mcp.example/prm.json"
	pin := newPinnedIssuer("https://as.example")
	pin.challenged([]string{`Bearer resource_metadata="` + rootDoc + `"`})
	tr := &flowTransport{log: &exchangeLog{}, pin: pin, resource: endpoint, base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.String() == rootDoc {
			return &http.Response{StatusCode: http.StatusFound, Header: http.Header{"Location": {moved}}, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
		}
		body := `{"resource":"` + endpoint + `","authorization_servers":["https://as.example"]}`
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	})}
	for range 2 { // the challenged read, then the root's
		first := httptest.NewRequest(http.MethodGet, rootDoc, nil)
		resp, err := tr.RoundTrip(first)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		next := httptest.NewRequest(http.MethodGet, moved, nil)
		next.Response = resp
		if resp, err = tr.RoundTrip(next); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	var got []string
	for _, x := range tr.log.list() {
		if x.status == http.StatusOK {
			got = append(got, x.otherResource)
		}
	}
	if diff := cmp.Diff([]string{"", endpoint}, got); diff != "" {
		t.Errorf("other resources (-want +got):\n%s", diff)
	}
}

// TestResourceMetadataWantedNextFlow checks the resource wanted of the
// document at the root's well-known URL in a flow whose refusal names no
// metadata, after one whose refusal named that URL (a 401, then a 403
// asking for another scope, say): the go-sdk reads it as the root's only,
// and wants the root of it.
func TestResourceMetadataWantedNextFlow(t *testing.T) {
	const endpoint = "https://mcp.example/mcp"
	const rootDoc = "https://mcp.example/.well-known/oauth-protected-resource"
	pin := newPinnedIssuer("https://as.example")
	tr := metadataFor(pin, endpoint, "https://mcp.example")
	pin.challenged([]string{`Bearer resource_metadata="` + rootDoc + `"`}) // the first flow's
	tr.log.reset()
	pin.challenged([]string{`Bearer error="insufficient_scope", scope="files:write"`}) // the next one's
	readThrough(t, tr, rootDoc)
	wantTakenForRoot(t, tr)
}

// TestResourceMetadataWantedLaterChallenge checks the resource wanted of
// the document at the root's well-known URL when a refusal's second
// challenge names it, its first another URL: the go-sdk reads the first
// challenge's resource_metadata alone, and the root's well-known URL as
// the root's, so the document there must name the root.
func TestResourceMetadataWantedLaterChallenge(t *testing.T) {
	const endpoint = "https://mcp.example/mcp"
	const rootDoc = "https://mcp.example/.well-known/oauth-protected-resource"
	tests := []struct {
		name       string
		challenges []string
	}{
		{name: "two headers", challenges: []string{`Bearer resource_metadata="https://mcp.example/prm"`, `DPoP resource_metadata="` + rootDoc + `"`}},
		{name: "one header", challenges: []string{`Bearer resource_metadata="https://mcp.example/prm", Bearer resource_metadata="` + rootDoc + `"`}},
		{name: "first not absolute", challenges: []string{`Bearer resource_metadata="/prm"`, `Bearer resource_metadata="` + rootDoc + `"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pin := newPinnedIssuer("https://as.example")
			pin.challenged(tc.challenges)
			tr := metadataFor(pin, endpoint, "https://mcp.example")
			readThrough(t, tr, rootDoc)
			wantTakenForRoot(t, tr)
		})
	}
}

// metadataFor is the flow's transport for endpoint with pin, whose every
// read is answered with protected resource metadata naming resource.
func metadataFor(pin *pinnedIssuer, endpoint, resource string) *flowTransport {
	body := `{"resource":"` + resource + `","authorization_servers":["https://as.example"]}`
	return &flowTransport{log: &exchangeLog{}, pin: pin, resource: endpoint, base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	})}
}

// readThrough GETs each of urls through tr.
func readThrough(t *testing.T, tr *flowTransport, urls ...string) {
	t.Helper()
	for _, u := range urls {
		resp, err := tr.RoundTrip(httptest.NewRequest(http.MethodGet, u, nil))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
}

// wantTakenForRoot checks that tr read one document, and took it for the
// server root's.
func wantTakenForRoot(t *testing.T, tr *flowTransport) {
	t.Helper()
	if xs := tr.log.list(); len(xs) != 1 || xs[0].otherResource != "" {
		t.Errorf("exchanges %+v; want the document taken for the root's", xs)
	}
}
