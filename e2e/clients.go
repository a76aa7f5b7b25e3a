package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/localfront"
	"github.com/lambdamcp/lambdamcp/internal/oauthtest"
)

const (
	referencePkg  = "./cmd/mcp-server"
	authorizerPkg = "./cmd/authorizer"
	// mcpgoPkg is a client built on mark3labs/mcp-go, an MCP implementation
	// in Go written apart from the go-sdk, in a module of its own.
	mcpgoPkg = "./e2e/clients/mcpgo"
)

// clientTarget is the reference server as the real clients reach it.
type clientTarget struct {
	name  string
	url   string
	stop  func()
	token string            // the bearer token it accepts, on a token target
	as    *oauthtest.Server // the authorization server it trusts, on a jwt target
}

// allClientTargets are where the real clients meet the reference server: run
// locally and behind the local front's Function URL in RESPONSE_STREAM mode
// (deploy/'s url variant), where it checks bearer tokens itself, and behind
// the REST and HTTP API shapes (the two with Lambda authorizers), where the
// real authorizer bootstrap checks them, the REST API also with transfer
// mode STREAM (deploy/'s rest variant with streaming).
var allClientTargets = []string{"local", "url-stream", "rest", "rest-stream", "http"}

// clientRun is one client invocation and what it must show.
type clientRun struct {
	what string
	bin  string   // the client's binary; "": node
	args []string // "{url}", and on a jwt target "{client-id}" and "{issuer}", are replaced
	// creds sends the right credentials: the bearer token, or on a jwt
	// target the client id, its secret and its issuer.
	creds   bool
	wrong   bool           // send a wrong token, or a wrong secret (refused)
	refused *regexp.Regexp // how the refusal must read; nil: refusal
	wantOut []string       // must all appear in the output when it succeeds
	wantNot []string       // and none of these
	// login signs a person in: each sign-in URL the client prints is
	// browsed, as the person's browser would, and it must print signIns.
	login   bool
	signIns int
	// kept: the run must get no token from the authorization server, and
	// use the sign-in a run before it kept (or delete it).
	kept bool
}

// client is a real MCP client with the runs that prove it works.
type client struct {
	name string
	runs []clientRun
}

func realClients(tools *nodeTools, mcpgo string) []client {
	sdk := filepath.Join(tools.dir, "clients", "sdk-client.mjs")
	inspector := tools.path("@modelcontextprotocol", "inspector", "clients", "launcher", "build", "index.js")
	inspectorRuns := func(era string) []clientRun {
		// --stored-auth-only: refused without a token, fail instead of
		// starting an interactive OAuth login.
		base := []string{inspector, "--cli", "{url}", "--protocol-era", era, "--format", "json", "--quiet", "--stored-auth-only"}
		with := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }
		ping := clientRun{what: "ping", args: with("--method", "tools/call", "--tool-name", "ping", "--tool-args-json", `{"delay_ms":0}`), creds: true,
			wantOut: []string{"pong"}}
		// The inspector prints no protocol version, and a run in one era
		// (--protocol-era dropped or not honoured, or a pin that falls
		// back) would pass for the other: the call's result names the
		// server in its _meta, which the go-sdk's server adds in the
		// 2026-07-28 era alone.
		if era == "modern" {
			ping.wantOut = append(ping.wantOut, modernResult)
		} else {
			ping.wantNot = []string{modernResult}
		}
		return []clientRun{
			{what: "tools/list", args: with("--method", "tools/list"), creds: true, wantOut: []string{`{"name":"ping"`, `{"name":"whoami"`}},
			ping,
			{what: "tools/list without a token", args: with("--method", "tools/list")},
		}
	}
	sdkRuns := func(era, version string) []clientRun {
		return []clientRun{
			{what: "tools/list + ping", args: []string{sdk, era, "{url}", "ping", `{"delay_ms":0}`}, creds: true,
				wantOut: []string{`"protocolVersion":"` + version + `"`, referenceTools, "pong"}},
			{what: "without a token", args: []string{sdk, era, "{url}", "ping"}},
			{what: "with a wrong token", args: []string{sdk, era, "{url}", "ping"}, wrong: true},
		}
	}
	// mcp-go falls back to the initialize handshake by itself when
	// server/discover fails, so the modern run must print 2026-07-28. It
	// reports a 401 as "authorization required".
	mcpgoRuns := func(era, version string) []clientRun {
		return []clientRun{
			{what: "tools/list + ping", bin: mcpgo, args: []string{era, "{url}", "ping", `{"delay_ms":0}`}, creds: true,
				wantOut: []string{`"protocolVersion":"` + version + `"`, referenceTools, "pong"}},
			{what: "without a token", bin: mcpgo, args: []string{era, "{url}"}, refused: mcpgoRefusal},
			{what: "with a wrong token", bin: mcpgo, args: []string{era, "{url}"}, wrong: true, refused: mcpgoRefusal},
		}
	}
	return []client{
		{name: "TypeScript SDK " + tools.packageVersion("@modelcontextprotocol/sdk") + " legacy", runs: sdkRuns("legacy", "2025-11-25")},
		{name: "TypeScript client " + tools.packageVersion("@modelcontextprotocol/client") + " modern", runs: sdkRuns("modern", "2026-07-28")},
		// An agent built before the 2025-06-18 release: its requests carry
		// no MCP-Protocol-Version, which the server must take for 2025-03-26.
		{name: "TypeScript SDK " + tools.packageVersion("sdk-2025-03-26") + " 2025-03-26", runs: sdkRuns("2025-03-26", "2025-03-26")},
		{name: "inspector " + tools.packageVersion("@modelcontextprotocol/inspector") + " legacy", runs: inspectorRuns("legacy")},
		{name: "inspector " + tools.packageVersion("@modelcontextprotocol/inspector") + " modern", runs: inspectorRuns("modern")},
		{name: "mcp-go " + moduleVersion(mcpgoPkg, "github.com/mark3labs/mcp-go") + " legacy", runs: mcpgoRuns("legacy", "2025-11-25")},
		{name: "mcp-go " + moduleVersion(mcpgoPkg, "github.com/mark3labs/mcp-go") + " modern", runs: mcpgoRuns("modern", "2026-07-28")},
	}
}

// referenceTools is the tools/list line of the SDK and mcp-go clients
// (clients/sdk-client.mjs, clients/mcpgo) for the reference server. The
// tool's name alone would not do: the line of the call names it too, and
// would pass for a list without it.
const referenceTools = `"tools":["ping","whoami"]`

// modernResult marks a result the server gave in the 2026-07-28 era: the
// server's name in the result's _meta (SEP-2575), which a 2025-11-25
// result does not carry.
const modernResult = `"io.modelcontextprotocol/serverInfo":{`

// mcpgoRefusal is how mcp-go's client reports a 401.
var mcpgoRefusal = regexp.MustCompile(`authorization required`)

// moduleVersion reads the version of the module path that the go.mod in
// dir requires, or "?".
func moduleVersion(dir, path string) string {
	data, err := os.ReadFile(filepath.Join(filepath.FromSlash(dir), "go.mod"))
	if err != nil {
		return "?"
	}
	for line := range strings.Lines(string(data)) {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		if len(f) >= 2 && f[0] == path {
			return f[1]
		}
	}
	return "?"
}

// runClients runs the real MCP clients against the reference server on every
// client target: with a bearer token each lists the tools and calls ping, and
// without one (or, for the SDK's clients, with a wrong one) each must be
// refused with a clear 401. On the jwt targets the clients get their token
// themselves with their client id and secret (jwtClients).
func runClients(ctx context.Context, b *builder, tools *nodeTools, cfg config, log io.Writer) []result {
	token := randomHex(24)
	var results []result
	var mcpgo string
	if slices.ContainsFunc(allClientTargets, func(name string) bool { return slices.Contains(cfg.targets, name) }) {
		var err error
		if mcpgo, err = b.build(ctx, mcpgoPkg, false); err != nil {
			return []result{{suite: "building the mcp-go client", target: strings.Join(cfg.targets, ","), detail: err.Error()}}
		}
	}
	for _, name := range append(slices.Clone(allClientTargets), jwtTargets...) {
		if !slices.Contains(cfg.targets, name) {
			continue
		}
		clients := realClients(tools, mcpgo)
		var t *clientTarget
		var err error
		if slices.Contains(jwtTargets, name) {
			var cli string
			if cli, err = b.build(ctx, clientPkg, false); err == nil {
				clients = jwtClients(tools, cli)
				t, err = startJWTTarget(ctx, b, name)
			}
		} else {
			t, err = startClientTarget(ctx, b, name, token)
		}
		if err != nil {
			results = append(results, result{suite: "starting the reference server", target: name, detail: err.Error()})
			continue
		}
		for _, c := range clients {
			start := time.Now()
			r := c.check(ctx, tools, t, cfg, log)
			r.took = time.Since(start)
			results = append(results, r)
		}
		t.stop()
	}
	return results
}

func startClientTarget(ctx context.Context, b *builder, name, token string) (*clientTarget, error) {
	sum := sha256.Sum256([]byte(token))
	tokenHash := hex.EncodeToString(sum[:])
	if name == "url-stream" {
		// Nothing stands in front of a Function URL: the bootstrap checks the token.
		base, stop, err := startFront(ctx, b, frontOptions{
			shape: "url", stream: true, pkg: referencePkg, logName: "reference-" + name,
			env: []string{"MCP_AUTH_TOKEN_SHA256=" + tokenHash, "MCP_STREAM=url"},
		})
		if err != nil {
			return nil, err
		}
		return &clientTarget{name: name + "+token", url: base + "/mcp", stop: stop, token: token}, nil
	}
	if name != "local" {
		o := frontOptions{
			shape: name, pkg: referencePkg, logName: "reference-" + name,
			env:        []string{"MCP_AUTH_FROM_AUTHORIZER=1"},
			authorizer: authorizerPkg,
			authEnv:    []string{"MCP_AUTH_TOKEN_SHA256=" + tokenHash},
		}
		if name == "rest-stream" {
			o.shape, o.stream, o.env = "rest", true, append(o.env, "MCP_STREAM=rest")
		}
		// As the deploy stack's API answers in front of the authorizer:
		// its routes, Gateway Responses or CORS, and the authorizer's
		// result cache.
		switch o.shape {
		case "rest":
			o.deploy = &localfront.DeployREST{}
		case "http":
			o.deployHTTP = &localfront.DeployHTTP{}
		}
		base, stop, err := startFront(ctx, b, o)
		if err != nil {
			return nil, err
		}
		return &clientTarget{name: name + "+authorizer", url: base + "/mcp", stop: stop, token: token}, nil
	}
	bin, err := b.build(ctx, referencePkg, false)
	if err != nil {
		return nil, err
	}
	env := []string{"MCP_AUTH_TOKEN_SHA256=" + tokenHash}
	p, err := startProcess(filepath.Join(b.outDir, "logs", "reference-"+name+".log"), bin, []string{"-addr", "127.0.0.1:0"}, env)
	if err != nil {
		return nil, err
	}
	u, err := p.waitURL(ctx, 60*time.Second)
	if err != nil {
		p.stop()
		return nil, err
	}
	return &clientTarget{name: name, url: u, stop: p.stop, token: token}, nil
}

// clientTimeout bounds one run of a client.
const clientTimeout = 60 * time.Second

// refusal is how the clients say the server wants a token: the SDK's 1.x
// client quotes the body of the 401 (`{"error":"invalid_token",…}`, or the
// Gateway's `{"message":"Unauthorized"}`), its 2.x client and
// cmd/mcp-client name the status (`(HTTP 401)`), the inspector the
// auth_required it concludes from it. A bare 401 is not enough: a crash's
// stack trace has numbers like it (`at f (/x/y.js:401:12)`), and a
// client that crashed must not pass for one that was refused.
var refusal = regexp.MustCompile(`(?i)\bHTTP 401\b|\(401\)|\bunauthori[sz]ed\b|\bauth_required\b|\binvalid_token\b`)

// check runs every run of c against t; the first that misbehaves fails it.
func (c client) check(ctx context.Context, tools *nodeTools, t *clientTarget, cfg config, log io.Writer) result {
	res := result{suite: c.name, target: t.name}
	home := filepath.Join(cfg.outDir, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		res.detail = err.Error()
		return res
	}
	// The sign-ins a client keeps go to a cache of this check's, never
	// the user's.
	cache, err := os.MkdirTemp(cfg.outDir, "cache-")
	if err != nil {
		res.detail = err.Error()
		return res
	}
	var done []string
	for _, r := range c.runs {
		args, env, masks := t.credentials(r)
		env = append(env, "XDG_CACHE_HOME="+cache)
		issued := t.issued()
		cctx, cancel := context.WithTimeout(ctx, clientTimeout)
		var out bytes.Buffer
		cmd := tools.command(cctx, home, env, args...)
		if r.bin != "" {
			cmd = clientCommand(cctx, home, env, r.bin, args...)
		}
		var signIns int
		var browseErr error
		if r.login {
			signIns, browseErr, err = runSigningIn(cctx, cmd, &out, cancel)
		} else {
			cmd.Stdout, cmd.Stderr = &out, &out
			err = cmd.Run()
		}
		timedOut := cctx.Err() == context.DeadlineExceeded
		cancel()
		// No secret reaches the log or the summary: not the token, the
		// client's id and secret, nor a token the client was issued.
		hide := func(s string) string {
			for _, tok := range t.issued() {
				s = strings.ReplaceAll(s, tok, "<issued token>")
			}
			for secret, mask := range masks {
				s = strings.ReplaceAll(s, secret, mask)
			}
			return s
		}
		output := hide(out.String())
		if cfg.verbose {
			fmt.Fprintf(log, "e2e: %s %s:\n%s\n", c.name, r.what, output)
		}
		rr := runResult{output: output, err: err, timedOut: timedOut, signIns: signIns, browseErr: hide(fmt.Sprint(browseErr)), browseFailed: browseErr != nil,
			issuedBefore: len(issued), issuedAfter: len(t.issued()), hasAS: t.as != nil}
		line, ok := r.verdict(rr)
		if !ok {
			res.detail = line
			return res
		}
		done = append(done, line)
	}
	res.ok = true
	res.detail = strings.Join(done, "; ")
	return res
}

// runSigningIn runs cmd as a person signing in: its standard error is
// watched for sign-in URLs, each browsed (stop ends the client if that
// fails), and its output goes to out in the order written. It returns
// how many sign-in URLs were printed, the browsing's error and the run's.
func runSigningIn(ctx context.Context, cmd *exec.Cmd, out io.Writer, stop func()) (int, error, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return 0, nil, err
	}
	defer pr.Close()
	cmd.Stdout, cmd.Stderr = pw, pw
	err = cmd.Start()
	pw.Close() // the client holds it: its exit ends the reading
	if err != nil {
		return 0, nil, err
	}
	signIns, browseErr := oauthtest.BrowseSignIns(ctx, pr, out, stop)
	return signIns, browseErr, cmd.Wait()
}

// credentials returns the run's arguments and environment with the
// target's credentials (the right ones, wrong ones, or none, as the run
// says), and the secrets among them with what to print instead.
func (t *clientTarget) credentials(r clientRun) (args, env []string, masks map[string]string) {
	args = make([]string, len(r.args))
	var id, issuer string
	if t.as != nil {
		id, issuer = t.as.ClientID, t.as.Issuer
	}
	for i, a := range r.args {
		args[i] = strings.NewReplacer("{url}", t.url, "{client-id}", id, "{issuer}", issuer).Replace(a)
	}
	if t.as != nil {
		masks = map[string]string{t.as.Secret: "<client secret>", id: "<client id>"}
		if r.creds || r.wrong {
			secret := t.as.Secret
			if r.wrong {
				secret = randomHex(24)
				masks[secret] = "<wrong secret>"
			}
			env = []string{"MCP_CLIENT_ID=" + id, "MCP_CLIENT_SECRET=" + secret, "MCP_CLIENT_ISSUER=" + issuer}
		}
		return args, env, masks
	}
	masks = map[string]string{t.token: "<token>"}
	if r.creds || r.wrong {
		send := t.token
		if r.wrong {
			send = randomHex(24)
		}
		env = []string{"MCP_BEARER_TOKEN=" + send}
		if strings.Contains(args[0], "inspector") {
			args = append(args, "--header", "Authorization: Bearer "+send)
		}
	}
	return args, env, masks
}

// issued returns the tokens the target's authorization server issued.
func (t *clientTarget) issued() []string {
	if t.as == nil {
		return nil
	}
	_, issued := t.as.Seen()
	return issued
}

// missing returns the first of want that out does not contain, or "".
func missing(out string, want []string) string {
	for _, w := range want {
		if !strings.Contains(out, w) {
			return w
		}
	}
	return ""
}

// present is the first of unwanted that out contains, or "".
func present(out string, unwanted []string) string {
	for _, u := range unwanted {
		if strings.Contains(out, u) {
			return u
		}
	}
	return ""
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return shorten(s, 300)
}

func shorten(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// runResult is what one run of a client check did.
type runResult struct {
	output       string // masked
	err          error  // the client's exit
	timedOut     bool   // the client was ended after clientTimeout
	signIns      int    // sign-in URLs printed and browsed
	browseErr    string // masked
	browseFailed bool
	issuedBefore int // tokens the authorization server had issued before the run
	issuedAfter  int // and after it
	hasAS        bool
}

// verdict is a run's line for the summary, and whether it passed.
func (r clientRun) verdict(rr runResult) (string, bool) {
	refused := refusal
	if r.refused != nil {
		refused = r.refused
	}
	switch {
	case rr.timedOut:
		// Ended by the runner, the client refused nothing: a refusal
		// it printed before hanging does not make the run one.
		return fmt.Sprintf("%s: did not finish within %v: %s", r.what, clientTimeout, firstLine(rr.output)), false
	case r.login && (rr.browseFailed || rr.signIns != r.signIns):
		return fmt.Sprintf("%s: printed %d sign-in URLs (browsing: %s), want %d: %s", r.what, rr.signIns, rr.browseErr, r.signIns, firstLine(rr.output)), false
	case r.creds && rr.err != nil:
		return fmt.Sprintf("%s failed (%v): %s", r.what, rr.err, firstLine(rr.output)), false
	case r.creds && missing(rr.output, r.wantOut) != "":
		return fmt.Sprintf("%s: output lacks %s: %s", r.what, missing(rr.output, r.wantOut), firstLine(rr.output)), false
	case r.creds && present(rr.output, r.wantNot) != "":
		return fmt.Sprintf("%s: output has %s: %s", r.what, present(rr.output, r.wantNot), firstLine(rr.output)), false
	case r.kept && rr.issuedAfter != rr.issuedBefore:
		return fmt.Sprintf("%s: the authorization server issued a token, but the kept sign-in must serve", r.what), false
	case r.creds && rr.hasAS && !r.kept && rr.issuedAfter == rr.issuedBefore:
		// The token came from the authorization server through the
		// chain, not from anywhere else.
		return fmt.Sprintf("%s: succeeded, but the authorization server issued no token", r.what), false
	case r.creds:
		return r.what + " ok", true
	case rr.err == nil:
		return fmt.Sprintf("%s: succeeded, but must be refused", r.what), false
	case !refused.MatchString(rr.output):
		return fmt.Sprintf("%s: refused without saying %s: %s", r.what, refused, firstLine(rr.output)), false
	default:
		return r.what + ": refused: " + shorten(firstLine(rr.output), 110), true
	}
}
