package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// askingServer is a 2025-11-25 server with sessions that, during a
// tools/call, sends its request of the client on the stream the client
// opens for messages the server sends on its own (GET), as the TypeScript
// SDK does for a request its tool sends without naming the call, and
// answers the call with what the client answered.
type askingServer struct {
	request string      // the JSON-RPC request sent on the GET stream, id "ask-1"
	ask     chan string // tools/call hands the request to the GET stream
	answer  chan string // the client's answer to it, posted back
}

func newAskingServer(request string) *askingServer {
	return &askingServer{request: request, ask: make(chan string, 1), answer: make(chan string, 1)}
}

func (a *askingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		select {
		case req := <-a.ask:
			fmt.Fprintf(w, "event: message\ndata: %s\n\n", req)
			w.(http.Flusher).Flush()
		case <-r.Context().Done():
			return
		}
		<-r.Context().Done()
		return
	case http.MethodDelete:
		return
	}
	var msg struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Result json.RawMessage `json:"result"`
		Error  json.RawMessage `json:"error"`
	}
	json.NewDecoder(r.Body).Decode(&msg)
	answer := func(result string) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Mcp-Session-Id", "s-1")
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"result":%s}`, msg.ID, result)
	}
	switch {
	case msg.Method == "initialize":
		answer(`{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"asking","version":"1"}}`)
	case msg.Method == "tools/list":
		answer(`{"tools":[{"name":"ask","inputSchema":{"type":"object"}}]}`)
	case msg.Method == "tools/call":
		a.ask <- a.request
		select {
		case got := <-a.answer:
			text, _ := json.Marshal(got)
			answer(`{"content":[{"type":"text","text":` + string(text) + `}]}`)
		case <-r.Context().Done():
		}
	case string(msg.ID) == `"ask-1"`:
		got := string(msg.Result)
		if msg.Error != nil {
			got = "error " + string(msg.Error)
		}
		a.answer <- got
		w.WriteHeader(http.StatusAccepted)
	default: // notifications
		w.WriteHeader(http.StatusAccepted)
	}
}

// TestServerRequestOnListenStream checks that a request a server sends
// during a call on the stream for messages it sends on its own reaches
// the client, which answers it as it answers one on the call's stream,
// instead of leaving the call waiting until -timeout.
func TestServerRequestOnListenStream(t *testing.T) {
	for _, tc := range []struct {
		name    string
		request string
		args    []string
		want    []string // in the answer the server got, its result's text
	}{
		{"elicitation", `{"jsonrpc":"2.0","id":"ask-1","method":"elicitation/create","params":{"message":"go on?","requestedSchema":{"type":"object","properties":{"ok":{"type":"boolean"}}}}}`,
			[]string{"-elicit", `{"ok":true}`}, []string{`"action":"accept"`, `"ok":true`}},
		{"roots", `{"jsonrpc":"2.0","id":"ask-1","method":"roots/list","params":{}}`,
			nil, []string{`"roots":[]`}},
		{"sampling, which the client does not offer", `{"jsonrpc":"2.0","id":"ask-1","method":"sampling/createMessage","params":{"maxTokens":5,"messages":[{"role":"user","content":{"type":"text","text":"hi"}}]}}`,
			nil, []string{"error ", "does not support CreateMessage"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-protocol", "2025-11-25", "-timeout", "5s", "-call", "ask"}, tc.args...)
			code, stdout, stderr := runAgainst(t, newAskingServer(tc.request), args...)
			if code != 0 {
				t.Fatalf("exit %d, stdout %q, stderr %q; want the call answered", code, stdout, stderr)
			}
			for _, want := range tc.want {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout %q lacks %q", stdout, want)
				}
			}
		})
	}
}

// TestNoListenWithoutSession checks that a server without sessions is not
// sent the GET for its own messages: it could not tell the answers to its
// requests from another client's, and behind Lambda each request is an
// invocation.
func TestNoListenWithoutSession(t *testing.T) {
	var gets atomic.Int32
	f := &foreignServer{stateless: true, text: "pong"}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			gets.Add(1)
		}
		f.ServeHTTP(w, r)
	})
	code, stdout, stderr := runAgainst(t, h, "-protocol", "2025-11-25", "-call", "ping")
	if code != 0 || stdout != "pong\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want pong", code, stdout, stderr)
	}
	if n := gets.Load(); n != 0 {
		t.Errorf("the server got %d GETs, want none", n)
	}
}

// TestListenFollowsRedirectedEndpoint checks that the stream for messages
// the server sends on its own is opened where the POSTs were redirected
// (an endpoint /mcp that the server moved to /mcp/), so that a request the
// server sends there reaches the client, rather than at the endpoint,
// whose redirect would leave that stream quiet and the call waiting.
func TestListenFollowsRedirectedEndpoint(t *testing.T) {
	asking := newAskingServer(`{"jsonrpc":"2.0","id":"ask-1","method":"roots/list","params":{}}`)
	var redirectedGETs atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/mcp" {
			if r.Method == http.MethodGet {
				redirectedGETs.Add(1)
			}
			http.Redirect(w, r, "/mcp/", http.StatusPermanentRedirect)
			return
		}
		asking.ServeHTTP(w, r)
	})
	code, stdout, stderr := runAgainst(t, h, "-protocol", "2025-11-25", "-timeout", "3s", "-call", "ask")
	if code != 0 || !strings.Contains(stdout, `"roots":[]`) {
		t.Fatalf("exit %d, stdout %q, stderr %q; want the call answered with the roots", code, stdout, stderr)
	}
	if n := redirectedGETs.Load(); n != 0 {
		t.Errorf("%d GETs sent to the endpoint the server moved, want them sent where it moved it", n)
	}
}
