package lambdamcp

import (
	stdjson "encoding/json"
	"net/http"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

// TestEncodeResponseMatchesEncodingJSON checks that responses are encoded
// byte for byte as encoding/json encodes them, for bodies and headers that
// need escaping.
func TestEncodeResponseMatchesEncodingJSON(t *testing.T) {
	bodies := []string{
		``,
		`{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"<a & b>"}]}}`,
		"line\nbreak\ttab \"quoted\" back\\slash",
		"\u2028\u2029 separators, é, 日本, emoji \U0001F600",
		"invalid \xff\xfe utf-8",
		"\x00\x01\x1f control",
	}
	for _, body := range bodies {
		t.Run(body, func(t *testing.T) {
			for _, resp := range []any{
				&events.APIGatewayProxyResponse{StatusCode: 200, MultiValueHeaders: http.Header{"Content-Type": {"application/json"}, "X-B": {"1", "<2>"}}, Body: body},
				&events.APIGatewayV2HTTPResponse{StatusCode: 400, Headers: map[string]string{"Z": "&", "A": body}, Cookies: []string{"a=b"}, Body: body, IsBase64Encoded: true},
				&events.ALBTargetGroupResponse{StatusCode: 202, StatusDescription: "202 Accepted", Headers: map[string]string{"X": body}, Body: body},
			} {
				want, err := stdjson.Marshal(resp)
				if err != nil {
					t.Fatal(err)
				}
				got, err := encodeResponse(resp)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(string(want), string(got)); diff != "" {
					t.Errorf("%T (-encoding/json +lambdamcp):\n%s", resp, diff)
				}
			}
		})
	}
}

// TestParseEventMatchesEncodingJSON checks that AWS's samples decode as
// encoding/json, which lambdamcp used before, decodes them.
func TestParseEventMatchesEncodingJSON(t *testing.T) {
	for name, payload := range sampleEvents(t) {
		t.Run(name, func(t *testing.T) {
			_, got, err := parseEvent(payload)
			if err != nil {
				t.Fatal(err)
			}
			want := reflectNew(got)
			if err := stdjson.Unmarshal(payload, want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-encoding/json +lambdamcp):\n%s", diff)
			}
		})
	}
}

// reflectNew returns a new zero value of the type v points to.
func reflectNew(v any) any {
	return reflect.New(reflect.TypeOf(v).Elem()).Interface()
}

// FuzzEncodeResponse checks that any body and header value is encoded as
// encoding/json encodes it.
func FuzzEncodeResponse(f *testing.F) {
	f.Add(`{"jsonrpc":"2.0","id":1,"result":{}}`, "application/json")
	f.Add("<&>\u2028\xff", "text/plain; charset=utf-8")
	f.Fuzz(func(t *testing.T, body, header string) {
		resp := &events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": header, header: body}, Body: body}
		want, err := stdjson.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeResponse(resp)
		if err != nil {
			t.Fatal(err)
		}
		if string(want) != string(got) {
			t.Errorf("encoding/json: %s\nlambdamcp:     %s", want, got)
		}
	})
}
