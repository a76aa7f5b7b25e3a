//go:build !plan9

// Package childtest runs a test binary again as a child process that runs a
// command's main, for the tests of how a command ends: it follows the lines
// the child logs, puts a request in flight, and checks that a second
// SIGTERM during the shutdown kills the child, as the signal does by
// default. It is not built on Plan 9, which has notes, not signals.
package childtest

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Logs names the stream a command logs on.
type Logs int

const (
	// Stdout: the command logs on stdout.
	Stdout Logs = iota
	// Stderr: the command logs on stderr and prints its URL on stdout.
	Stderr
)

// Child is the test binary run again as a command.
type Child struct {
	t     *testing.T
	cmd   *exec.Cmd
	bound time.Duration
	logs  chan string
	out   chan string // stdout's lines when logs are on stderr, else nil
}

// Start runs the test binary again in a child process that runs only the
// current test (a top-level one), with env added to the environment: env
// is what tells the test it is the child. Each await waits at most bound.
func Start(t *testing.T, logs Logs, bound time.Duration, env ...string) *Child {
	t.Helper()
	return start(t, exec.Command(os.Args[0], runArg(t)), logs, bound, env)
}

// StartIgnoringInterrupts is Start for a child that begins with interrupts
// ignored, as a shell starts a background job: sh ignores them (trap) and
// runs the child in its place (exec), which inherits that.
func StartIgnoringInterrupts(t *testing.T, logs Logs, bound time.Duration, env ...string) *Child {
	t.Helper()
	return start(t, exec.Command("/bin/sh", "-c", `trap '' INT; exec "$0" "$@"`, os.Args[0], runArg(t)), logs, bound, env)
}

// runArg is the flag that runs only the current test.
func runArg(t *testing.T) string { return "-test.run=^" + regexp.QuoteMeta(t.Name()) + "$" }

func start(t *testing.T, cmd *exec.Cmd, logs Logs, bound time.Duration, env []string) *Child {
	t.Helper()
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &Child{t: t, cmd: cmd, bound: bound}
	logStream := stdout
	if logs == Stderr {
		if logStream, err = cmd.StderrPipe(); err != nil {
			t.Fatal(err)
		}
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	c.logs = follow(logStream)
	if logs == Stderr {
		c.out = follow(stdout)
	}
	return c
}

// follow sends r's lines on the channel it returns, closed at r's end.
func follow(r io.Reader) chan string {
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return lines
}

// await returns the first line of lines that match takes, failing the
// test when none comes within the bound.
func (c *Child) await(lines chan string, what string, match func(string) bool) string {
	c.t.Helper()
	deadline := time.After(c.bound)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				c.t.Fatalf("no %s before the output ended", what)
			}
			if match(line) {
				return line
			}
		case <-deadline:
			c.t.Fatalf("no %s in %v", what, c.bound)
		}
	}
}

// AwaitText waits for a log line that contains text.
func (c *Child) AwaitText(text string) {
	c.t.Helper()
	c.await(c.logs, "line with "+strconv.Quote(text), func(line string) bool {
		return strings.Contains(line, text)
	})
}

// AwaitMsg waits for a JSON log record whose msg is msg, and returns it.
func (c *Child) AwaitMsg(msg string) map[string]any {
	c.t.Helper()
	var rec map[string]any
	c.await(c.logs, strconv.Quote(msg)+" record", func(line string) bool {
		rec = nil
		return json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == msg
	})
	return rec
}

// URL waits for the first line on stdout, which is the URL a command that
// logs on stderr prints.
func (c *Child) URL() string {
	c.t.Helper()
	if c.out == nil {
		c.t.Fatal("the child logs on stdout: it prints no URL there")
	}
	line := c.await(c.out, "URL line", func(string) bool { return true })
	return strings.TrimSpace(line)
}

// EndsAtSecondSignal sends SIGTERM, waits for the line that says the
// shutdown began, sends SIGTERM again and checks that this second one
// killed the child. It looks for the record's text rather than decoding
// lines: a command may copy other processes' output to the same stream.
func (c *Child) EndsAtSecondSignal() {
	c.t.Helper()
	ws, err := c.endAtSecond(syscall.SIGTERM)
	if !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		c.t.Errorf("child ended with %v, want killed by the second SIGTERM", err)
	}
}

// ExitsAtSecondInterrupt is EndsAtSecondSignal with interrupts, for a
// child that ignores them (StartIgnoringInterrupts), which the second one,
// ignored, does not kill: it checks that the child exits with status code
// all the same, without waiting more than the bound.
func (c *Child) ExitsAtSecondInterrupt(code int) {
	c.t.Helper()
	ws, err := c.endAtSecond(syscall.SIGINT)
	if !ws.Exited() || ws.ExitStatus() != code {
		c.t.Errorf("child ended with %v, want exit status %d at the second interrupt", err, code)
	}
}

// endAtSecond sends sig, waits for the shutdown line, sends sig again and
// waits for the child to end, at most the bound, after which it kills it.
func (c *Child) endAtSecond(sig syscall.Signal) (syscall.WaitStatus, error) {
	c.t.Helper()
	c.cmd.Process.Signal(sig)
	c.AwaitText(`"msg":"shutting down"`)
	c.cmd.Process.Signal(sig)
	for _, lines := range []chan string{c.logs, c.out} {
		if lines == nil {
			continue
		}
		go func() {
			for range lines { // drain, so that the child never blocks writing
			}
		}()
	}
	waited := make(chan error, 1)
	go func() { waited <- c.cmd.Wait() }()
	var err error
	select {
	case err = <-waited:
	case <-time.After(c.bound):
		c.cmd.Process.Kill()
		err = <-waited
		c.t.Errorf("the child still ran %v after the second %v", c.bound, sig)
	}
	ws, _ := c.cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ws, err
}

// StallRequest sends a POST to endpoint whose body never comes, and
// returns once the server has begun reading it (its 100 Continue): the
// request is then in flight, and the server's shutdown waits for it until
// the test ends.
func StallRequest(t *testing.T, endpoint string) {
	t.Helper()
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	io.WriteString(conn, "POST "+u.Path+" HTTP/1.1\r\nHost: "+u.Host+"\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n")
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 100 ") {
		t.Fatalf("stalled request: %q, %v; want a 100 Continue", status, err)
	}
}
