# allocsites.awk: who allocates what, per call, in a memory profile of a
# benchmark. Each allocation counts for the innermost frame that belongs to
# lambdamcp, to the go-sdk (with its schema library and the reference
# server's tools) or to the benchmark itself; what only the runtime reached
# counts as "runtime". lambdamcp's share is then listed by function.
#
#   go test -run '^$' -bench '^BenchmarkInvoke$/^url$/^tools-list-2025-11-25$' \
#       -benchtime 20000x -cpu 1 -memprofile mem.out -memprofilerate 1 -o lambdamcp.test .
#   go tool pprof -sample_index=alloc_space -traces lambdamcp.test mem.out |
#       awk -v n=20000 -f bench/allocsites.awk
#
# n is the number of calls the profile holds: the -benchtime count (the
# benchmark adds five of its own, a first round of one call and a check
# before and after each round, which n may leave out).

function unit(s) {
	return s ~ /GB$/ ? 1073741824 : s ~ /MB$/ ? 1048576 : s ~ /kB$/ ? 1024 : 1
}

function flush() {
	if (v > 0) {
		if (owner == "") owner = "runtime"
		share[owner] += v
		if (owner == "lambdamcp") site[fn] += v
	}
	v = 0; owner = ""; fn = ""
}

BEGIN { if (n <= 0) { print "allocsites.awk: set n, the number of calls: awk -v n=20000" > "/dev/stderr"; exit 2 } }

/^-----------\+/ { flush(); next }

# A trace's first line holds the bytes, then its innermost frame; the
# lines after it, one caller each.
v == 0 && owner == "" && $1 ~ /^[0-9.]+[kMG]?B$/ { v = ($1 + 0) * unit($1); attribute($2); next }
v > 0 && owner == "" { attribute($1) }

function attribute(frame) {
	# Frames are split at spaces, so a generic's instantiation may be cut
	# short and merged with the others of its function.
	if (frame ~ /lambdamcp_test|^testing\./) owner = "benchmark"
	else if (frame ~ /modelcontextprotocol|jsonschema|demoserver/) owner = "go-sdk"
	else if (frame ~ /^github\.com\/lambdamcp\/lambdamcp\./) { owner = "lambdamcp"; fn = frame }
}

END {
	if (n <= 0) exit 2
	flush()
	for (k in share) printf "%-10s %7.0f B/call\n", k, share[k] / n
	print ""
	for (k in site) printf "%7.0f B/call  %s\n", site[k] / n, k | "sort -rn"
}
