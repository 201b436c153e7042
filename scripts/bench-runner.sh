#!/bin/sh
# Runner overhead per test: runs N (default 100) instantly passing tests of a
# stub QEMU through runner/vmunit-run -j1, and subtracts the time the stub
# alone takes for the same N runs.  Run from the build directory, or set
# VMUNIT_RUN.  Usage: scripts/bench-runner.sh [N]
set -eu

n=${1:-100}
srcdir=$(cd "$(dirname "$0")/.." && pwd)
run=${VMUNIT_RUN:-$PWD/runner/vmunit-run}
stub=$srcdir/tests/stub/qemu-system-x86_64
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/x86"
printf '%s\n' "PASS: one" \
	"SUMMARY: 1 tests, 0 unexpected failures, 0 expected failures, 0 skipped, 0 not run" \
	"EXIT: STATUS=0" "@exit 1" >"$tmp/x86/pass.elf"
i=0
while [ "$i" -lt "$n" ]; do
	printf '[t%d]\nfile = pass\n' "$i"
	i=$((i + 1))
done >"$tmp/unittests.cfg"

now_ns() { date +%s%N; }

start=$(now_ns)
QEMU=$stub "$run" -S "$tmp" -b "$tmp" --logdir "$tmp/logs" -a x86_64 \
	--accel tcg -j 1 >"$tmp/out"
runner_ns=$(($(now_ns) - start))
grep -qx "$n passed, 0 failed, 0 skipped" "$tmp/out"

start=$(now_ns)
i=0
while [ "$i" -lt "$n" ]; do
	"$stub" -kernel "$tmp/x86/pass.elf" >/dev/null || true
	i=$((i + 1))
done
stub_ns=$(($(now_ns) - start))

awk -v n="$n" -v r="$runner_ns" -v s="$stub_ns" 'BEGIN {
	printf "runner overhead: %.2f ms per test (%d tests, -j1: %.0f ms with the runner, %.0f ms stub alone)\n",
		(r - s) / n / 1e6, n, r / 1e6, s / 1e6
}'
