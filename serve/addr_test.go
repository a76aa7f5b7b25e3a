package serve

import (
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/lambdamcp/lambdamcp/internal/demoserver"
)

// An address that cannot be listened on is named in Run's error quoted,
// cut and escaped, and so is what the listener's own error repeats of it
// (the address, the host or the port it could not look up), with the
// reason kept: a setting of any size, or one holding a terminal's
// controls, makes one short line. The error still wraps the listener's.
func TestRunListenErrorCut(t *testing.T) {
	long := strings.Repeat("9", 10_000)
	for _, tc := range []struct {
		addr, reason string
	}{
		{"127.0.0.1:\x1b[2J\u202e" + long, "unexpected '['"},
		{"127.0.0.1:" + long, "invalid port"},
		{"127.0.0.1:18080\n\u202e" + strings.Repeat("y", 10_000), "unknown port"},
		{"127.0.0.1:\uff18\uff10\uff18\uff10\u0085", "unknown port"}, // fullwidth digits, a C1 control
	} {
		var logs strings.Builder
		err := Run(t.Context(), Handler(demoserver.New(demoserver.Options{}), nil), &Options{
			Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
			Getenv: func(k string) string { return map[string]string{EnvAddr: tc.addr}[k] },
		})
		if err == nil {
			t.Fatalf("%.30q… listened", tc.addr)
		}
		msg := err.Error()
		if len(msg) > 1500 || !strings.Contains(msg, EnvAddr) || !strings.Contains(msg, tc.reason) || strings.ContainsAny(msg, "\x1b\n\u202e\u0085") {
			t.Errorf("%.30q…: error of %d bytes, %.400q; want it naming %s and saying %q, under 1500 bytes, controls escaped", tc.addr, len(msg), msg, EnvAddr, tc.reason)
		}
		if _, ok := errors.AsType[*net.OpError](err); !ok || ExitCode(err) != 1 {
			t.Errorf("%.30q…: Run = %v (exit %d), want the listener's error wrapped (exit 1)", tc.addr, err, ExitCode(err))
		}
	}
}
