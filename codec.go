package lambdamcp

import (
	"errors"
	"fmt"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// Events, responses and the peek at a JSON-RPC message are read and written
// with encoding/json/v2 (github.com/go-json-experiment/json, the Go team's
// module of it): with encoding/json's own semantics it decodes AWS's sample
// events 2.0 to 2.8 times as fast as encoding/json, with a quarter to two
// thirds of the allocations (BenchmarkParseEvent, docs/benchmarks.md).
// (A faster third-party codec corrupted the heap under concurrent load and
// is not used; see docs/benchmarks.md.)
//
// The payload is never decoded zero-copy: aws-lambda-go reuses its buffer
// for the next invocation, and Event(ctx) hands the decoded strings out.

// codecOptions make v2 read events and write responses exactly as
// encoding/json, and so aws-lambda-go's own runtime, does (names matched
// without regard to case, a repeated name taking the last value, invalid
// UTF-8 replaced by U+FFFD, null leaving a value as it is, omitempty,
// HTML escaping, sorted keys), except that errors keep v2's types, which
// say where in the event they are without quoting it (see decodeError).
var codecOptions = json.JoinOptions(
	jsonv1.DefaultOptionsV1(),
	jsonv1.ReportErrorsWithLegacySemantics(false),
)

// unmarshal decodes an event payload into v.
func unmarshal(payload []byte, v any) error {
	return json.Unmarshal(payload, v, codecOptions)
}

// encodeResponse encodes a response.
func encodeResponse(v any) ([]byte, error) {
	return json.Marshal(v, codecOptions)
}

// decodeError says why an event did not decode without quoting any of its
// values: events carry bearer tokens, and the error is logged and returned
// to Lambda.
func decodeError(err error) error {
	var se *json.SemanticError
	var syn *jsontext.SyntacticError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("field %q holds a JSON %s, which it cannot", string(se.JSONPointer), kindName(se.JSONKind))
	case errors.As(err, &syn):
		return fmt.Errorf("not valid JSON (at byte %d)", syn.ByteOffset)
	}
	return errors.New("not a valid event")
}

// kindName names a JSON kind as a sentence would.
func kindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 0:
		return "value"
	}
	return k.String() // null, string, number
}
