package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// serverSpec says how to start one HTTP server under test.
type serverSpec struct {
	name string
	argv []string
	dir  string
	env  []string
}

// server is a running HTTP server process.
type server struct {
	spec    serverSpec
	cmd     *exec.Cmd
	url     string
	started time.Time
	exited  chan struct{}
}

// startCmd starts the process of a server or a bootstrap, the first thing
// a cold start is timed over; tests replace it.
var startCmd = (*exec.Cmd).Start

var listeningURL = regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+/mcp`)

// startServer runs spec and waits until it prints the URL it listens on
// (every server under test prints one line with it when its listener is
// open).
func startServer(ctx context.Context, spec serverSpec) (*server, error) {
	cmd := exec.Command(spec.argv[0], spec.argv[1:]...)
	cmd.Dir = spec.dir
	cmd.Env = spec.env
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &server{spec: spec, cmd: cmd, exited: make(chan struct{})}
	s.started = now()
	if err := startCmd(cmd); err != nil {
		return nil, fmt.Errorf("starting %s: %w", spec.name, err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sent := false
		for !sent && sc.Scan() {
			if u := listeningURL.FindString(sc.Text()); u != "" {
				urls <- u
				sent = true
			}
		}
		io.Copy(io.Discard, out)
	}()
	go func() {
		cmd.Wait()
		close(s.exited)
	}()
	select {
	case s.url = <-urls:
		return s, nil
	case <-s.exited:
		return nil, fmt.Errorf("%s exited before listening", spec.name)
	case <-time.After(60 * time.Second):
	case <-ctx.Done():
	}
	s.stop()
	return nil, fmt.Errorf("%s did not print its URL", spec.name)
}

func (s *server) stop() {
	s.cmd.Process.Kill()
	<-s.exited
}

// coldStart starts spec and measures from exec to the first answer to
// initialize, read in full (and then checked), then stops it.
func coldStart(ctx context.Context, spec serverSpec) (time.Duration, error) {
	s, err := startServer(ctx, spec)
	if err != nil {
		return 0, err
	}
	defer s.stop()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}
	d, err := answerTime(ctx, client, s.url, newMCPCall(initializeCall), s.started)
	if err != nil {
		return 0, fmt.Errorf("%s: initialize: %w", spec.name, err)
	}
	return d, nil
}

const initializeCall = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"lambdamcp-bench","version":"1.0.0"}}}`

// memory is a process's resident set: now and at its peak.
type memory struct{ rss, hwm int64 }

// readMemory reads VmRSS and VmHWM from /proc (Linux only).
func readMemory(pid int) (memory, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return memory{}, err
	}
	return parseStatus(string(b))
}

// parseStatus reads VmRSS and VmHWM, given in kB (of 1024 bytes), from the
// text of /proc/<pid>/status.
func parseStatus(status string) (memory, error) {
	var m memory
	for line := range strings.Lines(status) {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(value)
		if len(f) != 2 || f[1] != "kB" {
			continue
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case "VmRSS":
			m.rss = kb * 1024
		case "VmHWM":
			m.hwm = kb * 1024
		}
	}
	if m.rss == 0 {
		return m, errors.New("no VmRSS in /proc status")
	}
	return m, nil
}
