package main

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// listResources lists the resources of a server that declares the
// capability, and its resource templates when it has any, a line each, so
// that a server of one's own shows every feature it registered; it prints
// nothing for one that declares none. It reports whether ctx cut a request
// short, as talk's cut.
func listResources(ctx context.Context, session *mcp.ClientSession, httpClient *http.Client, out io.Writer, secrets *secretSet) (cut bool, _ error) {
	if res := session.InitializeResult(); res == nil || res.Capabilities == nil || res.Capabilities.Resources == nil {
		return false, nil
	}
	resources, cut, err := everyPage(ctx, httpClient, "listing resources", session.Resources(ctx, nil))
	if err != nil {
		return cut, err
	}
	fmt.Fprintf(out, "Resources (%d):\n", len(resources))
	for _, r := range resources {
		fmt.Fprintln(out, secrets.line(listed(r.URI, " (", r.Name, ")")))
	}

	if err := ctx.Err(); err != nil {
		return false, err
	}
	templates, cut, err := everyPage(ctx, httpClient, "listing resource templates", session.ResourceTemplates(ctx, nil))
	if rpcErr := serverError(err); rpcErr != nil && rpcErr.Code == jsonrpc.CodeMethodNotFound {
		// The capability covers templates, but a server with none may
		// not know the method: no templates, no failure.
		return false, nil
	}
	if err != nil {
		return cut, err
	}
	if len(templates) == 0 {
		return false, nil
	}
	fmt.Fprintf(out, "Resource templates (%d):\n", len(templates))
	for _, rt := range templates {
		fmt.Fprintln(out, secrets.line(listed(rt.URITemplate, " (", rt.Name, ")")))
	}
	return false, nil
}

// readResource reads the resource at uri and prints each of its contents
// on standard output: a line naming its URI and media type, then its text
// as -call prints a result's, or, for a blob, its size on that line, since
// a terminal cannot show the bytes. The server it connected to is named on
// standard error.
func readResource(ctx context.Context, t target, uri string, stdout, stderr io.Writer) error {
	session, httpClient, err := connect(ctx, t, nil, stderr)
	if err != nil {
		return err
	}
	cut := false // the read, cut short by ctx, of which the server is told
	var res *mcp.ReadResourceResult
	// After an interrupt no request is sent, as in talk.
	if err = ctx.Err(); err == nil {
		res, err = session.ReadResource(ctx, &mcp.ReadResourceParams{URI: uri})
		cut = cutShort(ctx, err)
	}
	closeSession(session, httpClient, cut)
	if err != nil {
		return withStatus(httpClient, "reading "+uri, undeclared(err, session.InitializeResult(), "resources"))
	}
	var lines []string
	for _, c := range res.Contents {
		if c == nil {
			continue // a null in the list: nothing to show
		}
		lines = append(lines, resourceLabel(c))
		if c.Blob == nil && c.Text != "" {
			lines = append(lines, c.Text)
		}
	}
	if len(lines) > 0 {
		writeResult(stdout, lines)
	}
	return nil
}
