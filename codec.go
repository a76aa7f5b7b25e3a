package lambdamcp

import (
	"github.com/segmentio/encoding/json"
)

// Events and responses are read and written with segmentio/encoding/json,
// the encoding/json-compatible codec the go-sdk already depends on: the
// standard decoder's reflection was most of lambdamcp's own time per
// invocation (see docs/benchmarks.md).
//
// The payload is never decoded zero-copy: aws-lambda-go reuses its buffer
// for the next invocation, and Event(ctx) hands the decoded strings out.

// unmarshal decodes an event payload into v.
func unmarshal(payload []byte, v any) error {
	return json.Unmarshal(payload, v)
}

// encodeResponse encodes a response exactly as encoding/json.Marshal would
// (sorted map keys, HTML-safe escaping).
func encodeResponse(v any) ([]byte, error) {
	return json.Marshal(v)
}
