package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lambdamcp/lambdamcp/examples/mrtr"
	"github.com/lambdamcp/lambdamcp/requeststate"
	"github.com/lambdamcp/lambdamcp/serve"
)

// TestArgsFromFile checks that -args @FILE and -args @- take the JSON
// object from the file and from standard input, for a call's arguments
// past the length one command-line argument may have, and that -elicit
// takes its object the same way.
func TestArgsFromFile(t *testing.T) {
	srv := httptest.NewServer(serve.Routes(serve.Handler(echoServer(), nil)))
	defer srv.Close()
	dir := t.TempDir()
	big := `{"text":"` + strings.Repeat("x", 200<<10) + `"}` // past Linux's 128 KiB for one argument
	file := filepath.Join(dir, "args.json")
	if err := os.WriteFile(file, []byte(big+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  string
		stdin string
	}{
		{"file", "@" + file, ""},
		{"stdin", "@-", big + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runIn(t.Context(), []string{"-endpoint", srv.URL + "/mcp", "-call", "echo", "-args", tc.args}, noEnv, strings.NewReader(tc.stdin), &stdout, &stderr)
			if code != 0 || stdout.String() != big+"\n" {
				t.Errorf("exit %d, stdout of %d bytes %.80q…, stderr %q; want exit 0 and the arguments echoed", code, stdout.Len(), stdout.String(), stderr.String())
			}
		})
	}

	key := make([]byte, requeststate.KeySize)
	rand.Read(key)
	sealer, err := requeststate.New(key)
	if err != nil {
		t.Fatal(err)
	}
	orders := httptest.NewServer(mrtr.Handler(mrtr.New(sealer)))
	defer orders.Close()
	answer := filepath.Join(dir, "answer.json")
	if err := os.WriteFile(answer, []byte(`{"confirm":true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := runIn(t.Context(), []string{"-endpoint", orders.URL, "-call", "order", "-args", "@-", "-elicit", "@" + answer}, noEnv, strings.NewReader(`{"item":"tea","quantity":2}`), &stdout, &stderr)
	if code != 0 || !strings.Contains(stdout.String(), "ordered 2 × tea") {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 0 and the order confirmed", code, stdout.String(), stderr.String())
	}
}

// TestArgsFromFileRefused checks that what -args @FILE or -elicit @FILE
// reads meets the checks a value on the command line meets, and that a
// file that cannot be read, content past the cap, and standard input
// asked for twice are usage errors naming the file, before anything is
// sent.
func TestArgsFromFileRefused(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	empty := write("empty.json", "\n")
	latin1 := write("latin1.json", "{\"city\":\"M\xfcnchen\"}")
	twice := write("twice.json", `{"a":1,"a":2}`)
	trailing := write("trailing.json", `{"a":1} {"b":2}`)
	list := write("list.json", `[1]`)
	large := write("large.json", `{"a":"`+strings.Repeat("x", 4<<20)+`"}`)
	missing := filepath.Join(dir, "missing.json")
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{"missing", []string{"-call", "echo", "-args", "@" + missing}, "", "-args @" + missing + ": open " + missing + ": no such file or directory"},
		{"directory", []string{"-call", "echo", "-args", "@" + dir}, "", "-args @" + dir + ": read " + dir + ": is a directory"},
		{"no name", []string{"-call", "echo", "-args", "@"}, "", "-args @ names no file: give @FILE, or @- for standard input"},
		{"empty", []string{"-call", "echo", "-args", "@" + empty}, "", "-args @" + empty + " is empty"},
		{"empty stdin", []string{"-prompt", "greet", "-args", "@-"}, "", "-args @- is empty"},
		{"not UTF-8", []string{"-call", "echo", "-args", "@" + latin1}, "", "-args @" + latin1 + " is not UTF-8"},
		{"key twice", []string{"-call", "echo", "-args", "@" + twice}, "", "-args @" + twice + ` gives the key "a" twice`},
		{"trailing text", []string{"-call", "echo", "-args", "@" + trailing}, "", "-args @" + trailing + " must be a JSON object"},
		{"not an object", []string{"-call", "echo", "-args", "@-"}, "[1]", "-args @- must be a JSON object"},
		{"prompt's strings", []string{"-prompt", "greet", "-args", "@-"}, `{"n":1}`, "-args for -prompt must give every argument a string"},
		{"too large", []string{"-call", "echo", "-args", "@" + large}, "", "-args @" + large + " holds more than 4 MiB"},
		{"too large stdin", []string{"-call", "echo", "-args", "@-"}, `{"a":"` + strings.Repeat("x", 4<<20) + `"}`, "-args @- holds more than 4 MiB"},
		{"stdin twice", []string{"-call", "echo", "-args", "@-", "-elicit", "@-"}, `{}`, "-args and -elicit both read standard input (@-): give one of them a file"},
		{"elicit empty", []string{"-call", "echo", "-elicit", "@" + empty}, "", "-elicit @" + empty + " is empty"},
		{"elicit list", []string{"-call", "echo", "-elicit", "@" + list}, "", "-elicit @" + list + " must be a JSON object"},
		{"elicit word", []string{"-call", "echo", "-elicit", "@-"}, "decline\n", "-elicit @- must be a JSON object"},
		{"elicit not UTF-8", []string{"-call", "echo", "-elicit", "@" + latin1}, "", "-elicit @" + latin1 + " is not UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runIn(t.Context(), append([]string{"-endpoint", "http://127.0.0.1:1/mcp"}, tc.args...), noEnv, strings.NewReader(tc.stdin), &stdout, &stderr)
			line, _, _ := strings.Cut(stderr.String(), "\n")
			if code != 2 || !strings.HasPrefix(line, "mcp-client: "+tc.want) || len(line) > 5<<10 {
				t.Errorf("exit %d, first line of %d bytes %.300q; want exit 2 and a line beginning %q", code, len(line), line, "mcp-client: "+tc.want)
			}
		})
	}
}

// TestArgsFromStdinInterrupted checks that Ctrl-C while -args @- waits
// for standard input (a terminal nobody types into) ends the run at once,
// as it ends a run waiting for the server.
func TestArgsFromStdinInterrupted(t *testing.T) {
	stdin, w := io.Pipe()
	defer w.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var stdout, stderr bytes.Buffer
	code := runIn(ctx, []string{"-endpoint", "http://127.0.0.1:1/mcp", "-call", "echo", "-args", "@-"}, noEnv, stdin, &stdout, &stderr)
	if code != exitInterrupted || stderr.String() != "mcp-client: interrupted\n" {
		t.Errorf("exit %d, stderr %q; want %d and the line mcp-client: interrupted", code, stderr.String(), exitInterrupted)
	}
}

// TestArgsFromFileAtTheCap checks that -args @FILE and -args @- of
// exactly the cap, 4 MiB, are taken: only more is refused.
func TestArgsFromFileAtTheCap(t *testing.T) {
	const head, tail = `{"a":"`, `"}`
	full := head + strings.Repeat("x", maxInputBytes-len(head)-len(tail)) + tail
	file := filepath.Join(t.TempDir(), "full.json")
	if err := os.WriteFile(file, []byte(full), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, args, stdin string }{
		{"file", "@" + file, ""},
		{"stdin", "@-", full},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runIn(t.Context(), []string{"-endpoint", "http://127.0.0.1:1/mcp", "-call", "echo", "-args", tc.args}, noEnv, strings.NewReader(tc.stdin), &stdout, &stderr)
			// Taken, the run goes on to the server, which is not there.
			if code != 1 || !strings.HasPrefix(stderr.String(), "mcp-client: cannot reach ") {
				t.Errorf("exit %d, stderr %.300q; want exit 1, the arguments taken and the server not reached", code, stderr.String())
			}
		})
	}
}

// unreadInput is standard input that fails the test once it is read.
type unreadInput struct{ t *testing.T }

func (r unreadInput) Read([]byte) (int, error) {
	r.t.Error("standard input was read")
	return 0, io.EOF
}

// TestArgsFromStdinAfterCommandLine checks that a command line refused
// for what its flags say is refused before -args @- or -elicit @- reads
// standard input: a terminal would wait for input only to be told then,
// and a pipe would be read to no end.
func TestArgsFromStdinAfterCommandLine(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"not an endpoint", []string{"-endpoint", "ftp://h.example/mcp", "-call", "echo", "-args", "@-"}, `endpoint "ftp://h.example/mcp" is not an http(s) URL`},
		{"flag without -login", []string{"-endpoint", "http://127.0.0.1:1/mcp", "-call", "echo", "-elicit", "@-", "-no-browser"}, "-no-browser is for a person's sign-in"},
		{"-log with -prompt", []string{"-endpoint", "http://127.0.0.1:1/mcp", "-prompt", "greet", "-args", "@-", "-log", "debug"}, "-log is for the tool -call calls"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runIn(t.Context(), tc.args, noEnv, unreadInput{t}, &stdout, &stderr)
			if code != 2 || !strings.HasPrefix(stderr.String(), "mcp-client: "+tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and a line beginning %q", code, stderr.String(), "mcp-client: "+tc.want)
			}
		})
	}
}
