package auth

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

func TestUnreadVars(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		also    []string
		want    []UnreadVar
	}{
		{name: "names read", environ: []string{
			"MCP_AUTH_TOKEN_SHA256=ab", "MCP_JWT_ISSUER=https://x", "MCP_REQUIRED_SCOPES=a", "MCP_ALLOWED_ORIGINS=", "MCP_STREAM=url",
		}, also: []string{"MCP_STREAM"}},
		{name: "a letter left out", environ: []string{"MCP_REQUIRED_SCOPE=mcp:tools"},
			want: []UnreadVar{{"MCP_REQUIRED_SCOPE", "MCP_REQUIRED_SCOPES"}}},
		{name: "a letter changed", environ: []string{"MCP_RESOURCE_URI=https://mcp.example.com/mcp"},
			want: []UnreadVar{{"MCP_RESOURCE_URI", "MCP_RESOURCE_URL"}}},
		{name: "two letters swapped", environ: []string{"MCP_JWT_ISUSER=https://x"},
			want: []UnreadVar{{"MCP_JWT_ISUSER", "MCP_JWT_ISSUER"}}},
		{name: "two mistakes", environ: []string{"MCP_ALLOWED_ORIGN=https://a.example"},
			want: []UnreadVar{{"MCP_ALLOWED_ORIGN", "MCP_ALLOWED_ORIGINS"}}},
		{name: "letter case", environ: []string{"MCP_Stream=url"}, also: []string{"MCP_STREAM"},
			want: []UnreadVar{{"MCP_Stream", "MCP_STREAM"}}},
		{name: "lower case", environ: []string{"mcp_jwt_issuer=https://x", "mcp_jwt_leeway=30s", "mcp_client_id=x"},
			want: []UnreadVar{{"mcp_jwt_issuer", "MCP_JWT_ISSUER"}, {Name: "mcp_jwt_leeway"}}},
		{name: "one of the names also", environ: []string{"MCP_ADR=:8080"}, also: []string{"MCP_ADDR"},
			want: []UnreadVar{{"MCP_ADR", "MCP_ADDR"}}},
		{name: "under MCP_JWT_, near nothing", environ: []string{"MCP_JWT_LEEWAY=30s"},
			want: []UnreadVar{{Name: "MCP_JWT_LEEWAY"}}},
		{name: "under MCP_AUTH_, near nothing", environ: []string{"MCP_AUTH_TOKEN=s3cr3t"},
			want: []UnreadVar{{Name: "MCP_AUTH_TOKEN"}}},
		{name: "three mistakes", environ: []string{"MCP_REQ_SCOPES=a"}},
		{name: "a short name, one mistake", environ: []string{"MCP_ADRR=:8080", "MCP_STRAEM=url"}, also: []string{"MCP_ADDR", "MCP_STREAM"},
			want: []UnreadVar{{"MCP_ADRR", "MCP_ADDR"}, {"MCP_STRAEM", "MCP_STREAM"}}},
		{name: "a short name, two mistakes", environ: []string{"MCP_DIR=/srv/mcp", "MCP_TEAM=core", "MCP_ADD=1"}, also: []string{"MCP_ADDR", "MCP_STREAM"},
			want: []UnreadVar{{"MCP_ADD", "MCP_ADDR"}}},
		{name: "a program's own and the client's", environ: []string{
			"MCP_CLIENT_ID=x", "MCP_CLIENT_SECRET=y", "MCP_TOKEN=z", "MCP_SERVER_ENDPOINT=u", "MCP_API_KEY=k", "MCP_REQUEST_STATE_KEY=k",
		}, also: []string{"MCP_ADDR", "MCP_STREAM"}},
		{name: "not MCP_", environ: []string{"MCPJWT_ISSUER=x", "AWS_REGION=eu-west-1", "PATH=/bin", "=C:=C:\\"}},
		{name: "no value", environ: []string{"MCP_JWT_AUDIENCES"},
			want: []UnreadVar{{"MCP_JWT_AUDIENCES", "MCP_JWT_AUDIENCE"}}},
		{name: "the nearest of two", environ: []string{"MCP_JWT_AUDIENCE_CLAM=client_id"},
			want: []UnreadVar{{"MCP_JWT_AUDIENCE_CLAM", "MCP_JWT_AUDIENCE_CLAIM"}}},
		{name: "a name read, a word longer", environ: []string{"MCP_ADDRESS=:8080", "MCP_STREAMING=url", "MCP_RESOURCE_URLS=https://x", "mcp_address=:8080"},
			also: []string{"MCP_ADDR", "MCP_STREAM"},
			want: []UnreadVar{{"MCP_ADDRESS", "MCP_ADDR"}, {"MCP_STREAMING", "MCP_STREAM"}, {"MCP_RESOURCE_URLS", "MCP_RESOURCE_URL"}, {"mcp_address", "MCP_ADDR"}}},
		{name: "a name read, then other words", environ: []string{
			"MCP_STREAMABLE_HTTP_PATH=/mcp", "MCP_STREAM_TIMEOUT=30s", "MCP_ADDR_V6=[::1]:8080", "MCP_ADDRESSBOOK=x",
		}, also: []string{"MCP_ADDR", "MCP_STREAM"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := UnreadVars(tc.environ, tc.also...)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("UnreadVars(%q, %q) (-want +got):\n%s", tc.environ, tc.also, diff)
			}
		})
	}
}

// TestUnreadVarsFoldedNames checks that where the system reads names
// without regard to letter case (Windows), a name read written in other
// letters is read, and so not named, while a misspelt one still is.
func TestUnreadVarsFoldedNames(t *testing.T) {
	defer func(old bool) { foldedNames = old }(foldedNames)
	foldedNames = true
	environ := []string{"mcp_stream=url", "Mcp_Jwt_Issuer=https://x", "mcp_required_scope=a", "mcp_jwt_leeway=30s"}
	want := []UnreadVar{{"mcp_required_scope", "MCP_REQUIRED_SCOPES"}, {Name: "mcp_jwt_leeway"}}
	if diff := cmp.Diff(want, UnreadVars(environ, "MCP_STREAM")); diff != "" {
		t.Errorf("UnreadVars(%q) (-want +got):\n%s", environ, diff)
	}
}

func TestUnreadVarString(t *testing.T) {
	tests := []struct {
		v    UnreadVar
		want string
	}{
		{UnreadVar{"MCP_REQUIRED_SCOPE", "MCP_REQUIRED_SCOPES"}, "MCP_REQUIRED_SCOPE is set, and nothing reads it; did you mean MCP_REQUIRED_SCOPES?"},
		{UnreadVar{Name: "MCP_JWT_LEEWAY"}, "MCP_JWT_LEEWAY is set, and nothing reads it"},
		// A name is the environment's, of any size and any bytes but "="
		// and NUL: it is escaped and cut as a value is.
		{UnreadVar{Name: "MCP_AUTH_\x1b[2J\u202e" + strings.Repeat("X", 10_000)}, `MCP_AUTH_\x1b[2J\u202e` + strings.Repeat("X", maxQuotedValueBytes-len("MCP_AUTH_\x1b[2J\u202e")) + "… is set, and nothing reads it"},
	}
	for _, tc := range tests {
		if got := tc.v.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestTypos(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"", "abc", 3}, {"abc", "", 3}, {"abc", "abc", 0},
		{"abc", "ab", 1}, {"ab", "abc", 1}, {"abc", "abd", 1}, {"abc", "acb", 1},
		{"ca", "abc", 3}, // the optimal string alignment distance: no edit of a swapped pair
		{"kitten", "sitting", 3}, {"MCP_JWT_ISUSER", "MCP_JWT_ISSUER", 1},
	}
	for _, tc := range tests {
		if got := typos(tc.a, tc.b); got != tc.want {
			t.Errorf("typos(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// FuzzUnreadVars checks UnreadVars on any environment entry (no "=", an
// empty name, bytes that are no UTF-8, a name of any length): no panic,
// and an answer only about the entry's name, under MCP_ in any letter
// case, none it reads, nearest a name it reads or none.
func FuzzUnreadVars(f *testing.F) {
	for _, s := range []string{"", "=x", "MCP_", "MCP_AUTH_", "MCP_JWT_ISUSER=x", "mcp_stream", "MCP_\xff\xfe=1", "MCP_JWT_\xca", "MCP_ſTREAM=1", "==", "MCP_STREAM"} {
		f.Add(s)
	}
	known := append(slices.Clone(envNames), "MCP_STREAM")
	f.Fuzz(func(t *testing.T, entry string) {
		got := UnreadVars([]string{entry}, "MCP_STREAM")
		if len(got) > 1 {
			t.Fatalf("UnreadVars(%q) = %v, more than one for one entry", entry, got)
		}
		for _, v := range got {
			name, _, _ := strings.Cut(entry, "=")
			if v.Name != name || !strings.HasPrefix(strings.ToUpper(name), "MCP_") || slices.Contains(known, name) {
				t.Errorf("UnreadVars(%q) = %+v, not about the unread name %q", entry, v, name)
			}
			if v.Meant != "" && !slices.Contains(known, v.Meant) {
				t.Errorf("UnreadVars(%q) means %q, no name read", entry, v.Meant)
			}
			// Named as a log line may show it: escaped, and cut.
			if shown := textcut.Printable(textcut.Cut(name, maxQuotedValueBytes)); !strings.HasPrefix(v.String(), shown+" ") {
				t.Errorf("%q does not name %q as %q", v.String(), name, shown)
			}
		}
	})
}
