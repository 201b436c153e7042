#!/bin/sh
# The mutation gate: each mutant in tests/mutants.txt simulates a broken
# hypervisor or framework by one literal edit to one file; applied alone to
# a scratch copy of the tree, rebuilt, its cfg entries run under TCG, it
# must be "killed" (some entry's verdict is not the expected one, or one
# of its host unit tests fails).  A
# mutant whose text no longer matches exactly once, or that does not build,
# fails the gate too, so the list stays alive.
#   usage: scripts/mutate.sh [--quick] [NAME ...]
#   --quick: only the mutants marked "quick: yes" (make check runs these)
# Prints one line per mutant and ends with "mutants: N, killed K, ...";
# exit 0 only when every selected mutant was killed.
#
# The list: blocks of "key: value" lines, a blank line between blocks:
#   name:      unique name
#   file:      the file to change
#   find:      literal text, exactly once in the file (\n \t \\ escapes)
#   replace:   what it becomes (same escapes)
#   simulates: what a hypervisor or framework bug this stands for
#   arch:      the arch to build and run
#   run:       cfg entries that must catch it (space-separated)
#   host:      or host unit tests that must (make targets, e.g.
#              tests/lib-vc-test for guest-library code they include)
#   vmm:       run them under this VMM (--vmm; default each entry's)
#   cpu:       and this CPU model (--cpu; default each entry's)
#   quick:     yes to run it in make check
set -u

srcdir=$(cd "$(dirname "$0")/.." && pwd)
list=$srcdir/tests/mutants.txt
quick=""
if [ "${1:-}" = --quick ]; then
	quick=y
	shift
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# The tree as it is (tracked and untracked files, not the build).
if git -C "$srcdir" rev-parse 2>/dev/null; then
	(cd "$srcdir" && git ls-files -co --exclude-standard -z) |
		(cd "$srcdir" && xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$scratch"
else
	(cd "$srcdir" && tar -cf - --exclude=./build --exclude=./logs .) | tar -xf - -C "$scratch"
fi
cd "$scratch" || exit 2
./configure >/dev/null || exit 2
make -s runner/vmunit-run >/dev/null 2>&1 || { echo "mutate: the runner does not build" >&2; exit 2; }

total=0 killed=0 survived=0 stale=0 broken=0
jobs=$(nproc)
built=""

# One mutant: the variables of its block are set.
try() {
	total=$((total + 1))
	key=$arch:${host:-all}
	case " $built " in
	*" $key "*) ;;
	*)
		# shellcheck disable=SC2086 # host is a list of targets
		if ! make -s -j"$jobs" ARCH="$arch" ${host:-all} >"$scratch/build.log" 2>&1 ||
			{ [ -n "$host" ] && ! run_host; }; then
			echo "mutate: $key does not build or pass unmutated" >&2
			exit 2
		fi
		built="$built $key"
		;;
	esac
	cp -p "$file" "$scratch/orig"
	# The edit, only when the text is there exactly once (else exit 3).
	if ! FIND=$find REPL=$replace perl -0777 -i -pe '
			sub esc { my $s = shift; $s =~ s/\\(n|t|\\)/$1 eq "n" ? "\n" : $1 eq "t" ? "\t" : "\\"/ge; $s }
			BEGIN { $f = esc($ENV{FIND}); $r = esc($ENV{REPL}) }
			$n = () = /\Q$f\E/g;
			if ($n != 1) { $bad = 1; next }
			s/\Q$f\E/$r/;
			END { exit 3 if $bad }' "$file"; then
		echo "STALE    $name: the text to change is not in $file exactly once"
		stale=$((stale + 1))
		mv "$scratch/orig" "$file"
		return
	fi
	# shellcheck disable=SC2086 # host is a list of targets
	if ! make -s -j"$jobs" ARCH="$arch" ${host:-all} >"$scratch/build.log" 2>&1; then
		echo "BROKEN   $name: does not build ($(grep -m1 error "$scratch/build.log"))"
		broken=$((broken + 1))
	elif [ -n "$host" ]; then
		if run_host; then
			echo "SURVIVED $name: $simulates ($host all passed)"
			survived=$((survived + 1))
		else
			echo "killed   $name ($(grep -m1 -E 'FAILED|ERROR|[Ff]ail' "$scratch/run.log"))"
			killed=$((killed + 1))
		fi
	else
		# shellcheck disable=SC2086 # run is a list of entry names
		./run_tests.sh -a "$arch" --accel tcg ${vmm:+--vmm "$vmm"} ${cpu:+--cpu "$cpu"} \
			--logdir "$scratch/logs/$name" $run >"$scratch/run.log" 2>&1
		rc=$?
		if [ "$rc" -eq 1 ]; then
			echo "killed   $name ($(grep -m1 -v '^PASS' "$scratch/run.log"))"
			killed=$((killed + 1))
		elif [ "$rc" -eq 0 ]; then
			echo "SURVIVED $name: $simulates ($run all passed)"
			survived=$((survived + 1))
		else
			echo "BROKEN   $name: the runner exited $rc ($(tail -n 1 "$scratch/run.log"))"
			broken=$((broken + 1))
		fi
	fi
	mv "$scratch/orig" "$file"
	touch "$file"
}

# The host tests of the mutant: 0 when all pass; the output in run.log.
run_host() {
	for t in $host; do
		"./$t" >"$scratch/run.log" 2>&1 || return 1
	done
}

wanted() {
	[ -n "$quick" ] && [ "$q" != yes ] && return 1
	[ $# -eq 0 ] && return 0
	for w; do [ "$w" = "$name" ] && return 0; done
	return 1
}

name="" file="" find="" replace="" simulates="" arch="" run="" host="" q="" vmm="" cpu=""
block_done() {
	if [ -n "$name" ] && wanted "$@"; then
		try
	fi
	name="" file="" find="" replace="" simulates="" arch="" run="" host="" q="" vmm="" cpu=""
}
while IFS= read -r line || [ -n "$line" ]; do
	case $line in
	"#"*) ;;
	"") block_done "$@" ;;
	"name: "*) name=${line#name: } ;;
	"file: "*) file=${line#file: } ;;
	"find: "*) find=${line#find: } ;;
	"replace: "*) replace=${line#replace: } ;;
	"replace:") replace="" ;;
	"simulates: "*) simulates=${line#simulates: } ;;
	"arch: "*) arch=${line#arch: } ;;
	"run: "*) run=${line#run: } ;;
	"host: "*) host=${line#host: } ;;
	"quick: "*) q=${line#quick: } ;;
	"vmm: "*) vmm=${line#vmm: } ;;
	"cpu: "*) cpu=${line#cpu: } ;;
	*) echo "mutate: $list: bad line: $line" >&2; exit 2 ;;
	esac
done <"$list"
block_done "$@"

echo "mutants: $total, killed $killed, survived $survived, stale $stale, broken $broken"
[ "$total" -gt 0 ] && [ "$killed" -eq "$total" ]
