package lambdamcp_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp"
)

func TestParseStreamShapes(t *testing.T) {
	tests := []struct {
		in      string
		want    []lambdamcp.Shape
		wantErr bool
	}{
		{"", nil, false},
		{"url", []lambdamcp.Shape{lambdamcp.ShapeURL}, false},
		{"url, rest", []lambdamcp.Shape{lambdamcp.ShapeURL, lambdamcp.ShapeREST}, false},
		{"http", nil, true},
		{"url,alb", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := lambdamcp.ParseStreamShapes(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseStreamShapes(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); !tc.wantErr && diff != "" {
				t.Errorf("ParseStreamShapes(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}
