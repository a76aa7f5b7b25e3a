package lambdamcp_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFuzzTargetsFound checks which functions fuzzTargets takes for fuzz
// targets, as `go test` does: a top-level func whose name is Fuzz, or Fuzz
// followed by anything but a lower-case letter, in any package of the
// module, new ones included; not a method, nor a helper whose name only
// begins with Fuzz, nor what the go tool does not build (testdata, a
// directory beginning with _ or ., a module of its own), nor a generic
// function, which the go tool refuses to build as a target.
func TestFuzzTargetsFound(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"go.mod":              "module example.com/m\n",
		"a_test.go":           "package m\n\nimport \"testing\"\n\nfunc FuzzA(f *testing.F) {}\n\nfunc Fuzz(f *testing.F) {}\n\nfunc Fuzzy(t *testing.T) {}\n\nfunc Fuzz_b(f *testing.F) {}\n",
		"a.go":                "package m\n\nfunc FuzzNotATest() {}\n",
		"new/pkg/p_test.go":   "package pkg_test\n\nimport \"testing\"\n\ntype x struct{}\n\nfunc (x) FuzzMethod(f *testing.F) {}\n\nfunc FuzzGeneric[T any](f *testing.F) {}\n\nfunc FuzzNew(\n\tf *testing.F,\n) {\n}\n",
		"sub/go.mod":          "module example.com/sub\n",
		"sub/s_test.go":       "package sub\n\nimport \"testing\"\n\nfunc FuzzSub(f *testing.F) {}\n",
		"sub/inner/i_test.go": "package inner\n\nimport \"testing\"\n\nfunc FuzzInner(f *testing.F) {}\n",
		"testdata/t_test.go":  "package t\n\nimport \"testing\"\n\nfunc FuzzData(f *testing.F) {}\n",
		"_old/o_test.go":      "package old\n\nimport \"testing\"\n\nfunc FuzzOld(f *testing.F) {}\n",
		".hidden/h_test.go":   "package h\n\nimport \"testing\"\n\nfunc FuzzHidden(f *testing.F) {}\n",
		"raw/r_test.go":       "package raw\n\nconst src = `\nfunc FuzzInString(f *testing.F) {}\n`\n",
	}
	for name, src := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := fuzzTargets(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"./new/pkg:FuzzNew", ".:Fuzz", ".:FuzzA", ".:Fuzz_b"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fuzz targets (-want +got):\n%s", diff)
	}
}
