package demoserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

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

// identityVerifier accepts any token as the identity it is.
type identityVerifier auth.Identity

func (v identityVerifier) Verify(context.Context, string) (*auth.Identity, error) {
	id := auth.Identity(v)
	return &id, nil
}

func TestWhoamiBehindMiddleware(t *testing.T) {
	const token = "a-static-token-for-whoami"
	static, err := auth.NewStaticVerifier([]string{auth.HashToken(token)}, &auth.StaticOptions{Scopes: []string{"mcp:tools"}})
	if err != nil {
		t.Fatal(err)
	}
	// A zone other than UTC's, which expires_at must not keep.
	expiry := time.Now().Add(time.Hour).Truncate(time.Second).In(time.FixedZone("UTC+1", 3600))
	tests := []struct {
		name string
		v    auth.Verifier
		want demoserver.WhoamiOutput
	}{
		{
			name: "static token",
			v:    static,
			want: demoserver.WhoamiOutput{
				Authenticated: true,
				Subject:       "static:" + auth.HashToken(token)[:12],
				Scopes:        []string{"mcp:tools"},
				Method:        "static",
			},
		},
		{
			name: "token with a client and an expiry",
			v:    identityVerifier{Subject: "user-1", ClientID: "client-1", Scopes: []string{"mcp:tools"}, Expiry: expiry, Method: "jwt"},
			want: demoserver.WhoamiOutput{
				Authenticated: true,
				Subject:       "user-1",
				ClientID:      "client-1",
				Scopes:        []string{"mcp:tools"},
				Method:        "jwt",
				ExpiresAt:     expiry.UTC().Format(time.RFC3339),
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := auth.Middleware(tc.v, nil)(serve.Handler(demoserver.New(demoserver.Options{}), nil))
			srv := httptest.NewServer(h)
			defer srv.Close()
			cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).Connect(t.Context(),
				&mcp.StreamableClientTransport{Endpoint: srv.URL, HTTPClient: &http.Client{Transport: bearerTransport(token)}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer cs.Close()
			if diff := cmp.Diff(tc.want, callWhoami(t, cs)); diff != "" {
				t.Errorf("whoami (-want +got):\n%s", diff)
			}
		})
	}
}
