package lambdamcp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// TestCheckBatch checks which batches the guard refuses, and the ids it
// answers their calls by: the calls' own, as the client wrote them.
func TestCheckBatch(t *testing.T) {
	long := `"\ud800` + strings.Repeat("a", maxEchoedIDBytes) + `"`
	most := `"` + strings.Repeat("a", maxEchoedIDBytes-2) + `"`
	tests := []struct {
		name    string
		body    string
		version string
		ids     []string // the refusal's; nil: let through
		message string   // what the refusal's message contains
	}{
		{name: "single message", body: `{"jsonrpc":"2.0","id":1.5,"method":"ping"}`},
		{name: "ids apart by one", body: `[{"jsonrpc":"2.0","id":2,"method":"ping"},{"jsonrpc":"2.0","id":3,"method":"ping"},{"jsonrpc":"2.0","id":-3,"method":"ping"}]`},
		{name: "exact ids", body: `[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":"1","method":"ping"},{"jsonrpc":"2.0","id":2.0,"method":"ping"}]`},
		{
			name:    "a fraction",
			body:    ` [{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":1.5,"method":"ping"}]`,
			ids:     []string{`1`, `1.5`},
			message: "batch refused: element 2 has the id 1.5; " + inexactIDMessage,
		},
		{
			name:    "past float64",
			body:    `[{"jsonrpc":"2.0","id":1e400,"method":"ping"}]`,
			ids:     []string{`1e400`},
			message: "element 1 has the id 1e400",
		},
		{
			name:    "a long fraction",
			body:    `[{"jsonrpc":"2.0","id":12345678901234567890.5,"method":"ping"},{"jsonrpc":"2.0","id":"x","method":"ping"}]`,
			ids:     []string{`12345678901234567890.5`, `"x"`},
			message: "element 1 has the id 12345678901234567890.5",
		},
		{
			name:    "a lone surrogate",
			body:    `[{"jsonrpc":"2.0","id":"<\ud800>","method":"ping"}]`,
			ids:     []string{`"<\ud800>"`},
			message: `element 1 has the id "<\ud800>"`,
		},
		{
			name:    "2025-03-26",
			body:    `[{"jsonrpc":"2.0","id":1.5,"method":"ping"}]`,
			version: "2025-03-26",
			ids:     []string{`1.5`},
			message: inexactIDMessage,
		},
		// The go-sdk refuses every batch from 2025-06-18 on.
		{name: "2025-06-18", body: `[{"jsonrpc":"2.0","id":1.5,"method":"ping"}]`, version: "2025-06-18"},
		{name: "2025-11-25", body: `[{"jsonrpc":"2.0","id":1.5,"method":"ping"}]`, version: "2025-11-25"},
		{
			// Only calls are answered: not a notification, nor a response,
			// whose id is the server's.
			name:    "notifications and responses",
			body:    `[{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":1.5,"result":{}},{"jsonrpc":"2.0","id":7,"method":"ping"},{"jsonrpc":"2.0","id":"\ud800","method":"ping"}]`,
			ids:     []string{`7`, `"\ud800"`},
			message: "element 4 has the id",
		},
		{name: "a response's inexact id", body: `[{"jsonrpc":"2.0","id":1.5,"result":{}},{"jsonrpc":"2.0","id":1,"method":"ping"}]`},
		{
			// The last of a repeated member, as the go-sdk reads it.
			name:    "repeated member",
			body:    `[{"jsonrpc":"2.0","id":1,"id":1.5,"method":"ping"}]`,
			ids:     []string{`1.5`},
			message: "element 1 has the id 1.5",
		},
		{name: "repeated member, the last exact", body: `[{"jsonrpc":"2.0","id":1.5,"id":1,"method":"ping"}]`},
		{
			// Too long to repeat: answered without an id, and named cut
			// short.
			name:    "a long id",
			body:    `[{"jsonrpc":"2.0","id":` + long + `,"method":"ping"},{"jsonrpc":"2.0","id":3,"method":"ping"}]`,
			ids:     []string{``, `3`},
			message: "element 1 has the id " + textcut.Cut(long, maxRPCIDBytes) + ";",
		},
		{
			// As long as an id is repeated.
			name:    "an id of the bound's length",
			body:    `[{"jsonrpc":"2.0","id":` + most + `,"method":"ping"},{"jsonrpc":"2.0","id":1.5,"method":"ping"}]`,
			ids:     []string{most, `1.5`},
			message: "element 2 has the id 1.5;",
		},
		{
			name:    "a batch after a line break",
			body:    "\r\n\t[{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}]",
			ids:     []string{`1.5`},
			message: "element 1 has the id 1.5;",
		},
		{name: "an empty string and zero", body: `[{"jsonrpc":"2.0","id":"","method":"ping"},{"jsonrpc":"2.0","id":0,"method":"ping"}]`},
		// An id two calls share: the go-sdk answered one of them.
		{
			name:    "a repeated id",
			body:    `[{"jsonrpc":"2.0","id":0,"method":"tools/list"},{"jsonrpc":"2.0","id":0,"method":"ping"}]`,
			ids:     []string{`0`, `0`},
			message: "batch refused: elements 1 and 2 share the id 0; each request needs an id of its own",
		},
		{
			name:    "one number, written two ways",
			body:    `[{"jsonrpc":"2.0","id":7,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":"7","method":"ping"},{"jsonrpc":"2.0","id":7e0,"method":"ping"}]`,
			ids:     []string{`7`, `"7"`, `7e0`},
			message: "elements 1 and 4 share the id 7e0",
		},
		{
			name:    "zero and minus zero",
			body:    `[{"jsonrpc":"2.0","id":-0,"method":"ping"},{"jsonrpc":"2.0","id":0.0,"method":"ping"}]`,
			ids:     []string{`-0`, `0.0`},
			message: "elements 1 and 2 share the id 0.0",
		},
		{
			name:    "one string, written two ways",
			body:    `[{"jsonrpc":"2.0","id":"a/é","method":"ping"},{"jsonrpc":"2.0","id":"a\/é","method":"ping"}]`,
			ids:     []string{`"a/é"`, `"a\/é"`},
			message: `elements 1 and 2 share the id "a\/é"`,
		},
		{
			// The first problem names the batch's refusal.
			name:    "a repeat before an inexact id",
			body:    `[{"jsonrpc":"2.0","id":"x","method":"ping"},{"jsonrpc":"2.0","id":"x","method":"ping"},{"jsonrpc":"2.0","id":1.5,"method":"ping"}]`,
			ids:     []string{`"x"`, `"x"`, `1.5`},
			message: `elements 1 and 2 share the id "x"`,
		},
		// Only calls' ids count: a response's is the server's.
		{name: "a call and a response of one id", body: `[{"jsonrpc":"2.0","id":1,"result":{}},{"jsonrpc":"2.0","id":1,"method":"ping"}]`},
		{name: "ids of two types", body: `[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":"1","method":"ping"}]`},
		{name: "a repeated id, 2025-11-25", body: `[{"jsonrpc":"2.0","id":0,"method":"ping"},{"jsonrpc":"2.0","id":0,"method":"ping"}]`, version: "2025-11-25"},
		{name: "malformed element", body: `[{"jsonrpc":"2.0","id":1.5,"method":"ping"},[}]`},
		{name: "empty batch", body: `[]`},
		{name: "not a batch of messages", body: `[1.5, "x"]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rej := checkBatch(batchElems([]byte(tc.body), tc.version))
			if tc.ids == nil {
				if rej != nil {
					t.Fatalf("refused: %d %q", rej.status, rej.msg)
				}
				return
			}
			if rej == nil {
				t.Fatal("let through")
			}
			if rej.status != http.StatusBadRequest || rej.code != codeInvalidRequest || !strings.Contains(rej.msg, tc.message) {
				t.Errorf("refusal %d %d %q, want 400 -32600 containing %q", rej.status, rej.code, rej.msg, tc.message)
			}
			got := make([]string, len(rej.batch))
			for i, id := range rej.batch {
				got[i] = string(id)
			}
			if diff := cmp.Diff(tc.ids, got); diff != "" {
				t.Errorf("ids mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWriteRPCErrors checks a batch's refusal: an error response for each
// call, in order, by its id as it came; one past maxBatchRefusalBytes is
// a single error without an id.
func TestWriteRPCErrors(t *testing.T) {
	many := make([]json.RawMessage, maxBatchRefusalBytes/40)
	for i := range many {
		many[i] = json.RawMessage(`1`)
	}
	atBound, pastBound := idsFilling(maxBatchRefusalBytes), idsFilling(maxBatchRefusalBytes+1)
	tests := []struct {
		name string
		ids  []json.RawMessage
		want string
	}{
		{
			name: "ids as they came",
			ids:  []json.RawMessage{json.RawMessage(`1.5`), nil, json.RawMessage(`"<\ud800>"`)},
			want: `[{"jsonrpc":"2.0","id":1.5,"error":{"code":-32600,"message":"m"}},` +
				`{"jsonrpc":"2.0","error":{"code":-32600,"message":"m"}},` +
				`{"jsonrpc":"2.0","id":"<\ud800>","error":{"code":-32600,"message":"m"}}]`,
		},
		{
			name: "too many to answer each",
			ids:  many,
			want: `{"jsonrpc":"2.0","error":{"code":-32600,"message":"m (the batch holds 1638 requests, too many to answer each)"}}`,
		},
		{name: "at the bound", ids: atBound, want: refusalOf(atBound)},
		{
			name: "a byte past the bound",
			ids:  pastBound,
			want: fmt.Sprintf(`{"jsonrpc":"2.0","error":{"code":-32600,"message":"m (the batch holds %d requests, too many to answer each)"}}`, len(pastBound)),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			writeRPCErrors(w, http.StatusBadRequest, tc.ids, codeInvalidRequest, "m")
			if w.Code != http.StatusBadRequest || w.Header().Get("Content-Type") != "application/json" {
				t.Errorf("status %d, Content-Type %q; want 400 application/json", w.Code, w.Header().Get("Content-Type"))
			}
			if diff := cmp.Diff(tc.want, w.Body.String()); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// refusalOf is the refusal of a batch, message "m", answering each of ids.
func refusalOf(ids []json.RawMessage) string {
	answers := make([]string, len(ids))
	for i, id := range ids {
		answers[i] = `{"jsonrpc":"2.0","id":` + string(id) + `,"error":{"code":-32600,"message":"m"}}`
	}
	return "[" + strings.Join(answers, ",") + "]"
}

// idsFilling are ids whose refusal (refusalOf) is size bytes long: ids 1,
// and a last one of as many digits as it takes.
func idsFilling(size int) []json.RawMessage {
	each := len(refusalOf([]json.RawMessage{json.RawMessage(`1`)})) - 1 // one more answer and its comma
	n := (size - 2) / each
	ids := make([]json.RawMessage, n)
	for i := range ids {
		ids[i] = json.RawMessage(`1`)
	}
	ids[n-1] = json.RawMessage(strings.Repeat("9", 1+size-len(refusalOf(ids))))
	return ids
}
