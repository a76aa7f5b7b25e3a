package runtimeapi

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// procTCPTables are the tables where Linux lists each TCP socket with
// the user that owns it.
var procTCPTables = []string{"/proc/net/tcp", "/proc/net/tcp6"}

type foreignConnKey struct{}

// ConnContext, set as the serving http.Server's ConnContext, makes the
// server refuse the requests of a connection that another user of the
// machine opened, where the system tells (Linux). A loopback port is open
// to every local user, and its number is public (ss, netstat): whoever
// asks for the next event first gets it, the caller's bearer token
// included. On Lambda only the sandbox reaches the API. The owner is read
// once per connection: the table is slow to read on a busy machine.
func (s *Server) ConnContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, foreignConnKey{}, s.foreignUser(c.LocalAddr(), c.RemoteAddr()))
}

func foreignConn(r *http.Request) bool {
	foreign, _ := r.Context().Value(foreignConnKey{}).(bool)
	return foreign
}

// foreignUser reports whether the client end of a loopback connection
// belongs to another user than s.uid. Where the tables cannot be read
// (not Linux, no procfs) no connection is judged foreign; a connection
// the tables do not list is.
func (s *Server) foreignUser(local, remote net.Addr) bool {
	l, lerr := netip.ParseAddrPort(local.String())
	r, rerr := netip.ParseAddrPort(remote.String())
	if lerr != nil || rerr != nil || !l.Addr().Unmap().IsLoopback() {
		return false
	}
	read := false
	for _, table := range procTCPTables {
		text, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		read = true
		v6 := strings.HasSuffix(table, "6")
		if !v6 && !r.Addr().Unmap().Is4() {
			continue // an IPv6 address has no IPv4 form to look for
		}
		if uid, ok := socketOwner(string(text), r, l, v6); ok {
			return uid != s.uid
		}
	}
	return read
}

// socketOwner finds in a /proc/net/tcp{,6} table the socket from local
// to remote, and returns its owner. A socket in TIME_WAIT is no one's
// (the table says uid 0) and is passed over.
func socketOwner(table string, local, remote netip.AddrPort, v6 bool) (uid int, ok bool) {
	l, r := procAddr(local, v6), procAddr(remote, v6)
	for line := range strings.Lines(table) {
		f := strings.Fields(line)
		if len(f) < 8 || f[1] != l || f[2] != r || f[3] == "06" {
			continue
		}
		if uid, err := strconv.Atoi(f[7]); err == nil {
			return uid, true
		}
	}
	return 0, false
}

// procAddr writes a as the tables do: the address as 32-bit words in
// the machine's byte order, in hex, then the port; an IPv4 address in
// the IPv6 table is its mapped form.
func procAddr(a netip.AddrPort, v6 bool) string {
	var ip []byte
	if v6 {
		b := a.Addr().As16()
		ip = b[:]
	} else {
		b := a.Addr().Unmap().As4()
		ip = b[:]
	}
	var sb strings.Builder
	for i := 0; i < len(ip); i += 4 {
		fmt.Fprintf(&sb, "%08X", binary.NativeEndian.Uint32(ip[i:i+4]))
	}
	fmt.Fprintf(&sb, ":%04X", a.Port())
	return sb.String()
}
