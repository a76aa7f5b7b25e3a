package localfront

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
)

// fnBinary is the test function (testdata/fn) compiled once for all tests.
var fnBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "localfront-fn")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fnBinary, err = Build(context.Background(), "./testdata/fn", dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func newTextLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
