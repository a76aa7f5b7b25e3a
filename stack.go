package lambdamcp

// The handler runs on a goroutine of its own (see guard.serve), and a new
// goroutine starts with a small stack. The go-sdk's path through a request
// (reflection-driven JSON decoding and encoding, several handlers deep)
// needs about 32 KiB of it, so the stack used to double four or five times
// per request, each time copying every frame on it and adjusting their
// pointers: about 6% of the CPU of a warm tools/list with one P
// (runtime.copystack in the profile of docs/benchmarks.md).
//
// growStack grows the stack to 32 KiB in one step while it is still one
// frame deep, where the copy costs next to nothing. The goroutine gives the
// stack back when it ends. A handler that needs more grows it as before,
// from 32 KiB.

// growFrame is the size of growStack's frame: more than half of 32 KiB,
// so that the runtime, which doubles a stack until the frame fits, makes
// it 32 KiB at once.
const growFrame = 17 << 10

// preGrowStack switches growStack on; BenchmarkHandlerStack compares.
var preGrowStack = true

// growStack grows the calling goroutine's stack (see above).
func growStack() {
	if preGrowStack {
		growStackFrame()
	}
}

// growStackFrame has a frame of growFrame bytes: calling it makes the
// runtime grow the stack to fit. The array is handed to a function that is
// not inlined, so that the compiler keeps it on the stack.
//
//go:noinline
func growStackFrame() {
	var frame [growFrame]byte
	keepFrame(frame[:])
}

//go:noinline
func keepFrame([]byte) {}
