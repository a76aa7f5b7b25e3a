package lambdamcp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp"
)

// peerTracer is a Tracer that keeps where each request came from and the
// session it was served in.
type peerTracer struct {
	mu    sync.Mutex
	peers []string
}

func (tr *peerTracer) Start(ctx context.Context, info lambdamcp.RequestInfo) (context.Context, func(lambdamcp.RequestResult)) {
	return ctx, func(r lambdamcp.RequestResult) {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		tr.peers = append(tr.peers, info.RemoteAddr+" "+info.Host+" "+info.Proto+" session="+r.SessionID)
	}
}

// TestTracerPeerAndSession checks that a span is told the client's
// address, the host and HTTP version the client called, as the event has
// them, and the stateful session the request was served in: the one an
// initialize opened, and the one a later call carried.
func TestTracerPeerAndSession(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "stateful", Version: "1"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "echo"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		return text("ok"), nil, nil
	})
	tr := &peerTracer{}
	h := lambdamcp.NewHandler(mcp.NewStreamableHTTPHandler(
		func(*http.Request) *mcp.Server { return server }, &mcp.StreamableHTTPOptions{JSONResponse: true}),
		&lambdamcp.Options{JSONResponse: true, Tracer: tr})
	resp, _ := invokeAs(t, h, "req-open", jsonPost(openSession))
	session := resp.header("Mcp-Session-Id")
	if session == "" {
		t.Fatal("no session id")
	}
	invokeAs(t, h, "req-call", call("echo", `{}`, "Mcp-Session-Id", session))
	invokeAs(t, h, "req-gone", call("echo", `{}`, "Mcp-Session-Id", "no-such-session"))

	// An HTTP/2 client, as API Gateway tells it.
	var ev map[string]any
	if err := json.Unmarshal(restEvent(t, call("echo", `{}`, "Mcp-Session-Id", session)), &ev); err != nil {
		t.Fatal(err)
	}
	ev["requestContext"].(map[string]any)["protocol"] = "HTTP/2.0"
	ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req-h2"})
	if _, err := h.Invoke(ctx, mustJSON(t, ev)); err != nil {
		t.Fatal(err)
	}

	const peer = "192.168.196.186 gy415nuibc.execute-api.us-east-1.amazonaws.com "
	want := []string{
		peer + "HTTP/1.1 session=" + session,
		peer + "HTTP/1.1 session=" + session,
		peer + "HTTP/1.1 session=", // a session the server does not know: refused
		peer + "HTTP/2.0 session=" + session,
	}
	if diff := cmp.Diff(want, tr.peers); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
}

// TestTracerNoSessionWhenStateless checks that a stateless server, which
// serves a request whatever Mcp-Session-Id it carries, tells a span of no
// session: the id is the client's invention, no session the server knows.
func TestTracerNoSessionWhenStateless(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "stateless", Version: "1"}, nil)
	server.AddReceivingMiddleware(lambdamcp.Middleware())
	mcp.AddTool(server, &mcp.Tool{Name: "echo"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		return text("ok"), nil, nil
	})
	tr := &peerTracer{}
	h := lambdamcp.NewHandler(mcp.NewStreamableHTTPHandler(
		func(*http.Request) *mcp.Server { return server }, &mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true}),
		&lambdamcp.Options{JSONResponse: true, Tracer: tr})
	resp, _ := invokeAs(t, h, "req-call", call("echo", `{}`, "Mcp-Session-Id", "invented"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	if len(tr.peers) != 1 || !strings.HasSuffix(tr.peers[0], " session=") {
		t.Errorf("spans = %q, want one of no session", tr.peers)
	}

	// A stateful one's session is the one the call was served in.
	tr = &peerTracer{}
	h = lambdamcp.NewHandler(mcp.NewStreamableHTTPHandler(
		func(*http.Request) *mcp.Server { return server }, &mcp.StreamableHTTPOptions{JSONResponse: true}),
		&lambdamcp.Options{JSONResponse: true, Tracer: tr})
	resp, _ = invokeAs(t, h, "req-open", jsonPost(openSession))
	session := resp.header("Mcp-Session-Id")
	invokeAs(t, h, "req-call", call("echo", `{}`, "Mcp-Session-Id", session))
	if len(tr.peers) != 2 || !strings.HasSuffix(tr.peers[1], " session="+session) {
		t.Errorf("spans = %q, want the second of session %q", tr.peers, session)
	}
}

// infoTracer is a Tracer that keeps the RequestInfo of each request.
type infoTracer struct {
	mu    sync.Mutex
	infos []lambdamcp.RequestInfo
}

func (tr *infoTracer) Start(ctx context.Context, info lambdamcp.RequestInfo) (context.Context, func(lambdamcp.RequestResult)) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.infos = append(tr.infos, info)
	return ctx, func(lambdamcp.RequestResult) {}
}

// TestTracerLocalSchemeAndProto checks that a span of a request net/http
// read (Guard on a local server) is told the scheme and HTTP version the
// client called with: https over TLS, http without, and the request's
// own version, as no event tells them.
func TestTracerLocalSchemeAndProto(t *testing.T) {
	for _, tc := range []struct {
		scheme string
		start  func(http.Handler) *httptest.Server
	}{
		{"http", httptest.NewServer},
		{"https", httptest.NewTLSServer},
	} {
		t.Run(tc.scheme, func(t *testing.T) {
			tr := &infoTracer{}
			ts := tc.start(lambdamcp.Guard(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusAccepted)
			}), &lambdamcp.Options{Tracer: tr}))
			defer ts.Close()
			req, err := http.NewRequest(http.MethodPost, ts.URL+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","method":"notifications/initialized"}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			resp, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			tr.mu.Lock()
			defer tr.mu.Unlock()
			if len(tr.infos) != 1 || tr.infos[0].Scheme != tc.scheme || tr.infos[0].Proto != "HTTP/1.1" {
				t.Errorf("spans told %+v, want one of scheme %s and proto HTTP/1.1", tr.infos, tc.scheme)
			}
		})
	}
}

// TestTracerLongNumberID checks that a span is told a request's id cut
// short when it is a number of more digits than a span keeps: the client
// chooses it, and one of up to 256 bytes is repeated in the refusal.
func TestTracerLongNumberID(t *testing.T) {
	tr := &resultTracer{}
	id := "1" + strings.Repeat("0", 199)
	h := lambdamcp.NewHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), &lambdamcp.Options{Tracer: tr})
	invoke(t, h, urlEvent(t, jsonPost(`{"jsonrpc":"2.0","id":`+id+`,"method":"ping"}`, "MCP-Protocol-Version", legacy)))
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if want := id[:128] + "…"; tr.last.RPCID != want {
		t.Errorf("RPCID = %q, want %q", tr.last.RPCID, want)
	}
}

// TestTracerSessionOfFailure checks the session a span is told when the
// go-sdk did not serve the request: the one the client named, where the
// answer is the server's failure (a 5xx), and none where it is a
// refusal (a 4xx), which may be of the session itself.
func TestTracerSessionOfFailure(t *testing.T) {
	for _, status := range []int{http.StatusInternalServerError, http.StatusNotFound} {
		tr := &peerTracer{}
		h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) }), &lambdamcp.Options{Tracer: tr})
		invoke(t, h, urlEvent(t, call("echo", `{}`, "Mcp-Session-Id", "s-1")))
		want := "session="
		if status >= 500 {
			want += "s-1"
		}
		tr.mu.Lock()
		if len(tr.peers) != 1 || !strings.HasSuffix(tr.peers[0], " "+want) {
			t.Errorf("status %d: spans %q, want one with %s", status, tr.peers, want)
		}
		tr.mu.Unlock()
	}
}
