package requeststate

import (
	"strings"
	"testing"
)

// A nil getenv reads the process's environment, as serve.Options.Getenv
// does, rather than panic.
func TestFromEnvNilReadsProcess(t *testing.T) {
	t.Setenv("AWS_LAMBDA_RUNTIME_API", "")
	t.Setenv(EnvKey, strings.Repeat("0123456789abcdef", 4))
	s, ephemeral, err := FromEnv(nil)
	if err != nil || ephemeral || s == nil {
		t.Fatalf("FromEnv(nil) = %v, %v, %v; want the process's key", s, ephemeral, err)
	}
	state, err := newSealerHex(t, strings.Repeat("0123456789abcdef", 4)).Seal("p", 1, MaxTTL)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.Open("p", state, &n); err != nil || n != 1 {
		t.Errorf("the Sealer of FromEnv(nil) does not open what the key seals: %v", err)
	}
}

func newSealerHex(t *testing.T, hexKey string) *Sealer {
	t.Helper()
	k, err := ParseKey(hexKey)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
