package lambdamcp_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/lambdamcp/lambdamcp"
)

// TestMetricsNamespaceWarningEscaped checks that the warning of a
// namespace CloudWatch would refuse is logged once, as the handler is
// made, without a request id, and quotes the namespace escaped as every
// other quoted value is: a bidi control in it would otherwise reorder the
// line as a terminal or a console shows it.
func TestMetricsNamespaceWarningEscaped(t *testing.T) {
	server, _ := newHardServer(t)
	var metrics, logs bytes.Buffer
	opts := hardOptions(&logs)
	opts.Metrics, opts.MetricsNamespace = &metrics, "app\u202emcp"
	h := lambdamcp.NewHandler(streamable(server), opts)
	invokeAs(t, h, "req-ns1", call("echo", `{"bytes":1}`))
	invokeAs(t, h, "req-ns2", call("echo", `{"bytes":1}`))
	var warnings []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if msg, _ := rec["msg"].(string); strings.Contains(msg, "MetricsNamespace") {
			warnings = append(warnings, rec)
		}
	}
	if len(warnings) != 1 {
		t.Fatalf("%d warnings of the namespace, want 1; logs:\n%s", len(warnings), logs.String())
	}
	w := warnings[0]
	if _, ok := w["request_id"]; ok {
		t.Errorf("warning %v has a request id", w)
	}
	if ns, _ := w["namespace"].(string); ns != `app\u202emcp` {
		t.Errorf("namespace %q in the warning, want it escaped, %q", ns, `app\u202emcp`)
	}
}
