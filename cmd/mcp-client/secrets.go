package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// secretSet holds what the client must not show even when a server repeats
// it: the token (also one obtained during the run, with the client secret
// it was obtained with), the endpoint's user name and password (also as
// the Basic credentials net/http sends for them), the values of its
// query's credential parameters, and the session id a stateful server
// gives, each in the forms a server may echo it in.
type secretSet struct {
	mu    sync.RWMutex // a token obtained during the run is added while others read
	forms [][]byte     // longest first, so that one holding another is hidden whole
	// guessed are the forms of query values held secrets by their length
	// alone, no name saying so: hidden in what the client says itself,
	// but left in a result (hideNamed), whose data they may well be.
	guessed map[string]bool
}

// Secrets shorter than these could not be told from the words around them
// (a user name "client" in "mcp-client"); a query value is a secret when
// its parameter's name says so, or when it is long enough to be one.
const (
	minSecret      = 8
	minQuerySecret = 16
)

// credentialWords are the words of a query parameter's name (split at
// what is not a letter or digit, and where a lower-case letter meets an
// upper-case one: apiKey, api_key, X-Amz-Signature) that make its value a
// secret from minCredential bytes; a word only inside another ("keyword")
// does not.
var credentialWords = []string{"key", "apikey", "token", "secret", "sig", "signature", "pass", "password", "passwd", "auth", "authorization", "credential", "credentials", "code"}

const minCredential = 6

// credentialName reports whether a query parameter's name says its value
// is a credential.
func credentialName(name string) bool {
	var words []string
	start := 0
	for i, r := range name {
		switch {
		case !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'):
			words = append(words, name[start:i])
			start = i + 1
		case r >= 'A' && r <= 'Z' && i > start && name[i-1] >= 'a' && name[i-1] <= 'z':
			words = append(words, name[start:i])
			start = i
		}
	}
	words = append(words, name[start:])
	for _, w := range words {
		if slices.Contains(credentialWords, strings.ToLower(w)) {
			return true
		}
	}
	return false
}

// newSecretSet holds the endpoint's secrets and tokens, each a token or a
// client secret.
func newSecretSet(endpoint string, tokens ...string) *secretSet {
	s := &secretSet{}
	for _, t := range tokens {
		s.add(t, minSecret)
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return s.sorted()
	}
	if u.User != nil {
		password, _ := u.User.Password()
		s.add(u.User.Username(), minSecret)
		s.add(password, minSecret)
		s.add(base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+password)), minSecret)
	}
	for pair := range strings.SplitSeq(u.RawQuery, "&") {
		rawName, rawValue, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(rawName)
		if err != nil {
			name = rawName
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			value = rawValue
		}
		if credentialName(name) {
			s.add(value, minCredential)
			s.add(rawValue, minCredential) // as sent, which a server may echo undecoded
			continue
		}
		s.addGuessed(value, minQuerySecret)
		s.addGuessed(rawValue, minQuerySecret)
	}
	return s.sorted()
}

// add adds secret, when it has at least least bytes, in the forms a server
// may repeat it in: as it is, percent-encoded for a query or a path, and
// escaped as a JSON string is (also with "/" as "\/"); and as printable
// escapes it, for what is escaped before it is written (a result on a
// terminal).
func (s *secretSet) add(secret string, least int) {
	s.addForms(secret, least, false)
}

// addGuessed adds a query value that no name marks as a credential, held
// a secret for its length alone (an API key under a name of the server's
// own): a result may hold it as data (a workspace, a tenant), and keeps
// it (hideNamed).
func (s *secretSet) addGuessed(secret string, least int) {
	s.addForms(secret, least, true)
}

func (s *secretSet) addForms(secret string, least int, guessed bool) {
	if len(secret) < least {
		return
	}
	quoted, _ := json.Marshal(secret) // a string always encodes
	escaped := string(quoted[1 : len(quoted)-1])
	for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret), escaped, strings.ReplaceAll(escaped, "/", `\/`), printable(secret)} {
		switch {
		case !slices.ContainsFunc(s.forms, func(f []byte) bool { return string(f) == form }):
			s.forms = append(s.forms, []byte(form))
			if guessed {
				if s.guessed == nil {
					s.guessed = map[string]bool{}
				}
				s.guessed[form] = true
			}
		case !guessed:
			delete(s.guessed, form) // a credential too, whatever else it is
		}
	}
}

// addObtained adds a secret obtained during the run, when it has at least
// least bytes: a token (minSecret), or an authorization code
// (minCredential: short ones too, since the user did not choose it).
func (s *secretSet) addObtained(secret string, least int) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.add(secret, least)
	s.sorted()
}

func (s *secretSet) sorted() *secretSet {
	slices.SortFunc(s.forms, func(a, b []byte) int { return len(b) - len(a) })
	return s
}

// hide is p with every secret written as "[hidden]". A nil set hides
// nothing.
func (s *secretSet) hide(p []byte) []byte {
	return s.hideSome(p, true)
}

// hideNamed is p with the secrets written as "[hidden]" but for the query
// values held secrets by their length alone: those of a result, on
// standard output, which the user reads and pipes on as data.
func (s *secretSet) hideNamed(p []byte) []byte {
	return s.hideSome(p, false)
}

func (s *secretSet) hideSome(p []byte, guessed bool) []byte {
	if s == nil {
		return p
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, f := range s.forms {
		if !guessed && s.guessed[string(f)] {
			continue
		}
		if bytes.Contains(p, f) {
			p = bytes.ReplaceAll(p, f, []byte("[hidden]"))
		}
	}
	return p
}

// maxQuoted bounds each piece of what a server sent (a JSON-RPC error's
// message, an OAuth error or error_description, a challenge's parameter,
// a tool's error text) that a line of the client's quotes, and maxLine
// the whole line: an answer may hold up to 64 MiB, and a server, broken
// or hostile, could fill the terminal with one.
const (
	maxQuoted = 512
	maxLine   = 4 << 10
)

// clip is text as a line quotes it: its secrets hidden, at most maxQuoted
// bytes of it, then what was left out, as cut says.
func (s *secretSet) clip(text string) string {
	head, rest := s.cut(text, maxQuoted)
	return head + rest
}

// clipLine is a whole line as the client writes it: its secrets hidden,
// at most maxLine bytes of it, then what was left out. It bounds what a
// line quotes beyond the pieces clip bounds (an error's text that holds
// a server's words).
func (s *secretSet) clipLine(line string) string {
	head, rest := s.cut(line, maxLine)
	return head + rest
}

// line is a line the client writes of its own that quotes what a server
// sent (its name, a listing's names and descriptions, a progress or log
// message, a failure): its secrets hidden, escaped as printable escapes
// it, then bounded as clipLine bounds it. The bound is the line's as
// written: an escape takes four or six bytes for one or three of the
// server's.
func (s *secretSet) line(text string) string {
	var none *secretSet // the secrets are hidden already, in the forms the server sent them
	return none.clipLine(printable(string(s.hide([]byte(text)))))
}

// quote is clip quoted as Go quotes a string, what was left out said
// after the quotes: "the head"… (1234 more bytes not shown).
func (s *secretSet) quote(text string) string {
	head, rest := s.cut(text, maxQuoted)
	return strconv.Quote(head) + rest
}

// cut is text with its secrets hidden, cut after limit bytes as
// textcut.Cut cuts (at the start of a character), and, when it was, what
// was left out: "… (1234 more bytes not shown)". The secrets are hidden
// before the cut, so that no part of one is shown where the cut falls
// inside it.
func (s *secretSet) cut(text string, limit int) (head, rest string) {
	text = string(s.hide([]byte(text)))
	if len(text) <= limit {
		return text, ""
	}
	head = strings.TrimSuffix(textcut.Cut(text, limit), "…") // its mark, said here with the count
	return head, fmt.Sprintf("… (%d more bytes not shown)", len(text)-len(head))
}

// withoutPartial is line without an ending that begins a secret, for a
// line cut short: the rest of that secret was never shown to be hidden.
func (s *secretSet) withoutPartial(line []byte) []byte {
	if s == nil {
		return line
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	cut := len(line)
	for _, f := range s.forms {
		for n := min(len(f)-1, len(line)); n > 0; n-- {
			if bytes.HasSuffix(line, f[:n]) {
				cut = min(cut, len(line)-n)
				break
			}
		}
	}
	return line[:cut]
}
