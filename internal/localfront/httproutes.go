package localfront

import (
	"net/http"
	"slices"
)

// httpRoutes are the deploy stack's HTTP API routes (deploy/stack/http.go)
// with JWTs, by their route keys, as the CDK's AddRoutes names them
// ("METHOD /path"): GET, POST and DELETE of /mcp behind the JWT
// authorizer, and GET of the metadata without it. It has no $default
// route and no OPTIONS routes: its CORS configuration answers preflights.
func (f *Front) httpRoutes() []string {
	routes := []string{"GET /mcp", "POST /mcp", "DELETE /mcp"}
	for _, p := range f.metadataPaths() {
		if k := http.MethodGet + " " + p; !slices.Contains(routes, k) {
			routes = append(routes, k)
		}
	}
	return routes
}

// httpRouteKey is the key of the route req matches, "" for none. With the
// JWT authorizer the front routes as the stack's http variant does, a
// route's method and path matched exactly (HTTP APIs decode the path before
// they match it, as req.path is); otherwise every request goes to the
// $default route.
func (f *Front) httpRouteKey(req *request) string {
	if f.cfg.JWTAuthorizer == nil {
		return "$default"
	}
	if k := req.r.Method + " " + req.path; slices.Contains(f.httpRoutes(), k) {
		return k
	}
	return ""
}

// httpUnrouted is the HTTP API's answer to a request no route matches, or
// nil: 404 {"message":"Not Found"}, before any authorizer ("Create routes
// for HTTP APIs in API Gateway", Routing API requests: with no route and no
// $default route to match, "API Gateway returns {"message":"Not Found"}"),
// as it answers a path outside every stage.
func (f *Front) httpUnrouted(req *request) *gatewayError {
	if f.cfg.Shape != ShapeHTTP || f.httpRouteKey(req) != "" {
		return nil
	}
	return &gatewayError{status: http.StatusNotFound, message: "Not Found"}
}
