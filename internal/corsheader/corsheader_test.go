package corsheader

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAllow(t *testing.T) {
	tests := []struct {
		name  string
		given http.Header
		times int
		want  http.Header
	}{
		{
			name:  "empty",
			given: http.Header{},
			times: 1,
			want: http.Header{
				"Access-Control-Allow-Origin":   {"https://app.example"},
				"Vary":                          {"Origin"},
				"Access-Control-Expose-Headers": {ExposeHeaders},
			},
		},
		{
			name:  "twice",
			given: http.Header{},
			times: 2,
			want: http.Header{
				"Access-Control-Allow-Origin":   {"https://app.example"},
				"Vary":                          {"Origin"},
				"Access-Control-Expose-Headers": {ExposeHeaders},
			},
		},
		{
			name:  "vary names origin among others",
			given: http.Header{"Vary": {"Accept-Encoding, origin"}},
			times: 1,
			want: http.Header{
				"Access-Control-Allow-Origin":   {"https://app.example"},
				"Vary":                          {"Accept-Encoding, origin"},
				"Access-Control-Expose-Headers": {ExposeHeaders},
			},
		},
		{
			name:  "vary names something else",
			given: http.Header{"Vary": {"Accept-Encoding"}},
			times: 1,
			want: http.Header{
				"Access-Control-Allow-Origin":   {"https://app.example"},
				"Vary":                          {"Accept-Encoding", "Origin"},
				"Access-Control-Expose-Headers": {ExposeHeaders},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for range tc.times {
				Allow(tc.given, "https://app.example")
			}
			if diff := cmp.Diff(tc.want, tc.given); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
		})
	}
}
