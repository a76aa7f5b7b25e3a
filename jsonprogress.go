package lambdamcp

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
func (j *jsonProgress) add(p []byte) {
	for _, c := range p {
		switch {
		case j.bad:
			return
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
		}
	}
}

// whole reports whether what was written is one whole object or array.
func (j *jsonProgress) whole() bool { return j.ended && !j.bad }
