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
	callback := newCallback(0, nil)
	defer callback.close()
	f := &oauthFlow{login: true, log: &exchangeLog{}, notice: io.Discard, callback: callback,
		newHandler: func() (auth.OAuthHandler, error) {
			if err := callback.start(); err != nil {
				return nil, err
			}
			return nil, errors.New("no handler for this redirect URI")
		}}
	req, _ := http.NewRequest("POST", "http://127.0.0.1:1/mcp", nil)
	resp := &http.Response{StatusCode: http.StatusUnauthorized, Body: io.NopCloser(strings.NewReader(""))}
	if err := f.authorize(t.Context(), req, resp); err == nil {
		t.Fatal("authorize succeeded without a handler")
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
	callback := newCallback(0, nil)
	defer callback.close()
	f := &oauthFlow{login: true, log: &exchangeLog{}, notice: io.Discard, callback: callback,
		newHandler: func() (auth.OAuthHandler, error) {
			if err := callback.start(); err != nil {
				return nil, err
			}
			return failingHandler{}, nil
		}}
	req, _ := http.NewRequest("POST", "http://127.0.0.1:1/mcp", nil)
	resp := &http.Response{StatusCode: http.StatusUnauthorized, Body: io.NopCloser(strings.NewReader(""))}
	if err := f.authorize(t.Context(), req, resp); err == nil {
		t.Fatal("authorize succeeded with a failing flow")
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
