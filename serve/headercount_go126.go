//go:build !go1.27

package serve

import "net/http"

// countHeaderValuesInHandler has nothing to do before Go 1.27: net/http
// does not count header values.
func countHeaderValuesInHandler(*http.Server) {}
