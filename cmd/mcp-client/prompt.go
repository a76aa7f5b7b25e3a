package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// promptArgs reads -args for -prompt, an object parseArgs has checked: the
// MCP schema has a prompt's arguments as strings, so a number, a boolean,
// null or an object is refused here, by name, rather than sent for the
// server to refuse or misread.
func promptArgs(args json.RawMessage) (map[string]string, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(args, &raw); err != nil {
		return nil, fmt.Errorf("-args must be a JSON object: %v", err)
	}
	strs := make(map[string]string, len(raw))
	var bad []string
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		v := bytes.TrimSpace(raw[name])
		var s string
		// Unmarshal would take null as "" without a word.
		if len(v) == 0 || v[0] != '"' || json.Unmarshal(v, &s) != nil {
			bad = append(bad, fmt.Sprintf("%q is %s", name, shownValue(string(v))))
			continue
		}
		strs[name] = s
	}
	if len(bad) > 0 {
		var none *secretSet // each is bounded, not their number
		list, more := none.cut(strings.Join(bad, ", "), maxLine)
		return nil, fmt.Errorf("-args for -prompt must give every argument a string, as prompts take strings only: %s%s", list, more)
	}
	return strs, nil
}

// getPrompt gets the prompt name with args and prints its messages on
// standard output, each as its role and its content, as -call prints a
// result's. The server it connected to is named on standard error; an
// elicitation the prompt asks for (2026-07-28) gets the answer -elicit
// gives, if any.
func getPrompt(ctx context.Context, t target, name string, args map[string]string, elicit *elicitAnswer, stdout, stderr io.Writer) error {
	var opts *mcp.ClientOptions
	if elicit != nil {
		opts = &mcp.ClientOptions{ElicitationHandler: func(_ context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return elicit.answer(stderr, req.Params, t.secrets), nil
		}}
	}
	session, httpClient, err := connect(ctx, t, opts, stderr)
	if err != nil {
		return err
	}
	cut := false // the request, cut short by ctx, of which the server is told
	var res *mcp.GetPromptResult
	// After an interrupt no request is sent, as in talk.
	if err = ctx.Err(); err == nil {
		res, err = session.GetPrompt(ctx, &mcp.GetPromptParams{Name: name, Arguments: args})
		cut = cutShort(ctx, err)
	}
	// Closing waits for an elicitation's line still being written.
	closeSession(session, httpClient, cut)
	if err != nil {
		return withStatus(httpClient, "getting prompt "+name, undeclared(err, session.InitializeResult(), "prompts"))
	}
	var lines []string
	for _, m := range res.Messages {
		if m == nil {
			continue // a null in the list: nothing to show
		}
		// The role is a label, escaped for a pipe too; the content is the
		// prompt's text.
		lines = append(lines, printable(string(m.Role))+": "+contentLines([]mcp.Content{m.Content})[0])
	}
	if len(lines) > 0 {
		writeResult(stdout, lines)
	}
	return nil
}
