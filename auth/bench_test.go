package auth

import (
	"context"
	"testing"
)

// go test ./auth -run X -bench . -benchmem
func BenchmarkStaticVerify(b *testing.B) {
	hashes := make([]string, 10)
	for i := range hashes {
		hashes[i] = HashToken(staticToken + string(rune('a'+i)))
	}
	v, err := NewStaticVerifier(hashes, nil)
	if err != nil {
		b.Fatal(err)
	}
	token := staticToken + "j"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(context.Background(), token); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJWTVerify(b *testing.B) {
	for _, tc := range []struct {
		name string
		key  *signingKey
	}{{"RS256", newRSAKey(b, "rsa")}, {"ES256", newECKey(b, "ec")}} {
		b.Run(tc.name, func(b *testing.B) {
			srv := newJWKSServer(b, tc.key)
			v := newTestJWTVerifier(b, srv.url(), nil)
			token := tc.key.sign(b, claims{scope: testScope})
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(context.Background(), token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
