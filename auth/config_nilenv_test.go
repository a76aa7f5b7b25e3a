package auth

import (
	"slices"
	"testing"
)

// A nil getenv reads the process's environment, as serve.Options.Getenv
// does, rather than panic.
func TestConfigFromEnvNilReadsProcess(t *testing.T) {
	t.Setenv(EnvTokenSHA256, HashToken(staticToken))
	t.Setenv(EnvRequiredScopes, "mcp:tools")
	c, err := ConfigFromEnv(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.TokenHashes, []string{HashToken(staticToken)}) || !slices.Equal(c.Scopes, []string{"mcp:tools"}) {
		t.Errorf("ConfigFromEnv(nil) = %+v, want the process's token hash and scope", c)
	}
}
