package lambdamcp

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// qvalue is RFC 9110's grammar of a weight (12.4.2).
var qvalue = regexp.MustCompile(`^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$`)

// acceptModel reads Accept values as RFC 9110 (12.5.1) has them read,
// each element split off at a comma as the go-sdk splits them: for each of
// application/json and text/event-stream, the most specific media ranges
// that match it (the type, then type/*, then */*) decide, and the type is
// admitted when one of them has a weight above 0. matched says whether any
// range matched. ok is false when a weight is no qvalue, which the RFC
// leaves unread: the model says nothing of such values.
func acceptModel(values []string) (admitJSON, admitStream, matchedJSON, matchedStream, ok bool) {
	type element struct {
		mediaRange string
		zero       bool
	}
	var elems []element
	for _, v := range values {
		for _, raw := range strings.Split(v, ",") {
			parts := strings.Split(raw, ";")
			e := element{mediaRange: strings.ToLower(strings.TrimSpace(parts[0]))}
			for _, p := range parts[1:] {
				name, value, _ := strings.Cut(p, "=")
				if strings.ToLower(strings.TrimSpace(name)) != "q" {
					continue
				}
				value = strings.TrimSpace(value)
				if !qvalue.MatchString(value) {
					return false, false, false, false, false
				}
				e.zero = strings.Trim(value, "0.") == ""
				break // the first q is the weight; what follows is accept-ext
			}
			elems = append(elems, e)
		}
	}
	admits := func(typ, subtype string) (admitted, matched bool) {
		best := 0
		for _, e := range elems {
			s := 0
			switch e.mediaRange {
			case typ + "/" + subtype:
				s = 3
			case typ + "/*":
				s = 2
			case "*/*":
				s = 1
			}
			switch {
			case s == 0:
			case s > best:
				best, admitted = s, !e.zero
			case s == best:
				admitted = admitted || !e.zero
			}
		}
		return admitted, best > 0
	}
	admitJSON, matchedJSON = admits("application", "json")
	admitStream, matchedStream = admits("text", "event-stream")
	return admitJSON, admitStream, matchedJSON, matchedStream, true
}

// goSDKAccepts is how the go-sdk (v1.8.0, streamableAccepts) reads Accept
// values: any range that matches a type admits it, whatever its weight.
func goSDKAccepts(values []string) (jsonOK, streamOK bool) {
	for _, v := range values {
		for _, raw := range strings.Split(v, ",") {
			base, _, _ := strings.Cut(strings.TrimSpace(raw), ";")
			switch strings.ToLower(strings.TrimSpace(base)) {
			case "application/json", "application/*":
				jsonOK = true
			case "text/event-stream", "text/*":
				streamOK = true
			case "*/*":
				jsonOK, streamOK = true, true
			}
		}
	}
	return jsonOK, streamOK
}

// FuzzAcceptance checks the guard's reading of a POST's and a stream
// GET's Accept (acceptance, streamAcceptance) against acceptModel: what
// is admitted is served, as is, or with no Accept at all rewritten to the
// pair the go-sdk requires; what is not gets 406, saying q=0 admits
// nothing exactly when the most specific ranges of the type lacking all
// had the weight 0. Whatever the weights, nothing goes on unrewritten that
// the go-sdk would refuse with its own 400. Lines of accept are separate
// Accept header lines.
func FuzzAcceptance(f *testing.F) {
	for _, accept := range []string{
		"",
		"application/json, text/event-stream",
		"application/json",
		"text/event-stream",
		"*/*",
		"*/*;q=0",
		"application/*, text/*",
		"APPLICATION/JSON ; Q=0.5 , Text/Event-Stream",
		"application/json;q=0, */*",
		"application/json;q=0, application/json, text/event-stream",
		"application/json;charset=utf-8;q=0.000;level=1, text/event-stream;q=1.000",
		"application/json;q=0.001, text/*;q=0",
		"application/json;x=1;q=1;q=0, text/event-stream",
		"application/json\ntext/event-stream;q=0",
		"application/json;q=00, text/event-stream",
		"application/json;q=abc, text/event-stream;q=",
		"text/html, image/png;q=0",
		",,;,",
	} {
		f.Add(accept, false)
		f.Add(accept, true)
	}
	f.Fuzz(func(t *testing.T, accept string, jsonResponse bool) {
		var values []string
		if accept != "" {
			values = strings.Split(accept, "\n")
		}
		rewrite, rej := acceptance(values, jsonResponse)
		streamRewrite, streamRej := streamAcceptance(values)
		// The go-sdk must take what goes on as it is.
		sdkJSON, sdkStream := goSDKAccepts(values)
		if rej == nil && !rewrite && !(sdkJSON && sdkStream) {
			t.Errorf("acceptance(%q, %v) passes on an Accept the go-sdk refuses", values, jsonResponse)
		}
		if streamRej == nil && !streamRewrite && !sdkStream {
			t.Errorf("streamAcceptance(%q) passes on an Accept the go-sdk refuses", values)
		}
		for _, r := range []*rejection{rej, streamRej} {
			if r != nil && (r.status != http.StatusNotAcceptable || r.code != codeInvalidRequest) {
				t.Errorf("Accept %q refused with %d %d, want 406 %d", values, r.status, r.code, codeInvalidRequest)
			}
		}
		if len(values) == 0 {
			if !rewrite || rej != nil || !streamRewrite || streamRej != nil {
				t.Errorf("no Accept: rewrite %v %v, refusals %v %v; want both rewritten", rewrite, streamRewrite, rej, streamRej)
			}
			return
		}
		admitJSON, admitStream, matchedJSON, matchedStream, ok := acceptModel(values)
		if !ok {
			return
		}
		// A POST.
		const zeroNote = "q=0 admits nothing"
		switch {
		case admitJSON && admitStream:
			if rej != nil || rewrite {
				t.Errorf("acceptance(%q, %v) = %v, %v; want it served as it is", values, jsonResponse, rewrite, rej)
			}
		case jsonResponse && admitJSON:
			if rej != nil || !rewrite {
				t.Errorf("acceptance(%q, %v) = %v, %v; want it rewritten", values, jsonResponse, rewrite, rej)
			}
		default:
			weighedOut := matchedJSON && !admitJSON
			if !jsonResponse {
				weighedOut = weighedOut || matchedStream && !admitStream
			}
			if rej == nil {
				t.Errorf("acceptance(%q, %v) took it; want 406", values, jsonResponse)
			} else if strings.Contains(rej.msg, zeroNote) != weighedOut {
				t.Errorf("acceptance(%q, %v) says %q; want the note on q=0: %v", values, jsonResponse, rej.msg, weighedOut)
			}
		}
		// A GET opening the session's stream.
		switch {
		case admitStream:
			if streamRej != nil || streamRewrite {
				t.Errorf("streamAcceptance(%q) = %v, %v; want it served as it is", values, streamRewrite, streamRej)
			}
		case streamRej == nil:
			t.Errorf("streamAcceptance(%q) took it; want 406", values)
		case strings.Contains(streamRej.msg, zeroNote) != matchedStream:
			t.Errorf("streamAcceptance(%q) says %q; want the note on q=0: %v", values, streamRej.msg, matchedStream)
		}
	})
}
