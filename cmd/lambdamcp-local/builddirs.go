package main

import (
	"os"
	"slices"
	"sync"
)

// buildDirs are the temporary directories the functions are built into:
// each run removes its own when the front shuts down, and a second signal,
// which cuts the shutdown short, removes them all, where it would
// otherwise leave a bootstrap's worth in the temporary directory at each
// such exit.
var buildDirs tempDirs

// tempDirs is a set of temporary directories, removed together.
type tempDirs struct {
	mu   sync.Mutex
	dirs []string
}

// make creates a temporary directory and keeps it for removeAll.
func (t *tempDirs) make() (string, error) {
	dir, err := os.MkdirTemp("", "lambdamcp-local")
	if err != nil {
		return "", err
	}
	t.mu.Lock()
	t.dirs = append(t.dirs, dir)
	t.mu.Unlock()
	return dir, nil
}

// remove removes dirs, made by make, and forgets them: a run's own, at
// its shutdown (runs in one process, as tests make them, each keep theirs).
func (t *tempDirs) remove(dirs ...string) {
	t.mu.Lock()
	t.dirs = slices.DeleteFunc(t.dirs, func(d string) bool { return slices.Contains(dirs, d) })
	t.mu.Unlock()
	for _, d := range dirs {
		os.RemoveAll(d)
	}
}

// removeAll removes every directory made and not yet removed: the process
// is ending.
func (t *tempDirs) removeAll() {
	t.mu.Lock()
	dirs := t.dirs
	t.dirs = nil
	t.mu.Unlock()
	for _, d := range dirs {
		os.RemoveAll(d)
	}
}
