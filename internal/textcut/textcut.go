// Package textcut bounds the text a log line or an error repeats of what a
// client chose: a path, a method, a header's value, a name. Every package
// that writes such text cuts it here, so that one bound means the same
// everywhere and a log line's size stays the server's to choose.
package textcut

import "unicode/utf8"

// MaxPathBytes bounds a request path a log line repeats: an MCP endpoint's
// is short, and a gateway passes on paths of kilobytes that anyone may send.
const MaxPathBytes = 512

// MaxMethodBytes bounds an HTTP method a log line repeats: the standard
// ones are at most 7 bytes, and a Function URL, an ALB or a local server
// passes on one of the client's invention, of any size.
const MaxMethodBytes = 64

// Cut is s cut to at most n bytes, marked with "…" when anything was cut;
// n below 0 counts as 0. A rune that n falls inside is left out whole;
// bytes that are no UTF-8 are kept as any other, for the quoting to
// escape: a value made of them is shown, not as "…" alone.
func Cut(s string, n int) string {
	n = max(n, 0)
	if len(s) <= n {
		return s
	}
	for i := n; i > 0 && i > n-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i-1]) {
			if r, size := utf8.DecodeRuneInString(s[i-1:]); (r != utf8.RuneError || size > 1) && i-1+size > n {
				n = i - 1
			}
			break
		}
	}
	return s[:n] + "…"
}
