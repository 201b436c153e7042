#!/bin/sh
# `make check-kvm`: the suite on real KVM in the box (runner/box.h), for
# every Debian kernel and every arch that has a box, and in the Intel box
# (kvm_intel under Bochs) for each of $BOX_INTEL's L0s with the last
# kernel; one closing line summing the runs' own:
#   N passed, N failed, N skipped
#   usage: scripts/check-kvm.sh [KERNEL ...]
set -u
kernels=${*:-debian-6.1 debian-6.12}
arches=${BOX_ARCHES:-x86_64 arm64}
intel=${BOX_INTEL-bochs:tigerlake:1 bochs:corei7_skylake_x:2}
passed=0 failed=0 skipped=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
runs=
for k in $kernels; do
	for a in $arches; do
		runs="$runs $k/$a/qemu"
	done
	last=$k
done
for l0 in $intel; do
	runs="$runs $last/x86_64/$l0"
done
for run in $runs; do
	k=${run%%/*} a=${run#*/} l0=${run##*/}
	a=${a%%/*}
	echo "== $k $a $l0"
	if [ "$l0" = qemu ]; then
		set -- --logdir "logs/box-$k-$a"
	else
		set -- --box-vmm "$l0" --logdir "logs/box-$k-$a-$(echo "$l0" | tr : -)"
	fi
	./run_tests.sh -a "$a" --all --box "$k" --no-progress "$@" | tee "$out"
	status=$?
	line=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\1 \2 \3/p' "$out")
	if [ -z "$line" ]; then
		echo "FAIL box $k $a $l0: the runner stopped (status $status)"
		line="0 1 0"
	fi
	# shellcheck disable=SC2086 # three numbers
	set -- $line
	passed=$((passed + $1)) failed=$((failed + $2)) skipped=$((skipped + $3))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
