package lambdamcp

import (
	"errors"
	"fmt"
	"strings"
)

// Shape names the kind of Lambda event a request arrived in.
type Shape string

// The event shapes lambdamcp serves.
const (
	ShapeREST Shape = "rest" // API Gateway REST API proxy integration (payload 1.0; also HTTP API payload 1.0)
	ShapeHTTP Shape = "http" // API Gateway HTTP API (payload 2.0)
	ShapeURL  Shape = "url"  // Lambda Function URL
	ShapeALB  Shape = "alb"  // Application Load Balancer target group
)

// ErrUnknownEvent is returned (as the invocation's error) for a payload that
// is not an event of any shape lambdamcp serves.
var ErrUnknownEvent = errors.New("lambdamcp: unrecognised event: not an API Gateway, Function URL or ALB request")

// shapeProbe holds the few fields that tell the shapes apart, present as
// lambdaEvent has them (see object). Decoding into struct{} keeps presence
// without copying the objects.
type shapeProbe struct {
	Version        string `json:"version"`
	HTTPMethod     string `json:"httpMethod"`
	RequestContext object[struct {
		ELB        object[struct{}] `json:"elb"`
		HTTP       object[struct{}] `json:"http"`
		DomainName string           `json:"domainName"`
	}] `json:"requestContext"`
}

// probeShape tells which event shape payload is, and whether it is an HTTP
// API's payload format 1.0 event (see isHTTPAPIv1).
func probeShape(payload []byte) (shape Shape, httpAPIv1 bool, err error) {
	var p shapeProbe
	if err := unmarshal(payload, &p); err != nil {
		return "", false, fmt.Errorf("%w: %v", ErrUnknownEvent, decodeError(err))
	}
	rc := p.RequestContext.p
	if rc == nil {
		return "", false, ErrUnknownEvent
	}
	shape, err = shapeOf(p.Version, p.HTTPMethod, rc.ELB.p != nil, rc.HTTP.p != nil, rc.DomainName)
	return shape, isHTTPAPIv1(shape, p.Version), err
}

// shapeOf tells the shape from the fields that tell them apart.
func shapeOf(version, httpMethod string, hasELB, hasHTTP bool, domainName string) (Shape, error) {
	switch {
	case hasELB:
		return ShapeALB, nil
	case version == "2.0" && hasHTTP:
		// Function URLs and HTTP APIs share payload 2.0; only the URL's
		// domain tells them apart, and their responses are the same.
		if strings.Contains(domainName, ".lambda-url.") {
			return ShapeURL, nil
		}
		return ShapeHTTP, nil
	case httpMethod != "":
		return ShapeREST, nil
	}
	return "", ErrUnknownEvent
}

// isHTTPAPIv1 reports whether an event of shape ShapeREST came from an HTTP
// API with payload format 1.0: those carry "version": "1.0", REST APIs'
// proxy events no version at all ("Create AWS Lambda proxy integrations for
// HTTP APIs in API Gateway", Payload format structure). They are served as
// REST events, but HTTP APIs cannot stream, so they are always buffered.
func isHTTPAPIv1(shape Shape, version string) bool {
	return shape == ShapeREST && version == "1.0"
}

// ParseStreamShapes reads a comma-separated list of the shapes that stream,
// as a deployment configures Options.Stream (for example from an
// environment variable): "url", "rest", both, or "" for none. Any other
// name is an error, since only those two shapes can stream.
func ParseStreamShapes(list string) ([]Shape, error) {
	var shapes []Shape
	for name := range strings.SplitSeq(list, ",") {
		switch s := Shape(strings.TrimSpace(name)); s {
		case "":
		case ShapeURL, ShapeREST:
			shapes = append(shapes, s)
		default:
			return nil, fmt.Errorf("%q cannot stream: name url, rest or both", strings.TrimSpace(name))
		}
	}
	return shapes, nil
}
