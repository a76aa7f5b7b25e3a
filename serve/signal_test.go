//go:build !plan9

package serve

import (
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/childtest"
)

// TestMainSecondSignalEndsProcess checks that once Main has begun shutting
// down, a second SIGTERM (or interrupt: a second Ctrl-C) ends the process
// at once, as signals do by default, rather than waiting for requests
// still in flight.
func TestMainSecondSignalEndsProcess(t *testing.T) {
	if os.Getenv(envMainChild) == "stuck" {
		Main(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			slog.InfoContext(r.Context(), "handler started")
			select {} // a handler that never returns
		}), nil)
		return
	}
	child := childtest.Start(t, childtest.Stdout, 20*time.Second, envMainChild+"=stuck", EnvAddr+"=127.0.0.1:0")
	url, _ := child.AwaitMsg("listening")["url"].(string)
	go func() {
		resp, err := http.Post(url, "application/json", strings.NewReader(`{}`))
		if err == nil {
			resp.Body.Close()
		}
	}()
	child.AwaitMsg("handler started")
	child.EndsAtSecondSignal()
}
