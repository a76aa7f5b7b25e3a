package lambdamcp

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// DefaultMetricsNamespace is the CloudWatch namespace of lambdamcp's
// metrics when Options.MetricsNamespace is empty.
const DefaultMetricsNamespace = "lambdamcp"

// emfWriter writes one CloudWatch Embedded Metric Format line per tool
// call: CloudWatch Logs turns the lines Lambda sends it into the metrics
// Calls, Errors, Faults (Count) and Latency (Milliseconds), per function
// and Tool and per function, without an API call from the function.
type emfWriter struct {
	namespace string
	function  string // the Lambda function's name; "" off Lambda
	mu        sync.Mutex
	w         io.Writer
	now       func() time.Time
}

// validMetricsNamespace reports whether CloudWatch takes ns as a namespace:
// 1 to 255 of the characters it documents (letters, digits, ". - _ / # :"
// and space), at least one not a space, not beginning with ":", and not
// in the AWS/ namespaces it reserves for its own services.
func validMetricsNamespace(ns string) bool {
	if len(ns) == 0 || len(ns) > 255 || ns[0] == ':' || strings.HasPrefix(ns, "AWS/") || strings.TrimSpace(ns) == "" {
		return false
	}
	for i := 0; i < len(ns); i++ {
		c := ns[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".-_/#: ", c) >= 0) {
			return false
		}
	}
	return true
}

func newEMFWriter(w io.Writer, namespace string) *emfWriter {
	if namespace == "" {
		namespace = DefaultMetricsNamespace
	}
	return &emfWriter{namespace: namespace, function: lambdacontext.FunctionName, w: w, now: time.Now}
}

type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

type emfLine struct {
	AWS struct {
		Timestamp         int64          `json:"Timestamp"`
		CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
	} `json:"_aws"`
	Function  string  `json:"FunctionName,omitempty"`
	Tool      string  `json:"Tool"`
	Calls     int     `json:"Calls"`
	Errors    int     `json:"Errors"`
	Faults    int     `json:"Faults"`
	Latency   float64 `json:"Latency"`
	Outcome   string  `json:"Outcome"`
	RequestID string  `json:"RequestId,omitempty"`
}

// emfFunctionDimensions give each metric per function and Tool, and per
// function over all its tools: an alarm on the service as a whole needs no
// metric math over tools that may not exist yet, and deployments that
// share an account and namespace (a dev and a prod stack, say) stay apart.
// FunctionName is the dimension AWS/Lambda's own metrics use. Off Lambda
// (no function name) the sets are the same without it, the second empty,
// as the format allows.
var (
	emfFunctionDimensions = [][]string{{"FunctionName", "Tool"}, {"FunctionName"}}
	emfDimensions         = [][]string{{"Tool"}, {}}
)

var emfMetrics = []emfMetric{{"Calls", "Count"}, {"Errors", "Count"}, {"Faults", "Count"}, {"Latency", "Milliseconds"}}

// write writes the line of one call. Errors counts every call not answered
// with a result; Faults only those the server failed (fault), which an
// alarm watches: a client's mistakes and a tool's isError results are
// Errors alone.
func (e *emfWriter) write(tool, outcome string, fault bool, d time.Duration, requestID string) {
	var l emfLine
	l.AWS.Timestamp = e.now().UnixMilli()
	dims := emfDimensions
	if e.function != "" {
		dims = emfFunctionDimensions
	}
	l.AWS.CloudWatchMetrics = []emfDirective{{Namespace: e.namespace, Dimensions: dims, Metrics: emfMetrics}}
	l.Function = e.function
	l.Tool, l.Calls, l.Latency, l.Outcome, l.RequestID = dimensionValue(tool), 1, float64(d.Microseconds())/1000, outcome, requestID
	if outcome != OutcomeOK {
		l.Errors = 1
	}
	if fault {
		l.Faults = 1
	}
	b, err := json.Marshal(l)
	if err != nil {
		return
	}
	b = append(b, '\n')
	e.mu.Lock()
	defer e.mu.Unlock()
	e.w.Write(b) // metrics are best effort: a failed write must not fail the request
}

// maxDimensionValueBytes is the longest dimension value CloudWatch takes.
const maxDimensionValueBytes = 1024

// dimensionValue is tool in a form CloudWatch takes as a dimension value:
// printable ASCII, 1 to 1024 bytes, not all spaces. A line with any other
// value gives no metric at all, the per-function one an alarm watches
// included, and the go-sdk adds a tool of any name (it only logs one
// outside [A-Za-z0-9_.-]). Other characters are written as \uXXXX (or
// \UXXXXXXXX), a byte that is no UTF-8 as \xHH and a backslash as \\, so
// that distinct names stay distinct (those short enough not to be cut: up
// to 170 bytes whatever they hold); a name that is blank counts as
// OtherTool.
func dimensionValue(tool string) string {
	if len(tool) <= maxDimensionValueBytes && strings.TrimSpace(tool) != "" && printableASCII(tool) && !strings.Contains(tool, `\`) {
		return tool
	}
	var b strings.Builder
	for i := 0; i < len(tool); {
		r, size := utf8.DecodeRuneInString(tool[i:])
		var piece string
		switch {
		case r == utf8.RuneError && size == 1:
			piece = fmt.Sprintf(`\x%02x`, tool[i])
		case r == '\\':
			piece = `\\`
		case r >= 0x20 && r < 0x7f:
			piece = string(r)
		case r <= 0xffff:
			piece = fmt.Sprintf(`\u%04x`, r)
		default:
			piece = fmt.Sprintf(`\U%08x`, r)
		}
		if b.Len()+len(piece) > maxDimensionValueBytes {
			break
		}
		b.WriteString(piece)
		i += size
	}
	if strings.TrimSpace(b.String()) == "" {
		return OtherTool
	}
	return b.String()
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
