package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
)

func staticMiddleware(t *testing.T, opts *MiddlewareOptions) http.Handler {
	t.Helper()
	v, err := NewStaticVerifier([]string{HashToken(staticToken)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return Middleware(v, opts)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("ok"))
	}))
}

func TestProtectedResourceMetadata(t *testing.T) {
	configured := staticMiddleware(t, &MiddlewareOptions{
		ResourceURL:          "https://api.example.com/prod/mcp",
		AuthorizationServers: []string{"https://issuer.example.com"},
		Scopes:               []string{"mcp:tools"},
	})
	derived := staticMiddleware(t, &MiddlewareOptions{AuthorizationServers: []string{"https://issuer.example.com"}})
	// Static tokens alone: no authorization server issues them, and a
	// document must name one (MCP authorization, both eras).
	static := staticMiddleware(t, &MiddlewareOptions{ResourceURL: "https://api.example.com/prod/mcp"})
	named := staticMiddleware(t, &MiddlewareOptions{
		ResourceURL:          "https://api.example.com/prod/mcp",
		AuthorizationServers: []string{"https://issuer.example.com"},
		ResourceName:         "Example tools",
	})
	doc := func(resource string, scopes ...string) *oauthex.ProtectedResourceMetadata {
		return &oauthex.ProtectedResourceMetadata{Resource: resource, BearerMethodsSupported: []string{"header"}, ScopesSupported: scopes,
			AuthorizationServers: []string{"https://issuer.example.com"}}
	}
	tests := []struct {
		name       string
		h          http.Handler
		method     string
		url        string
		header     map[string]string
		wantStatus int
		want       *oauthex.ProtectedResourceMetadata
	}{
		{"root form", configured, "GET", "https://api.example.com/.well-known/oauth-protected-resource", nil,
			200, doc("https://api.example.com/prod/mcp", "mcp:tools")},
		{"path-suffixed form", configured, "GET", "https://api.example.com/.well-known/oauth-protected-resource/prod/mcp", nil,
			200, doc("https://api.example.com/prod/mcp", "mcp:tools")},
		{"suffix without the stage", configured, "GET", "https://api.example.com/.well-known/oauth-protected-resource/mcp", nil,
			200, doc("https://api.example.com/prod/mcp", "mcp:tools")},
		{"needs no token even with a bad one", configured, "GET", "https://api.example.com/.well-known/oauth-protected-resource/mcp",
			map[string]string{"Authorization": "Bearer wrong"}, 200, doc("https://api.example.com/prod/mcp", "mcp:tools")},
		{"from any origin", configured, "GET", "https://api.example.com/.well-known/oauth-protected-resource",
			map[string]string{"Origin": "https://elsewhere.example"}, 200, doc("https://api.example.com/prod/mcp", "mcp:tools")},
		{"other resource", configured, "GET", "https://api.example.com/.well-known/oauth-protected-resource/other", nil, 404, nil},
		{"POST", configured, "POST", "https://api.example.com/.well-known/oauth-protected-resource", nil, 405, nil},
		{"derived from the request", derived, "GET", "http://fn.lambda-url.test/.well-known/oauth-protected-resource/mcp",
			map[string]string{"X-Forwarded-Proto": "https"}, 200, doc("https://fn.lambda-url.test/mcp")},
		{"derived from an encoded request path", derived, "GET", "http://fn.lambda-url.test/.well-known/oauth-protected-resource/t%2Fa/mcp/",
			map[string]string{"X-Forwarded-Proto": "https"}, 200, doc("https://fn.lambda-url.test/t%2Fa/mcp/")},
		// https://h/mcp/ and https://h/mcp are two resources; each
		// path-suffixed URL names its own.
		{"derived, the path's trailing slash kept", derived, "GET", "http://fn.lambda-url.test/.well-known/oauth-protected-resource/mcp/",
			map[string]string{"X-Forwarded-Proto": "https"}, 200, doc("https://fn.lambda-url.test/mcp/")},
		// The decoded path is under the well-known one, the path as sent
		// is not: what follows the prefix names no resource of this host.
		{"derived from an encoded slash after the well-known path", derived, "GET", "http://fn.lambda-url.test/.well-known/oauth-protected-resource%2Fmcp", nil, 404, nil},
		{"derived from an encoded well-known path", derived, "GET", "http://fn.lambda-url.test/.well-known/oauth%2Dprotected-resource/mcp", nil, 404, nil},
		// The root form is the document of the resource at the host's root.
		{"derived root form names the host", derived, "GET", "http://fn.lambda-url.test/.well-known/oauth-protected-resource",
			map[string]string{"X-Forwarded-Proto": "https"}, 200, doc("https://fn.lambda-url.test")},
		{"static tokens only", static, "GET", "https://api.example.com/.well-known/oauth-protected-resource/prod/mcp", nil, 404, nil},
		{"static tokens only, root form", static, "GET", "https://api.example.com/.well-known/oauth-protected-resource", nil, 404, nil},
		{"HEAD", configured, "HEAD", "https://api.example.com/.well-known/oauth-protected-resource/prod/mcp", nil, 200, nil},
		{"with a resource name", named, "GET", "https://api.example.com/.well-known/oauth-protected-resource/prod/mcp", nil,
			200, &oauthex.ProtectedResourceMetadata{Resource: "https://api.example.com/prod/mcp", BearerMethodsSupported: []string{"header"},
				AuthorizationServers: []string{"https://issuer.example.com"}, ResourceName: "Example tools"}},
		// The front end's word on the scheme the client used wins over
		// the connection the function was reached by.
		{"derived, X-Forwarded-Proto http over TLS", derived, "GET", "https://fn.lambda-url.test/.well-known/oauth-protected-resource/mcp",
			map[string]string{"X-Forwarded-Proto": "http"}, 200, doc("http://fn.lambda-url.test/mcp")},
		// A scheme is case-insensitive, and a proxy chain's list names
		// the client's first.
		{"derived, X-Forwarded-Proto in capitals", derived, "GET", "http://fn.lambda-url.test/.well-known/oauth-protected-resource/mcp",
			map[string]string{"X-Forwarded-Proto": "HTTPS"}, 200, doc("https://fn.lambda-url.test/mcp")},
		{"derived, X-Forwarded-Proto of a proxy chain", derived, "GET", "http://fn.lambda-url.test/.well-known/oauth-protected-resource/mcp",
			map[string]string{"X-Forwarded-Proto": "https, http"}, 200, doc("https://fn.lambda-url.test/mcp")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.url, nil)
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			tc.h.ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d (body %s)", rec.Code, tc.wantStatus, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			// A browser client reads the 404 too: it is what sends
			// discovery on to the root form, and unreadable it is a
			// network error.
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("Access-Control-Allow-Origin %q, want *: the answer is public, and must be readable from any origin", got)
			}
			if tc.want == nil {
				return
			}
			got := new(oauthex.ProtectedResourceMetadata)
			if err := json.Unmarshal(rec.Body.Bytes(), got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("metadata mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// RFC 9728 section 3.1: the well-known path goes between the host and the
// resource's path and query, which keep their encoding.
func TestMetadataURL(t *testing.T) {
	for resource, want := range map[string]string{
		"https://api.example.com/mcp":          "https://api.example.com/.well-known/oauth-protected-resource/mcp",
		"https://api.example.com/mcp/":         "https://api.example.com/.well-known/oauth-protected-resource/mcp/",
		"https://api.example.com":              "https://api.example.com/.well-known/oauth-protected-resource",
		"https://api.example.com/":             "https://api.example.com/.well-known/oauth-protected-resource",
		"https://api.example.com/?tenant=a":    "https://api.example.com/.well-known/oauth-protected-resource?tenant=a",
		"https://api.example.com/prod/mcp#x":   "https://api.example.com/.well-known/oauth-protected-resource/prod/mcp",
		"https://api.example.com/mcp?tenant=a": "https://api.example.com/.well-known/oauth-protected-resource/mcp?tenant=a",
		"https://api.example.com/t%2Fa/mcp":    "https://api.example.com/.well-known/oauth-protected-resource/t%2Fa/mcp",
		"http://127.0.0.1:8080/a%20b/mcp":      "http://127.0.0.1:8080/.well-known/oauth-protected-resource/a%20b/mcp",
	} {
		if got, err := MetadataURL(resource); err != nil || got != want {
			t.Errorf("MetadataURL(%q) = %q, %v; want %q", resource, got, err, want)
		}
	}
}

// Challenge's parameters are RFC 9110 quoted-strings, whatever the
// configuration holds.
func TestChallengeQuoting(t *testing.T) {
	got := Challenge("insufficient_scope", `https://api.example.com/a"b\c/mcp`, []string{"café", "x\r\ny", "t\tab", "de\x7fl"})
	want := "Bearer error=\"insufficient_scope\", resource_metadata=\"https://api.example.com/a\\\"b\\\\c/mcp\", scope=\"café xy t\tab del\""
	if got != want {
		t.Errorf("Challenge =\n%s\nwant\n%s", got, want)
	}
}

// RFC 6750 section 3: the Bearer scheme "MUST be followed by one or more
// auth-param values", whatever the configuration and the refusal; a
// request without credentials gets no error code (section 3.1).
func TestChallengeHasAuthParam(t *testing.T) {
	param := regexp.MustCompile("^Bearer [!#$%&'*+.^_`|~0-9A-Za-z-]+=")
	for _, server := range []struct {
		name   string
		issuer []string
		scopes []string
	}{
		{"static tokens", nil, nil},
		{"static tokens, scopes", nil, []string{"mcp:tools"}},
		{"metadata", []string{"https://issuer.example.com"}, nil},
		{"metadata, scopes", []string{"https://issuer.example.com"}, []string{"mcp:tools"}},
	} {
		opts := &MiddlewareOptions{ResourceURL: "https://api.example.com/mcp", AuthorizationServers: server.issuer, Scopes: server.scopes}
		h := staticMiddleware(t, opts)
		for _, req := range []struct {
			name, authorization, query string
			status                     int
			code                       string
		}{
			{"no token", "", "", 401, ""},
			{"another scheme", "Basic Zm9vOmJhcg==", "", 401, ""},
			{"bad token", "Bearer wrong-token", "", 401, "invalid_token"},
			{"scope missing", "Bearer " + staticToken, "", 403, "insufficient_scope"},
			{"token in the query", "", "?access_token=x", 400, "invalid_request"},
		} {
			if req.code == "insufficient_scope" && len(server.scopes) == 0 {
				continue
			}
			t.Run(server.name+"/"+req.name, func(t *testing.T) {
				r := httptest.NewRequest("POST", "https://api.example.com/mcp"+req.query, nil)
				if req.authorization != "" {
					r.Header.Set("Authorization", req.authorization)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				got := rec.Header().Get("WWW-Authenticate")
				if rec.Code != req.status || !param.MatchString(got) {
					t.Fatalf("got %d %q, want %d with a Bearer challenge that has an auth-param", rec.Code, got, req.status)
				}
				if req.code == "" && strings.Contains(got, "error=") || req.code != "" && !strings.Contains(got, `error="`+req.code+`"`) {
					t.Errorf("challenge %q, want error code %q", got, req.code)
				}
				if _, err := oauthex.ParseWWWAuthenticate([]string{got}); err != nil {
					t.Errorf("the go-sdk refuses %q: %v", got, err)
				}
			})
		}
	}
	if got := Challenge("", "", nil); !param.MatchString(got) {
		t.Errorf("Challenge with nothing to say = %q, want an auth-param", got)
	}
}

func TestChallengeMetadataURL(t *testing.T) {
	withIssuer := &MiddlewareOptions{AuthorizationServers: []string{"https://issuer.example.com"}}
	tests := []struct {
		name string
		opts *MiddlewareOptions
		url  string
		want string
	}{
		{"from the resource URL", &MiddlewareOptions{ResourceURL: "https://api.example.com/mcp", AuthorizationServers: []string{"https://issuer.example.com"}}, "https://api.example.com/mcp",
			`Bearer resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/mcp"`},
		{"configured explicitly", &MiddlewareOptions{ResourceURL: "https://x.execute-api.test/prod/mcp", ResourceMetadataURL: "https://x.execute-api.test/prod/.well-known/oauth-protected-resource/mcp",
			AuthorizationServers: []string{"https://issuer.example.com"}},
			"https://x.execute-api.test/mcp", `Bearer resource_metadata="https://x.execute-api.test/prod/.well-known/oauth-protected-resource/mcp"`},
		{"derived from the request", withIssuer, "http://127.0.0.1:8080/mcp",
			`Bearer resource_metadata="http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp"`},
		{"derived from an encoded request path", withIssuer, "http://127.0.0.1:8080/t%2Fa%22/mcp",
			`Bearer resource_metadata="http://127.0.0.1:8080/.well-known/oauth-protected-resource/t%2Fa%22/mcp"`},
		// Tokens no authorization server issues: no metadata to point at.
		{"static tokens only", &MiddlewareOptions{ResourceURL: "https://api.example.com/mcp"}, "https://api.example.com/mcp", `Bearer realm="mcp"`},
		{"static tokens only, metadata URL configured", &MiddlewareOptions{ResourceURL: "https://x.execute-api.test/prod/mcp",
			ResourceMetadataURL: "https://x.execute-api.test/prod/.well-known/oauth-protected-resource/mcp"}, "https://x.execute-api.test/mcp", `Bearer realm="mcp"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			staticMiddleware(t, tc.opts).ServeHTTP(rec, httptest.NewRequest("POST", tc.url, nil))
			if got := rec.Header().Get("WWW-Authenticate"); rec.Code != 401 || got != tc.want {
				t.Errorf("got %d %s\nwant 401 %s", rec.Code, got, tc.want)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control %q, want no-store: a refusal is no answer to keep", got)
			}
		})
	}
}

// RFC 9728 section 3.3: the document a challenge points at names as its
// resource the URL the client used, which the client checks; and a client
// that builds the path-suffixed URL itself finds it, whether it keeps a
// trailing slash of the path (the go-sdk) or drops it (the TypeScript SDK).
func TestChallengeLeadsToTheResource(t *testing.T) {
	issuer := []string{"https://issuer.example.com"}
	tests := []struct {
		name     string
		opts     *MiddlewareOptions
		endpoint string // as the client uses it
		wantMeta string // the challenge's resource_metadata
		built    []string
	}{
		{"configured", &MiddlewareOptions{ResourceURL: "https://api.example.com/mcp", AuthorizationServers: issuer}, "https://api.example.com/mcp",
			"https://api.example.com/.well-known/oauth-protected-resource/mcp", nil},
		{"configured with a trailing slash", &MiddlewareOptions{ResourceURL: "https://api.example.com/mcp/", AuthorizationServers: issuer}, "https://api.example.com/mcp/",
			"https://api.example.com/.well-known/oauth-protected-resource/mcp/",
			[]string{"https://api.example.com/.well-known/oauth-protected-resource/mcp", "https://api.example.com/.well-known/oauth-protected-resource"}},
		{"configured at the host's root", &MiddlewareOptions{ResourceURL: "https://api.example.com/", AuthorizationServers: issuer}, "https://api.example.com/",
			"https://api.example.com/.well-known/oauth-protected-resource", nil},
		{"derived", &MiddlewareOptions{AuthorizationServers: issuer}, "https://fn.lambda-url.test/mcp",
			"https://fn.lambda-url.test/.well-known/oauth-protected-resource/mcp", nil},
		{"derived with a trailing slash", &MiddlewareOptions{AuthorizationServers: issuer}, "https://fn.lambda-url.test/mcp/",
			"https://fn.lambda-url.test/.well-known/oauth-protected-resource/mcp/", nil},
		{"derived, encoded, with a trailing slash", &MiddlewareOptions{AuthorizationServers: issuer}, "https://fn.lambda-url.test/t%2Fa/mcp/",
			"https://fn.lambda-url.test/.well-known/oauth-protected-resource/t%2Fa/mcp/", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := staticMiddleware(t, tc.opts)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", tc.endpoint, nil))
			challenges, err := oauthex.ParseWWWAuthenticate(rec.Header().Values("WWW-Authenticate"))
			if rec.Code != http.StatusUnauthorized || err != nil || len(challenges) != 1 {
				t.Fatalf("got %d %q (%v), want 401 with one challenge", rec.Code, rec.Header().Values("WWW-Authenticate"), err)
			}
			meta := challenges[0].Params["resource_metadata"]
			if meta != tc.wantMeta {
				t.Errorf("resource_metadata %q, want %q", meta, tc.wantMeta)
			}
			for _, u := range append([]string{meta}, tc.built...) {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", u, nil))
				got := new(oauthex.ProtectedResourceMetadata)
				if err := json.Unmarshal(rec.Body.Bytes(), got); rec.Code != http.StatusOK || err != nil {
					t.Fatalf("GET %s: %d %s (%v)", u, rec.Code, rec.Body, err)
				}
				if got.Resource != tc.endpoint {
					t.Errorf("GET %s: resource %q, want the endpoint the client used, %q", u, got.Resource, tc.endpoint)
				}
			}
		})
	}
}

func TestOriginAndCORS(t *testing.T) {
	h := staticMiddleware(t, &MiddlewareOptions{
		ResourceURL:    "https://mcp.example.com/mcp",
		AllowedOrigins: []string{"http://localhost:6274"},
	})
	auth := map[string]string{"Authorization": "Bearer " + staticToken}
	tests := []struct {
		name       string
		method     string
		header     map[string]string
		wantStatus int
		wantHeader map[string]string
	}{
		{"no Origin (not a browser)", "POST", auth, 200, map[string]string{"Access-Control-Allow-Origin": ""}},
		{"allowed Origin", "POST", merge(auth, map[string]string{"Origin": "http://localhost:6274"}), 200,
			map[string]string{"Access-Control-Allow-Origin": "http://localhost:6274", "Access-Control-Expose-Headers": "WWW-Authenticate, Mcp-Session-Id, MCP-Protocol-Version, Retry-After"}},
		{"the resource's own origin", "POST", merge(auth, map[string]string{"Origin": "https://mcp.example.com"}), 200, nil},
		{"foreign Origin, even with a token", "POST", merge(auth, map[string]string{"Origin": "https://evil.example"}), 403,
			map[string]string{"Access-Control-Allow-Origin": "", "Content-Type": "application/json"}},
		{"preflight without a token", "OPTIONS", map[string]string{"Origin": "http://localhost:6274", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, mcp-protocol-version"}, 204,
			map[string]string{
				"Access-Control-Allow-Origin":  "http://localhost:6274",
				"Access-Control-Allow-Headers": "Authorization, Content-Type, Accept, Mcp-Method, Mcp-Name, MCP-Protocol-Version, Mcp-Session-Id, Last-Event-ID",
				"Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
			}},
		{"preflight for x-mcp-header arguments", "OPTIONS", map[string]string{"Origin": "http://localhost:6274", "Access-Control-Request-Method": "POST",
			"Access-Control-Request-Headers": "content-type, mcp-method, mcp-name, mcp-param-region, Mcp-Param-Tenant-Id,mcp-param-, x-other, mcp-param-a:b, mcp-param-\u00e9"}, 204,
			map[string]string{
				"Access-Control-Allow-Headers": "Authorization, Content-Type, Accept, Mcp-Method, Mcp-Name, MCP-Protocol-Version, Mcp-Session-Id, Last-Event-ID, mcp-param-region, Mcp-Param-Tenant-Id",
			}},
		{"preflight from a foreign origin", "OPTIONS", map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}, 403, nil},
		{"401 readable by the browser", "POST", map[string]string{"Origin": "http://localhost:6274"}, 401,
			map[string]string{"Access-Control-Allow-Origin": "http://localhost:6274"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, "https://mcp.example.com/mcp", nil)
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d (body %s)", rec.Code, tc.wantStatus, rec.Body)
			}
			for k, want := range tc.wantHeader {
				if got := rec.Header().Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			// The token travels in Authorization, not in a cookie: no
			// answer lets a page send the browser's credentials.
			if got := rec.Header().Values("Access-Control-Allow-Credentials"); got != nil {
				t.Errorf("Access-Control-Allow-Credentials = %q, want none", got)
			}
			if rec.Header().Get("Access-Control-Allow-Origin") != "" && !slices.Contains(rec.Header().Values("Vary"), "Origin") {
				// A cache in front would otherwise serve one origin's answer to another.
				t.Errorf("Vary = %q: an answer naming the caller's origin must say it varies by Origin", rec.Header().Values("Vary"))
			}
			if tc.method == "OPTIONS" && rec.Code == 204 && !slices.Contains(rec.Header().Values("Vary"), "Access-Control-Request-Headers") {
				t.Errorf("Vary = %q: a preflight answer that depends on the headers asked for must say so", rec.Header().Values("Vary"))
			}
			if rec.Code == 403 {
				var body struct {
					JSONRPC string `json:"jsonrpc"`
					Error   struct{ Code int }
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.JSONRPC != "2.0" || body.Error.Code == 0 {
					t.Errorf("403 body %q is not a JSON-RPC error", rec.Body)
				}
			}
		})
	}
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// Through a real go-sdk server and client: a tool reads the caller from
// req.Extra.TokenInfo, put there by the go-sdk's own RequireBearerToken.
func TestMiddlewareIdentityReachesTools(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "v0"}, nil)
	type who struct {
		Subject string   `json:"subject"`
		Scopes  []string `json:"scopes"`
		Method  string   `json:"method"`
	}
	mcp.AddTool(server, &mcp.Tool{Name: "whoami"}, func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, who, error) {
		id := IdentityFromTokenInfo(req.Extra.TokenInfo)
		if id == nil {
			return nil, who{}, nil
		}
		return nil, who{id.Subject, id.Scopes, id.Method}, nil
	})
	v, err := NewStaticVerifier([]string{HashToken(staticToken)}, &StaticOptions{Scopes: []string{"mcp:tools"}})
	if err != nil {
		t.Fatal(err)
	}
	handler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true})
	srv := httptest.NewServer(Middleware(v, &MiddlewareOptions{Scopes: []string{"mcp:tools"}})(handler))
	defer srv.Close()

	client := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "v0"}, nil)
	ctx := context.Background()
	cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{
		Endpoint:   srv.URL,
		HTTPClient: &http.Client{Transport: bearer{staticToken}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "whoami"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res.StructuredContent)
	var got who
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := who{Subject: "static:" + HashToken(staticToken)[:12], Scopes: []string{"mcp:tools"}, Method: "static"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("whoami mismatch (-want +got):\n%s", diff)
	}

	// Without the token the same client is refused before any MCP traffic.
	_, err = client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: srv.URL}, nil)
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "unauthorized") {
		t.Errorf("connect without a token: err = %v, want an Unauthorized error", err)
	}
}

type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// A ResourceURL that is no resource identifier (RFC 8707 section 2: an
// absolute URL without a fragment; here http or https, with a host name,
// as ConfigFromEnv has it), or that holds credentials, is answered 500
// rather than published in the metadata and challenges.
func TestMiddlewareBadResourceURL(t *testing.T) {
	for _, resource := range []string{"not a url", "/mcp", "https://api.example.com/mcp#x", "https://api.example.com/mcp#", "https://u:p@api.example.com/mcp",
		"ftp://api.example.com/mcp", "https://:8443/mcp"} {
		t.Run(resource, func(t *testing.T) {
			for _, path := range []string{"/mcp", WellKnownPath + "/mcp"} {
				rec := httptest.NewRecorder()
				staticMiddleware(t, &MiddlewareOptions{ResourceURL: resource, AuthorizationServers: []string{"https://issuer.example.com"}}).
					ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
				if rec.Code != 500 || !strings.Contains(rec.Body.String(), "server_error") {
					t.Errorf("%s: got %d %s, want a JSON 500", path, rec.Code, rec.Body)
				}
			}
		})
	}
}

// TestRepeatedOriginOrAuthorization checks that an Origin or an
// Authorization header given twice is refused whichever value comes first:
// a proxy in front may have judged the other one. An HTTP API or Function
// URL joins the two with a comma, which is refused the same way.
func TestRepeatedOriginOrAuthorization(t *testing.T) {
	opts := &MiddlewareOptions{ResourceURL: "https://mcp.example.com/mcp", AllowedOrigins: []string{"http://localhost:6274"}}
	h := staticMiddleware(t, opts)
	good, bad := "Bearer "+staticToken, "Bearer wrong"
	tests := []struct {
		name, header string
		values       []string
		status       int
		want         string // in the body, or in WWW-Authenticate for a 401
	}{
		{"Origin, allowed first", "Origin", []string{"http://localhost:6274", "https://evil.example"}, 403, "origin not allowed"},
		{"Origin, foreign first", "Origin", []string{"https://evil.example", "http://localhost:6274"}, 403, "origin not allowed"},
		{"Origin, joined", "Origin", []string{"http://localhost:6274,https://evil.example"}, 403, "origin not allowed"},
		{"Origin, the same twice", "Origin", []string{"http://localhost:6274", "http://localhost:6274"}, 403, "origin not allowed"},
		{"Authorization, valid first", "Authorization", []string{good, bad}, 401, `error="invalid_token"`},
		{"Authorization, invalid first", "Authorization", []string{bad, good}, 401, `error="invalid_token"`},
		{"Authorization, joined", "Authorization", []string{good + "," + bad}, 401, `error="invalid_token"`},
		{"Authorization, the same twice", "Authorization", []string{good, good}, 401, `error="invalid_token"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "https://mcp.example.com/mcp", nil)
			req.Header.Set("Authorization", good)
			req.Header[tc.header] = tc.values
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := rec.Body.String() + rec.Header().Get("WWW-Authenticate")
			if rec.Code != tc.status || !strings.Contains(got, tc.want) {
				t.Errorf("%d %s; want %d with %s", rec.Code, got, tc.status, tc.want)
			}
			if tc.header == "Origin" && AllowedOrigin(opts)(req) {
				t.Error("AllowedOrigin admits it")
			}
		})
	}
}

func TestOriginProtectionWithoutAuth(t *testing.T) {
	opts := &MiddlewareOptions{AllowedOrigins: []string{"http://localhost:6274"}}
	h := OriginProtection(opts)(
		http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	tests := []struct {
		name, method, origin string
		want                 int
	}{
		{"no Origin", "POST", "", 200},
		{"same origin", "POST", "http://127.0.0.1:8080", 200},
		{"allowed", "POST", "http://localhost:6274", 200},
		{"foreign", "POST", "https://evil.example", 403},
		{"preflight", "OPTIONS", "http://localhost:6274", 204},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, "http://127.0.0.1:8080/mcp", nil)
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			req.Header.Set("Access-Control-Request-Method", "POST")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Errorf("status %d, want %d", rec.Code, tc.want)
			}
			// AllowedOrigin, which lambdamcp's guard applies first, decides
			// as the middleware does.
			if allowed := AllowedOrigin(opts)(req); allowed != (tc.want != http.StatusForbidden) {
				t.Errorf("AllowedOrigin = %v, want %v", allowed, tc.want != http.StatusForbidden)
			}
		})
	}
}

// TestOriginAsBrowsersSendIt checks that origins are compared as browsers
// serialize them: no default port, lower case, no trailing slash. A
// configured origin or resource URL that names the default port must not
// refuse the page it means, nor a different port pass for it.
func TestOriginAsBrowsersSendIt(t *testing.T) {
	tests := []struct {
		name   string
		opts   MiddlewareOptions
		host   string // the request's Host
		origin string
		want   bool
	}{
		{"allowed https origin with :443", MiddlewareOptions{AllowedOrigins: []string{"https://app.example:443"}}, "mcp.test", "https://app.example", true},
		{"allowed http origin with :80", MiddlewareOptions{AllowedOrigins: []string{"http://app.example:80/"}}, "mcp.test", "http://app.example", true},
		{"allowed origin in capitals", MiddlewareOptions{AllowedOrigins: []string{"HTTPS://App.Example"}}, "mcp.test", "https://app.example", true},
		{"Origin sent in capitals with :443", MiddlewareOptions{AllowedOrigins: []string{"https://app.example"}}, "mcp.test", "HTTPS://App.Example:443", true},
		{"resource URL with :443", MiddlewareOptions{ResourceURL: "https://mcp.example.com:443/mcp"}, "mcp.test", "https://mcp.example.com", true},
		// The resource's origin holds for the Origin check whatever else
		// Middleware refuses in the URL: a page whose name was rebound to
		// this server must not pass for it.
		{"page on the request's Host beside a resource URL with a fragment", MiddlewareOptions{ResourceURL: "https://mcp.example.com/mcp#x"}, "rebound.test", "https://rebound.test", false},
		{"page on the request's Host beside a resource URL with a user", MiddlewareOptions{ResourceURL: "https://u:p@mcp.example.com/mcp"}, "rebound.test", "https://rebound.test", false},
		{"resource URL with a fragment", MiddlewareOptions{ResourceURL: "https://mcp.example.com/mcp#x"}, "mcp.test", "https://mcp.example.com", true},
		// A resource URL that names no origin leaves only the allowed
		// origins: the request's Host, which a rebound page names too,
		// does not stand in for what the server was told it is.
		{"page on the request's Host beside a resource URL that does not parse", MiddlewareOptions{ResourceURL: "https://mcp.example.com:port/mcp"}, "rebound.test", "https://rebound.test", false},
		{"page on the request's Host beside a relative resource URL", MiddlewareOptions{ResourceURL: "/mcp"}, "rebound.test", "https://rebound.test", false},
		{"allowed origin beside a resource URL that does not parse", MiddlewareOptions{ResourceURL: "https://mcp.example.com:port/mcp", AllowedOrigins: []string{"https://app.example"}}, "rebound.test", "https://app.example", true},
		{"request Host with :443", MiddlewareOptions{}, "mcp.example.com:443", "https://mcp.example.com", true},
		{"another port than the default", MiddlewareOptions{AllowedOrigins: []string{"https://app.example:443"}}, "mcp.test", "https://app.example:8443", false},
		{"the https default on http", MiddlewareOptions{AllowedOrigins: []string{"http://app.example:443"}}, "mcp.test", "http://app.example", false},
		{"the other scheme", MiddlewareOptions{AllowedOrigins: []string{"https://app.example"}}, "mcp.test", "http://app.example", false},
		{"a longer name", MiddlewareOptions{AllowedOrigins: []string{"https://app.example"}}, "mcp.test", "https://app.example.evil.test", false},
		{"a name ending the same", MiddlewareOptions{AllowedOrigins: []string{"https://app.example"}}, "mcp.test", "https://evilapp.example", false},
		{"null (a sandboxed frame)", MiddlewareOptions{AllowedOrigins: []string{"https://app.example"}}, "mcp.test", "null", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "https://"+tc.host+"/mcp", nil)
			r.Header.Set("X-Forwarded-Proto", "https")
			r.Header.Set("Origin", tc.origin)
			if got := AllowedOrigin(&tc.opts)(r); got != tc.want {
				t.Errorf("AllowedOrigin = %v, want %v", got, tc.want)
			}
			rec := httptest.NewRecorder()
			OriginProtection(&tc.opts)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(rec, r)
			if got := rec.Code != http.StatusForbidden; got != tc.want {
				t.Errorf("OriginProtection answered %d, want allowed = %v", rec.Code, tc.want)
			}
			if got, want := rec.Header().Get("Access-Control-Allow-Origin"), map[bool]string{true: tc.origin}[tc.want]; got != want {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q: the browser compares it with its own Origin", got, want)
			}
		})
	}
}

// TestWildcardOrigin checks that an allowed origin of "*" admits any
// origin, as MCP_ALLOWED_ORIGINS=* promises.
func TestWildcardOrigin(t *testing.T) {
	r := httptest.NewRequest("POST", "https://mcp.test/mcp", nil)
	r.Header.Set("Origin", "https://elsewhere.example")
	if !AllowedOrigin(&MiddlewareOptions{AllowedOrigins: []string{"*"}})(r) {
		t.Error("* refused an origin")
	}
}

// TestMetadataPathAndScheme checks two details of the metadata: a path
// that merely begins with the well-known name is the protected endpoint's,
// not metadata; and an X-Forwarded-Proto that is neither http nor https is not taken for the
// scheme of the resource a client is told to use.
func TestMetadataPathAndScheme(t *testing.T) {
	h := staticMiddleware(t, &MiddlewareOptions{AuthorizationServers: []string{"https://issuer.example.com"}})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "https://api.example.com/.well-known/oauth-protected-resourceX", nil))
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("GET …/oauth-protected-resourceX: %d %s, want the protected endpoint's 401", rec.Code, rec.Body)
	}

	r := httptest.NewRequest("POST", "https://api.example.com/mcp", nil)
	r.Header.Set("X-Forwarded-Proto", "javascript")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if want := `Bearer resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/mcp"`; rec.Header().Get("WWW-Authenticate") != want {
		t.Errorf("X-Forwarded-Proto: javascript gave %q, want %q", rec.Header().Get("WWW-Authenticate"), want)
	}
}

// TestOptionsWithoutPreflight checks that an OPTIONS request without
// Access-Control-Request-Method is no CORS preflight, and is not answered
// as one: it is the protected endpoint's, like any other request.
func TestOptionsWithoutPreflight(t *testing.T) {
	h := staticMiddleware(t, &MiddlewareOptions{AllowedOrigins: []string{"https://app.example"}})
	r := httptest.NewRequest("OPTIONS", "https://api.example.com/mcp", nil)
	r.Header.Set("Origin", "https://app.example")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code == http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("OPTIONS without Access-Control-Request-Method: %d %v, want no preflight answer", rec.Code, rec.Header())
	}
}

// A browser client's discovery preflight for the metadata may ask for the
// headers MCP clients send (the TypeScript SDK sends MCP-Protocol-Version):
// the answer allows them, from any origin, since the document is public.
func TestMetadataPreflight(t *testing.T) {
	h := staticMiddleware(t, &MiddlewareOptions{ResourceURL: "https://api.example.com/mcp", AuthorizationServers: []string{"https://issuer.example.com"}})
	req := httptest.NewRequest(http.MethodOptions, "https://api.example.com/.well-known/oauth-protected-resource/mcp", nil)
	req.Header.Set("Origin", "https://app.elsewhere.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "mcp-protocol-version")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("status %d, Allow-Origin %q; want 204 and *", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
	}
	allowed := strings.Split(rec.Header().Get("Access-Control-Allow-Headers"), ", ")
	if !slices.ContainsFunc(allowed, func(h string) bool { return strings.EqualFold(h, "MCP-Protocol-Version") }) {
		t.Errorf("Access-Control-Allow-Headers %q lacks MCP-Protocol-Version", allowed)
	}
	if got := rec.Header().Get("Access-Control-Allow-Methods"); !strings.Contains(got, "GET") {
		t.Errorf("Access-Control-Allow-Methods %q lacks GET", got)
	}
	if got := rec.Header().Get("Access-Control-Max-Age"); got != "600" {
		t.Errorf("Access-Control-Max-Age %q, want 600: each discovery would be preflighted again", got)
	}
}

// A JWT verifier with its audience in client_id checks a token's aud
// against the resource the request is for, as Middleware knows it: its
// ResourceURL, or the URL derived from the request (a Function URL without
// MCP_RESOURCE_URL). RFC 8707 tokens for this server pass; tokens for
// another resource do not.
func TestMiddlewareGivesTheVerifierItsResource(t *testing.T) {
	key := newRSAKey(t, "k")
	srv := newJWKSServer(t, key)
	v := newTestJWTVerifier(t, srv.url(), func(o *JWTOptions) { o.Audience, o.AudienceClaim = "client-abc", "client_id" })
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for name, opts := range map[string]*MiddlewareOptions{
		"configured": {ResourceURL: "https://fn.lambda-url.test/mcp"},
		"derived":    nil,
	} {
		h := Middleware(v, opts)(ok)
		for aud, want := range map[string]int{"https://fn.lambda-url.test/mcp": 200, "https://payroll.test": 401, "-": 200} {
			req := httptest.NewRequest("POST", "http://fn.lambda-url.test/mcp", nil)
			req.Header.Set("X-Forwarded-Proto", "https")
			req.Header.Set("Authorization", "Bearer "+key.sign(t, claims{aud: aud}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != want {
				t.Errorf("%s, aud %q: %d %s, want %d", name, aud, rec.Code, rec.Body, want)
			}
		}
	}
}

// TestMetadataOverTLS checks that a resource derived from a request served
// over TLS, without X-Forwarded-Proto, is an https one.
func TestMetadataOverTLS(t *testing.T) {
	srv := httptest.NewTLSServer(staticMiddleware(t, &MiddlewareOptions{AuthorizationServers: []string{"https://issuer.example.com"}}))
	defer srv.Close()
	resp, err := srv.Client().Post(srv.URL+"/mcp", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := `Bearer resource_metadata="` + srv.URL + `/.well-known/oauth-protected-resource/mcp"`
	if got := resp.Header.Get("WWW-Authenticate"); got != want {
		t.Errorf("challenge %s, want %s", got, want)
	}
}

// TestCaller checks that callers differ by the method and issuer that
// verified them, not by subject alone, and that no identity names no one.
func TestCaller(t *testing.T) {
	ids := map[string]*Identity{
		"jwt at one":    {Subject: "u1", Issuer: "https://one.example", Method: "jwt"},
		"jwt at two":    {Subject: "u1", Issuer: "https://two.example", Method: "jwt"},
		"authorizer":    {Subject: "u1", Issuer: "https://one.example", Method: "authorizer"},
		"static":        {Subject: "static:u1", Method: "static"},
		"jwt, static's": {Subject: "static:u1", Issuer: "https://one.example", Method: "jwt"},
	}
	seen := map[string]string{}
	for name, id := range ids {
		c := id.Caller()
		if other, ok := seen[c]; ok {
			t.Errorf("%s and %s are both %q", name, other, c)
		}
		seen[c] = name
		if back := IdentityFromTokenInfo(id.TokenInfo()).Caller(); back != c {
			t.Errorf("%s through TokenInfo is %q, want %q", name, back, c)
		}
	}
	if c := IdentityFromTokenInfo(nil).Caller(); c != "" {
		t.Errorf("no identity's caller = %q, want none", c)
	}
}

// A token with a space inside is refused as malformed, whatever space it
// is, with the middleware's JSON 401 and challenge: the go-sdk reads the
// header again after the middleware, splitting it at every Unicode space,
// and would otherwise answer a token the verifier accepted (a JWT with a
// line break inside, which jwx reads past, or a static token of such
// characters) with a plain-text 401 and no challenge.
func TestSpaceInsideTheToken(t *testing.T) {
	key := newRSAKey(t, "k")
	jwt := key.sign(t, claims{})
	dot := strings.IndexByte(jwt, '.') + 1
	static := "static-secret\u00a0token-0123456789"
	sv, err := NewStaticVerifier([]string{HashToken(static)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := AnyOf(sv, newTestJWTVerifier(t, newJWKSServer(t, key).url(), nil))
	h := Middleware(v, &MiddlewareOptions{ResourceURL: testAudience, AuthorizationServers: []string{testIssuer}})(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	type answer struct {
		Status            int
		ContentType, Body string
		Challenge         string
	}
	want := answer{
		Status:      http.StatusUnauthorized,
		ContentType: "application/json",
		Body:        `{"error":"invalid_token","error_description":"the bearer token is invalid or expired"}` + "\n",
		Challenge:   `Bearer error="invalid_token", resource_metadata="https://mcp.test/.well-known/oauth-protected-resource/mcp"`,
	}
	for _, tc := range []struct{ name, token string }{
		{"JWT with a line feed inside", jwt[:dot] + "\n" + jwt[dot:]},
		{"JWT with a carriage return inside", jwt[:dot] + "\r" + jwt[dot:]},
		{"static token with a no-break space inside", static},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, testAudience, nil)
			req.Header.Set("Authorization", "Bearer "+tc.token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := answer{rec.Code, rec.Header().Get("Content-Type"), rec.Body.String(), rec.Header().Get("WWW-Authenticate")}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNilHandlerRefused checks that the middlewares refuse a nil handler
// when they are applied, not at the first request they let through.
func TestNilHandlerRefused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		apply func(http.Handler) http.Handler
	}{
		{"Middleware", Middleware(nil, nil)},
		{"Middleware with a bad resource URL", Middleware(nil, &MiddlewareOptions{ResourceURL: "no url"})},
		{"OriginProtection", OriginProtection(nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := func() (v any) {
				defer func() { v = recover() }()
				tc.apply(nil)
				return nil
			}()
			if want := "auth: nil http.Handler"; got != want {
				t.Errorf("panic %v, want %q", got, want)
			}
		})
	}
}
