package main

import (
	"errors"
	"io/fs"
	"os"
	"testing"
)

// TestTempDirs: a run removes its own build directories at its shutdown
// and leaves another run's; removeAll, at a second signal, removes those
// left.
func TestTempDirs(t *testing.T) {
	var dirs tempDirs
	mine, err := dirs.make()
	if err != nil {
		t.Fatal(err)
	}
	other, err := dirs.make()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(mine); os.RemoveAll(other) })
	exists := func(dir string) bool {
		t.Helper()
		_, err := os.Stat(dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		return err == nil
	}
	steps := []struct {
		name      string
		do        func()
		wantMine  bool
		wantOther bool
	}{
		{name: "made", do: func() {}, wantMine: true, wantOther: true},
		{name: "a run's own removed", do: func() { dirs.remove(mine) }, wantOther: true},
		{name: "the rest removed", do: dirs.removeAll},
	}
	for _, st := range steps {
		st.do()
		if got := [2]bool{exists(mine), exists(other)}; got != [2]bool{st.wantMine, st.wantOther} {
			t.Fatalf("%s: directories exist %v, want %v", st.name, got, [2]bool{st.wantMine, st.wantOther})
		}
	}
}
