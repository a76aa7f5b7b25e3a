package resources_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/examples/resources"
	"github.com/lambdamcp/lambdamcp/internal/lambdatest"
)

func TestResourcesThroughEveryRoute(t *testing.T) {
	h := resources.Handler(resources.New())
	for _, era := range []string{lambdatest.Legacy, lambdatest.Modern} {
		for _, route := range lambdatest.Routes {
			t.Run(era+"/"+route.String(), func(t *testing.T) {
				type entry struct{ URI, URITemplate, MIMEType string }
				var list struct {
					Resources []entry `json:"resources"`
				}
				lambdatest.Invoke(t, h, route, lambdatest.Call(era, 1, "resources/list", nil, nil)).Result(t, &list)
				if diff := cmp.Diff([]entry{{URI: resources.ReadmeURI, MIMEType: "text/markdown"}}, list.Resources); diff != "" {
					t.Errorf("resources (-want +got):\n%s", diff)
				}

				var templates struct {
					ResourceTemplates []entry `json:"resourceTemplates"`
				}
				lambdatest.Invoke(t, h, route, lambdatest.Call(era, 2, "resources/templates/list", nil, nil)).Result(t, &templates)
				if diff := cmp.Diff([]entry{{URITemplate: resources.ShapeURIFmt, MIMEType: "text/plain"}}, templates.ResourceTemplates); diff != "" {
					t.Errorf("templates (-want +got):\n%s", diff)
				}

				// What a read answers agrees with what the lists said.
				for _, r := range []struct{ uri, mime, text string }{
					{resources.ReadmeURI, "text/markdown", "# lambdamcp resources"},
					{"docs://shapes/url", "text/plain", "Lambda Function URL"},
				} {
					var read struct {
						Contents []struct{ URI, MIMEType, Text string } `json:"contents"`
					}
					lambdatest.Invoke(t, h, route, lambdatest.Call(era, 3, "resources/read", map[string]any{"uri": r.uri}, nil)).Result(t, &read)
					if len(read.Contents) != 1 || read.Contents[0].URI != r.uri || read.Contents[0].MIMEType != r.mime || !strings.HasPrefix(read.Contents[0].Text, r.text) {
						t.Errorf("read %s = %+v, want one %s content starting %q", r.uri, read.Contents, r.mime, r.text)
					}
				}

				a := lambdatest.Invoke(t, h, route, lambdatest.Call(era, 4, "resources/read", map[string]any{"uri": "docs://shapes/nope"}, nil))
				errObj, _ := a.Last()["error"].(map[string]any)
				// Resource not found is -32002 before 2026-07-28
				// (lambdamcp.Middleware's doing: the go-sdk answers every
				// era with the new code) and invalid params (-32602) from
				// then on, which that era's transport answers with HTTP 400.
				wantStatus, wantCode := 200, -32002.0
				if era == lambdatest.Modern {
					wantStatus, wantCode = 400, -32602.0
				}
				if errObj == nil || errObj["code"] != wantCode || a.Status != wantStatus {
					t.Errorf("unknown resource answered %d %v, want %d with error %v", a.Status, a.Messages, wantStatus, wantCode)
				}
			})
		}
	}
}
