package main

import (
	"bytes"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestUntrustedCertificateExplained checks that an https endpoint whose
// certificate the client cannot verify (self-signed, as a local or test
// server's, or for another name) fails with one line saying so, for
// both eras, not with the go-sdk's transport chatter around it.
func TestUntrustedCertificateExplained(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the request reached the server: %s %s", r.Method, r.URL)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes the client breaks off
	srv.StartTLS()
	t.Cleanup(srv.Close)
	endpoint := srv.URL + "/mcp"
	for _, protocol := range []string{"2025-11-25", "2026-07-28"} {
		t.Run(protocol, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-endpoint", endpoint, "-protocol", protocol, "-token", "tok-" + strings.Repeat("x", 20)}, noEnv, &stdout, &stderr)
			got := stderr.String()
			want := "mcp-client: the TLS certificate of " + endpoint + " cannot be verified (x509: certificate signed by unknown authority): "
			if code != 1 || !strings.HasPrefix(got, want) || strings.Count(got, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want exit 1 and one line starting %q", code, got, want)
			}
			for _, noise := range []string{"rejected by transport", "calling \"", "sending \""} {
				if strings.Contains(got, noise) {
					t.Errorf("stderr %q holds the go-sdk's %q", got, noise)
				}
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want it empty", stdout.String())
			}
		})
	}
}
