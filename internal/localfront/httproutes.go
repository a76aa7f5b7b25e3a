package localfront

import (
	"net/http"
	"slices"
)

// httpRoutes are the deploy stack's HTTP API routes (deploy/stack/http.go)
// by their route keys, as the CDK's AddRoutes names them ("METHOD /path"):
// GET, POST and DELETE of /mcp behind its authorizer, and, with JWTs
// only, GET of the metadata without it (static tokens come from no
// authorization server: there is no document to route). It has no
// $default route and no OPTIONS routes: its CORS configuration answers
// preflights. testdata/deploy-authorizer.json holds the routes of the
// variant with static tokens to the stack's.
func (f *Front) httpRoutes() []string {
	routes := []string{"GET /mcp", "POST /mcp", "DELETE /mcp"}
	if f.cfg.JWTAuthorizer == nil {
		return routes
	}
	for _, p := range f.metadataPaths() {
		if k := http.MethodGet + " " + p; !slices.Contains(routes, k) {
			routes = append(routes, k)
		}
	}
	return routes
}

// routesAsDeployed reports whether the front routes as the stack's http
// variant does: with its JWT authorizer, or as deployed (DeployHTTP)
// behind its Lambda authorizer for static tokens.
func (f *Front) routesAsDeployed() bool {
	return f.cfg.Shape == ShapeHTTP && (f.cfg.JWTAuthorizer != nil || f.cfg.DeployHTTP != nil)
}

// httpRouteKey is the key of the route req matches, "" for none. As
// deployed the front routes as the stack's http variant does, a route's
// method and path matched exactly (HTTP APIs decode the path before they
// match it, as req.path is); otherwise every request goes to the
// $default route.
func (f *Front) httpRouteKey(req *request) string {
	if !f.routesAsDeployed() {
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
