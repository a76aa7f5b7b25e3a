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

// TestInUse checks that a port another listener holds is told from an
// address net.Listen refuses for another reason, also once Error wrapped it.
func TestInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, held := net.Listen("tcp", ln.Addr().String())
	_, bad := net.Listen("tcp", "127.0.0.1")
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{held, true},
		{Error("-addr", ln.Addr().String(), held), true},
		{bad, false},
		{nil, false},
	} {
		if got := InUse(tc.err); got != tc.want {
			t.Errorf("InUse(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
