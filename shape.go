package lambdamcp

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lambdamcp/lambdamcp/internal/textcut"
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
		APIID      string           `json:"apiId"`
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
	shape, err = shapeOf(p.Version, p.HTTPMethod, rc.ELB.p != nil, rc.HTTP.p != nil, rc.DomainName, rc.APIID)
	return shape, isHTTPAPIv1(shape, p.Version), err
}

// shapeOf tells the shape from the fields that tell them apart.
func shapeOf(version, httpMethod string, hasELB, hasHTTP bool, domainName, apiID string) (Shape, error) {
	switch {
	case hasELB:
		return ShapeALB, nil
	case version == "2.0" && hasHTTP:
		// Function URLs and HTTP APIs share payload 2.0; only the URL's
		// domain tells them apart, and their responses are the same.
		if isFunctionURLDomain(domainName, apiID) {
			return ShapeURL, nil
		}
		return ShapeHTTP, nil
	case httpMethod != "":
		return ShapeREST, nil
	}
	return "", ErrUnknownEvent
}

// isFunctionURLDomain reports whether domainName, an event's
// requestContext.domainName, is a Function URL's own endpoint,
// <url-id>.lambda-url.<region>.<suffix> ("Creating and managing Lambda
// function URLs"), rather than an HTTP API's custom domain that merely holds
// a "lambda-url" label (mcp.lambda-url.example.com). The URL's id is also
// the event's apiId, so an apiId that is an id and names something else is
// an HTTP API's; AWS's own sample event, whose apiId is a placeholder
// ("<urlid>") unlike its domain's ("<url-id>"), stays a Function URL's.
// The suffix after the region is not checked: the guides give on.aws, but
// not for every partition. DNS names compare without case (RFC 4343).
func isFunctionURLDomain(domainName, apiID string) bool {
	id, rest, _ := strings.Cut(domainName, ".")
	service, rest, _ := strings.Cut(rest, ".")
	region, suffix, _ := strings.Cut(rest, ".")
	if id == "" || !strings.EqualFold(service, "lambda-url") || !isRegionName(region) || suffix == "" {
		return false
	}
	return !isResourceID(apiID) || strings.EqualFold(id, apiID)
}

// isRegionName reports whether s has the form of an AWS Region's name:
// two or more hyphen-separated words of letters, then a number, as in
// us-east-1, cn-north-1, us-gov-west-1, eu-isoe-west-1 or eusc-de-east-1.
func isRegionName(s string) bool {
	words := 0
	for {
		word, rest, found := strings.Cut(s, "-")
		if !found {
			return words >= 2 && isDigits(word)
		}
		if !isLetters(word) {
			return false
		}
		words++
		s = rest
	}
}

// isResourceID reports whether s has the form of an API's or a Function
// URL's id: letters and digits only.
func isResourceID(s string) bool {
	for i := range len(s) {
		if c := s[i]; !isLetter(c) && !isDigit(c) {
			return false
		}
	}
	return s != ""
}

func isLetters(s string) bool {
	for i := range len(s) {
		if !isLetter(s[i]) {
			return false
		}
	}
	return s != ""
}

func isDigits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

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
// name is an error, since only those two shapes can stream; names are
// lower case, and one that differs from them only in letter case ("URL")
// is refused saying so.
func ParseStreamShapes(list string) ([]Shape, error) {
	var shapes []Shape
	for name := range strings.SplitSeq(list, ",") {
		switch s := Shape(strings.TrimSpace(name)); s {
		case "":
		case ShapeURL, ShapeREST:
			shapes = append(shapes, s)
		default:
			for _, valid := range []Shape{ShapeURL, ShapeREST} {
				// Not strings.EqualFold: Unicode folding takes the long s
				// (U+017F), lower case already, for an s.
				if strings.ToLower(string(s)) == string(valid) {
					return nil, fmt.Errorf("%q: shape names are lower case; did you mean %q?", string(s), string(valid))
				}
			}
			return nil, fmt.Errorf("%q cannot stream: name url, rest or both", textcut.Cut(strings.TrimSpace(name), maxQuotedShapeBytes))
		}
	}
	return shapes, nil
}

// maxQuotedShapeBytes bounds the name ParseStreamShapes's error quotes:
// a shape's name is a few letters, and the list may be of any size.
const maxQuotedShapeBytes = 64
