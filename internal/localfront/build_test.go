package localfront

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildRefusesALibrary checks that building a package other than a
// main package fails, saying so, rather than handing on the archive go
// build writes for it as if it were the bootstrap.
func TestBuildRefusesALibrary(t *testing.T) {
	tests := []struct {
		name, pkg string
		wantErr   string // "": built
	}{
		{"main package", "./testdata/fn", ""},
		{"library", "github.com/lambdamcp/lambdamcp/internal/httpsyntax", "not a main package"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			bin, err := Build(context.Background(), tc.pkg, dir)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Build(%s): %v", tc.pkg, err)
				}
				if bin != filepath.Join(dir, "bootstrap") {
					t.Errorf("Build(%s) = %s, want %s", tc.pkg, bin, filepath.Join(dir, "bootstrap"))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Build(%s) = %q, %v; want an error saying %q", tc.pkg, bin, err, tc.wantErr)
			}
			if _, err := os.Stat(filepath.Join(dir, "bootstrap")); !os.IsNotExist(err) {
				t.Errorf("the refused build left %s/bootstrap behind (stat: %v)", dir, err)
			}
		})
	}
}
