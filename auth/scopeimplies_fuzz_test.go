package auth

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/internal/oauthscope"
	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// FuzzScopeHierarchy checks parseScopeHierarchy against the rules of
// MCP_SCOPE_IMPLIES: a setting is taken exactly when every entry not blank
// is one scope, "=", and at least one scope without "=" in it; what it
// takes holds every entry's scopes, in order, renders back to the same
// hierarchy, and implies what the entries chain to and nothing else; what
// it refuses is named in one short escaped line quoting a cut piece of it.
func FuzzScopeHierarchy(f *testing.F) {
	for _, s := range []string{
		"", " ; ;", "mcp:admin=mcp:read", " mcp:admin=mcp:write mcp:deploy ; mcp:write=mcp:read;; loop:a=loop:b; loop:b=loop:a ",
		"mcp:admin", "=mcp:read", "mcp:admin=", "mcp admin=mcp:read", "a=b c=d", "a==b", "a=b=c",
		"mcp:admin=mcp:read \u00e9", "\u00e9=mcp:read", "mcp:admin\x1b[31m\u202e", "a\u00a0b=c", "a=\"b\"", `a=b\c`,
		"it's=a!~\tb\nc", "x=" + strings.Repeat("y", 200) + "\u00e9", "a…", strings.Repeat("\u00e9", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		h, err := parseScopeHierarchy(v)
		wantOK, want := modelScopeHierarchy(v)
		if err != nil {
			if wantOK {
				t.Fatalf("%q refused (%v), a valid setting", v, err)
			}
			checkScopeHierarchyRefusal(t, v, err.Error())
			return
		}
		if !wantOK {
			t.Fatalf("%q accepted as %q, a setting to refuse", v, h)
		}
		if diff := cmp.Diff(want, h); diff != "" {
			t.Fatalf("%q (-want +got):\n%s", v, diff)
		}
		// Rendered as MCP_SCOPE_IMPLIES is written, it reads back the same.
		var entries []string
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range h {
				if !yield(k) {
					return
				}
			}
		}) {
			entries = append(entries, k+"="+strings.Join(h[k], " "))
		}
		again, err := parseScopeHierarchy(strings.Join(entries, "; "))
		if err != nil {
			t.Fatalf("%q: its rendering %q refused: %v", v, strings.Join(entries, "; "), err)
		}
		if diff := cmp.Diff(h, again); diff != "" {
			t.Fatalf("%q: rendered and read again (-first +again):\n%s", v, diff)
		}
		// A scope holds exactly what the entries chain to from it, itself
		// included: the relation's closure.
		var names []string
		for k, vs := range h {
			names = append(names, k)
			names = append(names, vs...)
		}
		slices.Sort(names)
		names = slices.Compact(names)
		if len(names) > 40 {
			names = names[:40]
		}
		for _, a := range names {
			reach := map[string]bool{a: true}
			for next := []string{a}; len(next) > 0; {
				s := next[0]
				next = next[1:]
				for _, n := range h[s] {
					if !reach[n] {
						reach[n] = true
						next = append(next, n)
					}
				}
			}
			for _, b := range names {
				if got := h.Holds([]string{a}, b); got != reach[b] {
					t.Fatalf("%q: %s holds %s = %v, want %v", v, a, b, got, reach[b])
				}
			}
		}
	})
}

// modelScopeHierarchy is what MCP_SCOPE_IMPLIES=v says, read entry by
// entry: whether it is taken, and if so the hierarchy (nil when empty).
func modelScopeHierarchy(v string) (bool, ScopeHierarchy) {
	var h ScopeHierarchy
	for _, entry := range strings.Split(v, ";") {
		if len(oauthscope.List(entry)) == 0 {
			continue
		}
		before, after, ok := strings.Cut(entry, "=")
		broad, implied := oauthscope.List(before), oauthscope.List(after)
		if !ok || len(broad) != 1 || len(implied) == 0 {
			return false, nil
		}
		for _, s := range append(slices.Clone(broad), implied...) {
			if !oauthscope.IsToken(s) {
				return false, nil
			}
		}
		for _, s := range implied {
			if strings.Contains(s, "=") {
				return false, nil
			}
		}
		if h == nil {
			h = ScopeHierarchy{}
		}
		h[broad[0]] = append(h[broad[0]], implied...)
	}
	return true, h
}

// checkScopeHierarchyRefusal checks the refusal msg of v: it names the
// setting, quotes a piece of v cut to oauthscope.MaxQuotedBytes, and is one
// short line with nothing a terminal would act on.
func checkScopeHierarchyRefusal(t *testing.T, v, msg string) {
	t.Helper()
	rest, ok := strings.CutPrefix(msg, EnvScopeImplies+": ")
	if !ok {
		t.Fatalf("%q: refusal %q does not name %s first", v, msg, EnvScopeImplies)
	}
	q, err := strconv.QuotedPrefix(rest)
	if err != nil {
		t.Fatalf("%q: refusal %q quotes nothing after the name", v, msg)
	}
	quoted, _ := strconv.Unquote(q)
	if len(quoted) > oauthscope.MaxQuotedBytes || !strings.Contains(v, quoted) {
		// Cut on a byte that may start a character, and marked: bytes
		// that are no UTF-8 may take it further back than utf8.UTFMax-1.
		piece, cut := strings.CutSuffix(quoted, "…")
		if !cut || len(piece) > oauthscope.MaxQuotedBytes || !strings.Contains(v, piece) {
			t.Fatalf("%q: refusal %q quotes %q, not a piece of the setting, cut to %d bytes when longer", v, msg, quoted, oauthscope.MaxQuotedBytes)
		}
	}
	// %q writes a byte at most as 4 ("\xab"), and the reason follows.
	if len(msg) > 4*oauthscope.MaxQuotedBytes+200 || !utf8.ValidString(msg) || strings.ContainsFunc(msg, textcut.Hidden) {
		t.Fatalf("%q: refusal of %d bytes %q: want one short line, escaped", v, len(msg), msg)
	}
}
