package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// checkArgsSendable refuses -args that the go-sdk client cannot send under
// protocol: from 2026-07-28 on it decodes a call's arguments, numbers as
// float64, to fill the Mcp-Name header, and when a number is beyond
// float64's range it sends the call without the header, which the server
// refuses (-32020, "missing required Mcp-Name header"), naming nothing the
// user wrote. A go-sdk server decodes them the same way to check the
// header, so setting it here would only change its refusal: the number
// cannot reach the tool in that era at all.
//
// In every era a go-sdk server reads a message nested at most 1000 levels
// deep (objects and arrays), the call's own two levels included, and
// answers a deeper one with a bare 400 Bad Request; from 1000 levels of
// arguments on, the client too leaves the Mcp-Name header out.
func checkArgsSendable(args json.RawMessage, protocol string) error {
	if d := depth(args); d > maxArgsDepth {
		return fmt.Errorf("-args: nested %d levels deep, which a go-sdk server does not read: it reads a message at most %d levels deep, the call taking %d of them; nest the arguments at most %d levels", d, maxArgsDepth+callDepth, callDepth, maxArgsDepth)
	}
	if protocol < "2026-07-28" {
		return nil // no Mcp-Name header: the arguments go as written
	}
	if n := beyondFloat64(args); n != "" {
		return fmt.Errorf("-args: %s cannot be sent under protocol %s: the go-sdk client reads tool arguments as float64 numbers, and this one is beyond float64's range; send it as a string or a smaller number", n, protocol)
	}
	return nil
}

// beyondFloat64 returns the first number in the JSON value args that
// float64 cannot hold, as written, or "" if there is none. A number past
// float64's precision, or too small for it, rounds when decoded and is
// left alone, as decoding leaves it.
func beyondFloat64(args json.RawMessage) string {
	dec := json.NewDecoder(bytes.NewReader(args))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return "" // the end; parseArgs has already refused what does not parse
		}
		if n, ok := tok.(json.Number); ok {
			if _, err := strconv.ParseFloat(string(n), 64); err != nil {
				return string(n)
			}
		}
	}
}

// callDepth is how deep a tools/call message nests its arguments: the
// message, then its params. maxArgsDepth is the deepest arguments a
// go-sdk server reads within its limit of 1000 levels.
const (
	callDepth    = 2
	maxArgsDepth = 1000 - callDepth
)

// depth returns how deeply the JSON value args nests objects and arrays.
func depth(args json.RawMessage) int {
	dec := json.NewDecoder(bytes.NewReader(args))
	d, deepest := 0, 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return deepest // the end; parseArgs has already refused what does not parse
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			d++
			deepest = max(deepest, d)
		case json.Delim('}'), json.Delim(']'):
			d--
		}
	}
}
