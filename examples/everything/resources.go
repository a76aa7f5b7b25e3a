package everything

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const templatePrefix, templateSuffix = "test://template/", "/data"

func addResources(srv *mcp.Server, completions *completions) {
	contents := func(c *mcp.ResourceContents) mcp.ResourceHandler {
		return func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{c}}, nil
		}
	}
	srv.AddResource(&mcp.Resource{
		URI: "test://static-text", Name: "static-text", Description: "A fixed text resource.", MIMEType: "text/plain",
	}, contents(&mcp.ResourceContents{
		URI: "test://static-text", MIMEType: "text/plain", Text: "This is the content of the static text resource.",
	}))
	srv.AddResource(&mcp.Resource{
		URI: "test://static-binary", Name: "static-binary", Description: "A fixed PNG image.", MIMEType: "image/png",
	}, contents(&mcp.ResourceContents{URI: "test://static-binary", MIMEType: "image/png", Blob: pngImage}))
	srv.AddResource(&mcp.Resource{
		URI: "test://watched-resource", Name: "watched-resource", Description: "A resource clients may subscribe to.", MIMEType: "text/plain",
	}, contents(&mcp.ResourceContents{URI: "test://watched-resource", MIMEType: "text/plain", Text: "Watched resource content."}))

	completions.addResourceTemplate(srv, &mcp.ResourceTemplate{
		URITemplate: templatePrefix + "{id}" + templateSuffix, Name: "template-data",
		Description: "JSON data for any id.", MIMEType: "application/json",
	}, readTemplate)
}

// readTemplate answers test://template/{id}/data.
func readTemplate(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	uri := req.Params.URI
	id, ok := strings.CutPrefix(uri, templatePrefix)
	if ok {
		id, ok = strings.CutSuffix(id, templateSuffix)
	}
	if !ok || id == "" || strings.Contains(id, "/") {
		return nil, mcp.ResourceNotFoundError(uri)
	}
	body, err := json.Marshal(map[string]any{"id": id, "templateTest": true, "data": "Data for ID: " + id})
	if err != nil {
		return nil, err
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, MIMEType: "application/json", Text: string(body)}}}, nil
}
