package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeSuite is an npm project whose node is a shell script: it records its
// arguments, one a line, and XDG_CACHE_HOME in its working directory, and
// prints summary as the suite would.
func fakeSuite(t *testing.T, summary string) *nodeTools {
	t.Helper()
	dir := t.TempDir()
	pkg := filepath.Join(dir, "node_modules", "conformance-2026")
	if err := os.MkdirAll(filepath.Join(pkg, "requirements"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		filepath.Join(pkg, "package.json"):                      `{"version": "0.2.0-test"}`,
		filepath.Join(pkg, "requirements", "2026-07-28.yaml"):   "server:\n  - tools-list\n\nclient:\n  - tools_call\n  - http-invalid-tool-headers\n",
		filepath.Join(dir, "node"):                              "#!/bin/sh\nprintf '%s\\n' \"$@\" > args\nprintf '%s\\n' \"$XDG_CACHE_HOME\" > cache\ncat <<'EOF'\n" + summary + "EOF\n",
		filepath.Join(dir, "expected-failures-client.yaml"):     "client: []\n",
		filepath.Join(dir, "clients", "conformance-client.mjs"): "",
	}
	for path, text := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return &nodeTools{dir: dir, node: filepath.Join(dir, "node")}
}

// TestRunClientScenarios checks how a suite's client scenarios are run:
// the suite's client command against the binary, with the client baseline,
// the suite's own selection and a cache directory of the run's; and that
// a scenario of the client requirement set that did not run fails the run,
// which the suite's exit status alone would not.
func TestRunClientScenarios(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("fake node is a shell script")
	}
	both := "=== SUITE SUMMARY ===\n\n✓ tools_call: 2 passed, 0 failed\n✓ http-invalid-tool-headers: 12 passed, 0 failed\n\nTotal: 14 passed, 0 failed, 0 warnings\n"
	one := "=== SUITE SUMMARY ===\n\n✓ tools_call: 2 passed, 0 failed\n\nTotal: 2 passed, 0 failed, 0 warnings\n"
	for _, tc := range []struct {
		name, summary string
		ok            bool
		detail        string
	}{
		{"all ran", both, true, "2 scenarios: 2 passed, 0 expected failures"},
		{"one required missing", one, false, "2 scenarios: 1 passed, 0 expected failures, 1 UNEXPECTED: http-invalid-tool-headers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tools := fakeSuite(t, tc.summary)
			suite, _ := suiteByName("2026-07-28")
			out := t.TempDir()
			client := "/opt/my tools/mcp-client"
			r := suite.runClient(t.Context(), tools, client, config{outDir: out}, io.Discard)
			if r.ok != tc.ok || r.detail != tc.detail || r.target != "mcp-client" || r.suite != "conformance 2026-07-28 (0.2.0-test)" {
				t.Errorf("result %+v, want ok %t, detail %q", r, tc.ok, tc.detail)
			}
			home := filepath.Join(out, "home")
			args, err := os.ReadFile(filepath.Join(home, "args"))
			if err != nil {
				t.Fatal(err)
			}
			want := []string{
				tools.path("conformance-2026", "dist", "index.js"), "client",
				"--command", shellWords(tools.node, filepath.Join(tools.dir, "clients", "conformance-client.mjs"), client),
				"--expected-failures", filepath.Join(tools.dir, "expected-failures-client.yaml"),
				"-o", filepath.Join(out, "results", "mcp-client-2026-07-28"),
				"--requirements", "2026-07-28",
			}
			if diff := cmp.Diff(want, strings.Split(strings.TrimSuffix(string(args), "\n"), "\n")); diff != "" {
				t.Errorf("suite arguments (-want +got):\n%s", diff)
			}
			if cache, _ := os.ReadFile(filepath.Join(home, "cache")); string(cache) != filepath.Join(home, ".cache")+"\n" {
				t.Errorf("XDG_CACHE_HOME %q, want the run's", cache)
			}
			if log, err := os.ReadFile(filepath.Join(out, "logs", "mcp-client-2026-07-28.log")); err != nil || !bytes.Equal(log, []byte(tc.summary)) {
				t.Errorf("log %q (%v), want the suite's output", log, err)
			}
		})
	}
}

// TestShellWords checks that the client command comes back word for word
// from a shell, with the server's URL after it, as the suite runs it (it
// splits the command at each space and joins the words with one again).
func TestShellWords(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no sh")
	}
	words := []string{"/opt/node js/node", "/x/it's.mjs", `/a"b$c\d`, "plain"}
	line := shellWords(words...) + " http://localhost:1/mcp"
	out, err := exec.Command("sh", "-c", `printf '%s\n' `+line).Output()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(append(words, "http://localhost:1/mcp"), strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")); diff != "" {
		t.Errorf("words (-want +got):\n%s", diff)
	}
}

// TestClientBaselines checks that the client baselines list client
// scenarios, each with its reason.
func TestClientBaselines(t *testing.T) {
	for _, s := range conformanceSuites {
		data, err := os.ReadFile(s.clientBaseline)
		if err != nil {
			t.Fatal(err)
		}
		if len(requirementSet(data, "client")) == 0 {
			t.Errorf("%s lists no client scenario", s.clientBaseline)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "  - ") && !strings.Contains(line, " # ") {
				t.Errorf("%s: %q gives no reason", s.clientBaseline, line)
			}
		}
	}
}
