package lambdamcp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdamcp/lambdamcp"
)

// TestStreamHeartbeatOnlyWhenQuiet checks that heartbeats fill silences
// only: a handler that writes events more often than half the interval
// gets none between them, and a silence after them gets some. It runs in
// a synctest bubble, so that the time between writes is exact whatever
// the machine's load.
func TestStreamHeartbeatOnlyWhenQuiet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const interval = time.Second
		const busy = 20 // events a fifth of the interval apart
		event := func(i int) string {
			return fmt.Sprintf(`event: message`+"\n"+`data: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":%d}}`+"\n\n", i)
		}
		h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			for i := range busy {
				fmt.Fprint(w, event(i))
				w.(http.Flusher).Flush()
				time.Sleep(interval / 5)
			}
			time.Sleep(3 * interval)
			fmt.Fprint(w, `event: message`+"\n"+`data: {"jsonrpc":"2.0","id":1,"result":{"content":[]}}`+"\n\n")
		}), &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, Heartbeat: interval})

		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "quiet-beat"})
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		s, _ := openStream(t, ctx, h, urlEvent(t, jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}`)))
		var got []string
		for item, ok := s.next(); ok; item, ok = s.next() {
			if item.comment != "" {
				got = append(got, item.comment)
			} else {
				got = append(got, "event")
			}
		}
		seq := strings.Join(got, " ")
		events := strings.TrimSpace(strings.Repeat("event ", busy))
		if !strings.HasPrefix(seq, events+" heartbeat") || !strings.HasSuffix(seq, "heartbeat event") {
			t.Errorf("stream = %s\nwant %d events, then heartbeats only in the silence, then the result", seq, busy)
		}
	})
}

// TestStreamNoHeartbeatInJSON checks that a streamed answer that is no
// event stream gets no heartbeats, however long it stays quiet: an SSE
// comment in a JSON body would make it no JSON at all. It runs in a
// synctest bubble, so that the silences are exact whatever the machine's
// load.
func TestStreamNoHeartbeatInJSON(t *testing.T) {
	const interval = time.Second
	const answer = `{"jsonrpc":"2.0","id":1,"result":{"content":[]}}`
	tests := []struct {
		name  string
		begin func(w http.ResponseWriter) // what the handler sends before its silence
		rest  string                      // what it writes after it
	}{
		{"head flushed", func(w http.ResponseWriter) { w.(http.Flusher).Flush() }, answer},
		{"half the value written", func(w http.ResponseWriter) { io.WriteString(w, answer[:20]) }, answer[20:]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					tc.begin(w)
					time.Sleep(3 * interval)
					io.WriteString(w, tc.rest)
				}), &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, Heartbeat: interval})

				ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "quiet-json"})
				ctx, cancel := context.WithTimeout(ctx, time.Minute)
				defer cancel()
				s, _ := openStream(t, ctx, h, urlEvent(t, jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}`)))
				body, err := io.ReadAll(s.r)
				if err != nil {
					t.Fatalf("reading body: %v", err)
				}
				if string(body) != answer {
					t.Errorf("body %q, want the handler's answer alone, %q", body, answer)
				}
			})
		})
	}
}

// TestStreamSilenceShorterThanInterval checks that no silence on a quiet
// event stream reaches the heartbeat interval, wherever the handler's last
// write falls between the ticks: a gateway or client that gives up after
// that long without a byte must not cut the stream. Its event falls just
// after a tick, where a heartbeat waiting for a whole interval of quiet
// would leave nearly one and a half.
func TestStreamSilenceShorterThanInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const interval = time.Second
		event := `event: message` + "\n" + `data: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}` + "\n\n"
		h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			fmt.Fprint(w, event)
			// Just past the first tick (half the interval), off any later one.
			time.Sleep(interval/2 + interval/10)
			fmt.Fprint(w, event)
			time.Sleep(3 * interval)
			fmt.Fprint(w, `event: message`+"\n"+`data: {"jsonrpc":"2.0","id":1,"result":{"content":[]}}`+"\n\n")
		}), &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, Heartbeat: interval})

		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "silence-gap"})
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		s, _ := openStream(t, ctx, h, urlEvent(t, jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}`)))
		// Inside the bubble, an item is read at the instant it is written.
		last := time.Now()
		var longest time.Duration
		var beats int
		for item, ok := s.next(); ok; item, ok = s.next() {
			longest = max(longest, time.Since(last))
			last = time.Now()
			if item.comment == "heartbeat" {
				beats++
			}
		}
		if longest >= interval || beats == 0 {
			t.Errorf("longest silence %v with %d heartbeats, want some heartbeats and every silence shorter than the interval %v", longest, beats, interval)
		}
	})
}

// TestStreamEmptyWrite checks that a write of no bytes, which sends
// nothing, counts for nothing: a stream kept "busy" by empty writes still
// gets heartbeats, so that no silence reaches the interval, and a call
// whose handler wrote nothing else is still answered at the deadline,
// as it is when the handler only set the status.
func TestStreamEmptyWrite(t *testing.T) {
	const interval = time.Second
	call := jsonPost(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}`)
	t.Run("heartbeats", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				fmt.Fprint(w, `event: message`+"\n"+`data: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}`+"\n\n")
				for range 30 {
					fmt.Fprint(w, "")
					time.Sleep(interval / 10)
				}
				fmt.Fprint(w, `event: message`+"\n"+`data: {"jsonrpc":"2.0","id":1,"result":{"content":[]}}`+"\n\n")
			}), &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}, Heartbeat: interval})

			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "empty-writes"})
			ctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			s, _ := openStream(t, ctx, h, urlEvent(t, call))
			// Inside the bubble, an item is read at the instant it is written.
			last := time.Now()
			var longest time.Duration
			for _, ok := s.next(); ok; _, ok = s.next() {
				longest = max(longest, time.Since(last))
				last = time.Now()
			}
			if longest >= interval {
				t.Errorf("longest silence %v, want every silence shorter than the interval %v", longest, interval)
			}
		})
	})
	t.Run("deadline", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			h := lambdamcp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Write(nil)
				<-r.Context().Done()
			}), &lambdamcp.Options{Stream: []lambdamcp.Shape{lambdamcp.ShapeURL}})

			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "empty-write"})
			ctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			s, head := openStream(t, ctx, h, urlEvent(t, call))
			body, err := io.ReadAll(s.r)
			if err != nil {
				t.Fatalf("reading body: %v", err)
			}
			var got struct {
				ID    int `json:"id"`
				Error struct {
					Code int `json:"code"`
				} `json:"error"`
			}
			if err := json.Unmarshal(body, &got); err != nil || head.StatusCode != http.StatusOK || got.ID != 1 || got.Error.Code != -32001 {
				t.Errorf("answer %d %q, want 200 with error -32001 for call 1", head.StatusCode, body)
			}
		})
	})
}
