// Command mcp-client connects to an MCP server, lists its tools, prompts,
// resources and resource templates (those it declares) and calls ping
// twice (when the server has one), printing what it sees for a
// person to read; or, with -call, calls one tool with JSON arguments and
// shows its progress as it runs; or, with -prompt, gets one prompt with
// string arguments; or, with -read, reads one resource. A tool or prompt
// that asks the user for input (elicitation) gets the answer -elicit gives,
// also when a 2025-era server asks on the stream for the messages it sends
// on its own (the GET, opened without waiting for its answer), as
// TypeScript SDK servers do for what a tool asks without naming its call.
//
//	go run ./cmd/mcp-client                                   # http://127.0.0.1:8080/mcp
//	MCP_TOKEN="$TOKEN" go run ./cmd/mcp-client -endpoint https://…/dev/mcp
//	MCP_CLIENT_ID=… MCP_CLIENT_SECRET=… go run ./cmd/mcp-client -endpoint https://…/dev/mcp -issuer https://…
//	go run ./cmd/mcp-client -login -client-id … -issuer https://… -endpoint https://…/dev/mcp
//	go run ./cmd/mcp-client -login -endpoint https://…/mcp
//	go run ./cmd/mcp-client -protocol 2025-11-25              # the initialize-handshake era
//	go run ./cmd/mcp-client -call ping -args '{"delay_ms":500}'
//	go run ./cmd/mcp-client -call order -args '{"item":"tea","quantity":2}' -elicit '{"confirm":true}'
//	go run ./cmd/mcp-client -prompt deploy -args '{"shape":"url"}'
//	go run ./cmd/mcp-client -call ingest -args @document.json   # or @- for standard input
//	go run ./cmd/mcp-client -read docs://readme
//
// -args @FILE reads the JSON object from FILE and -args @- from standard
// input, as curl's -d does: arguments past the 128 KiB Linux allows one
// command-line argument, without shell quoting. -elicit takes its object
// so too. What is read, at most 4 MiB (the request body a go-sdk server
// reads by default), meets the checks a value on the command line meets;
// a file that cannot be read, more than 4 MiB, or standard input named
// twice is a usage error. JSON never starts with @, so no value that is
// JSON reads as a file.
//
// During a -call, standard output gets the result alone, so that it can be
// piped on: its content (text as it is, other kinds by name), or its
// structured content as JSON when it has no content. -prompt prints each
// of the prompt's messages as its role and its content, shown the same
// way; its -args must all be strings, as the MCP schema has them. A -call's
// numbers go as written, except that from protocol 2026-07-28 on one beyond
// float64's range (1e400) is refused before the call is sent: the go-sdk
// client cannot send it (send it as a string). So are -args nested more
// than 998 levels deep, in every era: a go-sdk server reads a message at
// most 1000 levels deep. -args or -elicit giving a key twice in one object
// is refused too: one of the two would be taken; so is -args or -elicit
// that is not UTF-8, as JSON text must be, or that escapes a lone
// surrogate ("\ud800"), which is read as U+FFFD. From 2026-07-28 on, an argument the tool's input
// schema also sends in a header (x-mcp-header) must be a string, a boolean
// or an integer of at most 2^53-1 in magnitude, else it is refused before
// the call is sent: the go-sdk client leaves that header out. A tool whose
// definition a client must reject there (an x-mcp-header that is empty,
// not a header name, given twice, or on a property that is no string,
// integer or boolean) is left out of the tools listed, which name it
// after them with why, and a -call of it is refused, saying why, and not
// sent. -read
// prints each of the resource's contents as a line naming its URI and
// media type, then its text, or a blob's size instead of its bytes. The
// rest goes to standard error: the server it connected to, progress
// notifications (drawn as a progress bar when standard error is a
// terminal, its line cut to the terminal's width on Linux, macOS and the
// BSDs, where it can be read, printed as plain lines otherwise) and the log messages the
// server sends (at -log level and above). A result that is a tool error
// exits with status 1. What the server sends is shown, not obeyed: control
// characters in it (escape sequences, line breaks in a one-line message)
// are printed as escapes, except in the text of a result written to a
// pipe, which gets it as it is (the names in its labels, a role, a URI, a
// media type, stay escaped). The token (also one obtained during the
// run), the client secret, and the endpoint's user information and
// credential query values (those of a parameter whose name says so, such
// as api_key or sig) are written as [hidden] wherever a server echoes
// them, on standard output as on standard error: a result piped into a
// file or a log must not carry them (its text is changed so where it
// holds one). A query value of 16 bytes or more under another name is
// hidden on standard error only: a result (a workspace's or a tenant's
// name the endpoint was given) keeps it.
//
// The endpoint also comes from MCP_SERVER_ENDPOINT and the bearer token from
// MCP_TOKEN. The token is sent only to the endpoint's origin, and over plain
// http only to a loopback host unless -insecure is given.
//
// A machine client can get its token itself instead: -client-id (or
// MCP_CLIENT_ID) names it, and its secret comes from MCP_CLIENT_SECRET
// alone, since command lines show in process lists. -issuer (or
// MCP_CLIENT_ISSUER) names the authorization server the client is
// registered with, by its issuer URL. When the server answers 401 (or 403
// insufficient_scope), the client reads the challenge's resource_metadata
// (RFC 9728), which must name that issuer, finds the issuer's metadata
// (RFC 8414, or OpenID discovery, also appended to an issuer's path as
// Cognito has it), whose issuer must be the one it was found at, asks its
// token endpoint for a token with the client credentials grant (RFC 6749
// §4.4), for the scopes the challenge or the metadata name, and sends the
// request again with it: the go-sdk's extauth handler does the flow. A
// document without code_challenge_methods_supported, as Cognito's, which
// the go-sdk would refuse, gets ["S256"] first: this grant sends no code
// challenge. The
// secret goes to the token endpoint of that metadata alone: not to an
// authorization server the server names instead, nor to a URL the go-sdk
// falls back on when it finds no metadata (the issuer's /token, the
// server's own root), so the server connected to does not choose where
// it goes. The token goes where a -token goes, and the flow's requests
// over plain http to loopback hosts only unless -insecure (the go-sdk
// refuses plain-http metadata elsewhere even then), and to addresses
// that are not public (loopback, private, link-local, …) only at the
// host and port of the endpoint, of the issuer or of its token endpoint
// (a localhost, 127.0.0.0/8 or ::1 the user gave standing for all three
// at its scheme and port): a server cannot point discovery at another
// service of the user's machine or network. A redirect from https to plain http is not
// followed, but to loopback. A token and a client
// id exclude each other, and a client id needs its secret and its issuer.
// A failure names what stopped it: metadata with no authorization server,
// an authorization server other than the issuer (the one the server
// named, the one the client was given), metadata not found (with the
// URLs tried), the token endpoint's refusal (its error and
// error_description).
//
// A person signs in instead with -login, through a public client
// (-client-id and -issuer as above; with MCP_CLIENT_SECRET set, a
// confidential one): the go-sdk's authorization code flow with PKCE
// (auth.AuthorizationCodeHandler) runs on the same discovery chain, issuer
// pin and transport rules, the browser sent only to the authorization
// endpoint of the issuer's metadata and the code only to its token
// endpoint. The redirect URI is http://localhost:PORT/callback, served on
// loopback from the sign-in's start until its callback came (127.0.0.1,
// and ::1 unless the host has none: a port another program holds, on ::1
// too, stops the sign-in), PORT being -redirect-port (default 8976, to be
// registered with the authorization server; 0 takes a free port for a
// server that accepts any loopback port, when the sign-in's flow starts,
// since the redirect URI names it). A run that uses a kept token listens
// on no port. The sign-in URL is printed on
// standard error and opened in the browser unless -no-browser; the
// listener takes the one callback that carries the flow's state and
// answers the browser with a line of plain text. A refusal
// (error=access_denied), a callback that never came, and the token
// endpoint's refusal are explained in one line. -login excludes a token
// and -logout; -redirect-port, -no-browser and -no-token-cache need
// -login.
//
// -login without a client id (-client-id or MCP_CLIENT_ID) registers one:
// at the server's first 401 (or 403) the run reads its protected resource
// metadata (RFC 9728: the challenge's resource_metadata, then the
// well-known URLs at the endpoint's path and at its root) and takes the
// authorization server it names first, or -issuer, which it must name;
// that issuer passes the checks an -issuer does (https but to loopback,
// the metadata's issuer its own) and is pinned as one. The go-sdk's
// handler then registers a public client there (RFC 7591, at the
// registration_endpoint of the issuer's metadata, the one POST beside the
// token endpoint's the run may send: token_endpoint_auth_method none, the
// redirect URI above, the authorization_code and refresh_token grants)
// and signs the person in as it, the token asked for the endpoint alone
// (RFC 8707 resource). MCP_CLIENT_SECRET goes with a client id only, and
// is sent nowhere then. The client id is kept with the token, the file
// one per issuer and endpoint: a later run uses the token, and signs in
// again as that client, registering no other, back at the port of the
// redirect URI it was registered with when -redirect-port is 0 or not
// given (a server may take that redirect URI alone, to the port); should
// that port not be had (another program holds it, or the system refuses
// it), at the port it would take otherwise, said in one line (that one
// not had either, the run stops naming both). A server without resource
// metadata, and an issuer whose metadata names no registration_endpoint,
// are each explained in one line; a client registered beforehand is
// given with -client-id and -issuer as above. -logout without -client-id
// drops such a sign-in: it finds the authorization server as -login does
// (or takes -issuer), and revokes the token there as the registered
// client.
//
// The sign-in is kept for the next run with the same client, issuer (a
// trailing slash aside, as the go-sdk compares issuers) and endpoint, in
// the user's cache directory (lambdamcp/mcp-client/, the file
// 0600: it holds the access and refresh tokens, not the client secret),
// with the token endpoint it came from: a later run uses the token,
// refreshes it there when it expires, and sends the person to sign in
// again only when the refresh is refused (invalid_grant) or the server
// answers 401; a refresh that fails otherwise (the token endpoint
// unreachable, or refusing the client) ends the run, saying so, and
// keeps the file. A file others may read or write, or that is not a kept
// token of this client, issuer and endpoint, is not used (said in one
// line) and replaced after the sign-in. -no-token-cache neither uses nor
// keeps one; -logout deletes it, revokes its token at the revocation
// endpoint of the issuer's metadata (RFC 7009), and exits 0 whether or not
// the server could be told (the line it writes says which).
//
// -timeout (default 30s, 5m with -login) bounds the whole run; 0 means
// no limit. A request that Ctrl-C or
// -timeout cuts short is cancelled at a server with sessions
// (notifications/cancelled, which it needs to stop the work): the client
// waits up to a second for the server to take the notice before it exits.
// A server without sessions cannot match the notice to the request and is
// not sent one; a Ctrl-C between two requests ends the run at once. The
// session is ended (DELETE) within the run's time, or, once -timeout or
// Ctrl-C ended the run, within a second, however long the server takes.
//
// An event stream that ends before the answer to the request it carries
// (a function behind a streaming front that died, a proxy that cut the
// body) ends the run at once, saying how far it came. A 2025-11-25
// server's stream whose events carry ids is first resumed from the last
// one (a GET with Last-Event-ID, as the go-sdk does; -timeout bounds a
// resumed stream that stays quiet); from 2026-07-28 on streams cannot be
// resumed, and the ids a server sends there are left unused.
//
// -trace shows every HTTP exchange on standard error as it happens: the
// request's method, URL and headers and its body, then the answer's status
// and headers and its body as it is read (an event stream event by event),
// each body up to 64 KiB, each header up to 4 KiB; a request that never went out (the run ended
// first, or no connection was made) shows as not sent. Secrets stay
// hidden: the URL's user information and query, the values of
// credential headers (Authorization, Cookie, X-Api-Key, …) and of
// Mcp-Session-Id, a stateful server's handle on the session, of the
// tokens in a token endpoint's answer (access_token, refresh_token,
// id_token) and of the client secret, the authorization code and its
// code_verifier in its form request, and the code of a sign-in's
// callback (shown as callback < GET /callback …); the token, the
// client secret and the session id wherever a server or the go-sdk's
// words repeat them; what the server sends is escaped as above.
//
// Exit status: 0 on success (and for -h); 1 when the run fails, with one
// line on standard error saying what went wrong, or when the called tool
// returns an error; 2 for a command line it cannot run (an unknown flag, a
// bad value, a stray argument), with a usage line; 130 when interrupted
// (Ctrl-C; a second Ctrl-C ends a run that is still stuck at once); 143
// after SIGTERM (timeout(1), kill) and 129 after SIGHUP (the terminal
// closed), which end the run as Ctrl-C does; SIGHUP or SIGINT that the run
// was started ignoring (nohup) stays ignored (the Go runtime takes SIGTERM
// whatever the run started with).
// -call, -prompt and -read exclude each other. What a server says in the
// line of a failure (a JSON-RPC error's message, an OAuth error and
// error_description, a challenge's parameters, a failed ping's text) is
// quoted up to 512 bytes each, the line up to 4 KiB, followed by how many
// bytes were left out, the secrets hidden before the cut: an answer may
// hold up to 64 MiB.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lambdamcp/lambdamcp/internal/cmdline"
	"github.com/lambdamcp/lambdamcp/internal/httpsyntax"
	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

const defaultEndpoint = "http://127.0.0.1:8080/mcp"

// loginTimeout is -timeout's default with -login.
const loginTimeout = 5 * time.Minute

func main() {
	// Ctrl-C, the SIGTERM that timeout(1), kill and service managers
	// send, and the SIGHUP of a terminal closed end the run in order: the
	// call cut short is cancelled and the session ended. A second signal,
	// should the run still be stuck, ends the process. SIGHUP or SIGINT
	// that the run was started ignoring (nohup; SIGINT in a script's
	// background job) stays ignored, as was asked; SIGTERM ignored so the
	// Go runtime takes all the same, and so does the run.
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP} {
		if !signal.Ignored(sig) {
			signal.Notify(sigs, sig)
		}
	}
	go func() {
		sig := <-sigs
		signal.Stop(sigs)
		cancel(signalled{sig})
	}()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// signalled is the cause of a run that a signal ended.
type signalled struct{ sig os.Signal }

func (s signalled) Error() string { return s.sig.String() }

// exitInterrupted is the exit status after Ctrl-C, as shells give a
// command killed by SIGINT (128 + 2); exitTerminated after SIGTERM
// (128 + 15); exitHungUp after SIGHUP (128 + 1).
const (
	exitInterrupted = 130
	exitTerminated  = 143
	exitHungUp      = 129
)

// interruption is the exit status of a run that interrupted, done, ended,
// and the word for what ended it: SIGTERM, SIGHUP, or else Ctrl-C (a
// run's own tests end it without a signal).
func interruption(interrupted context.Context) (code int, word string) {
	var s signalled
	if errors.As(context.Cause(interrupted), &s) {
		switch s.sig {
		case syscall.SIGTERM:
			return exitTerminated, "terminated"
		case syscall.SIGHUP:
			return exitHungUp, "hung up"
		}
	}
	return exitInterrupted, "interrupted"
}

// run is runIn reading the process's standard input.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	return runIn(ctx, args, getenv, os.Stdin, stdout, stderr)
}

// runIn is the testable part of main: ctx ends when the user interrupts;
// stdin is what -args @- or -elicit @- reads.
func runIn(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mcp-client", flag.ContinueOnError)
	// The environment's values are not flag defaults, which -h would
	// print: a token or a password in the URL must stay unseen.
	endpoint := fs.String("endpoint", "", "MCP endpoint URL (default: env MCP_SERVER_ENDPOINT, else "+defaultEndpoint+")")
	token := fs.String("token", "", "bearer token (default: env MCP_TOKEN)")
	clientID := fs.String("client-id", "", "get the token with the OAuth client credentials grant as this client, its secret from env MCP_CLIENT_SECRET (never a flag: command lines show in process lists); needs -issuer (default: env MCP_CLIENT_ID)")
	issuer := fs.String("issuer", "", "with -client-id: the issuer URL of the authorization server the client is registered with; the secret goes only to the token endpoint of its metadata; with -login alone: the one to register at, which the server's metadata must name (default: env MCP_CLIENT_ISSUER)")
	protocol := fs.String("protocol", "", "protocol version to ask for: "+strings.Join(mcp.SupportedProtocolVersions(), ", ")+" (default: the newest)")
	timeout := fs.Duration("timeout", 30*time.Second, "time allowed for the whole run; 0 means no limit")
	call := fs.String("call", "", "call this tool instead of the default story")
	prompt := fs.String("prompt", "", "get this prompt instead of the default story")
	read := fs.String("read", "", "read the resource at this URI instead of the default story")
	callArgs := fs.String("args", "{}", "the -call tool's arguments, a JSON object; or the -prompt prompt's, a JSON object of strings; @FILE reads it from FILE, @- from standard input (at most 4 MiB)")
	logLevel := fs.String("log", "info", "least severe server log level to show during -call: "+strings.Join(logLevels, ", "))
	insecure := fs.Bool("insecure", false, "send the bearer token over plain http to a host that is not loopback")
	elicit := fs.String("elicit", "", "during -call or -prompt, answer every elicitation request: accept with this JSON object as the content (@FILE reads it from FILE, @- from standard input, at most 4 MiB), or decline, or cancel (default: the client offers no elicitation)")
	trace := fs.Bool("trace", false, "show every HTTP exchange on standard error, secrets hidden")
	login := fs.Bool("login", false, "sign a person in with the OAuth authorization code grant and PKCE, in the browser, as the public client -client-id of -issuer (a confidential one when MCP_CLIENT_SECRET is set), or, without -client-id, as a public client registered (RFC 7591) at the authorization server the server's metadata names; the default -timeout becomes 5m")
	redirectPort := fs.Int("redirect-port", defaultRedirectPort, "with -login: the loopback port of the redirect URI http://localhost:PORT/callback, as registered with the authorization server; 0 takes a free port, for a server that accepts any; 0 or none given, a client -login registered on an earlier sign-in comes back to the port it was registered with")
	noBrowser := fs.Bool("no-browser", false, "with -login: print the sign-in URL without opening a browser")
	noTokenCache := fs.Bool("no-token-cache", false, "with -login: sign in at every run, neither using nor keeping a token between runs")
	logout := fs.Bool("logout", false, "delete the token -login keeps for -client-id, -issuer and the endpoint (without -client-id: for the client -login registered, at the authorization server -issuer gives or the server's metadata names), revoke it at the revocation endpoint of the issuer's metadata (RFC 7009), and exit")
	if code, ok := cmdline.Parse(fs, args, stderr, usage); !ok {
		if code == 0 { // -h
			fmt.Fprint(stderr, exitStatuses)
		}
		return code
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if !given["endpoint"] {
		*endpoint = or(getenv("MCP_SERVER_ENDPOINT"), defaultEndpoint)
	}
	if !given["token"] {
		*token = getenv("MCP_TOKEN")
	}
	if !given["client-id"] {
		*clientID = getenv("MCP_CLIENT_ID")
	}
	if !given["issuer"] {
		*issuer = getenv("MCP_CLIENT_ISSUER")
	}
	clientSecret := ""
	if *clientID != "" {
		clientSecret = getenv("MCP_CLIENT_SECRET")
	}
	if *login && !given["timeout"] {
		// A person takes longer than a machine to sign in.
		*timeout = loginTimeout
	}
	if fs.NArg() > 0 {
		// Named, not shown: one may be a secret typed in the wrong place
		// (-token Bearer abc leaves abc over), or an endpoint with one.
		shown := make([]string, fs.NArg())
		for i, a := range fs.Args() {
			switch {
			case strings.Contains(a, "://"):
				shown[i] = redacted(a)
			case len(a) > 8:
				shown[i] = a[:4] + "…"
			default:
				shown[i] = a
			}
		}
		msg := cmdline.Unexpected(shown)
		if u, err := url.Parse(fs.Arg(0)); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			msg += " (give the endpoint with -endpoint)"
		}
		return usageError(stderr, msg)
	}
	if *protocol != "" && !slices.Contains(mcp.SupportedProtocolVersions(), *protocol) {
		return usageError(stderr, fmt.Sprintf("-protocol %q is not a protocol version this client speaks (%s)", *protocol, strings.Join(mcp.SupportedProtocolVersions(), ", ")))
	}
	if !slices.Contains(logLevels, *logLevel) {
		return usageError(stderr, fmt.Sprintf("-log %q is not an MCP log level (%s)", *logLevel, strings.Join(logLevels, ", ")))
	}
	if *timeout < 0 {
		return usageError(stderr, fmt.Sprintf("-timeout %v is negative (0 means no limit)", *timeout))
	}
	for _, f := range []struct{ name, what string }{
		{"call", "name the tool to call"}, {"prompt", "name the prompt to get"}, {"read", "give the URI of the resource to read"},
		{"elicit", "give a JSON object, decline or cancel"},
	} {
		// An empty value, from a shell variable left unset, would run the
		// default story and exit 0 as if the request had been served; or,
		// for -elicit, offer no elicitation, as if it had not been given.
		if given[f.name] && fs.Lookup(f.name).Value.String() == "" {
			return usageError(stderr, fmt.Sprintf("-%s is empty: %s", f.name, f.what))
		}
	}
	var asked []string // what the run is to do instead of the default story
	for name, v := range map[string]string{"call": *call, "prompt": *prompt, "read": *read} {
		if v != "" {
			asked = append(asked, "-"+name)
		}
	}
	if len(asked) > 1 {
		slices.Sort(asked)
		return usageError(stderr, fmt.Sprintf("%s and %s exclude each other: give one", strings.Join(asked[:len(asked)-1], ", "), asked[len(asked)-1]))
	}
	if *elicit != "" && *call == "" && *prompt == "" {
		return usageError(stderr, "-elicit answers the requests of a tool or a prompt: use it with -call or -prompt")
	}
	if given["args"] && *call == "" && *prompt == "" {
		return usageError(stderr, "-args is for the tool -call calls or the prompt -prompt gets: use it with -call or -prompt")
	}
	if *callArgs == "@-" && *elicit == "@-" {
		return usageError(stderr, "-args and -elicit both read standard input (@-): give one of them a file")
	}
	if given["log"] && *call == "" {
		return usageError(stderr, "-log is for the tool -call calls: use it with -call")
	}
	if *logout && (len(asked) > 0 || *noTokenCache) {
		return usageError(stderr, "-logout deletes a kept sign-in and exits: give it without -call, -prompt, -read or -no-token-cache")
	}
	if *logout && *login {
		// Else -logout would win, silently: the person asked to sign in
		// too, and would find no sign-in kept.
		return usageError(stderr, "-login and -logout exclude each other: give one (-login signs in and keeps the sign-in, -logout deletes it)")
	}
	for _, name := range []string{"redirect-port", "no-browser", "no-token-cache"} {
		if given[name] && !*login {
			return usageError(stderr, "-"+name+" is for a person's sign-in: use it with -login")
		}
	}
	if *login && *token != "" {
		return usageError(stderr, "-login gets a token: it excludes a token (-token or MCP_TOKEN)")
	}
	if *redirectPort < 0 || *redirectPort > 65535 {
		return usageError(stderr, fmt.Sprintf("-redirect-port %d is not a port (0 takes a free one)", *redirectPort))
	}
	if *clientID != "" && *token != "" {
		return usageError(stderr, "a token (-token or MCP_TOKEN) and a client id (-client-id or MCP_CLIENT_ID) exclude each other: give the token, or the client to get one")
	}
	if *clientID != "" && clientSecret == "" && !*login && !*logout {
		return usageError(stderr, "client "+fmt.Sprintf("%q", *clientID)+" has no secret: set MCP_CLIENT_SECRET (the environment only: command lines show in process lists)")
	}
	if given["issuer"] && *clientID == "" && !*login && !*logout {
		return usageError(stderr, "-issuer names the authorization server of a client: use it with -client-id (or MCP_CLIENT_ID)")
	}
	if *clientID != "" && *issuer == "" {
		// Else the server connected to would choose where the secret goes.
		return usageError(stderr, "client "+fmt.Sprintf("%q", *clientID)+" has no issuer: give the URL of the authorization server it is registered with, -issuer or MCP_CLIENT_ISSUER, so that its secret goes there alone")
	}
	if *clientID != "" || *issuer != "" && (*login || *logout) {
		if msg := validIssuer(*issuer); msg != "" {
			return usageError(stderr, msg)
		}
	}
	if u, err := url.Parse(*endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageError(stderr, fmt.Sprintf("endpoint %q is not an http(s) URL", redacted(*endpoint)))
	} else if (*token != "" || *clientID != "" || *login) && !*insecure && strings.EqualFold(u.Scheme, "http") && !httpsyntax.Loopback(u.Hostname()) {
		return usageError(stderr, fmt.Sprintf("the bearer token would go over plain http to %s, which anyone on the way could read: use https, or -insecure to send it so anyway", u.Hostname()))
	}
	// What -args and -elicit give is read once the command line is
	// known to run: a terminal would wait for it only to be told then.
	argsName := "-args"
	if name, ok := strings.CutPrefix(*callArgs, "@"); ok {
		argsName = "-args " + shownValue(*callArgs)
		content, err := readInput(ctx, argsName, name, stdin)
		if err != nil {
			return inputError(ctx, stderr, err)
		}
		*callArgs = content
	}
	arguments, err := parseArgs(argsName, *callArgs)
	if err != nil {
		return usageError(stderr, err.Error())
	}
	var promptArguments map[string]string
	if *prompt != "" {
		if promptArguments, err = promptArgs(arguments); err != nil {
			return usageError(stderr, err.Error())
		}
	}
	var answer *elicitAnswer
	if name, ok := strings.CutPrefix(*elicit, "@"); ok {
		elicitName := "-elicit " + shownValue(*elicit)
		var content string
		if content, err = readInput(ctx, elicitName, name, stdin); err != nil {
			return inputError(ctx, stderr, err)
		}
		answer, err = elicitContent(elicitName, "a JSON object", content)
	} else {
		answer, err = parseElicit(*elicit)
	}
	if err != nil {
		return usageError(stderr, err.Error())
	}
	interrupted := ctx
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	// The trace, the progress and the log lines are written from goroutines
	// of their own: one line at a time, and none after the run.
	secrets := newSecretSet(*endpoint, *token, clientSecret)
	errOut := &syncWriter{w: stderr, secrets: secrets}
	defer errOut.close()
	stderr = errOut
	// Standard output is piped on, into files and logs: a server that
	// echoes the token in a result must not have it written there either.
	// A query value held a secret for its length alone is the result's
	// to show: it may be the data asked for.
	out := &syncWriter{w: stdout, secrets: secrets, named: true}
	defer out.close()
	stdout = out
	t := target{endpoint: *endpoint, token: *token, protocol: *protocol, interrupted: interrupted, ends: ctx, secrets: secrets}
	if *trace {
		t.trace = errOut
	}
	if *logout {
		s := signOut{issuer: *issuer, clientID: *clientID, clientSecret: clientSecret, endpoint: *endpoint, insecure: *insecure, trace: t.trace, secrets: secrets}
		if *clientID == "" {
			// The sign-in of the client -login registered: no secret of
			// its own, at the issuer -login found, or -issuer gives.
			s.clientSecret = ""
		}
		code := forgetSignIn(ctx, s, stderr)
		if code == 0 && interrupted.Err() != nil {
			// The file is gone, and its line says the server was not
			// told; the exit status says why, as every Ctrl-C's does.
			code, _ = interruption(interrupted)
			return code
		}
		return code
	}
	switch {
	case *login:
		callback := newCallback(*redirectPort, t.trace, secrets)
		// 0, or none given: a client registered on an earlier sign-in
		// comes back to the port it was registered with.
		callback.chosen = given["redirect-port"] && *redirectPort != 0
		defer callback.close()
		open := openBrowser
		if *noBrowser {
			open = nil
		}
		if *clientID == "" {
			// No client given: one is registered at the authorization
			// server the server's metadata names.
			t.oauth = newRegisteringFlow(ctx, *endpoint, *issuer, *insecure, t.trace, secrets, callback, open, stderr, *timeout, *noTokenCache)
			break
		}
		var cache *tokenCache
		if !*noTokenCache {
			if cache, err = newTokenCache(*issuer, *clientID, *endpoint, stderr); err != nil {
				fmt.Fprintf(stderr, "mcp-client: the sign-in is not kept for the next run: %v\n", err)
			}
		}
		if t.oauth, err = newLoginFlow(ctx, *clientID, clientSecret, *endpoint, *issuer, *insecure, t.trace, secrets, callback, open, stderr, *timeout, cache); err != nil {
			return usageError(stderr, err.Error())
		}
	case *clientID != "":
		if t.oauth, err = newOAuthFlow(*clientID, clientSecret, *endpoint, *issuer, *insecure, t.trace, secrets); err != nil {
			return usageError(stderr, err.Error())
		}
	}
	switch {
	case *call != "":
		err = callTool(ctx, t, toolCall{name: *call, args: arguments, logLevel: *logLevel, elicit: answer}, stdout, stderr)
	case *prompt != "":
		err = getPrompt(ctx, t, *prompt, promptArguments, answer, stdout, stderr)
	case *read != "":
		err = readResource(ctx, t, *read, stdout, stderr)
	default:
		err = talk(ctx, t, stdout)
	}
	if err != nil && interrupted.Err() != nil {
		code, word := interruption(interrupted)
		fmt.Fprintln(stderr, "mcp-client: "+word)
		return code
	}
	if fe := t.oauth.signInFailure(); err != nil && fe != nil && !errors.As(err, new(*flowError)) {
		// The go-sdk answers a flow that the run's deadline ended with
		// the deadline alone: the sign-in's failure says more.
		err = fe
	}
	if err != nil {
		fmt.Fprintf(stderr, "mcp-client: %s\n", secrets.line(explain(*endpoint, err, secrets)))
		return 1
	}
	return 0
}

// parseArgs reads -args: one JSON object, kept as the text it came in so
// that the tool gets its numbers as written, not as float64 made them
// (9007199254740993, 1e400; from 2026-07-28 on, one beyond float64's range
// cannot be sent at all: checkArgsSendable). name is how a refusal names
// it: -args, or -args @FILE for the content of FILE.
func parseArgs(name, s string) (json.RawMessage, error) {
	if !utf8.ValidString(s) {
		// Sent as it is, a server would refuse the call, or read its
		// strings with U+FFFD in place of what was meant.
		return nil, fmt.Errorf("%s is not UTF-8, as JSON text must be: %s", name, shownValue(s))
	}
	if strings.Trim(s, jsonSpace) == "" {
		// A shell variable left unset: the JSON reader would say only
		// "unexpected end of JSON input".
		return nil, fmt.Errorf("%s is empty: give a JSON object ({} for no arguments)", name)
	}
	var args json.RawMessage
	if err := json.Unmarshal([]byte(s), &args); err != nil {
		return nil, fmt.Errorf("%s must be a JSON object: %v: %s", name, err, shownValue(s))
	}
	if args[0] != '{' { // Unmarshal trimmed the spaces around it
		return nil, fmt.Errorf("%s must be a JSON object, not %s", name, shownValue(s))
	}
	if err := checkSent(name, s); err != nil {
		return nil, err
	}
	return args, nil
}

// checkSent refuses s, the JSON text that name (-args, -elicit) gives,
// for what would reach the server otherwise than it is written.
func checkSent(name, s string) error {
	if key, ok := duplicateKey(json.RawMessage(s)); ok {
		// One of them would be taken, the first or the last as a JSON
		// reader takes it, and the other go unsaid.
		return fmt.Errorf("%s gives the key %s twice in one object: give each key once", name, shownValue(fmt.Sprintf("%q", key)))
	}
	if !jsontext.Value(s).IsValid(jsontext.AllowDuplicateNames(true)) {
		// What is left for a strict reader to refuse: a \u escape of a
		// UTF-16 surrogate not half of a pair, which is no character. A
		// server reads U+FFFD in its place, as it would for bytes that
		// are not UTF-8.
		return fmt.Errorf("%s escapes a lone surrogate (\\uD800 to \\uDFFF not in a pair), which is no character: give the character itself, or a pair: %s", name, shownValue(s))
	}
	return nil
}

// jsonSpace is the white space JSON allows around a value.
const jsonSpace = " \t\r\n"

// maxInputBytes bounds what -args @FILE and -elicit @FILE read: the
// request body a go-sdk server, lambdamcp's among them, reads by default,
// which the arguments go in.
const maxInputBytes = mcp.DefaultMaxRequestBodyBytes

// readInput reads the value that name (-args @FILE, -elicit @FILE) gives
// as @file: the content of file, or of stdin for "-", at most
// maxInputBytes. Ctrl-C (ctx) ends the wait for a terminal or a pipe that
// nobody writes to; the error is then ctx's.
func readInput(ctx context.Context, name, file string, stdin io.Reader) (string, error) {
	if file == "" {
		return "", fmt.Errorf("%s names no file: give @FILE, or @- for standard input", name)
	}
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		r := stdin
		if file != "-" {
			f, err := os.Open(file) // a named pipe waits here for its writer
			if err != nil {
				done <- result{err: err}
				return
			}
			defer f.Close()
			r = f
		}
		b, err := io.ReadAll(io.LimitReader(r, maxInputBytes+1))
		done <- result{b, err}
	}()
	var res result
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case res = <-done:
	}
	if res.err != nil {
		return "", fmt.Errorf("%s: %s", name, shownValue(res.err.Error()))
	}
	if len(res.b) > maxInputBytes {
		return "", fmt.Errorf("%s holds more than %d MiB, more than a go-sdk server reads in one request by default: give less", name, maxInputBytes>>20)
	}
	return string(res.b), nil
}

// inputError reports the failure of readInput, and returns the exit
// status for it: the one of a usage error, or of Ctrl-C that ended the
// wait.
func inputError(ctx context.Context, stderr io.Writer, err error) int {
	if ctx.Err() != nil {
		code, word := interruption(ctx)
		fmt.Fprintln(stderr, "mcp-client: "+word)
		return code
	}
	return usageError(stderr, err.Error())
}

// duplicateKey returns the first key that an object in the JSON value v,
// which parses, gives twice, as decoded (escapes read); ok is false when
// no object does.
func duplicateKey(v json.RawMessage) (key string, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(v))
	var walk func() (string, bool)
	walk = func() (string, bool) {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				t, err := dec.Token()
				if err != nil {
					return "", false
				}
				k, _ := t.(string)
				if seen[k] {
					return k, true
				}
				seen[k] = true
				if k, ok := walk(); ok {
					return k, true
				}
			}
			dec.Token() // the closing brace
		case json.Delim('['):
			for dec.More() {
				if k, ok := walk(); ok {
					return k, true
				}
			}
			dec.Token() // the closing bracket
		}
		return "", false
	}
	return walk()
}

// shownValue is a flag's value as a usage line repeats it: escaped, and
// cut after maxQuoted bytes, what was left out said, as a line quoting a
// server is. -args may be a whole file's content ("$(cat file)").
func shownValue(s string) string {
	var none *secretSet // the user's own value: nothing of it to hide
	head, rest := none.cut(printable(s), maxQuoted)
	return head + rest
}

// target is the server a run talks to, and how.
type target struct {
	endpoint, token, protocol string
	trace                     io.Writer       // shows every HTTP exchange; nil: none
	interrupted               context.Context // done once the user pressed Ctrl-C
	ends                      context.Context // done once the run's time is up (-timeout) or Ctrl-C; nil: never
	secrets                   *secretSet      // what trace must not show; nil: none
	oauth                     *oauthFlow      // gets the token when the server asks for one; nil: token alone
	// Where the server's redirects may send the requests; nil: to an
	// address that is not public only at the endpoint's host and port.
	reach *reachGuard
}

// connect opens a session; opts may be nil.
func connect(ctx context.Context, t target, opts *mcp.ClientOptions, out io.Writer) (*mcp.ClientSession, *http.Client, error) {
	httpClient, err := newMCPClient(t)
	if err != nil {
		return nil, nil, err
	}
	transport := &mcp.StreamableClientTransport{
		Endpoint: t.endpoint, HTTPClient: httpClient,
		// The go-sdk documents 0 as its default bound on an event but
		// passes it on as no bound at all; a server's endless event would
		// take all the memory there is. An event gets the bound a JSON
		// answer has.
		MaxEventSize: maxAnswerBytes,
		// The stream for messages the server sends on its own is opened
		// without waiting for its answer (statusRecorder, listen).
	}
	if t.oauth != nil {
		transport.OAuthHandler = t.oauth
	}
	client := mcp.NewClient(&mcp.Implementation{Name: "lambdamcp-client", Version: "0.1.0"}, opts)
	session, err := client.Connect(ctx, transport, &mcp.ClientSessionOptions{ProtocolVersion: t.protocol})
	if err != nil && ctx.Err() == nil && lastCall(httpClient) == "server/discover" {
		// The go-sdk falls back to initialize after a failed discover,
		// but an answer that is no JSON-RPC one (a 202 without a body, a
		// page, JSON of another kind: what a server of an earlier version
		// may answer a method it does not know) closes its connection
		// first, and the initialize is never sent. It is sent here, on a
		// new one; if it fails too, the discover's failure is the one told.
		failed := withStatus(httpClient, "connecting", unspokenVersion(err))
		legacy := *transport
		if session, err = client.Connect(ctx, &legacy, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"}); err != nil {
			return nil, nil, failed
		}
	}
	if err != nil {
		failed := withStatus(httpClient, "connecting", unspokenVersion(err))
		if servesHTTPSSE(ctx, httpClient, t.endpoint) {
			failed = &httpSSEError{failed}
		}
		return nil, nil, failed
	}
	init := session.InitializeResult()
	if init.ServerInfo == nil {
		// From 2026-07-28 on a server SHOULD, not MUST, say who it is.
		fmt.Fprintln(out, t.secrets.line("Connected to a server that does not name itself (protocol "+init.ProtocolVersion+")"))
	} else {
		fmt.Fprintln(out, t.secrets.line(fmt.Sprintf("Connected to %s %s (protocol %s)", init.ServerInfo.Name, init.ServerInfo.Version, init.ProtocolVersion)))
	}
	return session, httpClient, nil
}

// unspokenVersion explains the go-sdk's refusal of an initialize result
// whose protocol version it does not speak, which it reports in words
// alone (`unsupported protocol version: "X"`): a result that names none
// answers some other JSON-RPC method than initialize, so it is no MCP
// server's; one that names another version is named with those this
// client speaks. Any other error is returned as it is.
func unspokenVersion(err error) error {
	const refused = "unsupported protocol version: "
	msg := err.Error()
	if !strings.HasPrefix(msg, refused) {
		return err
	}
	version, uerr := strconv.Unquote(msg[len(refused):])
	switch {
	case uerr != nil:
		return err
	case version == "":
		return &notMCPError{mediaType: "an initialize result that names no protocol version", err: err}
	}
	var none *secretSet // the version is the server's, bounded as a quoted message is
	return fmt.Errorf("the server speaks protocol version %s, which this client does not (it speaks %s)",
		none.quote(version), strings.Join(mcp.SupportedProtocolVersions(), ", "))
}

// newMCPClient is the HTTP client that carries t's MCP requests.
func newMCPClient(t target) (*http.Client, error) {
	origin, err := url.Parse(t.endpoint)
	if err != nil {
		return nil, err // run checked it already
	}
	// A redirect may send the POSTs, with the session, to any address
	// the server writes: of those that are not public, only the
	// endpoint's own host and port may be reached.
	guard := t.reach
	if guard == nil {
		guard = newReachGuard(nil, t.endpoint)
	}
	var base http.RoundTripper = guardedTransport(guard)
	if t.trace != nil {
		// Beneath the recorder, so that the trace shows the headers as
		// sent (the token among them, hidden) and the body as the go-sdk
		// reads it.
		base = &tracer{base: base, out: t.trace, secrets: t.secrets}
	}
	rec := &statusRecorder{base: base, token: t.token, oauth: t.oauth, origin: origin, notice: newCancelNotice(t.interrupted), ends: t.ends, secrets: t.secrets}
	httpClient := &http.Client{Transport: rec, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if err := sameMethodRedirect(req, via); err != nil {
			return err
		}
		return guard.checkRedirect(req, via)
	}}
	return httpClient, nil
}

// talk tells the sample's story: connect, list tools, ping twice. A server
// without a ping tool (a server of one's own) is listed, its prompts and
// resources too, and told how to call one of its tools instead.
func talk(ctx context.Context, t target, out io.Writer) error {
	rejected := &rejectedTools{}
	session, httpClient, err := connect(ctx, t, &mcp.ClientOptions{Logger: slog.New(rejected)}, out)
	if err != nil {
		return err
	}
	cut := false // a request that ctx cut short, of which the server is told
	defer func() { closeSession(session, httpClient, cut) }()

	// After an interrupt no request is sent: the go-sdk would send it,
	// its context ended or not, and a notifications/cancelled for it.
	if err := ctx.Err(); err != nil {
		return err
	}
	tools, cut, err := listTools(ctx, session, httpClient, rejected, out, t.secrets)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if cut, err = listPrompts(ctx, session, httpClient, out, t.secrets); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if cut, err = listResources(ctx, session, httpClient, out, t.secrets); err != nil {
		return err
	}
	if !slices.ContainsFunc(tools, func(t *mcp.Tool) bool { return t.Name == "ping" }) {
		if len(tools) > 0 {
			fmt.Fprintln(out, "No ping tool to call twice; call one of the tools with -call NAME -args '{...}'.")
		}
		return nil
	}
	for i := 1; i <= 2; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		start := time.Now()
		res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "ping"})
		if err != nil {
			cut = cutShort(ctx, err)
			return withStatus(httpClient, "calling ping", err)
		}
		if res.IsError {
			return fmt.Errorf("ping #%d failed: %s", i, t.secrets.clip(text(res)))
		}
		fmt.Fprintln(out, t.secrets.line(fmt.Sprintf("ping #%d: %s (%d ms round trip)", i, text(res), time.Since(start).Milliseconds())))
	}
	return nil
}

// listTools lists the tools of a server that declares the capability, and
// returns them; it asks one that declares none nothing, since a server may
// refuse the methods of a capability it did not declare (-32601). The
// tools the go-sdk left out, their definitions invalid (rejected), are
// named after them, with why. It reports whether ctx cut a request short,
// as talk's cut.
func listTools(ctx context.Context, session *mcp.ClientSession, httpClient *http.Client, rejected *rejectedTools, out io.Writer, secrets *secretSet) (_ []*mcp.Tool, cut bool, _ error) {
	if res := session.InitializeResult(); res == nil || res.Capabilities == nil || res.Capabilities.Tools == nil {
		return nil, false, nil
	}
	tools, cut, err := everyPage(ctx, httpClient, "listing tools", session.Tools(ctx, nil))
	if err != nil {
		return nil, cut, err
	}
	fmt.Fprintf(out, "Tools (%d):\n", len(tools))
	for _, t := range tools {
		fmt.Fprintln(out, secrets.line(listed(t.Name, ": ", t.Description, "")))
	}
	if names := rejected.names(); len(names) > 0 {
		fmt.Fprintf(out, "Left out (%d), their definitions invalid:\n", len(names))
		for _, name := range names {
			why, _ := rejected.reason(name)
			fmt.Fprintln(out, secrets.line(listed(name, ": ", why, "")))
		}
	}
	return tools, false, nil
}

// listPrompts lists the prompts of a server that declares the capability,
// so that a server of one's own shows every feature it registered; it
// prints nothing for one that declares none, as the reference server.
// It reports whether ctx cut a request short, as talk's cut.
func listPrompts(ctx context.Context, session *mcp.ClientSession, httpClient *http.Client, out io.Writer, secrets *secretSet) (cut bool, _ error) {
	if res := session.InitializeResult(); res == nil || res.Capabilities == nil || res.Capabilities.Prompts == nil {
		return false, nil
	}
	prompts, cut, err := everyPage(ctx, httpClient, "listing prompts", session.Prompts(ctx, nil))
	if err != nil {
		return cut, err
	}
	fmt.Fprintf(out, "Prompts (%d):\n", len(prompts))
	for _, p := range prompts {
		fmt.Fprintln(out, secrets.line(listed(p.Name, ": ", p.Description, "")))
	}
	return false, nil
}

// listed is a listing's line for one item: "  - " and its name, then
// before, about and after when there is something to say about it: a
// description, which the schema leaves optional, or a resource's name,
// which a server may leave empty.
func listed(name, before, about, after string) string {
	if about == "" {
		return "  - " + name
	}
	return "  - " + name + before + about + after
}

func text(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, t.Text)
		}
	}
	return strings.Join(parts, " ")
}

// statusRecorder adds the bearer token to requests for the endpoint's
// origin, and remembers how the last POST was answered, so that a failure
// can be explained in HTTP terms. Only POSTs carry the client's requests:
// the GET the SDK opens for server messages is answered here (listen), at
// once, and a DELETE only ends a session.
type statusRecorder struct {
	base    http.RoundTripper
	token   string
	oauth   *oauthFlow      // nil: the token is token; else the one it obtained, once it has
	origin  *url.URL        // the endpoint: only its origin is sent the token
	notice  *cancelNotice   // nil: a cut call's notice is not waited for
	ends    context.Context // the run's (-timeout, Ctrl-C), which bounds the session's DELETE; nil: the go-sdk's 5 s alone
	secrets *secretSet      // gets the session id a server gives; nil: none

	mu        sync.Mutex
	last      int    // status of the last POST if it failed, else 0
	challenge string // its WWW-Authenticate
	message   string // the "message" of its JSON body, as API Gateway sends
	rpcError  string // the message of the JSON-RPC error its body is, if the body is one
	session   bool   // it carried an Mcp-Session-Id
	tokenSent bool   // it carried the token
	withheld  string // the origin it went to, where a redirect led and the token was not sent
	at        string // the URL it went to, redacted, where a redirect led it away from the endpoint
	notMCP    string // the media type of the last POST's success, if no MCP answer (a web page)
	proxyBody bool   // that answer's body is a Lambda proxy response: a buffered answer relayed by a streaming front
	json      bool   // the last POST's success was JSON, which the go-sdk may not find to be JSON-RPC
	lastCall  string // the method of the last call POSTed
	// The last call's answer, if it had no body; calls counts the calls,
	// so that a body found empty only when read marks its own call.
	empty *emptyAnswer
	calls int
	// How the last call's event stream ended, if it did: the go-sdk sees
	// the end before the call fails.
	streamEnded *streamEnd
	// Where a redirect took the last POST answered with a success, nil
	// if it was answered at the endpoint: the session's GET goes there.
	moved *url.URL
}

func (s *statusRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	listening := isListen(r, s.origin)
	if listening {
		// The go-sdk sends the GET for the session's messages to the
		// endpoint, and listen sends it as it is: it would meet the
		// redirect the POSTs followed (a /mcp moved to /mcp/), and the
		// stream stay quiet.
		s.mu.Lock()
		moved := s.moved
		s.mu.Unlock()
		if moved != nil {
			u := *moved
			r = r.Clone(r.Context())
			r.URL, r.Host = &u, u.Host
		}
	}
	// http.Client drops on a redirect to another host only the headers set
	// on the request, not those a transport adds: the token is for the
	// endpoint's origin alone.
	token := s.token
	if s.oauth != nil && tokenOrigin(r.URL, s.origin) {
		var err error
		if token, err = s.oauth.accessToken(); err != nil {
			return nil, err
		}
	}
	tokenSent := token != "" && tokenOrigin(r.URL, s.origin)
	if tokenSent {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+token)
	}
	var resp *http.Response
	var err error
	switch {
	case s.notice != nil && isCancelNotice(r):
		resp, err = s.notice.roundTrip(s.base, r)
	case r.Method == http.MethodDelete && s.ends != nil && s.notice != nil:
		resp, err = s.endSession(r)
	case listening:
		resp = listen(s.base, r)
	default:
		resp, err = s.base.RoundTrip(r)
	}
	if resp != nil && s.secrets != nil {
		if id := resp.Header.Get("Mcp-Session-Id"); id != "" {
			// A handle on the session, which the go-sdk writes in the
			// words of some failures (a stream it could not resume).
			s.secrets.addObtained(id, minSecret)
		}
	}
	var np *notPublicError
	if errors.As(err, &np) {
		// A redirect's name dialed at an address that is not public: the
		// endpoint's own host is trusted, so only a redirect gets here.
		err = &redirectRefused{url: redacted(r.URL.String()), err: err}
	}
	if r.Method != http.MethodPost {
		return resp, err
	}
	method, id := callMethod(r)
	if err != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		if method != "" {
			s.calls++
			s.empty, s.streamEnded, s.lastCall = nil, nil, method
		}
		s.last, s.challenge, s.message, s.session, s.tokenSent, s.withheld, s.at, s.notMCP, s.proxyBody, s.json = 0, "", "", false, false, "", "", "", false, false // no answer to explain
		return resp, err
	}
	if mediaType(resp) != "text/event-stream" {
		// An answer that is not an event stream is read whole; an event
		// stream is bounded event by event (MaxEventSize).
		resp.Body = &boundedBody{ReadCloser: resp.Body, left: maxAnswerBytes}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if method != "" {
		s.calls++
		s.empty, s.streamEnded, s.lastCall = nil, nil, method
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			answer, call := &emptyAnswer{status: resp.StatusCode, method: method}, s.calls
			if mediaType(resp) == "text/event-stream" {
				watchStream(r, resp, method, id, func(end streamEnd) {
					s.mu.Lock()
					defer s.mu.Unlock()
					if s.calls == call {
						s.streamEnded = &end
					}
				})
			}
			if resp.ContentLength == 0 {
				s.empty = answer
			} else {
				// Chunked, or of a length not given: empty only if it ends
				// before its first byte, which the go-sdk finds when it reads.
				resp.Body = &emptyWatch{ReadCloser: resp.Body, onEmpty: func() {
					s.mu.Lock()
					defer s.mu.Unlock()
					if s.calls == call {
						s.empty = answer
					}
				}}
			}
		}
	}
	s.notMCP, s.proxyBody, s.json = "", false, false
	if resp.StatusCode >= 400 {
		s.last = resp.StatusCode
		// Every challenge, as the go-sdk reads them: the one that says
		// why may follow another scheme's, in a value of its own.
		s.challenge = strings.Join(resp.Header.Values("WWW-Authenticate"), ", ")
		s.message, s.rpcError = peekMessage(resp)
		s.session = r.Header.Get("Mcp-Session-Id") != ""
		s.tokenSent, s.withheld, s.at = tokenSent, "", ""
		if r.URL.String() != s.origin.String() {
			// A redirect's answer: the endpoint itself was not the one
			// that failed.
			s.at = redacted(r.URL.String())
		}
		if (s.token != "" || s.oauth != nil) && !tokenOrigin(r.URL, s.origin) {
			s.withheld = r.URL.Scheme + "://" + r.URL.Host
		}
	} else {
		s.last, s.challenge, s.message, s.rpcError, s.session, s.tokenSent, s.withheld, s.at = 0, "", "", "", false, false, "", ""
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			// r.Response is the redirect that led here, if one did.
			s.moved = nil
			if r.Response != nil {
				s.moved = r.URL
			}
		}
		// A success with a body that is neither JSON nor an event stream
		// (202 and 204 have none: a notification's answer).
		success := resp.StatusCode >= 200 && resp.StatusCode < 300 && resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusNoContent && resp.ContentLength != 0
		if mt := mediaType(resp); success && mt != "application/json" && mt != "text/event-stream" {
			s.notMCP = or(mt, "no media type")
			s.proxyBody = peekProxyResponse(resp)
		} else if success && mt == "application/json" {
			s.json = true
		}
	}
	return resp, nil
}

// endSession sends r, the DELETE that ends the session, within the run's
// time, or, once that is up (a run cut short, or interrupted), within
// cancelGrace, as a cut call's notice. The go-sdk sends it in a context of
// its own, given 5 s: a server that held it without an answer would hold
// the exit that long beyond -timeout and Ctrl-C.
func (s *statusRecorder) endSession(r *http.Request) (*http.Response, error) {
	var ctx context.Context
	var cancel context.CancelFunc
	if s.ends.Err() != nil {
		ctx, cancel = s.notice.limit(r.Context())
	} else {
		var end context.CancelFunc
		ctx, end = context.WithCancel(r.Context())
		stop := context.AfterFunc(s.ends, end)
		cancel = func() { stop(); end() }
	}
	return roundTripUntilClosed(ctx, cancel, s.base, r)
}

// sameMethodRedirect refuses a redirect that would turn the client's POST
// into a GET (a 301, 302 or 303), which no MCP endpoint serves: the user
// should give the endpoint it points at. 307 and 308 keep the method.
func sameMethodRedirect(req *http.Request, via []*http.Request) error {
	// net/http tells the next server where the client came from, query
	// and all (a token given in the URL, say); MCP has no use for it.
	req.Header.Del("Referer")
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if orig := via[0]; req.Method != orig.Method {
		status := 0
		if req.Response != nil {
			status = req.Response.StatusCode
		}
		return &redirectError{fmt.Sprintf("the server redirects to %s (HTTP %d), which would turn the %s into a %s: give that endpoint with -endpoint", redacted(req.URL.String()), status, orig.Method, req.Method)}
	}
	return nil
}

// redirectError is sameMethodRedirect's refusal.
type redirectError struct{ msg string }

func (e *redirectError) Error() string { return e.msg }

// notMCPError is a failure after the server answered a POST with a success
// that is no MCP answer: a web page, most likely, at a URL that is not the
// endpoint.
type notMCPError struct {
	mediaType string
	proxyBody bool // the body is a Lambda proxy response
	err       error
}

func (e *notMCPError) Error() string { return e.err.Error() }
func (e *notMCPError) Unwrap() error { return e.err }

// sameOrigin reports whether a and b have the same scheme, host and port
// (RFC 6454), a port left out being the scheme's default.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) &&
		strings.EqualFold(a.Hostname(), b.Hostname()) &&
		port(a) == port(b)
}

// tokenOrigin reports whether a request to a may carry the bearer token
// meant for the endpoint at origin: at origin itself, or, when the user
// named a loopback host (localhost, 127.0.0.0/8 or ::1), at another of
// them with the same scheme and port, which the reach guard takes for
// the host named (the one listener a local server redirects among).
func tokenOrigin(a, origin *url.URL) bool {
	if sameOrigin(a, origin) {
		return true
	}
	return strings.EqualFold(a.Scheme, origin.Scheme) && port(a) == port(origin) &&
		loopbackURL(a) && loopbackURL(origin)
}

// loopbackURL reports whether u's host is one of the loopback names that
// stand for each other (loopbackAlias), in the form the guard compares.
func loopbackURL(u *url.URL) bool {
	host, _, err := net.SplitHostPort(hostPort(asciiHost(u), port(u)))
	return err == nil && loopbackAlias(host)
}

// port is u's port, or its scheme's default.
func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

// maxAnswerBytes bounds an answer that is not an event stream.
const maxAnswerBytes = 64 << 20

// errAnswerTooLarge ends the reading of an answer over maxAnswerBytes.
var errAnswerTooLarge = fmt.Errorf("the server's answer is larger than %d MiB", maxAnswerBytes>>20)

// boundedBody is a response body that fails once more than left bytes
// were read from it.
type boundedBody struct {
	io.ReadCloser
	left int64
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, errAnswerTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, errAnswerTooLarge
	}
	return n, err
}

// mediaType is resp's Content-Type without its parameters, in lower case.
func mediaType(resp *http.Response) string {
	ct, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
	return strings.ToLower(strings.TrimSpace(ct))
}

// maxPeek bounds how much of an error body is read for its message.
const maxPeek = 4 << 10

// peekProxyResponse reports whether the body is a Lambda proxy response
// ({"statusCode": …}), leaving it for the SDK to read. A Function URL or
// REST API that streams relays a function's payload as the body when the
// function answers buffered, as a lambdamcp function does for a shape its
// Options.Stream does not name. Only the first member is looked at, so a
// payload longer than maxPeek is still recognised.
func peekProxyResponse(resp *http.Response) bool {
	head, _ := io.ReadAll(io.LimitReader(resp.Body, maxPeek))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	dec := json.NewDecoder(bytes.NewReader(head))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	tok, err := dec.Token()
	return err == nil && tok == "statusCode"
}

// peekMessage returns the "message" of a JSON error body, which gateways
// use to say why they refused (API Gateway's "Missing Authentication
// Token"), and the message of the JSON-RPC error the body is, if it is
// one, leaving the body for the SDK to read. (The go-sdk reads a JSON-RPC
// error only when it answers a request, by its id: one without an id, as
// a server refusing a body it would not read answers, it reports by the
// status alone.)
func peekMessage(resp *http.Response) (message, rpcError string) {
	if mediaType(resp) != "application/json" {
		return "", ""
	}
	head, err := io.ReadAll(io.LimitReader(resp.Body, maxPeek))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	if err != nil {
		return "", ""
	}
	var body struct {
		Message string          `json:"message"` // matches Function URLs' "Message" too
		JSONRPC string          `json:"jsonrpc"`
		Error   json.RawMessage `json:"error"` // an OAuth error's is a string
	}
	if json.Unmarshal(head, &body) != nil {
		return "", ""
	}
	var rpc struct {
		Message string `json:"message"`
	}
	if body.JSONRPC == "2.0" && json.Unmarshal(body.Error, &rpc) == nil {
		rpcError = rpc.Message
	}
	return body.Message, rpcError
}

// httpStatusError is a failure the server answered with an HTTP status.
type httpStatusError struct {
	status    int
	challenge string
	message   string // the body's "message", if any
	rpcError  string // the message of the JSON-RPC error the body is, if any
	tokenSent bool   // the request carried the token
	obtainer  string // the client that obtained the token, if the run did
	withheld  string // the origin a redirect led the request to, without the token
	at        string // the URL a redirect led the request to, redacted; "": the endpoint
	session   bool   // the request carried a session id
	err       error
}

func (e *httpStatusError) Error() string { return e.err.Error() }
func (e *httpStatusError) Unwrap() error { return e.err }

// stepError is the failure of one step of the run ("calling ping").
type stepError struct {
	step string
	err  error
}

func (e *stepError) Error() string { return e.step + ": " + e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

// withStatus is the failure of step with err, carrying the failed POST's
// answer when the last POST failed.
func withStatus(c *http.Client, step string, err error) error {
	rec, ok := c.Transport.(*statusRecorder)
	if !ok {
		return &stepError{step, err}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.notMCP != "" {
		return &stepError{step, &notMCPError{mediaType: rec.notMCP, proxyBody: rec.proxyBody, err: err}}
	}
	if rec.empty != nil {
		return &stepError{step, &emptyAnswerError{*rec.empty, err}}
	}
	if rec.json && notJSONRPC(err, "response") {
		return &stepError{step, &notMCPError{mediaType: "JSON that is no JSON-RPC message", err: err}}
	}
	if (rec.streamEnded == nil || !rec.streamEnded.midEvent) && notJSONRPC(err, "event") {
		// A whole event, not one the stream's end cut: the server's.
		return &stepError{step, &notMCPError{mediaType: "an event that is no JSON-RPC message", err: err}}
	}
	if rec.streamEnded != nil && !rec.streamEnded.answered && serverError(err) == nil {
		return &stepError{step, &streamEndedError{*rec.streamEnded, err}}
	}
	if rec.last == 0 {
		return &stepError{step, err}
	}
	obtainer := ""
	if rec.oauth != nil {
		obtainer = rec.oauth.clientID
	}
	return &stepError{step, &httpStatusError{status: rec.last, challenge: rec.challenge, message: rec.message, rpcError: rec.rpcError, tokenSent: rec.tokenSent, obtainer: obtainer, withheld: rec.withheld, at: rec.at, session: rec.session, err: err}}
}

// lastCall is the method of the last call c sent, "" if none.
func lastCall(c *http.Client) string {
	rec, ok := c.Transport.(*statusRecorder)
	if !ok {
		return ""
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.lastCall
}

// notJSONRPC reports whether err is the go-sdk's failure to read a JSON
// answer ("response") or an event's data ("event") as a JSON-RPC message
// at all: not an object, or one without "jsonrpc": "2.0". It says so in
// words alone.
func notJSONRPC(err error, what string) bool {
	msg := err.Error()
	return strings.Contains(msg, "failed to decode "+what+": invalid message version tag") ||
		strings.Contains(msg, "failed to decode "+what+": unmarshaling jsonrpc message")
}

// scrubbed is an error whose text names the endpoint by its redacted form:
// the go-sdk's and net/http's messages quote the URL they failed at, with
// its query (a token given in the URL, say).
type scrubbed struct {
	err           error
	raw, redacted string
}

func (s scrubbed) Error() string {
	msg := s.err.Error()
	if u, err := url.Parse(s.raw); err == nil {
		msg = strings.ReplaceAll(msg, u.String(), s.redacted)
		msg = strings.ReplaceAll(msg, u.Redacted(), s.redacted)
		if _, ok := u.User.Password(); ok {
			// net/http's form: the password hidden, the query not.
			msg = strings.ReplaceAll(msg, strings.Replace(u.String(), u.User.String()+"@", u.User.Username()+":***@", 1), s.redacted)
		}
	}
	return strings.ReplaceAll(msg, s.raw, s.redacted)
}

func (s scrubbed) Unwrap() error { return s.err }

// redacted is endpoint without what may be secret: its user information
// (a user name may be a token too) becomes "xxxxx", and its query and
// fragment "…". It reads the text as typed, not as url.Parse would, so that
// a mistyped scheme, or none, hides as much: everything up to the last "@"
// is user information. When a "/", "?" or "#" comes before that "@", nobody
// can tell a password holding one from a path or query holding an "@", and
// all after the scheme is hidden. A scheme has no ":": with none typed, a
// "://" after a colon is inside a password ("alice:s3c://ret@host"), and
// what comes before it is user information too.
func redacted(endpoint string) string {
	s, start := endpoint, 0
	if i := strings.Index(s, "://"); i >= 0 && !strings.ContainsAny(s[:i], "/?#:") {
		start = i + len("://") // after a scheme, even a mistyped one (" https")
	}
	if at := strings.LastIndexByte(s[start:], '@'); at >= 0 {
		if strings.ContainsAny(s[start:start+at], "/?#") {
			return s[:start] + "xxxxx…"
		}
		s = s[:start] + "xxxxx" + s[start+at:]
	}
	if i := strings.IndexAny(s[start:], "?#"); i >= 0 {
		s = s[:start+i] + "?…"
	}
	return s
}

// printable is s as it may be shown on a terminal: what a server sends
// (names, messages, log lines) is shown, not obeyed, so control characters
// (escape sequences that move the cursor, clear lines or retitle the
// window; line breaks that would forge a line of the client's own), the
// Unicode controls that reorder text and Unicode's line separators are
// written as escapes.
func printable(s string) string {
	return printableKeeping(s, "")
}

// printableKeeping is printable, leaving the characters of keep as they are
// (a result's line breaks and tabs). A backslash stays as it is too: a
// message quotes what the server sent with %q before it is shown, and a
// result's text (a path, a regular expression, JSON) is read more than it
// is told apart from an escape.
func printableKeeping(s, keep string) string {
	return textcut.PrintableKeeping(s, keep+`\`)
}

// explain turns an error into the one line a person needs. The endpoint
// is named without its secrets, also where the error's own text has it;
// what the server sent is quoted clipped (secretSet.clip), its secrets
// hidden.
func explain(endpoint string, err error, secrets *secretSet) string {
	raw := endpoint
	endpoint = redacted(endpoint)
	err = scrubbed{err, raw, endpoint}
	var re *redirectError
	if errors.As(err, &re) {
		return endpoint + ": " + re.msg
	}
	var rr *redirectRefused
	if errors.As(err, &rr) {
		return endpoint + ": " + rr.explain()
	}
	var fe *flowError
	if errors.As(err, &fe) {
		return explainFlow(endpoint, fe, secrets)
	}
	var hs *httpSSEError
	if errors.As(err, &hs) {
		return fmt.Sprintf("%s serves the HTTP+SSE transport of protocol 2024-11-05, which this client does not speak: it speaks Streamable HTTP, which servers offer since 2025-03-26 (%v)", endpoint, err)
	}
	var nm *notMCPError
	if errors.As(err, &nm) && nm.proxyBody {
		return fmt.Sprintf("%s answered with a Lambda function's buffered response as its body (%s): the Function URL or REST API streams, "+
			"and the function does not know it; give it MCP_STREAM (Options.Stream) naming the shape, url or rest (%v)", endpoint, nm.mediaType, err)
	}
	if errors.As(err, &nm) {
		return fmt.Sprintf("%s answered with %s, not MCP: check that this is the MCP endpoint (%v)", endpoint, nm.mediaType, err)
	}
	var ea *emptyAnswerError
	if errors.As(err, &ea) {
		return fmt.Sprintf("%s answered HTTP %d with an empty body to %q, a request that needs an answer: there is no MCP server at that URL, or a proxy on the way dropped the body", endpoint, ea.status, ea.method)
	}
	var sende *streamEndedError
	if errors.As(err, &sende) {
		return explainStreamEnd(endpoint, sende, func(err error) error { return scrubbed{err, raw, endpoint} })
	}
	var se *httpStatusError
	hasStatus := errors.As(err, &se)
	rpcErr := serverError(err)
	if hasStatus {
		// These statuses say more than the JSON-RPC error a server
		// wraps them in (lambdamcp.JSONErrors makes "404 page not found"
		// an invalid request) — except a 2026-07-28 server's 404 for a
		// method it does not know.
		switch {
		case se.status == http.StatusUnauthorized:
			return unauthorized(endpoint, se, secrets)
		case se.status == http.StatusForbidden:
			return forbidden(endpoint, se, secrets)
		case se.status == http.StatusNotFound && se.session:
			return fmt.Sprintf("%s no longer knows this session (%s): the server restarted or ended it, or the requests reached different instances of it", endpoint, httpStatus(se, secrets))
		case se.status == http.StatusNotFound && (rpcErr == nil || rpcErr.Code != jsonrpc.CodeMethodNotFound):
			return fmt.Sprintf("no MCP endpoint at %s (%s): check the URL's path", endpoint, httpStatus(se, secrets))
		}
	}
	if rpcErr != nil {
		// The server understood the request and said why it failed.
		var step *stepError
		doing := ""
		if errors.As(err, &step) {
			doing = step.step + ": "
		}
		if hint := localRefusal(err, rpcErr, secrets); hint != "" {
			return fmt.Sprintf("%s: %s%s", endpoint, doing, hint)
		}
		answered := endpoint + ":"
		if hasStatus {
			answered = fmt.Sprintf("%s answered %s:", endpoint, httpStatus(se, secrets))
		}
		return fmt.Sprintf("%s %sserver error %d: %s%s%s", answered, doing, rpcErr.Code, secrets.clip(rpcErr.Message), capabilityHint(err, secrets), undeclaredHint(err, rpcErr))
	}
	if hasStatus {
		// A JSON-RPC error the go-sdk did not take for an answer (it has
		// no id) says why in its message.
		shown := *se
		if shown.message == "" {
			shown.message = se.rpcError
		}
		return fmt.Sprintf("%s answered %s: %v", endpoint, httpStatus(&shown, secrets), err)
	}
	var ne net.Error
	var oe *net.OpError
	var ce *tls.CertificateVerificationError
	switch {
	case errors.As(err, &ce):
		// Wrapped in the go-sdk's words for the request it could not send.
		return fmt.Sprintf("the TLS certificate of %s cannot be verified (%v): it is not for that host name, has expired, or is signed by an authority this machine does not trust; nothing was sent", endpoint, ce.Err)
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("timed out talking to %s: %v", endpoint, err)
	// The SDK does not always wrap transport errors, so their text is
	// checked too (as for a refused connection: Plan 9 has no ECONNREFUSED).
	case errors.As(err, &oe),
		strings.Contains(err.Error(), "connection refused"), strings.Contains(err.Error(), "no such host"):
		return fmt.Sprintf("cannot reach %s: %v", endpoint, err)
	}
	return fmt.Sprintf("%s: %v", endpoint, err)
}

// The go-sdk's transport reports some failures of its own as JSON-RPC
// errors, which the server did not send.
const (
	codeRejected      = -32005 // "rejected by transport": wraps the server's error, if any, after it
	codeClientClosing = -32003 // "client is closing"
)

// serverError returns the JSON-RPC error the server answered with, if err
// holds one.
func serverError(err error) *jsonrpc.Error {
	var rpcErr *jsonrpc.Error
	if !errors.As(err, &rpcErr) || rpcErr.Code == codeRejected || rpcErr.Code == codeClientClosing {
		return nil
	}
	return rpcErr
}

// localRefusal explains the go-sdk client's own refusal of what a tool
// asked of it in a 2026-07-28 input request (the server asked; this client
// said no, or could not answer), which the go-sdk reports like a server's
// error, wrapped in its "fulfilling input request"; "" for any other error.
func localRefusal(err error, rpcErr *jsonrpc.Error, secrets *secretSet) string {
	if !strings.Contains(err.Error(), "fulfilling input request") {
		return ""
	}
	switch {
	case rpcErr.Message == "client does not support elicitation":
		return "the tool asks the user for input (elicitation), which this client answers only as -elicit says: give -elicit with a JSON object, decline or cancel"
	case rpcErr.Message == "client does not support CreateMessage":
		return "the tool asks the client's model for a completion (sampling), which this client does not offer"
	case strings.Contains(rpcErr.Message, "does not match requested schema"):
		return "this client could not answer the tool's request for input: " + secrets.clip(rpcErr.Message) + " (give -elicit an object that fits the schema the tool asks for)"
	}
	return "this client could not answer the tool's request for input: " + secrets.clip(rpcErr.Message)
}

// httpStatus names the status of a failed answer, the message its body
// gave, if any, clipped, and where it came from when a redirect led the
// request away from the endpoint: `HTTP 500, "boom"`.
func httpStatus(se *httpStatusError, secrets *secretSet) string {
	status := fmt.Sprintf("HTTP %d", se.status)
	if se.message != "" {
		status += ", " + secrets.quote(se.message)
	}
	if se.at != "" && se.withheld == "" {
		// (A token withheld there names the origin already.)
		status += " from " + printable(se.at) + ", where the endpoint redirects"
	}
	return status
}

// capabilityHint tells what to do about a server's
// MissingRequiredClientCapability (-32021): -elicit declares form
// elicitation; nothing here declares anything else the server names.
func capabilityHint(err error, secrets *secretSet) string {
	var rpcErr *jsonrpc.Error
	if !errors.As(err, &rpcErr) || rpcErr.Code != mcp.CodeMissingRequiredClientCapabilities {
		return ""
	}
	var data struct {
		Required map[string]json.RawMessage `json:"requiredCapabilities"`
	}
	if json.Unmarshal(rpcErr.Data, &data) != nil || len(data.Required) == 0 {
		return ""
	}
	var hints, missing []string
	for _, name := range slices.Sorted(maps.Keys(data.Required)) {
		var sub map[string]json.RawMessage
		json.Unmarshal(data.Required[name], &sub) // what of it, if the value says
		switch name {
		case "roots":
			continue // declared: the go-sdk client declares roots by default
		case "elicitation":
		default:
			missing = append(missing, capabilityName(name, sub))
			continue
		}
		if _, form := sub["form"]; form || len(sub) == 0 {
			hints = append(hints, "answer the server's questions with -elicit")
			delete(sub, "form")
		}
		if len(sub) > 0 {
			missing = append(missing, capabilityName(name, sub))
		}
	}
	if len(missing) > 0 {
		hints = append(hints, "this client offers no "+secrets.clip(strings.Join(missing, ", ")))
	}
	if len(hints) == 0 {
		return ""
	}
	return " (" + strings.Join(hints, "; ") + ")"
}

// undeclaredError is the failure of a request for a capability the
// server did not declare.
type undeclaredError struct {
	capability string // "tools", "prompts", "resources"
	err        error
}

func (e *undeclaredError) Error() string { return e.err.Error() }
func (e *undeclaredError) Unwrap() error { return e.err }

// undeclared is err, the failure of a request for capability, marked as
// such when the server's answer to connecting, init, did not declare it.
func undeclared(err error, init *mcp.InitializeResult, capability string) error {
	caps := init.Capabilities
	if caps != nil && (capability == "tools" && caps.Tools != nil || capability == "prompts" && caps.Prompts != nil || capability == "resources" && caps.Resources != nil) {
		return err
	}
	return &undeclaredError{capability, err}
}

// undeclaredHint says that a server's "method not found" (-32601) answered
// a request for a capability it did not declare: its bare "Method not
// found" (the TypeScript SDK's) would leave the user to think the name or
// URI asked for wrong.
func undeclaredHint(err error, rpcErr *jsonrpc.Error) string {
	var ue *undeclaredError
	if rpcErr.Code != jsonrpc.CodeMethodNotFound || !errors.As(err, &ue) {
		return ""
	}
	return " (the server declares no " + ue.capability + ")"
}

// capabilityName names a capability and what of it was asked for:
// "sampling (tools)", "elicitation (url)".
func capabilityName(name string, sub map[string]json.RawMessage) string {
	if len(sub) == 0 {
		return name
	}
	return name + " (" + strings.Join(slices.Sorted(maps.Keys(sub)), ", ") + ")"
}

// logLevels are the MCP log levels (RFC 5424 severities), least severe
// first.
var logLevels = []string{"debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"}

// usage is the synopsis printed with a usage error; -h lists the flags.
const usage = "usage: mcp-client [-endpoint URL] [-token TOKEN | -client-id ID -issuer URL [-login [-redirect-port PORT] [-no-browser] [-no-token-cache] | -logout] | -login [-issuer URL] [-redirect-port PORT] [-no-browser] [-no-token-cache] | -logout [-issuer URL]] [-protocol VERSION] [-timeout DURATION] [-insecure] [-trace] [-call TOOL [-args JSON|@FILE|@-] [-log LEVEL] [-elicit JSON|@FILE|@-|decline|cancel] | -prompt NAME [-args JSON|@FILE|@-] [-elicit JSON|@FILE|@-|decline|cancel] | -read URI]"

// exitStatuses ends -h's text: a script tells its outcomes apart by them.
const exitStatuses = `
Exit status:
  0    success (and -h)
  1    the run failed (one line on standard error says why: the server unreachable
       or refusing, a JSON-RPC error, a timeout), or the called tool returned an
       error (isError: true; its content on standard output)
  2    a command line it cannot run (an unknown flag, a bad value, a stray argument)
  129  hung up (SIGHUP: the terminal closed), which ends the run as Ctrl-C does
  130  interrupted (Ctrl-C)
  143  terminated (SIGTERM), which ends the run as Ctrl-C does
`

// usageError reports a command line that cannot be run, with the
// synopsis, and returns the exit status for it.
func usageError(stderr io.Writer, msg string) int {
	return cmdline.UsageError(stderr, "mcp-client", usage, msg)
}

// or returns the first non-empty string.
func or(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
