package runtimeapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func startConcurrentServer(t *testing.T, max int) (*Server, *runtimeClient) {
	t.Helper()
	s := NewConcurrentServer(max)
	hs := httptest.NewServer(s)
	t.Cleanup(func() {
		s.Close(nil)
		hs.Close()
	})
	return s, &runtimeClient{t: t, base: hs.URL + "/2018-06-01/runtime/"}
}

// await returns what Invoke returned, failing the test if it has not
// within 10 s.
func await(t *testing.T, ch <-chan invokeResult) invokeResult {
	t.Helper()
	select {
	case res := <-ch:
		return res
	case <-time.After(10 * time.Second):
		t.Fatal("Invoke has not returned within 10 s")
		return invokeResult{}
	}
}

func invocation(id string) *Invocation {
	return &Invocation{RequestID: id, Payload: []byte(`"` + id + `"`), Deadline: time.Now().Add(time.Minute)}
}

// TestConcurrentOutOfOrder checks that a concurrent server hands each of
// max invocations to the runtime once, and that each answer, posted in the
// reverse order, reaches the Invoke of its own request id.
func TestConcurrentOutOfOrder(t *testing.T) {
	const max = 4
	s, rt := startConcurrentServer(t, max)
	ids := []string{"r1", "r2", "r3", "r4"}
	results := map[string]<-chan invokeResult{}
	for _, id := range ids {
		results[id] = invokeAsync(s, invocation(id))
	}
	var delivered []string
	for range max {
		h, body := rt.next()
		id := h.Get(HeaderRequestID)
		if string(body) != `"`+id+`"` {
			t.Errorf("request %s delivered with the event %s", id, body)
		}
		delivered = append(delivered, id)
	}
	slices.Sort(delivered)
	if diff := cmp.Diff(ids, delivered); diff != "" {
		t.Fatalf("delivered request ids (-want +got):\n%s", diff)
	}
	for _, id := range slices.Backward(ids) {
		if status, body := rt.post("invocation/"+id+"/response", strings.NewReader(`"answer to `+id+`"`), nil, nil); status != http.StatusAccepted {
			t.Errorf("POST response %s = %d %s, want 202", id, status, body)
		}
	}
	for _, id := range ids {
		res := await(t, results[id])
		if res.err != nil {
			t.Errorf("Invoke %s: %v", id, res.err)
			continue
		}
		if got, want := readBody(t, res.resp), `"answer to `+id+`"`; got != want {
			t.Errorf("Invoke %s answered %s, want %s", id, got, want)
		}
	}
}

// TestConcurrentRefusals checks the answers a concurrent server refuses:
// one for a request id never delivered, or already answered, and an
// invocation whose request id is in flight already.
func TestConcurrentRefusals(t *testing.T) {
	s, rt := startConcurrentServer(t, 2)
	r1 := invokeAsync(s, invocation("r1"))
	invokeAsync(s, invocation("r2"))
	first, _ := rt.next()
	second, _ := rt.next()
	if first.Get(HeaderRequestID) == second.Get(HeaderRequestID) {
		t.Fatalf("request %s delivered twice", first.Get(HeaderRequestID))
	}
	if status, body := rt.post("invocation/r1/error", strings.NewReader(`{"errorMessage":"boom","errorType":"E"}`), nil, nil); status != http.StatusAccepted {
		t.Fatalf("POST r1 error = %d %s, want 202", status, body)
	}
	if res := await(t, r1); res.err == nil || !strings.Contains(res.err.Error(), "boom") {
		t.Errorf("Invoke r1 = %v, want its error", res.err)
	}
	tests := []struct {
		name, path string
		wantStatus int
		wantType   string
	}{
		{"unknown id", "invocation/nope/response", http.StatusBadRequest, "InvalidRequestID"},
		{"answered id", "invocation/r1/response", http.StatusBadRequest, "InvalidRequestID"},
		{"answered id error", "invocation/r1/error", http.StatusBadRequest, "InvalidRequestID"},
		{"in flight id", "invocation/r2/response", http.StatusAccepted, ""},
		{"in flight id, answered", "invocation/r2/response", http.StatusBadRequest, "InvalidRequestID"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := rt.post(tc.path, strings.NewReader(`{}`), nil, nil)
			if status != tc.wantStatus || !strings.Contains(body, tc.wantType) {
				t.Errorf("POST %s = %d %s, want %d with %q", tc.path, status, body, tc.wantStatus, tc.wantType)
			}
		})
	}

	r3 := invokeAsync(s, invocation("r3"))
	rt.next()
	// Refused at once; a duplicate taken on would wait for a worker instead.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := s.Invoke(ctx, invocation("r3")); err == nil || !strings.Contains(err.Error(), "in flight already") {
		t.Errorf("Invoke of a request id in flight = %v, want a refusal", err)
	}
	rt.post("invocation/r3/response", strings.NewReader(`3`), nil, nil)
	if res := await(t, r3); res.err != nil {
		t.Errorf("Invoke r3 after the refused duplicate: %v", res.err)
	}
}

// TestConcurrentNextEndsNothing checks that on a concurrent server a
// runtime worker's request for the next event does not end the invocation
// another worker is serving, as it does one at a time.
func TestConcurrentNextEndsNothing(t *testing.T) {
	s, rt := startConcurrentServer(t, 2)
	r1 := invokeAsync(s, invocation("r1"))
	rt.next()
	r2 := invokeAsync(s, invocation("r2"))
	rt.next() // another worker asks while r1 is served
	rt.post("invocation/r1/response", strings.NewReader(`1`), nil, nil)
	rt.post("invocation/r2/response", strings.NewReader(`2`), nil, nil)
	for i, ch := range []<-chan invokeResult{r1, r2} {
		if res := await(t, ch); res.err != nil {
			t.Errorf("Invoke r%d: %v", i+1, res.err)
		}
	}
}

// TestConcurrentLimit checks that a concurrent server hands the runtime no
// more than max invocations at once: a further one waits until one of them
// is answered.
func TestConcurrentLimit(t *testing.T) {
	s, rt := startConcurrentServer(t, 2)
	invokeAsync(s, invocation("r1"))
	invokeAsync(s, invocation("r2"))
	rt.next()
	rt.next()
	r3 := invokeAsync(s, invocation("r3"))
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get(rt.base + "invocation/next")
		if err != nil {
			got <- ""
			return
		}
		resp.Body.Close()
		got <- resp.Header.Get(HeaderRequestID)
	}()
	// The third worker's request stays open: polling counts it.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := s.WaitIdle(ctx); err != nil {
		t.Fatalf("WaitIdle with a worker waiting: %v", err)
	}
	select {
	case id := <-got:
		t.Fatalf("request %s delivered while two were in flight", id)
	case <-time.After(50 * time.Millisecond):
	}
	rt.post("invocation/r1/response", strings.NewReader(`1`), nil, nil)
	if id := <-got; id != "r3" {
		t.Errorf("the waiting worker got %q, want r3", id)
	}
	rt.post("invocation/r3/response", strings.NewReader(`3`), nil, nil)
	if res := await(t, r3); res.err != nil {
		t.Errorf("Invoke r3: %v", res.err)
	}
}

// TestConcurrentInvokeGivesUp checks that an invocation whose caller gives
// up before the runtime took it leaves its slot to the next one.
func TestConcurrentInvokeGivesUp(t *testing.T) {
	s, rt := startConcurrentServer(t, 2)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, id := range []string{"gone1", "gone2"} {
		if _, err := s.Invoke(ctx, invocation(id)); !errors.Is(err, context.Canceled) {
			t.Errorf("Invoke with an ended context = %v, want context.Canceled", err)
		}
	}
	r := invokeAsync(s, invocation("r1"))
	rt.next()
	rt.post("invocation/r1/response", strings.NewReader(`1`), nil, nil)
	if res := await(t, r); res.err != nil {
		t.Errorf("Invoke after two gave up: %v", res.err)
	}
}
