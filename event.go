package lambdamcp

import (
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// lambdaEvent holds the fields of every event shape, so that one decode
// both tells the shape and yields the event: the fields of the four shapes
// share their names and types, except the request context's authorizer,
// whose type depends on the shape and is decoded once the shape is known.
// TestLambdaEventCoversEveryField keeps it complete.
type lambdaEvent struct {
	Version                         string               `json:"version"`
	RouteKey                        string               `json:"routeKey"`
	Resource                        string               `json:"resource"`
	Path                            string               `json:"path"`
	HTTPMethod                      string               `json:"httpMethod"`
	RawPath                         string               `json:"rawPath"`
	RawQueryString                  string               `json:"rawQueryString"`
	Cookies                         []string             `json:"cookies"`
	Headers                         map[string]string    `json:"headers"`
	MultiValueHeaders               map[string][]string  `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string    `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string  `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string    `json:"pathParameters"`
	StageVariables                  map[string]string    `json:"stageVariables"`
	RequestContext                  object[eventContext] `json:"requestContext"`
	Body                            string               `json:"body"`
	IsBase64Encoded                 bool                 `json:"isBase64Encoded"`
}

// eventContext is the request context of every shape.
type eventContext struct {
	// REST APIs, HTTP APIs and Function URLs.
	AccountID    string         `json:"accountId"`
	RequestID    string         `json:"requestId"`
	APIID        string         `json:"apiId"`
	DomainName   string         `json:"domainName"`
	DomainPrefix string         `json:"domainPrefix"`
	Stage        string         `json:"stage"`
	Authorizer   rawOccurrences `json:"authorizer"`

	// REST APIs.
	ResourceID        string                           `json:"resourceId"`
	OperationName     string                           `json:"operationName"`
	ExtendedRequestID string                           `json:"extendedRequestId"`
	Protocol          string                           `json:"protocol"`
	Identity          events.APIGatewayRequestIdentity `json:"identity"`
	ResourcePath      string                           `json:"resourcePath"`
	Path              string                           `json:"path"`
	HTTPMethod        string                           `json:"httpMethod"`
	RequestTime       string                           `json:"requestTime"`
	RequestTimeEpoch  int64                            `json:"requestTimeEpoch"`

	// HTTP APIs and Function URLs.
	RouteKey       string                                                       `json:"routeKey"`
	Time           string                                                       `json:"time"`
	TimeEpoch      int64                                                        `json:"timeEpoch"`
	HTTP           object[events.APIGatewayV2HTTPRequestContextHTTPDescription] `json:"http"`
	Authentication events.APIGatewayV2HTTPRequestContextAuthentication          `json:"authentication"`

	// ALB.
	ELB object[events.ELBContext] `json:"elb"`
}

// object is a member that aws-lambda-go's types hold as a struct value. Its
// first occurrence that is not null allocates p, which so tells whether the
// event has the member (the shapes are told apart by it); a null leaves
// what came before as it is, as encoding/json leaves a struct, and a
// repeated member is merged into it.
type object[T any] struct{ p *T }

// UnmarshalJSONFrom decodes the next occurrence into what the ones before
// it left.
func (o *object[T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() == 'n' {
		_, err := dec.ReadToken()
		return err
	}
	if o.p == nil {
		o.p = new(T)
	}
	return json.UnmarshalDecode(dec, o.p)
}

// parseEvent decodes payload once and returns its shape and the event as
// aws-lambda-go types it: *events.APIGatewayProxyRequest,
// *events.APIGatewayV2HTTPRequest, *events.LambdaFunctionURLRequest or
// *events.ALBTargetGroupRequest. httpAPIv1 reports an HTTP API's payload
// format 1.0 event (see isHTTPAPIv1), which is served as a REST one but
// never streamed. A payload of no known shape yields an error wrapping
// ErrUnknownEvent; one of a known shape that does not decode as that shape,
// another error.
func parseEvent(payload []byte) (shape Shape, event any, httpAPIv1 bool, err error) {
	var e lambdaEvent
	if unmarshal(payload, &e) == nil {
		rc := e.RequestContext.p
		if rc == nil {
			return "", nil, false, ErrUnknownEvent
		}
		if shape, err = shapeOf(e.Version, e.HTTPMethod, rc.ELB.p != nil, rc.HTTP.p != nil, rc.DomainName, rc.APIID); err != nil {
			return "", nil, false, err
		}
		if event, err = e.as(shape); err == nil {
			return shape, event, isHTTPAPIv1(shape, e.Version), nil
		}
	}
	// A field one shape ignores may have a type that another shape's field
	// of that name does not accept: decode as the shape alone, as Lambda's
	// own runtime would.
	shape, httpAPIv1, err = probeShape(payload)
	if err != nil {
		return "", nil, false, err
	}
	event, err = decodeAs(payload, shape)
	return shape, event, httpAPIv1, err
}

// decodeAs decodes payload as an event of shape.
func decodeAs(payload []byte, shape Shape) (any, error) {
	var ev any
	var what string
	switch shape {
	case ShapeREST:
		ev, what = new(events.APIGatewayProxyRequest), "REST API"
	case ShapeHTTP:
		ev, what = new(events.APIGatewayV2HTTPRequest), "HTTP API"
	case ShapeURL:
		ev, what = new(events.LambdaFunctionURLRequest), "Function URL"
	case ShapeALB:
		ev, what = new(events.ALBTargetGroupRequest), "ALB"
	}
	if err := unmarshal(payload, ev); err != nil {
		return nil, fmt.Errorf("decoding %s event: %w", what, decodeError(err))
	}
	return ev, nil
}

// as returns the event as aws-lambda-go's type for shape.
func (e *lambdaEvent) as(shape Shape) (any, error) {
	rc := e.RequestContext.p
	switch shape {
	case ShapeREST:
		ev := &events.APIGatewayProxyRequest{
			Resource:                        e.Resource,
			Path:                            e.Path,
			HTTPMethod:                      e.HTTPMethod,
			Headers:                         e.Headers,
			MultiValueHeaders:               e.MultiValueHeaders,
			QueryStringParameters:           e.QueryStringParameters,
			MultiValueQueryStringParameters: e.MultiValueQueryStringParameters,
			PathParameters:                  e.PathParameters,
			StageVariables:                  e.StageVariables,
			RequestContext: events.APIGatewayProxyRequestContext{
				AccountID:         rc.AccountID,
				ResourceID:        rc.ResourceID,
				OperationName:     rc.OperationName,
				Stage:             rc.Stage,
				DomainName:        rc.DomainName,
				DomainPrefix:      rc.DomainPrefix,
				RequestID:         rc.RequestID,
				ExtendedRequestID: rc.ExtendedRequestID,
				Protocol:          rc.Protocol,
				Identity:          rc.Identity,
				ResourcePath:      rc.ResourcePath,
				Path:              rc.Path,
				HTTPMethod:        rc.HTTPMethod,
				RequestTime:       rc.RequestTime,
				RequestTimeEpoch:  rc.RequestTimeEpoch,
				APIID:             rc.APIID,
			},
			Body:            e.Body,
			IsBase64Encoded: e.IsBase64Encoded,
		}
		return ev, decodeAuthorizer(rc.Authorizer, &ev.RequestContext.Authorizer)
	case ShapeHTTP:
		ev := &events.APIGatewayV2HTTPRequest{
			Version:               e.Version,
			RouteKey:              e.RouteKey,
			RawPath:               e.RawPath,
			RawQueryString:        e.RawQueryString,
			Cookies:               e.Cookies,
			Headers:               e.Headers,
			QueryStringParameters: e.QueryStringParameters,
			PathParameters:        e.PathParameters,
			RequestContext: events.APIGatewayV2HTTPRequestContext{
				RouteKey:       rc.RouteKey,
				AccountID:      rc.AccountID,
				Stage:          rc.Stage,
				RequestID:      rc.RequestID,
				APIID:          rc.APIID,
				DomainName:     rc.DomainName,
				DomainPrefix:   rc.DomainPrefix,
				Time:           rc.Time,
				TimeEpoch:      rc.TimeEpoch,
				HTTP:           *rc.HTTP.p,
				Authentication: rc.Authentication,
			},
			StageVariables:  e.StageVariables,
			Body:            e.Body,
			IsBase64Encoded: e.IsBase64Encoded,
		}
		var a *httpAPIAuthorizerJSON
		if err := decodeAuthorizer(rc.Authorizer, &a); err != nil {
			return nil, err
		}
		ev.RequestContext.Authorizer = a.event()
		return ev, nil
	case ShapeURL:
		ev := &events.LambdaFunctionURLRequest{
			Version:               e.Version,
			RawPath:               e.RawPath,
			RawQueryString:        e.RawQueryString,
			Cookies:               e.Cookies,
			Headers:               e.Headers,
			QueryStringParameters: e.QueryStringParameters,
			RequestContext: events.LambdaFunctionURLRequestContext{
				AccountID:    rc.AccountID,
				RequestID:    rc.RequestID,
				APIID:        rc.APIID,
				DomainName:   rc.DomainName,
				DomainPrefix: rc.DomainPrefix,
				Time:         rc.Time,
				TimeEpoch:    rc.TimeEpoch,
				HTTP:         events.LambdaFunctionURLRequestContextHTTPDescription(*rc.HTTP.p),
			},
			Body:            e.Body,
			IsBase64Encoded: e.IsBase64Encoded,
		}
		return ev, decodeAuthorizer(rc.Authorizer, &ev.RequestContext.Authorizer)
	case ShapeALB:
		return &events.ALBTargetGroupRequest{
			HTTPMethod:                      e.HTTPMethod,
			Path:                            e.Path,
			QueryStringParameters:           e.QueryStringParameters,
			MultiValueQueryStringParameters: e.MultiValueQueryStringParameters,
			Headers:                         e.Headers,
			MultiValueHeaders:               e.MultiValueHeaders,
			RequestContext:                  events.ALBTargetGroupRequestContext{ELB: *rc.ELB.p},
			IsBase64Encoded:                 e.IsBase64Encoded,
			Body:                            e.Body,
		}, nil
	}
	return nil, ErrUnknownEvent
}

// httpAPIAuthorizerJSON is an HTTP API's authorizer description with its
// maps sized (see sizedMap); TestLambdaEventCoversEveryField keeps it
// complete.
type httpAPIAuthorizerJSON struct {
	JWT *struct {
		Claims map[string]string `json:"claims"`
		Scopes []string          `json:"scopes"`
	} `json:"jwt"`
	Lambda map[string]any                                                 `json:"lambda"`
	IAM    *events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription `json:"iam"`
}

func (a *httpAPIAuthorizerJSON) event() *events.APIGatewayV2HTTPRequestContextAuthorizerDescription {
	if a == nil {
		return nil
	}
	d := &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: a.Lambda, IAM: a.IAM}
	if a.JWT != nil {
		d.JWT = &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: a.JWT.Claims, Scopes: a.JWT.Scopes}
	}
	return d
}

// decodeAuthorizer decodes a request context's authorizer into the shape's
// type as decoding the whole event would: an absent one leaves it nil, and
// each occurrence of a repeated one is decoded into what the ones before
// it left.
func decodeAuthorizer[T any](occurrences rawOccurrences, into *T) error {
	for _, raw := range occurrences {
		if err := unmarshal(raw, into); err != nil {
			return err
		}
	}
	return nil
}

// rawOccurrences holds the JSON of every occurrence of a member, in order,
// for a value whose type is known only once the whole event is read. A
// member given twice (a repeated name, or one spelt in another case) is
// merged by encoding/json, not replaced, so each occurrence is kept to be
// decoded in turn. A null among them resets what came before it, as it
// would the decoded value.
type rawOccurrences []jsontext.Value

// UnmarshalJSONFrom keeps the next occurrence.
func (r *rawOccurrences) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	*r = append(*r, v.Clone())
	return nil
}
