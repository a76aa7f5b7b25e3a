package mrtr

import (
	"errors"
	"testing"
	"time"
)

func TestSealerExpires(t *testing.T) {
	s, err := NewSealer(make([]byte, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	s.now = func() time.Time { return now }
	state, err := s.Seal("p", "v", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := s.Open("p", state, &got); err != nil || got != "v" {
		t.Fatalf("Open = %q, %v; want v", got, err)
	}
	if err := s.Open("q", state, &got); !errors.Is(err, ErrBadState) {
		t.Errorf("Open for another purpose = %v, want ErrBadState", err)
	}
	now = now.Add(time.Minute + time.Second)
	if err := s.Open("p", state, &got); !errors.Is(err, ErrBadState) {
		t.Errorf("Open after expiry = %v, want ErrBadState", err)
	}
}

func FuzzOpen(f *testing.F) {
	s, _ := NewSealer(make([]byte, KeySize))
	good, _ := s.Seal("p", map[string]int{"a": 1}, time.Hour)
	f.Add(good)
	f.Add("")
	f.Add("not base64!")
	f.Fuzz(func(t *testing.T, state string) {
		var v any
		if err := s.Open("p", state, &v); err != nil && !errors.Is(err, ErrBadState) {
			t.Errorf("Open(%q) = %v, want nil or ErrBadState", state, err)
		}
	})
}
