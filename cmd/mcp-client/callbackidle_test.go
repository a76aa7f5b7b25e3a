package main

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCallbackStopsBesideIdleConnection checks that the callback's
// listener stops at once once the sign-in's callback came, though a
// browser opened a connection ahead and sent nothing on it (a graceful
// shutdown waits five seconds for such a connection, which the run would
// wait with), and that the browser's page went out whole before.
func TestCallbackStopsBesideIdleConnection(t *testing.T) {
	c := newCallback(0, nil, nil)
	if err := c.start(); err != nil {
		t.Fatal(err)
	}
	defer c.close()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(c.bound))
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	c.await("st-1")
	resp, err := http.Get("http://" + addr + "/callback?state=st-1&code=c-1")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !strings.Contains(string(body), "the sign-in came back") || resp.ContentLength != int64(len(body)) {
		t.Fatalf("page = %q (length %d, %v), want the whole sign-in page", body, resp.ContentLength, err)
	}
	if res := <-c.results; res.code != "c-1" {
		t.Fatalf("result %+v, want code c-1", res)
	}
	stopped := make(chan struct{})
	go func() {
		c.stop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(3 * time.Second): // well short of the graceful wait's five
		t.Fatal("stop waits for a connection that sent nothing")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the callback's port is still held after stop: %v", err)
	}
	ln.Close()
}
