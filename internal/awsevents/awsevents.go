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

// Requests are the samples of the events that carry an HTTP request: the
// ones lambdamcp serves (the others are authorizer events).
var Requests = []string{
	"alb-lambda-target-request-headers-only.json",
	"alb-lambda-target-request-multivalue-headers.json",
	"apigw-request.json",
	"apigw-v2-request-iam.json",
	"apigw-v2-request-jwt-authorizer.json",
	"apigw-v2-request-lambda-authorizer.json",
	"apigw-v2-request-no-authorizer.json",
	"lambda-urls-request.json",
}
