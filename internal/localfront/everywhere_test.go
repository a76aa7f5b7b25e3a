package localfront

import (
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestReachableAddr(t *testing.T) {
	tests := []struct {
		addr *net.TCPAddr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4zero, Port: 9000}, "127.0.0.1:9000"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 9000}, "127.0.0.1:9000"},
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9000}, "127.0.0.1:9000"},
		{&net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 80}, "192.0.2.1:80"},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 443}, "[2001:db8::1]:443"},
	}
	for _, tc := range tests {
		if got := reachableAddr(tc.addr); got != tc.want {
			t.Errorf("reachableAddr(%v) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

// TestListeningEverywhere: a front on 0.0.0.0 prints a URL a client on this
// machine can use, and names in its challenges the host a request reached
// it by (a client on another machine knows it by another name; here,
// localhost stands for one).
func TestListeningEverywhere(t *testing.T) {
	var seen []string
	f := startFront(t, Config{Shape: ShapeREST, Addr: "0.0.0.0:0", Function: echoFunction(), Authorizer: testAuthorizer(&seen),
		Deploy: &DeployREST{JWT: true, RequiredScopes: []string{"mcp:tools"}}})
	if !strings.HasPrefix(f.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL() = %q, want it on 127.0.0.1", f.URL())
	}
	_, port, err := net.SplitHostPort(strings.TrimPrefix(strings.TrimSuffix(f.URL(), "/dev"), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"", "localhost:" + port} {
		req, err := http.NewRequest(http.MethodPost, f.URL()+"/mcp", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		base := f.URL()
		if host != "" {
			req.Host = host
			base = "http://" + host + "/dev"
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := `Bearer resource_metadata="` + base + `/.well-known/oauth-protected-resource/mcp", scope="mcp:tools"`
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != want {
			t.Errorf("Host %q: %d %q, want 401 %q", req.Host, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), want)
		}
	}
}
