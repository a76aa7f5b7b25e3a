package demoserver_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp/auth"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/serve"
)

func callWhoami(t *testing.T, cs *mcp.ClientSession) demoserver.WhoamiOutput {
	t.Helper()
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "whoami"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	var out demoserver.WhoamiOutput
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWhoamiWithoutAuth(t *testing.T) {
	got := callWhoami(t, connect(t, demoserver.Options{}))
	if diff := cmp.Diff(demoserver.WhoamiOutput{}, got); diff != "" {
		t.Errorf("whoami (-want +got):\n%s", diff)
	}
}

type bearerTransport string

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+string(b))
	return http.DefaultTransport.RoundTrip(r)
}

func TestWhoamiBehindMiddleware(t *testing.T) {
	const token = "a-static-token-for-whoami"
	v, err := auth.NewStaticVerifier([]string{auth.HashToken(token)}, &auth.StaticOptions{Scopes: []string{"mcp:tools"}})
	if err != nil {
		t.Fatal(err)
	}
	h := auth.Middleware(v, nil)(serve.Handler(demoserver.New(demoserver.Options{}), nil))
	srv := httptest.NewServer(h)
	defer srv.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).Connect(t.Context(),
		&mcp.StreamableClientTransport{Endpoint: srv.URL, HTTPClient: &http.Client{Transport: bearerTransport(token)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	want := demoserver.WhoamiOutput{
		Authenticated: true,
		Subject:       "static:" + auth.HashToken(token)[:12],
		Scopes:        []string{"mcp:tools"},
		Method:        "static",
	}
	if diff := cmp.Diff(want, callWhoami(t, cs)); diff != "" {
		t.Errorf("whoami (-want +got):\n%s", diff)
	}
}
