package lambdamcp_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"mime"
	"slices"
	"strconv"
	"strings"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/lambdamcp/lambdamcp"
)

// answer is the HTTP response to a POST, as its client reads it.
type answer struct {
	status      int
	contentType string // the media type, without parameters
	body        []byte
}

func newAnswer(status int, contentType string, body []byte) answer {
	mt, _, _ := mime.ParseMediaType(contentType)
	return answer{status: status, contentType: mt, body: body}
}

// checkAnswerIDs checks that a POST event is answered by the ids of the
// JSON-RPC requests in its body, as JSON-RPC 2.0 asks: every response
// carries the id of a call in the body, of the same JSON value (a string
// for a string, an equal number for a number: 1.0 is answered as 1), and
// each call is answered at most once. A notification (no id) gets no
// response.
//
// A response may come without an id, or with a null one, only where the
// id could not be read: an error refusing the whole POST as a parse error
// (-32700) or an invalid request (-32600), as JSON-RPC 2.0 answers them
// (the go-sdk and lambdamcp omit the member), though not lambdamcp's
// refusal of an id the go-sdk would change, which carries the id unless
// it is too long to repeat (or answers a batch of too many calls to
// answer each); or an HTTP error refusing a
// POST that holds no call, such as a notification the deadline cut short,
// which the MCP transport answers with an HTTP error whose body "MAY
// comprise a JSON-RPC error response that has no id", or a whole batch,
// which has no one id to answer with. Unless one such error refused the
// POST, every call gets its response.
func checkAnswerIDs(t *testing.T, event []byte, a answer) {
	t.Helper()
	body := eventBody(t, event)
	calls, batch := callIDs(eventContentType(t, event), body)
	refused := false
	for _, msg := range answerMessages(t, a) {
		var r struct {
			ID     json.RawMessage `json:"id"`
			Method json.RawMessage `json:"method"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(msg, &r); err != nil {
			t.Fatalf("answer message %q: %v", msg, err)
		}
		if r.Method != nil || r.Result == nil && r.Error == nil {
			continue // a request or notification of the server's
		}
		if r.ID == nil || string(r.ID) == "null" {
			switch {
			case r.Error == nil:
				t.Fatalf("result without an id in %q (status %d) to %q", msg, a.status, body)
			case strings.Contains(r.Error.Message, lambdamcp.InexactIDMessage) && !strings.Contains(r.Error.Message, "too many to answer each") &&
				!slices.ContainsFunc(calls, tooLongToEcho):
				t.Fatalf("refusal of the id without it in %q (status %d) to %q, which holds calls %s", msg, a.status, body, idsString(calls))
			case r.Error.Code == codeParseError || r.Error.Code == codeInvalidRequest:
			case (len(calls) == 0 || batch) && a.status >= 400:
			default:
				t.Fatalf("error without an id in %q (status %d) to %q, which holds calls %s", msg, a.status, body, idsString(calls))
			}
			refused = true
			continue
		}
		i := slices.IndexFunc(calls, func(id json.RawMessage) bool { return sameJSONValue(id, r.ID) })
		if i < 0 {
			t.Fatalf("response id %s answers no call in %q, whose calls are %s; answer %q", r.ID, body, idsString(calls), a.body)
		}
		calls = slices.Delete(calls, i, i+1)
	}
	if len(calls) > 0 && !refused {
		t.Fatalf("calls %s in %q went unanswered (status %d, %q)", idsString(calls), body, a.status, a.body)
	}
}

// tooLongToEcho reports whether a refusal of id leaves it out.
func tooLongToEcho(id json.RawMessage) bool { return len(id) > lambdamcp.MaxEchoedIDBytes }

// The JSON-RPC error codes for a message whose id could not be read.
const (
	codeParseError     = -32700
	codeInvalidRequest = -32600
)

// callIDs returns the ids of the calls in a POST body, read as the go-sdk
// reads it: only a body labelled application/json, its first JSON value, a
// message or a batch of them, a repeated member's last value; a message
// with a method that is a string (or null, which the go-sdk reads as "")
// and a string or number id is a call; a method of another type makes the
// message one the go-sdk cannot decode, answered without an id. batch reports
// whether the body is a batch.
func callIDs(contentType, body string) (ids []json.RawMessage, batch bool) {
	if mt, _, _ := mime.ParseMediaType(contentType); mt != "application/json" {
		return nil, false // refused unread
	}
	var v json.RawMessage
	if json.NewDecoder(strings.NewReader(body)).Decode(&v) != nil {
		return nil, false
	}
	msgs := []json.RawMessage{v}
	if batch = v[0] == '['; batch && json.Unmarshal(v, &msgs) != nil {
		return nil, false
	}
	for _, m := range msgs {
		var members map[string]json.RawMessage
		if json.Unmarshal(m, &members) != nil {
			continue
		}
		id, method := members["id"], members["method"]
		if method == nil || method[0] != '"' && string(method) != "null" || len(id) == 0 || id[0] != '"' && id[0] != '-' && (id[0] < '0' || id[0] > '9') {
			continue
		}
		ids = append(ids, id)
	}
	return ids, batch
}

// eventContentType is the Content-Type a request event carries: the
// client's, or, where it sent none, the one in the event's template.
func eventContentType(t *testing.T, event []byte) string {
	t.Helper()
	var ev lambdaResponse // the same members: headers and multiValueHeaders
	if err := json.Unmarshal(event, &ev); err != nil {
		t.Fatalf("event: %v", err)
	}
	return ev.header("Content-Type")
}

// eventBody is the request body an event carries, as the server reads it:
// not the text the event was built from, which encoding a body that is not
// valid UTF-8 into the event's JSON string changes (each bad byte becomes
// U+FFFD) unless it is base64-encoded.
func eventBody(t *testing.T, event []byte) string {
	t.Helper()
	var ev struct {
		Body            string `json:"body"`
		IsBase64Encoded bool   `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(event, &ev); err != nil {
		t.Fatalf("event: %v", err)
	}
	if !ev.IsBase64Encoded {
		return ev.Body
	}
	b, err := base64.StdEncoding.DecodeString(ev.Body)
	if err != nil {
		t.Fatalf("event body: %v", err)
	}
	return string(b)
}

// answerMessages returns the JSON-RPC messages of an answer: a JSON body's
// message or batch, or an event stream's data.
func answerMessages(t *testing.T, a answer) []json.RawMessage {
	t.Helper()
	switch a.contentType {
	case "application/json":
		b := bytes.TrimSpace(a.body)
		if len(b) == 0 {
			return nil
		}
		if b[0] != '[' {
			return []json.RawMessage{b}
		}
		var batch []json.RawMessage
		if err := json.Unmarshal(b, &batch); err != nil {
			t.Fatalf("JSON batch answer %q: %v", a.body, err)
		}
		return batch
	case "text/event-stream":
		var msgs []json.RawMessage
		for event := range strings.SplitSeq(string(a.body), "\n\n") {
			var data []string
			for line := range strings.SplitSeq(event, "\n") {
				if v, ok := strings.CutPrefix(line, "data:"); ok {
					data = append(data, strings.TrimPrefix(v, " "))
				}
			}
			if len(data) > 0 {
				msgs = append(msgs, json.RawMessage(strings.Join(data, "\n")))
			}
		}
		return msgs
	}
	return nil
}

// sameJSONValue reports whether two JSON ids are the same value: strings
// of the same characters, or numbers of the same value, however written.
func sameJSONValue(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	if a[0] == '"' || b[0] == '"' {
		var sa, sb string
		// Strictly: a lone surrogate escape is not a character.
		if jsonv2.Unmarshal(a, &sa) != nil || jsonv2.Unmarshal(b, &sb) != nil {
			return bytes.Equal(a, b)
		}
		return sa == sb
	}
	ka, okA := decimalKey(string(a))
	kb, okB := decimalKey(string(b))
	return okA && okB && ka == kb
}

// decimalKey is a JSON number's value in one canonical form, the sign, the
// significant digits and the power of ten, computed on the digits, so that
// no literal is too long or too large to compare.
func decimalKey(lit string) (string, bool) {
	neg := strings.HasPrefix(lit, "-")
	lit = strings.TrimPrefix(lit, "-")
	mantissa, expText, hasExp := strings.Cut(strings.ToLower(lit), "e")
	exp := new(big.Int)
	if hasExp {
		if _, ok := exp.SetString(strings.TrimPrefix(expText, "+"), 10); !ok {
			return "", false
		}
	}
	whole, frac, _ := strings.Cut(mantissa, ".")
	digits := whole + frac
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return "", false
	}
	exp.Sub(exp, big.NewInt(int64(len(frac))))
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return "0", true // -0 is 0
	}
	trimmed := strings.TrimRight(digits, "0")
	exp.Add(exp, big.NewInt(int64(len(digits)-len(trimmed))))
	sign := ""
	if neg {
		sign = "-"
	}
	return fmt.Sprintf("%s%se%s", sign, trimmed, exp), true
}

// idsString formats ids for a message.
func idsString(ids []json.RawMessage) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Quote(string(id))
	}
	return "[" + strings.Join(s, " ") + "]"
}

// idSeeds are calls whose ids the go-sdk reads as a float64 and writes
// back as an int64, ids that read differently once decoded, and requests
// without a call to answer.
var idSeeds = []string{
	`{"jsonrpc":"2.0","id":"1","method":"tools/list"}`,
	`{"jsonrpc":"2.0","id":1.0,"method":"tools/list"}`,
	`{"jsonrpc":"2.0","id":1e3,"method":"tools/list"}`,
	`{"jsonrpc":"2.0","id":-0,"method":"tools/list"}`,
	`{"jsonrpc":"2.0","id":9007199254740991,"method":"tools/list"}`,
	`{"jsonrpc":"2.0","id":9007199254740993,"method":"tools/list"}`,
	`{"jsonrpc":"2.0","id":1.5,"method":"tools/list"}`,
	`{"jsonrpc":"2.0","id":1e400,"method":"tools/list"}`,
	`{"jsonrpc":"2.0","id":12345678901234567890.5,"method":"tools/list"}`,
	`{"jsonrpc":"2.0","id":"\u0041\/","method":"tools/list"}`,
	`{"jsonrpc":"2.0","id":"\ud800","method":"tools/list"}`,
	`{"jsonrpc":"2.0","id":1,"id":2,"method":"tools/list"}`,
	`{"jsonrpc":"2.0","id":null,"method":"tools/list"}`,
	`{"jsonrpc":"2.0","id":null,"method":"notifications/initialized"}`,
	`{"jsonrpc":"2.0","id":true,"method":"tools/list"}`,
	`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
	`{"jsonrpc":"2.0","method":"tools/list"}`,
	`{"jsonrpc":"2.0","id":1,"method":""}`,
	`{"jsonrpc":"1.0","id":1,"method":"tools/list"}`,
	`{"jsonrpc":"2.0","id":1,"method":"tools/list"} trailing`,
	`{"jsonrpc":"2.0","id":1,"method":"tools/list"`,
}

// inexactIDBatches are batches (served before 2025-06-18) with a call
// whose id the go-sdk would change.
var inexactIDBatches = []string{
	`[{"jsonrpc":"2.0","id":1,"method":"tools/list"},{"jsonrpc":"2.0","id":1.5,"method":"ping"}]`,
	`[{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":1e400,"method":"ping"}]`,
	`[{"jsonrpc":"2.0","id":"\ud800","method":"ping"},{"jsonrpc":"2.0","id":"\ud800x","method":"ping"}]`,
}

// repeatedIDBatch is a batch (served before 2025-06-18) whose two calls
// share an id.
const repeatedIDBatch = `[{"jsonrpc":"2.0","id":0,"method":"tools/list"},{"jsonrpc":"2.0","id":0,"method":"ping"}]`
