package lambdamcp

// SetPreGrowStack switches growStack on or off for a benchmark and returns
// what restores it.
func SetPreGrowStack(on bool) (restore func()) {
	was := preGrowStack
	preGrowStack = on
	return func() { preGrowStack = was }
}

// InvocationsInFlight is how many invocations' handlers run in this
// process, as NewSDKLogHandler counts them.
func InvocationsInFlight() int {
	inFlight.mu.Lock()
	defer inFlight.mu.Unlock()
	n := 0
	for _, c := range inFlight.ids {
		n += c
	}
	return n
}

// The guard's refusal of an id the go-sdk would change, and the longest
// id it repeats in a refusal.
const (
	InexactIDMessage = inexactIDMessage
	MaxEchoedIDBytes = maxEchoedIDBytes
)
