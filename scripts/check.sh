#!/bin/bash
# `make check`: cfg/payload consistency, host tests, the guest suite for
# ARCH under TCG (pinned: its expected verdicts are facts there, whatever
# KVM the host has; `make run` uses the best accelerator), the suite's TAP
# through prove, the quick mutants (scripts/mutate.sh), and on
# x86_64 two make standalone bundles from an empty directory, the suite
# again on Debian 12's QEMU 7.2 (scripts/qemu72.sh) and under Bochs, as a
# tigerlake (VMX, CET), a ryzen (SVM) and a core2_penryn_t9600 (VMX without
# EPT or the EFER controls), and the x86_64 and arm64
# suites on real KVM in the Debian 6.12 box (runner/box.h; every kernel:
# `make check-kvm`).
# Ends with one closing line counting all of them:
#   N passed, N failed, N skipped
#   usage: scripts/check.sh [--host-only] ARCH[,ARCH...] HOST-TEST...
set -uo pipefail
suite=y
if [ "$1" = --host-only ]; then
	suite=""
	shift
fi
arch=$1
shift
passed=0 failed=0 skipped=0

step() {	# step NAME COMMAND...: one host-side check
	local out
	if out=$("${@:2}" 2>&1); then
		echo "PASS $1"
		passed=$((passed + 1))
	else
		printf '%s\nFAIL %s\n' "$out" "$1"
		failed=$((failed + 1))
	fi
}

step host/check-cfg runner/vmunit-run --check-cfg -a "$arch"
step host/shellcheck shellcheck configure run_tests.sh scripts/*.sh scripts/run \
	scripts/new-test scripts/box-init scripts/box-bochs-init tests/*.sh tests/stub/qemu-system-x86_64 tests/stub/bochs ./*/run
for t; do
	step "host/${t##*/}" "./${t#./}"
done
# The fuzz targets (tests/fuzz), a few seconds each over their seeds.
if [ -x build/fuzz/fuzz-cfg ]; then
	for t in cfg baseline verdict qmp writers; do
		step "host/fuzz-$t" scripts/fuzz.sh -max_total_time=3 "$t"
	done
fi

finish() {
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit
}
[ -n "$suite" ] || finish

log=$(mktemp)
trap 'rm -f "$log"' EXIT
./run_tests.sh -a "$arch" --all --accel tcg --tap logs/suite.tap | tee "$log" | grep -v '^[0-9]* passed, '
status=$?
read -r p f s < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped\(, [0-9]* xfail\)\{0,1\}$/\1 \2 \3/p' "$log")
if [ -z "${p:-}" ] || [ "$status" -ge 2 ]; then
	echo "FAIL suite: the runner stopped (status $status)"
	p=${p:-0} f=$((${f:-0} + 1)) s=${s:-0}
fi
passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
step host/tap-prove prove -e cat logs/suite.tap
# Unexpected exceptions named in code (runner/symbols.h), on every arch.
# shellcheck disable=SC2317 # called through step
symbolized() {
	for a in ${arch//,/ }; do
		grep -q "^ok .* - \($a/\)\{0,1\}selftest-unexpected-fault (expected ERROR: unexpected exception .*, [a-z0-9]*/selftest\.c:[0-9]* in raise_" \
			logs/suite.tap || { echo "$a: no file:line in selftest-unexpected-fault's reason"; return 1; }
	done
}
step suite/symbols symbolized
# The mutation gate's quick subset (make mutate runs every mutant).
step host/mutate-quick scripts/mutate.sh --quick

# The same suite on Debian 12's own QEMU 7.2: no verdict may become a failure.
if [ "${arch#*x86_64}" = "$arch" ]; then
	:
elif qemu72=$(scripts/qemu72.sh 2>"$log"); then
	step suite/qemu-7.2 env QEMU="$qemu72" ./run_tests.sh -a x86_64 --all --accel tcg --logdir logs/qemu-7.2 \
		--baseline runner/qemu-7.2.baseline
else
	echo "SKIP suite/qemu-7.2 (scripts/qemu72.sh: $(tail -n 1 "$log"))"
	skipped=$((skipped + 1))
fi

# Two real bundles of make standalone, run from an empty directory.
# shellcheck disable=SC2317 # called through step
bundles_run() {
	local d
	d=$(mktemp -d) || return 1
	scripts/standalone.sh x86_64 "$d/sa" selftest cpuid >/dev/null &&
		(mkdir "$d/run" && cd "$d/run" && "$d/sa/x86_64/selftest" --accel tcg &&
			"$d/sa/x86_64/cpuid" --accel tcg)
	local status=$?
	rm -rf "$d"
	return "$status"
}
if [ "${arch#*x86_64}" != "$arch" ]; then
	step suite/standalone bundles_run
fi

# The x86 suite under Bochs: every verdict a PASS or a SKIP naming its gate.
if [ "${arch#*x86_64}" != "$arch" ]; then
	for model in tigerlake ryzen core2_penryn_t9600; do
		step "suite/bochs-$model" ./run_tests.sh -a x86_64 --all --vmm bochs --cpu "$model" \
			--logdir "logs/bochs-$model"
	done
fi
# Real KVM: Debian 6.12's, nested under TCG; its known failures are
# runner/box.baseline's.
for a in x86_64 arm64; do
	if [ "${arch#*"$a"}" != "$arch" ]; then
		step "suite/box-debian-6.12-$a" ./run_tests.sh -a "$a" --all --box debian-6.12 \
			--no-progress --logdir "logs/box-debian-6.12-$a"
	fi
done
finish
