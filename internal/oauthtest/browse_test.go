package oauthtest

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestBrowseSignIns gives BrowseSignIns a client's standard error: each
// sign-in URL on it is browsed through the authorization endpoint to the
// callback, every line is copied, a browse that fails stops the client,
// and output that cannot be read is an error.
func TestBrowseSignIns(t *testing.T) {
	a, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var callbacks []string
	callback := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		callbacks = append(callbacks, r.URL.Query().Get("state"))
		if r.URL.Query().Get("state") == "refused" {
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer callback.Close()
	// A callback no one serves any more: a client that gave up.
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	signInTo := func(redirect, clientID, state string) string {
		return a.URL + "/oauth2/authorize?" + url.Values{
			"client_id": {clientID}, "redirect_uri": {redirect}, "state": {state},
			"response_type": {"code"}, "code_challenge": {"x"}, "code_challenge_method": {"S256"},
		}.Encode()
	}
	signIn := func(clientID, state string) string { return signInTo(callback.URL+"/callback", clientID, state) }
	tests := []struct {
		name          string
		stderr        string
		unread        string // what follows stderr that cannot be read
		wantSignIns   int
		wantErr       bool
		wantErrText   string
		wantStopped   bool
		wantCallbacks []string // the states the callback saw
	}{
		{name: "no sign-in", stderr: "mcp-client: tools: ping\n"},
		{name: "a sign-in", stderr: "before\n" + SignInPrefix + signIn(a.ClientID, "s1") + "\nafter\n",
			wantSignIns: 1, wantCallbacks: []string{"s1"}},
		{name: "a sign-in the server cannot redirect", stderr: SignInPrefix + signIn("another", "s2") + "\n",
			wantSignIns: 1, wantErr: true, wantErrText: "400", wantStopped: true},
		// The code is not repeated: the error names where it ended, not
		// the callback's query.
		{name: "a sign-in whose callback refuses", stderr: SignInPrefix + signIn(a.ClientID, "refused") + "\n",
			wantSignIns: 1, wantErr: true, wantErrText: "browsing the sign-in URL: " + strings.TrimPrefix(callback.URL, "http://") + "/callback answered 404",
			wantStopped: true, wantCallbacks: []string{"refused"}},
		{name: "a sign-in whose callback is not served", stderr: SignInPrefix + signInTo(gone.URL+"/callback", a.ClientID, "s3") + "\n",
			wantSignIns: 1, wantErr: true, wantErrText: "browsing the sign-in URL: dial tcp", wantStopped: true},
		// The sign-in before it is browsed, but the rest of the output
		// is lost: the run cannot be judged on it.
		{name: "a line over the scanner's limit", stderr: SignInPrefix + signIn(a.ClientID, "s4") + "\n",
			unread:      strings.Repeat("x", bufio.MaxScanTokenSize) + "\n" + SignInPrefix + signIn(a.ClientID, "s5") + "\n",
			wantSignIns: 1, wantErr: true, wantErrText: bufio.ErrTooLong.Error(), wantCallbacks: []string{"s4"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			callbacks = nil
			var copied strings.Builder
			stopped := false
			// Through a pipe, as a client's stderr: its writer must not be
			// left blocked, whatever could not be read.
			r, w := io.Pipe()
			t.Cleanup(func() { r.Close() })
			wrote := make(chan error, 1)
			go func() {
				_, err := io.WriteString(w, tc.stderr+tc.unread)
				w.Close()
				wrote <- err
			}()
			signIns, err := BrowseSignIns(t.Context(), r, &copied, func() { stopped = true })
			select {
			case werr := <-wrote:
				if werr != nil {
					t.Errorf("writing the client's output: %v", werr)
				}
			case <-time.After(10 * time.Second):
				t.Error("the client's output was not read to its end: a client still writing would be blocked")
			}
			if signIns != tc.wantSignIns || (err != nil) != tc.wantErr || stopped != tc.wantStopped {
				t.Errorf("%d sign-ins, %v, stopped %v: want %d, an error %v, stopped %v", signIns, err, stopped, tc.wantSignIns, tc.wantErr, tc.wantStopped)
			}
			if err != nil && (!strings.Contains(err.Error(), tc.wantErrText) || strings.Contains(err.Error(), "code=")) {
				t.Errorf("error %q: want it to say %q, and no code", err, tc.wantErrText)
			}
			if diff := cmp.Diff(tc.stderr, copied.String()); diff != "" {
				t.Errorf("copied (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantCallbacks, callbacks); diff != "" {
				t.Errorf("callbacks (-want +got):\n%s", diff)
			}
		})
	}
}
