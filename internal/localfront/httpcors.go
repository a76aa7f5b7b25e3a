package localfront

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// DeployHTTP is what the deploy stack's http variant configures on its
// HTTP API beyond its authorizer (deploy/stack/http.go): its routes, which
// the front takes from the authorizer (the metadata's public GETs with
// JWTs only), and its CORS configuration, with which API Gateway answers
// preflights itself and puts its own CORS headers on the function's
// responses.
type DeployHTTP struct {
	// CORSAllowOrigins are the stack's CORS origins (its corsOrigins,
	// which it also gives the server as MCP_ALLOWED_ORIGINS); nil is the
	// stack's default, "*".
	CORSAllowOrigins []string
}

// corsConfiguration is the stack's HTTP API CorsConfiguration, as
// testdata/deploy-cors.json holds it.
type corsConfiguration struct {
	AllowOrigins  []string `json:"allowOrigins"`
	AllowHeaders  []string `json:"allowHeaders"`
	AllowMethods  []string `json:"allowMethods"`
	ExposeHeaders []string `json:"exposeHeaders"`
	MaxAge        int      `json:"maxAge"`
}

// deployCORSConfiguration is the CORS configuration the stack gives its
// HTTP API for its origins, nil for the stack's default.
func deployCORSConfiguration(origins []string) corsConfiguration {
	if len(origins) == 0 {
		origins = []string{"*"}
	}
	return corsConfiguration{
		AllowOrigins: origins, AllowHeaders: stackCORSHeaders, AllowMethods: stackMethods,
		ExposeHeaders: stackExposed, MaxAge: stackMaxAge,
	}
}

// allowOrigin is the Access-Control-Allow-Origin the configuration gives
// a request from origin, "" for none: * when it allows any, else the
// origin when it is one of those allowed. AWS's page lists the values
// (an origin, or *) without saying more; the front matches origins
// exactly, as a browser serializes them, and so does the stack, which
// writes them so.
func (c corsConfiguration) allowOrigin(origin string) string {
	switch {
	case origin == "":
		return ""
	case slices.Contains(c.AllowOrigins, "*"):
		return "*"
	case slices.Contains(c.AllowOrigins, origin):
		return origin
	}
	return ""
}

// httpPreflight answers, with DeployHTTP, a CORS preflight as the HTTP
// API does when CORS is configured, and reports whether it did. "Configure
// CORS for HTTP APIs in API Gateway"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html):
// API Gateway answers a preflight OPTIONS itself, though the API has no
// OPTIONS route, before any route's authorizer; an OPTIONS is a preflight
// when it has both Origin and Access-Control-Request-Method, else it is
// routed as any request is (the stack has no OPTIONS route: 404). The
// answer is 204 with the configured origin, methods, headers and max age;
// for an origin the configuration does not allow, the page says nothing,
// and the front answers 204 without CORS headers, which a browser refuses
// as it would any answer without them.
func (f *Front) httpPreflight(w http.ResponseWriter, req *request) bool {
	d := f.cfg.DeployHTTP
	r := req.r
	if d == nil || r.Method != http.MethodOptions || r.Header.Get("Origin") == "" || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	c := deployCORSConfiguration(d.CORSAllowOrigins)
	if allow := c.allowOrigin(r.Header.Get("Origin")); allow != "" {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", allow)
		h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
		h.Set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ","))
		h.Set("Access-Control-Max-Age", strconv.Itoa(c.MaxAge))
	}
	w.WriteHeader(http.StatusNoContent)
	return true
}

// corsWriter writes the function's response as the HTTP API with CORS
// configured passes it on: without the CORS headers the function set,
// which the page says API Gateway ignores, and with the configured ones
// when the request's Origin is allowed (allow is then not "").
type corsWriter struct {
	http.ResponseWriter
	allow, expose string
	wroteHeader   bool
}

// httpCORSWriter is w as the HTTP API hands a function's response to req's
// client: w itself without DeployHTTP.
func (f *Front) httpCORSWriter(w http.ResponseWriter, r *http.Request) http.ResponseWriter {
	d := f.cfg.DeployHTTP
	if d == nil {
		return w
	}
	c := deployCORSConfiguration(d.CORSAllowOrigins)
	return &corsWriter{ResponseWriter: w, allow: c.allowOrigin(r.Header.Get("Origin")), expose: strings.Join(c.ExposeHeaders, ",")}
}

func (c *corsWriter) WriteHeader(status int) {
	if !c.wroteHeader {
		c.wroteHeader = true
		h := c.Header()
		for k := range h {
			if strings.HasPrefix(k, "Access-Control-") {
				delete(h, k)
			}
		}
		if c.allow != "" {
			h.Set("Access-Control-Allow-Origin", c.allow)
			h.Set("Access-Control-Expose-Headers", c.expose)
		}
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *corsWriter) Write(b []byte) (int, error) {
	if !c.wroteHeader {
		c.WriteHeader(http.StatusOK)
	}
	return c.ResponseWriter.Write(b)
}
