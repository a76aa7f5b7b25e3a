package runtimeapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
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
// up before the runtime took it leaves its slot, and its request id, to the
// next one. With its context ended already, Invoke may or may not take a
// slot before it sees the end: it gives up many times.
func TestConcurrentInvokeGivesUp(t *testing.T) {
	s, rt := startConcurrentServer(t, 2)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for range 16 {
		if _, err := s.Invoke(ctx, invocation("gone")); !errors.Is(err, context.Canceled) {
			t.Fatalf("Invoke with an ended context = %v, want context.Canceled", err)
		}
	}
	r := invokeAsync(s, invocation("r1"))
	rt.next()
	rt.post("invocation/r1/response", strings.NewReader(`1`), nil, nil)
	if res := await(t, r); res.err != nil {
		t.Errorf("Invoke after two gave up: %v", res.err)
	}
}

// serveNext plays a runtime worker asking s for its next event, without a
// network, so that synctest sees it wait; it returns the answer.
func serveNext(ctx context.Context, s *Server) <-chan *httptest.ResponseRecorder {
	ch := make(chan *httptest.ResponseRecorder, 1)
	go func() {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, http.MethodGet, apiPrefix+"invocation/next", nil))
		ch <- rec
	}()
	return ch
}

// TestConcurrentAnswerBeforeDelivery checks that a concurrent server
// refuses an answer for an invocation it took on but has not handed to the
// runtime yet: no worker was told that request id.
func TestConcurrentAnswerBeforeDelivery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := NewConcurrentServer(2)
		r1 := invokeAsync(s, invocation("r1"))
		synctest.Wait() // r1 is in flight, waiting for a worker
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, apiPrefix+"invocation/r1/response", strings.NewReader(`1`)))
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "InvalidRequestID") {
			t.Errorf("POST r1 response before delivery = %d %s, want 400 InvalidRequestID", rec.Code, rec.Body)
		}
		s.Close(nil)
		if res := <-r1; !errors.Is(res.err, ErrClosed) {
			t.Errorf("Invoke r1 = %v, want ErrClosed", res.err)
		}
	})
}

// TestConcurrentDuplicateHoldsNoSlot checks that an invocation refused for
// a request id in flight leaves the slot it waited for: the server still
// takes on its max.
func TestConcurrentDuplicateHoldsNoSlot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := NewConcurrentServer(2)
		r1 := invokeAsync(s, invocation("r1"))
		synctest.Wait()
		if _, err := s.Invoke(t.Context(), invocation("r1")); err == nil || !strings.Contains(err.Error(), "in flight already") {
			t.Errorf("Invoke of a request id in flight = %v, want a refusal", err)
		}
		r2 := invokeAsync(s, invocation("r2"))
		workers := []<-chan *httptest.ResponseRecorder{serveNext(t.Context(), s), serveNext(t.Context(), s)}
		synctest.Wait()
		var delivered []string
		var waiting []<-chan *httptest.ResponseRecorder
		for _, w := range workers {
			select {
			case rec := <-w:
				delivered = append(delivered, rec.Header().Get(HeaderRequestID))
			default:
				waiting = append(waiting, w)
			}
		}
		slices.Sort(delivered)
		if diff := cmp.Diff([]string{"r1", "r2"}, delivered); diff != "" {
			t.Errorf("delivered request ids (-want +got):\n%s", diff)
		}
		s.Close(nil)
		<-r1
		<-r2
		for _, w := range waiting {
			<-w // told the environment shuts down
		}
	})
}

// TestConcurrentIdleWhileAWorkerWaits checks that a concurrent server stays
// idle, as Lambda sees it, while one of its workers still waits for an
// event after another took one, and is not once none waits.
func TestConcurrentIdleWhileAWorkerWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := NewConcurrentServer(2)
		workers := []<-chan *httptest.ResponseRecorder{serveNext(t.Context(), s), serveNext(t.Context(), s)}
		synctest.Wait()
		r1 := invokeAsync(s, invocation("r1"))
		select {
		case <-workers[0]:
		case <-workers[1]:
			workers[0], workers[1] = workers[1], workers[0]
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		if _, err := s.WaitIdle(ctx); err != nil {
			t.Errorf("WaitIdle with a worker waiting: %v", err)
		}
		// Once the last waiting worker takes an event, none waits.
		r2 := invokeAsync(s, invocation("r2"))
		<-workers[1]
		ctx, cancel = context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		if _, err := s.WaitIdle(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("WaitIdle with every worker busy = %v, want it to wait", err)
		}
		s.Close(nil)
		<-r1
		<-r2
	})
}
