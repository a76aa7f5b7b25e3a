package serve_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestOperationsListsStartupWarnings checks docs/operations.md's list of
// the lines logged as a process starts against the code, both ways: each
// warning Run logs with a message of its own (in serve.go) is quoted in
// the list by its beginning, and each message the list quotes is one
// the code writes (serve, lambdamcp, auth's names of unread variables,
// cmd/authorizer), the variables' names in place of their constants.
func TestOperationsListsStartupWarnings(t *testing.T) {
	doc, err := os.ReadFile("../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## Start-up lines\n")
	if !ok {
		t.Fatal(`docs/operations.md has no "## Start-up lines" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	listed := quotedMessages(section)

	// The Env constants of serve and auth, by their Go names.
	consts := map[string]string{}
	for _, dir := range []string{".", "../auth"} {
		envConstantsByName(t, dir, consts)
	}
	resolve := func(e ast.Expr) (string, bool) {
		switch x := e.(type) {
		case *ast.Ident:
			v, ok := consts[x.Name]
			return v, ok
		case *ast.SelectorExpr:
			v, ok := consts[x.Sel.Name]
			return v, ok
		}
		return "", false
	}

	var written []string // every message the code builds
	for _, f := range []string{"serve.go", "../lambdamcp.go", "../guard.go", "../auth/envnames.go", "../cmd/authorizer/run.go"} {
		written = append(written, messages(t, f, resolve, false)...)
	}
	if len(written) < 10 {
		t.Fatalf("found %d messages in the code: the source scan missed some", len(written))
	}

	// Each of Run's warnings with a message of its own is listed.
	warnings := messages(t, "serve.go", resolve, true)
	if len(warnings) < 7 {
		t.Fatalf("found %d warnings in serve.go (%q): the source scan missed some", len(warnings), warnings)
	}
	for _, w := range warnings {
		head := w
		if i := strings.Index(head, ": "); i > 0 {
			head = head[:i]
		}
		found := false
		for _, l := range listed {
			if strings.HasPrefix(l, head) {
				found = true
			}
		}
		if !found {
			t.Errorf("docs/operations.md's start-up lines quote no line beginning %q (the warning %q)", head, w)
		}
	}
	// Each line listed is one the code writes.
	if len(listed) == 0 {
		t.Fatal("docs/operations.md's start-up lines quote no message")
	}
	for _, l := range listed {
		found := false
		for _, w := range written {
			if strings.Contains(w, l) {
				found = true
			}
		}
		if !found {
			t.Errorf("docs/operations.md's start-up lines quote %q, which no start-up line of the code holds", l)
		}
	}
}

// envConstantsByName adds to consts the package-level string constants
// named Env… in the Go files of dir, tests left out, by their names.
func envConstantsByName(t *testing.T, dir string, consts map[string]string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if !strings.HasPrefix(n.Name, "Env") || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if v, err := strconv.Unquote(lit.Value); err == nil {
							consts[n.Name] = v
						}
					}
				}
			}
		}
	}
}

// messages are the messages built in file: with warnOnly, the first
// argument of each call named Warn that is a string or a concatenation
// holding a literal; else every such expression of the file. The Env
// constants are replaced by the variables' names, and anything else that
// is no literal by "…".
func messages(t *testing.T, file string, resolve func(ast.Expr) (string, bool), warnOnly bool) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Clean(file), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		if warnOnly {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Warn" && len(call.Args) > 0 {
				if m, ok := render(call.Args[0], resolve); ok {
					out = append(out, m)
				}
			}
			return true
		}
		switch x := n.(type) {
		case *ast.BinaryExpr:
			if x.Op != token.ADD {
				return true
			}
			if m, ok := render(x, resolve); ok {
				out = append(out, m)
			}
			return false
		case *ast.BasicLit:
			if m, ok := render(x, resolve); ok {
				out = append(out, m)
			}
		}
		return true
	})
	return out
}

// render is e, a string concatenation holding at least one literal, as
// the message it builds, or false.
func render(e ast.Expr, resolve func(ast.Expr) (string, bool)) (string, bool) {
	var parts []ast.Expr
	var flatten func(ast.Expr)
	flatten = func(e ast.Expr) {
		if b, ok := e.(*ast.BinaryExpr); ok && b.Op == token.ADD {
			flatten(b.X)
			flatten(b.Y)
			return
		}
		parts = append(parts, e)
	}
	flatten(e)
	var b strings.Builder
	literal := false
	for _, p := range parts {
		if lit, ok := p.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return "", false
			}
			b.WriteString(s)
			literal = true
			continue
		}
		if name, ok := resolve(p); ok {
			b.WriteString(name)
			continue
		}
		b.WriteString("…")
	}
	return b.String(), literal
}

// quotedMessages are the messages a section quotes: each code span that
// begins a row of its table, white space made single spaces, a trailing
// "…" left out.
func quotedMessages(section string) []string {
	var out []string
	cell := regexp.MustCompile("^\\| `([^`]+)`")
	rows := false
	for line := range strings.SplitSeq(section, "\n") {
		if strings.HasPrefix(line, "|---") {
			rows = true
			continue
		}
		if m := cell.FindStringSubmatch(line); rows && m != nil {
			out = append(out, strings.TrimSuffix(strings.Join(strings.Fields(m[1]), " "), "…"))
		}
	}
	return out
}
