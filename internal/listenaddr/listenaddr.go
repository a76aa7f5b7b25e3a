// Package listenaddr reports an address net.Listen refused as serve,
// lambdamcp-local and the local front do: quoted, cut and escaped.
package listenaddr

import (
	"errors"
	"fmt"
	"net"

	"github.com/lambdamcp/lambdamcp/internal/textcut"
)

// MaxQuotedBytes bounds what an error quotes of a listen address: a DNS
// name is at most 253 bytes, and the setting may be of any size.
const MaxQuotedBytes = textcut.MaxPathBytes

// Error is net.Listen's err for addr, which name names (a variable, a
// flag, or words saying what the address is for): the address quoted
// and cut, and err's message escaped, with what it repeats of the address
// (the address, or the host or port it could not look up) cut too, so
// that a setting of any size, or one holding a terminal's controls, makes
// one short line with the reason. It wraps err.
func Error(name, addr string, err error) error {
	if ae, ok := errors.AsType[*net.AddrError](err); ok {
		ae.Addr = textcut.Cut(ae.Addr, MaxQuotedBytes)
	}
	if de, ok := errors.AsType[*net.DNSError](err); ok {
		de.Name = textcut.Cut(de.Name, MaxQuotedBytes)
	}
	return fmt.Errorf("%s %q: %w", name, textcut.Cut(addr, MaxQuotedBytes), printableError{err})
}

// printableError is err with its message escaped (textcut.Printable).
type printableError struct{ err error }

func (e printableError) Error() string { return textcut.Printable(e.err.Error()) }
func (e printableError) Unwrap() error { return e.err }
