package main

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/serve"
)

func TestSummarize(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		var d []time.Duration
		for _, v := range n {
			d = append(d, time.Duration(v)*time.Millisecond)
		}
		return d
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // unsorted on purpose
	}
	twenty := make([]int, 20)
	for i := range twenty {
		twenty[i] = 20 - i
	}
	tests := []struct {
		name string
		in   []time.Duration
		want summary
	}{
		{"none", nil, summary{}},
		{"one", ms(7), summary{n: 1, p50: 7 * time.Millisecond, p90: 7 * time.Millisecond, p99: 7 * time.Millisecond}},
		{"two", ms(4, 2), summary{n: 2, p50: 3 * time.Millisecond, p90: 4 * time.Millisecond, p99: 4 * time.Millisecond}},
		{"three", ms(9, 1, 5), summary{n: 3, p50: 5 * time.Millisecond, p90: 9 * time.Millisecond, p99: 9 * time.Millisecond}},
		// The median of an even count is the mean of the two middle values.
		{"twenty", ms(twenty...), summary{n: 20, p50: 10500 * time.Microsecond, p90: 18 * time.Millisecond, p99: 20 * time.Millisecond}},
		{"hundred", ms(hundred...), summary{n: 100, p50: 50500 * time.Microsecond, p90: 90 * time.Millisecond, p99: 99 * time.Millisecond}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, summarize(tc.in), cmp.AllowUnexported(summary{})); diff != "" {
				t.Errorf("summarize (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseConfigRejects(t *testing.T) {
	for _, args := range [][]string{
		{"-levels", "0"},
		{"-levels", "1,x"},
		{"-peers", "ts,express"},
		{"-levels", "1025"},
		{"-requests", "0"},
		{"-rounds", "0"},
		{"-cold-runs", "0"},
		{"-http-cold-runs", "0"},
		{"-warm", "0"},
		{"-in-process", "0"},
		{"-rss-after", "0"},
		{"-variants", "GOGC"},
		{"-variants", "=400"},
		{"-no-such-flag"},
		{"-requests", "10", "extra"},
		{"-requests", "3", "-rounds", "4"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var stderr strings.Builder
			if code := run(t.Context(), args, nil, io.Discard, &stderr); code != 2 {
				t.Errorf("run(%q) = %d, want 2", args, code)
			}
			if stderr.Len() == 0 {
				t.Error("nothing said on stderr")
			}
		})
	}
}

// TestParseConfigAccepts checks the bounds from the inside: the largest
// concurrency, as many rounds as calls, and no peers.
func TestParseConfigAccepts(t *testing.T) {
	tests := []struct {
		args   []string
		levels []int
		rounds int
		peers  []string
	}{
		{[]string{"-levels", "1,1024"}, []int{1, 1024}, 5, knownPeers},
		{[]string{"-requests", "3", "-rounds", "3"}, []int{1, 16, 64}, 3, knownPeers},
		{[]string{"-peers", ""}, []int{1, 16, 64}, 5, nil},
		{[]string{"-peers", "ts, floor"}, []int{1, 16, 64}, 5, []string{"ts", "floor"}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			cfg, err := parseConfig(tc.args, nil, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]any{tc.levels, tc.rounds, tc.peers}, []any{cfg.levels, cfg.rounds, cfg.peers}); diff != "" {
				t.Errorf("levels, rounds, peers (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRunHelp checks that -h prints the flags and exits 0, as the other
// commands do, without measuring anything.
func TestRunHelp(t *testing.T) {
	var stdout, stderr strings.Builder
	if code := run(t.Context(), []string{"-h"}, nil, &stdout, &stderr); code != 0 {
		t.Errorf("run(-h) = %d, want 0", code)
	}
	if !strings.Contains(stderr.String(), "-levels") || stdout.Len() != 0 {
		t.Errorf("stdout %q, stderr %q: want the flags on stderr only", stdout.String(), stderr.String())
	}
}

func TestParseConfigVariants(t *testing.T) {
	cfg, err := parseConfig([]string{"-variants", "GOGC=400; GOGC=200 GOMEMLIMIT=64MiB;"}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"GOGC=400"}, {"GOGC=200", "GOMEMLIMIT=64MiB"}}
	if diff := cmp.Diff(want, cfg.variants); diff != "" {
		t.Errorf("variants (-want +got):\n%s", diff)
	}
}

func TestParseConfigDefaults(t *testing.T) {
	cfg, err := parseConfig(nil, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{1, 16, 64}, cfg.levels); diff != "" {
		t.Errorf("levels (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(knownPeers, cfg.peers); diff != "" {
		t.Errorf("peers (-want +got):\n%s", diff)
	}
	if cfg.coldRuns < 20 || cfg.rssAfter < 10000 {
		t.Errorf("cold runs %d, rss after %d: the targets ask for >= 20 and 10,000", cfg.coldRuns, cfg.rssAfter)
	}
	// The counts docs/benchmarks.md says a run makes.
	want := config{root: ".", requests: 10000, rounds: 5, levelTimeout: 20 * time.Second, coldRuns: 20, httpColdRuns: 10,
		warm: 2000, inProcess: 20000, rssAfter: 10000, node: "node"}
	if diff := cmp.Diff(want, cfg, cmp.AllowUnexported(config{}), cmpopts.IgnoreFields(config{}, "levels", "peers")); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

// TestLoad checks that load stops at its bound, counts every call, and
// tells answers without a result apart.
func TestLoad(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if calls.Add(1)%4 == 0 {
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"boom"}}`)
			return
		}
		io.WriteString(w, `{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"pong! d=0"}]}}`)
	}))
	defer srv.Close()
	res := load(t.Context(), newLoadClient(4), srv.URL, newMCPCall(pingCall).expecting(pingAnswer), 4, 200, 30*time.Second)
	if res.requests != 200 || calls.Load() != 200 {
		t.Errorf("requests = %d, server saw %d, want 200", res.requests, calls.Load())
	}
	if res.errors != 50 {
		t.Errorf("errors = %d, want 50", res.errors)
	}
	if !strings.Contains(res.firstError, "status 500") {
		t.Errorf("first error = %q, want the status", res.firstError)
	}
	// Only the calls that count are timed: a failure that comes back fast
	// must not lower the percentiles.
	if res.latency.n != 150 || res.latency.p50 <= 0 || res.throughput() <= 0 {
		t.Errorf("latency %+v, throughput %v: want 150 timings", res.latency, res.throughput())
	}
}

// TestLoadCutOff checks that a call cut off when the level's time runs
// out is neither an answer nor an error: the server did not fail, it was
// not let finish, and the level is not clean.
func TestLoadCutOff(t *testing.T) {
	tests := []struct {
		name     string
		answered int64 // calls answered before the server stops answering
		want     loadResult
	}{
		{"first call cut off", 0, loadResult{concurrency: 1, planned: 3}},
		{"cut off after an answer", 1, loadResult{concurrency: 1, planned: 3, requests: 1, latency: summary{n: 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int64
			release := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) > tc.answered {
					select {
					case <-release:
					case <-r.Context().Done():
					}
					return
				}
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"pong! d=0"}]}}`)
			}))
			// Cleanups run last first: the handler is let go before the
			// server waits for it.
			t.Cleanup(srv.Close)
			t.Cleanup(func() { close(release) })
			client := newLoadClient(1)
			defer client.CloseIdleConnections()
			got := load(t.Context(), client, srv.URL, newMCPCall(pingCall).expecting(pingAnswer), 1, 3, 100*time.Millisecond)
			opts := cmp.Options{cmp.AllowUnexported(loadResult{}, summary{}),
				cmpopts.IgnoreFields(loadResult{}, "lat", "elapsed"), cmpopts.IgnoreFields(summary{}, "p50", "p90", "p99")}
			if diff := cmp.Diff(tc.want, got, opts); diff != "" {
				t.Errorf("load (-want +got):\n%s", diff)
			}
			if got.clean() {
				t.Error("a level cut off is clean")
			}
		})
	}
}

// TestMergeKeepsTheFirstError checks that a level reports the first error
// of its rounds, and counts them all.
func TestMergeKeepsTheFirstError(t *testing.T) {
	var r loadResult
	for _, e := range []string{"", "status 500: first", "status 502: later"} {
		n := 0
		if e != "" {
			n = 1
		}
		r = r.merge(loadResult{planned: 1, requests: 1, errors: n, elapsed: time.Second, firstError: e})
	}
	if r.firstError != "status 500: first" || r.errors != 2 || r.requests != 3 {
		t.Errorf("merged: first error %q, %d errors in %d calls; want the first of 2 in 3", r.firstError, r.errors, r.requests)
	}
}

// TestWarmUpFails checks that one failed call of the warm-up stops the
// run: a server that fails before the load would fail during it.
func TestWarmUpFails(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, `{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"pong! d=0"}]}}`)
	}))
	defer srv.Close()
	err := warmUp(t.Context(), srv.URL, newMCPCall(pingCall).expecting(pingAnswer), 8)
	if err == nil || !strings.Contains(err.Error(), "1 errors, first: status 503") {
		t.Errorf("warmUp = %v, want its one error", err)
	}
}

// TestWithoutLambda checks that the HTTP servers get the environment
// without the variable that would put the reference server in Lambda mode.
func TestWithoutLambda(t *testing.T) {
	got := withoutLambda([]string{"PATH=/bin", "AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001", "AWS_LAMBDA_RUNTIME_API_X=1", "HOME=/root"})
	if diff := cmp.Diff([]string{"PATH=/bin", "AWS_LAMBDA_RUNTIME_API_X=1", "HOME=/root"}, got); diff != "" {
		t.Errorf("withoutLambda (-want +got):\n%s", diff)
	}
}

// TestLoadTimesTheAnswer checks that a call is timed until its answer is
// read, not while the client checks it: with a clock that only the check
// moves, every call takes no time, and the level as long as the checks.
func TestLoadTimesTheAnswer(t *testing.T) {
	var clock atomic.Int64
	realNow, realCheck := now, checkAnswer
	t.Cleanup(func() { now, checkAnswer = realNow, realCheck })
	now = func() time.Time { return time.Unix(0, clock.Load()) }
	checkAnswer = func(call mcpCall, r reply) error {
		clock.Add(int64(time.Second))
		return realCheck(call, r)
	}
	tests := []struct {
		name   string
		status int
		body   string
		want   loadResult
	}{
		{"answered", http.StatusOK, `{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"pong! d=0"}]}}`,
			loadResult{concurrency: 1, planned: 3, requests: 3, elapsed: 3 * time.Second, latency: summary{n: 3}}},
		{"failed", http.StatusInternalServerError, `{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"boom"}}`,
			loadResult{concurrency: 1, planned: 3, requests: 3, errors: 3, elapsed: 3 * time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			client := newLoadClient(1)
			defer client.CloseIdleConnections()
			got := load(t.Context(), client, srv.URL, newMCPCall(pingCall).expecting(pingAnswer), 1, 3, 30*time.Second)
			opts := cmp.Options{cmp.AllowUnexported(loadResult{}, summary{}), cmpopts.IgnoreFields(loadResult{}, "lat", "firstError")}
			if diff := cmp.Diff(tc.want, got, opts); diff != "" {
				t.Errorf("load (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWarmUpLeavesNoConnection checks that the warm-up closes every
// connection it opened, so that none sits in a server's memory when it is
// read after the load.
func TestWarmUpLeavesNoConnection(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
	}{{"one call", 1}, {"one per worker", 4}, {"many", 40}} {
		t.Run(tc.name, func(t *testing.T) {
			var open atomic.Int64
			closed := make(chan struct{}, 64)
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"pong! d=0"}]}}`)
			}))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				switch s {
				case http.StateNew:
					open.Add(1)
				case http.StateClosed, http.StateHijacked:
					open.Add(-1)
					closed <- struct{}{}
				}
			}
			srv.Start()
			defer srv.Close()
			if err := warmUp(t.Context(), srv.URL, newMCPCall(pingCall).expecting(pingAnswer), tc.n); err != nil {
				t.Fatal(err)
			}
			wait := time.NewTimer(10 * time.Second)
			defer wait.Stop()
			for open.Load() > 0 {
				select {
				case <-closed:
				case <-wait.C:
					t.Fatalf("%d connections still open after the warm-up", open.Load())
				}
			}
		})
	}
}

// TestCheckResult checks what counts as an answer to ping: a JSON body
// with a result that is no tool error and whose text is ping's.
func TestCheckResult(t *testing.T) {
	const pong = `{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"pong! d=0"}]}}`
	tests := []struct {
		name, contentType, body, want string // want: part of the error; "" for none
	}{
		{"pong", "application/json", pong, ""},
		{"pong with a charset", "application/json; charset=utf-8", pong, ""},
		{"an event stream", "text/event-stream", "event: message\ndata: " + pong + "\n\n", "want application/json"},
		{"no content type", "", pong, "want application/json"},
		{"a tool error", "application/json", `{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"pong! but"}],"isError":true}}`, "tool error"},
		{"a JSON-RPC error", "application/json", `{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"result"}}`, "no result"},
		{"another answer", "application/json", `{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"unknown tool"}]}}`, "is not"},
		{"no content", "application/json", `{"jsonrpc":"2.0","id":3,"result":{}}`, "is not"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkResult(tc.contentType, []byte(tc.body), pingAnswer)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("checkResult = %v, want %q", err, tc.want)
			}
		})
	}
	if err := checkResult("application/json", []byte(`{"jsonrpc":"2.0","id":1,"result":{"tools":[]}}`), ""); err != nil {
		t.Errorf("a result other than a tool's: %v", err)
	}
}

// TestEventsAreAnswered sends the bench's events through lambdamcp and the
// reference server in-process: the Runtime API figures time real answers.
func TestEventsAreAnswered(t *testing.T) {
	h := lambdamcp.NewHandler(serve.Routes(serve.Handler(demoserver.New(demoserver.Options{}), nil)), nil)
	for name, call := range map[string]mcpCall{
		"initialize":            newMCPCall(initializeCall),
		"tools/list 2025-11-25": toolsListCall,
		"tools/list 2026-07-28": toolsListModernCall,
		"tools/call ping":       newMCPCall(pingCall).expecting(pingAnswer),
	} {
		t.Run(name, func(t *testing.T) {
			out, err := h.Invoke(t.Context(), urlEvent(call))
			if err != nil {
				t.Fatal(err)
			}
			var resp struct {
				StatusCode int    `json:"statusCode"`
				Body       string `json:"body"`
			}
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `"result"`) {
				t.Errorf("status %d, body %s: want 200 with a result", resp.StatusCode, resp.Body)
			}
		})
	}
}

// TestMeasureLambda runs the real bootstrap, and the floor, through the
// Runtime API a few times: the path the cold-start and memory figures come
// from.
func TestMeasureLambda(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"./cmd/mcp-server", "./bench/peers/lambdafloor"} {
		t.Run(pkg, func(t *testing.T) {
			bootstrap := filepath.Join(t.TempDir(), "bootstrap")
			// The build is bounded by go test's -timeout alone: a cold
			// build cache on a loaded machine can take minutes, which says
			// nothing about what is measured.
			if err := buildLambda(t.Context(), root, bootstrap, runtime.GOARCH, pkg); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			// 1 initialize, 3 × (3 warm-up + 3 timed), 11 pings.
			res, err := measureLambda(ctx, bootstrap, 2, 3, 30, "GOMAXPROCS=1")
			if err != nil {
				t.Fatal(err)
			}
			if res.cold.n != 2 || res.cold.p50 <= 0 {
				t.Errorf("cold = %+v, want 2 timings", res.cold)
			}
			if res.warmLegacy.n != 3 || res.warmModern.n != 3 || res.warmIdle.n != 3 {
				t.Errorf("warm = %+v / %+v / %+v, want 3 timings each", res.warmLegacy, res.warmModern, res.warmIdle)
			}
			if res.invoked != 30 {
				t.Errorf("invoked = %d, want 30", res.invoked)
			}
			if res.mem.rss <= 0 || res.mem.hwm < res.mem.rss {
				t.Errorf("memory = %+v, want VmRSS > 0 and VmHWM >= VmRSS", res.mem)
			}
		})
	}
}

func TestReadMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	m, err := readMemory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if m.rss <= 0 || m.hwm < m.rss {
		t.Errorf("memory = %+v, want VmRSS > 0 and VmHWM >= VmRSS", m)
	}
}

// TestParseStatus checks that the memory figures are read from Linux's
// /proc/<pid>/status in kB of 1024 bytes, and that a status without the
// resident set is refused rather than reported as 0 bytes.
func TestParseStatus(t *testing.T) {
	const status = "Name:\tbootstrap\nUmask:\t0022\nState:\tS (sleeping)\nPid:\t4242\n" +
		"VmPeak:\t 1245440 kB\nVmSize:\t 1245440 kB\nVmLck:\t       0 kB\nVmPin:\t       0 kB\n" +
		"VmHWM:\t   12345 kB\nVmRSS:\t   10240 kB\nRssAnon:\t    4096 kB\nThreads:\t5\n"
	tests := []struct {
		name    string
		status  string
		want    memory
		wantErr bool
	}{
		{"linux", status, memory{rss: 10240 * 1024, hwm: 12345 * 1024}, false},
		{"no peak", "VmRSS:\t 8 kB\n", memory{rss: 8 * 1024}, false},
		{"no trailing newline", "VmHWM:\t 9 kB\nVmRSS:\t 8 kB", memory{rss: 8 * 1024, hwm: 9 * 1024}, false},
		{"malformed lines skipped", "VmRSS:\t x kB\nVmHWM: 9 MB\nVmRSS 7 kB\nVmRSS:\t 8 kB\n", memory{rss: 8 * 1024}, false},
		{"no resident set", "Name:\tbootstrap\nVmHWM:\t   12345 kB\n", memory{}, true},
		{"resident set in another unit", "VmRSS:\t 8 MB\nVmHWM:\t 9 kB\n", memory{}, true},
		{"empty", "", memory{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStatus(tc.status)
			if (err != nil) != tc.wantErr {
				t.Fatalf("parseStatus error %v, want error %t", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(memory{})); diff != "" {
				t.Errorf("parseStatus (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMeasureInProcess(t *testing.T) {
	for name, measure := range map[string]func(context.Context, mcpCall, int) (inProcess, error){
		"lambdamcp": func(ctx context.Context, call mcpCall, n int) (inProcess, error) {
			return measureInProcess(ctx, call, n, 0)
		},
		"lambdamcp with idle gaps": func(ctx context.Context, call mcpCall, n int) (inProcess, error) {
			return measureInProcess(ctx, call, n, 100*time.Microsecond)
		},
		"go-sdk": measureSDK,
	} {
		t.Run(name, func(t *testing.T) {
			res, err := measure(t.Context(), toolsListModernCall, 50)
			if err != nil {
				t.Fatal(err)
			}
			if res.latency.n != 50 || res.latency.p50 <= 0 || res.bytesPerCall <= 0 {
				t.Errorf("in-process = %+v, want 50 timings and the bytes they allocated", res)
			}
		})
	}
}

// allocSink keeps what TestTimeCallsBytesPerCall allocates on the heap.
var allocSink []byte

// TestTimeCallsBytesPerCall checks that the bytes allocated per call are
// the bytes all calls allocated divided by the calls made, prepare's
// included.
func TestTimeCallsBytesPerCall(t *testing.T) {
	const size = 1 << 20
	tests := []struct {
		name    string
		n       int
		prepare bool // allocate as much again before each call
		want    float64
	}{
		{"one call", 1, false, size},
		{"several calls", 4, false, size},
		{"prepare counted", 4, true, 2 * size},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var prepare func()
			if tc.prepare {
				prepare = func() { allocSink = make([]byte, size) }
			}
			calls := 0
			res, err := timeCalls(tc.n, 0, prepare, func() error {
				calls++
				allocSink = make([]byte, size)
				return nil
			})
			allocSink = nil
			if err != nil {
				t.Fatal(err)
			}
			if calls != tc.n || res.latency.n != tc.n {
				t.Errorf("made %d calls, timed %d, want %d", calls, res.latency.n, tc.n)
			}
			// The test's own allocations stay far below a tenth of a call's.
			if res.bytesPerCall < tc.want || res.bytesPerCall > tc.want*1.1 {
				t.Errorf("bytes per call = %.0f, want %.0f", res.bytesPerCall, tc.want)
			}
		})
	}
}

// TestTimeCallsTimesTheCallOnly checks that an in-process timing holds
// the call alone: with a clock that a call moves by a millisecond, an idle
// gap by an hour and prepare by a minute, every call takes a millisecond.
func TestTimeCallsTimesTheCallOnly(t *testing.T) {
	tests := []struct {
		name     string
		gap      time.Duration
		prepare  bool
		wantIdle int
	}{
		{"no gap", 0, false, 0},
		{"idle gaps", time.Microsecond, false, 3},
		{"prepare", 0, true, 0},
		{"idle gaps and prepare", time.Microsecond, true, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var clock time.Duration
			realNow, realSleep := now, sleep
			t.Cleanup(func() { now, sleep = realNow, realSleep })
			now = func() time.Time { return time.Unix(0, int64(clock)) }
			idled := 0
			sleep = func(d time.Duration) {
				if d != tc.gap {
					t.Errorf("idled %v, want %v", d, tc.gap)
				}
				idled++
				clock += time.Hour
			}
			var prepare func()
			if tc.prepare {
				prepare = func() { clock += time.Minute }
			}
			res, err := timeCalls(3, tc.gap, prepare, func() error {
				clock += time.Millisecond
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			want := summary{n: 3, p50: time.Millisecond, p90: time.Millisecond, p99: time.Millisecond}
			if diff := cmp.Diff(want, res.latency, cmp.AllowUnexported(summary{})); diff != "" {
				t.Errorf("timeCalls latency (-want +got):\n%s", diff)
			}
			if idled != tc.wantIdle {
				t.Errorf("idled %d times, want %d", idled, tc.wantIdle)
			}
		})
	}
}

// TestDiscardWriter checks that the writer the go-sdk is timed with keeps
// the headers set on it in one map, as a server's writer does, rather than
// handing out (and counting) a new map on every Header call.
func TestDiscardWriter(t *testing.T) {
	tests := []struct {
		name string
		set  map[string]string
	}{
		{"none", nil},
		{"json answer", map[string]string{"Content-Type": "application/json"}},
		{"several", map[string]string{"Content-Type": "application/json", "Cache-Control": "no-cache", "Mcp-Session-Id": "s"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var w http.ResponseWriter = newDiscardWriter() // as the SDK holds it
			for k, v := range tc.set {
				w.Header().Set(k, v)
			}
			w.WriteHeader(http.StatusOK)
			w.Write([]byte("{}"))
			got := map[string]string{}
			for k := range w.Header() {
				got[k] = w.Header().Get(k)
			}
			if diff := cmp.Diff(tc.set, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRatioSpread checks the ratio of two servers' rates round by round,
// and that merging rounds keeps each round's rate.
func TestRatioSpread(t *testing.T) {
	var a, b loadResult
	for _, r := range []struct{ okA, okB int }{{300, 100}, {200, 100}, {100, 100}, {400, 100}} {
		a = a.merge(loadResult{concurrency: 16, planned: r.okA, requests: r.okA, elapsed: time.Second, lat: []time.Duration{time.Millisecond}})
		b = b.merge(loadResult{concurrency: 16, planned: r.okB, requests: r.okB, elapsed: time.Second, lat: []time.Duration{time.Millisecond}})
	}
	m, lo, hi, ok := ratioSpread(a, b)
	if !ok || m != 2.5 || lo != 1 || hi != 4 {
		t.Errorf("ratioSpread = %v (%v–%v) %v, want 2.5 (1–4)", m, lo, hi, ok)
	}
	if a.requests != 1000 || a.elapsed != 4*time.Second || a.throughput() != 250 || a.latency.n != 4 {
		t.Errorf("merged %+v, want 1000 calls in 4 s", a)
	}
	if _, _, _, ok := ratioSpread(a, loadResult{}); ok {
		t.Error("a ratio with nothing to compare")
	}
}

// TestRatioSpreadFailedRounds checks that a round in which a server
// answered nothing right counts at 0 calls/s for it rather than being
// left out, so that failing cannot lift its ratio.
func TestRatioSpreadFailedRounds(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name      string
		a, b      []float64 // the rounds' rates
		m, lo, hi float64
		ok        bool
		failedA   int
	}{
		{"none failed", []float64{300, 100, 200}, []float64{100, 100, 100}, 2, 1, 3, true, 0},
		{"a failed one", []float64{300, 0, 100, 400}, []float64{100, 100, 100, 100}, 2, 0, 4, true, 1},
		{"b failed one", []float64{200, 300, 100}, []float64{100, 0, 100}, 2, 1, inf, true, 0},
		{"both failed one", []float64{0, 200, 400}, []float64{0, 100, 100}, 3, 2, 4, true, 1},
		{"b failed all", []float64{200, 200}, []float64{0, 0}, inf, inf, inf, true, 0},
		{"both failed all", []float64{0, 0}, []float64{0, 0}, 0, 0, 0, false, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := loadResult{rounds: tc.a}, loadResult{rounds: tc.b}
			m, lo, hi, ok := ratioSpread(a, b)
			if diff := cmp.Diff([]any{tc.m, tc.lo, tc.hi, tc.ok}, []any{m, lo, hi, ok}); diff != "" {
				t.Errorf("ratioSpread (-want +got):\n%s", diff)
			}
			if got := failedRounds(a); got != tc.failedA {
				t.Errorf("failedRounds = %d, want %d", got, tc.failedA)
			}
		})
	}
}

// TestReportFailedRound checks that the HTTP table shows a round that
// answered nothing, and the ratios it brings down.
func TestReportFailedRound(t *testing.T) {
	level := func(rounds ...float64) []loadResult {
		return []loadResult{{concurrency: 1, planned: 30, requests: 30, errors: 10, elapsed: 3 * time.Second,
			latency: summary{n: 20}, rounds: rounds}}
	}
	runs := []httpRun{
		{name: "lambdamcp", levels: level(100, 0, 100)},
		{name: "net/http floor", levels: level(100, 100, 100)},
	}
	var b strings.Builder
	report(&b, config{requests: 30, rounds: 3, levels: []int{1}}, artifacts{}, [3]lambdaResults{}, [2]inProcess{}, [2]inProcess{}, inProcess{}, [2]inProcess{}, runs, "0", "0")
	for _, want := range []string{
		"| lambdamcp | 1 | 7 | 0 µs | 0 µs (max of 20) | 10 (1 of 3 rounds answered nothing) | 1.00× (1.00–1.00) | 1.00× (0.00–1.00) |",
		"| net/http floor | 1 | 7 | 0 µs | 0 µs (max of 20) | 10 | 1.00× (0.00–1.00) | 1.00× (1.00–1.00) |",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}

// TestTargets checks the verdicts against figures on both sides of each
// target.
func TestTargets(t *testing.T) {
	// Three rounds each, at the given rates of successful calls.
	load := func(name string, callsPerSecond int, rounds ...float64) httpRun {
		if rounds == nil {
			rounds = []float64{float64(callsPerSecond), float64(callsPerSecond), float64(callsPerSecond)}
		}
		return httpRun{name: name, levels: []loadResult{{concurrency: 16, planned: callsPerSecond, requests: callsPerSecond, elapsed: time.Second, rounds: rounds}}}
	}
	failing := func(name string, answered, errors int) httpRun {
		ok := float64(answered - errors)
		return httpRun{name: name, levels: []loadResult{{concurrency: 16, planned: 20000, requests: answered, errors: errors, elapsed: time.Second, rounds: []float64{ok, ok, ok}}}}
	}
	tests := []struct {
		name   string
		art    artifacts
		lam    lambdaResults
		inproc inProcess
		oneP   inProcess
		runs   []httpRun
		want   []string
		shows  string
	}{
		{
			name:   "all met",
			art:    artifacts{zipARM64: 4e6},
			lam:    lambdaResults{cold: summary{p50: 5 * time.Millisecond}, invoked: 10000, mem: memory{rss: 15e6}},
			inproc: inProcess{latency: summary{p50: 20 * time.Microsecond, p99: 90 * time.Microsecond}, bytesPerCall: 12e3},
			runs:   []httpRun{load("lambdamcp", 20000), load("TypeScript SDK", 1000, 1000, 900, 1100)},
			want:   []string{"met", "met", "met", "met", "met", "met", "met"},
			shows:  "| >= 10x the TypeScript SDK at concurrency 16, 0 errors | 20.00x (rounds 18.18–22.22), 0 errors",
		},
		{
			name:   "none met",
			art:    artifacts{zipARM64: 11e6},
			lam:    lambdaResults{cold: summary{p50: 9 * time.Millisecond}, invoked: 10000, mem: memory{rss: 21e6}},
			inproc: inProcess{latency: summary{p50: 26 * time.Microsecond, p99: 101 * time.Microsecond}, bytesPerCall: 17e3},
			oneP:   inProcess{latency: summary{n: 3, p50: 20 * time.Microsecond, p99: 90 * time.Microsecond}},
			runs:   []httpRun{load("lambdamcp", 9000), load("TypeScript SDK", 1000)},
			want:   []string{"not met", "not met", "not met", "not met", "not met", "not met", "not met"},
			shows:  "| warm tools/list in-process <= 25 µs p50 | 26 µs (one P: 20 µs) | not met |",
		},
		{
			// The ratio counts successful calls, and both runs must be
			// whole: a peer that fails or stalls proves nothing.
			name:   "peer failing or cut off",
			art:    artifacts{zipARM64: 4e6},
			lam:    lambdaResults{cold: summary{p50: 5 * time.Millisecond}, invoked: 10000, mem: memory{rss: 15e6}},
			inproc: inProcess{latency: summary{p50: 20 * time.Microsecond, p99: 90 * time.Microsecond}, bytesPerCall: 12e3},
			runs:   []httpRun{load("lambdamcp", 20000), failing("TypeScript SDK", 1500, 1000)},
			want:   []string{"met", "met", "met", "met", "met", "not met", "met"},
			shows:  "| >= 10x the TypeScript SDK at concurrency 16, 0 errors | 40.00x (rounds 40.00–40.00), 0 errors (TypeScript SDK: 1000; calls answered: 20000 and 1500 of 20000) | not met |",
		},
		{
			// Each target holds its bound itself.
			name:   "all at the bound",
			art:    artifacts{zipARM64: 10e6},
			lam:    lambdaResults{cold: summary{p50: 8 * time.Millisecond}, invoked: 10000, mem: memory{rss: 20e6}},
			inproc: inProcess{latency: summary{p50: 25 * time.Microsecond, p99: 100 * time.Microsecond}, bytesPerCall: 16e3},
			runs:   []httpRun{load("lambdamcp", 10000), load("TypeScript SDK", 1000)},
			want:   []string{"met", "met", "met", "met", "met", "met", "met"},
			shows:  "| >= 10x the TypeScript SDK at concurrency 16, 0 errors | 10.00x (rounds 10.00–10.00), 0 errors",
		},
		{
			// A peer cut off before its calls were made proves nothing,
			// even without an error.
			name:   "peer cut off",
			art:    artifacts{zipARM64: 4e6},
			lam:    lambdaResults{cold: summary{p50: 5 * time.Millisecond}, invoked: 10000, mem: memory{rss: 15e6}},
			inproc: inProcess{latency: summary{p50: 20 * time.Microsecond, p99: 90 * time.Microsecond}, bytesPerCall: 12e3},
			runs:   []httpRun{load("lambdamcp", 20000), failing("TypeScript SDK", 1500, 0)},
			want:   []string{"met", "met", "met", "met", "met", "not met", "met"},
			shows:  "0 errors (TypeScript SDK: 0; calls answered: 20000 and 1500 of 20000) | not met |",
		},
		{
			// Nor does lambdamcp failing calls, however fast it is.
			name:   "lambdamcp failing",
			art:    artifacts{zipARM64: 4e6},
			lam:    lambdaResults{cold: summary{p50: 5 * time.Millisecond}, invoked: 10000, mem: memory{rss: 15e6}},
			inproc: inProcess{latency: summary{p50: 20 * time.Microsecond, p99: 90 * time.Microsecond}, bytesPerCall: 12e3},
			runs:   []httpRun{failing("lambdamcp", 20000, 100), load("TypeScript SDK", 1000)},
			want:   []string{"met", "met", "met", "met", "met", "not met", "met"},
			shows:  "| >= 10x the TypeScript SDK at concurrency 16, 0 errors | 19.90x (rounds 19.90–19.90), 100 errors",
		},
		{
			// A peer that answers nothing right runs at 0 calls/s, and
			// the target is still judged.
			name:   "peer failing every call",
			art:    artifacts{zipARM64: 4e6},
			lam:    lambdaResults{cold: summary{p50: 5 * time.Millisecond}, invoked: 10000, mem: memory{rss: 15e6}},
			inproc: inProcess{latency: summary{p50: 20 * time.Microsecond, p99: 90 * time.Microsecond}, bytesPerCall: 12e3},
			runs:   []httpRun{load("lambdamcp", 20000), failing("TypeScript SDK", 20000, 20000)},
			want:   []string{"met", "met", "met", "met", "met", "not met", "met"},
			shows:  "| >= 10x the TypeScript SDK at concurrency 16, 0 errors | ∞x (rounds ∞–∞), 0 errors (TypeScript SDK: 20000; calls answered: 20000 and 20000 of 20000) | not met |",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			printTargets(&b, tc.art, tc.lam, tc.inproc, tc.oneP, tc.runs)
			var got []string
			for line := range strings.Lines(b.String()) {
				cells := strings.Split(strings.TrimSpace(line), "|")
				if len(cells) == 5 && (cells[3] == " met " || cells[3] == " not met ") {
					got = append(got, strings.TrimSpace(cells[3]))
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("verdicts (-want +got):\n%s\n%s", diff, b.String())
			}
			if !strings.Contains(b.String(), tc.shows) {
				t.Errorf("targets lack %q:\n%s", tc.shows, b.String())
			}
		})
	}
}

// TestReportColumns checks that each Runtime API figure lands in its
// column (Start's one P, Go's own GOMAXPROCS, the floor) and that the
// in-process rows with one P are printed with their figures.
func TestReportColumns(t *testing.T) {
	lam := func(p50 time.Duration) lambdaResults {
		s := summary{n: 3, p50: p50, p90: p50, p99: p50}
		return lambdaResults{cold: s, warmLegacy: s, warmModern: s, warmIdle: s, invoked: 12, mem: memory{rss: 1e6, hwm: 1e6}}
	}
	in := func(p50 time.Duration) inProcess {
		return inProcess{latency: summary{n: 5, p50: p50, p99: p50}, bytesPerCall: 1e3}
	}
	// Few timings everywhere: each tail is the largest, and says so.
	runs := []httpRun{{
		name: "lambdamcp",
		cold: summary{n: 5, p50: time.Millisecond, p90: 2 * time.Millisecond},
		levels: []loadResult{{concurrency: 1, planned: 10, requests: 10, elapsed: time.Second,
			latency: summary{n: 10, p50: time.Millisecond, p99: 2 * time.Millisecond}, rounds: []float64{10}}},
	}}
	var b strings.Builder
	report(&b, config{requests: 10, rounds: 1, levels: []int{1}}, artifacts{}, [3]lambdaResults{lam(111 * time.Microsecond), lam(222 * time.Microsecond), lam(333 * time.Microsecond)},
		[2]inProcess{in(time.Microsecond), in(2 * time.Microsecond)}, [2]inProcess{in(3 * time.Microsecond), in(4 * time.Microsecond)},
		in(5*time.Microsecond), [2]inProcess{in(6 * time.Microsecond), in(7 * time.Microsecond)}, runs, "0", "0")
	out := b.String()
	for _, want := range []string{
		"| warm tools/list 2025-11-25, 1.00 ms idle before each (p50 / max of 3) | 111 µs / 111 µs | 222 µs / 222 µs | 333 µs / 333 µs |",
		"| cold start, exec to first answered initialize (median / max of 3) | 111 µs / 111 µs | 222 µs / 222 µs | 333 µs / 333 µs |",
		"| lambdamcp Handler.Invoke, 2025-11-25, 1.00 ms idle before each call (5 calls) | 5 µs | 5 µs (max of 5) | 1.0 KB |",
		"| lambdamcp Handler.Invoke, 2025-11-25, GOMAXPROCS=1 (5 calls) | 6 µs | 6 µs (max of 5) | 1.0 KB |",
		"| lambdamcp Handler.Invoke, 2025-11-25, GOMAXPROCS=1, 1.00 ms idle before each call (5 calls) | 7 µs | 7 µs (max of 5) | 1.0 KB |",
		"| lambdamcp | 1 | 10 | 1.00 ms | 2.00 ms (max of 10) | 0 |",
		"| lambdamcp | 1.00 ms / 2.00 ms (max of 5 runs) |",
		"| warm tools/list in-process <= 100 µs p99 | 1 µs (max of 5) (one P: 6 µs (max of 5)) |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

// TestReportFigures checks that each figure of the report comes from its
// own measurement: every timing, memory reading and size differs from the
// others, so that one printed in another's place shows.
func TestReportFigures(t *testing.T) {
	us := func(n int) time.Duration { return time.Duration(n) * time.Microsecond }
	lam := func(base int) lambdaResults {
		s := func(off int) summary {
			return summary{n: 200, p50: us(base + off), p90: us(base + off + 1), p99: us(base + off + 2)}
		}
		mem := memory{rss: int64(base)*1e4 + 1e5, hwm: int64(base)*1e4 + 2e5}
		return lambdaResults{cold: s(0), warmLegacy: s(10), warmModern: s(20), warmIdle: s(30), invoked: 12, mem: mem}
	}
	in := inProcess{latency: summary{n: 200, p50: us(40), p99: us(42)}, bytesPerCall: 218.9e3}
	ms := time.Millisecond
	runs := []httpRun{{
		name: "lambdamcp",
		levels: []loadResult{{concurrency: 1, planned: 10, requests: 8, errors: 1, elapsed: time.Second,
			latency: summary{n: 7, p50: ms, p99: 2 * ms}, rounds: []float64{7}, firstError: "status 500: boom"}},
	}, {
		name: "net/http floor",
		levels: []loadResult{{concurrency: 1, planned: 14, requests: 14, elapsed: time.Second,
			latency: summary{n: 14, p50: ms, p99: 2 * ms}, rounds: []float64{14}}},
	}}
	var b strings.Builder
	report(&b, config{requests: 10, rounds: 1, levels: []int{1}}, artifacts{sizeARM64: 10.9e6, sizeAMD64: 11.7e6, zipARM64: 4.2e6},
		[3]lambdaResults{lam(100), lam(200), lam(300)}, [2]inProcess{in, in}, [2]inProcess{in, in}, in, [2]inProcess{in, in}, runs, "0", "0")
	out := b.String()
	for _, want := range []string{
		"| cold start, exec to first answered initialize (median / p90 of 200) | 100 µs / 101 µs | 200 µs / 201 µs | 300 µs / 301 µs |",
		"| warm tools/list 2025-11-25 (p50 / p99 of 200) | 110 µs / 112 µs | 210 µs / 212 µs | 310 µs / 312 µs |",
		"| warm tools/list 2026-07-28 (p50 / p99 of 200) | 120 µs / 122 µs | 220 µs / 222 µs | 320 µs / 322 µs |",
		"| warm tools/list 2025-11-25, 1.00 ms idle before each (p50 / p99 of 200) | 130 µs / 132 µs | 230 µs / 232 µs | 330 µs / 332 µs |",
		"| resident memory after 12 invocations (VmRSS / peak VmHWM) | 1.1 MB / 1.2 MB | 2.1 MB / 2.2 MB | 3.1 MB / 3.2 MB |",
		"| bootstrap, stripped: linux/arm64 / linux/amd64 | 10.9 MB / 11.7 MB | | |",
		"| deployment zip (arm64) | 4.2 MB | | |",
		"| lambdamcp Handler.Invoke, Function URL event, 2025-11-25 (200 calls) | 40 µs | 42 µs | 218.9 KB |",
		// One round: a ratio without a spread.
		"| lambdamcp | 1 | 7 | 1.00 ms | 2.00 ms (max of 7) | 1 (8 done in 1s) | 1.00× | 0.50× |",
		"| net/http floor | 1 | 14 | 1.00 ms | 2.00 ms (max of 14) | 0 | 0.50× | 1.00× |",
		"\nlambdamcp at concurrency 1, first error: status 500: boom\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

// TestFormat checks the units the figures are printed in: milliseconds
// with a precision that suits them, and sizes in MB of 10^6 bytes.
func TestFormat(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{ms(100 * time.Millisecond), "100 ms"},
		{ms(10 * time.Millisecond), "10.0 ms"},
		{ms(time.Millisecond), "1.00 ms"},
		{ms(999 * time.Microsecond), "999 µs"},
		{mb(20e6), "20.0 MB"},
		{mb(10_900_000), "10.9 MB"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestTailName checks that a tail is called by its name only where its
// nearest rank is not the last timing.
func TestTailName(t *testing.T) {
	for _, tc := range []struct {
		name string
		q    float64
		n    int
		want string
	}{
		{"p99", 0.99, 0, "p99"}, {"p99", 0.99, 1, "max"}, {"p99", 0.99, 99, "max"}, {"p99", 0.99, 100, "p99"}, {"p99", 0.99, 2000, "p99"},
		{"p90", 0.90, 9, "max"}, {"p90", 0.90, 10, "p90"}, {"p90", 0.90, 20, "p90"},
	} {
		if got := tailName(tc.name, tc.q, tc.n); got != tc.want {
			t.Errorf("tailName(%s, %v, %d) = %q, want %q", tc.name, tc.q, tc.n, got, tc.want)
		}
	}
}

// TestPercentile checks the nearest-rank method: the value at rank ⌈q·n⌉.
func TestPercentile(t *testing.T) {
	seq := func(n int) []time.Duration {
		d := make([]time.Duration, n)
		for i := range d {
			d[i] = time.Duration(i + 1)
		}
		return d
	}
	for _, tc := range []struct {
		n    int
		q    float64
		want time.Duration
	}{
		{20, 0.50, 10}, {20, 0.90, 18}, {9, 0.90, 9}, {5, 0.30, 2}, {20, 0.99, 20}, {100, 0.99, 99}, {2000, 0.99, 1980}, {1, 0.5, 1}, {0, 0.5, 0},
	} {
		if got := percentile(seq(tc.n), tc.q); got != tc.want {
			t.Errorf("percentile(1..%d, %v) = %v, want %v", tc.n, tc.q, got, tc.want)
		}
	}
}

// TestHTTPServersAnswer builds the reference server and the Go peers in
// this module, starts each as the bench does and loads it briefly: every
// call must come back with a result, or the HTTP table would time errors.
func TestHTTPServersAnswer(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"./cmd/mcp-server", "./bench/peers/gosdk", "./bench/peers/floor"} {
		t.Run(pkg, func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), "server")
			// Built under go test's -timeout alone, as in TestMeasureLambda.
			build := func() error { return buildPeer(t.Context(), root, bin, pkg) }
			if pkg == "./cmd/mcp-server" {
				// The bench serves the reference server's bootstrap.
				build = func() error { return buildBootstrap(t.Context(), root, bin, runtime.GOARCH) }
			}
			if err := build(); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			s, err := startServer(ctx, serverSpec{name: pkg, argv: []string{bin, "-addr", "127.0.0.1:0"}, env: withoutLambda(os.Environ())})
			if err != nil {
				t.Fatal(err)
			}
			defer s.stop()
			res := load(ctx, newLoadClient(2), s.url, newMCPCall(pingCall).expecting(pingAnswer), 2, 20, 30*time.Second)
			if res.requests != 20 || res.errors != 0 {
				t.Errorf("%d calls, %d errors (first: %s), want 20 and none", res.requests, res.errors, res.firstError)
			}
		})
	}
}

// TestRunOutsideTheRepository checks that a run started elsewhere than the
// repository root, without -root, says so and what to do, before building
// anything, rather than passing on the go command's complaint.
func TestRunOutsideTheRepository(t *testing.T) {
	dir := t.TempDir()
	var stderr strings.Builder
	if code := run(t.Context(), []string{"-root", dir, "-peers", ""}, nil, io.Discard, &stderr); code != 1 {
		t.Errorf("run = %d, want 1", code)
	}
	want := "lambdamcp-bench: " + dir + " is not the repository root (it has no cmd/mcp-server): run it from there, or give -root\n"
	if stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
}

// TestRunTSPeerMissing checks that the TypeScript peer's missing packages
// or Node.js are said at once, before the bootstrap is built and measured
// for minutes.
func TestRunTSPeerMissing(t *testing.T) {
	tests := []struct {
		name      string
		installed bool
		node      string
		want      string
	}{
		{"not installed", false, "node", "lambdamcp-bench: TypeScript peer not installed: run npm ci --prefix bench/peers/ts\n"},
		{"no node", true, "no-such-node-for-the-bench", "put node on PATH, give -node, or leave ts out of -peers\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			dirs := []string{filepath.Join(root, "cmd", "mcp-server")}
			if tc.installed {
				dirs = append(dirs, filepath.Join(root, "bench", "peers", "ts", "node_modules", "@modelcontextprotocol", "sdk"))
			}
			for _, d := range dirs {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			var stderr strings.Builder
			args := []string{"-root", root, "-peers", "ts", "-node", tc.node}
			if code := run(t.Context(), args, nil, io.Discard, &stderr); code != 1 {
				t.Errorf("run = %d, want 1", code)
			}
			if got := stderr.String(); !strings.HasPrefix(got, "lambdamcp-bench: ") || !strings.HasSuffix(got, tc.want) || strings.Count(got, "\n") != 1 {
				t.Errorf("stderr %q, want one line ending %q", got, tc.want)
			}
		})
	}
}
