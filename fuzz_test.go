package lambdamcp_test

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdamcp/lambdamcp"
	"github.com/lambdamcp/lambdamcp/internal/awsevents"
	"github.com/lambdamcp/lambdamcp/internal/demoserver"
	"github.com/lambdamcp/lambdamcp/serve"
)

// MCP request bodies of both eras, the request fuzzer's seeds.
//
//go:embed testdata/requests/*.json
var requestFiles embed.FS

func seedFiles(f *testing.F, fsys embed.FS, dir string) [][]byte {
	f.Helper()
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		f.Fatal(err)
	}
	var seeds [][]byte
	for _, e := range entries {
		b, err := fsys.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	return seeds
}

// fuzzDeadline is each fuzzed invocation's: short, so that an input the
// server holds open is answered (by the guard's timeout) before the fuzzing
// engine gives up on its worker.
const fuzzDeadline = 2 * time.Second

// fuzzCtx is a fuzzed invocation's context: request id "fuzz", deadline
// fuzzDeadline.
//
// An input the guard answered at the deadline may leave its handler
// running until the context ends; the input waits for it (registered
// first, so it runs after cancel), as other tests do, so that the next
// test's log records are not given "fuzz" as the request id of the only
// invocation in flight (ExampleNewSDKLogHandler, which runs after the fuzz
// targets' seeds, failed so under load).
func fuzzCtx(t *testing.T) context.Context {
	t.Cleanup(func() { awaitNoInvocations(t) })
	ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "fuzz"})
	ctx, cancel := context.WithTimeout(ctx, fuzzDeadline)
	t.Cleanup(cancel)
	return ctx
}

// invokeBounded invokes h under a short deadline: an input the server holds
// open is answered by the guard's timeout (checkInvocation then sees a JSON
// error), and one it never answers trips failOnHang.
func invokeBounded(t *testing.T, h *lambdamcp.Handler, payload []byte) ([]byte, error) {
	t.Helper()
	failOnHang(t)
	return h.Invoke(fuzzCtx(t), payload)
}

// fuzzHangLimit bounds one fuzzed input's run, cleanups included: five
// times fuzzDeadline, by which every input has long been answered.
const fuzzHangLimit = 10 * time.Second

// failOnHang reports t's input as hung if it has not finished, cleanups
// included, within fuzzHangLimit. Go's fuzzing has no limit per input, so
// a hang would otherwise surface only when the whole run's -timeout
// expires, with no input to blame. The input keeps running on t's own
// goroutine, where t.Fatal works; since a hung goroutine cannot be stopped,
// the alarm prints every goroutine's stack and panics, as the testing
// package's -timeout alarm does, and the fuzzing engine saves the input
// that crashed its worker.
func failOnHang(t *testing.T) {
	t.Helper()
	name := t.Name()
	alarm := time.AfterFunc(fuzzHangLimit, func() {
		fmt.Fprintf(os.Stderr, "%s: hung: the input still runs after %v; goroutines:\n\n%s\n", name, fuzzHangLimit, allStacks())
		panic(fmt.Sprintf("%s: hung: the input still runs after %v", name, fuzzHangLimit))
	})
	// Registered first, so it runs last: a cleanup that hangs is caught too.
	t.Cleanup(func() { alarm.Stop() })
}

// allStacks is every goroutine's stack trace.
func allStacks() []byte {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}

// fuzzHandler is the reference server, with ping's waits skipped.
func fuzzHandler() *lambdamcp.Handler {
	server := demoserver.New(demoserver.Options{Sleep: func(context.Context, time.Duration) error { return nil }})
	return lambdamcp.NewHandler(serve.Routes(serve.Handler(server, nil)), &lambdamcp.Options{JSONResponse: true})
}

// checkInvocation checks what every answer must be: a response of the
// event's shape whose error bodies are JSON-RPC errors. It returns the
// answer the client gets.
func checkInvocation(t *testing.T, out []byte) answer {
	t.Helper()
	var resp lambdaResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, out)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 599 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	body := resp.body(t)
	checkErrorBody(t, resp.StatusCode, body)
	if strings.HasPrefix(resp.header("Content-Type"), "application/json") && !json.Valid(body) {
		t.Fatalf("application/json body is not JSON: %q", body)
	}
	return newAnswer(resp.StatusCode, resp.header("Content-Type"), body)
}

// checkErrorBody checks that an error status comes with a JSON-RPC error,
// or, refusing a batch, a batch of them.
func checkErrorBody(t *testing.T, status int, body []byte) {
	t.Helper()
	if status < 400 {
		return
	}
	type rpcError struct {
		JSONRPC string `json:"jsonrpc"`
		Error   *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	var errs []rpcError
	if json.Unmarshal(body, &errs) != nil {
		errs = []rpcError{{}}
		if err := json.Unmarshal(body, &errs[0]); err != nil {
			t.Fatalf("status %d with a body that is no JSON-RPC error: %q", status, body)
		}
	}
	if len(errs) == 0 {
		t.Fatalf("status %d with an empty batch: %q", status, body)
	}
	for _, e := range errs {
		if e.JSONRPC != "2.0" || e.Error == nil || e.Error.Code == 0 || e.Error.Message == "" {
			t.Fatalf("status %d with a body that is no JSON-RPC error: %q", status, body)
		}
	}
}

// FuzzEvent feeds arbitrary payloads to Invoke: each either fails with an
// error (ErrUnknownEvent, or an event that cannot be decoded) or is answered
// with a well-formed response. Seeds: AWS's sample events of every shape.
func FuzzEvent(f *testing.F) {
	for _, name := range awsevents.Requests {
		f.Add(awsevents.Sample(name))
	}
	for _, s := range []string{`{}`, `null`, `[]`, `{"requestContext":{"elb":{}}}`, `{"version":"2.0","requestContext":{"http":{}}}`, `{"httpMethod":"POST","requestContext":{}}`} {
		f.Add([]byte(s))
	}
	h := fuzzHandler()
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := invokeBounded(t, h, payload)
		if err != nil {
			if out != nil {
				t.Fatalf("error %v with output %q", err, out)
			}
			if !errors.Is(err, lambdamcp.ErrUnknownEvent) && !strings.HasPrefix(err.Error(), "decoding ") {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		checkInvocation(t, out)
	})
}

// fuzzPost is a POST of body with the headers a client of that protocol
// version sends: the 2026-07-28 Mcp-Method and Mcp-Name from the body,
// when it names them, and none a gateway would not deliver.
func fuzzPost(body, version, accept, contentType string) httpRequest {
	header := map[string]string{"Content-Type": contentType, "Accept": accept}
	if version != "" {
		header["MCP-Protocol-Version"] = version
	}
	var peek struct {
		Method string `json:"method"`
		Params struct {
			Name string `json:"name"`
		} `json:"params"`
	}
	if json.Unmarshal([]byte(body), &peek) == nil && peek.Method != "" {
		header["Mcp-Method"] = peek.Method
		if peek.Params.Name != "" {
			header["Mcp-Name"] = peek.Params.Name
		}
	}
	for k, v := range header {
		if !validHeaderValue(v) {
			delete(header, k) // gateways do not deliver such headers
		}
	}
	return httpRequest{method: http.MethodPost, path: "/mcp", header: header, body: body}
}

// FuzzRequest sends arbitrary MCP requests through the whole path (event
// of each shape → reference server → response): every one must be
// answered, every error as JSON, and every call by its id. Seeds: MCP
// request bodies of both eras.
func FuzzRequest(f *testing.F) {
	for i, body := range seedFiles(f, requestFiles, "testdata/requests") {
		for _, version := range []string{legacy, modern, ""} {
			f.Add(uint8(i), string(body), version, "application/json, text/event-stream", "application/json", false)
		}
	}
	f.Add(uint8(0), `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, legacy, "application/json", "application/json", true)
	f.Add(uint8(1), `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, "1999-01-01", "*/*", "text/plain", false)
	// A batch refused as a whole: its error has no one id to carry.
	f.Add(uint8(2), `[{"jsonrpc":"2.0","id":1,"method":"tools/list"}]`, "0", "application/json, text/event-stream", "application/json", false)
	f.Add(uint8(2), repeatedIDBatch, "2025-03-26", "application/json, text/event-stream", "application/json", false)
	for i, body := range inexactIDBatches {
		f.Add(uint8(i), body, "", "application/json, text/event-stream", "application/json", false)
	}
	for i, body := range idSeeds {
		f.Add(uint8(i), body, legacy, "application/json, text/event-stream", "application/json", false)
	}
	h := fuzzHandler()
	f.Fuzz(func(t *testing.T, shape uint8, body, version, accept, contentType string, b64 bool) {
		req := fuzzPost(body, version, accept, contentType)
		req.base64 = b64
		s := shapes[int(shape)%len(shapes)]
		event := s.build(t, req)
		out, err := invokeBounded(t, h, event)
		if err != nil {
			t.Fatalf("Invoke: %v", err)
		}
		checkAnswerIDs(t, event, checkInvocation(t, out))
	})
}

func validHeaderValue(v string) bool {
	for _, c := range []byte(v) {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
