package auth

import (
	"runtime"
	"slices"
	"strings"

	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// envNames are the variables ConfigFromEnv reads.
var envNames = []string{
	EnvTokenSHA256, EnvJWTIssuer, EnvJWTJWKSURL, EnvJWTAudience, EnvJWTAudienceClaim,
	EnvRequiredScopes, EnvScopeImplies, EnvResourceURL, EnvResourceMetadataURL,
	EnvAuthorizationServers, EnvAllowedOrigins, EnvFromAuthorizer,
}

// foldedNames reports whether the system reads the environment's names
// without regard to letter case, as Windows does: there os.Getenv reads
// mcp_stream as MCP_STREAM.
var foldedNames = runtime.GOOS == "windows"

// UnreadVar is a variable of the environment that looks meant for
// [ConfigFromEnv], or for a program reading it, yet is none of the names
// they read, so that its value is ignored.
type UnreadVar struct {
	Name  string // as set
	Meant string // the name read that it is nearest to; "" when none is near
}

// String says what is wrong, naming the variable and never its value. The
// name is escaped (textcut.Printable) and cut: the environment's names may
// be of any size and hold any byte but "=".
func (u UnreadVar) String() string {
	s := textcut.Printable(textcut.Cut(u.Name, maxQuotedValueBytes)) + " is set, and nothing reads it"
	if u.Meant != "" {
		s += "; did you mean " + u.Meant + "?"
	}
	return s
}

// UnreadVars returns the variables of environ ("NAME=value" entries, as
// os.Environ lists them) that look meant for ConfigFromEnv, or for a
// program that also reads the names in also, yet are none of them: any
// name under MCP_AUTH_ or MCP_JWT_, which ConfigFromEnv owns, and any
// other MCP_ name within two typing mistakes (a letter left out, added,
// changed, or two swapped) of a name read, such as MCP_REQUIRED_SCOPE, or
// within one of a name of six letters or fewer after MCP_ (MCP_ADR for
// MCP_ADDR, not MCP_DIR), or a name read with up to three letters added
// to its last word (MCP_ADDRESS, not MCP_STREAMABLE), or a name
// ConfigFromEnv reads with its AUTH_ or JWT_ word left out or put in
// (MCP_TOKEN_SHA256, MCP_JWT_REQUIRED_SCOPES), letter case aside (mcp_stream is not
// MCP_STREAM, yet meant as it; on Windows, which reads names so, it is
// MCP_STREAM, and not returned). A misspelt setting is otherwise ignored
// in silence: a scope every token was meant to need is then needed by
// none. Other names are left alone, as a program may read MCP_ names of
// its own.
func UnreadVars(environ []string, also ...string) []UnreadVar {
	known := slices.Concat(envNames, also)
	var out []UnreadVar
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		upper := strings.ToUpper(name) // names are case-sensitive; people's typing is not
		if !strings.HasPrefix(upper, "MCP_") || slices.Contains(known, name) {
			continue
		}
		if foldedNames && slices.ContainsFunc(known, func(k string) bool { return strings.EqualFold(k, name) }) {
			continue // read as it stands
		}
		meant, best := "", 3
		for _, k := range known {
			if d := typos(upper, k); d < best && d <= allowedTypos(k) {
				meant, best = k, d
			}
		}
		if meant == "" {
			meant = lengthened(upper, known)
		}
		if meant == "" {
			meant = reworded(upper)
		}
		if meant != "" || strings.HasPrefix(upper, "MCP_AUTH_") || strings.HasPrefix(upper, "MCP_JWT_") {
			out = append(out, UnreadVar{Name: name, Meant: meant})
		}
	}
	return out
}

// reworded returns the name ConfigFromEnv reads that upper is with its AUTH_ or
// JWT_ word left out (MCP_TOKEN_SHA256, MCP_FROM_AUTHORIZER,
// MCP_JWKS_URL) or put in where the name has none
// (MCP_JWT_REQUIRED_SCOPES), or "" when there is none: a word, not a
// letter, yet as plainly meant, and without it a token hash or the
// authorizer's trust would be ignored in silence.
func reworded(upper string) string {
	rest, ok := strings.CutPrefix(upper, "MCP_")
	if !ok {
		return ""
	}
	candidates := []string{"MCP_AUTH_" + rest, "MCP_JWT_" + rest}
	for _, word := range []string{"AUTH_", "JWT_"} {
		if r, ok := strings.CutPrefix(rest, word); ok {
			candidates = append(candidates, "MCP_"+r)
		}
	}
	for _, c := range candidates {
		if slices.Contains(envNames, c) {
			return c
		}
	}
	return ""
}

// maxAddedLetters is how many letters a name read may run on by in a name
// meant for it: an ending (MCP_ADDRESS, MCP_STREAMS, MCP_STREAMING), not a
// word of its own (MCP_STREAMABLE).
const maxAddedLetters = 3

// lengthened returns the name of known that upper is with up to
// maxAddedLetters letters added to its last word, as MCP_ADDRESS is
// MCP_ADDR's, or "" when there is none. A name that goes on with "_" or a
// digit is another name, such as a program's MCP_STREAM_TIMEOUT.
func lengthened(upper string, known []string) string {
	for _, k := range known {
		rest, ok := strings.CutPrefix(upper, k)
		if !ok || rest == "" || len(rest) > maxAddedLetters {
			continue
		}
		if strings.IndexFunc(rest, func(r rune) bool { return r < 'A' || r > 'Z' }) < 0 {
			return k
		}
	}
	return ""
}

// allowedTypos is how many typing mistakes make a name look meant for
// known: two, but one for a name of six letters or fewer after MCP_, such
// as MCP_ADDR, two mistakes from which are another word (MCP_DIR) that a
// program may well read itself.
func allowedTypos(known string) int {
	if len(strings.TrimPrefix(known, "MCP_")) <= 6 {
		return 1
	}
	return 2
}

// typos is the number of typing mistakes that turn a into b: letters left
// out, added or changed, and neighbours swapped (the optimal string
// alignment distance), counted in bytes, as the names are ASCII.
func typos(a, b string) int {
	// d[i][j] is the distance between a[:i] and b[:j]; three rows suffice.
	prev2, prev, cur := make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
