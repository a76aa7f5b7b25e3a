package main

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lambdamcp/lambdamcp/deploy/stack"
)

const defaultStackName = "LambdaMcp"

// stackNamePattern is what CloudFormation takes for a stack name.
var stackNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,127}$`)

// propsFromContext reads the app's context values (cdk -c key=value, or cdk.json) into stack
// props and the stack name. get reports a value and whether it is set.
func propsFromContext(get func(key string) (string, bool)) (stack.Props, string, error) {
	var p stack.Props
	var errs []string
	str := func(key string) string { v, _ := get(key); return strings.TrimSpace(v) }
	// Scopes are trimmed of ASCII white space only, as they are split at it
	// (scopeList): another space at an edge is kept, for the stack to refuse.
	unTrimmed := func(key string) string { v, _ := get(key); return v }
	integer := func(key string) int {
		v := str(key)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Sprintf("context %s=%q: want a non-negative whole number", key, v))
			return 0 // not Atoi's MaxInt for a number past an int, refused again as too many seconds
		}
		return n
	}
	// seconds reads a whole number of seconds: one past what a time.Duration holds would wrap
	// around into another value, which the stack could take as valid.
	seconds := func(key string) time.Duration {
		n := integer(key)
		if n > math.MaxInt64/int(time.Second) {
			errs = append(errs, fmt.Sprintf("context %s=%q: too many seconds", key, str(key)))
			return 0
		}
		return time.Duration(n) * time.Second
	}
	boolean := func(key string) bool {
		v := str(key)
		if v == "" {
			return false
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("context %s=%q: want true or false", key, v))
		}
		return b
	}

	p.Variant = stack.Variant(str("variant"))
	p.ServerDir = str("serverDir")
	p.ServerPackage = str("serverPackage")
	p.Stream = boolean("stream")
	p.StageName = str("stage")
	// A blank value is no 0: only the number turns the cache off.
	if str("cacheTtl") != "" {
		p.AuthorizerCacheTTL = seconds("cacheTtl")
		if p.AuthorizerCacheTTL == 0 {
			p.AuthorizerCacheTTL = -1 // 0 in the context means "off", in Props "default"
		}
	}
	// A blank value is the default, as for every number; 0 is no retention CloudWatch Logs
	// has, and not the default either: read as "never expire", it would be 30 days.
	switch v := str("logRetentionDays"); {
	case strings.EqualFold(v, "never"):
		p.LogRetentionDays = stack.LogRetentionNever
	case v != "":
		n, err := strconv.Atoi(v)
		if err != nil || !slices.Contains(stack.LogRetentionDaysAccepted(), n) {
			errs = append(errs, fmt.Sprintf("context logRetentionDays=%q: want never (logs kept forever) or a number of days CloudWatch Logs accepts, %v (blank for %d)",
				v, stack.LogRetentionDaysAccepted(), stack.DefaultLogRetentionDays))
		}
		p.LogRetentionDays = n
	}
	p.ServerMemoryMB = integer("serverMemory")
	p.ServerReservedConcurrency = integer("serverConcurrency")
	p.ServerTimeout = seconds("serverTimeout")
	// A blank value is the default; 0 is not: read as the default, it would deploy 50 requests a
	// second for whoever meant none at all, or no limit (and pass on the url variant, which
	// refuses the throttle settings, and whose refusal then speaks for a 0 too).
	for _, t := range []struct {
		key   string
		dflt  int
		limit *int
	}{{"throttleRate", stack.DefaultThrottleRate, &p.ThrottleRate}, {"throttleBurst", stack.DefaultThrottleBurst, &p.ThrottleBurst}} {
		*t.limit = integer(t.key)
		switch n, err := strconv.Atoi(str(t.key)); {
		case err != nil || n != 0:
		case p.Variant == stack.VariantURL:
			errs = append(errs, fmt.Sprintf("context %s=%q: the url variant takes no throttle setting (a Function URL has no stage to throttle); leave it blank and limit the url variant with serverConcurrency", t.key, str(t.key)))
		default:
			errs = append(errs, fmt.Sprintf("context %s=%q: want a limit of 1 or more (blank for the default, %d)", t.key, str(t.key), t.dflt))
		}
	}
	if v := str("corsOrigins"); v != "" {
		for o := range strings.SplitSeq(v, ",") {
			p.CORSAllowOrigins = append(p.CORSAllowOrigins, strings.TrimSpace(o))
		}
	}
	if v := str("corsHeaders"); v != "" {
		for h := range strings.SplitSeq(v, ",") {
			p.CORSAllowHeaders = append(p.CORSAllowHeaders, strings.TrimSpace(h))
		}
	}
	if v := str("serverEnv"); v != "" {
		p.ServerEnv = map[string]string{}
		// An entry refused is named by its name or its place, never with its value, which may
		// be a secret (or part of one, split at a comma it holds).
		i := 0
		for kv := range strings.SplitSeq(v, ",") {
			i++
			k, val, ok := strings.Cut(strings.TrimSpace(kv), "=")
			if !ok || k == "" {
				errs = append(errs, fmt.Sprintf("context serverEnv: entry %d is not NAME=value (a value holding a comma is split there)", i))
				continue
			}
			if !stack.EnvName(k) {
				// A space before the = would stay in the name, beside the one meant.
				errs = append(errs, fmt.Sprintf("context serverEnv: entry %d: Lambda takes a name of letters, digits and _, starting with a letter, at least 2, and no space before the = (a value holding a comma is split there)", i))
				continue
			}
			if _, dup := p.ServerEnv[k]; dup {
				errs = append(errs, fmt.Sprintf("context serverEnv: %q given twice", k))
				continue
			}
			p.ServerEnv[k] = val
		}
	}
	if v := str("serverSecretEnv"); v != "" {
		for name := range strings.SplitSeq(v, ",") {
			p.ServerSecretEnv = append(p.ServerSecretEnv, strings.TrimSpace(name))
		}
	}
	p.Alarms = boolean("alarms")
	p.AlarmTopicARN = str("alarmTopicArn")
	p.APIGatewayCloudWatchRole = boolean("cloudWatchRole")
	p.DetailedMetrics = boolean("detailedMetrics")
	p.Cognito = boolean("cognito")
	// A blank value is no "false": only a word turns the protection off.
	if str("cognitoDeletionProtection") != "" {
		if !p.Cognito {
			errs = append(errs, "context cognitoDeletionProtection: only with cognito=true")
		}
		// The zero Props protect the pool; the context says so in the positive.
		p.CognitoDeletable = !boolean("cognitoDeletionProtection")
	}
	if str("jwtIssuer") == "" {
		// Without an issuer the stack verifies static tokens (or Cognito's, which it
		// configures itself): these would change nothing.
		for _, key := range []string{"jwtAudience", "jwtJwksUrl", "jwtAudienceClaim", "jwtScopes", "jwtScopeImplies"} {
			if str(key) != "" {
				errs = append(errs, fmt.Sprintf("context %s: only with jwtIssuer (static tokens and cognito=true take none)", key))
			}
		}
	}
	if issuer := str("jwtIssuer"); issuer != "" {
		p.JWT = &stack.JWT{
			Issuer:         issuer,
			Audience:       str("jwtAudience"),
			JWKSURL:        str("jwtJwksUrl"),
			AudienceClaim:  str("jwtAudienceClaim"),
			RequiredScopes: scopeList(unTrimmed("jwtScopes")),
		}
		implies, err := scopeImplies(unTrimmed("jwtScopeImplies"))
		if err != nil {
			errs = append(errs, err.Error())
		}
		p.JWT.ScopeImplies = implies
	}
	if name := str("domainName"); name != "" {
		p.Domain = &stack.Domain{
			Name:           name,
			CertificateARN: str("certificateArn"),
			HostedZoneID:   str("hostedZoneId"),
			HostedZoneName: str("hostedZoneName"),
			// Off by default: the domain is then the only way in.
			KeepExecuteAPIEndpoint: boolean("executeApiEndpoint"),
			BasePath:               str("domainBasePath"),
		}
	} else {
		// Parts of a custom domain without its name: the stack would deploy without the domain.
		for _, key := range []string{"certificateArn", "hostedZoneId", "hostedZoneName"} {
			if str(key) != "" {
				errs = append(errs, fmt.Sprintf("context %s: only with domainName (it is part of the custom domain)", key))
			}
		}
		if _, set := get("executeApiEndpoint"); set {
			errs = append(errs, "context executeApiEndpoint: only with domainName (without one, the execute-api host is the endpoint)")
		}
		if _, set := get("domainBasePath"); set {
			errs = append(errs, "context domainBasePath: only with domainName (it maps the API under that path of the custom domain)")
		}
	}
	name := str("stackName")
	if name == "" {
		name = defaultStackName
	}
	if !stackNamePattern.MatchString(name) {
		// The CDK would refuse it with a panic in the middle of the synth.
		errs = append(errs, fmt.Sprintf("context stackName=%q: CloudFormation takes letters, digits and hyphens, starting with a letter, at most 128", name))
	}
	if len(errs) > 0 {
		return p, "", fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return p, name, nil
}

// contextKeys are the context keys propsFromContext reads.
var contextKeys = []string{
	"variant", "serverDir", "serverPackage", "stream", "stage", "cacheTtl", "logRetentionDays",
	"serverMemory", "serverConcurrency", "serverTimeout", "throttleRate", "throttleBurst",
	"corsOrigins", "corsHeaders", "serverEnv", "serverSecretEnv", "alarms", "alarmTopicArn",
	"cloudWatchRole", "detailedMetrics", "cognito", "cognitoDeletionProtection", "jwtIssuer",
	"jwtAudience", "jwtJwksUrl", "jwtAudienceClaim", "jwtScopes", "jwtScopeImplies", "domainName",
	"certificateArn", "hostedZoneId", "hostedZoneName", "executeApiEndpoint", "domainBasePath",
	"stackName",
}

// listSeparators are the separators of the settings that take lists. In cdk.json such a list may
// also be a JSON array, whose elements are joined with the separator.
var listSeparators = map[string]string{
	"corsOrigins": ",", "corsHeaders": ",", "serverEnv": ",", "serverSecretEnv": ",", "jwtScopes": " ",
}

// contextStrings reads the app's settings out of its context, as the CDK gives it: strings from
// the command line (-c key=value), and from cdk.json JSON values, which must read the same as
// the strings typed for them. A key left out, or null, is unset.
func contextStrings(all map[string]any) (map[string]string, error) {
	values := map[string]string{}
	var errs []string
	for _, key := range contextKeys {
		v, ok := all[key]
		if !ok || v == nil {
			continue
		}
		s, err := contextString(key, v)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		values[key] = s
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return values, nil
}

// contextString writes the JSON value v of setting key as the string typed for it on the command
// line: a number in digits (as fmt writes it, 1000000 would read 1e+06, which is no whole
// number), one below 2^53 only, a boolean as true or false, and an array of strings, for a
// setting that takes a list, as that list.
func contextString(key string, v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case float64:
		// From 2^53 on a float64 keeps not every whole number: the digits read may not be those
		// written (123456789012345678 reads 123456789012345680, and 2^53+1 reads 2^53), and no
		// setting takes so large a number.
		if math.Abs(v) >= 1<<53 {
			return "", fmt.Errorf("context %s: a JSON number of 2^53 or more, which may not read as written; write it as a string", key)
		}
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case []any:
		sep, ok := listSeparators[key]
		if !ok {
			return "", fmt.Errorf("context %s: a JSON array, and %s takes one value", key, key)
		}
		// A separator inside an element would split it, as white space splits scopes.
		inside := sep
		if sep == " " {
			inside = asciiSpace
		}
		items := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok || strings.TrimSpace(s) == "" || strings.ContainsAny(s, inside) {
				b, _ := json.Marshal(e)
				return "", fmt.Errorf("context %s: element %d of the JSON array (%s): want a string, not blank, without the %q that separates the list's items", key, i+1, stack.Cut(string(b)), sep)
			}
			items[i] = s
		}
		return strings.Join(items, sep), nil
	case map[string]any:
		return "", fmt.Errorf("context %s: a JSON object; want a string, as on the command line (deploy/README.md)", key)
	}
	return "", fmt.Errorf("context %s: a %T; want a string, as on the command line (deploy/README.md)", key, v)
}

// settingKey is a key in the form of this app's settings. The CDK's and the CLI's own keys have
// a colon, a hyphen or an @ (aws:cdk:…, @aws-cdk/…, cli-telemetry, acknowledged-issue-numbers).
var settingKey = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)

// checkContextKeys refuses a key in the form of a setting that is none of them: a misspelled
// one (serverMemroy, cacheTTL) would otherwise be ignored, and the stack deployed without it.
// The setting nearest to it is suggested, when it is within reach (meantKey).
func checkContextKeys(keys []string) error {
	var errs []string
	for _, key := range slices.Sorted(slices.Values(keys)) {
		if !settingKey.MatchString(key) || slices.Contains(contextKeys, key) {
			continue
		}
		msg := fmt.Sprintf("context %s: no such setting (deploy/README.md lists them)", key)
		if k := meantKey(key); k != "" {
			msg = fmt.Sprintf("context %s: no such setting; did you mean %s?", key, k)
		}
		errs = append(errs, msg)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// meantKey is the setting key looks meant for, or "" when none is near: the nearest within two
// typing mistakes (a letter left out, added, changed, or two swapped; serverMemroy for
// serverMemory), one for a setting of six letters or fewer (strem for stream), two mistakes from
// which are another word, letter case aside (cacheTTL for cacheTtl). The rule is the one the
// functions warn of a misspelt MCP_ variable by (auth.UnreadVars), which this module does not
// import.
func meantKey(key string) string {
	meant, best := "", 3
	for _, k := range contextKeys {
		allowed := 2
		if len(k) <= 6 {
			allowed = 1
		}
		if d := typos(strings.ToLower(key), strings.ToLower(k)); d < best && d <= allowed {
			meant, best = k, d
		}
	}
	return meant
}

// typos is the number of typing mistakes that turn a into b: letters left out, added or
// changed, and neighbours swapped (the optimal string alignment distance), counted in bytes, as
// the keys are ASCII.
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

// scopeImplies reads jwtScopeImplies, written as MCP_SCOPE_IMPLIES is: entries separated by ";",
// each a broader scope, "=", and the scopes it implies separated by spaces.
func scopeImplies(v string) (map[string][]string, error) {
	h := map[string][]string{}
	for entry := range strings.SplitSeq(v, ";") {
		if strings.Trim(entry, asciiSpace) == "" {
			continue
		}
		broad, implied, ok := strings.Cut(entry, "=")
		if !ok {
			return nil, fmt.Errorf("context jwtScopeImplies: %q is not SCOPE=IMPLIED [IMPLIED…]", stack.Cut(strings.Trim(entry, asciiSpace)))
		}
		// ASCII white space only, as the lists are split at it: another
		// space is kept, for the stack to refuse, not dropped unseen.
		broad = strings.Trim(broad, asciiSpace)
		h[broad] = append(h[broad], scopeList(implied)...)
	}
	if len(h) == 0 {
		return nil, nil
	}
	return h, nil
}

// scopeList splits space-separated scopes at ASCII white space only, as the functions read
// MCP_REQUIRED_SCOPES: a scope holding another space (a no-break one) is kept whole, for the
// stack to refuse, rather than read as two scopes no one meant.
func scopeList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r < 0x80 && strings.ContainsRune(asciiSpace, r) })
}

// asciiSpace is the white space scopes are separated by, and trimmed of.
const asciiSpace = " \t\n\r\v\f"
