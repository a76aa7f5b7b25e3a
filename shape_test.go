package lambdamcp_test

import (
	"strings"
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

// A name that cannot stream is quoted cut: MCP_STREAM may be of any size,
// and its error is a start-up log line.
func TestParseStreamShapesRefusalCut(t *testing.T) {
	_, err := lambdamcp.ParseStreamShapes("url, " + strings.Repeat("x", 10_000))
	if err == nil {
		t.Fatal("accepted")
	}
	if msg := err.Error(); len(msg) > 200 || !strings.Contains(msg, `"xxx`) || !strings.Contains(msg, "…") {
		t.Errorf("error of %d bytes, %.200q; want the name quoted cut (…), under 200", len(msg), msg)
	}
}

// A name that streams but for its letter case is told so: the names are
// lower case, and "URL" cannot stream only as spelt.
func TestParseStreamShapesLetterCase(t *testing.T) {
	for in, want := range map[string]string{
		"URL":       `"URL": shape names are lower case; did you mean "url"?`,
		"url, Rest": `"Rest": shape names are lower case; did you mean "rest"?`,
		"ALB":       `"ALB" cannot stream: name url, rest or both`,
		// Lower case already: the long s (U+017F) folds to s, but is no
		// letter of "rest" in any case.
		"re\u017ft": "\"re\u017ft\" cannot stream: name url, rest or both",
	} {
		_, err := lambdamcp.ParseStreamShapes(in)
		if err == nil || err.Error() != want {
			t.Errorf("ParseStreamShapes(%q) error = %v, want %s", in, err, want)
		}
	}
}
