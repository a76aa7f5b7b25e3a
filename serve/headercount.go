//go:build go1.27

package serve

import (
	"math"
	"net/http"
)

// countHeaderValuesInHandler lifts net/http's cap on a request's header
// values (500 from Go 1.27 on), which answers past it in plain text
// before any handler runs: lambdamcp counts them itself
// (Limits.MaxHeaders), and refuses in JSON. The bytes of the headers stay
// bounded by net/http's MaxHeaderBytes.
func countHeaderValuesInHandler(srv *http.Server) {
	srv.MaxHeaderValueCount = math.MaxInt32
}
