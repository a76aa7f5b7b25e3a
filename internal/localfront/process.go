package localfront

import (
	"bufio"
	"context"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

// lambdaPath is the PATH a provided.al2023 function sees.
const lambdaPath = "/usr/local/bin:/usr/bin/:/bin:/opt/bin"

// Process runs a compiled bootstrap as child processes speaking the Runtime
// API, like Lambda's execution environments: started on demand (a cold start),
// reused while warm, one invocation at a time each, and replaced after a
// crash or a timeout.
type Process struct {
	path string
	cfg  FunctionConfig

	slots    chan struct{}  // one per invocation in flight
	inflight sync.WaitGroup // invocations not yet reported

	mu     sync.Mutex
	idle   []*instance
	all    map[*instance]bool
	closed bool
}

// instance is one execution environment: a process and its Runtime API.
type instance struct {
	cmd     *exec.Cmd
	api     *runtimeapi.Server
	hs      *http.Server
	started time.Time
	exited  chan struct{}

	mu        sync.Mutex
	requestID string // the invocation in flight, for exit messages
}

// NewProcess returns a Function that runs the bootstrap binary at path.
// No process starts until the first invocation.
func NewProcess(path string, cfg *FunctionConfig) (*Process, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("function path: %w", err)
	}
	if st, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("function binary: %w", err)
	} else if st.IsDir() || st.Mode()&0o111 == 0 {
		return nil, fmt.Errorf("function binary %s is not an executable file", abs)
	}
	if err := runsHere(abs); err != nil {
		return nil, err
	}
	var c FunctionConfig
	if cfg != nil {
		c = *cfg
	}
	c = c.withDefaults()
	return &Process{
		path:  abs,
		cfg:   c,
		slots: make(chan struct{}, c.Concurrency),
		all:   map[*instance]bool{},
	}, nil
}

// Invoke implements [Function].
func (p *Process) Invoke(ctx context.Context, inv *runtimeapi.Invocation) (*runtimeapi.Response, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := ctx.Err(); err != nil {
		// Both were ready and select chose the slot: a caller that has
		// gone (a gateway that stopped waiting) starts nothing.
		<-p.slots
		return nil, err
	}
	inst, cold, err := p.acquire()
	if err != nil {
		<-p.slots
		return nil, err
	}
	if inv.RequestID == "" {
		inv.RequestID = newRequestID()
	}
	inst.setRequest(inv.RequestID)

	var initDuration time.Duration
	if cold {
		initCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.cfg.InitTimeout)
		readyAt, err := inst.api.WaitIdle(initCtx)
		cancel()
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				err = timeoutError(inv.RequestID, p.cfg.InitTimeout, "Init")
			}
			p.discard(inst)
			p.cfg.report(Report{RequestID: inv.RequestID, ColdStart: true, InitDuration: time.Since(inst.started),
				PID: inst.cmd.Process.Pid, Status: "error", ErrorType: errorType(err),
				MaxMemoryUsedMB: exitedMemoryMB(inst.cmd.ProcessState)})
			<-p.slots
			p.inflight.Done()
			return nil, err
		}
		initDuration = readyAt.Sub(inst.started)
	}

	start := time.Now()
	p.cfg.prepare(inv, start)
	// Like Lambda, the invocation runs to completion even if the caller leaves.
	ictx, cancel := context.WithDeadline(context.WithoutCancel(ctx), inv.Deadline)
	resp, err := inst.api.Invoke(ictx, inv)
	if errors.Is(err, context.DeadlineExceeded) {
		err = timeoutError(inv.RequestID, p.cfg.Timeout, "Task")
	}
	if err == nil && inv.Stream {
		resp.Body = &timedStream{ReadCloser: resp.Body, ctx: ictx, timeout: timeoutError(inv.RequestID, p.cfg.Timeout, "Task")}
	}
	go p.finish(ictx, cancel, inst, Report{RequestID: inv.RequestID, ColdStart: cold, InitDuration: initDuration, PID: inst.cmd.Process.Pid}, start)
	return resp, err
}

// finish waits until the runtime asks for its next event, which completes the
// invocation, then returns the instance to the pool; a timeout or an exit
// discards it instead.
func (p *Process) finish(ctx context.Context, cancel context.CancelFunc, inst *instance, r Report, start time.Time) {
	defer p.inflight.Done()
	defer cancel()
	defer func() { <-p.slots }()
	end, err := inst.api.WaitIdle(ctx)
	if err != nil {
		end = time.Now()
		r.Status, r.ErrorType = "error", errorType(err)
		if errors.Is(err, context.DeadlineExceeded) {
			r.Status, r.ErrorType = "timeout", ""
		}
	}
	r.Duration = end.Sub(start)
	r.MaxMemoryUsedMB = maxMemoryMB(inst.cmd.Process.Pid)
	if err != nil {
		p.discard(inst)
		if r.MaxMemoryUsedMB == 0 {
			// A process that exited has left /proc: its peak is in the
			// resource usage its parent collected.
			r.MaxMemoryUsedMB = exitedMemoryMB(inst.cmd.ProcessState)
		}
	} else {
		p.release(inst)
	}
	p.cfg.report(r)
}

// timedStream is a streamed response whose process is killed at the
// function's timeout (finish): the stream then breaks off, and its reader
// hears of the timeout, as of a buffered invocation's, rather than of a
// response cut short.
type timedStream struct {
	io.ReadCloser
	ctx     context.Context // the invocation's, ended at its deadline
	timeout error
}

func (s *timedStream) Read(p []byte) (int, error) {
	n, err := s.ReadCloser.Read(p)
	if err != nil && err != io.EOF && errors.Is(s.ctx.Err(), context.DeadlineExceeded) {
		err = s.timeout
	}
	return n, err
}

func errorType(err error) string {
	var fe *runtimeapi.FunctionError
	if errors.As(err, &fe) {
		return fe.Type
	}
	return "Runtime.Unknown"
}

// acquire returns a warm instance, or starts a new one (cold is then true),
// and counts the invocation in flight.
func (p *Process) acquire() (inst *instance, cold bool, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, false, errors.New("function closed")
	}
	p.inflight.Add(1)
	defer func() {
		if err != nil {
			p.inflight.Done()
		}
	}()
	for len(p.idle) > 0 {
		inst = p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		select {
		case <-inst.exited:
			delete(p.all, inst)
			continue
		default:
			return inst, false, nil
		}
	}
	inst, err = p.start()
	if err != nil {
		return nil, false, err
	}
	p.all[inst] = true
	return inst, true, nil
}

func (p *Process) release(inst *instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.idle = append(p.idle, inst)
}

func (p *Process) discard(inst *instance) {
	p.mu.Lock()
	delete(p.all, inst)
	p.mu.Unlock()
	inst.kill()
}

// start launches a process with its own Runtime API listener.
func (p *Process) start() (*instance, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime API listener: %w", err)
	}
	inst := &instance{api: runtimeapi.NewServer(), exited: make(chan struct{})}
	inst.api.Function = runtimeapi.FunctionInfo{Name: p.cfg.Name, Version: "$LATEST", Handler: filepath.Base(p.path)}
	inst.hs = &http.Server{Handler: inst.api, ReadHeaderTimeout: 10 * time.Second, ConnContext: inst.api.ConnContext}
	go inst.hs.Serve(ln)

	cmd := exec.Command(p.path)
	cmd.Dir = filepath.Dir(p.path)
	cmd.Env = p.env(ln.Addr().String())
	out := p.cfg.Output
	if out == nil {
		out = io.Discard
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = time.Second
	ownGroup(cmd)
	inst.cmd = cmd
	inst.started = time.Now()
	if err := cmd.Start(); err != nil {
		inst.hs.Close()
		return nil, fmt.Errorf("starting %s: %w", p.path, err)
	}
	live.Store(cmd, nil)
	go func() {
		err := cmd.Wait()
		killGroup(cmd) // what the function started dies with it, as on Lambda
		live.Delete(cmd)
		inst.api.Close(inst.exitError(err))
		inst.hs.Close()
		close(inst.exited)
	}()
	return inst, nil
}

// live holds the command of every function process started and not yet
// ended, of every Process, for KillAll.
var live sync.Map // *exec.Cmd → nil

// KillAll kills every function process this program started, with what
// each started, at once: for a program that ends before Close could. Each
// runs in a process group of its own, which neither a terminal's Ctrl-C
// nor the end of this program reaches.
func KillAll() {
	live.Range(func(cmd, _ any) bool {
		killGroup(cmd.(*exec.Cmd))
		return true
	})
}

func (p *Process) env(runtimeAPI string) []string {
	name := p.cfg.Name
	now := time.Now().UTC()
	env := []string{
		"AWS_LAMBDA_RUNTIME_API=" + runtimeAPI,
		"AWS_LAMBDA_FUNCTION_NAME=" + name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(p.cfg.MemoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + name,
		"AWS_LAMBDA_LOG_STREAM_NAME=" + now.Format("2006/01/02") + "/[$LATEST]" + strings.ReplaceAll(newRequestID(), "-", ""),
		"AWS_REGION=" + p.cfg.Region,
		"AWS_DEFAULT_REGION=" + p.cfg.Region,
		"_HANDLER=" + filepath.Base(p.path),
		"LAMBDA_TASK_ROOT=" + filepath.Dir(p.path),
		"LAMBDA_RUNTIME_DIR=" + filepath.Dir(p.path),
		"PATH=" + lambdaPath,
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
	}
	return append(env, p.cfg.Env...)
}

// processGrace is how long Close lets invocations in flight finish.
const processGrace = 2 * time.Second

// Close stops every process. Invocations in flight get up to two seconds to
// finish and be reported; then the processes are ended as Lambda shuts an
// environment down (see instance.kill).
func (p *Process) Close() error { return p.closeWithin(processGrace) }

// closeWithin is Close with grace for the invocations in flight; a Front
// that has given them its own grace closes with none.
func (p *Process) closeWithin(grace time.Duration) error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	settled := make(chan struct{})
	go func() {
		p.inflight.Wait()
		close(settled)
	}()
	select {
	case <-settled:
	case <-time.After(grace):
	}

	p.mu.Lock()
	all := p.all
	p.all = map[*instance]bool{}
	p.idle = nil
	p.mu.Unlock()
	var wg sync.WaitGroup
	for inst := range all {
		wg.Go(inst.kill)
	}
	wg.Wait()
	return nil
}

func (inst *instance) setRequest(id string) {
	inst.mu.Lock()
	inst.requestID = id
	inst.mu.Unlock()
}

// exitError describes the process's exit as Lambda does.
func (inst *instance) exitError(err error) *runtimeapi.FunctionError {
	inst.mu.Lock()
	id := inst.requestID
	inst.mu.Unlock()
	msg := "Runtime exited without providing a reason"
	if err != nil {
		msg = "Runtime exited with error: " + err.Error()
	}
	return &runtimeapi.FunctionError{Type: "Runtime.ExitError", Message: "RequestId: " + id + " Error: " + msg}
}

// extensionGrace is how long a runtime with internal extensions, such as
// the one aws-lambda-go registers for lambda.WithEnableSIGTERM, has
// between Lambda's SIGTERM and its SIGKILL at shutdown.
const extensionGrace = 500 * time.Millisecond

// kill ends the process as Lambda ends an execution environment, at
// shutdown or at the reset that follows a timeout: with SIGKILL at once,
// or, once an extension has registered, with SIGTERM first and SIGKILL
// extensionGrace later if the process still runs.
func (inst *instance) kill() {
	if inst.api.Extensions() > 0 {
		terminate(inst.cmd)
		select {
		case <-inst.exited:
			return // what it started was killed with it (start)
		case <-time.After(extensionGrace):
		}
	}
	killGroup(inst.cmd)
	<-inst.exited
}

// maxMemoryMB reads the process's peak resident set size (VmHWM) on Linux.
func maxMemoryMB(pid int) int {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return (kb + 1023) / 1024
		}
	}
	return 0
}

// elfMachines are, for the architectures Go builds for Linux, the ELF
// machines a Linux kernel on that architecture runs natively (a 64-bit
// kernel runs its 32-bit relative's binaries too). Architectures that
// share a machine number between byte orders are left out: runsHere does
// not judge them.
var elfMachines = map[string][]elf.Machine{
	"amd64": {elf.EM_X86_64, elf.EM_386}, "arm64": {elf.EM_AARCH64, elf.EM_ARM},
	"386": {elf.EM_386}, "arm": {elf.EM_ARM}, "riscv64": {elf.EM_RISCV},
}

// binfmtDir is where Linux lists the binfmt_misc handlers that run other
// formats, such as qemu-user's for other machines' executables.
var binfmtDir = "/proc/sys/fs/binfmt_misc"

// runsHere refuses an ELF executable that this machine cannot run, such
// as the linux/arm64 bootstrap Lambda runs, on an amd64 machine: it would
// only fail at the first invocation, with "exec format error". macOS and
// Windows run no ELF executable. On Linux it refuses only a machine that
// is neither native nor handed to an emulator by an enabled binfmt_misc
// handler; elsewhere, and for architectures it does not know, it leaves
// the judgement to exec.
func runsHere(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // unreadable, which exec will say
	}
	defer f.Close()
	header := make([]byte, 128)
	n, _ := io.ReadFull(f, header)
	header = header[:n]
	ef, err := elf.NewFile(f)
	if err != nil {
		return nil // not ELF: a script, say
	}
	machine := ef.Machine
	switch runtime.GOOS {
	case "darwin", "ios", "windows":
	case "linux":
		native, known := elfMachines[runtime.GOARCH]
		if !known || slices.Contains(native, machine) || emulated(header) {
			return nil
		}
	default:
		return nil
	}
	return fmt.Errorf("%s is an executable for %v, which this machine (%s/%s) cannot run: build it for this machine (go build, without GOOS and GOARCH set)",
		path, machine, runtime.GOOS, runtime.GOARCH)
}

// emulated reports whether an enabled binfmt_misc handler matches a file
// that starts with header, by magic and mask, as the kernel matches it.
func emulated(header []byte) bool {
	entries, err := os.ReadDir(binfmtDir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.Name() == "register" || e.Name() == "status" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(binfmtDir, e.Name()))
		if err == nil && binfmtMatches(string(b), header) {
			return true
		}
	}
	return false
}

// binfmtMatches reports whether the binfmt_misc handler described by entry
// (the text of its file under binfmtDir) is enabled and matches header.
func binfmtMatches(entry string, header []byte) bool {
	lines := strings.Split(strings.TrimSpace(entry), "\n")
	if len(lines) == 0 || lines[0] != "enabled" {
		return false
	}
	var magic, mask []byte
	offset := 0
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, " ")
		switch k {
		case "offset":
			offset, _ = strconv.Atoi(v)
		case "magic":
			magic, _ = hex.DecodeString(v)
		case "mask":
			mask, _ = hex.DecodeString(v)
		}
	}
	if len(magic) == 0 || offset < 0 || offset+len(magic) > len(header) {
		return false // an extension handler, or a magic past what was read
	}
	for i, m := range magic {
		bits := byte(0xff)
		if i < len(mask) {
			bits = mask[i]
		}
		if (header[offset+i]^m)&bits != 0 {
			return false
		}
	}
	return true
}
