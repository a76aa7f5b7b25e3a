package requeststate_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/lambdamcp/lambdamcp/requeststate"
)

// Keys of the examples. A real key is random (openssl rand -base64 32) and
// comes from configuration, never from the code.
var (
	key    = mustParse("c2VjcmV0LWtleS1vZi10aGUtZXhhbXBsZS0zMi1ieXQ=")
	oldKey = mustParse("2b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfe")
)

func mustParse(s string) []byte {
	k, err := requeststate.ParseKey(s)
	if err != nil {
		panic(err)
	}
	return k
}

// booking is what a tool needs on the round after it asked the user to
// confirm.
type booking struct {
	Flight string `json:"flight"`
	Seats  int    `json:"seats"`
}

// A tool that asks for input seals what it will need into the result's
// RequestState and opens it when the client sends it back with the
// answers. A state opens only for the purpose it was sealed for.
func ExampleSealer() {
	sealer, err := requeststate.New(key)
	if err != nil {
		fmt.Println(err)
		return
	}
	purpose := "tools/call book_flight alice@example.com"
	state, err := sealer.Seal(purpose, booking{Flight: "BA117", Seats: 2}, 10*time.Minute)
	if err != nil {
		fmt.Println(err)
		return
	}

	// The next round: the client sends state back as params.requestState.
	var pending booking
	err = sealer.Open(purpose, state, &pending)
	fmt.Println(pending, err)

	// The same state, presented by another caller.
	err = sealer.Open("tools/call book_flight mallory@example.com", state, &pending)
	fmt.Println(errors.Is(err, requeststate.ErrInvalid), requeststate.Error(err).Code)
	// Output:
	// {BA117 2} <nil>
	// true -32602
}

// While a key is replaced, the new Sealer keeps the old key to open the
// states that were sealed with it before.
func ExampleNew() {
	before, _ := requeststate.New(oldKey)
	state, _ := before.Seal("tools/call book_flight", booking{Flight: "BA117", Seats: 2}, time.Minute)

	after, _ := requeststate.New(key, oldKey) // MCP_REQUEST_STATE_KEY=NEW,OLD
	var pending booking
	fmt.Println(after.Open("tools/call book_flight", state, &pending), pending)

	dropped, _ := requeststate.New(key) // once the old key is dropped
	fmt.Println(dropped.Open("tools/call book_flight", state, &pending))
	// Output:
	// <nil> {BA117 2}
	// requestState is not valid for this request
}

// FromEnv takes the key from the environment. Without one, a local server
// gets a key of its own, which the caller should say; on Lambda, where
// rounds reach other execution environments, the key is required.
func ExampleFromEnv() {
	for _, env := range []map[string]string{
		{requeststate.EnvKey: "c2VjcmV0LWtleS1vZi10aGUtZXhhbXBsZS0zMi1ieXQ="},
		{},
		{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"},
	} {
		sealer, ephemeral, err := requeststate.FromEnv(func(k string) string { return env[k] })
		fmt.Println(sealer != nil, ephemeral, err)
	}
	// Output:
	// true false <nil>
	// true true <nil>
	// false false MCP_REQUEST_STATE_KEY is not set: on Lambda every execution environment must share the key that seals requestState
}

// A key is 32 bytes, written in hex or padded base64; what looks like a
// passphrase, or no secret at all, is refused.
func ExampleParseKey() {
	for _, s := range []string{
		"2b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfe",
		"c2VjcmV0LWtleS1vZi10aGUtZXhhbXBsZS0zMi1ieXQ=",
		"c2VjcmV0LWtleS1vZi10aGUtZXhhbXBsZS0zMi1ieXQ",
		"0000000000000000000000000000000000000000000000000000000000000000",
	} {
		k, err := requeststate.ParseKey(s)
		fmt.Println(len(k), err)
	}
	// Output:
	// 32 <nil>
	// 32 <nil>
	// 0 requestState key is neither 64 hex digits nor padded base64
	// 0 requestState key is one byte repeated: make a random one (openssl rand -base64 32)
}

// Error is the answer to give for an error of Open: the client's fault for
// a state that does not open, the server's for anything else.
func ExampleError() {
	sealer, _ := requeststate.New(key)
	var pending booking
	for _, err := range []error{
		sealer.Open("tools/call book_flight", "not-a-sealed-state", &pending),
		sealer.Open("tools/call book_flight", "not-a-sealed-state", pending), // not a pointer
	} {
		rpcErr := requeststate.Error(err)
		fmt.Println(rpcErr.Code, rpcErr.Message)
	}
	// Output:
	// -32602 invalid requestState: requestState is not valid for this request
	// -32603 internal error
}
