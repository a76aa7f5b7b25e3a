package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// checkLogs reads the log files of the functions behind the local front
// (the real bootstraps' output, the authorizer's included, beside the
// front's own lines) and fails if a line is not a JSON object: CloudWatch
// Logs Insights reads JSON lines, and a stack trace or a plain line from
// the Lambda runtime would mean a panic or a logger left unconfigured.
// (The local servers print their URL on a line of its own; the suites'
// logs are theirs.) The front writes its lines to the same file, so each
// file must also hold a line only the function writes (functionLine):
// without one, the function's output never reached the file, and its
// lines went unchecked.
func checkLogs(dir string) result {
	var files []string
	for _, server := range []string{"everything", "reference"} {
		found, _ := filepath.Glob(filepath.Join(dir, "logs", server+"-*.log"))
		for _, f := range found {
			if !strings.HasSuffix(f, "-local.log") {
				files = append(files, f)
			}
		}
	}
	r := result{suite: "function log lines are JSON", target: "all"}
	if len(files) == 0 {
		r.detail = "no function log files under " + dir
		return r
	}
	var bad []string
	lines := 0
	for _, f := range files {
		n, own, found, err := nonJSONLines(f, 3)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		lines += n
		if n == 0 {
			// Every function behind the front was invoked, and the front
			// logs each request to the same file: an empty file means
			// the output never reached it, and nothing was checked.
			bad = append(bad, filepath.Base(f)+": no lines")
		} else if own == 0 {
			bad = append(bad, filepath.Base(f)+": no request line of the function's own, only the front's")
		}
		for _, l := range found {
			bad = append(bad, filepath.Base(f)+": "+l)
		}
	}
	if len(bad) > 0 {
		r.detail = strings.Join(bad, "; ")
		return r
	}
	r.ok = true
	r.detail = fmt.Sprintf("%d lines in %d files", lines, len(files))
	return r
}

// nonJSONLines counts the lines of the file and those the function wrote
// (functionLine), and returns up to max of the lines that are not JSON
// objects, each cut to 200 bytes.
func nonJSONLines(path string, max int) (lines, own int, bad []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		lines++
		// null decodes into a map without error, and is no object.
		var obj map[string]any
		switch {
		case json.Unmarshal(line, &obj) != nil || obj == nil:
			if len(bad) < max {
				bad = append(bad, fmt.Sprintf("line %d: %.200s", n, line))
			}
		case functionLine(obj):
			own++
		}
	}
	return lines, own, bad, sc.Err()
}

// functionLine reports whether a log line is one the function wrote: the
// line lambdamcp logs for each request it served (guard.go), which names
// the event's shape and the Lambda request id in snake case. The front's
// line for the same request is also "request", but has neither field (it
// names requestId, and gatewayRequestId on rest and http), nor have the
// Lambda runtime's lines it writes (REPORT, START…).
func functionLine(obj map[string]any) bool {
	_, shape := obj["shape"].(string)
	_, id := obj["request_id"].(string)
	return obj["msg"] == "request" && shape && id
}
