package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"golang.org/x/oauth2"
)

// TestCallbackStoppedWhenHandlerFails checks that a sign-in whose handler
// cannot be made after the free port was taken (newHandler listens first,
// since the redirect URI names the port) leaves no listener open on it:
// the port is another run's to sign in on again.
func TestCallbackStoppedWhenHandlerFails(t *testing.T) {
	wantPortFreedAfterFailure(t, nil, errors.New("no handler for this redirect URI"))
}

// failingHandler is an OAuth handler whose flow fails before the browser
// is sent anywhere (discovery or registration refused).
type failingHandler struct{}

func (failingHandler) TokenSource(context.Context) (oauth2.TokenSource, error) { return nil, nil }
func (failingHandler) Authorize(context.Context, *http.Request, *http.Response) error {
	return errors.New("the authorization server's metadata was refused")
}

// TestCallbackStoppedWhenFlowFailsEarly checks that a sign-in whose flow
// fails after its handler took the free port, before any callback was
// awaited, leaves no listener open on it either.
func TestCallbackStoppedWhenFlowFailsEarly(t *testing.T) {
	wantPortFreedAfterFailure(t, failingHandler{}, nil)
}

// wantPortFreedAfterFailure runs a sign-in whose newHandler takes the
// callback's free port, as the real one does, and then returns handler
// and err; the sign-in must fail and leave the port free.
func wantPortFreedAfterFailure(t *testing.T, handler auth.OAuthHandler, err error) {
	t.Helper()
	callback := newCallback(0, nil, nil)
	defer callback.close()
	f := &oauthFlow{login: true, log: &exchangeLog{}, notice: io.Discard, callback: callback,
		newHandler: func() (auth.OAuthHandler, error) {
			if err := callback.start(); err != nil {
				return nil, err
			}
			return handler, err
		}}
	req, _ := http.NewRequest("POST", "http://127.0.0.1:1/mcp", nil)
	resp := &http.Response{StatusCode: http.StatusUnauthorized, Body: io.NopCloser(strings.NewReader(""))}
	if err := f.authorize(t.Context(), req, resp); err == nil {
		t.Fatal("the sign-in succeeded")
	}
	if callback.bound == 0 {
		t.Fatal("the callback never listened")
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(callback.bound)))
	if err != nil {
		t.Fatalf("the callback's port is still held after the failed sign-in: %v", err)
	}
	ln.Close()
}
