package lambdamcp

import "testing"

func TestLambdaProcs(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"128 MB", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"}, true},
		{"1768 MB", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1768"}, true},
		{"1769 MB", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1769"}, false},
		{"not on Lambda", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"}, false},
		{"GOMAXPROCS set", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "GOMAXPROCS": "4"}, false},
		{"no memory size", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"}, false},
		{"memory size not a number", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128MB"}, false},
		{"memory size zero", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "0"}, false},
		{"memory size negative", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "-128"}, false},
		{"several invocations at once", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "AWS_LAMBDA_MAX_CONCURRENCY": "8"}, false},
		{"one invocation at a time, said", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "AWS_LAMBDA_MAX_CONCURRENCY": "1"}, true},
		{"max concurrency not a number", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "AWS_LAMBDA_MAX_CONCURRENCY": "many"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, ok := lambdaProcs(func(k string) string { return tc.env[k] })
			if ok != tc.want || ok && n != 1 {
				t.Errorf("lambdaProcs = %d, %v; want 1, %v", n, ok, tc.want)
			}
		})
	}
}
