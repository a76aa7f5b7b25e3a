package lambdamcp_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
)

// TestLateStatusWriteCount checks the count a write after a late status
// returns: all of p when it fails not, as io.Writer asks. A write that
// finishes a value and holds the next one's start, or ends in white
// space, takes all of p though the event it sends is shorter: counted by
// the event's length, it reported a short write with no error, which
// io.Copy and bufio turn into io.ErrShortWrite.
func TestLateStatusWriteCount(t *testing.T) {
	tests := []struct {
		name   string
		pieces []string
	}{
		{"a value then the next one's start", []string{lateError + lateError[:40], lateError[40:]}},
		{"a short value then a long start", []string{"{}" + lateError[:60], lateError[60:]}},
		{"a value then white space", []string{"{}" + strings.Repeat(" ", 100)}},
		{"a value finished, then white space", []string{lateError[:10], lateError[10:] + strings.Repeat("\n", 200)}},
	}
	for _, path := range lateAnswerPaths() {
		for _, tc := range tests {
			t.Run(path.name+"/"+tc.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					type short struct {
						piece string
						n     int
					}
					var shorts []short
					path.run(t, func(w http.ResponseWriter, _ *http.Request) {
						writeLate(w, nil)
						for _, p := range tc.pieces {
							n, err := io.WriteString(w, p)
							if err == nil && n != len(p) {
								shorts = append(shorts, short{p, n})
							}
						}
					})
					for _, s := range shorts {
						t.Errorf("write of %d bytes (%.40q…) = %d, nil: a short count with no error", len(s.piece), s.piece, s.n)
					}
				})
			})
		}
	}
}
