package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLoggedIdentity checks how the authorizer's and the middleware's log
// lines name the caller: "subject", as the MCP server's request line does,
// so that one query follows a caller through both, and "client_id" only
// when the token has one.
func TestLoggedIdentity(t *testing.T) {
	lacking := fmt.Errorf("%w: requires %q", ErrInsufficientScope, testScope)
	for _, tc := range []struct {
		name string
		id   *Identity
		want map[string]any
	}{
		{"subject alone", &Identity{Subject: "alice"}, map[string]any{"subject": "alice"}},
		{"with a client", &Identity{Subject: "alice", ClientID: "app-1"}, map[string]any{"subject": "alice", "client_id": "app-1"}},
		{"no identity", nil, map[string]any{}},
		{"long names", &Identity{Subject: strings.Repeat("s", 300), ClientID: strings.Repeat("c", 300)},
			map[string]any{"subject": strings.Repeat("s", 256) + "…", "client_id": strings.Repeat("c", 256) + "…"}},
	} {
		v := verifierFunc(func(context.Context, string) (*Identity, error) { return tc.id, lacking })
		lines := map[string]func(logger *slog.Logger){
			"authorizer": func(logger *slog.Logger) {
				a := NewAuthorizer(v, &AuthorizerOptions{Logger: logger})
				a.Invoke(context.Background(), withField(t, tokenEventJSON, func(m map[string]any) { m["authorizationToken"] = "Bearer abc" }))
			},
			"middleware": func(logger *slog.Logger) {
				h := Middleware(v, &MiddlewareOptions{ResourceURL: "https://mcp.test/mcp", Logger: logger})(http.NotFoundHandler())
				req := httptest.NewRequest(http.MethodPost, "https://mcp.test/mcp", strings.NewReader(`{}`))
				req.Header.Set("Authorization", "Bearer abc")
				h.ServeHTTP(httptest.NewRecorder(), req)
			},
		}
		for which, run := range lines {
			t.Run(tc.name+"/"+which, func(t *testing.T) {
				logger, logs := jsonLogger()
				run(logger)
				var line map[string]any
				if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
					t.Fatalf("log %q: %v", logs, err)
				}
				got := map[string]any{}
				for _, k := range []string{"subject", "sub", "client_id"} {
					if v, ok := line[k]; ok {
						got[k] = v
					}
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("identity logged (-want +got):\n%s\n%s", diff, logs)
				}
			})
		}
	}
}

// TestLoggedPathCut checks that a refusal's log line cuts a path the
// client made long: a refusal costs the client nothing, not even a token.
func TestLoggedPathCut(t *testing.T) {
	long := "/mcp/" + strings.Repeat("p", 10<<10)
	for _, tc := range []struct {
		name, path, want string
	}{
		{"short", "/mcp", "/mcp"},
		{"long", long, long[:512] + "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logger, logs := jsonLogger()
			h := Middleware(AnyOf(), &MiddlewareOptions{ResourceURL: "https://mcp.test/mcp", Logger: logger})(http.NotFoundHandler())
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "https://mcp.test"+tc.path, strings.NewReader(`{}`)))
			var line map[string]any
			if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
				t.Fatalf("log %.200q: %v", logs, err)
			}
			if got, _ := line["path"].(string); got != tc.want {
				t.Errorf("path of %d bytes, want %d: %.40s…", len(got), len(tc.want), got)
			}
		})
	}
}

// TestLoggedMethodCut checks that a refusal's log line cuts an HTTP method
// the client made long, as it cuts the path.
func TestLoggedMethodCut(t *testing.T) {
	long := strings.Repeat("M", 10<<10)
	for _, tc := range []struct {
		name, method, want string
	}{
		{"short", http.MethodPost, http.MethodPost},
		{"long", long, long[:64] + "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logger, logs := jsonLogger()
			h := Middleware(AnyOf(), &MiddlewareOptions{ResourceURL: "https://mcp.test/mcp", Logger: logger})(http.NotFoundHandler())
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(tc.method, "https://mcp.test/mcp", strings.NewReader(`{}`)))
			var line map[string]any
			if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
				t.Fatalf("log %.200q: %v", logs, err)
			}
			if got, _ := line["method"].(string); got != tc.want {
				t.Errorf("method of %d bytes, want %d: %.40s…", len(got), len(tc.want), got)
			}
		})
	}
}

// TestLoggedReasonCut checks that a refusal's logged reason, which may
// quote what the client put in its token, is cut short in the authorizer's
// line and the middleware's alike.
func TestLoggedReasonCut(t *testing.T) {
	long := strings.Repeat("r", 4<<10)
	want := fmt.Sprintf("%s: %s", ErrInvalidToken, long)[:1024] + "…"
	v := verifierFunc(func(context.Context, string) (*Identity, error) {
		return nil, fmt.Errorf("%w: %s", ErrInvalidToken, long)
	})
	for which, run := range map[string]func(logger *slog.Logger){
		"authorizer": func(logger *slog.Logger) {
			NewAuthorizer(v, &AuthorizerOptions{Logger: logger}).Invoke(context.Background(),
				withField(t, tokenEventJSON, func(m map[string]any) { m["authorizationToken"] = "Bearer abc" }))
		},
		"middleware": func(logger *slog.Logger) {
			h := Middleware(v, &MiddlewareOptions{ResourceURL: "https://mcp.test/mcp", Logger: logger})(http.NotFoundHandler())
			req := httptest.NewRequest(http.MethodPost, "https://mcp.test/mcp", strings.NewReader(`{}`))
			req.Header.Set("Authorization", "Bearer abc")
			h.ServeHTTP(httptest.NewRecorder(), req)
		},
	} {
		t.Run(which, func(t *testing.T) {
			logger, logs := jsonLogger()
			run(logger)
			var line struct{ Reason string }
			if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
				t.Fatalf("log %q: %v", logs, err)
			}
			if line.Reason != want {
				t.Errorf("reason of %d bytes, want %d", len(line.Reason), len(want))
			}
		})
	}
}

// TestLoggedFieldsEscaped checks that the authorizer's and the
// middleware's lines write what the client or an issuer chose (the
// method, the path, the subject, the client id, a verifier's reason) as
// the MCP server's request line writes it: the controls a JSON handler
// leaves raw, a bidi override and a backslash escaped.
func TestLoggedFieldsEscaped(t *testing.T) {
	const hostile = "a\u202eb\x7fc\u0085d\\u202e"
	const escaped = `a\u202eb\x7fc\u0085d\\u202e`
	id := &Identity{Subject: hostile, ClientID: hostile}
	v := verifierFunc(func(context.Context, string) (*Identity, error) {
		return id, fmt.Errorf("%w: %s", ErrInsufficientScope, hostile)
	})
	want := map[string]any{"subject": escaped, "client_id": escaped, "reason": ErrInsufficientScope.Error() + ": " + escaped}
	for which, run := range map[string]func(logger *slog.Logger){
		"authorizer": func(logger *slog.Logger) {
			NewAuthorizer(v, &AuthorizerOptions{Logger: logger}).Invoke(context.Background(),
				withField(t, tokenEventJSON, func(m map[string]any) { m["authorizationToken"] = "Bearer abc" }))
		},
		"middleware": func(logger *slog.Logger) {
			h := Middleware(v, &MiddlewareOptions{ResourceURL: "https://mcp.test/mcp", Logger: logger})(http.NotFoundHandler())
			req := httptest.NewRequest(http.MethodPost, "https://mcp.test/mcp", strings.NewReader(`{}`))
			req.Header.Set("Authorization", "Bearer abc")
			req.Method, req.URL.Path = "P\u202eOST", "/mcp/"+hostile
			h.ServeHTTP(httptest.NewRecorder(), req)
		},
	} {
		t.Run(which, func(t *testing.T) {
			logger, logs := jsonLogger()
			run(logger)
			var line map[string]any
			if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
				t.Fatalf("log %q: %v", logs, err)
			}
			w := maps.Clone(want)
			if which == "middleware" {
				w["method"], w["path"] = `P\u202eOST`, "/mcp/"+escaped
			}
			for k, want := range w {
				if line[k] != want {
					t.Errorf("%s = %q, want %q", k, line[k], want)
				}
			}
		})
	}
}
