package main

//lint:file-ignore SA1019 MCP logging, sampling and roots are deprecated as of 2026-07-28 but still served and used in the 2025-11-25 era

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// toolCall is what -call, -args, -log and -elicit ask for.
type toolCall struct {
	name     string
	args     json.RawMessage // a JSON object
	logLevel string
	elicit   *elicitAnswer // the answer to every elicitation; nil: none offered
}

// elicitAnswer is -elicit: an action, and for accept the content, kept as the JSON it came in
// so that each elicitation gets content of its own (the go-sdk fills a form's defaults into it).
type elicitAnswer struct {
	action  string
	content []byte
	mu      sync.Mutex // the go-sdk may ask for several answers at once: one line at a time
}

// result is a fresh ElicitResult for one elicitation.
func (a *elicitAnswer) result() *mcp.ElicitResult {
	res := &mcp.ElicitResult{Action: a.action}
	if a.content != nil {
		json.Unmarshal(a.content, &res.Content) // checked by parseElicit
	}
	return res
}

// answer answers one elicitation as -elicit says, saying so on w, secrets hidden from the
// line. A URL-mode elicitation (a page for the user to visit) is declined: a command-line
// client cannot follow it.
func (a *elicitAnswer) answer(w io.Writer, p *mcp.ElicitParams, secrets *secretSet) *mcp.ElicitResult {
	a.mu.Lock()
	defer a.mu.Unlock()
	if p.Mode == "url" {
		fmt.Fprintln(w, secrets.line(fmt.Sprintf("elicitation: %s (a page to visit, %s: declined)", p.Message, p.URL)))
		return &mcp.ElicitResult{Action: "decline"}
	}
	fmt.Fprintln(w, secrets.line(fmt.Sprintf("elicitation: %s (-elicit answers %s)", p.Message, a.action)))
	return a.result()
}

// parseElicit reads -elicit: a JSON object to accept with, or decline or
// cancel; "" for no answer.
func parseElicit(s string) (*elicitAnswer, error) {
	switch s {
	case "":
		return nil, nil
	case "decline", "cancel":
		return &elicitAnswer{action: s}, nil
	}
	return elicitContent("-elicit", "a JSON object, decline or cancel", s)
}

// elicitContent reads the JSON object to accept with that name gives:
// -elicit, or -elicit @FILE for the content of FILE. want says what name
// may be, for a refusal.
func elicitContent(name, want, s string) (*elicitAnswer, error) {
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("%s is not UTF-8, as JSON text must be: %s", name, shownValue(s))
	}
	if strings.Trim(s, jsonSpace) == "" {
		return nil, fmt.Errorf("%s is empty: give %s", name, want)
	}
	var content map[string]any
	if err := json.Unmarshal([]byte(s), &content); err != nil || content == nil {
		return nil, fmt.Errorf("%s must be %s: %s", name, want, shownValue(s))
	}
	if err := checkSent(name, s); err != nil {
		return nil, err
	}
	return &elicitAnswer{action: "accept", content: []byte(s)}, nil
}

// callTool calls one tool, showing its progress and log messages as they
// arrive, then prints its result.
func callTool(ctx context.Context, t target, c toolCall, stdout, stderr io.Writer) error {
	// Standard output is for the result alone, for a pipe to read:
	// what the client says along the way goes to standard error. A bar
	// redrawn in place would be torn by the trace's lines.
	view := &progressView{out: stderr, bar: isTerminal(stderr) && t.trace == nil, secrets: t.secrets}
	if view.bar {
		view.width = func() int { return termWidth(stderr) }
	}
	opts := &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
			view.progress(req.Params)
		},
		LoggingMessageHandler: func(_ context.Context, req *mcp.LoggingMessageRequest) {
			// A server may send what it sends (a stateless one before
			// 2026-07-28 has no session to keep a logging/setLevel in).
			if below(string(req.Params.Level), c.logLevel) {
				return
			}
			view.log(stderr, req.Params)
		},
	}
	// The go-sdk logs each tool it leaves out of a listing as invalid.
	rejected := &rejectedTools{}
	opts.Logger = slog.New(rejected)
	if c.elicit != nil {
		opts.ElicitationHandler = func(_ context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return c.elicit.answer(stderr, req.Params, t.secrets), nil
		}
	}
	session, httpClient, err := connect(ctx, t, opts, stderr)
	if err != nil {
		return err
	}
	// The era is known only once connected; refused, nothing is sent.
	if err := checkArgsSendable(c.args, session.InitializeResult().ProtocolVersion); err != nil {
		closeSession(session, httpClient, false)
		return err
	}

	tool, cut := learnTool(ctx, session, c.name) // cut: a request that ctx cut short, of which the server is told
	if why, ok := rejected.reason(c.name); ok && tool == nil {
		closeSession(session, httpClient, cut)
		return fmt.Errorf("tool %s is not called: its definition is invalid under protocol %s (%s), and a client must leave such a tool out", c.name, session.InitializeResult().ProtocolVersion, t.secrets.clip(why))
	}
	if err := checkHeaderArgs(tool, c.args, session.InitializeResult().ProtocolVersion); err != nil {
		closeSession(session, httpClient, cut)
		return err
	}
	if setLogLevel(ctx, session, c.logLevel) {
		cut = true
	}
	params := &mcp.CallToolParams{Name: c.name, Arguments: c.args}
	params.SetProgressToken("mcp-client")
	if c.logLevel != "" {
		params.Meta[mcp.MetaKeyLogLevel] = c.logLevel
	}
	var res *mcp.CallToolResult
	// After a request cut short, or an interrupt, none other is sent (nor
	// by learnTool and setLogLevel): the server is to be told of the one
	// it is working on, if any (closeSession).
	if err = ctx.Err(); err == nil {
		res, err = session.CallTool(ctx, params)
		cut = cutShort(ctx, err)
	}
	// The SDK hands notifications to their handlers apart from the
	// response; closing the session waits for those still running, so every
	// progress and log line is out before the result, and nothing writes
	// after this function returns.
	closeSession(session, httpClient, cut)
	view.end()
	if err != nil {
		return withStatus(httpClient, "calling "+c.name, undeclared(err, session.InitializeResult(), "tools"))
	}
	if lines := contentLines(res.Content); len(lines) > 0 {
		// Tools that return structured content also return it as text.
		writeResult(stdout, lines)
	} else if res.StructuredContent != nil {
		b, err := json.MarshalIndent(res.StructuredContent, "", "  ")
		if err != nil {
			return fmt.Errorf("structured content of %s: %w", c.name, err)
		}
		out := string(b)
		if isTerminal(stdout) {
			out = printableKeeping(out, "\n") // JSON escapes C0 controls, not C1 or bidi ones
		}
		fmt.Fprintln(stdout, out)
	}
	if res.IsError {
		return fmt.Errorf("tool %s failed", c.name)
	}
	return nil
}

// writeResult writes the lines of a result to w: on a terminal, for a
// person to read, with what the server sent escaped but its line breaks
// and tabs; a pipe gets the text as it is.
func writeResult(w io.Writer, lines []string) {
	out := strings.Join(lines, "\n")
	if isTerminal(w) {
		out = printableKeeping(out, "\n\t")
	}
	fmt.Fprintln(w, out)
}

// contentLines shows a result's content, a line for each item: text as
// it is, and what is not text by its kind, media type and size, since a
// terminal cannot show it. The labels (media types, URIs) are escaped
// even for a pipe: they are one-line names, and a line break in one
// would forge a line of the result.
func contentLines(content []mcp.Content) []string {
	var lines []string
	for _, c := range content {
		switch c := c.(type) {
		case *mcp.TextContent:
			lines = append(lines, c.Text)
		case *mcp.ImageContent:
			lines = append(lines, fmt.Sprintf("[image %s, %d bytes]", printable(c.MIMEType), len(c.Data)))
		case *mcp.AudioContent:
			lines = append(lines, fmt.Sprintf("[audio %s, %d bytes]", printable(c.MIMEType), len(c.Data)))
		case *mcp.ResourceLink:
			lines = append(lines, fmt.Sprintf("[resource link %s]", printable(c.URI)))
		case *mcp.EmbeddedResource:
			switch r := c.Resource; {
			case r == nil:
				lines = append(lines, "[resource]")
			case r.Blob != nil || r.Text == "":
				lines = append(lines, resourceLabel(r))
			default:
				lines = append(lines, resourceLabel(r)+" "+r.Text)
			}
		default:
			lines = append(lines, fmt.Sprintf("[%T]", c))
		}
	}
	return lines
}

// resourceLabel names the contents of a resource by URI and media type,
// and a blob by its size too, since a terminal cannot show it:
// "[resource docs://a, text/plain]", "[resource img://b, image/png, 95 bytes]".
func resourceLabel(r *mcp.ResourceContents) string {
	label := "[resource " + printable(r.URI)
	if r.MIMEType != "" {
		label += ", " + printable(r.MIMEType)
	}
	if r.Blob != nil {
		label += fmt.Sprintf(", %d bytes", len(r.Blob))
	}
	return label + "]"
}

// setLogLevel asks a server before 2026-07-28 that offers logging and
// keeps sessions for log messages at least as severe as level: such a
// server sends none until it is asked (the go-sdk's among them). A
// stateless one (no session id) would take the request and forget it,
// and from 2026-07-28 on the call carries the level itself. A server that
// refuses is left to send what it sends. Nothing is asked once ctx ended;
// cut reports whether ctx cut the request short.
func setLogLevel(ctx context.Context, session *mcp.ClientSession, level string) (cut bool) {
	init := session.InitializeResult()
	if ctx.Err() != nil || init.ProtocolVersion >= "2026-07-28" || session.ID() == "" || init.Capabilities == nil || init.Capabilities.Logging == nil {
		return false
	}
	return cutShort(ctx, session.SetLoggingLevel(ctx, &mcp.SetLoggingLevelParams{Level: mcp.LoggingLevel(level)}))
}

// below reports whether level is less severe than least, both MCP log
// levels. A level this client does not know is not below anything.
func below(level, least string) bool {
	i, j := slices.Index(logLevels, level), slices.Index(logLevels, least)
	return i >= 0 && i < j
}

// learnTool lists the server's tools until it has seen name. From
// 2026-07-28 on, a tool's input schema may mark arguments (x-mcp-header)
// that the client must mirror into Mcp-Param-* headers, and the go-sdk
// client knows them only from a tool list it has received; the server
// refuses a call without them. Before that era there is nothing to learn.
// A listing that fails is left for the call to report; none is asked for
// once ctx ended. It returns the tool, nil if not seen; cut reports whether
// ctx cut a request short.
func learnTool(ctx context.Context, session *mcp.ClientSession, name string) (tool *mcp.Tool, cut bool) {
	if v := session.InitializeResult().ProtocolVersion; v < "2026-07-28" || ctx.Err() != nil {
		return nil, false
	}
	for t, err := range session.Tools(ctx, nil) {
		if err != nil {
			return nil, cutShort(ctx, err)
		}
		if t.Name == name {
			return t, false
		}
		if ctx.Err() != nil {
			return nil, false
		}
	}
	return nil, false
}

// progressView shows progress notifications: a bar redrawn in place on a
// terminal, one line per notification elsewhere.
type progressView struct {
	mu  sync.Mutex
	out io.Writer
	bar bool
	// width is the terminal's width in columns, read at each draw (it may
	// be resized); 0 if unknown. nil: none.
	width func() int
	drawn bool // a bar is on the current line
	ended bool
	// What the lines must not show; nil: none.
	secrets *secretSet
}

const barWidth = 30

func (v *progressView) progress(p *mcp.ProgressNotificationParams) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.bar {
		// One write for the line: the trace writes beside it, a line at a
		// time, and secrets are hidden write by write.
		line := fmt.Sprintf("progress %g", p.Progress)
		if p.Total > 0 {
			line = fmt.Sprintf("progress %g/%g", p.Progress, p.Total)
		}
		if p.Message != "" {
			line += ": " + p.Message
		}
		io.WriteString(v.out, v.secrets.line(line)+"\n")
		return
	}
	if v.ended {
		return // the result is out; a bar now would only clutter
	}
	line := fmt.Sprintf("… %g", p.Progress)
	if p.Total > 0 {
		frac := min(max(p.Progress/p.Total, 0), 1)
		filled := int(frac * barWidth)
		line = fmt.Sprintf("[%s%s] %3.0f%%", strings.Repeat("#", filled), strings.Repeat("-", barWidth-filled), frac*100)
	}
	if p.Message != "" {
		line += " " + p.Message
	}
	shown := v.secrets.line(line)
	if v.width != nil {
		// A column is left free: some terminals wrap as soon as the last
		// one is written. One column wide, the terminal has none to
		// draw on (fitColumns leaves a line whole for 0).
		switch w := v.width(); {
		case w == 1:
			shown = ""
		case w > 1:
			shown = fitColumns(shown, w-1)
		}
	}
	fmt.Fprintf(v.out, "\r\033[K%s", shown)
	v.drawn = true
}

// log prints a log message on its own line, clearing the bar first.
func (v *progressView) log(w io.Writer, p *mcp.LoggingMessageParams) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.clearLocked()
	data, ok := p.Data.(string)
	if !ok {
		b, _ := json.Marshal(p.Data)
		data = string(b)
	}
	if p.Logger != "" {
		fmt.Fprintln(w, v.secrets.line(fmt.Sprintf("log %s %s: %s", p.Level, p.Logger, data)))
		return
	}
	fmt.Fprintln(w, v.secrets.line(fmt.Sprintf("log %s: %s", p.Level, data)))
}

// end finishes the bar's line. The SDK hands notifications to their
// handlers apart from responses, so the last ones may still come after it:
// as plain lines they are printed, the bar is not redrawn.
func (v *progressView) end() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.ended = true
	if v.drawn {
		fmt.Fprintln(v.out)
		v.drawn = false
	}
}

func (v *progressView) clearLocked() {
	if v.drawn {
		fmt.Fprint(v.out, "\r\033[K")
		v.drawn = false
	}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := fileOf(w)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// fileOf is the file w writes to, through the syncWriter that may wrap it.
func fileOf(w io.Writer) (*os.File, bool) {
	if s, ok := w.(*syncWriter); ok {
		w = s.w
	}
	f, ok := w.(*os.File)
	return f, ok
}
