package lambdamcp_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestMakeCleanRemovesWhatTargetsMake runs `make clean` on a copy of the
// Makefiles beside what the other targets leave in the checkout: the
// bootstrap of `make bootstrap`, the staticcheck `make lint` installs into
// bin/, and the function builds and synthesised templates of `make
// test-deploy` under deploy/. Each must be gone afterwards.
func TestMakeCleanRemovesWhatTargetsMake(t *testing.T) {
	makeCmd, err := exec.LookPath("make")
	if err != nil {
		t.Fatalf("make test runs the Makefile, and make is needed here too: %v", err)
	}
	dir := t.TempDir()
	for _, f := range []string{"Makefile", "deploy/Makefile", ".ci/staticcheck-version"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	made := []string{"bootstrap", "bin/staticcheck-v0.0.0", "deploy/build/Server/bootstrap", "deploy/cdk.out/LambdaMcp.template.json"}
	for _, f := range made {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(makeCmd, "clean")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make clean: %v\n%s", err, out)
	}
	for _, f := range made {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("make clean left %s", f)
		}
	}
}
