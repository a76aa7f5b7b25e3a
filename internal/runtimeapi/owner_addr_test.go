package runtimeapi

import (
	"net"
	"os"
	"testing"
)

// TestForeignUserAddresses checks the owner look-up beyond IPv4 loopback:
// a connection over ::1 is found in the IPv6 table, as its owner's, and a
// connection from beyond the machine, which no table lists by its client
// end, is not judged foreign for that, while a loopback connection no
// table lists is: its owner is unknown.
func TestForeignUserAddresses(t *testing.T) {
	if _, err := os.ReadFile(procTCPTables[1]); err != nil {
		t.Skipf("the system does not list IPv6 sockets' owners: %v", err)
	}
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()

	remote := &net.TCPAddr{IP: net.ParseIP("192.0.2.2"), Port: 5555}
	away := &net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 9001}
	tests := []struct {
		name          string
		uid           int
		local, remote net.Addr
		want          bool
	}{
		{"::1, own user", os.Getuid(), server.LocalAddr(), server.RemoteAddr(), false},
		{"::1, another user", os.Getuid() + 1, server.LocalAddr(), server.RemoteAddr(), true},
		{"not loopback", os.Getuid(), away, remote, false},
		// No one listens on port 1, nor connects from port 2.
		{"loopback, in no table", os.Getuid(), &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &Server{uid: tc.uid}
			if got := s.foreignUser(tc.local, tc.remote); got != tc.want {
				t.Errorf("foreignUser(%v, %v) = %v, want %v", tc.local, tc.remote, got, tc.want)
			}
		})
	}
}
