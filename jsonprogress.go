package lambdamcp

// answerBody follows a plain answer (not an event stream) as its body is
// written, enough to tell at the deadline whether it answers anything: a
// JSON answer only once it is one whole value, and an answer without a
// Content-Type only once a byte of it is written. The guard's writer and a
// stream's writer each keep one.
type answerBody struct {
	json    bool         // the answer's type is JSON
	untyped bool         // the answer has no Content-Type
	wrote   bool         // a byte of the body has been written
	body    jsonProgress // the JSON answer written so far
}

// start notes the answer's Content-Type, as its head goes out.
func (a *answerBody) start(contentType string) {
	a.json, a.untyped = isJSON(contentType), contentType == ""
}

// add notes p, written to the body.
func (a *answerBody) add(p []byte) {
	a.wrote = a.wrote || len(p) > 0
	if a.json {
		a.body.add(p)
	}
}

// bare reports whether the answer has neither a type nor a byte of body.
func (a *answerBody) bare() bool { return a.untyped && !a.wrote }

// unfinished reports whether what was written answers nothing yet: a JSON
// answer empty or cut short, or a bare head.
func (a *answerBody) unfinished() bool { return a.json && !a.body.whole() || a.bare() }

// jsonProgress follows a JSON answer as it is written, in pieces of any
// size and without holding them, enough to tell whether it is one whole
// object or array (a batch's answer): its brackets closed outside strings,
// with nothing but white space after. It does not validate what lies
// between; it tells an answer cut short from a finished one.
type jsonProgress struct {
	depth                                 int
	began, ended, bad, inString, escaping bool
}

// add notes p, written to the answer.
func (j *jsonProgress) add(p []byte) { j.scan(p, false) }

// addValue notes p up to the end of the value it finishes, if one ends in
// it, and returns how much of p it noted: where the value ends, or all of
// p. What follows a value is another's start, for a caller that takes
// values one after another (and so starts a jsonProgress afresh).
func (j *jsonProgress) addValue(p []byte) int { return j.scan(p, true) }

// scan notes p, or, if stop, p up to the end of the value ended in it,
// and returns how much it noted.
func (j *jsonProgress) scan(p []byte, stop bool) int {
	for i, c := range p {
		switch {
		case j.bad:
			return len(p)
		case j.inString:
			switch {
			case j.escaping:
				j.escaping = false
			case c == '\\':
				j.escaping = true
			case c == '"':
				j.inString = false
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		case j.ended:
			j.bad = true
		case !j.began:
			j.began, j.depth, j.bad = true, 1, c != '{' && c != '['
		case c == '"':
			j.inString = true
		case c == '{' || c == '[':
			j.depth++
		case c == '}' || c == ']':
			j.depth--
			j.ended = j.depth == 0
			if j.ended && stop {
				return i + 1
			}
		}
	}
	return len(p)
}

// whole reports whether what was written is one whole object or array.
func (j *jsonProgress) whole() bool { return j.ended && !j.bad }
