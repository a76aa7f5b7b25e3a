package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"time"
)

// localURL finds the first loopback URL a server prints when it is ready.
var localURL = regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+[^\s"',]*`)

// process is a server this run started, in its own process group so that
// stopping it also stops what it started (the front's function processes).
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	urlc    chan string
	done    chan struct{}
	err     error // set before done closes
}

// startProcess starts bin with its output going to logPath, and watches the
// output for the URL it serves.
func startProcess(logPath, bin string, args, env []string) (*process, error) {
	logf, err := createFile(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	setGroup(cmd)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	p := &process{name: bin, cmd: cmd, logPath: logPath, urlc: make(chan string, 1), done: make(chan struct{})}
	var once sync.Once
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logf, line)
			if u := localURL.FindString(line); u != "" {
				once.Do(func() { p.urlc <- u })
			}
		}
		io.Copy(logf, pr)
		logf.Close()
	}()
	go func() {
		p.err = cmd.Wait()
		pw.Close()
		close(p.done)
	}()
	return p, nil
}

// waitURL returns the URL the process printed, or fails if it exits or stays
// silent for longer than timeout.
func (p *process) waitURL(ctx context.Context, timeout time.Duration) (string, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case u := <-p.urlc:
		return u, nil
	case <-p.done:
		return "", fmt.Errorf("%s exited before serving (%v); its output is in %s", p.name, p.err, p.logPath)
	case <-t.C:
		return "", fmt.Errorf("%s printed no URL within %s; its output is in %s", p.name, timeout, p.logPath)
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// stop asks the process group to end, and kills it if it has not within 5 s.
func (p *process) stop() {
	signalGroup(p.cmd.Process, false)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		signalGroup(p.cmd.Process, true)
		<-p.done
	}
}

func createFile(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	return os.Create(path)
}

// randomHex returns n random bytes as hex, for keys and tokens made per run.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
