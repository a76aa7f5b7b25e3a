package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// userCacheDir is where the kept sign-ins live, under lambdamcp/mcp-client;
// tests replace it, so that no test reads or writes the user's own.
var userCacheDir = os.UserCacheDir

// maxKeptFile bounds what is read of a cache file: a kept token is a few
// KiB.
const maxKeptFile = 1 << 20

// keptToken is a person's token as its cache file holds it, with the
// token endpoint and the client authentication it came from: a later run
// refreshes it there. That endpoint was the pinned issuer's when the
// token was obtained (flowTransport sends a token request nowhere else),
// and is checked against its metadata again before a refresh goes there
// (pinnedIssuer.keptEndpoint): the file may not be this client's
// writing. The client secret is not kept: it stays in MCP_CLIENT_SECRET.
type keptToken struct {
	Key           string    `json:"key"` // of the issuer, client and server it is for
	Issuer        string    `json:"issuer"`
	ClientID      string    `json:"client_id"`
	Server        string    `json:"server"` // as redacted shows it, for a person reading the file
	TokenEndpoint string    `json:"token_endpoint"`
	AuthStyle     int       `json:"auth_style"` // oauth2.AuthStyle
	AccessToken   string    `json:"access_token"`
	TokenType     string    `json:"token_type,omitempty"`
	RefreshToken  string    `json:"refresh_token,omitempty"`
	Expiry        time.Time `json:"expiry,omitzero"`
	// RedirectURI is the one the client was registered with, when
	// mcp-client registered it (an empty ClientID of the cache): a later
	// sign-in comes back to it (callbackServer.useRegistered). "": a
	// client given, or a file written before it was kept.
	RedirectURI string `json:"redirect_uri,omitempty"`
}

// tokenCache is the file that keeps a person's sign-in for one issuer,
// client and MCP server between runs.
type tokenCache struct {
	path string
	key  string
	// slashPath and slashKey are those a file had before keys took the
	// issuer without its trailing slash, when it was written with one
	// (slashedKey): such a file is read when there is none at path, and
	// goes once a sign-in is kept at path, or forgotten.
	slashPath, slashKey      string
	issuer, clientID, server string
	notice                   io.Writer // says why a file is not used, or not written

	mu    sync.Mutex
	saved string // the access token last written or read
	// registered is the client mcp-client registered, and the redirect
	// URI it was registered with, as last read or written (an empty
	// clientID alone).
	registered struct{ clientID, redirectURI string }
	// The directories were refused when the run read the file: keep
	// neither makes nor writes anything there, and says nothing more.
	refused bool
	// The client registered at the sign-in got a secret, which is kept
	// nowhere: without it the client is of no use to a later run, and
	// its sign-in is not kept (said once).
	secretHeld bool

	// Tests' hooks, nil in a run: lockWaits is called when the lock is
	// another's, and refusedRead when forgetRefused has read the file,
	// before it deletes it.
	lockWaits, refusedRead func()
}

// newTokenCache is the cache of the sign-in of clientID at issuer for
// endpoint. An empty clientID is the client mcp-client registered at
// issuer itself (RFC 7591): the file keeps its id with the token, for
// the next run to sign in as it again.
func newTokenCache(issuer, clientID, endpoint string, notice io.Writer) (*tokenCache, error) {
	dir, err := userCacheDir()
	if err != nil {
		return nil, err
	}
	if !filepath.IsAbs(dir) {
		// os.UserCacheDir takes a relative $HOME as it is: the tokens
		// would go wherever the run is started, a checkout say.
		return nil, fmt.Errorf("the cache directory %q is not an absolute path (is $HOME relative?)", dir)
	}
	key, slash := cacheKey(issuer, clientID, endpoint), slashedKey(issuer, clientID, endpoint)
	kept := filepath.Join(dir, "lambdamcp", "mcp-client")
	return &tokenCache{
		path: filepath.Join(kept, key[:32]+".json"), key: key,
		slashPath: filepath.Join(kept, slash[:32]+".json"), slashKey: slash,
		issuer: issuer, clientID: clientID, server: redacted(endpoint), notice: notice,
	}, nil
}

// cacheKey is the key of the sign-in of clientID at issuer for endpoint,
// which names its file. The issuer is taken without a trailing slash:
// https://as.example/ and https://as.example are one authorization server
// to the go-sdk (issuersEqual), and a sign-in kept with one is found with
// the other, -logout's too. What is compared with the server is the
// issuer as given, as before.
func cacheKey(issuer, clientID, endpoint string) string {
	return keyOf(strings.TrimSuffix(issuer, "/"), clientID, endpoint)
}

// slashedKey is the key the sign-in of clientID at issuer for endpoint
// had when keys took the issuer as written, and it was written with a
// trailing slash; written without, that key is cacheKey's.
func slashedKey(issuer, clientID, endpoint string) string {
	return keyOf(strings.TrimSuffix(issuer, "/")+"/", clientID, endpoint)
}

func keyOf(issuer, clientID, endpoint string) string {
	sum := sha256.Sum256([]byte(issuer + "\x00" + clientID + "\x00" + endpoint))
	return hex.EncodeToString(sum[:])
}

// load is the kept token, nil when there is none or it cannot be used
// (the notice says why, in one line).
func (c *tokenCache) load() *keptToken {
	if c == nil {
		return nil
	}
	if err := c.checkDirs(); err != nil && !errors.Is(err, fs.ErrNotExist) {
		// Said once: the file there is not read, nor one written.
		fmt.Fprintf(c.notice, "mcp-client: no sign-in is kept between runs, nor one kept before used: %v\n", err)
		c.mu.Lock()
		c.refused = true
		c.mu.Unlock()
		return nil
	}
	k, why := c.read()
	if why != "" {
		c.ignore(why)
	}
	if k == nil {
		return nil
	}
	c.mu.Lock()
	c.saved = k.AccessToken
	if c.clientID == "" {
		c.registered.clientID, c.registered.redirectURI = k.ClientID, k.RedirectURI
	}
	c.mu.Unlock()
	return k
}

// read is the kept token, or why it cannot be used; neither when there
// is none. Leftover temporary files go first (sweep).
func (c *tokenCache) read() (*keptToken, string) {
	if err := c.checkDirs(); errors.Is(err, fs.ErrNotExist) {
		return nil, ""
	} else if err != nil {
		return nil, err.Error()
	}
	c.sweep(time.Now())
	k, why := readKeptFile(c.path)
	key := c.key
	if k == nil && why == "" {
		// None at its name: one kept under the name the issuer written
		// with a trailing slash gave it. One that cannot be used is
		// left unsaid: the next sign-in kept, or -logout, removes it.
		if k, _ = readKeptFile(c.slashPath); k == nil {
			return nil, ""
		}
		key = c.slashKey
	}
	if k == nil {
		return nil, why
	}
	switch u, err := url.Parse(k.TokenEndpoint); {
	case k.Key != key || !issuersEqual(k.Issuer, c.issuer) || k.ClientID != c.clientID && c.clientID != "" || k.ClientID == "":
		return nil, "it is another issuer's, client's or server's"
	case k.AccessToken == "":
		return nil, "it holds no access token"
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return nil, "it names no http(s) token endpoint"
	}
	return k, ""
}

// readKeptFile is the kept token in the file at path, or why it cannot
// be used; neither when there is none. Whose it is is not checked.
func readKeptFile(path string) (*keptToken, string) {
	f, err := openKept(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ""
	}
	if err != nil {
		return nil, err.Error()
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return nil, err.Error()
	case fi.IsDir():
		return nil, keptIsDir
	case !fi.Mode().IsRegular():
		return nil, "it is not a regular file"
	case !ownedByUser(fi):
		// Another user put it there (as root may): not the user's
		// sign-in, whatever it says.
		return nil, "it belongs to another user" + ownerOf(fi)
	case runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0:
		// Windows has no such mode bits: its ACLs decide.
		return nil, fmt.Sprintf("others may read or write it (mode %04o, not 0600)", fi.Mode().Perm())
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeptFile))
	if err != nil {
		return nil, err.Error()
	}
	var k keptToken
	if err := json.Unmarshal(data, &k); err != nil {
		return nil, "it is not a kept token (" + err.Error() + ")"
	}
	return &k, ""
}

// checkDirs refuses the directories the file is in, lambdamcp and
// lambdamcp/mcp-client, unless each is a directory of the user's that
// others may not write in: a cache directory may be shared (an
// XDG_CACHE_HOME under /tmp), and another user may have made them first.
func (c *tokenCache) checkDirs() error {
	dir := filepath.Dir(c.path)
	if err := checkCacheRoot(filepath.Dir(filepath.Dir(dir))); err != nil {
		return err
	}
	for _, d := range []string{filepath.Dir(dir), dir} {
		fi, err := os.Lstat(d)
		if err != nil {
			return err
		}
		why := notPrivateDir(fi)
		if !fi.IsDir() {
			why = "it is not a directory"
		}
		if why != "" {
			return fmt.Errorf("the directory %s is not the user's alone: %s", d, why)
		}
	}
	return nil
}

// checkCacheRoot refuses the user's cache directory, which lambdamcp is
// in, when another user may replace what is in it, lambdamcp itself
// after it was checked: one that another user owns (root aside), or that
// anyone may write in without the sticky bit (as /tmp has it), or a link
// to it that another user made (in /tmp, say), which they may point
// elsewhere. It may be a link of the user's, and may be group-writable:
// a user's own group often is.
func checkCacheRoot(root string) error {
	lfi, err := os.Lstat(root)
	if err != nil {
		return err
	}
	fi := lfi
	if lfi.Mode()&fs.ModeSymlink != 0 {
		if fi, err = os.Stat(root); err != nil {
			return err
		}
	}
	why := notPrivateRoot(lfi)
	if why == "" {
		why = notPrivateRoot(fi)
	}
	if why != "" {
		return fmt.Errorf("the directory %s is not the user's alone: %s", root, why)
	}
	return nil
}

// keptIsDir is why a directory at the file's name is not used: the new
// file is renamed onto the name, which cannot replace a directory, and
// one is not removed with what it holds.
const keptIsDir = "it is a directory, which a new sign-in cannot replace: remove it for one to be kept"

// ignore says why the file is not used; a sign-in overwrites it, a
// directory aside.
func (c *tokenCache) ignore(why string) {
	then := "; a new sign-in replaces it"
	if why == keptIsDir {
		then = ""
	}
	fmt.Fprintf(c.notice, "mcp-client: the kept sign-in %s is not used: %s%s\n", c.path, why, then)
}

// keep writes tok, obtained at cfg's token endpoint, unless it is the
// one last written or read, under the lock (within ctx): a run that
// deletes a refused token it read meanwhile waits, and then finds this
// one. A failure is said, not fatal: the run has its token.
func (c *tokenCache) keep(ctx context.Context, cfg *oauth2.Config, tok *oauth2.Token) {
	if c == nil || c.isSaved(tok) || c.isRefused() {
		return
	}
	err := os.MkdirAll(filepath.Dir(c.path), 0o700)
	var unlock func()
	if err == nil {
		unlock, err = c.lock(ctx)
	}
	if err != nil {
		fmt.Fprintf(c.notice, "mcp-client: the sign-in is not kept for the next run: %v\n", err)
		return
	}
	defer unlock()
	c.keepLocked(cfg, tok)
}

// isSaved says whether tok is the token last written or read.
func (c *tokenCache) isSaved(tok *oauth2.Token) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return tok.AccessToken == c.saved
}

// isRefused says whether load found the directories not the user's alone.
func (c *tokenCache) isRefused() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.refused
}

// keepLocked is keep, its caller holding the lock.
func (c *tokenCache) keepLocked(cfg *oauth2.Config, tok *oauth2.Token) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if tok.AccessToken == c.saved {
		return
	}
	if c.clientID == "" && cfg.ClientSecret != "" {
		if !c.secretHeld {
			fmt.Fprintln(c.notice, "mcp-client: the sign-in is not kept for the next run: the authorization server registered the client with a secret, which is kept nowhere; the next run registers again")
		}
		c.secretHeld = true
		return
	}
	k := keptToken{
		Key: c.key, Issuer: c.issuer, ClientID: or(c.clientID, cfg.ClientID), Server: c.server,
		TokenEndpoint: cfg.Endpoint.TokenURL, AuthStyle: int(cfg.Endpoint.AuthStyle),
		AccessToken: tok.AccessToken, TokenType: tok.TokenType, RefreshToken: tok.RefreshToken, Expiry: tok.Expiry,
	}
	if c.clientID == "" {
		// The redirect URI the client was registered with: the kept
		// one's, whatever port its sign-in came back to; a client
		// registered in this run was registered with the sign-in's.
		k.RedirectURI = cfg.RedirectURL
		if cfg.ClientID == c.registered.clientID {
			k.RedirectURI = c.registered.redirectURI
		}
	}
	if err := c.write(k); err != nil {
		fmt.Fprintf(c.notice, "mcp-client: the sign-in is not kept for the next run: %v\n", err)
		return
	}
	os.Remove(c.slashPath) // superseded; its caller holds the lock
	c.saved = tok.AccessToken
	if c.clientID == "" {
		c.registered.clientID, c.registered.redirectURI = k.ClientID, k.RedirectURI
	}
}

// write replaces the file with k at once (a temporary file renamed onto
// it), readable by the user alone: a run that reads it meanwhile, or a
// crash, never finds half a token.
func (c *tokenCache) write(k keptToken) error {
	data, err := json.MarshalIndent(k, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(c.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := c.checkDirs(); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, tempPattern) // 0600
	if err != nil {
		return err
	}
	_, err = f.Write(append(data, '\n'))
	if err == nil {
		err = f.Chmod(0o600) // CreateTemp's mode, whatever the umask
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), c.path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// forget deletes the file; false when there was none. The lock file
// goes too, whatever its owner held (a run waiting on it takes the one
// made next: lockFile): it holds no secret, but a sign-in that is gone
// leaves nothing behind. What cannot be removed of it is left, unsaid.
func (c *tokenCache) forget() (bool, error) {
	if c == nil {
		return false, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.saved = ""
	if err := c.checkDirs(); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else if err != nil {
		// Not through a directory another may have swapped, or a link
		// to one: what it names may not be this sign-in's.
		return false, err
	}
	err := os.Remove(c.path)
	os.Remove(c.lockPath())
	// One kept under the name of the issuer written with a trailing
	// slash (slashedKey) is this sign-in too.
	slashErr := os.Remove(c.slashPath)
	os.Remove(c.slashPath + lockSuffix)
	if errors.Is(err, fs.ErrNotExist) {
		err = slashErr
	}
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// forgetRefused deletes the file if it still holds refused, a token whose
// refresh the token endpoint refused; a file another run has written
// since holds a token of its own, left for the next run. A nil refused
// is not known: the file is deleted. The read and the delete are under
// the lock (within ctx), so that a token another run keeps meanwhile is
// written after the delete, not deleted by it.
func (c *tokenCache) forgetRefused(ctx context.Context, refused *oauth2.Token) {
	if c == nil {
		return
	}
	unlock, err := c.lock(ctx)
	if errors.Is(err, fs.ErrNotExist) {
		return // no directory, no file
	}
	if err != nil {
		fmt.Fprintf(c.notice, "mcp-client: the kept sign-in %s is not deleted: %v\n", c.path, err)
		return
	}
	defer unlock()
	if refused != nil {
		k, _ := c.read()
		if c.refusedRead != nil {
			c.refusedRead()
		}
		if k == nil || !k.holds(refused) {
			return
		}
	}
	c.forget()
}

// holds says whether k is tok, by its refresh token (the one a rotating
// token endpoint spends) and its access token.
func (k *keptToken) holds(tok *oauth2.Token) bool {
	return k.RefreshToken == tok.RefreshToken && k.AccessToken == tok.AccessToken
}

// keepingSource is the token source of a person's sign-in: each token it
// gives, new or refreshed, is hidden from the trace and from echoed
// errors (the refresh token too), and kept for the next run.
type keepingSource struct {
	base    oauth2.TokenSource
	ctx     context.Context // the refreshes'
	wait    context.Context // the run's: bounds a wait for the cache's lock
	cfg     *oauth2.Config
	cache   *tokenCache // nil: nothing kept
	secrets *secretSet

	mu   sync.Mutex
	held *oauth2.Token // the token last given
}

// newKeepingSource is the source of tok, refreshed within ctx, and kept
// under the cache's lock, waited for within wait.
func newKeepingSource(ctx, wait context.Context, cfg *oauth2.Config, tok *oauth2.Token, cache *tokenCache, secrets *secretSet) *keepingSource {
	s := &keepingSource{base: cfg.TokenSource(ctx, tok), ctx: ctx, wait: wait, cfg: cfg, cache: cache, secrets: secrets}
	s.obtained(tok)
	cache.keep(wait, cfg, tok)
	return s
}

// Token is the token held while it is valid. One that has expired is
// refreshed under the cache's lock, so that two runs do not both spend
// the one refresh token (a rotating token endpoint refuses the second,
// and may revoke what the first got), and the file is read first: a
// token another run kept since is taken up, refreshed if it has expired
// too, instead.
func (s *keepingSource) Token() (*oauth2.Token, error) {
	if held := s.last(); held.Valid() {
		return held, nil
	}
	unlock, err := s.cache.lock(s.wait)
	if errors.Is(err, fs.ErrNotExist) {
		unlock, err = func() {}, nil // no directory: no other run's token either
	}
	if err != nil {
		return nil, err
	}
	defer unlock()
	s.takeUp()
	tok, err := s.base.Token()
	if err != nil {
		return nil, err
	}
	s.obtained(tok)
	s.cache.keepLocked(s.cfg, tok)
	return tok, nil
}

// takeUp makes the token kept now the one refreshed, if another run kept
// it since this one was held, for the same client, token endpoint and
// client authentication (another goes through the pinned issuer's check
// first: oauthFlow.keptSince; a refresh token is refused to another
// client than its own, as two runs that each registered one have).
// Its caller holds the lock.
func (s *keepingSource) takeUp() {
	if s.cache == nil {
		return
	}
	k, _ := s.cache.read()
	if !usableSince(k, s.last(), time.Now()) || k.ClientID != s.cfg.ClientID || k.TokenEndpoint != s.cfg.Endpoint.TokenURL || oauth2.AuthStyle(k.AuthStyle) != s.cfg.Endpoint.AuthStyle {
		return
	}
	tok := k.token()
	s.base = s.cfg.TokenSource(s.ctx, tok)
	s.obtained(tok)
	s.cache.mu.Lock()
	s.cache.saved = k.AccessToken
	s.cache.mu.Unlock()
}

// token is k as oauth2 has it.
func (k *keptToken) token() *oauth2.Token {
	return &oauth2.Token{AccessToken: k.AccessToken, TokenType: k.TokenType, RefreshToken: k.RefreshToken, Expiry: k.Expiry}
}

func (s *keepingSource) obtained(tok *oauth2.Token) {
	s.mu.Lock()
	s.held = tok
	s.mu.Unlock()
	s.secrets.addObtained(tok.AccessToken, minSecret)
	s.secrets.addObtained(tok.RefreshToken, minSecret)
}

// last is the token last given.
func (s *keepingSource) last() *oauth2.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held
}

// keptSource is the token source of a kept sign-in: it refreshes the
// token at the token endpoint it came from, with client (the flow's,
// which sends a token request to a pinned endpoint alone), within ctx.
func keptSource(ctx context.Context, k *keptToken, clientSecret string, client *http.Client, cache *tokenCache, secrets *secretSet) *keepingSource {
	cfg := &oauth2.Config{
		ClientID: k.ClientID, ClientSecret: clientSecret,
		Endpoint: oauth2.Endpoint{TokenURL: k.TokenEndpoint, AuthStyle: oauth2.AuthStyle(k.AuthStyle)},
	}
	return newKeepingSource(context.WithValue(ctx, oauth2.HTTPClient, client), ctx, cfg, k.token(), cache, secrets)
}
