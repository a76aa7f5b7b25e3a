package lambdamcp_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lambdamcp/lambdamcp"
)

// docRow is a row of a table of answers in docs/errors.md: "Bad input"
// (Input, Status, Code, Message) or "Tolerated on purpose" (Input, Answer).
type docRow struct {
	line     int
	input    string   // the first cell, without backticks
	served   bool     // the answer is a result, not an error
	statuses []int    // the answer's HTTP status is one of these
	codes    []int    // its JSON-RPC error code is one of these
	messages []string // its message matches one of these
	data     []string // its data matches each of these
	tests    []string // the tests the row names
}

func (r docRow) String() string {
	return fmt.Sprintf("docs/errors.md:%d (%.50q)", r.line, r.input)
}

var (
	statusRE  = regexp.MustCompile(`\b[1-5]\d\d\b`)
	codeRE    = regexp.MustCompile(`-3\d{4}\b`)
	codeSpans = regexp.MustCompile("`([^`]*)`")
	testRE    = regexp.MustCompile(`\b(?:Test|Fuzz)[A-Z]\w*`)
	// placeholder stands for what varies in a documented message: an
	// ellipsis, <Lambda request id>, the sizes N and M.
	placeholder = regexp.MustCompile(`…|<[^>]*>|\b[NM]\b`)
)

// readErrorsDoc reads the rows of docs/errors.md's tables that have an
// Input column.
func readErrorsDoc(t *testing.T) []docRow {
	t.Helper()
	b, err := os.ReadFile("docs/errors.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows []docRow
	var header []string
	for i, line := range strings.Split(string(b), "\n") {
		switch {
		case !strings.HasPrefix(line, "|"):
			header = nil
		case header == nil:
			header = splitCells(line)
		case !strings.HasPrefix(line, "|---") && header[0] == "Input":
			rows = append(rows, parseRow(i+1, header, splitCells(line)))
		}
	}
	if len(rows) == 0 {
		t.Fatal("docs/errors.md has no table with an Input column")
	}
	return rows
}

// splitCells splits a table row at the pipes outside code spans.
func splitCells(line string) []string {
	var cells []string
	var cell strings.Builder
	code := false
	for _, r := range strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(line), "|"), "|") {
		switch {
		case r == '`':
			code = !code
		case r == '|' && !code:
			cells = append(cells, strings.TrimSpace(cell.String()))
			cell.Reset()
			continue
		}
		cell.WriteRune(r)
	}
	return append(cells, strings.TrimSpace(cell.String()))
}

func parseRow(line int, header, cells []string) docRow {
	r := docRow{line: line}
	for i, cell := range cells {
		r.tests = append(r.tests, testRE.FindAllString(cell, -1)...)
		if i >= len(header) {
			continue
		}
		switch header[i] {
		case "Input":
			r.input = strings.ReplaceAll(cell, "`", "")
		case "Answer":
			r.served = strings.HasPrefix(cell, "served")
		case "Status":
			for _, s := range statusRE.FindAllString(cell, -1) {
				n, _ := strconv.Atoi(s)
				r.statuses = append(r.statuses, n)
			}
		case "Code":
			for _, s := range codeRE.FindAllString(cell, -1) {
				n, _ := strconv.Atoi(s)
				r.codes = append(r.codes, n)
			}
		case "Message (contains)":
			for _, m := range codeSpans.FindAllStringSubmatch(cell, -1) {
				if d, ok := strings.CutPrefix(m[1], "data: "); ok {
					r.data = append(r.data, d)
				} else {
					r.messages = append(r.messages, m[1])
				}
			}
		}
	}
	if r.served {
		r.statuses = []int{200}
	}
	return r
}

// pieces are the parts of a documented message between its placeholders.
func pieces(text string) []string {
	var out []string
	for _, p := range placeholder.Split(text, -1) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// matches reports whether s holds the pieces of text, in order.
func matches(s, text string) bool {
	for _, p := range pieces(text) {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}

// docAnswer is what a request was answered, as a row describes it.
type docAnswer struct {
	status, code  int // code 0: a result
	message, data string
}

func (a docAnswer) String() string {
	if a.code == 0 {
		return fmt.Sprintf("%d with a result", a.status)
	}
	return fmt.Sprintf("%d, code %d, %.120q, data %.80s", a.status, a.code, a.message, a.data)
}

// mismatch says how a differs from what r documents, or "" if it does not.
func (r docRow) mismatch(a docAnswer) string {
	var bad []string
	if len(r.statuses) > 0 && !slices.Contains(r.statuses, a.status) {
		bad = append(bad, fmt.Sprintf("status %v", r.statuses))
	}
	switch {
	case r.served && a.code != 0:
		bad = append(bad, "a result")
	case len(r.codes) > 0 && !slices.Contains(r.codes, a.code):
		bad = append(bad, fmt.Sprintf("code %v", r.codes))
	}
	if len(r.messages) > 0 && !slices.ContainsFunc(r.messages, func(m string) bool { return matches(a.message, m) }) {
		bad = append(bad, fmt.Sprintf("a message matching one of %q", r.messages))
	}
	for _, d := range r.data {
		if !matches(a.data, d) {
			bad = append(bad, fmt.Sprintf("data matching %q", d))
		}
	}
	return strings.Join(bad, "; ")
}

// testSources maps each test and fuzz function of the repository to its
// source and the values of its string literals.
func testSources(t *testing.T) map[string]string {
	t.Helper()
	src := make(map[string]string)
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && slices.Contains([]string{".git", "node_modules", "cdk.out", "testdata"}, d.Name()) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, b, 0)
		if err != nil {
			return err
		}
		// A test's table is often a variable of its file: it counts as
		// the test's source.
		vars := make(map[string]string)
		for _, decl := range f.Decls {
			if gd, ok := decl.(*ast.GenDecl); ok && gd.Tok == token.VAR {
				for _, spec := range gd.Specs {
					for _, name := range spec.(*ast.ValueSpec).Names {
						vars[name.Name] = sourceOf(fset, b, spec)
					}
				}
			}
		}
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || !testRE.MatchString(fd.Name.Name) {
				continue
			}
			text := []string{sourceOf(fset, b, fd)}
			ast.Inspect(fd, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok && vars[id.Name] != "" {
					text = append(text, vars[id.Name])
				}
				return true
			})
			src[fd.Name.Name] += strings.Join(text, "\n") + "\n"
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// sourceOf is the source of n with the values of its string literals
// after it, as a message is written in a test.
func sourceOf(fset *token.FileSet, file []byte, n ast.Node) string {
	text := []string{string(file[fset.Position(n.Pos()).Offset:fset.Position(n.End()).Offset])}
	ast.Inspect(n, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			s, _ := strconv.Unquote(lit.Value)
			text = append(text, s)
		}
		return true
	})
	return strings.Join(text, "\n")
}

// mentions reports whether src has n as a number of its own, or, for an
// HTTP status, as net/http's constant.
func mentions(src string, n int) bool {
	if n >= 100 && n < 600 && strings.Contains(src, "http.Status"+strings.ReplaceAll(http.StatusText(n), " ", "")) {
		return true
	}
	return regexp.MustCompile(`(^|[^\d-])` + regexp.QuoteMeta(strconv.Itoa(n)) + `($|[^\d])`).MatchString(src)
}

// mentionsAll reports whether src has every piece of text.
func mentionsAll(src, text string) bool {
	for _, p := range pieces(text) {
		if !strings.Contains(src, p) {
			return false
		}
	}
	return true
}

// TestErrorsDoc holds docs/errors.md's tables to the code: each
// badInputCases entry is sent (through one event shape; TestBadInput sends
// it through all) and its answer must be the one the rows it names
// document; a row no entry holds must name a test that asserts its
// status, code and message; and every entry must name a row.
func TestErrorsDoc(t *testing.T) {
	rows := readErrorsDoc(t)
	sources := testSources(t)
	server, _ := newHardServer(t)
	h := lambdamcp.NewHandler(streamableMux(server), hardOptions(new(bytes.Buffer)))

	held := make(map[int]bool)            // by row line
	seen := make(map[int]map[string]bool) // the messages and data answered, by row line
	for _, tc := range badInputCases {
		var named []docRow
		for _, r := range rows {
			if tc.doc != "" && strings.HasPrefix(r.input, tc.doc) {
				named = append(named, r)
			}
		}
		if len(named) == 0 {
			t.Errorf("badInputCases %q: no row of docs/errors.md begins with its doc %q: document what it answers", tc.name, tc.doc)
			continue
		}
		shape := shapes[0]
		if tc.notREST {
			shape = shapes[1]
		}
		resp := invokeCase(t, h, tc, shape)
		var a rpcAnswer
		json.Unmarshal(resp.body(t), &a)
		got := docAnswer{status: resp.StatusCode}
		if a.Error != nil {
			got = docAnswer{resp.StatusCode, a.Error.Code, a.Error.Message, string(a.Error.Data)}
		}
		var why []string
		for _, r := range named {
			if m := r.mismatch(got); m != "" {
				why = append(why, fmt.Sprintf("%v wants %s", r, m))
				continue
			}
			held[r.line] = true
			if seen[r.line] == nil {
				seen[r.line] = make(map[string]bool)
			}
			for _, m := range r.messages {
				seen[r.line][m] = seen[r.line][m] || matches(got.message, m)
			}
			for _, d := range r.data {
				seen[r.line][d] = true
			}
		}
		if len(why) == len(named) {
			t.Errorf("badInputCases %q is answered %v, which no row it names documents:\n\t%s", tc.name, got, strings.Join(why, "\n\t"))
		}
	}

	for _, r := range rows {
		var src string
		for _, name := range r.tests {
			s, ok := sources[name]
			if !ok {
				t.Errorf("%v names %s, which no test file defines", r, name)
			}
			src += s
		}
		if !held[r.line] {
			switch {
			case len(r.tests) == 0:
				t.Errorf("%v: nothing holds this row: no badInputCases entry that names it (doc) is answered as it says, and it names no test", r)
			case len(r.statuses) > 0 && !slices.ContainsFunc(r.statuses, func(n int) bool { return mentions(src, n) }),
				len(r.codes) > 0 && !slices.ContainsFunc(r.codes, func(n int) bool { return mentions(src, n) }):
				t.Errorf("%v: no badInputCases entry that names it is answered as it says, and %v mention none of its statuses %v or none of its codes %v", r, r.tests, r.statuses, r.codes)
			}
		}
		for _, m := range append(slices.Clip(r.messages), r.data...) {
			if !seen[r.line][m] && !mentionsAll(src, m) {
				t.Errorf("%v: no badInputCases entry is answered with %q, and no test the row names (%v) mentions it", r, m, r.tests)
			}
		}
	}
}

// TestLimitsDoc holds docs/errors.md's Limits table to lambdamcp.Limits:
// a row for each field, none for a field it does not have, and each
// row's default the one the field takes when zero.
func TestLimitsDoc(t *testing.T) {
	b, err := os.ReadFile("docs/errors.md")
	if err != nil {
		t.Fatal(err)
	}
	defaults := map[string]int64{
		"MaxBodyBytes":     lambdamcp.DefaultMaxBodyBytes,
		"MaxResponseBytes": lambdamcp.DefaultMaxResponseBytes,
		"MaxHeaderBytes":   lambdamcp.DefaultMaxHeaderBytes,
		"MaxHeaders":       lambdamcp.DefaultMaxHeaders,
		"MaxJSONDepth":     lambdamcp.DefaultMaxJSONDepth,
		"MaxBatchMessages": lambdamcp.DefaultMaxBatchMessages,
	}
	fields := reflect.TypeFor[lambdamcp.Limits]()
	for i := range fields.NumField() {
		if _, ok := defaults[fields.Field(i).Name]; !ok {
			t.Fatalf("lambdamcp.Limits.%s: name its default here", fields.Field(i).Name)
		}
	}
	documented := map[string]bool{}
	var header []string
	for i, line := range strings.Split(string(b), "\n") {
		switch {
		case !strings.HasPrefix(line, "|"):
			header = nil
			continue
		case header == nil:
			header = splitCells(line)
			continue
		case strings.HasPrefix(line, "|---") || header[0] != "Field":
			continue
		}
		cells := splitCells(line)
		field := strings.Trim(cells[0], "`")
		documented[field] = true
		want, ok := defaults[field]
		if _, isField := fields.FieldByName(field); !ok || !isField {
			t.Errorf("docs/errors.md:%d: %s is no field of lambdamcp.Limits", i+1, field)
			continue
		}
		if got, ok := docSize(cells[1]); !ok || got != want {
			t.Errorf("docs/errors.md:%d: %s defaults to %q, read as %d; the code's default is %d", i+1, field, cells[1], got, want)
		}
	}
	for i := range fields.NumField() {
		if name := fields.Field(i).Name; !documented[name] {
			t.Errorf("docs/errors.md's Limits table has no row for lambdamcp.Limits.%s", name)
		}
	}
}

// docSize reads a default as the doc writes it: "200", "64 KiB", "4 MiB
// (…)".
func docSize(cell string) (int64, bool) {
	fields := strings.Fields(cell)
	if len(fields) == 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil {
		return 0, false
	}
	if len(fields) > 1 {
		switch fields[1] {
		case "KiB":
			n <<= 10
		case "MiB":
			n <<= 20
		}
	}
	return n, true
}
