#!/bin/sh
# `make coverage` (after ./configure --enable-coverage and make): the guest
# line coverage of lib/ and the tests, as an lcov HTML report in coverage/.
#   usage: scripts/coverage.sh ARCH...
# Per arch: the suite under TCG with its logs in logs/coverage/ARCH, and on
# x86_64 under Bochs (tigerlake: VMX, EPT, CET) in logs/coverage/bochs
# (each test's .gcda tree in NAME.gcov, runner/gcov-collect.h), the trees merged
# (gcov-tool merge) and the sums put next to the objects' .gcno files,
# captured with lcov, --initial too so that lib files no test links count
# as 0%.  Prints the line coverage of lib/ per arch and for all of them.
set -eu

out=coverage
mkdir -p "$out"
infos=""
suite() {	# NAME ARGS...: the suite into logs/coverage/NAME; a failing test still counts
	name=$1
	shift
	rm -rf "logs/coverage/$name"
	./run_tests.sh --no-progress --logdir "logs/coverage/$name" "$@" >"$out/$name.run" ||
		[ $? -eq 1 ]
	echo "$name: $(tail -n 1 "$out/$name.run")"
}

for arch in "$@"; do
	rm -rf "$out/$arch.merged"
	suite "$arch" -a "$arch" --accel tcg
	trees="logs/coverage/$arch"
	if [ "$arch" = x86_64 ] && command -v "${BOCHS:-bochs}" >/dev/null; then
		suite bochs -a x86_64 --vmm bochs
		trees="$trees logs/coverage/bochs"
	fi
	merged=""
	for tree in $(for t in $trees; do echo "$t"/*.gcov; done); do
		[ -d "$tree" ] || continue
		if [ -z "$merged" ]; then
			merged=$out/$arch.merged
			cp -r "$tree" "$merged"
		else
			gcov-tool merge -o "$merged.tmp" "$merged" "$tree" >/dev/null
			rm -rf "$merged" && mv "$merged.tmp" "$merged"
		fi
	done
	if [ -z "$merged" ]; then
		echo "coverage: $arch: no test dumped coverage data (built with --enable-coverage?)" >&2
		exit 1
	fi
	find "build/$arch" -name '*.gcda' -delete
	# The guest named each image's path: only an object of this build's
	# (under build/ARCH, its .gcno beside it, no link) gets its counts.
	(cd "$merged" && find . -name '*.gcda') | while read -r f; do
		dest=/${f#./}
		case $dest in
		"$PWD/build/$arch/"*) ;;
		*) echo "coverage: $dest: not under build/$arch, ignored" >&2; continue ;;
		esac
		if [ -L "$dest" ] || [ ! -f "${dest%.gcda}.gcno" ]; then
			echo "coverage: $dest: no object of this build, ignored" >&2
			continue
		fi
		cp -- "$merged/$f" "$dest"
	done
	lcov -q --capture --initial --directory "build/$arch" --base-directory . \
		-o "$out/$arch.base" 2>/dev/null
	lcov -q --capture --directory "build/$arch" --base-directory . \
		-o "$out/$arch.run.info" 2>/dev/null
	lcov -q -a "$out/$arch.base" -a "$out/$arch.run.info" -o "$out/$arch.info" 2>/dev/null
	printf '%s lib/ ' "$arch"
	lcov -q --extract "$out/$arch.info" "$PWD/lib/*" -o "$out/$arch.lib" 2>/dev/null
	lcov --summary "$out/$arch.lib" 2>&1 | grep 'lines'
	infos="$infos -a $out/$arch.info"
done
# shellcheck disable=SC2086 # the -a options
lcov -q $infos -o "$out/all.info" 2>/dev/null
lcov -q --extract "$out/all.info" "$PWD/lib/*" -o "$out/all.lib" 2>/dev/null
printf 'all lib/ '
lcov --summary "$out/all.lib" 2>&1 | grep 'lines'
genhtml -q --prefix "$PWD" -o "$out" "$out/all.info" 2>/dev/null
echo "coverage: $out/index.html"
