package localfront

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// proxyResponse is the union of the response objects of every shape: REST
// and ALB (statusCode, headers, multiValueHeaders, body, isBase64Encoded),
// payload 2.0 (plus cookies) and ALB's statusDescription.
type proxyResponse struct {
	StatusCode        *int                `json:"statusCode"`
	StatusDescription string              `json:"statusDescription"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Cookies           []string            `json:"cookies"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

// proxyFields are the header fields of a response object that a shape
// reads.
type proxyFields struct{ headers, multiValueHeaders, cookies bool }

var (
	// restFields: payload 1.0, multiValueHeaders' values of a name both
	// maps hold.
	restFields = proxyFields{headers: true, multiValueHeaders: true}
	// payload2Fields: HTTP APIs and Function URLs.
	payload2Fields = proxyFields{headers: true, cookies: true}
	// albFields and albMultiFields: a target group reads the one its mode
	// names ("Lambda functions as targets", responses with multi-value
	// headers).
	albFields      = proxyFields{headers: true}
	albMultiFields = proxyFields{multiValueHeaders: true}
)

// writeProxyResponse turns a function's response into HTTP. strict is the
// REST and ALB rule (payload 1.0): anything but a response object with a
// statusCode is a malformed response (an error is returned, nothing
// written). Payload 2.0 takes a payload without a statusCode as a 200 JSON
// body. fields names the header fields the shape reads.
func writeProxyResponse(w http.ResponseWriter, payload []byte, strict bool, fields proxyFields) error {
	if !strict && !hasStatusCode(payload) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(payload)
		return nil
	}
	var pr proxyResponse
	if err := json.Unmarshal(payload, &pr); err != nil || pr.StatusCode == nil {
		if err == nil {
			err = errors.New("no statusCode")
		}
		return fmt.Errorf("malformed Lambda proxy response: %w", err)
	}
	if *pr.StatusCode < 100 || *pr.StatusCode > 599 {
		return fmt.Errorf("malformed Lambda proxy response: statusCode %d", *pr.StatusCode)
	}
	body := []byte(pr.Body)
	if pr.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(pr.Body); err != nil {
			return fmt.Errorf("malformed Lambda proxy response: body: %w", err)
		}
	}
	if !fields.headers {
		pr.Headers = nil
	}
	if !fields.multiValueHeaders {
		pr.MultiValueHeaders = nil
	}
	if !fields.cookies {
		pr.Cookies = nil
	}
	setHeaders(w.Header(), pr.Headers, pr.MultiValueHeaders, pr.Cookies)
	w.WriteHeader(*pr.StatusCode)
	w.Write(body)
	return nil
}

// hasStatusCode reports whether payload is a JSON object with a statusCode
// member, which makes it a payload 2.0 response object rather than a body.
func hasStatusCode(payload []byte) bool {
	var probe map[string]json.RawMessage
	if json.Unmarshal(payload, &probe) != nil {
		return false
	}
	_, ok := probe["statusCode"]
	return ok
}

func setHeaders(h http.Header, single map[string]string, multi map[string][]string, cookies []string) {
	for k, v := range single {
		h.Set(k, v)
	}
	for k, vs := range multi {
		h.Del(k)
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for _, c := range cookies {
		h.Add("Set-Cookie", c)
	}
}

// maxPrelude bounds the JSON head of a streamed HTTP response.
const maxPrelude = 1 << 20

// writeStream relays a streamed response (Function URL, or REST API with
// transfer mode STREAM, whose metadata has the same form): the JSON prelude
// (status, headers, cookies) then the body, flushed as it arrives. A body
// without the http-integration content type is sent as is with status 200.
// It reports false when the response failed after its status was sent,
// which leaves the connection to be cut.
func (f *Front) writeStream(w http.ResponseWriter, r *http.Request, requestID string, resp *runtimeapi.Response) (ok bool) {
	body := bufio.NewReader(resp.Body)
	if resp.ContentType != runtimeapi.ContentTypeHTTPIntegration {
		// Lambda relays such a payload as it is, which is right for a
		// function that streams raw bytes; for one that serves HTTP it means
		// the function answered buffered, not knowing that it is streamed.
		f.logWarn("response without a streaming prelude", errors.New("the payload is sent as the body with status 200, as Lambda does; "+
			"a function that serves HTTP answered buffered: a lambdamcp function streams only the shapes its Options.Stream names (MCP_STREAM=url or rest, given with -env)"))
		if resp.ContentType != "" {
			w.Header().Set("Content-Type", resp.ContentType)
		}
		w.WriteHeader(http.StatusOK)
	} else {
		prelude, err := readPrelude(body)
		if err != nil {
			f.functionFailed(w, r, requestID, err)
			return true
		}
		var pr proxyResponse
		if err := json.Unmarshal(prelude, &pr); err != nil || pr.StatusCode == nil || *pr.StatusCode < 100 || *pr.StatusCode > 599 {
			f.logError("malformed streaming prelude", fmt.Errorf("%q: %v", prelude, err))
			f.refuse(w, r, &gatewayError{status: http.StatusBadGateway, message: "Internal server error",
				body: encodeJSON(map[string]string{"message": "Internal server error", "error": "malformed streaming response prelude", "requestId": requestID})})
			return true
		}
		setHeaders(w.Header(), pr.Headers, pr.MultiValueHeaders, pr.Cookies)
		w.WriteHeader(*pr.StatusCode)
	}
	rc := http.NewResponseController(w)
	rc.Flush()
	buf := make([]byte, 32*1024)
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return true // the client left
			}
			rc.Flush()
		}
		if err == io.EOF {
			return true
		}
		if err != nil {
			f.logError("function response stream failed", err)
			return false
		}
	}
}

// readPrelude reads up to the eight NUL bytes that end the JSON prelude.
func readPrelude(r *bufio.Reader) ([]byte, error) {
	return readPreludeWithin(r, maxPrelude)
}

// readPreludeWithin is readPrelude with a bound of limit bytes, so that the
// fuzz target can try the bound's edge with small inputs.
func readPreludeWithin(r *bufio.Reader, limit int) ([]byte, error) {
	var prelude []byte
	sep := make([]byte, 8)
	for len(prelude) < limit+8 {
		b, err := r.ReadByte()
		if err != nil {
			return nil, fmt.Errorf("reading the streaming response prelude: %w", err)
		}
		prelude = append(prelude, b)
		if bytes.HasSuffix(prelude, sep) {
			return prelude[:len(prelude)-8], nil
		}
	}
	return nil, errors.New("streaming response prelude too long")
}
