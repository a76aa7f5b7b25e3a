package lambdamcp

import "encoding/json"

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
