package main

import (
	"fmt"
	"time"
)

// result is one summary line: a suite run against a target.
type result struct {
	suite  string
	target string
	ok     bool
	detail string
	took   time.Duration
}

func (r result) String() string {
	status := "FAIL"
	if r.ok {
		status = "PASS"
	}
	return fmt.Sprintf("%s  %-40s %-15s %5.1fs  %s", status, r.suite, r.target, r.took.Seconds(), r.detail)
}
