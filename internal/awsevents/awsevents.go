// Package awsevents holds AWS's sample Lambda event payloads, exactly as
// aws-lambda-go ships them under events/testdata, for the tests of every
// package in this module: one copy, so all tests start from the same real
// payloads.
package awsevents

import (
	"embed"
	"fmt"
)

//go:embed testdata/*.json
var samples embed.FS

// Sample returns the sample event of that file name, for example
// "apigw-request.json". It panics on an unknown name: a test's mistake.
func Sample(name string) []byte {
	b, err := samples.ReadFile("testdata/" + name)
	if err != nil {
		panic(fmt.Sprintf("awsevents: no sample %q", name))
	}
	return b
}
