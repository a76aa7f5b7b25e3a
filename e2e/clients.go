package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

const (
	referencePkg  = "./cmd/mcp-server"
	authorizerPkg = "./cmd/authorizer"
)

// clientTarget is the reference server as the real clients reach it.
type clientTarget struct {
	name string
	url  string
	stop func()
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
	what    string   // for the summary
	args    []string // node arguments; "{url}" is replaced
	token   bool     // send the bearer token
	wrong   bool     // send a token that is not the bearer token (refused)
	wantOut []string // must all appear in the output when it succeeds
}

// client is a real MCP client with the runs that prove it works.
type client struct {
	name string
	runs []clientRun
}

func realClients(tools *nodeTools) []client {
	sdk := filepath.Join(tools.dir, "clients", "sdk-client.mjs")
	inspector := tools.path("@modelcontextprotocol", "inspector", "clients", "launcher", "build", "index.js")
	inspectorRuns := func(era string) []clientRun {
		// --stored-auth-only: refused without a token, fail instead of
		// starting an interactive OAuth login.
		base := []string{inspector, "--cli", "{url}", "--protocol-era", era, "--format", "json", "--quiet", "--stored-auth-only"}
		with := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }
		return []clientRun{
			{what: "tools/list", args: with("--method", "tools/list"), token: true, wantOut: []string{`"ping"`}},
			{what: "ping", args: with("--method", "tools/call", "--tool-name", "ping", "--tool-args-json", `{"delay_ms":0}`), token: true, wantOut: []string{"pong"}},
			{what: "tools/list without a token", args: with("--method", "tools/list")},
		}
	}
	sdkRuns := func(era, version string) []clientRun {
		return []clientRun{
			{what: "tools/list + ping", args: []string{sdk, era, "{url}", "ping", `{"delay_ms":0}`}, token: true,
				wantOut: []string{`"protocolVersion":"` + version + `"`, `"ping"`, "pong"}},
			{what: "without a token", args: []string{sdk, era, "{url}", "ping"}},
			{what: "with a wrong token", args: []string{sdk, era, "{url}", "ping"}, wrong: true},
		}
	}
	return []client{
		{name: "TypeScript SDK " + tools.packageVersion("@modelcontextprotocol/sdk") + " legacy", runs: sdkRuns("legacy", "2025-11-25")},
		{name: "TypeScript client " + tools.packageVersion("@modelcontextprotocol/client") + " modern", runs: sdkRuns("modern", "2026-07-28")},
		{name: "inspector " + tools.packageVersion("@modelcontextprotocol/inspector") + " legacy", runs: inspectorRuns("legacy")},
		{name: "inspector " + tools.packageVersion("@modelcontextprotocol/inspector") + " modern", runs: inspectorRuns("modern")},
	}
}

// runClients runs the real MCP clients against the reference server on every
// client target: with a bearer token each lists the tools and calls ping, and
// without one (or, for the SDK's clients, with a wrong one) each must be
// refused with a clear 401.
func runClients(ctx context.Context, b *builder, tools *nodeTools, cfg config, log io.Writer) []result {
	token := randomHex(24)
	sum := sha256.Sum256([]byte(token))
	tokenHash := hex.EncodeToString(sum[:])
	var results []result
	for _, name := range allClientTargets {
		if !slices.Contains(cfg.targets, name) {
			continue
		}
		t, err := startClientTarget(ctx, b, name, tokenHash)
		if err != nil {
			results = append(results, result{suite: "starting the reference server", target: name, detail: err.Error()})
			continue
		}
		for _, c := range realClients(tools) {
			start := time.Now()
			r := c.check(ctx, tools, t, token, cfg, log)
			r.took = time.Since(start)
			results = append(results, r)
		}
		t.stop()
	}
	return results
}

func startClientTarget(ctx context.Context, b *builder, name, tokenHash string) (*clientTarget, error) {
	if name == "url-stream" {
		// Nothing stands in front of a Function URL: the bootstrap checks the token.
		base, stop, err := startFront(ctx, b, frontOptions{
			shape: "url", stream: true, pkg: referencePkg, logName: "reference-" + name,
			env: []string{"MCP_AUTH_TOKEN_SHA256=" + tokenHash, "MCP_STREAM=url"},
		})
		if err != nil {
			return nil, err
		}
		return &clientTarget{name: name + "+token", url: base + "/mcp", stop: stop}, nil
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
		base, stop, err := startFront(ctx, b, o)
		if err != nil {
			return nil, err
		}
		return &clientTarget{name: name + "+authorizer", url: base + "/mcp", stop: stop}, nil
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
	return &clientTarget{name: name, url: u, stop: p.stop}, nil
}

// refusal is how the clients say the server wants a token: the SDK reports
// the HTTP 401 or the error of the challenge (invalid_token), the inspector
// the auth_required it concludes from it.
var refusal = regexp.MustCompile(`(?i)\b401\b|unauthori[sz]ed|auth_required|invalid_token`)

// check runs every run of c against t; the first that misbehaves fails it.
func (c client) check(ctx context.Context, tools *nodeTools, t *clientTarget, token string, cfg config, log io.Writer) result {
	res := result{suite: c.name, target: t.name}
	home := filepath.Join(cfg.outDir, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		res.detail = err.Error()
		return res
	}
	var done []string
	for _, r := range c.runs {
		args := make([]string, len(r.args))
		for i, a := range r.args {
			args[i] = strings.ReplaceAll(a, "{url}", t.url)
		}
		var env []string
		if r.token || r.wrong {
			send := token
			if r.wrong {
				send = randomHex(24)
			}
			env = append(env, "MCP_BEARER_TOKEN="+send)
			if strings.Contains(args[0], "inspector") {
				args = append(args, "--header", "Authorization: Bearer "+send)
			}
		}
		cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		var out bytes.Buffer
		cmd := tools.command(cctx, home, env, args...)
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		cancel()
		// The token never reaches the log or the summary.
		output := strings.ReplaceAll(out.String(), token, "<token>")
		if cfg.verbose {
			fmt.Fprintf(log, "e2e: %s %s:\n%s\n", c.name, r.what, output)
		}
		switch {
		case r.token && err != nil:
			res.detail = fmt.Sprintf("%s failed (%v): %s", r.what, err, firstLine(output))
			return res
		case r.token && missing(output, r.wantOut) != "":
			res.detail = fmt.Sprintf("%s: output lacks %s: %s", r.what, missing(output, r.wantOut), firstLine(output))
			return res
		case r.token:
			done = append(done, r.what+" ok")
		case err == nil:
			res.detail = fmt.Sprintf("%s: succeeded, but must be refused", r.what)
			return res
		case !refusal.MatchString(output):
			res.detail = fmt.Sprintf("%s: refused without saying 401, Unauthorized or auth_required: %s", r.what, firstLine(output))
			return res
		default:
			done = append(done, r.what+": refused: "+shorten(firstLine(output), 110))
		}
	}
	res.ok = true
	res.detail = strings.Join(done, "; ")
	return res
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
