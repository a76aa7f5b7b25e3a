package listenaddr

import (
	"errors"
	"net"
	"strings"
	"testing"
)

// TestErrorQuotedCut checks that an address net.Listen refuses is named,
// quoted, cut and escaped, with what the reason repeats of it cut too,
// and that the reason is still net.Listen's error.
func TestErrorQuotedCut(t *testing.T) {
	addr := "\u202e\x1b[2J" + strings.Repeat("a", 10_000)
	_, lerr := net.Listen("tcp", addr)
	if lerr == nil {
		t.Fatal("net.Listen listened on an address with no port")
	}
	err := Error("-addr", addr, lerr)
	if msg := err.Error(); len(msg) > 2000 || !strings.HasPrefix(msg, `-addr "\u202e\x1b[2Jaaa`) || !strings.Contains(msg, "…") ||
		!strings.Contains(msg, "missing port in address") || strings.ContainsAny(msg, "\u202e\x1b") {
		t.Errorf("Error: %d bytes %.300q; want the name, the address quoted, escaped and cut, and the reason", len(msg), msg)
	}
	if ae := (*net.AddrError)(nil); !errors.As(err, &ae) {
		t.Errorf("Error = %v, which does not wrap net.Listen's *net.AddrError", err)
	}
}
