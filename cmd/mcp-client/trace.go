package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptrace"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// traceBodyLimit bounds what -trace shows of one body.
const traceBodyLimit = 64 << 10

// tracer is -trace: an http.RoundTripper that shows each exchange on out as
// it happens, numbered, "#1 >" for what is sent and "#1 <" for what comes
// back: the request's method, URL, headers and body, then the answer's
// status, headers and body, the body a line at a time as the client reads
// it, so that an event stream's events show as they arrive and nothing is
// held back. A request that never went out (its context ended, no
// connection was made) is shown on one line as not sent. What it passes on
// is what it was given, in a context that reports the request's writing:
// it only watches.
//
// Nothing secret is shown: the URL as redacted has it, credential headers
// by name alone; and what the server sends is escaped (printable).
type tracer struct {
	base    http.RoundTripper
	out     io.Writer  // takes whole lines from several goroutines
	secrets *secretSet // out hides them whole; a body cut short may end in one's start
	seq     atomic.Int64
}

func (t *tracer) RoundTrip(r *http.Request) (*http.Response, error) {
	n := t.seq.Add(1)
	sent, got := fmt.Sprintf("#%d >", n), fmt.Sprintf("#%d <", n)
	target := redacted(r.URL.String())
	// A request is shown once its headers went out, not before: the
	// go-sdk hands the transport requests whose context already ended (the
	// initialize after a server/discover that -timeout cut), which it
	// refuses; those were never sent, and are shown as such.
	var wrote atomic.Bool
	var show sync.Once
	showRequest := func() {
		show.Do(func() {
			t.line(sent, r.Method+" "+target)
			t.headers(sent, r.Header)
			t.requestBody(sent, r)
		})
	}
	ctx := httptrace.WithClientTrace(r.Context(), &httptrace.ClientTrace{WroteHeaders: func() {
		wrote.Store(true)
		showRequest()
	}})
	start := time.Now()
	resp, err := t.base.RoundTrip(r.WithContext(ctx))
	// Transports' errors may quote the URL.
	if err != nil && !wrote.Load() {
		t.line(sent, r.Method+" "+target+" not sent: "+scrubbed{err, r.URL.String(), target}.Error())
		return resp, err
	}
	showRequest() // all of it, before the answer (or when base reports no writes)
	if err != nil {
		t.line(got, "failed: "+scrubbed{err, r.URL.String(), target}.Error())
		return resp, err
	}
	t.line(got, fmt.Sprintf("%s (%d ms)", resp.Status, time.Since(start).Milliseconds()))
	t.headers(got, resp.Header)
	if resp.Body != nil && resp.Body != http.NoBody {
		resp.Body = &tracedBody{ReadCloser: resp.Body, lines: &bodyLines{t: t, prefix: got}}
	}
	return resp, nil
}

// line shows text after prefix as one write, as the client's lines quote
// a server (secretSet.line): its secrets hidden before it is escaped (a
// secret holding a byte that is escaped would not be found after), and
// cut at maxLine, as a header of a megabyte would run on.
func (t *tracer) line(prefix, text string) {
	t.write(prefix, t.secrets.line(text))
}

// bodyLine shows a line of a body, its secrets hidden before it is
// escaped, whole: the body's bound (traceBodyLimit) bounds it, and an
// answer is often one line of JSON that a cut would spoil.
func (t *tracer) bodyLine(prefix, text string) {
	t.write(prefix, printable(string(t.secrets.hide([]byte(text)))))
}

func (t *tracer) write(prefix, shown string) {
	io.WriteString(t.out, strings.TrimRight(prefix+" "+shown, " ")+"\n")
}

func (t *tracer) headers(prefix string, h http.Header) {
	for _, name := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[name] {
			t.line(prefix, name+": "+headerShown(name, v))
		}
	}
}

// requestBody shows r's body from a copy (GetBody), leaving r's own to
// the transport. The go-sdk's bodies are in memory and always have one.
func (t *tracer) requestBody(prefix string, r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		return
	}
	if r.GetBody == nil {
		t.line(prefix, "(a body that can be read only once, not shown)")
		return
	}
	body, err := r.GetBody()
	if err != nil {
		t.line(prefix, "(body not shown: "+err.Error()+")")
		return
	}
	defer body.Close()
	lines := &bodyLines{t: t, prefix: prefix}
	_, err = io.Copy(lines, body)
	lines.end(err)
}

// credentialNames are the parts of a header's name that mark its value as
// a credential, or as something a credential could be made of.
var credentialNames = []string{"authorization", "cookie", "token", "secret", "password", "key", "credential", "signature"}

// headerShown is the value of header name as -trace shows it: a
// credential by its scheme alone ("Bearer [hidden]"), a stateful server's
// session id not at all, a Location as redacted shows a URL, others as
// they are.
func headerShown(name, value string) string {
	lower := strings.ToLower(name)
	if lower == "mcp-session-id" {
		// Whoever holds it may send requests in the session (the MCP
		// specification's session hijacking); the server checks the token
		// too only if it binds the two.
		return "[hidden]"
	}
	for _, c := range credentialNames {
		if strings.Contains(lower, c) {
			if scheme, _, ok := strings.Cut(value, " "); ok && strings.HasSuffix(lower, "authorization") {
				return scheme + " [hidden]"
			}
			return "[hidden]"
		}
	}
	if lower == "location" || lower == "content-location" || lower == "referer" {
		return redacted(value)
	}
	return value
}

// Credential fields of a body: a token endpoint's JSON answer (RFC 6749
// §5.1), or its form answer, which golang.org/x/oauth2 takes too (GitHub
// answers so), and the client secret of its form request
// (client_secret_post), or the authorization code and its PKCE verifier
// (RFC 7636 §4.5), or the token a revocation request carries (RFC 7009
// §2.1), or a registration's answer: the client's secret and the token
// to manage it by (RFC 7591 §3.2.1, RFC 7592).
// A body's tokens are shown before the client has read them, so they
// cannot be hidden by value; a line cut at traceBodyLimit may end inside
// a value, which is hidden to its end.
var (
	jsonCredentialField = regexp.MustCompile(`("(?:access_token|refresh_token|id_token|client_secret|registration_access_token)"\s*:\s*")(?:[^"\\]|\\.)*\\?("|$)`)
	formCredentialField = regexp.MustCompile(`((?:^|&)(?:client_secret|client_assertion|access_token|refresh_token|id_token|password|code|code_verifier|token)=)[^&]*`)
)

// hideCredentialFields is a body's line with the values of its credential
// fields written as "[hidden]".
func hideCredentialFields(line string) string {
	line = jsonCredentialField.ReplaceAllString(line, "${1}[hidden]${2}")
	return formCredentialField.ReplaceAllString(line, "${1}[hidden]")
}

// tracedBody is a response body that shows what is read from it.
type tracedBody struct {
	io.ReadCloser
	lines *bodyLines
}

func (b *tracedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.lines.Write(p[:n])
	if err != nil {
		b.lines.end(err)
	}
	return n, err
}

func (b *tracedBody) Close() error {
	b.lines.end(errClosed)
	return b.ReadCloser.Close()
}

// errClosed ends a body closed before its end was read.
var errClosed = errors.New("closed")

// bodyLines shows a body a line at a time as it is written to it, the
// first traceBodyLimit bytes of it, and at its end how much there was.
type bodyLines struct {
	t      *tracer
	prefix string

	mu    sync.Mutex // a body may be closed while it is read
	line  []byte     // the start of a line not yet shown
	n     int64      // bytes written
	ended bool
}

func (b *bodyLines) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ended {
		return len(p), nil
	}
	shown := b.n
	b.n += int64(len(p))
	if room := traceBodyLimit - shown; room > 0 {
		show := p[:min(int64(len(p)), room)]
		for {
			i := bytes.IndexByte(show, '\n')
			if i < 0 {
				break
			}
			b.t.bodyLine(b.prefix, "| "+hideCredentialFields(string(append(b.line, show[:i]...))))
			b.line, show = b.line[:0], show[i+1:]
		}
		b.line = append(b.line, show...)
	}
	return len(p), nil
}

// end shows the rest of the body's last line and how the body ended: at
// its end (err nil or io.EOF), closed before it (errClosed), or failed
// with err. A body closed before anything was read from it (a
// notification's answer) ends unseen.
func (b *bodyLines) end(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ended {
		return
	}
	b.ended = true
	line := b.line
	if b.n > traceBodyLimit {
		// Cut at the bound: the cut may fall inside a secret.
		line = b.t.secrets.withoutPartial(line)
	}
	if len(line) > 0 {
		b.t.bodyLine(b.prefix, "| "+hideCredentialFields(string(line)))
	}
	var summary string
	switch {
	case err == errClosed && b.n == 0:
		return
	case err == errClosed:
		summary = fmt.Sprintf("(body closed after %d bytes", b.n)
	case err == nil || err == io.EOF:
		summary = fmt.Sprintf("(end of body, %d bytes", b.n)
	default:
		summary = fmt.Sprintf("(body failed after %d bytes: %v", b.n, err)
	}
	if b.n > traceBodyLimit {
		summary += fmt.Sprintf("; %d bytes past the first %d KiB not shown", b.n-traceBodyLimit, traceBodyLimit>>10)
	}
	b.t.line(b.prefix, summary+")")
}

// syncWriter passes whole writes to w one at a time, for the goroutines
// that share it, and drops those that come after close: a stream's
// goroutine may still be reading when the run has ended. Each of secrets
// is written as "[hidden]": a server may repeat the token it was sent in
// what the client shows of its answers (API Gateway quotes the
// Authorization header it could not read as a signature).
type syncWriter struct {
	mu      sync.Mutex
	w       io.Writer
	secrets *secretSet // nil: none
	// named hides only the secrets named so (secretSet.hideNamed), for
	// standard output.
	named  bool
	closed bool
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return len(p), nil
	}
	n := len(p)
	hide := s.secrets.hide
	if s.named {
		hide = s.secrets.hideNamed
	}
	if _, err := s.w.Write(hide(p)); err != nil {
		return 0, err
	}
	return n, nil
}

func (s *syncWriter) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
}
