package main

import (
	"context"
	"io"
	"iter"
	"net/http"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// cancelGrace bounds the wait for a cut call's notifications/cancelled: a
// run cut short ends at most about this long after the cut.
var cancelGrace = time.Second

// cancelNotice follows the notifications/cancelled the go-sdk sends when
// the run's context cuts a call short. It sends it from a goroutine of its
// own (mcp/transport.go, call), which a session closed first refuses to
// send: jsonrpc2's Notify refuses a closing connection once no call is in
// flight, and the cut call was retired already (internal/jsonrpc2/conn.go,
// Notify). A session closed while the notification is being sent waits
// for it instead; so the run waits until the notification has been
// answered, then closes. The go-sdk sends none when no request was in
// flight (an interrupt between two), and the run waits for none then.
type cancelNotice struct {
	interrupted context.Context // done once the user pressed Ctrl-C
	once        sync.Once
	answered    chan struct{}
}

func newCancelNotice(interrupted context.Context) *cancelNotice {
	return &cancelNotice{interrupted: interrupted, answered: make(chan struct{})}
}

// limit is ctx bounded by cancelGrace, and by a Ctrl-C that comes after
// the cut (the one that made it is no reason to give up; a second ends
// the process, see main).
func (n *cancelNotice) limit(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, cancelGrace)
	if n.interrupted.Err() != nil {
		return ctx, cancel
	}
	stop := context.AfterFunc(n.interrupted, cancel)
	return ctx, func() { stop(); cancel() }
}

// roundTrip posts r, a notifications/cancelled, with base, within the
// limit (the go-sdk gives it 5 s), and notes that it was answered, or
// failed. A notice outside a session is taken here, not sent: a server
// without sessions (stateless, or from 2026-07-28 on) serves each POST
// apart from the others, and no notice reaches the request it names; the
// go-sdk's Close waits for one in flight, so a server slow to take it
// would only hold the exit.
func (n *cancelNotice) roundTrip(base http.RoundTripper, r *http.Request) (*http.Response, error) {
	defer n.once.Do(func() { close(n.answered) })
	if r.Header.Get("Mcp-Session-Id") == "" {
		if r.Body != nil {
			r.Body.Close() // a RoundTripper closes the body, sent or not
		}
		return &http.Response{
			Status: "202 Accepted", StatusCode: http.StatusAccepted,
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{}, Body: http.NoBody, Request: r,
		}, nil
	}
	ctx, cancel := n.limit(r.Context())
	return roundTripUntilClosed(ctx, cancel, base, r)
}

// wait returns once the notification has been answered, or the limit has
// passed.
func (n *cancelNotice) wait() {
	ctx, cancel := n.limit(context.Background())
	defer cancel()
	select {
	case <-n.answered:
	case <-ctx.Done():
	}
}

// roundTripUntilClosed sends r through base with ctx, which cancel ends:
// when the answer's body is closed, or at once when there is no answer.
func roundTripUntilClosed(ctx context.Context, cancel context.CancelFunc, base http.RoundTripper, r *http.Request) (*http.Response, error) {
	resp, err := base.RoundTrip(r.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose is a body whose request's context ends with it.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	defer b.cancel()
	return b.ReadCloser.Close()
}

// isCancelNotice reports whether r posts a notifications/cancelled, read
// from a copy of its body. The go-sdk's bodies are in memory, each one
// message; such a notification is small.
func isCancelNotice(r *http.Request) bool {
	if r.Method != http.MethodPost || r.GetBody == nil || r.ContentLength <= 0 || r.ContentLength > maxPeek {
		return false
	}
	body, err := r.GetBody()
	if err != nil {
		return false
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, maxPeek))
	if err != nil {
		return false
	}
	msg, err := jsonrpc.DecodeMessage(data)
	req, ok := msg.(*jsonrpc.Request)
	return err == nil && ok && !req.IsCall() && req.Method == "notifications/cancelled"
}

// cutShort reports whether err, the failure of a request the go-sdk sent
// (or tried to), came as ctx ended: the go-sdk then sends a
// notifications/cancelled for it (mcp/transport.go, call). A run that
// stopped between requests has none to wait for.
func cutShort(ctx context.Context, err error) bool {
	return err != nil && ctx.Err() != nil
}

// everyPage gathers every page of a list the go-sdk reads (step names it
// in a failure), sending no request for a next page once ctx has ended.
// It reports whether ctx cut a request short, as cutShort does.
func everyPage[T any](ctx context.Context, httpClient *http.Client, step string, pages iter.Seq2[T, error]) (_ []T, cut bool, _ error) {
	var all []T
	for v, err := range pages {
		if err != nil {
			return nil, cutShort(ctx, err), withStatus(httpClient, step, err)
		}
		if err := ctx.Err(); err != nil {
			return nil, false, err // before the next page
		}
		all = append(all, v)
	}
	return all, false, nil
}

// noticeWaited, when not nil, is called as a run starts to wait for the
// notice of a request cut short (tests watch it).
var noticeWaited func()

// closeSession closes session, first giving the notice of a request cut
// short (cut, see cutShort) its chance when the server keeps sessions. A
// server without them (stateless, or from 2026-07-28 on) serves each POST
// apart from the others: the notice cannot reach the request it names.
func closeSession(session *mcp.ClientSession, httpClient *http.Client, cut bool) {
	if rec, ok := httpClient.Transport.(*statusRecorder); ok && rec.notice != nil && cut && session.ID() != "" {
		if noticeWaited != nil {
			noticeWaited()
		}
		rec.notice.wait()
	}
	session.Close()
}
