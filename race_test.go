//go:build race

package lambdamcp_test

// Under the race detector, which multiplies their cost about tenfold, the
// load tests send a tenth of the requests; make load sends them all
// without it.
func init() { loadRequests = 1_000 }
