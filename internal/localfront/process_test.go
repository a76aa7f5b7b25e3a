package localfront

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lambdamcp/lambdamcp/internal/runtimeapi"
)

type fnEcho struct {
	PID       int               `json:"pid"`
	RequestID string            `json:"requestId"`
	Path      string            `json:"path"`
	Env       map[string]string `json:"env"`
	Deadline  bool              `json:"deadline"`
	Dir       string            `json:"dir"`
}

// newTestProcess runs the test function with reports sent to the returned channel.
func newTestProcess(t *testing.T, cfg FunctionConfig) (*Process, <-chan Report) {
	t.Helper()
	reports := make(chan Report, 16)
	cfg.OnReport = func(r Report) { reports <- r }
	p, err := NewProcess(fnBinary, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p, reports
}

func invokeEcho(t *testing.T, f Function, payload string) (fnEcho, string) {
	t.Helper()
	inv := &runtimeapi.Invocation{Payload: []byte(payload)}
	resp, err := f.Invoke(context.Background(), inv)
	if err != nil {
		t.Fatalf("Invoke(%s): %v", payload, err)
	}
	defer resp.Body.Close()
	var e fnEcho
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatalf("decoding echo: %v", err)
	}
	return e, inv.RequestID
}

func invokeFail(t *testing.T, f Function, payload string) *runtimeapi.FunctionError {
	t.Helper()
	resp, err := f.Invoke(context.Background(), &runtimeapi.Invocation{Payload: []byte(payload)})
	var fe *runtimeapi.FunctionError
	if !errors.As(err, &fe) {
		if resp != nil {
			resp.Body.Close()
		}
		t.Fatalf("Invoke(%s) = %v, want a *FunctionError", payload, err)
	}
	return fe
}

func nextReport(t *testing.T, reports <-chan Report) Report {
	t.Helper()
	select {
	case r := <-reports:
		return r
	case <-time.After(20 * time.Second):
		t.Fatal("no REPORT for the invocation")
		return Report{}
	}
}

// TestProcessColdWarmCrash is the proof that the child-process path is real:
// one cold start, warm reuse of the same process, a crash reported as a Lambda
// error, and a fresh process (a new cold start) after it.
func TestProcessColdWarmCrash(t *testing.T) {
	var logs bytes.Buffer
	// LANG is Lambda's, which a function's configuration may change.
	p, reports := newTestProcess(t, FunctionConfig{Name: "echo-fn", Env: []string{"EXTRA=yes", "LANG=C.UTF-8"}, Logger: newTextLogger(&logs)})

	first, id := invokeEcho(t, p, `{}`)
	r := nextReport(t, reports)
	if !r.ColdStart || r.InitDuration <= 0 || r.PID != first.PID || r.RequestID != id || r.Status != "" {
		t.Errorf("first report = %+v, want a cold start of pid %d for %s", r, first.PID, id)
	}
	wantEnv := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME": "echo-fn", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
		"AWS_REGION": "us-east-1", "_HANDLER": "bootstrap", "LAMBDA_TASK_ROOT": filepath.Dir(fnBinary), "LANG": "C.UTF-8", "EXTRA": "yes",
	}
	gotEnv := first.Env
	if !strings.Contains(gotEnv["AWS_LAMBDA_LOG_STREAM_NAME"], "/[$LATEST]") {
		t.Errorf("AWS_LAMBDA_LOG_STREAM_NAME = %q", gotEnv["AWS_LAMBDA_LOG_STREAM_NAME"])
	}
	delete(gotEnv, "AWS_LAMBDA_LOG_STREAM_NAME")
	if diff := cmp.Diff(wantEnv, gotEnv); diff != "" {
		t.Errorf("function environment (-want +got):\n%s", diff)
	}
	// The working directory is the task root, as Lambda's /var/task.
	if want, _ := filepath.EvalSymlinks(filepath.Dir(fnBinary)); first.Dir != want {
		t.Errorf("working directory %q, want %q", first.Dir, want)
	}
	if first.RequestID != id || !first.Deadline {
		t.Errorf("function saw request id %q (want %q), deadline %v", first.RequestID, id, first.Deadline)
	}

	for range 3 {
		warm, _ := invokeEcho(t, p, `{}`)
		if warm.PID != first.PID {
			t.Fatalf("warm invocation ran in pid %d, want %d", warm.PID, first.PID)
		}
		if r := nextReport(t, reports); r.ColdStart || r.PID != first.PID {
			t.Errorf("warm report = %+v, want no init in pid %d", r, first.PID)
		}
	}

	fe := invokeFail(t, p, `{"action":"exit"}`)
	if fe.Type != "Runtime.ExitError" || !strings.Contains(fe.Message, "exit status 3") {
		t.Errorf("crash = %+v, want Runtime.ExitError with exit status 3", fe)
	}
	if r := nextReport(t, reports); r.Status != "error" || r.ErrorType != "Runtime.ExitError" {
		t.Errorf("crash report = %+v, want status error", r)
	}

	fresh, _ := invokeEcho(t, p, `{}`)
	if fresh.PID == first.PID {
		t.Errorf("invocation after the crash reused pid %d", fresh.PID)
	}
	if r := nextReport(t, reports); !r.ColdStart || r.PID != fresh.PID {
		t.Errorf("report after crash = %+v, want a new cold start", r)
	}
	if n := strings.Count(logs.String(), "Init Duration:"); n != 2 {
		t.Errorf("log has %d REPORT lines with Init Duration, want 2:\n%s", n, logs.String())
	}
}

// TestProcessIdleExit checks that a warm process that died while idle
// (killed from outside, as by the kernel's OOM killer) is not handed the
// next invocation: that one starts a fresh process, a cold start, and
// succeeds, where the dead one would fail it.
func TestProcessIdleExit(t *testing.T) {
	p, reports := newTestProcess(t, FunctionConfig{Name: "echo-fn"})
	first, _ := invokeEcho(t, p, `{}`)
	nextReport(t, reports) // reported once back in the pool
	p.mu.Lock()
	idle := slices.Clone(p.idle)
	p.mu.Unlock()
	if len(idle) != 1 {
		t.Fatalf("%d idle processes, want 1", len(idle))
	}
	if err := idle[0].cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-idle[0].exited
	fresh, _ := invokeEcho(t, p, `{}`)
	if fresh.PID == first.PID {
		t.Errorf("invocation after the idle process died ran in its pid %d", fresh.PID)
	}
	if r := nextReport(t, reports); !r.ColdStart || r.PID != fresh.PID || r.Status != "" {
		t.Errorf("report = %+v, want a cold start of pid %d", r, fresh.PID)
	}
}

// TestBinfmtMatches checks a binfmt_misc handler's match as the kernel
// makes it: the magic at its offset, under its mask, within what was read.
func TestBinfmtMatches(t *testing.T) {
	header := []byte{0x7f, 'E', 'L', 'F', 2}
	tests := []struct {
		name, entry string
		want        bool
	}{
		{"magic at the start", "enabled\noffset 0\nmagic 7f454c46", true},
		{"magic ending where the header does", "enabled\noffset 1\nmagic 454c4602", true},
		{"magic past the header", "enabled\noffset 2\nmagic 4c460200", false},
		{"other magic", "enabled\noffset 0\nmagic 7f454c47", false},
		{"other magic under its mask", "enabled\noffset 0\nmagic 7f454c47\nmask fffffffe", true},
		{"disabled", "disabled\noffset 0\nmagic 7f454c46", false},
		{"no magic: an extension handler", "enabled\nextension .exe", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := binfmtMatches(tc.entry, header); got != tc.want {
				t.Errorf("binfmtMatches(%q) = %v, want %v", tc.entry, got, tc.want)
			}
		})
	}
}

func TestProcessFunctionErrors(t *testing.T) {
	tests := []struct {
		name, payload string
		want          *runtimeapi.FunctionError
		samePID       bool // whether the process survives
	}{
		{"returned error keeps the process", `{"action":"error"}`, &runtimeapi.FunctionError{Type: "errorString", Message: "failed on purpose"}, true},
		{"panic ends the process", `{"action":"panic"}`, &runtimeapi.FunctionError{Type: "string", Message: "panic on purpose"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := newTestProcess(t, FunctionConfig{})
			before, _ := invokeEcho(t, p, `{}`)
			fe := invokeFail(t, p, tc.payload)
			if diff := cmp.Diff(tc.want, fe, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".StackTrace" }, cmp.Ignore())); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			after, _ := invokeEcho(t, p, `{}`)
			if (after.PID == before.PID) != tc.samePID {
				t.Errorf("pid before %d, after %d; want same process = %v", before.PID, after.PID, tc.samePID)
			}
		})
	}
}

// TestProcessTimeout checks that an invocation past the function's timeout
// fails as Lambda's does and that its process is not reused. The timeout
// is a second: the echoes before and after it must beat it too, however
// loaded the machine.
func TestProcessTimeout(t *testing.T) {
	p, reports := newTestProcess(t, FunctionConfig{Timeout: time.Second})
	before, _ := invokeEcho(t, p, `{}`)
	nextReport(t, reports)
	fe := invokeFail(t, p, `{"action":"sleep","ms":10000}`)
	if fe.Type != "Sandbox.Timedout" || !strings.Contains(fe.Message, "Task timed out after 1.00 seconds") {
		t.Errorf("timeout error = %+v", fe)
	}
	if r := nextReport(t, reports); r.Status != "timeout" {
		t.Errorf("timeout report = %+v, want status timeout", r)
	}
	after, _ := invokeEcho(t, p, `{}`)
	if after.PID == before.PID {
		t.Errorf("timed-out process %d was reused", before.PID)
	}
}

func TestProcessStreamingResponse(t *testing.T) {
	p, _ := newTestProcess(t, FunctionConfig{})
	resp, err := p.Invoke(context.Background(), &runtimeapi.Invocation{Payload: []byte(`{"action":"stream"}`), Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.ContentType != runtimeapi.ContentTypeHTTPIntegration {
		t.Errorf("content type = %q, want %q", resp.ContentType, runtimeapi.ContentTypeHTTPIntegration)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	prelude, rest, ok := bytes.Cut(body, make([]byte, 8))
	if !ok {
		t.Fatalf("no prelude separator in %q", body)
	}
	var got map[string]any
	if err := json.Unmarshal(prelude, &got); err != nil {
		t.Fatalf("prelude %q: %v", prelude, err)
	}
	want := map[string]any{"statusCode": 201.0, "headers": map[string]any{"Content-Type": "text/plain"}, "cookies": []any{"a=1"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("prelude (-want +got):\n%s", diff)
	}
	if string(rest) != "chunk 0\nchunk 1\nchunk 2\n" {
		t.Errorf("streamed body = %q", rest)
	}
}

func TestProcessInitFailures(t *testing.T) {
	dir := t.TempDir()
	hang := filepath.Join(dir, "hang")
	if err := os.WriteFile(hang, []byte("#!/bin/sh\nexec sleep 30\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	exit1 := filepath.Join(dir, "exit1")
	if err := os.WriteFile(exit1, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, wantType, wantMessage string
	}{
		{"exits before asking for an event", exit1, "Runtime.ExitError", "exit status 1"},
		{"never asks for an event", hang, "Sandbox.Timedout", "Init timed out after 0.30 seconds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewProcess(tc.path, &FunctionConfig{InitTimeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			fe := invokeFail(t, p, `{}`)
			if fe.Type != tc.wantType || !strings.Contains(fe.Message, tc.wantMessage) {
				t.Errorf("init failure = %+v, want %s containing %q", fe, tc.wantType, tc.wantMessage)
			}
		})
	}
}

// TestReportMemoryOfExitedProcess checks that the REPORT of an invocation
// whose process exited (a crash, a failed init) gives the process's peak
// memory, as Lambda's does, rather than 0 MB for a process gone from /proc.
func TestReportMemoryOfExitedProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skipf("memory is read on Linux only, not %s", runtime.GOOS)
	}
	exit1 := filepath.Join(t.TempDir(), "exit1")
	if err := os.WriteFile(exit1, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, payload string
	}{
		{"exits during an invocation", fnBinary, `{"action":"exit"}`},
		{"exits before asking for an event", exit1, `{}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reports := make(chan Report, 16)
			p, err := NewProcess(tc.path, &FunctionConfig{OnReport: func(r Report) { reports <- r }})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			fe := invokeFail(t, p, tc.payload)
			if fe.Type != "Runtime.ExitError" {
				t.Fatalf("failure = %+v, want Runtime.ExitError", fe)
			}
			if r := nextReport(t, reports); r.Status != "error" || r.MaxMemoryUsedMB <= 0 {
				t.Errorf("report = %+v, want status error and the exited process's peak memory", r)
			}
		})
	}
}

func TestNewProcessRejectsMissingBinary(t *testing.T) {
	if _, err := NewProcess(filepath.Join(t.TempDir(), "bootstrap"), nil); err == nil {
		t.Error("NewProcess accepted a missing binary")
	}
}

// elfHeader is the 64-byte header of a little-endian 64-bit Linux
// executable for machine m, with no sections or program headers.
func elfHeader(m elf.Machine) []byte {
	h := make([]byte, 64)
	copy(h, elf.ELFMAG)
	h[elf.EI_CLASS], h[elf.EI_DATA], h[elf.EI_VERSION] = byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)
	le := binary.LittleEndian
	le.PutUint16(h[16:], uint16(elf.ET_EXEC))
	le.PutUint16(h[18:], uint16(m))
	le.PutUint32(h[20:], uint32(elf.EV_CURRENT))
	le.PutUint16(h[52:], 64) // header size
	le.PutUint16(h[54:], 56) // program header entry size
	le.PutUint16(h[58:], 64) // section header entry size
	return h
}

// TestNewProcessRejectsOtherMachine: the linux/arm64 bootstrap Lambda runs
// cannot run on an amd64 machine (and the other way round). NewProcess says
// so, instead of the first invocation failing with "exec format error";
// what this machine runs, its own binaries, its 32-bit relative's and
// those an enabled binfmt_misc handler (qemu-user's) takes, it accepts.
func TestNewProcessRejectsOtherMachine(t *testing.T) {
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" || runtime.GOOS != "linux" {
		t.Skipf("the cases are written for linux/amd64 and linux/arm64, not %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	native, relative, other := elf.EM_X86_64, elf.EM_386, elf.EM_AARCH64
	if runtime.GOARCH == "arm64" {
		native, relative, other = elf.EM_AARCH64, elf.EM_ARM, elf.EM_X86_64
	}
	// The handlers are this test's own, not the machine's.
	handlers := t.TempDir()
	defer func(dir string) { binfmtDir = dir }(binfmtDir)
	binfmtDir = handlers
	otherMagic := hex.EncodeToString(elfHeader(other)[:20])
	handler := func(name, state, magic string) {
		t.Helper()
		entry := state + "\ninterpreter /usr/bin/qemu-static\nflags: F\noffset 0\nmagic " + magic +
			"\nmask ffffffffffffff00fffffffffffffffffeffffff\n"
		if err := os.WriteFile(filepath.Join(handlers, name), []byte(entry), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	check := func(m elf.Machine, runs bool) {
		t.Helper()
		path := filepath.Join(dir, m.String())
		if err := os.WriteFile(path, elfHeader(m), 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := NewProcess(path, nil)
		if runs && err != nil || !runs && (err == nil || !strings.Contains(err.Error(), "cannot run")) {
			t.Errorf("NewProcess(an executable for %v) = %v; this machine runs it: %v", m, err, runs)
		}
	}
	check(native, true)
	check(relative, true)
	check(other, false)
	// Handlers that do not take it: disabled, or for another format.
	handler("status", "enabled", otherMagic) // the switch of binfmt_misc itself, not a handler
	handler("qemu-off", "disabled", otherMagic)
	handler("WSLInterop", "enabled", hex.EncodeToString([]byte("MZ")))
	check(other, false)
	handler("qemu-other", "enabled", otherMagic)
	check(other, true)
}

// TestProcessConcurrency checks the pool: with room for two, invocations in
// flight together run in two processes, which then both stay warm; with
// room for one, they queue for the same process.
func TestProcessConcurrency(t *testing.T) {
	tests := []struct {
		concurrency int
		wantPIDs    int
	}{
		{concurrency: 2, wantPIDs: 2},
		{concurrency: 1, wantPIDs: 1},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("concurrency %d", tc.concurrency), func(t *testing.T) {
			p, reports := newTestProcess(t, FunctionConfig{Concurrency: tc.concurrency})
			pids := make(chan int, 2)
			for range 2 {
				go func() {
					resp, err := p.Invoke(context.Background(), &runtimeapi.Invocation{Payload: []byte(`{"action":"sleep","ms":300}`)})
					if err != nil {
						t.Error(err)
						pids <- 0
						return
					}
					defer resp.Body.Close()
					var e fnEcho
					json.NewDecoder(resp.Body).Decode(&e)
					pids <- e.PID
				}()
			}
			seen := map[int]bool{<-pids: true, <-pids: true}
			if len(seen) != tc.wantPIDs {
				t.Errorf("two invocations ran in %d processes %v, want %d", len(seen), seen, tc.wantPIDs)
			}
			cold := 0
			for range 2 {
				if nextReport(t, reports).ColdStart {
					cold++
				}
			}
			if cold != tc.wantPIDs {
				t.Errorf("%d cold starts, want %d", cold, tc.wantPIDs)
			}
			warm, _ := invokeEcho(t, p, `{}`)
			if !seen[warm.PID] {
				t.Errorf("next invocation ran in a new process %d, want one of %v", warm.PID, seen)
			}
		})
	}
}
