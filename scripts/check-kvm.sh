#!/bin/sh
# `make check-kvm`: the suite on real KVM in the box (runner/box.h), for
# every Debian kernel and every arch that has a box; one closing line
# summing the runs' own:
#   N passed, N failed, N skipped
#   usage: scripts/check-kvm.sh [KERNEL ...]
set -u
kernels=${*:-debian-6.1 debian-6.12}
arches=${BOX_ARCHES:-x86_64 arm64}
passed=0 failed=0 skipped=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for k in $kernels; do
	for a in $arches; do
		echo "== $k $a"
		./run_tests.sh -a "$a" --all --box "$k" --logdir "logs/box-$k-$a" --no-progress | tee "$out"
		status=$?
		line=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\1 \2 \3/p' "$out")
		if [ -z "$line" ]; then
			echo "FAIL box $k $a: the runner stopped (status $status)"
			line="0 1 0"
		fi
		# shellcheck disable=SC2086 # three numbers
		set -- $line
		passed=$((passed + $1)) failed=$((failed + $2)) skipped=$((skipped + $3))
	done
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
