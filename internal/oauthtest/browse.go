package oauthtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// SignInPrefix begins the line on which cmd/mcp-client -login prints the
// URL a person signs in at.
const SignInPrefix = "mcp-client: sign in at "

// Browse is a browser sent to u: it follows the redirects, from the
// authorization endpoint (which approves at once) to the client's
// callback, whose page must answer 200.
func Browse(ctx context.Context, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		// Not the URL it failed at, the error's: a callback's carries
		// the code.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("browsing the sign-in URL: %w", err)
	}
	defer resp.Body.Close()
	// Where it ended, without the query: a callback's carries the code.
	end := resp.Request.URL.Host + resp.Request.URL.Path
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return fmt.Errorf("browsing the sign-in URL, at %s: %w", end, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("browsing the sign-in URL: %s answered %d", end, resp.StatusCode)
	}
	return nil
}

// BrowseSignIns is the person at the terminal of a client signing in: it
// copies the client's standard error r to w line by line and browses
// each sign-in URL printed there. When a browse fails it calls stop,
// since the client would wait for its callback until its timeout. It
// returns once r ends and every browse has, with how many sign-in URLs
// were printed and the first browse's error, or else r's read error (a
// line too long to scan), the rest of r read but not copied.
func BrowseSignIns(ctx context.Context, r io.Reader, w io.Writer, stop func()) (signIns int, err error) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	lines := bufio.NewScanner(r)
	for lines.Scan() {
		io.WriteString(w, lines.Text()+"\n")
		u, ok := strings.CutPrefix(lines.Text(), SignInPrefix)
		if !ok {
			continue
		}
		signIns++
		wg.Go(func() {
			if berr := Browse(ctx, u); berr != nil {
				stop()
				mu.Lock()
				if err == nil {
					err = berr
				}
				mu.Unlock()
			}
		})
	}
	rerr := lines.Err()
	if rerr != nil {
		// Read on to the end, uncopied, so that a client still writing
		// is not left blocked on a full pipe until its timeout.
		io.Copy(io.Discard, r)
	}
	wg.Wait()
	if err == nil {
		err = rerr
	}
	return signIns, err
}
