package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProgressBarFitsTerminal checks that the bar's line is cut to the
// terminal's width, less a column: a line that wrapped would leave its
// first rows behind when the next draw clears the last one ("\r\033[K").
// A wide character (CJK) takes two columns; a line that fits stays whole.
func TestProgressBarFitsTerminal(t *testing.T) {
	var out bytes.Buffer
	v := &progressView{out: &out, bar: true, width: func() int { return 60 }}
	v.progress(&progressParams{Progress: 1, Total: 4, Message: "short"})
	v.progress(&progressParams{Progress: 2, Total: 4, Message: strings.Repeat("long message ", 20)})
	v.progress(&progressParams{Progress: 3, Total: 4, Message: strings.Repeat("步骤", 40)})
	v.progress(&progressParams{Progress: 4, Total: 4, Message: strings.Repeat("\x1b", 100)})
	v.end()
	draws := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\r\033[K")[1:]
	if len(draws) != 4 {
		t.Fatalf("%d draws in %q, want 4", len(draws), out.String())
	}
	if want := "[###############---------------]  50% long message"; !strings.HasPrefix(draws[1], want) {
		t.Errorf("draw %q does not begin %q", draws[1], want)
	}
	if want := "[#######-----------------------]  25% short"; draws[0] != want {
		t.Errorf("draw %q, want %q", draws[0], want)
	}
	for _, d := range draws[1:] {
		if cols := columns(d); cols > 59 || !strings.HasSuffix(d, "…") {
			t.Errorf("draw %q takes %d columns, want at most 59, cut with …", d, cols)
		}
	}
}

// columns counts the columns s takes on a terminal, two for a wide
// character of the test's.
func columns(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x4e00 && r <= 0x9fff {
			n++
		}
	}
	return n
}

// TestTermWidthOffTerminal checks that what is no terminal has no width:
// a pipe, a file, a buffer.
func TestTermWidthOffTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for name, out := range map[string]io.Writer{"file": f, "pipe": w, "buffer": &bytes.Buffer{}, "syncWriter": &syncWriter{w: f}} {
		if got := termWidth(out); got != 0 {
			t.Errorf("termWidth(%s) = %d, want 0", name, got)
		}
	}
}

// TestProgressBarOneColumn checks that a terminal one column wide, whose
// column is the one left free, is drawn nothing on: the line is cut to
// no column at all, not left whole to wrap.
func TestProgressBarOneColumn(t *testing.T) {
	var out bytes.Buffer
	v := &progressView{out: &out, bar: true, width: func() int { return 1 }}
	v.progress(&progressParams{Progress: 1, Total: 4, Message: "a message"})
	if got := out.String(); got != "\r\033[K" {
		t.Errorf("drew %q on a terminal of one column, want only %q", got, "\r\033[K")
	}
}
