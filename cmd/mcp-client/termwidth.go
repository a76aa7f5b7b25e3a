package main

import (
	"io"
	"strings"
)

// termWidth is the width in columns of the terminal w writes to, 0 when
// w is no terminal or its width cannot be known.
func termWidth(w io.Writer) int {
	f, ok := fileOf(w)
	if !ok {
		return 0
	}
	return fileWidth(f)
}

// fitColumns is line, printable already, cut to fit cols columns with a
// "…" when it does not, so that a terminal does not wrap it: a line
// redrawn in place ("\r\033[K") clears its last row alone. A character
// from U+1100 on is counted as two columns, as the wide ones (CJK, emoji)
// take: a line with others is cut shorter than it need be, never longer.
// cols of 0 leaves line whole.
func fitColumns(line string, cols int) string {
	if cols <= 0 {
		return line
	}
	width := func(r rune) int {
		if r >= 0x1100 {
			return 2
		}
		return 1
	}
	total := 0
	for _, r := range line {
		total += width(r)
	}
	if total <= cols {
		return line
	}
	var b strings.Builder
	used := 0
	for _, r := range line {
		if used+width(r) > cols-width('…') {
			break
		}
		b.WriteRune(r)
		used += width(r)
	}
	return b.String() + "…"
}
