package lambdamcp

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Events and responses are read and written with the standard encoding/json.
// (A faster third-party codec corrupted the heap under concurrent load; see
// docs/benchmarks.md.)
//
// The payload is never decoded zero-copy: aws-lambda-go reuses its buffer
// for the next invocation, and Event(ctx) hands the decoded strings out.

// unmarshal decodes an event payload into v.
func unmarshal(payload []byte, v any) error {
	return json.Unmarshal(payload, v)
}

// encodeResponse encodes a response.
func encodeResponse(v any) ([]byte, error) {
	return json.Marshal(v)
}

// decodeError says why an event did not decode without quoting any of its
// values: events carry bearer tokens, and the error is logged and returned
// to Lambda.
func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		kind, _, _ := strings.Cut(te.Value, " ") // "number 42" names the value
		return fmt.Errorf("field %q holds a JSON %s, which it cannot", te.Field, kind)
	case errors.As(err, &se):
		return fmt.Errorf("not valid JSON (at byte %d)", se.Offset)
	}
	return errors.New("not a valid event")
}
