package lambdamcp

import "strconv"

// OneVCPUMemoryMB is the memory size at which Lambda gives a function the
// equivalent of one vCPU (one vCPU-second of credits per second); below it,
// a function gets a share of one, although its execution environment shows
// two CPUs up to 3,008 MB.
const OneVCPUMemoryMB = 1769

// lambdaProcs returns the GOMAXPROCS Start runs with on Lambda, and whether
// to set it: 1 when the environment does not set GOMAXPROCS itself, the
// function serves one invocation at a time and its memory gives it less
// than one vCPU. Such a function cannot run two threads at once for long,
// while the go-sdk hands every request between goroutines, and with a
// second P each hand-off may wake a parked thread (docs/benchmarks.md
// measures it). A function that serves several invocations at once (Lambda
// Managed Instances set AWS_LAMBDA_MAX_CONCURRENCY, and aws-lambda-go then
// runs that many) keeps Go's own choice.
func lambdaProcs(getenv func(string) string) (int, bool) {
	if getenv("AWS_LAMBDA_RUNTIME_API") == "" || getenv("GOMAXPROCS") != "" {
		return 0, false
	}
	if n, err := strconv.Atoi(getenv("AWS_LAMBDA_MAX_CONCURRENCY")); err == nil && n > 1 {
		return 0, false
	}
	mb, err := strconv.Atoi(getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"))
	if err != nil || mb <= 0 || mb >= OneVCPUMemoryMB {
		return 0, false
	}
	return 1, true
}
