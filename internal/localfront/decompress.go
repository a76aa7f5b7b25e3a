package localfront

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"io"
	"net/http"
	"slices"
	"strings"
)

// responseUnsupportedMedia is API Gateway's response type for a body it
// cannot decompress; the deploy stack sets none for it, so the stack's
// DEFAULT_4XX answers.
const responseUnsupportedMedia = "UNSUPPORTED_MEDIA_TYPE"

// errUndecodable is API Gateway's answer to a Content-Encoding it does not
// support or a body not coded as it says: 415 ("Call an API method with a
// compressed payload in API Gateway").
var errUndecodable = &gatewayError{status: http.StatusUnsupportedMediaType, message: "Unsupported Media Type", responseType: responseUnsupportedMedia}

// errDecodedTooLarge is the answer to a body that decodes past the
// gateway's payload limit: the answer to one sent that large.
var errDecodedTooLarge = &gatewayError{status: http.StatusRequestEntityTooLarge, message: "Request Too Long", responseType: responseTooLarge}

// decodeBody undoes the codings a REST API decompresses by default, those
// of "Content codings supported by API Gateway": gzip, deflate and
// identity; any other (x-gzip, br…) is refused, as API Gateway refuses it.
// deflate is the zlib format (RFC 1950), as RFC 9110 §8.4.1.2 defines the
// coding, not a raw deflate stream. Codings are undone last first, as RFC
// 9110 §8.4 lists them in the order applied. At most limit bytes are
// decoded, so a small body that inflates without end is refused as a
// large one is, without holding more than the limit.
func decodeBody(body []byte, contentEncoding []string, limit int64) ([]byte, *gatewayError) {
	var codings []string
	for _, v := range contentEncoding {
		for c := range strings.SplitSeq(v, ",") {
			if c = strings.ToLower(strings.TrimSpace(c)); c != "" && c != "identity" {
				codings = append(codings, c)
			}
		}
	}
	if len(codings) == 0 || len(body) == 0 {
		return body, nil // an empty body has nothing to decode
	}
	var r io.Reader = bytes.NewReader(body)
	for _, c := range slices.Backward(codings) {
		var err error
		switch c {
		case "gzip":
			r, err = gzip.NewReader(r)
		case "deflate":
			r, err = zlib.NewReader(r)
		default:
			return nil, errUndecodable
		}
		if err != nil {
			return nil, errUndecodable
		}
	}
	decoded, err := io.ReadAll(io.LimitReader(r, limit+1))
	switch {
	case err != nil:
		return nil, errUndecodable
	case int64(len(decoded)) > limit:
		return nil, errDecodedTooLarge
	}
	return decoded, nil
}

// decompress decodes req's body as its gateway does: a REST API
// decompresses it, and hands the event on with the client's
// Content-Encoding still among its headers; HTTP APIs, Function URLs and
// ALBs decompress nothing.
func (f *Front) decompress(req *request) *gatewayError {
	if f.cfg.Shape != ShapeREST {
		return nil
	}
	body, refused := decodeBody(req.body, req.r.Header.Values("Content-Encoding"), maxRequestBody)
	if refused != nil {
		return refused
	}
	req.body = body
	return nil
}
