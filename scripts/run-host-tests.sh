#!/bin/sh
# Run host test programs; print one line each and fail if any failed.
set -u
failed=0
for t; do
	case $t in */*) ;; *) t=./$t ;; esac
	if out=$("$t" 2>&1); then
		echo "PASS host/${t##*/}"
	else
		echo "$out"
		echo "FAIL host/${t##*/}"
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ]
