package lambdamcp_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/awsevents"
)

// TestSetCookieSpellings checks that every Set-Cookie a handler sets
// reaches the cookies of a payload 2.0 response, whatever the spelling of
// its name in the header map (a handler may fill the map itself), in the
// order net/http sends them (TestHeaderSpellings): joined into one header
// with the others, an Expires date's comma would run one cookie into the
// next. An ALB's single-value response carries one
// cookie, the last, as it does for a canonical name.
func TestSetCookieSpellings(t *testing.T) {
	const expiring = "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT"
	tests := []struct {
		name    string
		set     func(http.Header)
		cookies []string // a payload 2.0 response's, in order
	}{
		{"canonical", func(h http.Header) {
			h.Add("Set-Cookie", expiring)
			h.Add("Set-Cookie", "b=2")
		}, []string{expiring, "b=2"}},
		{"lower case", func(h http.Header) {
			h["set-cookie"] = []string{expiring, "b=2"}
		}, []string{expiring, "b=2"}},
		{"two spellings", func(h http.Header) {
			h["set-cookie"] = []string{"c=3"}
			h["SET-COOKIE"] = []string{"b=2"}
			h.Add("Set-Cookie", expiring)
		}, []string{"b=2", expiring, "c=3"}}, // net/http's order: SET-COOKIE, Set-Cookie, set-cookie
	}
	for _, tc := range tests {
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tc.set(w.Header())
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{}`)
		})
		buffered := lambdamcp.NewHandler(handler, nil)
		t.Run(tc.name, func(t *testing.T) {
			for _, file := range []string{"apigw-v2-request-no-authorizer.json", "lambda-urls-request.json"} {
				resp := invoke(t, buffered, awsevents.Sample(file))
				if diff := cmp.Diff(tc.cookies, resp.Cookies); diff != "" {
					t.Errorf("%s: cookies (-want +got):\n%s", file, diff)
				}
				if v := resp.values("Set-Cookie"); v != nil {
					t.Errorf("%s: Set-Cookie %q in the headers too", file, v)
				}
			}

			streamed := lambdamcp.NewHandler(handler, &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}})
			s, head := openStream(t, streamCtx(t, time.Minute), streamed, awsevents.Sample("lambda-urls-request.json"))
			io.Copy(io.Discard, s.r)
			if diff := cmp.Diff(tc.cookies, head.Cookies); diff != "" {
				t.Errorf("streamed: cookies (-want +got):\n%s", diff)
			}
			if v := (&lambdaResponse{Headers: head.Headers}).values("Set-Cookie"); v != nil {
				t.Errorf("streamed: Set-Cookie %q in the headers too", v)
			}

			resp := invoke(t, buffered, awsevents.Sample("alb-lambda-target-request-headers-only.json"))
			last := tc.cookies[len(tc.cookies)-1:]
			if diff := cmp.Diff(last, resp.values("Set-Cookie")); diff != "" {
				t.Errorf("alb: Set-Cookie (-want +got):\n%s", diff)
			}
		})
	}
}
