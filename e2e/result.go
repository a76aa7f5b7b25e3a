package main

import "fmt"

// result is one summary line: a suite run against a target.
type result struct {
	suite  string
	target string
	ok     bool
	detail string
}

func (r result) String() string {
	status := "FAIL"
	if r.ok {
		status = "PASS"
	}
	return fmt.Sprintf("%s  %-40s %-6s %s", status, r.suite, r.target, r.detail)
}
