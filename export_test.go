package lambdamcp

// SetPreGrowStack switches growStack on or off for a benchmark and returns
// what restores it.
func SetPreGrowStack(on bool) (restore func()) {
	was := preGrowStack
	preGrowStack = on
	return func() { preGrowStack = was }
}
