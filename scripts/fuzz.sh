#!/bin/sh
# Run the libFuzzer targets (tests/fuzz/fuzz.mk): scripts/fuzz.sh OPTION TARGET...
# with OPTION a libFuzzer limit (-runs=N or -max_total_time=S).  Each
# target starts from its seeds and dictionary, prints one line (executions,
# per second, coverage edges, corpus) and fails on any crash, leak, timeout
# or sanitizer report (libFuzzer's own exit status).
set -u
limit=$1
shift
status=0
for t; do
	work=build/fuzz/corpus-$t
	mkdir -p "$work"
	dict=tests/fuzz/dict/$t.dict
	[ -f "$dict" ] && dict="-dict=$dict" || dict=
	# shellcheck disable=SC2086 # $dict is one option or none
	if build/fuzz/fuzz-"$t" "$limit" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=build/fuzz/ $dict "$work" "tests/fuzz/corpus/$t" \
		>"build/fuzz/$t.log" 2>&1; then
		result=PASS
	else
		result=FAIL
		status=1
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "build/fuzz/$t.log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "build/fuzz/$t.log")
	cov=$(grep -o 'cov: [0-9]*' "build/fuzz/$t.log" | tail -n 1 | cut -d ' ' -f 2)
	echo "$result fuzz/$t ($execs executions, $speed/s, $cov edges, corpus $(find "$work" -type f | wc -l))"
	[ "$result" = PASS ] || grep -E "ERROR|SUMMARY|runtime error" "build/fuzz/$t.log" | head -n 5
done
exit $status
