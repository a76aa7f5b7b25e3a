package lambdamcp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// inexactIDMessage refuses a request whose id the go-sdk would answer
// changed (exactID).
const inexactIDMessage = "the request id must be a string of valid Unicode or an integer of at most 2^53-1 in magnitude"

// maxEchoedIDBytes bounds the id a refusal of the guard's repeats as the
// client wrote it: the client chooses it, and the refusal stays small
// whatever the body holds. Ids clients make are far shorter (a UUID
// string is 38 bytes).
const maxEchoedIDBytes = 256

// echoedID is the id a refusal of a call carries: the id's JSON token as
// the client sent it, byte for byte, so that the client finds its own id
// in the answer as JSON-RPC 2.0 asks (the response's id equals the
// request's), even one the go-sdk would have changed; nil, no id, for one
// longer than maxEchoedIDBytes. raw is a string or number token as the
// guard read it from a body of valid UTF-8, so valid JSON.
func echoedID(raw json.RawMessage) json.RawMessage {
	if len(raw) > maxEchoedIDBytes {
		return nil
	}
	return raw
}

// batchlessEra is the first protocol version without JSON-RPC batches: the
// go-sdk refuses a batch from it on, and serves one before it (a request
// without MCP-Protocol-Version is 2025-03-26's, which has them).
const batchlessEra = "2025-06-18"

// checkBatch refuses a batch the go-sdk would serve, given by what the
// guard reads of its elements (batchElems), when it could not answer each
// of its calls
// by the call's own id: a call's id it would change (exactID), or an id
// two calls share, which MCP forbids (a request's id must not have been
// used before in the session) and under which the go-sdk, keying calls by
// id, answers one of them only. The go-sdk serves a batch whole or
// refuses it whole, and so does the guard: every call of the batch is
// answered with the refusal, by its id (batchIDs). Anything else about
// the batch is the go-sdk's to judge.
func checkBatch(elems []rpcPeek) *rejection {
	var calls []json.RawMessage
	problem := ""
	seen := make(map[callKey]int) // the element (from 1) each id is first in
	for i, elem := range elems {
		id := elem.ID // a call's, as the go-sdk reads the message
		if id == nil {
			continue // a notification or a response: answered by nothing
		}
		calls = append(calls, id)
		if problem != "" {
			continue
		}
		if !exactID(id) {
			problem = fmt.Sprintf("batch refused: element %d has the id %s; %s", i+1, idForMessage(id), inexactIDMessage)
			continue
		}
		key := keyOf(id)
		if first, ok := seen[key]; ok {
			problem = fmt.Sprintf("batch refused: elements %d and %d share the id %s; each request needs an id of its own", first, i+1, idForMessage(id))
			continue
		}
		seen[key] = i + 1
	}
	if problem == "" {
		return nil
	}
	rej := reject(http.StatusBadRequest, codeInvalidRequest, problem)
	rej.batch = batchIDs(calls)
	return rej
}

// batchCalls is what the guard reads of the calls (the elements with an
// id) of a batch the go-sdk serves, given by what the guard reads of its
// elements (batchElems).
// At the deadline each of them is answered by its id, as JSON-RPC 2.0
// answers a batch.
func batchCalls(elems []rpcPeek) []rpcPeek {
	var calls []rpcPeek
	for _, p := range elems {
		if p.ID != nil {
			calls = append(calls, p)
		}
	}
	return calls
}

// batchElems is what the guard reads (peekRPC) of each element of a
// batch the go-sdk serves: body is a JSON array, and version one before
// batchlessEra (the go-sdk reads a request without MCP-Protocol-Version
// as 2025-03-26's). It is nil for any other body.
func batchElems(body []byte, version string) []rpcPeek {
	if version >= batchlessEra {
		return nil
	}
	if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '[' {
		return nil
	}
	var elems []jsontext.Value
	if jsonv2.Unmarshal(body, &elems, peekOptions) != nil {
		return nil
	}
	peeks := make([]rpcPeek, len(elems))
	for i, elem := range elems {
		peeks[i] = peekRPC(elem)
	}
	return peeks
}

// batchLength is the number of messages in body, when body is a batch
// the go-sdk serves (as batchElems has it), counted without decoding them;
// 0 for any other body, or one that is no JSON array.
func batchLength(body []byte, version string) int {
	if version >= batchlessEra {
		return 0
	}
	if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '[' {
		return 0
	}
	dec := jsontext.NewDecoder(bytes.NewReader(body), peekOptions)
	if _, err := dec.ReadToken(); err != nil {
		return 0
	}
	n := 0
	for dec.PeekKind() != ']' {
		if dec.SkipValue() != nil {
			return 0
		}
		n++
	}
	return n
}

// checkBatchLength refuses a batch of more than l.MaxBatchMessages
// messages, as one error without an id: the go-sdk would decode and serve
// every one of them.
func (l Limits) checkBatchLength(body []byte, version string) *rejection {
	if l.MaxBatchMessages < 0 {
		return nil
	}
	if n := batchLength(body, version); n > l.MaxBatchMessages {
		return reject(http.StatusBadRequest, codeInvalidRequest,
			fmt.Sprintf("batch has %d messages; the limit is %d", n, l.MaxBatchMessages))
	}
	return nil
}

// callKey is an id as the go-sdk keys the call (jsonrpc.ID): a string's
// characters, or a number's value as an int64.
type callKey struct {
	str    string
	num    int64
	isText bool
}

// keyOf is the callKey of an id that exactID passes: 1, 1.0 and 1e0 are
// one key, as are "a" and "\u0061"; "1" and 1 are two.
func keyOf(id json.RawMessage) callKey {
	if id[0] == '"' {
		s, _ := jsontext.AppendUnquote(nil, id)
		return callKey{str: string(s), isText: true}
	}
	f, _ := strconv.ParseFloat(string(id), 64) // exact: an integer of at most 2^53-1
	return callKey{num: int64(f)}
}

// batchIDs are the ids a batch's refusal answers its calls by, one for
// each call: each call's echoedID.
func batchIDs(calls []json.RawMessage) []json.RawMessage {
	ids := make([]json.RawMessage, len(calls))
	for i, id := range calls {
		ids[i] = echoedID(id)
	}
	return ids
}

// idForMessage is an id as a refusal's message names it: its JSON token,
// cut short.
func idForMessage(id json.RawMessage) string {
	return textcut.Cut(string(id), maxRPCIDBytes)
}
