# shellcheck shell=sh
# The TAP helpers of the runner's host test scripts, sourced by them first:
# the runner to test ($run: $VMUNIT_RUN, else runner/vmunit-run of the
# build directory, the current one), each test point numbered, a failure
# showing the runner's stdout and stderr ($tmp/out, $tmp/err, which the
# caller's temporary directory $tmp holds).
# shellcheck disable=SC2154 # tmp is the caller's

run=${VMUNIT_RUN:-$PWD/runner/vmunit-run}
if [ ! -x "$run" ]; then
	echo "$0: $run is not built (make runner/vmunit-run)" >&2
	exit 1
fi

n=0
failed=0

ok() {
	n=$((n + 1))
	printf 'ok %s - %s\n' "$n" "$1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	printf 'not ok %s - %s\n' "$n" "$1"
	[ -s "$tmp/out" ] && sed 's/^/#   out: /' "$tmp/out"
	[ -s "$tmp/err" ] && sed 's/^/#   err: /' "$tmp/err"
	return 0
}

# check DESCRIPTION COMMAND...: a test point from a command's success.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

has() { grep -qxF -- "$1" "$tmp/out"; }		# stdout has this exact line
has_err() { grep -qF -- "$1" "$tmp/err"; }	# stderr contains this
